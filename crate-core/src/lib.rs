//! efiviz-core: everything efiviz knows about EFI memory maps, with no browser dependency.
//!
//! Data flows one way: input text → [`parse`] → [`sim`] → layout → draw.

pub mod draw;
pub mod model;
pub mod parse;

#[cfg(feature = "cli")]
pub mod cli;
