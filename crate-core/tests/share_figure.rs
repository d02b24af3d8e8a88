//! The SVG figure: a standalone document whose structure matches the view (lanes, labels,
//! exact boundary labels, legend) and whose metadata reopens the same view.

use std::collections::BTreeSet;
use std::path::Path;

use efiviz_core::layout::{Kernel, Knobs, RegionState, Story, simulated_story};
use efiviz_core::parse;
use efiviz_core::share::{
    KernelChoice, Selection, SvgStateError, ViewState, state_from_svg, svg_figure,
};
use efiviz_core::sim::SimInput;

const VBOX: &str = "34-virtualbox-efi-vbox64-fedora14.txt";

fn story_of(state: &ViewState) -> Story {
    let parsed = parse::parse(&state.input, None);
    let input = SimInput::from_boot_log(&parsed.log).unwrap();
    let knobs = state
        .knobs
        .clone()
        .unwrap_or_else(|| Knobs::from_config(&input.config));
    simulated_story(&SimInput {
        config: knobs.apply(&input.config),
        ..input
    })
}

fn vbox_state() -> ViewState {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/real")
        .join(VBOX);
    ViewState {
        // The namespace in the title must not be taken for the metadata element.
        name: "VirtualBox <Fedora 14> & co urn:efiviz:view".to_owned(),
        input: std::fs::read(path).unwrap(),
        kernels: KernelChoice::Both,
        step: 3,
        window: Some((0x10_0000, 0x3e00_0000)),
        selected: Some(Selection {
            step: 2,
            kernel: Kernel::New,
            addr: 0x1f00_0000,
        }),
        ..ViewState::default()
    }
}

fn texts<'a>(doc: &'a roxmltree::Document, class: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some(class))
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

#[test]
fn the_figure_shows_the_view_and_reopens_it() {
    let state = vbox_state();
    let story = story_of(&state);
    let svg = svg_figure(&state, &story, 1200).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1200"));

    // Steps 1..=4, OLD and NEW each: eight lanes, labelled in order.
    let labels = texts(&doc, "lane-label");
    let steps: Vec<String> = story.steps[..4]
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            [
                format!("{}. {}", i + 1, s.name),
                format!("{}. {}", i + 1, s.name),
            ]
        })
        .collect();
    assert_eq!(labels, steps);
    assert_eq!(texts(&doc, "kernel-tag"), ["OLD", "NEW"].repeat(4));

    // Boundary labels are exact hex addresses of region boundaries inside the window.
    let ticks = texts(&doc, "tick");
    assert!(ticks.len() >= 3, "{ticks:?}");
    let boundaries: BTreeSet<u64> = story.steps[..4]
        .iter()
        .flat_map(|s| [&s.kernel(Kernel::Old).lane, &s.kernel(Kernel::New).lane])
        .flat_map(|l| l.regions.iter().flat_map(|r| [r.start, r.end]))
        .collect();
    let mut last = None;
    for tick in &ticks {
        let addr = u64::from_str_radix(tick.strip_prefix("0x").unwrap(), 16).unwrap();
        assert!(boundaries.contains(&addr), "{tick} is no boundary");
        assert!(
            (0x10_0000..=0x3e00_0000).contains(&addr),
            "{tick} outside the window"
        );
        assert!(last < Some(addr), "labels out of order at {tick}");
        last = Some(addr);
    }

    // One legend entry per state drawn, in legend order.
    let legend = texts(&doc, "legend");
    let drawn: BTreeSet<RegionState> = story.steps[..4]
        .iter()
        .flat_map(|s| [&s.kernel(Kernel::Old).lane, &s.kernel(Kernel::New).lane])
        .flat_map(|l| l.regions.iter().map(|r| r.state))
        .collect();
    let expected: Vec<&str> = drawn.iter().map(|s| s.name()).collect();
    assert_eq!(legend, expected);

    // Title and description are there for readers and screen readers.
    let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
    assert_eq!(
        title.text(),
        Some(
            format!(
                "VirtualBox <Fedora 14> & co urn:efiviz:view — {} (OLD vs NEW)",
                story.steps[3].name
            )
            .as_str()
        )
    );
    let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
    assert!(desc.text().unwrap().starts_with(
        "EFI memory map of VirtualBox <Fedora 14> & co urn:efiviz:view as the OLD and NEW kernels"
    ));

    // The metadata element holds the view, and reading it gives the same state.
    let meta = doc
        .descendants()
        .find(|n| n.tag_name().namespace() == Some("urn:efiviz:view"))
        .unwrap();
    assert!(meta.text().unwrap().starts_with("v=2&k=both&step=3"));
    assert_eq!(state_from_svg(&svg), Ok(state));
}

#[test]
fn svgs_without_a_view_say_so() {
    let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>";
    assert_eq!(state_from_svg(plain), Err(SvgStateError::NotEfiviz));
    let damaged =
        "<svg><metadata><e:view xmlns:e=\"urn:efiviz:view\">v=7&amp;in=</e:view></metadata></svg>";
    let err = state_from_svg(damaged).unwrap_err();
    assert!(err.to_string().contains("link field `v`"), "{err}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_state() -> impl Strategy<Value = ViewState> {
        (
            any::<String>(),
            0..3usize,
            0..10usize,
            proptest::option::of((any::<u64>(), any::<u64>())),
            proptest::option::of((0..10usize, any::<bool>(), any::<u64>())),
        )
            .prop_map(|(name, k, step, window, sel)| {
                let window = window.filter(|(a, b)| a < b);
                ViewState {
                    name,
                    kernels: KernelChoice::ALL[k],
                    step,
                    window,
                    selected: sel.map(|(step, old, addr)| Selection {
                        step,
                        kernel: if old { Kernel::Old } else { Kernel::New },
                        addr,
                    }),
                    ..vbox_state()
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any view (steps past the end, windows off the map, odd names) gives well-formed
        /// XML that reopens exactly that view.
        #[test]
        fn every_view_renders_and_reopens(state in any_state(), width in 0..3000u32) {
            let story = story_of(&state);
            let svg = svg_figure(&state, &story, width).unwrap();
            prop_assert!(roxmltree::Document::parse(&svg).is_ok());
            prop_assert_eq!(state_from_svg(&svg), Ok(state));
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), cut in 0..200usize) {
            let _ = state_from_svg(&text);
            let wrapped = format!("<metadata><v xmlns=\"urn:efiviz:view\">{text}</v>");
            let truncated: String = wrapped.chars().take(cut + 30).collect();
            let _ = state_from_svg(&truncated);
            let _ = state_from_svg(&wrapped);
        }
    }
}
