//! `efiviz render FILE [--kernel old|new|both] [--phase P] [--width W] --out X.svg [--alt]`:
//! the app's figure, headless, for documentation builds and CI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::input::{Loaded, load};
use crate::draw::figure::MIN_WIDTH;
use crate::layout::{Knobs, simulated_story};
use crate::model::{BootLog, MemoryMap};
use crate::parse::json;
use crate::share::{InputForm, KernelChoice, ViewState, alt_text, svg_figure};
use crate::sim::SimInput;

/// Short names of the steps, in order (the Story's steps follow the simulator's phases).
const STEP_NAMES: [&str; 7] = [
    "firmware", "reserve", "mm_init", "svam", "unmap", "free", "compact",
];

#[derive(clap::Args)]
pub struct RenderArgs {
    /// Input file (any format the parser accepts), or `-` for standard input.
    pub file: PathBuf,
    /// Which kernels to draw.
    #[arg(long, value_enum, default_value = "both")]
    pub kernel: KernelChoice,
    /// The step to show (the last drawn lane): firmware, reserve, mm_init, svam, unmap,
    /// free, compact (or end), or its number 1-7 as the figure labels it. Default: the last.
    #[arg(long)]
    pub phase: Option<String>,
    /// Figure width in pixels.
    #[arg(long, default_value_t = 1200, value_parser = clap::value_parser!(u32).range(i64::from(MIN_WIDTH)..=20_000))]
    pub width: u32,
    /// Where to write the SVG.
    #[arg(long)]
    pub out: PathBuf,
    /// Also print the figure's alt text to standard output.
    #[arg(long)]
    pub alt: bool,
    /// FILE is a scenario: `{config, descs}` as in scenarios.json.
    #[arg(long)]
    pub scenario: bool,
    /// Override a knob: `KEY=VALUE` with scenarios.json config key names (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Step index for `--phase`: a short name, the full step name, or the 1-based number.
fn step_index(text: &str, step_names: &[String]) -> Result<usize, String> {
    let text = text.trim();
    let by_short = match text {
        "end" => Some(6),
        _ => STEP_NAMES.iter().position(|&n| n == text),
    };
    by_short
        .or_else(|| step_names.iter().position(|n| n == text))
        .or_else(|| {
            text.parse::<usize>()
                .ok()
                .filter(|n| (1..=step_names.len()).contains(n))
                .map(|n| n - 1)
        })
        .filter(|&i| i < step_names.len())
        .ok_or_else(|| {
            format!(
                "efiviz render: --phase {text}: expected one of {}, end, or a step number 1-{}",
                STEP_NAMES.join(", "),
                step_names.len()
            )
        })
}

/// The state the figure embeds, so the app reopens the same view. A parsed input travels as
/// its original bytes; a scenario as efiviz JSON of its map, with its knobs (scenario
/// settings that are not app knobs, such as `e820` or `rm_size`, are not carried).
fn view_state(file: &Path, loaded: &Loaded, overridden: bool) -> ViewState {
    let name = Some(file)
        .filter(|f| f.as_os_str() != "-")
        .and_then(Path::file_name)
        .map_or_else(
            || "standard input".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    let knobs = Knobs::from_config(&loaded.input.config);
    match &loaded.parsed {
        Some(_) => ViewState {
            name,
            input: loaded.bytes.clone(),
            knobs: overridden.then_some(knobs),
            ..ViewState::default()
        },
        None => {
            let log = BootLog {
                map: Some(MemoryMap {
                    descriptors: loaded.input.descs.clone(),
                    desc_size: loaded.input.config.desc_size,
                    desc_version: 1,
                }),
                ..BootLog::default()
            };
            ViewState {
                name,
                input: json::to_string(&log, None).into_bytes(),
                form: InputForm::Model,
                knobs: Some(knobs),
                ..ViewState::default()
            }
        }
    }
}

pub fn run(args: &RenderArgs) -> ExitCode {
    match render(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn render(args: &RenderArgs) -> Result<(), String> {
    let loaded = load(&args.file, args.scenario, &args.set)?;
    // Simulated the way the app does it: the knobs applied over what the input implies.
    let knobs = Knobs::from_config(&loaded.input.config);
    let story = simulated_story(&SimInput {
        config: knobs.apply(&loaded.input.config),
        ..loaded.input.clone()
    });
    let names: Vec<String> = story.steps.iter().map(|s| s.name.clone()).collect();
    let step = match &args.phase {
        Some(text) => step_index(text, &names)?,
        None => names.len().saturating_sub(1),
    };
    let state = ViewState {
        kernels: args.kernel,
        step,
        ..view_state(&args.file, &loaded, !args.set.is_empty())
    };
    let svg = svg_figure(&state, &story, args.width)
        .map_err(|e| format!("efiviz render: cannot draw the figure: {e}"))?;
    std::fs::write(&args.out, svg)
        .map_err(|e| format!("efiviz render: cannot write {}: {e}", args.out.display()))?;
    if args.alt {
        println!("{}", alt_text(&state.name, &story, state.kernels, step));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Phase;

    #[test]
    fn phases_are_named_like_the_steps() {
        let names: Vec<String> = Phase::ALL.iter().map(|p| p.name().to_owned()).collect();
        assert_eq!(step_index("firmware", &names), Ok(0));
        assert_eq!(step_index("svam", &names), Ok(3));
        assert_eq!(step_index("SetVirtualAddressMap", &names), Ok(3));
        assert_eq!(step_index("end", &names), Ok(6));
        assert_eq!(step_index("compact", &names), Ok(6));
        assert_eq!(step_index("1", &names), Ok(0));
        assert_eq!(step_index("7", &names), Ok(6));
        let err = step_index("8", &names).unwrap_err();
        assert!(
            err.contains("--phase 8: expected one of firmware, reserve"),
            "{err}"
        );
        assert!(step_index("0", &names).is_err());
    }
}
