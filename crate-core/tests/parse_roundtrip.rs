//! Property tests: random maps printed the way every kernel generation (and the firmware tools)
//! print them, wrapped the way people paste them, parse back to the same descriptors.
//! The printers here are written from docs/input-formats.md, independently of the parser.

use efiviz_core::model::{
    Attributes, BootLog, ConfigTable, Descriptor, E820Entry, E820Type, MemoryMap, MemoryType,
};
use efiviz_core::parse::{Format, Severity, binary, json, parse, parse_binary, print};
use parse_common::{boot_map, diag};
use proptest::prelude::*;

mod parse_common;

const PAGE: u64 = 4096;

// ---------- generators ----------

/// Types: every named one, small unknown ones, OEM and OS ranges.
fn any_type() -> impl Strategy<Value = u32> {
    prop_oneof![
        8 => 0u32..16,
        1 => 16u32..1000,
        1 => 0x7000_0000u32..=0x7fff_ffff,
        1 => 0x8000_0000u32..=u32::MAX,
    ]
}

/// A valid descriptor below 2^52 with `attr` drawn from `attrs`.
fn desc(
    types: impl Strategy<Value = u32>,
    attrs: impl Strategy<Value = u64>,
) -> impl Strategy<Value = Descriptor> {
    (types, 0u64..(1 << 40), 1u64..(1 << 20), attrs).prop_map(|(ty, page, num_pages, attr)| {
        Descriptor {
            ty: MemoryType(ty),
            phys: page * PAGE,
            num_pages,
            virt: 0,
            attr: Attributes(attr),
        }
    })
}

fn known_attrs() -> impl Strategy<Value = u64> {
    any::<u64>().prop_map(|bits| bits & Attributes::KNOWN_MASK)
}

fn map_of(d: impl Strategy<Value = Descriptor>) -> impl Strategy<Value = Vec<Descriptor>> {
    prop::collection::vec(d, 1..40)
}

// ---------- kernel printers, one per generation ----------

/// Long type names of 3.19–5.8, padded to 19.
const LONG_NAMES: [&str; 15] = [
    "Reserved",
    "Loader Code",
    "Loader Data",
    "Boot Code",
    "Boot Data",
    "Runtime Code",
    "Runtime Data",
    "Conventional Memory",
    "Unusable Memory",
    "ACPI Reclaim Memory",
    "ACPI Memory NVS",
    "Memory Mapped I/O",
    "MMIO Port Space",
    "PAL Code",
    "Persistent Memory",
];

/// One bracket layout: names, name width, columns (token, bit, width), end style.
struct Generation {
    name: &'static str,
    /// The long names of 3.19–5.8, or `None` for the model's current short names.
    names: Option<&'static [&'static str]>,
    width: usize,
    columns: &'static [(&'static str, u64, usize)],
    inclusive: bool,
    /// Prints `|attr=0x…` when a bit has no column.
    raw_fallback: bool,
}

const RUN: u64 = Attributes::RUNTIME;
const CACHE: [(&str, u64, usize); 4] = [
    ("WB", 0x8, 2),
    ("WT", 0x4, 2),
    ("WC", 0x2, 2),
    ("UC", 0x1, 2),
];

macro_rules! cols {
    ($($t:literal $b:expr, $w:literal);*) => { &[$(($t, $b, $w)),*, CACHE[0], CACHE[1], CACHE[2], CACHE[3]] };
}

