//! One test per documented variant of docs/input-formats.md that the shared fixtures do not
//! already cover, each written out by hand from the document's own examples.

mod parse_common;

use efiviz_core::model::{Attributes, E820Op, E820Type};
use efiviz_core::parse::{Format, Parsed, Severity, parse};
use parse_common::{boot_map as descs, d, diag, lines_of};

const RUN: u64 = Attributes::RUNTIME;

fn p(text: &str) -> Parsed {
    parse(text.as_bytes(), None)
}

#[test]
fn invalid_entries_are_kept_flagged_and_put_back_in_firmware_order() {
    let log = "\
[    0.000000] efi: [Firmware Bug]: Invalid EFI memory map entries:
[    0.000000] efi: mem01: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000100000-0x0000000000000000] (invalid)
[    0.000000] efi: mem03: [Reserved    |   |  |  |  |  |  |  |  |  |  |   |  |  |  |  ] range=[0xffffffffff000000-0x200e898a0eee713ac17] (invalid)
[    0.000000] efi: Removing 2 invalid memory map entries.
[    0.000000] efi: mem00: [Boot Code   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x0000000000000fff] (0MB)
[    0.000000] efi: mem01: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x000000000009ffff] (0MB)
";
    let r = p(log);
    let m = descs(&r);
    assert_eq!(m.len(), 4);
    assert_eq!(m[0], d(3, 0, 1, 0xf));
    assert_eq!(m[1], d(7, 0x100000, 0, 0xf));
    assert_eq!(m[2], d(7, 0x1000, 0x9f, 0xf));
    // 0x200e898a0eee713ac17 + 1 - 0xffffffffff000000 is not whole pages: rounded up, kept.
    let pages = ((0x200e898a0eee713ac17u128 + 1 - 0xffffffffff000000u128).div_ceil(4096)) as u64;
    assert_eq!(m[3], d(0, 0xffffffffff000000, pages, 0));
    assert_eq!(r.report.map_flags.zero_sized, [1]);
    assert_eq!(r.report.map_flags.overflowing, [3]);
    assert!(diag(&r, Severity::Error).is_empty());
    assert_eq!(lines_of(&r, Severity::Warning), [3]);
}

