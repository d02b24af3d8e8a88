//! Reading a command's input: the file (`-` is standard input), as parsed input or as a
//! scenario, with `--set` overrides.

use std::io::Read;
use std::path::Path;

use crate::parse::{self, Parsed};
use crate::sim::SimInput;

/// Reads the whole input as bytes; the parsers decide how to decode it.
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("efiviz: cannot read standard input: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| format!("efiviz: cannot read {}: {e}", path.display()))
    }
}

/// A simulator input, where it came from and the bytes it was read from.
pub struct Loaded {
    pub bytes: Vec<u8>,
    /// `None` for a scenario.
    pub parsed: Option<Parsed>,
    /// With `--set` overrides applied.
    pub input: SimInput,
}

/// Reads FILE as a scenario (`{config, descs}` as in scenarios.json) or as anything the
/// parser accepts, and applies `--set KEY=VALUE` overrides.
pub fn load(file: &Path, scenario: bool, set: &[String]) -> Result<Loaded, String> {
    let bytes = read_input(file)?;
    let (parsed, mut input) = if scenario {
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("efiviz: {}: not JSON: {e}", file.display()))?;
        let input =
            SimInput::from_scenario(&v).map_err(|e| format!("efiviz: {}: {e}", file.display()))?;
        (None, input)
    } else {
        let parsed = parse::parse(&bytes, None);
        let input = SimInput::from_boot_log(&parsed.log).ok_or_else(|| {
            format!(
                "efiviz: {}: no EFI memory map found in the input",
                file.display()
            )
        })?;
        (Some(parsed), input)
    };
    for s in set {
        input.config.set(s).map_err(|e| format!("efiviz: {e}"))?;
    }
    Ok(Loaded {
        bytes,
        parsed,
        input,
    })
}
