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

/// The stride whose split gives the most plausible descriptors. A dump cut inside its last
/// descriptor still counts (the whole ones are scored); on equal scores a stride that divides
/// the input exactly wins, then the earlier in [`STRIDES`].
pub fn detect_stride(input: &[u8]) -> Option<u32> {
    STRIDES
        .iter()
        .filter(|&&s| input.len() >= s as usize)
        .map(|&s| {
            let chunks = input.chunks_exact(s as usize);
            let exact = chunks.remainder().is_empty();
            let whole = chunks.len();
            let good = chunks.filter(|c| plausible(&decode(c))).count();
            (s, good * 1000 / whole, exact)
        })
        .filter(|&(_, permille, _)| permille >= 500)
        .max_by_key(|&(s, permille, exact)| (permille, exact, std::cmp::Reverse(s)))
        .map(|(s, ..)| s)
}

/// True when the input looks like a descriptor array rather than text.
pub fn looks_binary(input: &[u8]) -> bool {
    let head = &input[..input.len().min(4096)];
    head.contains(&0) && detect_stride(input).is_some()
}

/// True when the start of the input is not text: more than 1 in 32 bytes are control
/// characters that text does not hold (NUL, which serial captures pad with, and the whitespace
/// and escape characters are not counted). Random data has about 1 in 10.
pub fn looks_like_data(input: &[u8]) -> bool {
    let head = &input[..input.len().min(4096)];
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0x01..=0x08 | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f))
        .count();
    controls * 32 > head.len()
}

/// The error for a descriptor size no descriptor fits in, `None` when it is big enough.
pub fn too_small(desc_size: u32) -> Option<String> {
    (desc_size < EFI_DESC_MIN_SIZE).then(|| {
        format!("descriptor size {desc_size} is below the minimum of {EFI_DESC_MIN_SIZE} bytes")
    })
}

/// Decodes the array; "line" numbers in the report are 1-based descriptor numbers.
pub fn parse(input: &[u8], desc_size: Option<u32>) -> (BootLog, Report) {
    let mut report = Report::new(Format::Binary);
    let stride = match desc_size.or_else(|| detect_stride(input)) {
        Some(s) => match too_small(s) {
            None => s,
            Some(reason) => {
                report.add(0, "", Severity::Error, reason);
                return (BootLog::default(), report);
            }
        },
        None => {
            let what = if looks_like_data(input) {
                "binary data, but no descriptor size (40, 48, 56, 64, 80, 96) splits it into plausible descriptors"
            } else {
                "no descriptor size (40, 48, 56, 64, 80, 96) splits the input into plausible descriptors"
            };
            report.add(0, "", Severity::Error, what);
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
                &format!(
                    "type {} phys 0x{:x} pages 0x{:x} virt 0x{:x} attr 0x{:x}",
                    d.ty.0, d.phys, d.num_pages, d.virt, d.attr.0
                ),
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
