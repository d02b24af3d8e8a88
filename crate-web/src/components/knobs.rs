use efiviz_core::layout::knobs::parse_number;
use efiviz_core::layout::units::short_hex;
use efiviz_core::layout::{Knobs, Reservation, ReservationKind};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{StateProps, use_loader};

fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The simulation's knobs: kernel image range, firmware/kernel flavour, efi=debug, SVAM
/// failure, kexec, and an editable list of reservations.
#[function_component(KnobsPanel)]
pub fn knobs_panel(props: &StateProps) -> Html {
    let knobs = props.state.shown_knobs();
    let problem = use_state(|| None::<String>);
    let loader = use_loader();
    // Every change re-runs both kernels in the worker.
    let resimulate = {
        let loaded = props.state.loaded.clone();
        Callback::from(move |knobs: Knobs| {
            if let Some(loaded) = &loaded {
                loader.simulate(&loaded.input, knobs);
            }
        })
    };
    let set = |change: fn(&mut Knobs, bool)| {
        let (resimulate, knobs) = (resimulate.clone(), knobs.clone());
        Callback::from(move |e: Event| {
            let on = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .is_some_and(|i| i.checked());
            let mut next = knobs.clone();
            change(&mut next, on);
            resimulate.emit(next);
        })
    };
    let flag = |id: &str, label: &str, on: bool, change: fn(&mut Knobs, bool)| {
        html! {
            <label class="check"><input type="checkbox" id={id.to_owned()} checked={on} onchange={set(change)} />{ label }</label>
        }
    };
    let (kernel_start, kernel_end) = (use_node_ref(), use_node_ref());
    let on_kernel = {
        let (resimulate, knobs, problem) = (resimulate.clone(), knobs.clone(), problem.clone());
        let (a, b) = (kernel_start.clone(), kernel_end.clone());
        Callback::from(move |_: Event| {
            match (
                parse_number(&input_value(&a)),
                parse_number(&input_value(&b)),
            ) {
                (Some(start), Some(end)) if start < end => {
                    problem.set(None);
                    resimulate.emit(Knobs {
                        kernel: (start, end),
                        ..knobs.clone()
                    });
                }
                _ => problem.set(Some(
                    "The kernel range needs two numbers, start below end.".to_owned(),
                )),
            }
        })
    };
    let (kind, addr, size) = (use_node_ref(), use_node_ref(), use_node_ref());
    let on_add = {
        let (resimulate, knobs, problem) = (resimulate.clone(), knobs.clone(), problem.clone());
        let (kind, addr, size) = (kind.clone(), addr.clone(), size.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = kind
                .cast::<HtmlSelectElement>()
                .and_then(|s| ReservationKind::from_name(&s.value()));
            match (chosen, parse_number(&input_value(&addr)), parse_number(&input_value(&size))) {
                (Some(kind), Some(addr), Some(size)) if size > 0 && addr.checked_add(size).is_some() => {
                    problem.set(None);
                    let mut next = knobs.clone();
                    next.reservations.push(Reservation { kind, addr, size });
                    resimulate.emit(next);
                }
                _ => problem.set(Some("A reservation needs an address and a non-zero size (hex with 0x, or decimal with K/M/G).".to_owned())),
            }
        })
    };
    let reservations = knobs.reservations.iter().enumerate().map(|(i, r)| {
        let (resimulate, knobs) = (resimulate.clone(), knobs.clone());
        let remove = Callback::from(move |_: MouseEvent| {
            let mut next = knobs.clone();
            next.reservations.remove(i);
            resimulate.emit(next);
        });
        let text = format!("{} at {}, {} bytes", r.kind.name(), short_hex(r.addr), r.size);
        html! { <li>{ &text }<button type="button" class="small" onclick={remove} aria-label={format!("Remove {text}")}>{ "✕" }</button></li> }
    });
    let kinds = ReservationKind::ALL
        .iter()
        .map(|k| html! { <option value={k.name()}>{ k.name() }</option> });
    html! {
        <section class="knobs" id="knobs" aria-label="Simulation knobs">
            <h2>{ "Simulation" }</h2>
            <fieldset>
                <legend>{ "Kernel image [_text, _end)" }</legend>
                <input ref={kernel_start.clone()} id="kernel-start" aria-label="Kernel start" value={short_hex(knobs.kernel.0)} onchange={on_kernel.clone()} />
                <input ref={kernel_end.clone()} id="kernel-end" aria-label="Kernel end" value={short_hex(knobs.kernel.1)} onchange={on_kernel} />
            </fieldset>
            <fieldset class="flags">
                <legend>{ "Boot" }</legend>
                { flag("knob-32bit", "32-bit kernel", knobs.bits32, |k, on| k.bits32 = on) }
                { flag("knob-mixed", "mixed mode (32-bit firmware)", knobs.mixed, |k, on| k.mixed = on) }
                { flag("knob-efi-debug", "efi=debug", knobs.efi_debug, |k, on| k.efi_debug = on) }
                { flag("knob-svam-fail", "SetVirtualAddressMap fails", knobs.svam_fail, |k, on| k.svam_fail = on) }
                { flag("knob-kexec", "kexec (second kernel)", knobs.kexec, |k, on| k.kexec = on) }
            </fieldset>
            <fieldset>
                <legend>{ "Reservations" }</legend>
                <ul id="reservations">{ for reservations }</ul>
                <form class="add-reservation" onsubmit={on_add}>
                    <select ref={kind} aria-label="Reservation kind">{ for kinds }</select>
                    <input ref={addr} id="reservation-addr" aria-label="Address" placeholder="0x40005000" />
                    <input ref={size} id="reservation-size" aria-label="Size" placeholder="0x1000" />
                    <button type="submit">{ "Add" }</button>
                </form>
            </fieldset>
            if let Some(message) = &*problem {
                <p class="error" role="alert">{ message }</p>
            }
        </section>
    }
}
