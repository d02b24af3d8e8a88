use efiviz_core::layout::{Rows, ticks, units::short_hex};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{HtmlCanvasElement, WheelEvent};
use yew::prelude::*;

use super::StateProps;

use crate::canvas::{paint_overview, paint_timeline};
use crate::placing::place_when_idle;
use crate::scene::with_scene;
use crate::state::{Action, AppState, Move, Pick};

const ROWS: Rows = Rows::DEFAULT;
/// Pixels a press must move before it counts as a drag rather than a click.
const DRAG_SLOP: f64 = 3.0;

/// What is under pixel `(x, y)` of the chart.
fn pick_at(state: &AppState, x: f64, y: f64, width: f64) -> Option<Pick> {
    let loaded = state.loaded.as_ref()?;
    let rows = state.rows();
    let (step, kernel) = rows[ROWS.lane_at(y, rows.len())?];
    if step > state.step {
        return None;
    }
    let addr = loaded.story.axis.addr_at(state.view.from_px(x, width));
    let pick = Pick { step, kernel, addr };
    state.region(pick).map(|_| pick)
}

/// The timeline: one lane per step (OLD and NEW interleaved in compare mode), the address
/// labels under it and the linear overview strip.
#[function_component(Timeline)]
pub fn timeline(props: &StateProps) -> Html {
    let canvas_ref = use_node_ref();
    let overview_ref = use_node_ref();
    let width = use_state_eq(|| 1000.0_f64);
    // Where a press started and whether it became a drag (then it is not a click).
    let press = use_mut_ref(|| None::<(f64, bool)>);
    // While the overview's frame is dragged: the pointer's offset from the view's centre.
    let grab = use_mut_ref(|| None::<f64>);
    let state = props.state.clone();

    {
        let (canvas_ref, overview_ref, width) =
            (canvas_ref.clone(), overview_ref.clone(), width.clone());
        use_effect_with(state.clone(), move |state| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                width.set(f64::from(canvas.client_width().max(1)));
                draw(state, &canvas, overview_ref.cast::<HtmlCanvasElement>());
            }
        });
    }
    // Each new story's lanes are placed on its axis in idle time, ahead of their first draw.
    use_effect_with(state.loaded.clone(), |loaded| {
        if let Some(loaded) = loaded {
            place_when_idle(loaded.clone());
        }
    });
    {
        // Wheel zoom needs a non-passive listener to keep the page from scrolling.
        let (canvas_ref, dispatch) = (canvas_ref.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let canvas = canvas_ref.cast::<HtmlCanvasElement>();
            let listener = Closure::<dyn Fn(WheelEvent)>::new(move |event: WheelEvent| {
                event.prevent_default();
                let target: Option<HtmlCanvasElement> =
                    event.target().and_then(|t| t.dyn_into().ok());
                let width = target.map_or(1.0, |c| f64::from(c.client_width().max(1)));
                let factor = if event.delta_y() < 0.0 { 1.25 } else { 0.8 };
                let anchor = f64::from(event.offset_x()) / width;
                dispatch.dispatch(Action::Zoom { factor, anchor });
            });
            let options = web_sys::AddEventListenerOptions::new();
            options.set_passive(false);
            if let Some(canvas) = &canvas {
                let _ = canvas.add_event_listener_with_callback_and_add_event_listener_options(
                    "wheel",
                    listener.as_ref().unchecked_ref(),
                    &options,
                );
            }
            move || {
                if let Some(canvas) = canvas {
                    let _ = canvas.remove_event_listener_with_callback(
                        "wheel",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let Some(loaded) = state.loaded.clone() else {
        return html! {};
    };
    let rows = state.rows();
    let w = *width;

    let onmousedown = {
        let press = press.clone();
        Callback::from(move |e: MouseEvent| {
            *press.borrow_mut() = Some((f64::from(e.offset_x()), false));
        })
    };
    let onmousemove = {
        let (state, press) = (state.clone(), press.clone());
        Callback::from(move |e: MouseEvent| {
            let x = f64::from(e.offset_x());
            let dragging = e.buttons() & 1 == 1;
            let mut press = press.borrow_mut();
            if let (true, Some((last, moved))) = (dragging, press.as_mut()) {
                if *moved || (x - *last).abs() > DRAG_SLOP {
                    state.dispatch(Action::Pan((*last - x) / w));
                    *last = x;
                    *moved = true;
                }
                return;
            }
            let pick = pick_at(&state, x, f64::from(e.offset_y()), w);
            if pick != state.hovered {
                state.dispatch(Action::Hover(pick));
            }
        })
    };
    let onmouseleave = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Hover(None)))
    };
    let onclick = {
        let (state, press) = (state.clone(), press.clone());
        Callback::from(move |e: MouseEvent| {
            let dragged = press.borrow_mut().take().is_some_and(|(_, moved)| moved);
            if !dragged {
                let pick = pick_at(&state, f64::from(e.offset_x()), f64::from(e.offset_y()), w);
                state.dispatch(Action::Select(pick));
            }
        })
    };
    let ondblclick = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            let pick = pick_at(&state, f64::from(e.offset_x()), f64::from(e.offset_y()), w);
            if let Some(region) = pick.and_then(|p| state.region(p)) {
                let (start, end) = (region.start, region.end);
                state.dispatch(Action::ZoomTo { start, end });
            }
        })
    };
    // The overview: pressing inside the window frame grabs it (dragging pans), pressing
    // elsewhere centres the view there (and dragging on moves it along).
    let overview_x = {
        let state = state.clone();
        move |e: &MouseEvent| -> Option<(f64, bool)> {
            let target: HtmlCanvasElement = e.target()?.dyn_into().ok()?;
            let loaded = state.loaded.as_ref()?;
            let lane = state.lane(state.step, state.focus_kernel())?;
            let (first, last) = (lane.regions.first()?, lane.regions.last()?);
            // The overview is linear: the pointer's address, then its place on the axis.
            let frac = f64::from(e.offset_x()) / f64::from(target.client_width().max(1));
            let addr =
                first.start + (frac.clamp(0.0, 1.0) * (last.end - first.start) as f64) as u64;
            let axis = &loaded.story.axis;
            let inside = (axis.addr_at(state.view.lo)..axis.addr_at(state.view.hi)).contains(&addr);
            Some((axis.x_of(addr), inside))
        }
    };
    let centre_on = {
        let state = state.clone();
        move |x: f64| {
            let centre = (state.view.lo + state.view.hi) / 2.0;
            state.dispatch(Action::Pan((x - centre) / state.view.span()));
        }
    };
    let on_overview_down = {
        let (grab, overview_x, centre_on, state) = (
            grab.clone(),
            overview_x.clone(),
            centre_on.clone(),
            state.clone(),
        );
        Callback::from(move |e: MouseEvent| {
            let Some((x, inside)) = overview_x(&e) else {
                return;
            };
            let centre = (state.view.lo + state.view.hi) / 2.0;
            if inside {
                *grab.borrow_mut() = Some(x - centre);
            } else {
                *grab.borrow_mut() = Some(0.0);
                centre_on(x);
            }
        })
    };
    let on_overview_move = {
        let (grab, overview_x) = (grab.clone(), overview_x.clone());
        Callback::from(move |e: MouseEvent| {
            let offset = *grab.borrow();
            match (offset, overview_x(&e)) {
                (Some(offset), Some((x, _))) if e.buttons() & 1 == 1 => centre_on(x - offset),
                _ => *grab.borrow_mut() = None,
            }
        })
    };
    let on_overview_up = {
        let grab = grab.clone();
        Callback::from(move |_: MouseEvent| *grab.borrow_mut() = None)
    };
    let window = {
        let axis = &loaded.story.axis;
        let (start, end) = (axis.addr_at(state.view.lo), axis.addr_at(state.view.hi));
        format!("{start:#x} {end:#x}")
    };

    let labels = rows.iter().map(|&(step, kernel)| {
        let name = &loaded.story.steps[step].name;
        let future = step > state.step;
        let style = format!("height: {}px; margin-bottom: {}px", ROWS.height, ROWS.gap);
        // A mouse shortcut to that step; keyboard users have the stepper and the arrow keys.
        let onclick = {
            let dispatch = state.dispatcher();
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Step(Move::To(step))))
        };
        html! {
            <div class={classes!("lane-label", future.then_some("future"), (step == state.step).then_some("current"))}
                {style} {onclick} title="Go to this step">
                <span class="lane-step">{ format!("{}. {name}", step + 1) }</span>
                <span class={classes!("kernel-tag", kernel.name())}>{ kernel.name().to_uppercase() }</span>
            </div>
        }
    });
    let tick_labels = ticks(&loaded.story.axis, &state.view, w, 96.0).into_iter().map(|t| {
        let style = format!("left: {:.1}px", t.px);
        html! { <span class={classes!("tick", t.gap.then_some("gap"))} {style}>{ short_hex(t.addr) }</span> }
    });
    let height = ROWS.total(rows.len());
    html! {
        <section class="timeline" aria-label="Timeline of the physical address space">
            <div class="timeline-grid">
                <div class="lane-labels" aria-hidden="true">{ for labels }</div>
                <div class="chart">
                    <canvas id="timeline" ref={canvas_ref} tabindex="0"
                        style={format!("height: {height}px")}
                        role="img"
                        aria-label="Timeline: one lane per boot step, x is the physical address. Use the data table below for the same data as text. Keys: ←/→ step, +/− zoom, A/D pan, F fit."
                        {onmousedown} {onmousemove} {onmouseleave} {onclick} {ondblclick} />
                    <div class="ticks" aria-hidden="true">{ for tick_labels }</div>
                    <canvas id="map-strip" class="overview" ref={overview_ref} data-window={window}
                        onmousedown={on_overview_down} onmousemove={on_overview_move}
                        onmouseup={on_overview_up.clone()} onmouseleave={on_overview_up}
                        role="img" aria-label="Overview at true linear scale; the frame is the visible window. Drag it to pan, or click elsewhere to move there (keys: A/D)." />
                </div>
            </div>
        </section>
    }
}

/// Paints the chart and the overview for the current state.
fn draw(state: &AppState, canvas: &HtmlCanvasElement, overview: Option<HtmlCanvasElement>) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    let painted = with_scene(state, ROWS, |scene| paint_timeline(canvas, scene))
        .unwrap_or(Ok(0))
        .and_then(|drawn| {
            canvas
                .set_attribute("data-cells", &drawn.to_string())
                .map_err(|e| format!("{e:?}"))
        });
    if let Err(message) = painted {
        web_sys::console::error_1(&message.into());
    }
    if let Some(overview) = overview {
        let axis = &loaded.story.axis;
        let window = (axis.addr_at(state.view.lo), axis.addr_at(state.view.hi));
        let (lane, linear) = loaded.story.overview(state.step, state.focus_kernel());
        if let Err(message) = paint_overview(&overview, (lane, &linear), window, state.theme) {
            web_sys::console::error_1(&message.into());
        }
    }
}
