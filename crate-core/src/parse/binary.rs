//! A raw little-endian `EFI_MEMORY_DESCRIPTOR` array (what GetMemoryMap returns), with a given
//! or detected stride.

use super::Format;
use super::report::{Confidence, Report, Severity};
use crate::model::{Attributes, BootLog, Descriptor, EFI_DESC_MIN_SIZE, MemoryMap, MemoryType};

/// Strides tried when the caller gives none: the UEFI minimum, the common 48, and larger ones.
const STRIDES: [u32; 6] = [48, 40, 56, 64, 80, 96];

fn read_u64(b: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    if let Some(src) = b.get(at..at + 8) {
        buf.copy_from_slice(src);
    }
    u64::from_le_bytes(buf)
}

fn decode(chunk: &[u8]) -> Descriptor {
    Descriptor {
        ty: MemoryType(read_u64(chunk, 0) as u32),
        phys: read_u64(chunk, 8),
        virt: read_u64(chunk, 16),
        num_pages: read_u64(chunk, 24),
        attr: Attributes(read_u64(chunk, 32)),
    }
}

/// How believable a descriptor is: a known or OEM/OS type, an aligned address, pages > 0.
fn plausible(d: &Descriptor) -> bool {
    let ty_ok = d.ty.0 < 16 || d.ty.0 >= 0x7000_0000;
    ty_ok && d.phys % 4096 == 0 && d.num_pages > 0 && d.end().is_some()
}

/// The stride whose split gives the most plausible descriptors (ties: the earlier in [`STRIDES`]).
pub fn detect_stride(input: &[u8]) -> Option<u32> {
    STRIDES
        .iter()
        .filter(|&&s| !input.is_empty() && input.len() % s as usize == 0)
        .map(|&s| {
            let good = input
                .chunks_exact(s as usize)
                .filter(|c| plausible(&decode(c)))
                .count();
            (s, good * 1000 / (input.len() / s as usize))
        })
        .filter(|&(_, permille)| permille >= 500)
        .max_by_key(|&(s, permille)| (permille, std::cmp::Reverse(s)))
        .map(|(s, _)| s)
}

/// True when the input looks like a descriptor array rather than text.
pub fn looks_binary(input: &[u8]) -> bool {
    let head = &input[..input.len().min(4096)];
    head.contains(&0) && detect_stride(input).is_some()
}

/// Decodes the array; "line" numbers in the report are 1-based descriptor numbers.
pub fn parse(input: &[u8], desc_size: Option<u32>) -> (BootLog, Report) {
    let mut report = Report::new(Format::Binary);
    let stride = match desc_size.or_else(|| detect_stride(input)) {
        Some(s) if s >= EFI_DESC_MIN_SIZE => s,
        Some(s) => {
            report.add(
                0,
                "",
                Severity::Error,
                format!("descriptor size {s} is below the minimum of {EFI_DESC_MIN_SIZE} bytes"),
            );
            return (BootLog::default(), report);
        }
        None => {
            report.add(0, "", Severity::Error, "no descriptor size (40, 48, 56, 64, 80, 96) splits the input into plausible descriptors");
            return (BootLog::default(), report);
        }
    };
    let chunks = input.chunks_exact(stride as usize);
    let tail = chunks.remainder().len();
    let mut descs = Vec::with_capacity(input.len() / stride as usize);
    for (i, chunk) in chunks.enumerate() {
        let d = decode(chunk);
        if !plausible(&d) {
            report.add(
                i + 1,
                &format!("{d:?}"),
                Severity::Warning,
                "implausible descriptor (unknown type, unaligned, empty or overflowing); kept",
            );
        }
        descs.push(d);
    }
    if tail != 0 {
        report.add(
            descs.len() + 1,
            "",
            Severity::Error,
            format!("{tail} trailing bytes do not make a whole {stride}-byte descriptor; ignored"),
        );
    }
    report.map_flags = super::MapFlags::of(&descs);
    report.confidence = if desc_size.is_some() {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let log = BootLog {
        map: Some(MemoryMap {
            descriptors: descs,
            desc_size: stride,
            ..MemoryMap::default()
        }),
        ..BootLog::default()
    };
    (log, report)
}

/// Encodes descriptors as a little-endian array with the given stride (padding zeroed).
pub fn encode(descs: &[Descriptor], desc_size: u32) -> Vec<u8> {
    let stride = (desc_size.max(EFI_DESC_MIN_SIZE)) as usize;
    let mut out = vec![0u8; descs.len() * stride];
    for (chunk, d) in out.chunks_exact_mut(stride).zip(descs) {
        let fields = [u64::from(d.ty.0), d.phys, d.virt, d.num_pages, d.attr.0];
        for (slot, value) in chunk.chunks_exact_mut(8).zip(fields) {
            slot.copy_from_slice(&value.to_le_bytes());
        }
    }
    out
}
