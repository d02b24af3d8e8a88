//! Timeline layout: the view model between the simulator and the drawing code.
//!
//! Lanes of regions ([`region`]) are placed on a compressed-linear address axis ([`axis`],
//! once per lane: [`placed`]), seen through a zoomable window ([`view`]), reduced to pixel
//! columns ([`lod`]) and labelled with exact boundary addresses ([`ticks`]). [`firmware`]
//! turns a parsed map into a lane, [`diff`] finds where two lanes disagree. Nothing here
//! draws or knows about the browser.

pub mod axis;
pub mod diff;
pub mod firmware;
pub mod knobs;
pub mod lod;
pub mod paint;
pub mod placed;
pub mod region;
pub mod rows;
pub mod simulated;
pub mod story;
pub mod ticks;
pub mod units;
pub mod view;

pub use axis::{Axis, Segment};
pub use knobs::{Knobs, Reservation, ReservationKind};
pub use lod::{Cell, cells};
pub use placed::Placed;
pub use region::{Lane, Region, RegionState};
pub use rows::Rows;
pub use simulated::{Finding, Findings, simulated_story};
pub use story::{Happening, Kernel, KernelStep, MemmapCell, MemmapView, Step, Story};
pub use ticks::{Tick, ticks};
pub use view::View;
