//! Firmware-side lines: UEFI shell tables, tutorial dumps and runtime-map dumps.

use super::Driver;
use crate::model::Descriptor;
use crate::parse::blocks::{Kind, Source};
use crate::parse::report::Severity;
use crate::parse::runtime_map::{self, RtLine};
use crate::parse::uefi_shell::{self, ShellLine};

impl Driver {
    pub(super) fn shell(&mut self, line_no: usize, text: &str) -> bool {
        let Some(result) = uefi_shell::parse(text) else {
            return false;
        };
        match result {
            Ok(ShellLine::Row(desc, warning)) => {
                if let Some(w) = warning {
                    self.report.add(line_no, text, Severity::Warning, w);
                }
                self.entry(line_no, text.as_bytes(), Source::Shell, None, desc);
            }
            Ok(ShellLine::Chrome) => {}
            Ok(ShellLine::TutorialHead { index, ty, attr }) => {
                if let Some((held, ..)) = self.tutorial.take() {
                    self.report.add(
                        held,
                        "",
                        Severity::Error,
                        "`[#NN] Type:` line without its `Phys:` line",
                    );
                }
                self.tutorial = Some((line_no, index, ty, attr));
            }
            Ok(ShellLine::TutorialPhys(start, num_pages)) => match self.tutorial.take() {
                Some((_, index, ty, attr)) => {
                    let desc = Descriptor {
                        ty,
                        phys: start,
                        num_pages,
                        virt: 0,
                        attr,
                    };
                    self.entry(
                        line_no,
                        text.as_bytes(),
                        Source::Tutorial,
                        Some(index),
                        desc,
                    );
                }
                None => self.report.add(
                    line_no,
                    text,
                    Severity::Error,
                    "`Phys:` line without a `[#NN] Type:` line before it",
                ),
            },
            Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
        }
        true
    }

    pub(super) fn runtime(&mut self, line_no: usize, text: &str) -> bool {
        let Some(result) = runtime_map::parse(text) else {
            return false;
        };
        match result {
            Ok(RtLine::Field {
                index,
                field,
                value,
            }) => self.sysfs.add(index, field, value, line_no),
            Ok(RtLine::Whole { index, desc }) => {
                self.rtmap_entry(line_no, text.as_bytes(), index, desc)
            }
            Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
        }
        true
    }

    /// Files one `RTMAP` line: a run of them is a runtime map.
    pub(super) fn rtmap_entry(
        &mut self,
        line_no: usize,
        text: &[u8],
        index: usize,
        desc: Descriptor,
    ) {
        if self
            .block
            .as_ref()
            .is_none_or(|b| b.source != Source::Rtmap)
        {
            self.close_block();
            self.next_kind = Kind::Runtime;
        }
        self.entry(line_no, text, Source::Rtmap, Some(index), desc);
    }
}
