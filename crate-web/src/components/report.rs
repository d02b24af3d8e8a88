use efiviz_core::parse::Severity;
use yew::prelude::*;

use super::LoadedProps;

/// Lines listed before the rest are only counted, so a huge log stays responsive.
const MAX_ROWS: usize = 500;

/// The parse report: every ignored or suspicious line with its number and reason, the
/// problems (warnings, errors) first.
#[function_component(ParseReport)]
pub fn parse_report(props: &LoadedProps) -> Html {
    let report = &props.loaded.parsed.report;
    let mut notes: Vec<_> = report.diagnostics.iter().collect();
    notes.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.line));
    let problems = notes
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .count();
    let rows = notes.iter().take(MAX_ROWS).map(|d| {
        let severity = format!("{:?}", d.severity).to_lowercase();
        html! {
            <tr class={classes!("note", severity.clone())}>
                <td class="num">{ d.line }</td>
                <td>{ severity }</td>
                <td>{ &d.reason }</td>
                <td><code>{ &d.text }</code></td>
            </tr>
        }
    });
    let hidden = notes.len().saturating_sub(MAX_ROWS) + report.unlisted_info;
    html! {
        <details class="parse-report" id="parse-report" open={problems > 0}>
            <summary>
                { format!("Parse report: {problems} problem(s), {} other note(s)",
                    notes.len() - problems + report.unlisted_info) }
            </summary>
            <table>
                <thead><tr><th scope="col">{ "Line" }</th><th scope="col">{ "Kind" }</th>
                    <th scope="col">{ "Reason" }</th><th scope="col">{ "Text" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if hidden > 0 {
                <p class="muted">{ format!("{hidden} more informational line(s) not listed.") }</p>
            }
        </details>
    }
}
