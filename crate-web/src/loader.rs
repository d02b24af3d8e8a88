//! The page's side of the worker: starts it at page load (so the first upload finds it
//! warm), sends it jobs, puts the results back together and dispatches them to the reducer.
//! One job runs at a time; a newer one, or Cancel, terminates a busy worker and starts a
//! fresh one. Where no worker can start (the page is served without the worker's files, as
//! in the component tests), jobs run on the page's thread instead.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use efiviz_core::layout::{KernelStep, Knobs, Reservation, Story};
use efiviz_core::parse::Parsed;
use efiviz_core::share::InputForm;
use efiviz_core::sim::SimInput;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, ErrorEvent, File, MessageEvent, Url, Worker};
use yew::UseReducerDispatcher;

use crate::canvas::{mark, mark_input, record_measure};
use crate::job;
use crate::state::{Action, AppState, Job, LoadedInput, Route, Source, Stage, route};
use crate::wire::{Reply, Request, WARM_UP, decode_first, encode, extend, put_parts};

/// Trunk's loader for the `efiviz-worker` binary (worker files keep their unhashed names).
const WORKER_LOADER: &str = "efiviz-worker_loader.js";

/// The worker loader's URL, beside the app's own script. The script's URL carries the public
/// URL (static/loader.js reads it from the same tag); the page's may lack a sub-path's
/// trailing slash, which would put a page-relative worker URL one directory too high.
fn worker_url() -> String {
    let page = web_sys::window().and_then(|w| w.location().href().ok());
    let app_script = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-efiviz-js]").ok().flatten())
        .and_then(|tag| tag.get_attribute("data-efiviz-js"));
    page.zip(app_script)
        .and_then(|(page, script)| {
            let script = Url::new_with_base(&script, &page).ok()?;
            Url::new_with_base(WORKER_LOADER, &script.href()).ok()
        })
        .map_or_else(|| format!("./{WORKER_LOADER}"), |url| url.href())
}

/// What a job sends along with its request: a load's bytes.
enum Payload {
    Bytes(Rc<[u8]>),
    Nothing,
}

/// What the head of a result said, waiting for its parts.
enum Head {
    Loaded {
        name: String,
        parsed: Box<Parsed>,
        input: Box<SimInput>,
    },
    Simulated,
}

struct Assembly {
    id: u64,
    head: Head,
    knobs: Knobs,
    story: Box<Story>,
    parts: Vec<KernelStep>,
    /// Milliseconds spent decoding the pieces so far, and when the first one arrived.
    decode_ms: f64,
    first_at: f64,
}

struct Spawned {
    worker: Worker,
    /// The worker said it listens; messages sent earlier would be lost.
    ready: Cell<bool>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(ErrorEvent)>,
}

/// What the page does with the worker's warm-up result (components/rehearsal.rs).
pub type Rehearse = fn(Vec<Action>, Loader);

struct Inner {
    me: Weak<Inner>,
    dispatch: UseReducerDispatcher<AppState>,
    rehearse: Rehearse,
    worker: RefCell<Option<Spawned>>,
    next_id: Cell<u64>,
    /// The job in flight, until its last reply.
    busy: Cell<Option<u64>>,
    /// A job waiting for the worker to become ready.
    queued: RefCell<Option<(Request, Payload)>>,
    /// The bytes of the load in flight (the result carries them, the worker does not).
    kept: RefCell<Option<(u64, Rc<[u8]>)>>,
    assembly: RefCell<Option<Assembly>>,
    /// No worker could start: jobs run on the page's thread.
    inline: Cell<bool>,
    /// Whether the page has rehearsed a warm-up result: once is enough (a respawned worker
    /// warms up again, for itself).
    rehearsed: Cell<bool>,
}

/// A handle the components share through a Yew context.
#[derive(Clone)]
pub struct Loader(Rc<Inner>);