const GENERATIONS: [Generation; 6] = [
    Generation {
        name: "3.19",
        names: Some(&LONG_NAMES),
        width: 19,
        columns: cols!("RUN" RUN, 3; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "UCE" 0x10, 3),
        inclusive: false,
        raw_fallback: false,
    },
    Generation {
        name: "4.3-patch",
        names: Some(&LONG_NAMES),
        width: 19,
        columns: cols!("RT" RUN, 2; "MR" 0x10000, 2; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "UCE" 0x10, 3),
        inclusive: false,
        raw_fallback: false,
    },
    Generation {
        name: "4.x-5.4",
        names: Some(&LONG_NAMES),
        width: 19,
        columns: cols!("RUN" RUN, 3; "MR" 0x10000, 2; "NV" 0x8000, 2; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "RO" 0x20000, 2; "UCE" 0x10, 3),
        inclusive: true,
        raw_fallback: true,
    },
    Generation {
        name: "5.5-5.8",
        names: Some(&LONG_NAMES),
        width: 19,
        columns: cols!("RUN" RUN, 3; "MR" 0x10000, 2; "SP" 0x40000, 2; "NV" 0x8000, 2; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "RO" 0x20000, 2; "UCE" 0x10, 3),
        inclusive: true,
        raw_fallback: true,
    },
    Generation {
        name: "5.9+",
        names: None,
        width: 12,
        columns: cols!("RUN" RUN, 3; "MR" 0x10000, 2; "SP" 0x40000, 2; "CC" 0x80000, 2; "NV" 0x8000, 2; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "RO" 0x20000, 2; "UCE" 0x10, 3),
        inclusive: true,
        raw_fallback: true,
    },
    Generation {
        name: "6.x",
        names: None,
        width: 12,
        columns: cols!("RUN" RUN, 3; "HP" 0x100000, 2; "MR" 0x10000, 2; "CC" 0x80000, 2; "SP" 0x40000, 2; "NV" 0x8000, 2; "XP" 0x4000, 2; "RP" 0x2000, 2; "WP" 0x1000, 2; "RO" 0x20000, 2; "UCE" 0x10, 3),
        inclusive: true,
        raw_fallback: true,
    },
];

impl Generation {
    fn mask(&self) -> u64 {
        self.columns.iter().fold(0, |m, c| m | c.1)
    }

    /// What this generation can show of a descriptor: types it cannot name become `type=N`
    /// (always representable), attribute bits it has no column for are dropped unless it has
    /// the raw fallback.
    fn representable(&self, d: &Descriptor) -> Descriptor {
        let attr = if self.raw_fallback {
            d.attr.0
        } else {
            d.attr.0 & self.mask()
        };
        Descriptor {
            attr: Attributes(attr),
            ..*d
        }
    }

    fn line(&self, i: usize, d: &Descriptor) -> String {
        let known = match self.names {
            Some(long) => long.get(d.ty.0 as usize).copied(),
            None => d.ty.short_name(),
        };
        let name = match known {
            Some(n) => format!("{n:<w$}", w = self.width),
            None => format!("type={}", d.ty.0),
        };
        let attrs = if d.attr.0 & !self.mask() != 0 {
            format!("|attr=0x{:016x}", d.attr.0)
        } else {
            self.columns
                .iter()
                .map(|&(tok, bit, w)| {
                    format!("|{:>w$}", if d.attr.0 & bit != 0 { tok } else { "" })
                })
                .collect()
        };
        let end = d.phys + d.num_pages * PAGE;
        let (end, close) = if self.inclusive {
            (end - 1, ']')
        } else {
            (end, ')')
        };
        format!(
            "efi: mem{i:02}: [{name}{attrs}] range=[0x{:016x}-0x{end:016x}{close} ({}MB)",
            d.phys,
            d.num_pages >> 8
        )
    }
}

/// 2.6.x–3.18 numeric layout; `prefix` is `EFI: `, `efi: ` or nothing.
fn numeric_line(prefix: &str, i: usize, d: &Descriptor) -> String {
    format!(
        "{prefix}mem{i:02}: type={}, attr=0x{:x}, range=[0x{:016x}-0x{:016x}) ({}MB)",
        d.ty.0,
        d.attr.0,
        d.phys,
        d.phys + d.num_pages * PAGE,
        d.num_pages >> 8
    )
}

/// Every kernel layout: (name, lines, descriptors it can express).
fn all_layouts(map: &[Descriptor]) -> Vec<(String, Vec<String>, Vec<Descriptor>)> {
    let mut out = Vec::new();
    for prefix in ["EFI: ", "efi: ", ""] {
        let lines = map
            .iter()
            .enumerate()
            .map(|(i, d)| numeric_line(prefix, i, d))
            .collect();
        out.push((format!("numeric `{prefix}`"), lines, map.to_vec()));
    }
    for g in &GENERATIONS {
        let shown: Vec<Descriptor> = map.iter().map(|d| g.representable(d)).collect();
        let lines = shown
            .iter()
            .enumerate()
            .map(|(i, d)| g.line(i, d))
            .collect();
        out.push((g.name.to_owned(), lines, shown));
    }
    out
}

