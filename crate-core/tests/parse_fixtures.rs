//! Every shared fixture parses to the descriptors read off the file by hand: counts, a few exact
//! entries, and the surrounding facts (firmware, tables, e820, events) where the file has them.

mod parse_common;

use efiviz_core::model::{Attributes, Descriptor, E820Op, E820Type, MemoryType};
use efiviz_core::parse::{Format, Parsed, Severity, parse};
use parse_common::{d, diag};

const RUN: u64 = Attributes::RUNTIME;

fn load(path: &str) -> Parsed {
    let full = format!("{}/tests/data/parse/{path}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    parse(&bytes, None)
}

fn map(p: &Parsed) -> &[Descriptor] {
    &p.log.map.as_ref().expect("a boot map").descriptors
}

fn runtime(p: &Parsed) -> &[Descriptor] {
    &p.log
        .runtime_map
        .as_ref()
        .expect("a runtime map")
        .descriptors
}

fn tables(p: &Parsed) -> Vec<(&str, u64)> {
    p.log
        .config_tables
        .iter()
        .map(|t| (t.name.as_str(), t.addr))
        .collect()
}

#[test]
fn qemu_5_6_padded_serial_with_runtime_map_and_memattr() {
    let p = load("real/04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt");
    assert_eq!(map(&p).len(), 46);
    assert_eq!(runtime(&p).len(), 38);
    assert_eq!(map(&p)[18], d(4, 0xbe5f8000, 500, 0xf));
    // The kernel set RUN on page 0's Boot Code in the runtime map.
    assert_eq!(runtime(&p)[0], d(3, 0, 1, RUN | 0xf));
    assert_eq!(runtime(&p)[37], d(11, 0xffc00000, 0x400, RUN | 1));
    assert_eq!(
        tables(&p),
        [
            ("SMBIOS", 0xbfbcc000),
            ("ACPI", 0xbfbfa000),
            ("ACPI 2.0", 0xbfbfa014),
            ("MEMATTR", 0xbe649190)
        ]
    );
    assert_eq!(
        p.log.cmdline.as_deref(),
        Some("bzImage64 earlyprintk=ttyS0,keep efi=debug")
    );
    assert!(p.log.options().efi_debug);
    assert_eq!(p.log.memory_available_kib, Some((3024044, 3142020)));
    assert!(!p.log.memattr.is_empty());
    assert!(p.report.wrappers.contains(&"trailing-padding".to_owned()));
    assert_eq!(p.report.format, Format::Dmesg);
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

#[test]
fn asus_3_19_json_string_array_exclusive_brackets() {
    let p = load("real/06-asus-n56vz-ami-json-array.txt");
    assert_eq!(map(&p).len(), 88);
    assert_eq!(map(&p)[81], d(0, 0xcbc00000, 0x4200, RUN));
    assert_eq!(map(&p)[87], d(11, 0xff000000, 0x1000, RUN | 1));
    assert_eq!(
        tables(&p),
        [
            ("ACPI", 0xca852000),
            ("ACPI 2.0", 0xca852000),
            ("SMBIOS", 0xca100398)
        ]
    );
    assert!(p.log.e820.iter().any(|e| e.kind == E820Type(20)));
    assert!(p.report.wrappers.contains(&"json-string".to_owned()));
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

#[test]
fn asus_5_3_no_timestamps_raw_attr_and_esrt() {
    let p = load("real/10-asus-ux391fa-ami-esrt-tpm-no-timestamps.txt");
    assert_eq!(map(&p).len(), 49);
    assert_eq!(map(&p)[41], d(0, 0x7a700000, 0x100, 0x070000000000000f));
    assert_eq!(
        map(&p)[43],
        d(11, 0xf0000000, 0x8000, RUN | Attributes::WP | 0xd)
    );
    assert_eq!(map(&p)[39], d(0, 0xa0000, 0x60, 0));
    let names: Vec<&str> = tables(&p).iter().map(|t| t.0).collect();
    assert_eq!(
        names,
        [
            "ACPI 2.0",
            "ACPI",
            "TPMFinalLog",
            "SMBIOS",
            "SMBIOS 3.0",
            "ESRT",
            "TPMEventLog"
        ]
    );
    assert_eq!(p.log.esrt, Some((0x74dd6f98, 0x74dd6fd0)));
    assert_eq!(p.log.e820.len(), 16);
    assert!(p.report.map_flags.unsorted.contains(&39));
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

#[test]
fn rhel7_quoted_printable() {
    let p = load("real/11-nutanix-ahv-ovmf-rhel7-quoted-printable.txt");
    assert_eq!(map(&p).len(), 116);
    assert_eq!(map(&p)[0], d(3, 0, 1, 0xf));
    assert_eq!(map(&p)[114], d(7, 0x100000000, 0x280000, 0xf));
    assert_eq!(map(&p)[115], d(0, 0xb0000000, 0x10000, 1));
    assert_eq!(
        tables(&p),
        [
            ("SMBIOS", 0x7b12e000),
            ("ACPI", 0x7b37e000),
            ("ACPI 2.0", 0x7b37e014)
        ]
    );
    assert_eq!(
        p.log.cmdline.as_deref(),
        Some(
            "BOOT_IMAGE=/vmlinuz-3.10.0-957.el7.x86_64 root=/dev/mapper/centos-root ro crashkernel=auto rd.lvm.lv=centos/root rd.lvm.lv=centos/swap pci=earlydump"
        )
    );
    assert_eq!(p.log.e820.len(), 11);
    assert!(p.report.wrappers.contains(&"quoted-printable".to_owned()));
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

#[test]
fn old_numeric_format_files() {
    // (file, entries, index and entry of the last line, vendor)
    let cases = [
        (
            "real/13-asus-u32vj-ami-old-format.txt",
            105,
            d(11, 0xff000000, 0x1000, RUN | 1),
            "American Megatrends",
        ),
        (
            "real/24-hp-stream13-baytrail-insyde-2gb.txt",
            54,
            d(11, 0xffc00000, 0x400, RUN),
            "INSYDE Corp.",
        ),
        (
            "real/26-gigabyte-z77x-up5-ami-187-entries.txt",
            187,
            d(11, 0xff000000, 0x1000, RUN | 1),
            "American Megatrends",
        ),
        (
            "real/31-asus-desktop-ami-v2.00-167-entries-grep.txt",
            167,
            d(11, 0xff000000, 0x1000, RUN | 1),
            "American Megatrends",
        ),
        (
            "real/34-virtualbox-efi-vbox64-fedora14.txt",
            42,
            d(6, 0x3fee0000, 0x20, RUN | 0xf),
            "VBOX 64",
        ),
        (
            "real/36-asus-x555lb-ami-v2.40-syslog-mtrr-trim.txt",
            54,
            d(11, 0xff000000, 0x1000, RUN | 1),
            "American Megatrends",
        ),
    ];
    for (file, count, last, vendor) in cases {
        let p = load(file);
        assert_eq!(map(&p).len(), count, "{file}");
        assert_eq!(map(&p).last(), Some(&last), "{file}");
        assert_eq!(
            p.log.firmware.as_ref().map(|f| f.vendor.as_str()),
            Some(vendor),
            "{file}"
        );
        assert!(
            diag(&p, Severity::Error).is_empty(),
            "{file}: {:?}",
            diag(&p, Severity::Error)
        );
    }
}

#[test]
fn old_numeric_details() {
    let p = load("real/34-virtualbox-efi-vbox64-fedora14.txt");
    assert_eq!(map(&p)[0], d(7, 0, 0xa0, 0xf));
    let fw = p.log.firmware.clone().expect("banner");
    assert_eq!((fw.major, fw.minor, fw.revision.as_str()), (2, 10, "2.10"));

    let p = load("real/36-asus-x555lb-ami-v2.40-syslog-mtrr-trim.txt");
    assert_eq!(map(&p)[0], d(7, 0, 0x58, 0xf));
    assert!(p.report.wrappers.contains(&"syslog-prefix".to_owned()));
    let update = p
        .log
        .e820_events
        .iter()
        .find(|e| e.start == 0x9d000000)
        .expect("MTRR trim");
    assert_eq!(update.end, 0x1_0000_0000);
    assert_eq!(
        update.op,
        E820Op::Update {
            from: E820Type::USABLE,
            to: E820Type::RESERVED
        }
    );

    let p = load("real/24-hp-stream13-baytrail-insyde-2gb.txt");
    assert_eq!(
        tables(&p).iter().map(|t| t.0).collect::<Vec<_>>(),
        ["ACPI 2.0", "SMBIOS"]
    );

    let p = load("real/26-gigabyte-z77x-up5-ami-187-entries.txt");
    assert_eq!(p.log.memory_available_kib, Some((16152276, 16730088)));

    // 2.6.38: MMIO listed after the >4 GiB RAM entry.
    let p = load("real/31-asus-desktop-ami-v2.00-167-entries-grep.txt");
    assert_eq!(map(&p)[164], d(7, 0x100000000, 0x13f800, 0xf));
    assert!(p.report.map_flags.unsorted.contains(&165));
}

#[test]
fn uefi_shell_memmap_and_tutorial_dump() {
    let p = load("real/14-qemu-ovmf-128m-uefi-shell-memmap.txt");
    assert_eq!(p.report.format, Format::UefiShell);
    assert_eq!(map(&p).len(), 117);
    assert_eq!(map(&p)[0], d(3, 0, 1, 0xf));
    assert_eq!(map(&p)[1], d(7, 0x1000, 0x9f, 0xf));
    assert_eq!(map(&p)[116], d(11, 0xffc00000, 0x400, RUN | 1));
    assert_eq!(map(&p)[115], d(10, 0x7f78000, 0x88, 0xf));
    // The 115-entry program dump is a second map: reported, not merged.
    let second = p
        .report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Warning && d.reason.contains("115 entries"));
    assert!(second);
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

#[test]
fn human_abbreviated_lines() {
    let p = load("real/38-lenovo-ideapad-x1carbon-human-abbreviated-lines.txt");
    let m = map(&p);
    assert_eq!(m.len(), 4);
    assert_eq!(m[0], d(0, 0x4bc50000, 0x143b0, 0xf));
    assert_eq!(m[1], d(0, 0x60000000, 0x1000, 0x9));
    assert_eq!(m[3], d(11, 0x65400000, 0x6ac00, RUN | 1));
    assert_eq!(p.report.map_flags.index_gaps, [(0, 47)]);
    assert!(
        diag(&p, Severity::Error).is_empty(),
        "{:?}",
        diag(&p, Severity::Error)
    );
}

/// (name, boot entries, runtime entries from `EFI runtime memory map:` or RTMAP, e820 rows).
const TRUTH: [(&str, usize, usize, usize); 14] = [
    ("new-q35-1G-D", 126, 106, 16),
    ("new-q35-1G-P", 0, 7, 16),
    ("new-q35-1G-ovmf32-D", 130, 120, 16),
    ("new-q35-1G-ovmf32-P", 0, 4, 16),
    ("pc-1G-D", 138, 119, 15),
    ("pc-1G-P", 0, 8, 15),
    ("q35-1G-D", 126, 107, 16),
    ("q35-1G-P", 0, 8, 16),
    ("q35-1G-mem768M-D", 126, 106, 16),
    ("q35-1G-mem768M-P", 0, 105, 16),
    ("q35-1G-ovmf32-D", 130, 121, 16),
    ("q35-1G-ovmf32-P", 0, 20, 16),
    ("q35-1G-tpm-D", 134, 116, 16),
    ("q35-1G-tpm-P", 0, 8, 16),
];

#[test]
fn truth_boots_counts() {
    for (name, boot, rt, e820) in TRUTH {
        let p = load(&format!("truth/{name}.log"));
        assert_eq!(
            p.log.map.as_ref().map_or(0, |m| m.descriptors.len()),
            boot,
            "{name}"
        );
        assert_eq!(runtime(&p).len(), rt, "{name}");
        assert_eq!(p.log.e820.len(), e820, "{name}");
        assert!(p.log.options().memblock_debug, "{name}");
        assert_eq!(p.log.options().efi_debug, name.ends_with("-D"), "{name}");
        assert!(
            diag(&p, Severity::Error).is_empty(),
            "{name}: {:?}",
            diag(&p, Severity::Error)
        );
    }
}

#[test]
fn truth_q35_details() {
    let p = load("truth/q35-1G-D.log");
    assert_eq!(map(&p)[79], d(6, 0x3eaa0000, 0x102, RUN | 0xf));
    assert_eq!(map(&p)[124], d(0, 0xb0000000, 0x10000, 1));
    let fw = p.log.firmware.clone().expect("banner");
    assert_eq!(
        (fw.vendor.as_str(), fw.revision.as_str()),
        ("EDK II", "2.7")
    );
    assert_eq!(tables(&p)[0], ("SMBIOS", 0x3f520000));
    let first = &p.log.memblock_events[0];
    assert_eq!(
        (first.op.as_str(), first.start, first.end),
        ("memblock_reserve", 0x3f770040, 0x3f7717e0)
    );
    assert_eq!(first.caller, "efi_memblock_x86_reserve_range+0x107/0x2b0");
    let remove = p
        .log
        .e820_events
        .iter()
        .find(|e| matches!(e.op, E820Op::Remove { .. }))
        .expect("remove");
    assert_eq!((remove.start, remove.end), (0xffc00000, 0x1_0000_0000));
    assert_eq!(
        remove.op,
        E820Op::Remove {
            kind: Some(E820Type::RESERVED)
        }
    );
    let mattr = p
        .log
        .memattr
        .iter()
        .find(|m| m.start == 0x3f661000)
        .expect("memattr");
    assert_eq!(
        (mattr.end, mattr.ty, mattr.attr),
        (0x3f663000, MemoryType(5), Attributes(RUN | Attributes::XP))
    );
    assert_eq!(p.log.memory_available_kib, Some((851792, 1041972)));
    assert_eq!(p.log.boot_services_freed_kib, None);

    let p = load("truth/q35-1G-P.log");
    assert_eq!(p.report.format, Format::RuntimeMap);
    let rt0 = runtime(&p)[0];
    assert_eq!(
        (rt0.ty, rt0.phys, rt0.virt, rt0.num_pages),
        (MemoryType(11), 0xffc00000, 0xfffffffeffc00000, 0x400)
    );
    assert_eq!(p.log.boot_services_freed_kib, Some(47204));
}

/// The kernel's own efi=debug lines of a 6.12 boot, as printed before `EFI runtime memory map:`.
fn kernel_map_lines(log: &str) -> Vec<String> {
    log.lines()
        .take_while(|l| !l.contains("EFI runtime memory map:"))
        .filter_map(|l| l.find("efi: mem").map(|at| l[at..].trim_end().to_owned()))
        .collect()
}

#[test]
fn printer_is_byte_exact_with_a_6_12_kernel() {
    for (name, boot, ..) in TRUTH.iter().filter(|t| t.1 > 0) {
        let path = format!(
            "{}/tests/data/parse/truth/{name}.log",
            env!("CARGO_MANIFEST_DIR")
        );
        let log = std::fs::read_to_string(&path).expect("truth log");
        let expected = kernel_map_lines(&log);
        assert_eq!(expected.len(), *boot, "{name}");
        let p = load(&format!("truth/{name}.log"));
        let printed = efiviz_core::parse::print::map_lines(map(&p));
        assert_eq!(printed.lines().collect::<Vec<_>>(), expected, "{name}");
    }
}

/// Every non-blank line is accounted for: taken by a recogniser, or listed as not used.
#[test]
fn every_line_is_explained() {
    for file in [
        "real/04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt",
        "real/06-asus-n56vz-ami-json-array.txt",
        "real/10-asus-ux391fa-ami-esrt-tpm-no-timestamps.txt",
        "real/13-asus-u32vj-ami-old-format.txt",
        "real/14-qemu-ovmf-128m-uefi-shell-memmap.txt",
        "real/26-gigabyte-z77x-up5-ami-187-entries.txt",
        "real/31-asus-desktop-ami-v2.00-167-entries-grep.txt",
        "real/36-asus-x555lb-ami-v2.40-syslog-mtrr-trim.txt",
        "truth/q35-1G-D.log",
    ] {
        let path = format!("{}/tests/data/parse/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("fixture")).into_owned();
        let non_blank = text.lines().filter(|l| !l.trim().is_empty()).count();
        let p = load(file);
        let unrecognised = p
            .report
            .diagnostics
            .iter()
            .filter(|d| d.reason == "not a memory-map line" || d.reason == "comment")
            .count();
        assert_eq!(p.report.unlisted_info, 0, "{file}");
        assert_eq!(
            p.report.recognised_lines + unrecognised,
            non_blank,
            "{file}"
        );
    }
}