#[test]
fn unknown_type_and_raw_attribute_fallbacks() {
    let r = p("\
efi: mem00: [type=269370880|attr=0x080000000000000f] range=[0x0000000000000000-0x0000000000000fff] (0MB)
efi: mem01: [type=16|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x0000000000001fff] (0MB)
");
    assert_eq!(
        descs(&r),
        [
            d(269370880, 0, 1, 0x080000000000000f),
            d(16, 0x1000, 1, 0xf)
        ]
    );
}

#[test]
fn runtime_flag_variant_and_flags_by_name_not_position() {
    // 4.3 development patch: `RT` as the 2-character runtime column.
    let r = p(
        "efi: mem05: [Runtime Data       |RT|  |  |  |  |   |WB|WT|WC|UC] range=[0x00000000bfb9b000-0x00000000bfbf3000) (0MB)\n",
    );
    assert_eq!(descs(&r), [d(6, 0xbfb9b000, 0x58, RUN | 0xf)]);
    assert_eq!(r.report.map_flags.index_gaps, [(0, 5)]);
}

#[test]
fn hard_wraps_are_joined() {
    let r = p("\
> [    0.000000] efi: mem00: type=7, attr=0xf,
>  range=[0x0000000000000000-0x000000000009f000) (0MB)
efi: mem01: [Boot Data          |   |  |  |  |  |  |
\t|  |   |WB|WT|WC|UC] range=[0x0000000000100000-0x00000000001fffff] (1MB)
efi: mem02: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
range=[0x0000000000200000-0x00000000002fffff] (1MB)
");
    assert_eq!(
        descs(&r),
        [
            d(7, 0, 0x9f, 0xf),
            d(4, 0x100000, 0x100, 0xf),
            d(7, 0x200000, 0x100, 0xf)
        ]
    );
    assert!(diag(&r, Severity::Error).is_empty());
    assert_eq!(lines_of(&r, Severity::Warning), [2, 4, 6]);
}

#[test]
fn spliced_line_uses_the_whole_entry_and_reports_the_cut_one() {
    let r = p("\
efi: mem00: [Boot Code   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x0000000000000fff] (0MB)
efi: mem01: [Conventional|   |  |  |  |  |efi: mem02: [Boot Data   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000002000-0x0000000000002fff] (0MB)
");
    assert_eq!(descs(&r), [d(3, 0, 1, 0xf), d(4, 0x2000, 1, 0xf)]);
    assert_eq!(diag(&r, Severity::Error).len(), 1);
    assert_eq!(diag(&r, Severity::Error)[0].0, 2);
    assert_eq!(r.report.map_flags.index_gaps, [(1, 2)]);
}

#[test]
fn old_kernel_banner_and_config_tables_without_prefix() {
    let r = p("\
[    0.000000] EFI v2.00 by American Megatrends
[    0.000000]  ACPI=0x7fefe000  ACPI 2.0=0x7fefe014  SMBIOS=0x7fed3000 
[    0.000000] efi: EFI v2.8 by American Megatrends,
[    0.000000] efi: TPMFinalLog=0x6a5c5000 ACPI 2.0=0x6b094000 SMBIOS=0xf05e0 MEMATTR=0x5a4b3018 RNG=0x63d8b418 
");
    let fw = r.log.firmware.expect("banner");
    assert_eq!(
        (fw.major, fw.minor, fw.vendor.as_str()),
        (2, 0, "American Megatrends")
    );
    let tables: Vec<(String, u64)> = r
        .log
        .config_tables
        .iter()
        .map(|t| (t.name.clone(), t.addr))
        .collect();
    assert_eq!(
        tables,
        [
            ("ACPI".into(), 0x7fefe000),
            ("ACPI 2.0".into(), 0x7fefe014),
            ("SMBIOS".into(), 0x7fed3000)
        ]
    );
}

#[test]
fn memblock_memattr_esrt_totals_and_e820_events() {
    let r = p("\
[    0.000000] Command line: BOOT_IMAGE=/vmlinuz efi=debug,noruntime memblock=debug mem=768M quiet
[    0.000000] e820 update range: 0000000000000000 - 0000000000010000 (usable) ==> (reserved)
[    0.000000] e820: update [mem 0x9d000000-0xffffffff] usable ==> reserved
[    0.000000] efi: Remove mem125: MMIO range=[0xffc00000-0xffffffff] (4MB) from e820 map
[    0.000000] e820: remove [mem 0xffc00000-0xffffffff] reserved
[    0.000000] e820: remove [mem 0x000a0000-0x000fffff]
[    0.000000] memblock_reserve: [0x000000003d85b018-0x000000003d85b447] efi_memattr_init+0x4f/0xa0
[    0.000000] __memblock_reserve: [0x000000003f770040-0x000000003f7717df] nid=-1 flags=20 efi_mem_reserve+0x3c/0x60
[    0.000000] memblock_alloc_try_nid: 4096 bytes align=0x40 nid=0 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_index_alloc+0x40/0x70
[    0.000000] esrt: Reserving ESRT space from 0x0000000074dd6f98 to 0x0000000074dd6fd0.
[    0.311000] efi: memattr: Processing EFI Memory Attributes table:
[    0.311000] efi: memattr:  0x00003f661000-0x00003f662fff [Runtime Code|RUN|  |  |  |  |  |XP|  |  |  |   |  |  |  |  ]
[    1.120302] Memory: 851792K/1041972K available (16384K kernel code, 2499K rwdata)
[    2.000000] efi: Freeing EFI boot services memory: 47204K
");
    let o = r.log.options();
    assert!(o.efi_debug && o.efi_noruntime && o.memblock_debug);
    assert_eq!(o.mem_limit, Some(768 << 20));
    let ev = &r.log.e820_events;
    assert_eq!(ev.len(), 4);
    assert_eq!((ev[0].start, ev[0].end), (0, 0x10000));
    assert_eq!(
        ev[0].op,
        E820Op::Update {
            from: E820Type::USABLE,
            to: E820Type::RESERVED
        }
    );
    assert_eq!((ev[1].start, ev[1].end), (0x9d000000, 0x1_0000_0000));
    assert_eq!(
        ev[2].op,
        E820Op::Remove {
            kind: Some(E820Type::RESERVED)
        }
    );
    assert_eq!(ev[3].op, E820Op::Remove { kind: None });
    let mb = &r.log.memblock_events;
    assert_eq!(mb.len(), 2);
    assert_eq!(
        (mb[1].op.as_str(), mb[1].start, mb[1].end),
        ("__memblock_reserve", 0x3f770040, 0x3f7717e0)
    );
    assert_eq!(mb[1].caller, "nid=-1 flags=20 efi_mem_reserve+0x3c/0x60");
    assert_eq!(r.log.esrt, Some((0x74dd6f98, 0x74dd6fd0)));
    assert_eq!(r.log.memattr.len(), 1);
    assert_eq!(
        (r.log.memattr[0].start, r.log.memattr[0].end),
        (0x3f661000, 0x3f663000)
    );
    assert_eq!(r.log.memory_available_kib, Some((851792, 1041972)));
    assert_eq!(r.log.boot_services_freed_kib, Some(47204));
    assert!(diag(&r, Severity::Error).is_empty());
    // No map at all: the report says so through the confidence.
    assert!(r.log.map.is_none());
}

#[test]
fn e820_generations_and_views() {
    let r = p("\
BIOS-provided physical RAM map:
 BIOS-e820: 0000000000000000 - 000000000009f000 (usable)
 BIOS-e820: 00000000000f0000 - 0000000000100000 (reserved)
 BIOS-e820: 00000000fed00000 - 00000000fed01000 type 20
modified physical RAM map:
 modified: 0000000000000000 - 0000000000010000 (reserved)
BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]
");
    let e: Vec<(u64, u64, u32)> = r
        .log
        .e820
        .iter()
        .map(|x| (x.start, x.end, x.kind.0))
        .collect();
    assert_eq!(
        e,
        [
            (0, 0x9f000, 1),
            (0xf0000, 0x100000, 2),
            (0xfed00000, 0xfed01000, 20)
        ]
    );
    assert!(diag(&r, Severity::Error).is_empty());
}

#[test]
fn uefi_tutorial_dump_and_arm64_lines() {
    let r = p("\
[#00] Type: EfiBootServicesCode  Attr:  UC WC WT WB
      Phys: 0000000000000000-0000000000000FFF
[#01] Type: EfiRuntimeServicesData  Attr:  UC WC WT WB RUNTIME
      Phys: 0000000000001000-0000000000002FFF
");
    assert_eq!(r.report.format, Format::UefiShell);
    assert_eq!(descs(&r), [d(3, 0, 1, 0xf), d(6, 0x1000, 2, RUN | 0xf)]);

    let r = p("\
efi: Processing EFI memory map:
efi:   0x000000000000-0x000000000fff [Reserved    |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]*
efi:   0x000000001000-0x0000000fffff [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
");
    assert_eq!(descs(&r), [d(0, 0, 1, 0xf), d(7, 0x1000, 0xff, 0xf)]);
}

#[test]
fn forum_artefacts_are_explained_not_fatal() {
    let r = p("\
imklog 5.8.11, log source = /proc/kmsg started.
=================== dmesg | grep EFI :
ubuntu@ubuntu:~$ dmesg | grep EFI
```
: [    0.000000] efi: mem00: type=7, attr=0xf, range=[0x0000000000000000-0x00000000000a0000) (0MB)
...
<original EFI memmap>
[    0.000000] efi: mem01: type=2, attr=0xf, range=[0x0000000000100000-0x000000000047e000) (3MB)$
```
");
    assert_eq!(descs(&r), [d(7, 0, 0xa0, 0xf), d(2, 0x100000, 0x37e, 0xf)]);
    assert!(diag(&r, Severity::Error).is_empty());
    let infos: Vec<usize> = lines_of(&r, Severity::Info);
    assert_eq!(infos, [1, 2, 3, 4, 6, 7, 9]);
}

#[test]
fn map_flags() {
    let r = p("\
efi: mem00: type=7, attr=0xf, range=[0x0000000000100000-0x0000000000200000) (1MB)
efi: mem01: type=7, attr=0xf, range=[0x0000000000000000-0x0000000000001000) (0MB)
efi: mem02: type=4, attr=0xf, range=[0x0000000000180000-0x0000000000190000) (0MB)
efi: mem03: type=7, attr=0xf, range=[0x0000000000100000-0x0000000000200000) (1MB)
efi: mem05: type=7, attr=0xf, range=[0x0000000000300800-0x0000000000301800) (0MB)
");
    let f = &r.report.map_flags;
    // mem01 and mem03 each start below the entry before them.
    assert_eq!(f.unsorted, [1, 3]);
    assert_eq!(f.overlapping, [2]);
    assert_eq!(f.duplicated, [3]);
    assert_eq!(f.unaligned, [4]);
    assert_eq!(f.index_gaps, [(4, 5)]);
}

#[test]
fn forced_format_only_uses_that_family() {
    let text = "BS_Code    0000000000000000-0000000000000FFF 0000000000000001 000000000000000F\n";
    assert_eq!(
        descs(&parse(text.as_bytes(), Some(Format::UefiShell))),
        [d(3, 0, 1, 0xf)]
    );
    let forced = parse(text.as_bytes(), Some(Format::Dmesg));
    assert!(forced.log.map.is_none());
    assert_eq!(diag(&forced, Severity::Info).len(), 1);
    assert_eq!("memmap".parse::<Format>(), Ok(Format::UefiShell));
    assert!("bogus".parse::<Format>().is_err());
}

#[test]
fn huge_and_hostile_inputs_finish() {
    // 10^6 lines of junk: every line counted, the listing capped.
    let junk = "[    1.000000] usb 1-1: new high-speed USB device number 2 using xhci_hcd\n"
        .repeat(1_000_000);
    let r = p(&junk);
    let counted = diag(&r, Severity::Info).len() + r.report.unlisted_info;
    assert_eq!(counted, 1_000_000);
    assert!(r.log.map.is_none());
    // One 50 MB line, a line of only separators, invalid UTF-8 and NULs.
    let long = "efi: mem00: [".to_owned() + &"|".repeat(50 << 20);
    let r = p(&long);
    assert_eq!(diag(&r, Severity::Error).len(), 1);
    assert!(r.report.diagnostics[0].text.chars().count() <= efiviz_core::parse::MAX_TEXT + 1);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    let _ = parse(&bytes, None);
}
