//! The heavy work behind a load or a knob change: parse, derive the simulator's input,
//! simulate both kernels and lay the boot out. Pure and synchronous; the app runs it in its
//! web worker (see `worker`), the reducer's tests run it natively.

use std::rc::Rc;

use efiviz_core::layout::{Knobs, Story, simulated_story};
use efiviz_core::parse::{Parsed, Severity, parse};
use efiviz_core::share::InputForm;
use efiviz_core::sim::SimInput;

use crate::state::{LoadedInput, Source, Stage};

/// The largest input the app reads: 256 MiB covers a 200 MB journal with room to spare, and
/// the worker parses one that size in seconds with about three times its size in memory
/// (docs/app.md has the measurement).
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Why an input of `size` bytes is refused, if it is over [`MAX_INPUT_BYTES`].
pub fn refusal(name: &str, size: u64) -> Option<String> {
    (size > MAX_INPUT_BYTES).then(|| {
        format!(
            "{name} is {} ({size} bytes), over the {} limit of what efiviz reads. Cut the log \
             down to one boot (for example `journalctl -k -b`) and load that.",
            mib(size),
            mib(MAX_INPUT_BYTES)
        )
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// Parses `bytes` and simulates the map they hold, telling `progress` when simulation
/// starts. The knobs start from what the input implies, adjusted by `tune` (samples add
/// their reservations, links set theirs). Without a map, the message names the input and the first line the parser
/// could not read.
pub fn load(
    source: Source,
    tune: impl FnOnce(&mut Knobs),
    mut progress: impl FnMut(Stage),
) -> Result<(LoadedInput, Knobs), String> {
    let parsed = parse(&source.bytes, None);
    progress(Stage::Simulating);
    let Some(input) = SimInput::from_boot_log(&parsed.log) else {
        return Err(no_map_message(&source.name, &parsed));
    };
    let mut knobs = Knobs::from_config(&input.config);
    tune(&mut knobs);
    let story = simulate(&input, &knobs);
    let loaded = LoadedInput {
        name: source.name,
        bytes: source.bytes,
        form: source.form,
        parsed,
        input,
        story,
    };
    Ok((loaded, knobs))
}

impl Source {
    /// The user's own bytes (a file, a paste, a sample).
    pub fn original(name: String, bytes: Rc<[u8]>) -> Self {
        Self {
            name,
            bytes,
            form: InputForm::Original,
        }
    }
}

/// Simulates `input` with `knobs` applied (all in core).
pub fn simulate(input: &SimInput, knobs: &Knobs) -> Story {
    let tuned = SimInput {
        config: knobs.apply(&input.config),
        ..input.clone()
    };
    simulated_story(&tuned)
}

fn no_map_message(name: &str, parsed: &Parsed) -> String {
    let mut message = format!("No EFI memory map found in {name}.");
    let worst = parsed
        .report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or_else(|| parsed.report.diagnostics.first());
    if let Some(d) = worst {
        message.push_str(&format!(" Line {}: {}.", d.line, d.reason));
    }
    message
}
