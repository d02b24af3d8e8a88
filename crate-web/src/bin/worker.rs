//! The app's web worker: parses and simulates off the page's thread (Trunk builds it as a
//! `data-type="worker"` binary next to the app).

fn main() {
    efiviz_web::run_worker();
}
