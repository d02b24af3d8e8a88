use super::*;
use crate::job;
use efiviz_core::layout::{RegionState, Reservation, ReservationKind};

/// A real Gigabyte Z77X dmesg; its fixture header says the map has 187 entries.
const GIGABYTE: &str =
    include_str!("../../../../shared/fixtures/real/26-gigabyte-z77x-up5-ami-187-entries.txt");
/// The spec's S02 scenario as dmesg lines (11 descriptors, see scenarios.json).
const S02: &str = include_str!("../../samples/s02-esrt-middle.txt");

/// Starts job `id` loading `text`, as the loader does.
fn start(state: &AppState, id: u64, name: &str) -> AppState {
    let job = Job::Load {
        name: name.to_owned(),
    };
    reduce(state, Action::Started { id, job })
}

/// What the worker sends back for `text`: the loaded map, or the reason there is none.
fn result(id: u64, name: &str, text: &str, reservations: Vec<Reservation>) -> Action {
    let source = Source::original(name.to_owned(), text.as_bytes().into());
    let tune = |knobs: &mut Knobs| knobs.reservations.extend(reservations);
    Action::load_result(id, job::load(source, tune, |_| {}))
}

/// A whole load as the loader makes it: an efiviz SVG reopens its view; anything else is
/// started, then gets the worker's result.
fn load(state: &AppState, name: &str, text: &str) -> AppState {
    let id = state.pending.as_ref().map_or(1, |p| p.id + 1) + 100;
    match route(name, text.as_bytes()) {
        Route::Restore(view) => reduce(state, Action::Restore(view)),
        Route::Refuse(message) => reduce(state, Action::Failed { id: None, message }),
        Route::Parse => reduce(&start(state, id, name), result(id, name, text, Vec::new())),
    }
}

/// Everything a failed or cancelled job must leave as it was.
fn assert_work_kept(before: &AppState, after: &AppState) {
    assert!(
        match (&before.loaded, &after.loaded) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        },
        "the map"
    );
    assert_eq!(after.step, before.step, "the step");
    assert_eq!(after.mode, before.mode, "the mode");
    assert_eq!(after.view, before.view, "the zoom window");
    assert_eq!(after.selected, before.selected, "the selection");
    assert_eq!(after.knobs, before.knobs, "the knobs");
}

/// A loaded map with a view the user changed: step, mode, zoom, selection and a knob.
fn worked_on() -> AppState {
    let state = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let state = reduce(&state, Action::Step(Move::To(2)));
    let state = reduce(&state, Action::SetMode(KernelChoice::Both));
    let state = reduce(
        &state,
        Action::Zoom {
            factor: 4.0,
            anchor: 0.3,
        },
    );
    let state = reduce(&state, Action::SelectAdjacent(1));
    let knobs = Knobs {
        efi_debug: !state.knobs.efi_debug,
        ..state.knobs.clone()
    };
    resimulate(&state, 7, knobs)
}

/// A knob change: job `id` re-simulates the loaded map with `knobs`, as the worker would.
fn resimulate(state: &AppState, id: u64, knobs: Knobs) -> AppState {
    let input = &state.loaded.as_ref().expect("a loaded map").input;
    let story = Box::new(job::simulate(input, &knobs));
    let job = Job::Simulate {
        knobs: knobs.clone(),
    };
    let started = reduce(state, Action::Started { id, job });
    reduce(&started, Action::Simulated { id, story, knobs })
}

fn entry_count(state: &AppState) -> Option<usize> {
    let loaded = state.loaded.as_ref()?;
    Some(loaded.parsed.log.map.as_ref()?.descriptors.len())
}

#[test]
fn loading_a_real_map_replaces_the_state() {
    let state = load(&AppState::default(), "z77x.txt", GIGABYTE);
    assert_eq!(entry_count(&state), Some(187));
    assert_eq!(
        state.loaded.as_ref().map(|l| l.name.as_str()),
        Some("z77x.txt")
    );
    assert_eq!(state.error, None);
}

