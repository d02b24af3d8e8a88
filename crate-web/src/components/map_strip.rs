use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::canvas::draw_strip;
use crate::state::LoadedInput;

#[derive(Properties, PartialEq)]
pub struct MapStripProps {
    pub loaded: Rc<LoadedInput>,
}

/// The firmware map as one coloured strip, redrawn whenever a new input is loaded.
#[function_component(MapStrip)]
pub fn map_strip(props: &MapStripProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(props.loaded.clone(), move |loaded| {
            if let (Some(canvas), Some(map)) = (
                canvas_ref.cast::<HtmlCanvasElement>(),
                loaded.parsed.log.map.as_ref(),
            ) {
                if let Err(message) = draw_strip(&canvas, map) {
                    web_sys::console::error_1(&message.into());
                }
            }
        });
    }
    html! {
        <canvas id="map-strip" ref={canvas_ref} role="img"
            aria-label="The firmware memory map, coloured by memory type" />
    }
}
