//! Subcommands of the native `efiviz` tool; one module per command family.

pub mod input;
pub mod parse;
pub mod render;
pub mod simulate;