#[test]
fn input_without_a_map_keeps_the_previous_map_and_explains() {
    let good = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let zoomed = reduce(
        &good,
        Action::Zoom {
            factor: 4.0,
            anchor: 0.0,
        },
    );
    let after = load(&zoomed, "junk.bin", "\u{1}\u{2} not a map\n");
    assert_eq!(entry_count(&after), Some(187));
    assert_eq!(after.view, zoomed.view, "the view survives a failed load");
    let error = after.error.expect("an error message");
    assert!(
        error.starts_with("No EFI memory map found in junk.bin."),
        "{error}"
    );
}

#[test]
fn a_successful_load_clears_the_previous_error() {
    let failed = load(&AppState::default(), "junk.txt", "nothing\n");
    assert!(failed.error.is_some());
    assert_eq!(entry_count(&failed), None);
    let good = load(&failed, "z77x.txt", GIGABYTE);
    assert_eq!(good.error, None);
    assert_eq!(entry_count(&good), Some(187));
}

#[test]
fn a_failed_job_keeps_the_map_the_view_and_the_knobs() {
    let before = worked_on();
    assert!(before.selected.is_some() && before.step == 2 && before.mode == KernelChoice::Both);
    let junk = load(&before, "junk.bin", "\u{1}\u{2} not a map\n");
    assert_work_kept(&before, &junk);
    assert!(junk.pending.is_none());
    let unreadable = reduce(
        &start(&before, 9, "big.log"),
        Action::Failed {
            id: Some(9),
            message: "Could not read big.log: NotReadableError".to_owned(),
        },
    );
    assert_work_kept(&before, &unreadable);
    assert_eq!(
        unreadable.error.as_deref(),
        Some("Could not read big.log: NotReadableError")
    );
}

#[test]
fn an_input_over_the_limit_is_refused_naming_its_size_and_the_limit() {
    let before = worked_on();
    let message = job::refusal("journal.log", 300 << 20).expect("over the limit");
    assert!(
        message.starts_with(
            "journal.log is 300.0 MiB (314572800 bytes), over the 256.0 MiB limit of what efiviz reads."
        ),
        "{message}"
    );
    assert_eq!(job::refusal("journal.log", job::MAX_INPUT_BYTES), None);
    assert!(job::refusal("journal.log", job::MAX_INPUT_BYTES + 1).is_some());
    let after = reduce(&before, Action::Failed { id: None, message });
    assert_work_kept(&before, &after);
    assert!(after.error.is_some());
}

#[test]
fn cancelling_a_load_keeps_everything_and_ignores_its_late_replies() {
    let before = worked_on();
    let started = start(&before, 20, "huge.log");
    assert_eq!(
        started.pending.as_ref().map(|p| p.stage),
        Some(Stage::Reading)
    );
    let parsing = reduce(
        &started,
        Action::Progress {
            id: 20,
            stage: Stage::Parsing,
        },
    );
    assert_eq!(
        parsing.pending.as_ref().map(|p| p.stage),
        Some(Stage::Parsing)
    );
    let cancelled = reduce(&parsing, Action::Cancelled);
    assert_eq!(cancelled.pending, None);
    assert_work_kept(&before, &cancelled);
    // A reply the worker had already sent arrives after the cancel: ignored.
    let late = reduce(&cancelled, result(20, "huge.log", S02, Vec::new()));
    assert_work_kept(&before, &late);
    assert_eq!(entry_count(&late), Some(187));
}

#[test]
fn a_newer_load_supersedes_an_older_one() {
    let first = start(&AppState::default(), 1, "old.txt");
    let second = start(&first, 2, "new.txt");
    let stale = reduce(&second, result(1, "old.txt", GIGABYTE, Vec::new()));
    assert_eq!(
        entry_count(&stale),
        None,
        "the older job's result is dropped"
    );
    assert_eq!(stale.pending.as_ref().map(|p| p.id), Some(2));
    let stale_progress = reduce(
        &stale,
        Action::Progress {
            id: 1,
            stage: Stage::Simulating,
        },
    );
    assert_eq!(
        stale_progress.pending.as_ref().map(|p| p.stage),
        Some(Stage::Reading)
    );
    let done = reduce(&stale_progress, result(2, "new.txt", S02, Vec::new()));
    assert_eq!(entry_count(&done), Some(11));
    assert_eq!(done.pending, None);
}

