//! efiviz-core: everything efiviz knows about EFI memory maps, with no browser dependency.
//!
//! Data flows one way: input text → [`parse`] → [`sim`] → layout → draw.

pub mod draw;
pub mod heap;
pub mod layout;
pub mod model;
pub mod parse;
pub mod share;
pub mod sim;

#[cfg(feature = "cli")]
pub mod cli;
