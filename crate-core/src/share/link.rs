//! Links that fit: the length limit, and the parsed-model fallback for inputs too big for it.

use std::fmt;

use super::codec::to_fragment;
use super::state::{InputForm, ViewState};
use crate::parse::{self, json};

/// The longest fragment efiviz writes, in characters. Browsers take far longer URLs
/// (Chromium 2 MB, Firefox and Safari hundreds of KB), but links also travel through chat
/// tools, issue trackers and mail archives, several of which cut or refuse URLs in the
/// tens of kilobytes; 32 KiB still holds a full `efi=debug` dmesg (see docs/links.md).
pub const MAX_FRAGMENT_CHARS: usize = 32 * 1024;

/// A fragment within the limit, and which form of the input it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Without the leading `#`.
    pub fragment: String,
    pub form: InputForm,
}

/// Neither the input nor its parsed model fits in a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTooLarge {
    /// Length of the shortest fragment that was tried.
    pub chars: usize,
}

impl fmt::Display for LinkTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this input is too large for a link ({} KiB of link text, the limit is {} KiB); export a file instead",
            self.chars.div_ceil(1024),
            MAX_FRAGMENT_CHARS / 1024
        )
    }
}

impl std::error::Error for LinkTooLarge {}

/// The link for `state`: with the original input when it fits, else with efiviz JSON of the
/// parsed model (same map and boot facts, but the parse report of the original is lost).
pub fn link(state: &ViewState) -> Result<Link, LinkTooLarge> {
    let fragment = to_fragment(state);
    if fragment.len() <= MAX_FRAGMENT_CHARS {
        return Ok(Link {
            fragment,
            form: state.form,
        });
    }
    let mut shortest = fragment.len();
    if state.form == InputForm::Original {
        let parsed = parse::parse(&state.input, None);
        if parsed.found_map() {
            let model = serde_json::to_string(&json::to_doc(&parsed.log, None)).unwrap_or_default();
            let compact = ViewState {
                input: model.into_bytes(),
                form: InputForm::Model,
                ..state.clone()
            };
            let fragment = to_fragment(&compact);
            if fragment.len() <= MAX_FRAGMENT_CHARS {
                return Ok(Link {
                    fragment,
                    form: InputForm::Model,
                });
            }
            shortest = shortest.min(fragment.len());
        }
    }
    Err(LinkTooLarge { chars: shortest })
}
