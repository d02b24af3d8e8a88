use efiviz_core::layout::units::{hex, iec, short_hex};
use yew::prelude::*;

use std::rc::Rc;

use efiviz_core::layout::Kernel;

use super::legend::swatch;
use crate::state::LoadedInput;

/// Cells drawn at most; a real map has a few hundred entries, a synthetic one may have 100 000.
const MAX_CELLS: usize = 512;

/// Only what the view depends on, so hovering the chart does not re-render it.
#[derive(Properties, PartialEq)]
pub struct MemmapProps {
    pub loaded: Rc<LoadedInput>,
    pub step: usize,
    pub kernel: Kernel,
}

/// The `efi.memmap` array itself at the current step: its buffer, and its entries as cells.
#[function_component(MemmapArray)]
pub fn memmap_array(props: &MemmapProps) -> Html {
    let Some(step) = props.loaded.story.steps.get(props.step) else {
        return html! {};
    };
    let memmap = &step.kernel(props.kernel).memmap;
    let valid = memmap.cells.iter().filter(|c| !c.stale).count();
    let hidden = memmap.cells.len().saturating_sub(MAX_CELLS);
    let cells = memmap.cells.iter().take(MAX_CELLS).enumerate().map(|(i, cell)| {
        let title = format!("[{i}] {} {}–{} ({})", cell.label, short_hex(cell.start), short_hex(cell.end), iec(cell.end - cell.start));
        html! {
            <li class={classes!("cell", cell.stale.then_some("stale"), cell.split.then_some("split"))}
                title={title.clone()} aria-label={title}>
                { swatch(cell.state) }<span class="cell-index">{ i }</span>
            </li>
        }
    });
    let notes = memmap.notes.iter().map(|n| html! { <li>{ n }</li> });
    html! {
        <section class="memmap-view" id="memmap-view" aria-label="The efi.memmap array">
            <h2>{ format!("efi.memmap ({} kernel)", props.kernel.name().to_uppercase()) }</h2>
            <p>
                { "Buffer " }<code>{ memmap.phys.map_or_else(|| "address not known".to_owned(), hex) }</code>
                { format!(", {} bytes, {} of {} entries valid, {} bytes each.",
                    memmap.capacity_bytes, valid, memmap.cells.len(), memmap.desc_size) }
            </p>
            <ol class="cells">{ for cells }</ol>
            if hidden > 0 {
                <p class="muted">{ format!("… and {hidden} more entries.") }</p>
            }
            <ul class="memmap-notes">{ for notes }</ul>
        </section>
    }
}
