//! "Copy as text": one kernel's state at one step, for mailing lists and bug reports.

use std::fmt::Write as _;

use crate::layout::units::{hex, iec};
use crate::layout::{Kernel, Region, Story};
use crate::parse::print;

/// The step as a kernel log excerpt: a one-line heading, `efi.memmap` in the `efi=debug`
/// layout of 6.x kernels, then the lines the kernel printed during the step.
pub fn log_text(story: &Story, step: usize, kernel: Kernel) -> Option<String> {
    let s = story.steps.get(step)?;
    let k = s.kernel(kernel);
    let mut out = format!(
        "efiviz: {} kernel, step {} ({}): efi.memmap holds {} entries\n",
        kernel.name().to_uppercase(),
        step + 1,
        s.name,
        k.memmap.descriptors.len()
    );
    out.push_str(&print::map_lines(&k.memmap.descriptors));
    if !k.log.is_empty() {
        let _ = writeln!(out, "efiviz: printed by the kernel during this step:");
        for line in &k.log {
            let _ = writeln!(out, "{line}");
        }
    }
    Some(out)
}

/// A fact of a region (`Type`, `Attributes`), as the details panel shows it.
fn fact<'a>(region: &'a Region, key: &str) -> Option<&'a str> {
    region
        .facts
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

/// Markdown cells may not contain a bare `|` (attribute tokens do).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The step's lane as a markdown table: one row per region, in address order.
pub fn markdown_table(story: &Story, step: usize, kernel: Kernel) -> Option<String> {
    let s = story.steps.get(step)?;
    let mut out = format!(
        "**{} kernel, step {}: {}**\n\n| Range | Size | Type | Attributes | State |\n| --- | ---: | --- | --- | --- |\n",
        kernel.name().to_uppercase(),
        step + 1,
        s.name
    );
    for r in &s.kernel(kernel).lane.regions {
        let _ = writeln!(
            out,
            "| `[{}, {})` | {} | {} | {} | {} |",
            hex(r.start),
            hex(r.end),
            iec(r.size()),
            cell(fact(r, "Type").unwrap_or(&r.label)),
            cell(fact(r, "Attributes").unwrap_or("")),
            cell(r.state.name())
        );
    }
    Some(out)
}