impl PartialEq for Loader {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Records an `efiviz-message` measure from its start to when it is dropped.
struct MeasureOnDrop(f64);

impl Drop for MeasureOnDrop {
    fn drop(&mut self) {
        record_measure("efiviz-message", self.0, now() - self.0);
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Loader {
    /// `rehearse` receives the worker's warm-up result, as the actions a real load would
    /// dispatch, with this loader.
    pub fn new(dispatch: UseReducerDispatcher<AppState>, rehearse: Rehearse) -> Self {
        let inner = Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            dispatch,
            rehearse,
            worker: RefCell::new(None),
            // Job ids start after the worker's own warm-up (wire::WARM_UP).
            next_id: Cell::new(WARM_UP + 1),
            busy: Cell::new(None),
            queued: RefCell::new(None),
            kept: RefCell::new(None),
            assembly: RefCell::new(None),
            inline: Cell::new(false),
            rehearsed: Cell::new(false),
        });
        inner.spawn();
        Self(inner)
    }

    /// Loads a chosen or dropped file; the worker reads it. Files over the limit are refused
    /// before a byte is read.
    pub fn load_file(&self, file: File) {
        let name = file.name();
        let Some(id) = self.0.begin_load(&name, file.size() as u64) else {
            return;
        };
        let me = self.0.me.clone();
        spawn_local(async move {
            let bytes = read_blob(&name, &file).await;
            if let Some(inner) = me.upgrade().filter(|inner| inner.busy.get() == Some(id)) {
                match bytes {
                    Ok(bytes) => inner.send_load(id, name, bytes.into(), Vec::new()),
                    Err(message) => inner.fail(id, message),
                }
            }
        });
    }

    /// Loads pasted text or a sample.
    pub fn load_bytes(&self, name: String, bytes: Vec<u8>, reservations: Vec<Reservation>) {
        if let Some(id) = self.0.begin_load(&name, bytes.len() as u64) {
            self.0.send_load(id, name, bytes.into(), reservations);
        }
    }

    /// Simulates the loaded map's `input` again with `knobs`.
    pub fn simulate(&self, input: &SimInput, knobs: Knobs) {
        let id = self.0.begin(Job::Simulate {
            knobs: knobs.clone(),
        });
        let input = Box::new(input.clone());
        self.0
            .send(Request::Simulate { id, input, knobs }, Payload::Nothing);
    }

    /// Stops the job in flight; what was loaded before stays.
    pub fn cancel(&self) {
        let inner = &self.0;
        inner.queued.take();
        inner.assembly.take();
        if inner.busy.take().is_some() && !inner.inline.get() {
            inner.respawn();
        }
        inner.dispatch.dispatch(Action::Cancelled);
    }
}

impl Inner {
    fn spawn(&self) {
        mark("efiviz-worker-spawn");
        let worker = match Worker::new(&worker_url()) {
            Ok(worker) => worker,
            Err(_) => return self.inline.set(true),
        };
        let me = self.me.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(inner) = me.upgrade() {
                inner.on_message(&event.data());
            }
        });
        let me = self.me.clone();
        let on_error = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
            if let Some(inner) = me.upgrade() {
                inner.on_error(&event);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.worker.replace(Some(Spawned {
            worker,
            ready: Cell::new(false),
            _on_message: on_message,
            _on_error: on_error,
        }));
    }

    fn respawn(&self) {
        if let Some(old) = self.worker.take() {
            old.worker.terminate();
        }
        self.spawn();
    }

    /// Starts a load of `size` bytes, unless it is over the limit (then says so).
    fn begin_load(&self, name: &str, size: u64) -> Option<u64> {
        mark_input();
        if let Some(message) = job::refusal(name, size) {
            self.dispatch.dispatch(Action::Failed { id: None, message });
            return None;
        }
        let name = name.to_owned();
        Some(self.begin(Job::Load { name }))
    }

