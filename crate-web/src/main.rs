fn main() {
    efiviz_web::start();
}
