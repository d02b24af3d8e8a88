//! Reading a command's input file (`-` is standard input).

use std::io::Read;
use std::path::Path;

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