    /// A new job's id; it supersedes the one in flight, whose busy worker is stopped.
    fn begin(&self, job: Job) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        if self.busy.replace(Some(id)).is_some() {
            self.assembly.take();
            self.queued.take();
            if !self.inline.get() {
                self.respawn();
            }
        }
        self.dispatch.dispatch(Action::Started { id, job });
        id
    }

    /// Sends a load's bytes to the worker, keeping them for links and exports. An efiviz
    /// SVG export is no map: it reopens the view stored in it.
    fn send_load(&self, id: u64, name: String, bytes: Rc<[u8]>, reservations: Vec<Reservation>) {
        match route(&name, &bytes) {
            Route::Restore(view) => {
                self.finish(id);
                self.dispatch.dispatch(Action::Cancelled);
                self.dispatch.dispatch(Action::Restore(view));
            }
            Route::Refuse(message) => self.fail(id, message),
            Route::Parse => {
                self.kept.replace(Some((id, bytes.clone())));
                let request = Request::Load {
                    id,
                    name,
                    reservations,
                };
                self.send(request, Payload::Bytes(bytes));
            }
        }
    }

    fn send(&self, request: Request, payload: Payload) {
        self.queued.replace(Some((request, payload)));
        self.flush();
    }

    fn fail(&self, id: u64, message: String) {
        self.finish(id);
        let id = Some(id);
        self.dispatch.dispatch(Action::Failed { id, message });
    }

    /// Sends the queued job once the worker listens (or runs it here without a worker).
    fn flush(&self) {
        if self.inline.get() {
            if let Some((request, payload)) = self.queued.take() {
                self.run_here(request, payload);
            }
            return;
        }
        let worker = self.worker.borrow();
        let Some(spawned) = worker.as_ref().filter(|s| s.ready.get()) else {
            return;
        };
        let Some((request, payload)) = self.queued.take() else {
            return;
        };
        let head = match encode(&request) {
            Ok(bytes) => Uint8Array::from(bytes.as_slice()),
            Err(message) => return web_sys::console::error_1(&message.into()),
        };
        let transfer = Array::of1(&head.buffer());
        let payload: JsValue = match payload {
            Payload::Bytes(bytes) => {
                let array = Uint8Array::from(&bytes[..]);
                transfer.push(&array.buffer());
                array.into()
            }
            Payload::Nothing => JsValue::NULL,
        };
        let message = Array::of2(&head, &payload);
        if let Err(error) = spawned
            .worker
            .post_message_with_transfer(&message, &transfer)
        {
            web_sys::console::error_1(&error);
        }
    }

    /// Handles the replies packed in one message from the worker, in order.
    fn on_message(&self, data: &JsValue) {
        // One measure per message, so the suite can name the page's longest piece of work.
        let _measure_on_return = MeasureOnDrop(now());
        let batch = Uint8Array::new(data).to_vec();
        let mut rest = batch.as_slice();
        while !rest.is_empty() {
            let started = now();
            let reply: Reply = match decode_first(rest) {
                Ok((reply, tail)) => {
                    rest = tail;
                    reply
                }
                Err(message) => return web_sys::console::error_1(&message.into()),
            };
            self.on_reply(reply, started, now() - started);
        }
    }

    /// Handles one reply, decoded from `started` on in `decoded` ms.
    fn on_reply(&self, reply: Reply, started: f64, decoded: f64) {
        match reply {
            Reply::Ready => {
                mark("efiviz-worker-ready");
                if let Some(spawned) = self.worker.borrow().as_ref() {
                    spawned.ready.set(true);
                }
                self.flush();
            }
            Reply::Progress { id, stage } => self.dispatch.dispatch(Action::Progress { id, stage }),
            Reply::Failed { id, message } => self.fail(id, message),
            Reply::Loaded {
                id,
                name,
                parsed,
                input,
                knobs,
                story,
            } => {
                let head = Head::Loaded {
                    name,
                    parsed,
                    input,
                };
                self.assemble(id, head, knobs, story, started, decoded);
            }
            Reply::Simulated { id, knobs, story } => {
                self.assemble(id, Head::Simulated, knobs, story, started, decoded);
            }
            Reply::Part { id, part } => {
                if let Some(assembly) = self.assembly.borrow_mut().as_mut().filter(|a| a.id == id) {
                    assembly.parts.push(part);
                    assembly.decode_ms += decoded;
                }
            }
            Reply::More { id, regions, cells } => {
                let mut assembly = self.assembly.borrow_mut();
                if let Some(assembly) = assembly.as_mut().filter(|a| a.id == id) {
                    if let Some(part) = assembly.parts.last_mut() {
                        extend(part, regions, cells);
                    }
                    assembly.decode_ms += now() - started;
                }
            }
            Reply::Done { id } => {
                if self.assembly.borrow().as_ref().is_some_and(|a| a.id == id) {
                    self.complete();
                }
            }
        }
    }

    fn assemble(&self, id: u64, head: Head, knobs: Knobs, story: Box<Story>, at: f64, ms: f64) {
        let rehearsal = id == WARM_UP && !self.rehearsed.get();
        if self.busy.get() != Some(id) && !rehearsal {
            return;
        }
        self.dispatch.dispatch(Action::Progress {
            id,
            stage: Stage::Drawing,
        });
        self.assembly.replace(Some(Assembly {
            id,
            head,
            knobs,
            story,
            parts: Vec::new(),
            decode_ms: ms,
            first_at: at,
        }));
    }

    /// Every part arrived: the result goes to the reducer.
    fn complete(&self) {
        let Some(assembly) = self.assembly.take() else {
            return;
        };
        let Assembly {
            id,
            head,
            knobs,
            mut story,
            parts,
            decode_ms,
            first_at,
        } = assembly;
        put_parts(&mut story, parts);
        let warm_up = id == WARM_UP;
        let action = match head {
            Head::Loaded {
                name,
                parsed,
                input,
            } => Action::Loaded {
                id,
                loaded: Box::new(LoadedInput {
                    name,
                    bytes: self.kept_bytes(id),
                    form: InputForm::Original,
                    parsed: *parsed,
                    input: *input,
                    story: *story,
                }),
                knobs,
            },
            Head::Simulated => Action::Simulated { id, story, knobs },
        };
        if warm_up {
            self.rehearsed.set(true);
            mark("efiviz-worker-warm");
            let started = Action::Started {
                id,
                job: Job::Load {
                    name: "warm-up".to_owned(),
                },
            };
            if let Some(me) = self.me.upgrade() {
                (self.rehearse)(vec![started, action], Loader(me));
            }
        } else {
            // The page's whole share of a result: decoding its pieces, and how long they took
            // to arrive (the worker encodes the next piece while the page decodes one).
            record_measure("efiviz-decode", first_at, decode_ms);
            record_measure("efiviz-receive", first_at, now() - first_at);
            self.finish(id);
            self.dispatch.dispatch(action);
        }
    }

    /// The bytes job `id` loaded, kept here while the worker had its own copy.
    fn kept_bytes(&self, id: u64) -> Rc<[u8]> {
        // Another job's bytes stay: the warm-up's result can arrive while a user's first
        // load keeps its own.
        match self.kept.take() {
            Some((kept, bytes)) if kept == id => bytes,
            other => {
                self.kept.replace(other);
                Rc::from(&[][..])
            }
        }
    }

    fn finish(&self, id: u64) {
        if self.busy.get() == Some(id) {
            self.busy.set(None);
        }
    }

    fn on_error(&self, event: &ErrorEvent) {
        let started = self.worker.borrow().as_ref().is_some_and(|s| s.ready.get());
        if !started {
            // The worker's files are missing or its wasm cannot run here: work on this thread.
            self.worker.take();
            self.inline.set(true);
            return self.flush();
        }
        event.prevent_default();
        self.assembly.take();
        if let Some(id) = self.busy.take() {
            let message = format!("The worker stopped: {}", event.message());
            self.dispatch.dispatch(Action::Failed {
                id: Some(id),
                message,
            });
        }
        self.respawn();
    }

    /// The fallback without a worker: the same job, on this thread.
    fn run_here(&self, request: Request, payload: Payload) {
        let (me, dispatch) = (self.me.clone(), self.dispatch.clone());
        spawn_local(async move {
            let (id, action) = match request {
                Request::Load {
                    id,
                    name,
                    reservations,
                } => {
                    let bytes = match payload {
                        Payload::Bytes(bytes) => bytes,
                        Payload::Nothing => Rc::from(&[][..]),
                    };
                    let source = Source::original(name, bytes);
                    let tune = |knobs: &mut Knobs| knobs.reservations.extend(reservations);
                    (id, Action::load_result(id, job::load(source, tune, |_| {})))
                }
                Request::Simulate { id, input, knobs } => {
                    let story = Box::new(job::simulate(&input, &knobs));
                    (id, Action::Simulated { id, story, knobs })
                }
            };
            if let Some(inner) = me.upgrade() {
                inner.finish(id);
            }
            dispatch.dispatch(action);
        });
    }
}

/// The bytes of a file, or why the browser could not read it.
async fn read_blob(name: &str, blob: &Blob) -> Result<Vec<u8>, String> {
    match JsFuture::from(blob.array_buffer()).await {
        Ok(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
        Err(error) => {
            let reason = error.as_string().unwrap_or_else(|| format!("{error:?}"));
            Err(format!("Could not read {name}: {reason}"))
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(spawned) = self.worker.take() {
            spawned.worker.terminate();
        }
    }
}
