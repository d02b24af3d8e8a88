//! The web worker's side (the `efiviz-worker` binary): receives [`Request`]s, runs the
//! [`job`] and posts the result back in pieces, so the page never blocks on a large input.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::job;
use efiviz_core::layout::{Knobs, Reservation};

use crate::state::{Source, Stage};
use crate::wire::{BATCH_BYTES, Reply, Request, WARM_UP, decode, encode, pieces, take_parts};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

thread_local! {
    /// Replies encoded but not yet posted, one after another (see [`BATCH_BYTES`]).
    static OUTBOX: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Sends `reply` to the page: packed with the replies before it until the batch is full, or
/// at once for a reply the page must see now (readiness, progress, the end of a job). A
/// reply that cannot be encoded fails its job instead, so the page never waits forever.
fn post(reply: &Reply) {
    let now = matches!(
        reply,
        Reply::Ready | Reply::Progress { .. } | Reply::Failed { .. } | Reply::Done { .. }
    );
    match encode(reply) {
        Ok(bytes) => OUTBOX.with_borrow_mut(|batch| batch.extend_from_slice(&bytes)),
        Err(message) => {
            return match reply.id() {
                Some(id) => post(&Reply::Failed { id, message }),
                None => web_sys::console::error_1(&message.into()),
            };
        }
    }
    if now || OUTBOX.with_borrow(Vec::len) >= BATCH_BYTES {
        send_batch();
    }
}

/// Posts the packed replies, transferring their bytes.
fn send_batch() {
    let batch = OUTBOX.take();
    let array = Uint8Array::from(batch.as_slice());
    if let Err(error) = scope().post_message_with_transfer(&array, &Array::of1(&array.buffer())) {
        web_sys::console::error_1(&error);
    }
}

/// Starts listening and tells the page it may send work.
pub fn run() {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        handle(event.data());
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Ready);
    warm_up();
}

/// A message is `[request bytes, payload]`; a load's payload is the input's bytes.
fn handle(data: JsValue) {
    let message: Array = data.unchecked_into();
    let request = match decode(&Uint8Array::new(&message.get(0)).to_vec()) {
        Ok(request) => request,
        Err(error) => return web_sys::console::error_1(&error.into()),
    };
    match request {
        Request::Load {
            id,
            name,
            reservations,
        } => {
            let bytes = Uint8Array::new(&message.get(1)).to_vec();
            let source = Source::original(name, bytes.into());
            post(&Reply::Progress {
                id,
                stage: Stage::Parsing,
            });
            load(id, source, reservations);
        }
        Request::Simulate { id, input, knobs } => {
            post(&Reply::Progress {
                id,
                stage: Stage::Simulating,
            });
            let mut story = job::simulate(&input, &knobs);
            let parts = take_parts(&mut story);
            post(&Reply::Simulated {
                id,
                knobs,
                story: Box::new(story),
            });
            send_parts(id, parts);
        }
    }
}

/// Loads `source` and posts the result for job `id`. The page kept the bytes; only what it
/// cannot compute itself goes back.
fn load(id: u64, source: Source, reservations: Vec<Reservation>) {
    let progress = |stage| post(&Reply::Progress { id, stage });
    let tune = |knobs: &mut Knobs| knobs.reservations.extend(reservations);
    match job::load(source, tune, progress) {
        Ok((loaded, knobs)) => {
            let mut story = loaded.story;
            let parts = take_parts(&mut story);
            post(&Reply::Loaded {
                id,
                name: loaded.name,
                parsed: Box::new(loaded.parsed),
                input: Box::new(loaded.input),
                knobs,
                story: Box::new(story),
            });
            send_parts(id, parts);
        }
        Err(message) => post(&Reply::Failed { id, message }),
    }
}

/// A sample (the spec's S17 scenario: 200 entries) loaded once at start, as job
/// [`WARM_UP`]: V8 compiles wasm functions lazily, at their first call, and optimises those
/// that run often, so without it the user's first input pays for compiling the parser, the
/// simulator and the encoder here, and the page's decoder and first render there (the page
/// renders the result off screen once: components/rehearsal.rs). A map of a few hundred
/// entries, like a real one, makes the hot functions hot.
fn warm_up() {
    const SAMPLE: &str = include_str!("../samples/s17-memmap-tail.txt");
    let source = Source::original("warm-up".to_owned(), SAMPLE.as_bytes().into());
    load(WARM_UP, source, Vec::new());
}

fn send_parts(id: u64, parts: Vec<efiviz_core::layout::KernelStep>) {
    for piece in parts.into_iter().flat_map(|part| pieces(id, part)) {
        post(&piece);
    }
    post(&Reply::Done { id });
}
