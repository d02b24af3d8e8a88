//! The figure in words: for `<desc>`, `efiviz render --alt` and the app's export dialog.

use std::fmt::Write as _;

use super::state::KernelChoice;
use crate::layout::{RegionState, Story};

/// One paragraph: map name, kernels, step, regions per state for each kernel, differences.
pub fn alt_text(name: &str, story: &Story, kernels: KernelChoice, step: usize) -> String {
    let mut out = String::new();
    let shown: Vec<String> = kernels
        .kernels()
        .iter()
        .map(|k| k.name().to_uppercase())
        .collect();
    let which = match shown.len() {
        1 => format!("the {} kernel boots", shown[0]),
        _ => format!("the {} kernels boot", shown.join(" and ")),
    };
    let Some(current) = story.steps.get(step) else {
        return format!(
            "EFI memory map of {name}: no boot step {} to show.",
            step + 1
        );
    };
    let _ = write!(
        out,
        "EFI memory map of {name} as {which} it, steps 1 to {} of {} (now: {}).",
        step + 1,
        story.steps.len(),
        current.name
    );
    for &kernel in kernels.kernels() {
        let lane = &current.kernel(kernel).lane;
        let counts: Vec<String> = RegionState::ALL
            .iter()
            .filter_map(|&state| {
                let n = lane.regions.iter().filter(|r| r.state == state).count();
                (n > 0).then(|| format!("{n} {state}"))
            })
            .collect();
        let _ = write!(
            out,
            " {}: {} regions ({}).",
            kernel.name().to_uppercase(),
            lane.regions.len(),
            counts.join(", ")
        );
    }
    let differences = &story.findings.differences;
    if differences.is_empty() {
        out.push_str(" OLD and NEW do not differ on this input.");
    } else {
        let listed: Vec<String> = differences
            .iter()
            .map(|d| format!("{} {}", d.id, d.title))
            .collect();
        let _ = write!(out, " Where OLD and NEW differ: {}.", listed.join("; "));
    }
    out
}
