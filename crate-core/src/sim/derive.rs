//! Simulator inputs implied by a parsed boot log (docs/truth.md, "Deriving simulator inputs").

use crate::model::{BootLog, Descriptor};

use super::config::SimConfig;

/// Fills `cfg` from what the log shows; facts it does not show keep their defaults.
pub fn apply_boot_log(cfg: &mut SimConfig, descs: &[Descriptor], log: &BootLog) {
    let opts = log.options();
    cfg.efi_dbg = opts.efi_debug;
    cfg.mem_limit = opts.mem_limit;
    let _ = descs;
}
