use yew::prelude::*;

use super::StateProps;

/// What the current step did, in order: function, spec rule, patch, and the log lines printed.
#[function_component(Happenings)]
pub fn happenings(props: &StateProps) -> Html {
    let state = &*props.state;
    let Some(loaded) = &state.loaded else {
        return html! {};
    };
    let Some(step) = loaded.story.steps.get(state.step) else {
        return html! {};
    };
    let kernels = state.kernels();
    let columns = kernels.iter().map(|&k| {
        let ks = step.kernel(k);
        let items = ks.happenings.iter().map(|h| {
            html! {
                <li>
                    <code class="function">{ format!("{}()", h.function) }</code>
                    <span class="rule">{ &h.rule }</span>
                    if let Some(patch) = &h.patch { <span class="patch">{ patch }</span> }
                    <p>{ &h.text }</p>
                </li>
            }
        });
        let log = ks.log.join("\n");
        html! {
            <div class="happenings-column">
                <h3>{ format!("{} kernel", k.name().to_uppercase()) }</h3>
                if ks.happenings.is_empty() {
                    <p class="muted">{ "Nothing changes in this step." }</p>
                } else {
                    <ol class="events">{ for items }</ol>
                }
                if !log.is_empty() {
                    <pre class="log" aria-label="Kernel log lines">{ log }</pre>
                }
            </div>
        }
    });
    html! {
        <section class="happenings" id="happenings" aria-label="What happened in this step">
            <h2>{ format!("What happened: {}", step.name) }</h2>
            <div class="happenings-columns">{ for columns }</div>
        </section>
    }
}
