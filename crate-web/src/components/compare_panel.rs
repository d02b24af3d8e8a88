use efiviz_core::layout::Finding;
use efiviz_core::share::KernelChoice;
use yew::prelude::*;

use super::StateProps;

fn finding_row(f: &Finding) -> Html {
    let status = f.status.clone().unwrap_or_default();
    html! {
        <tr class={classes!("finding", status.replace(' ', "-"))}>
            <th scope="row">{ &f.id }</th>
            <td>{ &f.scope }</td>
            if f.status.is_some() { <td class="status">{ &status }</td> }
            <td><strong>{ &f.title }</strong>
                if !f.detail.is_empty() { <p>{ &f.detail }</p> }</td>
        </tr>
    }
}

/// Compare mode's panel: the OLD/NEW differences this map triggers (D1…), each explained, and
/// every invariant result, failures first.
#[function_component(ComparePanel)]
pub fn compare_panel(props: &StateProps) -> Html {
    let state = &*props.state;
    let (Some(loaded), KernelChoice::Both) = (&state.loaded, state.mode) else {
        return html! {};
    };
    let findings = &loaded.story.findings;
    let mut invariants: Vec<&Finding> = findings.invariants.iter().collect();
    // Failures first, then by id, so what needs attention is on top.
    invariants.sort_by_key(|f| {
        (
            f.status.as_deref() == Some("holds"),
            f.status.as_deref() == Some("n/a"),
        )
    });
    let messages = ["OLD", "NEW"].iter().zip(&findings.free_messages).map(|(k, m)| {
        html! { <li><strong>{ *k }</strong>{ ": " }<code>{ m.clone().unwrap_or_else(|| "(no freed-memory line)".to_owned()) }</code></li> }
    });
    html! {
        <section class="compare-panel" id="compare-panel" aria-label="Differences between OLD and NEW">
            <h2>{ format!("{} difference(s) between OLD and NEW for this map", findings.differences.len()) }</h2>
            <ul class="free-messages">{ for messages }</ul>
            if findings.differences.is_empty() {
                <p class="muted">{ "Both kernels treat this map the same way." }</p>
            } else {
                <table class="findings" id="differences">
                    <thead><tr><th scope="col">{ "ID" }</th><th scope="col">{ "Kernels" }</th><th scope="col">{ "What and why" }</th></tr></thead>
                    <tbody>{ for findings.differences.iter().map(finding_row) }</tbody>
                </table>
            }
            <details class="invariants">
                <summary>{ format!("Invariants ({} results)", invariants.len()) }</summary>
                <table class="findings" id="invariants">
                    <thead><tr><th scope="col">{ "ID" }</th><th scope="col">{ "Kernel" }</th><th scope="col">{ "Result" }</th><th scope="col">{ "Statement" }</th></tr></thead>
                    <tbody>{ for invariants.into_iter().map(finding_row) }</tbody>
                </table>
            </details>
        </section>
    }
}
