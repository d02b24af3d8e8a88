//! The messages between the page and its worker, encoded with postcard and sent as
//! transferred `ArrayBuffer`s (a copy of compact bytes instead of millions of JS objects).
//!
//! A result travels in pieces: a head with everything but the kernel steps, then each
//! kernel step ([`Reply::Part`]) with its regions and memmap cells in chunks of
//! [`CHUNK`] ([`Reply::More`]), then [`Reply::Done`]. The worker packs consecutive replies
//! into one message up to [`BATCH_BYTES`], so a small result arrives in one message and a
//! 100 000-entry map's in many, each decoded by the page in its own short task.

use efiviz_core::layout::{Kernel, KernelStep, Knobs, MemmapCell, Region, Reservation, Story};
use efiviz_core::parse::Parsed;
use efiviz_core::sim::SimInput;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::state::Stage;

/// The id of the worker's warm-up load at start; the page's jobs count from 1, so the
/// reducer ignores its replies.
pub const WARM_UP: u64 = 0;

/// The page asks the worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    /// Load the input sent along with the message: a `File` (read in the worker) or bytes.
    Load {
        id: u64,
        name: String,
        reservations: Vec<Reservation>,
    },
    /// Simulate the loaded map again with other knobs.
    Simulate {
        id: u64,
        input: Box<SimInput>,
        knobs: Knobs,
    },
}

/// The worker answers.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The worker's wasm is running; messages sent before this would be lost.
    Ready,
    Progress {
        id: u64,
        stage: Stage,
    },
    Failed {
        id: u64,
        message: String,
    },
    /// The head of a load's result; its story's kernel steps are empty and follow.
    Loaded {
        id: u64,
        name: String,
        parsed: Box<Parsed>,
        input: Box<SimInput>,
        knobs: Knobs,
        story: Box<Story>,
    },
    /// The head of a re-simulation's result, like `Loaded`.
    Simulated {
        id: u64,
        knobs: Knobs,
        story: Box<Story>,
    },
    /// The next kernel step of the result headed by the last `Loaded` or `Simulated`, its
    /// regions and cells left out.
    Part {
        id: u64,
        part: KernelStep,
    },
    /// More regions and memmap cells of the last part.
    More {
        id: u64,
        regions: Vec<Region>,
        cells: Vec<MemmapCell>,
    },
    /// The result is complete.
    Done {
        id: u64,
    },
}

/// Regions (or cells) per `More` piece: small enough that the page decodes one in a few
/// tens of milliseconds.
pub const CHUNK: usize = 4096;

/// The pieces that carry `part`: the step itself, then its regions and cells in chunks.
pub fn pieces(id: u64, mut part: KernelStep) -> impl Iterator<Item = Reply> {
    let mut regions = std::mem::take(&mut part.lane.regions).into_iter();
    let mut cells = std::mem::take(&mut part.memmap.cells).into_iter();
    let more = std::iter::from_fn(move || {
        let chunk: Vec<Region> = regions.by_ref().take(CHUNK).collect();
        let cell_chunk: Vec<MemmapCell> = cells.by_ref().take(CHUNK).collect();
        (!chunk.is_empty() || !cell_chunk.is_empty()).then_some(Reply::More {
            id,
            regions: chunk,
            cells: cell_chunk,
        })
    });
    std::iter::once(Reply::Part { id, part }).chain(more)
}

/// Adds the regions and cells of a `More` piece to `part`.
pub fn extend(part: &mut KernelStep, regions: Vec<Region>, cells: Vec<MemmapCell>) {
    part.lane.regions.extend(regions);
    part.memmap.cells.extend(cells);
}

impl Reply {
    /// The job a reply belongs to.
    pub fn id(&self) -> Option<u64> {
        match self {
            Self::Ready => None,
            Self::Progress { id, .. }
            | Self::Failed { id, .. }
            | Self::Loaded { id, .. }
            | Self::Simulated { id, .. }
            | Self::Part { id, .. }
            | Self::More { id, .. }
            | Self::Done { id } => Some(*id),
        }
    }
}

/// Bytes of replies the worker packs into one message before posting it: a few
/// milliseconds of decoding for the page, and a small result's every piece at once.
pub const BATCH_BYTES: usize = 1 << 20;

pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| format!("cannot encode a message: {e}"))
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("cannot decode a message: {e}"))
}

/// Decodes the first of the messages packed one after another in `batch`; returns it and
/// the rest.
pub fn decode_first<T: DeserializeOwned>(batch: &[u8]) -> Result<(T, &[u8]), String> {
    postcard::take_from_bytes(batch).map_err(|e| format!("cannot decode a message: {e}"))
}

/// The order kernel steps travel in: step by step, OLD then NEW.
const KERNELS: [Kernel; 2] = [Kernel::Old, Kernel::New];

/// Takes the kernel steps out of `story`, in travel order.
pub fn take_parts(story: &mut Story) -> Vec<KernelStep> {
    story
        .steps
        .iter_mut()
        .flat_map(|step| KERNELS.map(|k| std::mem::take(step.kernel_mut(k))))
        .collect()
}

