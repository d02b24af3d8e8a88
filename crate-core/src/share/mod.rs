//! Sharing a view: the state a link or an exported figure carries, its versioned URL-fragment
//! codec (docs/links.md is the contract), and the texts that go with a figure.

mod alt;
mod codec;
mod fields;
mod link;
mod payload;
mod state;
mod svg;
mod text;
mod upgrade;

pub use alt::alt_text;
pub use codec::{VERSION, from_fragment, to_fragment};
pub use fields::DecodeError;
pub use link::{Link, LinkTooLarge, MAX_FRAGMENT_CHARS, link};
pub use payload::MAX_INFLATED;
pub use state::{InputForm, KernelChoice, Selection, ViewState};
pub use svg::{SvgStateError, state_from_svg, svg_figure};
pub use text::{log_text, markdown_table};
