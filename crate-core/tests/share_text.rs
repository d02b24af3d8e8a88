//! Copy as text: the kernel-style excerpt parses back to the same efi.memmap, and the
//! markdown table has one row per region of the lane, with its exact range.

use std::path::Path;

use efiviz_core::layout::{Kernel, Knobs, Story, simulated_story};
use efiviz_core::model::Descriptor;
use efiviz_core::parse;
use efiviz_core::share::{log_text, markdown_table};
use efiviz_core::sim::SimInput;

fn story(name: &str) -> (Story, Vec<Descriptor>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/real")
        .join(name);
    let parsed = parse::parse(&std::fs::read(path).unwrap(), None);
    let input = SimInput::from_boot_log(&parsed.log).unwrap();
    let knobs = Knobs::from_config(&input.config);
    let story = simulated_story(&SimInput {
        config: knobs.apply(&input.config),
        ..input
    });
    (story, parsed.log.map.unwrap().descriptors)
}

#[test]
fn the_log_excerpt_parses_back_to_the_same_memmap() {
    for name in [
        "34-virtualbox-efi-vbox64-fedora14.txt",
        "10-asus-ux391fa-ami-esrt-tpm-no-timestamps.txt",
    ] {
        let (story, firmware) = story(name);
        // Before the kernel touches it, efi.memmap is the firmware's map.
        let first = story.steps[0].kernel(Kernel::Old);
        assert_eq!(first.memmap.descriptors, firmware, "{name}");
        for (i, step) in story.steps.iter().enumerate() {
            for kernel in [Kernel::Old, Kernel::New] {
                let text = log_text(&story, i, kernel).unwrap();
                let memmap = &step.kernel(kernel).memmap.descriptors;
                let header = format!(
                    "efiviz: {} kernel, step {} ({}): efi.memmap holds {} entries",
                    kernel.name().to_uppercase(),
                    i + 1,
                    step.name,
                    memmap.len()
                );
                assert!(text.starts_with(&header), "{text}");
                let map_part: String = text
                    .lines()
                    .skip(1)
                    .take(memmap.len())
                    .map(|l| format!("{l}\n"))
                    .collect();
                let back = parse::parse(map_part.as_bytes(), None).log.map.unwrap();
                // The efi=debug layout has no column for the virtual address SVAM assigns.
                let physical: Vec<_> = memmap
                    .iter()
                    .map(|d| Descriptor { virt: 0, ..*d })
                    .collect();
                assert_eq!(back.descriptors, physical, "{name} step {i} {kernel:?}");
                // The kernel's own lines follow, unchanged.
                for line in &step.kernel(kernel).log {
                    assert!(text.contains(line.as_str()));
                }
            }
        }
    }
}

#[test]
fn the_markdown_table_has_one_row_per_region() {
    let (story, _) = story("34-virtualbox-efi-vbox64-fedora14.txt");
    let last = story.steps.len() - 1;
    for kernel in [Kernel::Old, Kernel::New] {
        let table = markdown_table(&story, last, kernel).unwrap();
        let lane = &story.steps[last].kernel(kernel).lane;
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `[")).collect();
        assert_eq!(rows.len(), lane.regions.len());
        for (row, region) in rows.iter().zip(&lane.regions) {
            // Five cells; escaped pipes inside attributes do not split a cell.
            let cells: Vec<&str> = row.split(" | ").collect();
            assert_eq!(cells.len(), 5, "{row}");
            let range = cells[0].trim_start_matches("| `[").trim_end_matches(")`");
            let (start, end) = range.split_once(", ").unwrap();
            let hex = |t: &str| u64::from_str_radix(t.trim_start_matches("0x"), 16).unwrap();
            assert_eq!((hex(start), hex(end)), (region.start, region.end));
            assert!(
                row.ends_with(&format!("| {} |", region.state.name())),
                "{row}"
            );
        }
        let header = table.lines().find(|l| l.starts_with("| Range")).unwrap();
        assert_eq!(header, "| Range | Size | Type | Attributes | State |");
    }
    assert_eq!(markdown_table(&story, 99, Kernel::Old), None);
}