#[test]
fn the_firmware_step_shows_the_scenario_descriptors_and_the_memmap_buffer() {
    let state = load(&AppState::default(), "s02", S02);
    let lane = state.lane(0, Kernel::New).expect("a lane");
    // S02: B0 (Boot Data) at 0x40000000, 0x10 pages, holds the ESRT.
    let bs = lane.region_at(0x4000_4f98).expect("the ESRT's region");
    assert_eq!((bs.start, bs.end), (0x4000_0000, 0x4001_0000));
    assert_eq!(bs.state, RegionState::BootServices);
    // The firmware buffer: memmap 0x2000018, 11 descriptors of 48 bytes.
    let buffer = lane.region_at(0x200_0018).expect("the memmap buffer");
    assert_eq!(
        (buffer.start, buffer.end),
        (0x200_0018, 0x200_0018 + 11 * 48)
    );
    assert_eq!(buffer.state, RegionState::MemmapBuffer);
}

#[test]
fn stepping_stays_within_the_steps() {
    let state = load(&AppState::default(), "s02", S02);
    let last = state.loaded.as_ref().map_or(0, |l| l.story.steps.len()) - 1;
    assert_eq!(state.step, last, "a new map opens at its last step");
    let first = reduce(&state, Action::Step(Move::First));
    assert_eq!(first.step, 0);
    assert_eq!(reduce(&first, Action::Step(Move::Previous)).step, 0);
    assert_eq!(reduce(&first, Action::Step(Move::Last)).step, last);
    assert_eq!(reduce(&first, Action::Step(Move::To(999))).step, last);
    let next = reduce(&first, Action::Step(Move::Next));
    assert_eq!(next.step, last.min(1));
}

#[test]
fn zoom_pan_and_fit_move_the_window_inside_the_axis() {
    let state = load(&AppState::default(), "s02", S02);
    let fit = state.view;
    assert_eq!(fit.lo, 0.0);
    let zoomed = reduce(
        &state,
        Action::Zoom {
            factor: 2.0,
            anchor: 0.0,
        },
    );
    assert!((zoomed.view.span() - fit.span() / 2.0).abs() < 1e-9);
    let panned = reduce(&zoomed, Action::Pan(0.5));
    assert!(panned.view.lo > zoomed.view.lo);
    assert_eq!(reduce(&panned, Action::Fit).view, fit);
    let to = reduce(
        &state,
        Action::ZoomTo {
            start: 0x4000_0000,
            end: 0x4001_0000,
        },
    );
    let axis = &state.loaded.as_ref().expect("loaded").story.axis;
    assert!(to.view.lo <= axis.x_of(0x4000_0000) && to.view.hi >= axis.x_of(0x4001_0000));
    assert!(to.view.span() < fit.span());
}

#[test]
fn compare_mode_interleaves_old_and_new_lanes() {
    let state = load(&AppState::default(), "s02", S02);
    let steps = state.loaded.as_ref().map_or(0, |l| l.story.steps.len());
    assert_eq!(state.rows().len(), steps);
    let compare = reduce(&state, Action::SetMode(KernelChoice::Both));
    let rows = compare.rows();
    assert_eq!(rows.len(), 2 * steps);
    assert_eq!(rows[0], (0, Kernel::Old));
    assert_eq!(rows[1], (0, Kernel::New));
    assert_eq!(compare.focus_kernel(), Kernel::New);
    assert_eq!(
        reduce(&compare, Action::SetMode(KernelChoice::Old)).focus_kernel(),
        Kernel::Old
    );
}

