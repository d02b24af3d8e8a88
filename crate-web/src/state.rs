//! The app's state and the one pure function that changes it. Components only dispatch
//! [`Action`]s, so every transition is testable without a browser.

use std::rc::Rc;

use efiviz_core::parse::{Parsed, parse};

/// A map the user loaded successfully.
#[derive(Debug, PartialEq)]
pub struct LoadedInput {
    pub name: String,
    pub parsed: Parsed,
}

#[derive(Debug, Default, PartialEq)]
pub struct AppState {
    /// The last input that contained a map; a failed load never replaces it.
    pub loaded: Option<Rc<LoadedInput>>,
    /// Why the most recent load failed, until the next successful one.
    pub error: Option<String>,
}

#[derive(Debug)]
pub enum Action {
    /// The bytes of a file or pasted text, with a name to show for it.
    Load { name: String, bytes: Vec<u8> },
    /// The browser could not read the file at all.
    ReadFailed { name: String, message: String },
}

/// Applies `action` to `state`, returning the next state.
pub fn reduce(state: &AppState, action: Action) -> AppState {
    match action {
        Action::Load { name, bytes } => {
            let parsed = parse(&bytes, None);
            if parsed.log.map.is_some() {
                AppState {
                    loaded: Some(Rc::new(LoadedInput { name, parsed })),
                    error: None,
                }
            } else {
                AppState {
                    loaded: state.loaded.clone(),
                    error: Some(no_map_message(&name, &parsed)),
                }
            }
        }
        Action::ReadFailed { name, message } => AppState {
            loaded: state.loaded.clone(),
            error: Some(format!("Could not read {name}: {message}")),
        },
    }
}

fn no_map_message(name: &str, parsed: &Parsed) -> String {
    let mut message = format!("No EFI memory map found in {name}.");
    if let Some(first) = parsed.report.diagnostics.first() {
        message.push_str(&format!(" Line {}: {}.", first.line, first.reason));
    }
    message
}

impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(reduce(&self, action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real Gigabyte Z77X dmesg; its fixture header says the map has 187 entries.
    const GIGABYTE: &str =
        include_str!("../../../shared/fixtures/real/26-gigabyte-z77x-up5-ami-187-entries.txt");

    fn load(state: &AppState, name: &str, text: &str) -> AppState {
        let action = Action::Load {
            name: name.to_owned(),
            bytes: text.as_bytes().to_vec(),
        };
        reduce(state, action)
    }

    fn entry_count(state: &AppState) -> Option<usize> {
        let loaded = state.loaded.as_ref()?;
        Some(loaded.parsed.log.map.as_ref()?.descriptors.len())
    }

    #[test]
    fn loading_a_real_map_replaces_the_state() {
        let state = load(&AppState::default(), "z77x.txt", GIGABYTE);
        assert_eq!(entry_count(&state), Some(187));
        assert_eq!(
            state.loaded.as_ref().map(|l| l.name.as_str()),
            Some("z77x.txt")
        );
        assert_eq!(state.error, None);
    }

    #[test]
    fn input_without_a_map_keeps_the_previous_map_and_explains() {
        let good = load(&AppState::default(), "z77x.txt", GIGABYTE);
        let after = load(&good, "junk.bin", "\u{1}\u{2} not a map\n");
        assert_eq!(entry_count(&after), Some(187));
        let error = after.error.expect("an error message");
        assert!(
            error.starts_with("No EFI memory map found in junk.bin."),
            "{error}"
        );
    }

    #[test]
    fn a_successful_load_clears_the_previous_error() {
        let failed = load(&AppState::default(), "junk.txt", "nothing\n");
        assert!(failed.error.is_some());
        assert_eq!(entry_count(&failed), None);
        let good = load(&failed, "z77x.txt", GIGABYTE);
        assert_eq!(good.error, None);
        assert_eq!(entry_count(&good), Some(187));
    }

    #[test]
    fn an_unreadable_file_keeps_the_previous_map() {
        let good = load(&AppState::default(), "z77x.txt", GIGABYTE);
        let after = reduce(
            &good,
            Action::ReadFailed {
                name: "big.log".to_owned(),
                message: "NotReadableError".to_owned(),
            },
        );
        assert_eq!(entry_count(&after), Some(187));
        assert_eq!(
            after.error.as_deref(),
            Some("Could not read big.log: NotReadableError")
        );
    }
}
