use yew::prelude::*;

use super::LoadedProps;

/// What was loaded: file name, detected format, number of descriptors and diagnostics.
#[function_component(Summary)]
pub fn summary(props: &LoadedProps) -> Html {
    let parsed = &props.loaded.parsed;
    let report = &parsed.report;
    let entries = parsed
        .log
        .map
        .as_ref()
        .map_or(0, |map| map.descriptors.len());
    let wrappers = if report.wrappers.is_empty() {
        "none".to_owned()
    } else {
        report.wrappers.join(", ")
    };
    html! {
        <dl class="summary">
            <dt>{ "File" }</dt>
            <dd id="file-name">{ &props.loaded.name }</dd>
            <dt>{ "Detected format" }</dt>
            <dd id="detected-format">{ report.format.to_string() }</dd>
            <dt>{ "Confidence" }</dt>
            <dd id="confidence">{ format!("{:?}", report.confidence).to_lowercase() }</dd>
            <dt>{ "Unwrapped" }</dt>
            <dd>{ wrappers }</dd>
            <dt>{ "EFI memory map entries" }</dt>
            <dd id="entry-count">{ entries }</dd>
            <dt>{ "Parser notes" }</dt>
            <dd id="diagnostic-count">{ report.diagnostics.len() + report.unlisted_info }</dd>
        </dl>
    }
}