// ---------- wrappers ----------

fn wrap_each(lines: &[String], f: impl Fn(usize, &str) -> String) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| f(i, l) + "\n")
        .collect()
}

/// Soft line breaks at 76 columns and `=3D`/`=20` escapes, as a mail archive stores them.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut encoded: Vec<String> = line
            .chars()
            .map(|c| {
                if c == '=' {
                    "=3D".to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
        if let Some(last) = encoded.last_mut() {
            if last == " " {
                *last = "=20".to_owned();
            }
        }
        let mut col = 0;
        for piece in encoded {
            if col + piece.len() > 75 {
                out.push_str("=\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
        out.push('\n');
    }
    out
}

/// Wrappers that put fixed text before and after each line: (name, before, after).
const AFFIXES: [(&str, &str, &str); 15] = [
    ("squeezed timestamp", "[ 0.000000] ", ""),
    ("printk caller", "[\t0.000000][\tT0] ", ""),
    ("kmsg level", "<6>[    0.000000] ", ""),
    ("dmesg -T", "[Tue Mar  3 12:15:55 2020] ", ""),
    ("journalctl", "Jun 12 10:49:44 localhost kernel: ", ""),
    (
        "kern.log",
        "Nov  6 08:43:20 arcane-X555LB kernel: [    0.000000] ",
        "",
    ),
    (
        "syslog no host",
        "Apr 28 07:55:19 kernel: [    0.000000] ",
        "",
    ),
    ("bare kernel:", "kernel: ", ""),
    ("mail quote", "> ", ""),
    ("quote + indent", ">   ", ""),
    ("json array", "  \"", "\","),
    ("json comma inside", "\"[    0.000000] ", ",\""),
    (
        "bbcode",
        "[COLOR=#000000][FONT=arial][    0.000000] ",
        "[/FONT][/COLOR]",
    ),
    ("crlf", "[    0.000000] ", "\r"),
    ("stray colon", ": [    0.000000] ", ""),
];

/// Every wrapper of docs/input-formats.md §1, as (name, wrapped text).
fn wrappers(lines: &[String]) -> Vec<(&'static str, String)> {
    let plain = wrap_each(lines, |_, l| l.to_owned());
    let mut out: Vec<(&'static str, String)> = AFFIXES
        .iter()
        .map(|&(name, before, after)| {
            (name, wrap_each(lines, |_, l| format!("{before}{l}{after}")))
        })
        .collect();
    out.extend([
        ("none", plain.clone()),
        (
            "timestamp",
            wrap_each(lines, |i, l| {
                format!("[{:5}.{:06}] {l}", i / 3, i * 37 % 1_000_000)
            }),
        ),
        (
            "nested quote",
            wrap_each(lines, |i, l| {
                format!("{} [    0.000000] {l}", [">>", "> > >", ">>>>>"][i % 3])
            }),
        ),
        (
            "serial padding",
            wrap_each(lines, |_, l| format!("[    0.000000] {l:<203}")),
        ),
        (
            "quoted-printable",
            quoted_printable(&wrap_each(lines, |_, l| format!("[    0.000000] {l}"))),
        ),
        (
            "prose around",
            format!("Here is my dmesg:\n$ dmesg | grep efi\n\n{plain}\nThanks!\n"),
        ),
        ("hard wrap", wrap_each(lines, |_, l| hard_wrap(l))),
        (
            "duplicated lines",
            wrap_each(lines, |_, l| format!("{l}\n{l}")),
        ),
    ]);
    out
}

/// A mail client's wrap: before `range=` (numeric layout: after `attr=…,`), or inside the
/// flag field with a TAB-indented continuation.
fn hard_wrap(line: &str) -> String {
    match line.find(" range=") {
        Some(at) if line.contains("type=") => format!("{}\n{}", &line[..at], &line[at..]),
        Some(_) => match line.find("|  |") {
            Some(bar) => format!("{}\n\t{}", &line[..bar], &line[bar..]),
            None => line.replacen(" range=", "\nrange=", 1),
        },
        None => line.to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every generation × every wrapper gives back exactly the descriptors printed.
    #[test]
    fn every_generation_in_every_wrapper(map in map_of(desc(0u32..15, known_attrs()))) {
        for (layout, lines, expected) in all_layouts(&map) {
            for (wrapper, text) in wrappers(&lines) {
                let p = parse(text.as_bytes(), None);
                prop_assert!(diag(&p, Severity::Error).is_empty(), "{layout} / {wrapper}: {:?}", diag(&p, Severity::Error));
                prop_assert_eq!(boot_map(&p), expected.clone(), "{} / {}", layout, wrapper);
                prop_assert_eq!(p.report.format, Format::Dmesg);
            }
        }
    }

    /// Unknown types, unknown attribute bits (raw `attr=` form), invalid entries: the current
    /// kernel layout printed by efiviz parses back to the identity.
    #[test]
    fn kernel_print_parse_is_identity(map in map_of(desc(any_type(), any::<u64>())), broken in prop::collection::vec((any::<u64>(), 0usize..40, any::<bool>()), 0..3)) {
        let mut map = map;
        for (raw, at, empty) in broken {
            // Zero-sized, or running past 2^64.
            let d = if empty {
                Descriptor { ty: MemoryType(7), phys: (raw >> 12) << 12, num_pages: 0, virt: 0, attr: Attributes(0xf) }
            } else {
                Descriptor { ty: MemoryType(4), phys: u64::MAX - 0xfff, num_pages: (raw >> 20).max(2), virt: 0, attr: Attributes(0xf) }
            };
            map.insert(at.min(map.len()), d);
        }
        let text = print::map_lines(&map);
        let p = parse(text.as_bytes(), None);
        prop_assert!(diag(&p, Severity::Error).is_empty(), "{:?}", diag(&p, Severity::Error));
        prop_assert_eq!(boot_map(&p), map.clone());
        // And printing what was parsed gives the same bytes.
        prop_assert_eq!(print::map_lines(&boot_map(&p)), text);
    }

    /// UEFI shell `memmap`: EDK2 v2 (header, 10-wide names) and EFI Shell 1.x (lowercase, two spaces).
    #[test]
    fn uefi_shell_tables(map in map_of(desc(0u32..15, any::<u64>()))) {
        const V2: [&str; 15] = ["Reserved", "LoaderCode", "LoaderData", "BS_Code", "BS_Data", "RT_Code", "RT_Data", "Available", "Unusable", "ACPI_Recl", "ACPI_NVS", "MMIO", "MMIO_Port", "PalCode", "Persistent"];
        const V1: [&str; 15] = ["reserved", "LoaderCode", "LoaderData", "BS_code", "BS_data", "RT_code", "RT_data", "available", "Unusable", "ACPI_recl", "ACPI_NVS", "MemMapIO", "MemPortIO", "PalCode", "Persistent"];
        for (names, gap, header) in [(V2, " ", true), (V1, "  ", false)] {
            let mut text = String::from("Shell> memmap\n");
            if header {
                text.push_str("Type       Start            End              # Pages          Attributes\n");
            }
            for d in &map {
                let end = d.phys + d.num_pages * PAGE - 1;
                text.push_str(&format!("{:<10} {:016X}-{end:016X}{gap}{:016X} {:016X}\n", names[d.ty.0 as usize], d.phys, d.num_pages, d.attr.0));
            }
            text.push_str("\n  Reserved  :              0 Pages (0 Bytes)\n              --------------\nTotal Memory:            127 MB (133,300,224 Bytes)\n");
            let p = parse(text.as_bytes(), None);
            prop_assert!(diag(&p, Severity::Error).is_empty(), "{:?}", diag(&p, Severity::Error));
            prop_assert_eq!(p.report.format, Format::UefiShell);
            prop_assert_eq!(boot_map(&p), map.clone());
        }
    }

    /// `grep . /sys/firmware/efi/runtime-map/*/*` (lexical order: 10 before 2) and RTMAP lines.
    #[test]
    fn runtime_map_dumps(map in map_of(desc(0u32..16, any::<u64>())), virt_base in any::<u64>()) {
        let map: Vec<Descriptor> = map.iter().enumerate().map(|(i, d)| Descriptor { virt: virt_base.wrapping_add(i as u64 * PAGE), ..*d }).collect();
        let mut grep: Vec<String> = Vec::new();
        for (i, d) in map.iter().enumerate() {
            for (field, value) in [("attribute", d.attr.0), ("num_pages", d.num_pages), ("phys_addr", d.phys), ("type", u64::from(d.ty.0)), ("virt_addr", d.virt)] {
                grep.push(format!("/sys/firmware/efi/runtime-map/{i}/{field}:0x{value:x}"));
            }
        }
        grep.sort();
        let p = parse(grep.join("\n").as_bytes(), None);
        prop_assert!(diag(&p, Severity::Error).is_empty(), "{:?}", diag(&p, Severity::Error));
        prop_assert_eq!(p.report.format, Format::RuntimeMap);
        prop_assert_eq!(p.log.runtime_map.map(|m| m.descriptors), Some(map.clone()));

        let rtmap: String = map.iter().enumerate().map(|(i, d)| format!("RTMAP {i} 0x{:x} 0x{:x} 0x{:x} 0x{:x} 0x{:x}\n", d.ty.0, d.phys, d.virt, d.num_pages, d.attr.0)).collect();
        let p = parse(rtmap.as_bytes(), None);
        prop_assert_eq!(p.log.runtime_map.map(|m| m.descriptors), Some(map));
    }

    /// Raw descriptor arrays with any common stride, detected or given.
    #[test]
    fn binary_arrays(map in map_of(desc(0u32..16, any::<u64>())), stride in prop::sample::select(vec![40u32, 48, 56, 64])) {
        let map: Vec<Descriptor> = map.iter().map(|d| Descriptor { virt: d.phys ^ 0xffff_8000_0000_0000, ..*d }).collect();
        let bytes = binary::encode(&map, stride);
        let given = parse_binary(&bytes, Some(stride));
        prop_assert_eq!(boot_map(&given), map.clone());
        let detected = parse(&bytes, None);
        prop_assert_eq!(detected.report.format, Format::Binary);
        prop_assert_eq!(boot_map(&detected).len(), map.len() * stride as usize / detected.log.map.as_ref().map_or(1, |m| m.desc_size as usize));
        if detected.log.map.as_ref().map(|m| m.desc_size) == Some(stride) {
            prop_assert_eq!(boot_map(&detected), map);
        }
    }

    /// e820 tables in both print generations and the 6.16+ names.
    #[test]
    fn e820_tables(rows in prop::collection::vec((0u64..(1 << 40), 1u64..(1 << 30), prop::sample::select(vec![1u32, 2, 3, 4, 5, 7, 12, 20, 0xefff_ffff])), 1..30)) {
        let entries: Vec<E820Entry> = rows.iter().map(|&(s, len, t)| E820Entry { start: s, end: s + len, kind: E820Type(t) }).collect();
        let old_name = |t: u32| match t { 1 => "(usable)".to_owned(), 2 => "(reserved)".into(), 3 => "(ACPI data)".into(), 4 => "(ACPI NVS)".into(), 5 => "(unusable)".into(), n => format!("type {n}") };
        let new_name = |t: u32, modern: bool| match (t, modern) {
            (1, false) => "usable".to_owned(), (1, true) => "System RAM".into(),
            (2, false) => "reserved".into(), (2, true) => "device reserved".into(),
            (3, _) => "ACPI data".into(), (4, _) => "ACPI NVS".into(), (5, _) => "unusable".into(),
            (7 | 12, false) => format!("persistent (type {t})"), (7 | 12, true) => format!("persistent RAM (type {t})"),
            (0xefff_ffff, _) => "soft reserved".into(), (n, _) => format!("type {n}"),
        };
        let legacy: String = entries.iter().map(|e| format!(" BIOS-e820: {:016x} - {:016x} {}\n", e.start, e.end, old_name(e.kind.0))).collect();
        let current: String = entries.iter().map(|e| format!("BIOS-e820: [mem 0x{:016x}-0x{:016x}] {}\n", e.start, e.end - 1, new_name(e.kind.0, false))).collect();
        let modern: String = entries.iter().map(|e| format!("BIOS-e820: [mem 0x{:016x}-0x{:016x}]  {}\n", e.start, e.end - 1, new_name(e.kind.0, true))).collect();
        for text in [legacy, current, modern] {
            let p = parse(format!("BIOS-provided physical RAM map:\n{text}").as_bytes(), None);
            prop_assert!(diag(&p, Severity::Error).is_empty(), "{:?}", diag(&p, Severity::Error));
            prop_assert_eq!(&p.log.e820, &entries);
        }
    }

    /// efiviz JSON: writing then reading gives the same log.
    #[test]
    fn json_round_trip(map in map_of(desc(any_type(), any::<u64>())), rt in prop::option::of(map_of(desc(0u32..16, any::<u64>()))), tables in prop::collection::btree_map("[A-Z][A-Za-z0-9 .]{0,10}", any::<u64>(), 0..6), cmdline in prop::option::of("[a-z=_ .0-9]{0,40}")) {
        let log = BootLog {
            map: Some(MemoryMap { descriptors: map, desc_size: 48, desc_version: 1 }),
            runtime_map: rt.map(|d| MemoryMap { descriptors: d, desc_size: 48, desc_version: 1 }),
            config_tables: tables.into_iter().map(|(name, addr)| ConfigTable { name, addr }).collect(),
            cmdline,
            esrt: Some((0x74dd6f98, 0x74dd6fd0)),
            boot_services_freed_kib: Some(47204),
            memory_available_kib: Some((851792, 1041972)),
            ..BootLog::default()
        };
        let text = json::to_string(&log, None);
        let p = parse(text.as_bytes(), None);
        prop_assert_eq!(p.report.format, Format::Json);
        prop_assert_eq!(p.log, log);
    }

    /// Real logs with random byte edits (cuts, insertions, flipped bytes) never panic, and
    /// every diagnostic names a line that exists.
    #[test]
    fn mutated_fixtures_never_panic(which in 0usize..4, edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..60)) {
        let files = [
            "real/06-asus-n56vz-ami-json-array.txt",
            "real/11-nutanix-ahv-ovmf-rhel7-quoted-printable.txt",
            "real/14-qemu-ovmf-128m-uefi-shell-memmap.txt",
            "real/38-lenovo-ideapad-x1carbon-human-abbreviated-lines.txt",
        ];
        let path = format!("{}/tests/data/parse/{}", env!("CARGO_MANIFEST_DIR"), files[which]);
        let mut bytes = std::fs::read(path).expect("fixture");
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ => {}
            }
        }
        let lines = bytes.split(|&b| b == b'\n').count();
        // Binary reports number descriptors (at least 40 bytes each) instead of lines.
        let bound = lines.max(bytes.len() / 40 + 1);
        for format in [None, Some(Format::Dmesg), Some(Format::UefiShell), Some(Format::Binary)] {
            let p = parse(&bytes, format);
            prop_assert!(p.report.diagnostics.iter().all(|d| d.line <= bound));
        }
    }

    /// Bytes of any kind never panic, and every reported line number exists.
    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4000)) {
        let lines = bytes.split(|&b| b == b'\n').count();
        for format in [None, Some(Format::Dmesg), Some(Format::UefiShell), Some(Format::RuntimeMap), Some(Format::Binary), Some(Format::Json)] {
            let p = parse(&bytes, format);
            prop_assert!(p.report.diagnostics.iter().all(|d| d.line <= lines.max(bytes.len())));
        }
    }

    /// Near-miss map lines: every broken line is reported with its own number, none stops the parse.
    #[test]
    fn broken_lines_are_all_reported(map in map_of(desc(0u32..15, known_attrs())), cuts in prop::collection::btree_set(0usize..40, 1..5)) {
        let lines: Vec<String> = map.iter().enumerate().map(|(i, d)| print::mem_line(i, d)).collect();
        let mut text = String::new();
        let mut broken = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if cuts.contains(&i) {
                // Corrupt the range so the entry cannot be read.
                text.push_str(&line.replace("range=[0x", "range=[0xZZ"));
                broken.push(i + 1);
            } else {
                text.push_str(line);
            }
            text.push('\n');
        }
        let p = parse(text.as_bytes(), None);
        let reported: Vec<usize> = p.report.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.line).collect();
        prop_assert_eq!(reported, broken.clone());
        prop_assert_eq!(boot_map(&p).len(), map.len() - broken.len());
    }
}
