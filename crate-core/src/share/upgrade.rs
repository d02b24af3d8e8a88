//! Older link versions, each lifted one version at a time until it reads as the current one.
//! Upgraders work on the fields, so the decoder only ever knows the current format.

use super::codec::VERSION;
use super::fields::{DecodeError, Fields};

type Upgrader = fn(Fields) -> Result<Fields, DecodeError>;

/// `UPGRADES[n - 1]` turns version n into n + 1.
const UPGRADES: [Upgrader; 1] = [v1_to_v2];

/// Reads `v` and upgrades the remaining fields to [`VERSION`].
pub fn to_current(mut fields: Fields) -> Result<Fields, DecodeError> {
    let expected = format!("the link format version, 1 to {VERSION}");
    let text = fields.take("v").unwrap_or_default();
    let version: u32 = text
        .parse()
        .ok()
        .filter(|v| (1..=VERSION).contains(v))
        .ok_or_else(|| DecodeError::new("v", expected, &text))?;
    UPGRADES[version as usize - 1..]
        .iter()
        .try_fold(fields, |fields, upgrade| upgrade(fields))
}

/// v1 (the first app release) carried the input, the app's mode (`old`, `new`, `compare`)
/// and the step; v2 names the kernels `k` (`compare` became `both`) and adds the rest.
fn v1_to_v2(mut v1: Fields) -> Result<Fields, DecodeError> {
    let mut v2 = Fields::default();
    if let Some(mode) = v1.take("mode") {
        let kernels = match mode.as_str() {
            "old" | "new" => mode.clone(),
            "compare" => "both".to_owned(),
            _ => return Err(DecodeError::new("mode", "old, new or compare", &mode)),
        };
        v2.push("k", kernels);
    }
    // Only v1's own fields carry over; anything else in a v1 link meant nothing then.
    for key in ["step", "name", "in"] {
        if let Some(value) = v1.take(key) {
            v2.push(key, value);
        }
    }
    Ok(v2)
}