#[test]
fn hover_and_selection_are_kept_until_a_new_map_arrives() {
    let state = load(&AppState::default(), "s02", S02);
    let pick = Pick {
        step: 0,
        kernel: Kernel::New,
        addr: 0x4000_4f98,
    };
    let selected = reduce(&state, Action::Select(Some(pick)));
    assert_eq!(
        selected.region(pick).map(|r| r.label.as_str()),
        Some("Boot Data")
    );
    let hovered = reduce(&selected, Action::Hover(Some(pick)));
    assert_eq!(hovered.hovered, Some(pick));
    assert_eq!(hovered.selected, Some(pick));
    let reloaded = load(&hovered, "z77x.txt", GIGABYTE);
    assert_eq!((reloaded.selected, reloaded.hovered), (None, None));
}

#[test]
fn knobs_start_from_the_input_and_samples_add_their_reservations() {
    // The QEMU boot was captured with efi=debug (its meta.txt command line).
    let qemu = include_str!("../../../../shared/fixtures/truth/q35-1G-D/serial.log");
    let state = load(&AppState::default(), "q35", qemu);
    assert!(state.knobs.efi_debug);
    let plain = load(&state, "s02", S02);
    assert!(
        !plain.knobs.efi_debug,
        "a plain map does not inherit the previous input's knobs"
    );
    assert!(plain.knobs.reservations.is_empty());
    let esrt = Reservation {
        kind: ReservationKind::Esrt,
        addr: 0x4000_4f98,
        size: 56,
    };
    let sample = reduce(
        &start(&plain, 50, "sample"),
        result(50, "sample", S02, vec![esrt]),
    );
    assert_eq!(sample.knobs.reservations, [esrt]);
}

#[test]
fn changing_a_knob_resimulates_and_keeps_the_step() {
    let state = load(&AppState::default(), "s02", S02);
    let first = reduce(&state, Action::Step(Move::To(2)));
    let knobs = Knobs {
        efi_debug: true,
        ..first.knobs.clone()
    };
    let after = resimulate(&first, 3, knobs.clone());
    assert_eq!(after.knobs, knobs);
    assert_eq!(after.pending, None);
    assert_eq!(after.step, 2);
    assert!(!Rc::ptr_eq(
        after.loaded.as_ref().expect("loaded"),
        first.loaded.as_ref().expect("loaded")
    ));
}

#[test]
fn brackets_walk_the_regions_of_the_current_step() {
    let state = load(&AppState::default(), "s02", S02);
    let first = reduce(&state, Action::SelectAdjacent(1));
    // Nothing was selected: the first region in view, which starts at address 0 (mem00).
    let pick = first.selected.expect("a selection");
    assert_eq!(
        (pick.addr, pick.step, pick.kernel),
        (0, state.step, Kernel::New)
    );
    let second = reduce(&first, Action::SelectAdjacent(1));
    let lane = second.lane(second.step, Kernel::New).expect("lane");
    assert_eq!(second.selected.map(|p| p.addr), Some(lane.regions[1].start));
    let back = reduce(&second, Action::SelectAdjacent(-1));
    assert_eq!(back.selected.map(|p| p.addr), Some(0));
    // Before the first region there is nothing: the selection stays.
    assert_eq!(
        reduce(&back, Action::SelectAdjacent(-1)).selected,
        back.selected
    );
}

#[test]
fn selecting_past_the_window_moves_the_view_to_the_region() {
    let state = load(&AppState::default(), "s02", S02);
    let zoomed = reduce(
        &state,
        Action::ZoomTo {
            start: 0,
            end: 0x1000,
        },
    );
    let mut walked = reduce(&zoomed, Action::SelectAdjacent(1));
    for _ in 0..5 {
        walked = reduce(&walked, Action::SelectAdjacent(1));
    }
    let pick = walked.selected.expect("selection");
    let region = walked.region(pick).expect("region");
    let axis = &walked.loaded.as_ref().expect("loaded").story.axis;
    assert!(walked.view.lo <= axis.x_of(region.start) && axis.x_of(region.end) <= walked.view.hi);
}