/// Puts the parts back into `story` (the inverse of [`take_parts`]).
pub fn put_parts(story: &mut Story, parts: Vec<KernelStep>) {
    let mut parts = parts.into_iter();
    for step in &mut story.steps {
        for kernel in KERNELS {
            if let Some(part) = parts.next() {
                *step.kernel_mut(kernel) = part;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Source;
    use efiviz_core::layout::region::FACT_KEYS;

    /// The spec's S02 scenario (11 descriptors) with its ESRT reservation.
    const S02: &str = include_str!("../samples/s02-esrt-middle.txt");

    #[test]
    fn a_real_boot_log_with_e820_events_survives_the_trip() {
        let qemu = include_str!("../../../shared/fixtures/truth/q35-1G-D/serial.log");
        let source = Source::original("q35".to_owned(), qemu.as_bytes().into());
        let (loaded, _) = crate::job::load(source, |_| {}, |_| {}).expect("a map");
        assert!(
            !loaded.parsed.log.e820_events.is_empty(),
            "the fixture has e820 events"
        );
        let bytes = encode(&loaded.parsed).expect("encodes");
        let back: Parsed = decode(&bytes).expect("decodes");
        assert_eq!(back.log, loaded.parsed.log);
    }

    #[test]
    fn a_result_survives_the_trip_in_pieces() {
        let (loaded, knobs) = crate::job::load(
            Source::original("s02".to_owned(), S02.as_bytes().into()),
            |_| {},
            |_| {},
        )
        .expect("S02 has a map");
        let original = loaded.story.clone();
        let mut story = loaded.story;
        let parts = take_parts(&mut story);
        assert_eq!(parts.len(), 2 * story.steps.len());
        let head = Reply::Loaded {
            id: 4,
            name: loaded.name,
            parsed: Box::new(loaded.parsed.clone()),
            input: Box::new(loaded.input),
            knobs: knobs.clone(),
            story: Box::new(story),
        };
        let Ok(Reply::Loaded {
            id,
            parsed,
            knobs: sent_knobs,
            story: mut received,
            ..
        }) = decode(&encode(&head).expect("encodes"))
        else {
            panic!("the head decodes as a Loaded reply");
        };
        assert_eq!(
            (id, &parsed.log, &sent_knobs),
            (4, &loaded.parsed.log, &knobs)
        );
        // The report's private count of listed notes stays behind; what it shows travels.
        let shown = |p: &Parsed| (p.report.diagnostics.clone(), p.report.unlisted_info);
        assert_eq!(shown(&parsed), shown(&loaded.parsed));
        // A result this small travels packed in one message, as the worker sends it.
        let mut batch = Vec::new();
        for piece in parts.into_iter().flat_map(|part| pieces(4, part)) {
            batch.extend(encode(&piece).expect("encodes"));
        }
        assert!(batch.len() < BATCH_BYTES, "{} bytes", batch.len());
        let mut arrived: Vec<KernelStep> = Vec::new();
        let mut rest = batch.as_slice();
        while !rest.is_empty() {
            let (piece, tail) = decode_first(rest).expect("decodes");
            rest = tail;
            match piece {
                Reply::Part { id: 4, part } => arrived.push(part),
                Reply::More {
                    id: 4,
                    regions,
                    cells,
                } => {
                    assert!(regions.len() <= CHUNK && cells.len() <= CHUNK);
                    extend(arrived.last_mut().expect("a part first"), regions, cells);
                }
                other => panic!("a piece of job 4, got {other:?}"),
            }
        }
        put_parts(&mut received, arrived);
        assert_eq!(*received, original);
        // Fact names come back borrowed, not as one allocation per region.
        let lane = &received.steps[0].kernel(Kernel::New).lane;
        let keys = lane
            .regions
            .iter()
            .flat_map(|r| &r.facts)
            .map(|(key, _)| key);
        assert!(keys.clone().count() > 0);
        assert!(
            keys.clone()
                .all(|k| matches!(k, std::borrow::Cow::Borrowed(_)))
        );
    }

    #[test]
    fn large_kernel_steps_travel_in_chunks() {
        let regions: Vec<Region> = (0..CHUNK as u64 * 2 + 5)
            .map(|i| {
                Region::new(
                    i * 4096,
                    (i + 1) * 4096,
                    efiviz_core::layout::RegionState::FreeRam,
                    "x",
                )
            })
            .collect();
        let part = KernelStep {
            lane: efiviz_core::layout::Lane::new("big", regions.clone()),
            ..KernelStep::default()
        };
        let sizes: Vec<usize> = pieces(1, part)
            .map(|piece| match piece {
                Reply::Part { part, .. } => part.lane.regions.len(),
                Reply::More { regions, .. } => regions.len(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(sizes, [0, CHUNK, CHUNK, 5]);
    }

    #[test]
    fn every_fact_name_the_layout_uses_is_known() {
        let qemu = include_str!("../../../shared/fixtures/truth/q35-1G-D/serial.log");
        for text in [S02, qemu] {
            let (loaded, _) = crate::job::load(
                Source::original("t".to_owned(), text.as_bytes().into()),
                |_| {},
                |_| {},
            )
            .expect("a map");
            for step in &loaded.story.steps {
                for kernel in KERNELS {
                    for region in &step.kernel(kernel).lane.regions {
                        for (key, _) in &region.facts {
                            assert!(FACT_KEYS.contains(&key.as_ref()), "{key}");
                        }
                    }
                }
            }
        }
    }
}