#[test]
fn f_frames_the_selection_first_and_everything_second() {
    let state = load(&AppState::default(), "s02", S02);
    let fit = state.view;
    let pick = Pick {
        step: state.step,
        kernel: Kernel::New,
        addr: 0x4000_4f98,
    };
    let selected = reduce(&state, Action::Select(Some(pick)));
    let framed = reduce(&selected, Action::Fit);
    let region = framed.region(pick).expect("region");
    let axis = &framed.loaded.as_ref().expect("loaded").story.axis;
    assert!(framed.view.span() < fit.span());
    assert!(framed.view.lo <= axis.x_of(region.start) && axis.x_of(region.end) <= framed.view.hi);
    assert_eq!(reduce(&framed, Action::Fit).view, fit);
}

#[test]
fn the_theme_survives_loading_another_map() {
    let dark = reduce(&AppState::default(), Action::SetTheme(Theme::Dark));
    let loaded = load(&dark, "s02.txt", S02);
    assert_eq!(loaded.theme, Theme::Dark);
    assert_eq!(entry_count(&loaded), Some(11));
}

/// S02 in compare mode at SetVirtualAddressMap, zoomed, a region selected, efi=debug on.
fn shared_view() -> AppState {
    let state = load(&AppState::default(), "s02.txt", S02);
    let mut knobs = state.knobs.clone();
    knobs.efi_debug = !knobs.efi_debug;
    let mut state = resimulate(&state, 90, knobs);
    for action in [
        Action::SetMode(KernelChoice::Both),
        Action::Step(Move::To(3)),
        Action::Zoom {
            factor: 3.0,
            anchor: 0.4,
        },
    ] {
        state = reduce(&state, action);
    }
    let lane = state.lane(3, Kernel::Old).expect("step 3");
    let pick = Pick {
        step: 3,
        kernel: Kernel::Old,
        addr: lane.regions[2].start,
    };
    reduce(&state, Action::Select(Some(pick)))
}

fn assert_same_view(restored: &AppState, original: &AppState) {
    assert_eq!(restored.error, None);
    assert_eq!(restored.mode, original.mode);
    assert_eq!(restored.step, original.step);
    assert_eq!(restored.knobs, original.knobs);
    assert_eq!(restored.selected, original.selected);
    // The window travels as the addresses at its edges: the same to well under a pixel.
    let span = original.view.span();
    assert!((restored.view.lo - original.view.lo).abs() < span * 1e-6);
    assert!((restored.view.hi - original.view.hi).abs() < span * 1e-6);
    let (a, b) = (restored.loaded.as_ref(), original.loaded.as_ref());
    let (a, b) = (a.expect("restored map"), b.expect("original map"));
    assert_eq!(a.name, b.name);
    assert_eq!(a.bytes, b.bytes);
    for step in 0..b.story.steps.len() {
        for kernel in [Kernel::Old, Kernel::New] {
            let lanes = (restored.lane(step, kernel), original.lane(step, kernel));
            assert_eq!(lanes.0.map(|l| &l.regions), lanes.1.map(|l| &l.regions));
        }
    }
}

#[test]
fn a_link_reopens_exactly_the_view_it_was_made_from() {
    let original = shared_view();
    let fragment = efiviz_core::share::to_fragment(&original.view_state().expect("a view"));
    let view = efiviz_core::share::from_fragment(&fragment).expect("the link reads back");
    let restored = reduce(&AppState::default(), Action::Restore(Box::new(view)));
    assert_same_view(&restored, &original);
    // Reopened, it shares the same link again.
    let again = efiviz_core::share::to_fragment(&restored.view_state().expect("a view"));
    assert_eq!(again, fragment);
}

#[test]
fn restoring_replaces_whatever_was_open() {
    let original = shared_view();
    let view = original.view_state().expect("a view");
    let busy = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let restored = reduce(&busy, Action::Restore(Box::new(view)));
    assert_same_view(&restored, &original);
}

#[test]
fn a_frozen_version_1_link_still_opens() {
    // Written by an independent encoder (see docs/links.md): VirtualBox, compare mode, step 3.
    let link = include_str!("../../../crate-core/tests/data/share/v1-virtualbox.link");
    let view = efiviz_core::share::from_fragment(link.trim()).expect("v1 reads");
    let state = reduce(&AppState::default(), Action::Restore(Box::new(view)));
    assert_eq!(state.error, None);
    assert_eq!(state.mode, KernelChoice::Both);
    assert_eq!(state.step, 3);
    // The fixture's notes: 42 entries.
    assert_eq!(entry_count(&state), Some(42));
    assert_eq!(state.selected, None);
}

#[test]
fn an_exported_svg_dropped_back_reopens_its_view() {
    let original = shared_view();
    let view = original.view_state().expect("a view");
    let story = &original.loaded.as_ref().expect("loaded").story;
    let svg = efiviz_core::share::svg_figure(&view, story, 900).expect("renders");
    let dropped = load(&AppState::default(), "figure.svg", &svg);
    assert_same_view(&dropped, &original);
}

#[test]
fn an_svg_from_elsewhere_is_refused_and_the_map_kept() {
    let before = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>";
    let after = load(&before, "logo.svg", svg);
    assert_eq!(entry_count(&after), Some(187));
    let error = after.error.expect("an error");
    assert!(
        error.starts_with("logo.svg: this SVG carries no efiviz view"),
        "{error}"
    );
}

#[test]
fn a_broken_link_explains_and_keeps_the_map() {
    let before = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let problem = efiviz_core::share::from_fragment("v=2&step=x&in=AAAA").expect_err("broken");
    let after = reduce(&before, Action::RestoreFailed(problem.to_string()));
    assert_eq!(entry_count(&after), Some(187));
    let error = after.error.expect("an error");
    assert!(
        error.starts_with("This link could not be opened: "),
        "{error}"
    );
    assert!(error.contains("link field `in`"), "{error}");
}

#[test]
fn an_embedded_view_ignores_drops_pastes_and_knobs() {
    let view = ViewState {
        embed: true,
        ..shared_view().view_state().expect("a view")
    };
    let embedded = reduce(&AppState::default(), Action::Restore(Box::new(view)));
    assert!(embedded.embed);
    let dropped = load(&embedded, "z77x.txt", GIGABYTE);
    assert_eq!(entry_count(&dropped), Some(11), "still S02");
    let knobs = Knobs {
        efi_debug: !embedded.knobs.efi_debug,
        ..embedded.knobs.clone()
    };
    let tuned = resimulate(&dropped, 91, knobs);
    assert_eq!(tuned.knobs, embedded.knobs);
    // Stepping and zooming still work: it is a live view, not a picture.
    let stepped = reduce(&tuned, Action::Step(Move::First));
    assert_eq!(stepped.step, 0);
}

#[test]
fn a_knob_change_shows_at_once_and_reverts_only_if_its_job_fails() {
    let before = load(&AppState::default(), "z77x.txt", GIGABYTE);
    let asked = Knobs {
        efi_debug: !before.knobs.efi_debug,
        ..before.knobs.clone()
    };
    let job = Job::Simulate {
        knobs: asked.clone(),
    };
    let running = reduce(&before, Action::Started { id: 5, job });
    assert_eq!(running.shown_knobs(), &asked, "while the worker works");
    assert_eq!(
        running.knobs, before.knobs,
        "the map is still the old run's"
    );
    let failed = Action::Failed {
        id: Some(5),
        message: "the worker stopped".to_owned(),
    };
    assert_eq!(reduce(&running, failed).shown_knobs(), &before.knobs);
    let done = resimulate(&before, 6, asked.clone());
    assert_eq!(done.shown_knobs(), &asked);
}
