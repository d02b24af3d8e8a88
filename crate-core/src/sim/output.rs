//! The scenarios.json-shaped summary of a simulation (fixtures/README.md), plus the
//! per-phase snapshots, events, log lines and invariants.
//!
//! Everything is serialised straight from the simulation, never through a
//! `serde_json::Value` tree: the CLI streams a 1M-descriptor document (gigabytes of JSON) to
//! stdout, and a tree of it would take tens of GiB.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::Simulation;
use super::events::Phase;
use super::machine::Source;
use super::memmap::{Allocator, Entry, Fate};
use super::ranges::{Range, coalesce};

/// A number written as a `0x…` string, as scenarios.json writes addresses.
struct Hex(u64);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:#x}", self.0))
    }
}

/// A JSON array of what the closure's iterator yields, produced while writing.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

fn ranges(r: &[Range]) -> impl Serialize + '_ {
    Seq(move || r.iter().map(|r| (Hex(r.start), Hex(r.end))))
}

/// One map entry: id, type, phys, pages, attr, then `extra` when given.
struct EntryJson<'a, X> {
    entry: &'a Entry,
    extra: Option<(&'static str, X)>,
}

impl<X: Serialize> Serialize for EntryJson<'_, X> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.entry;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &*e.id)?;
        m.serialize_entry("type", &e.desc.ty.display_name())?;
        m.serialize_entry("phys", &Hex(e.desc.phys))?;
        m.serialize_entry("pages", &Hex(e.desc.num_pages))?;
        m.serialize_entry("attr", &Hex(e.desc.attr.0))?;
        if let Some((key, value)) = &self.extra {
            m.serialize_entry(key, value)?;
        }
        m.end()
    }
}

fn plain_map(entries: &[Entry]) -> impl Serialize + '_ {
    Seq(move || {
        entries
            .iter()
            .map(|entry| EntryJson::<()> { entry, extra: None })
    })
}

fn tagged_map(entries: &[Entry]) -> impl Serialize + '_ {
    Seq(move || {
        entries.iter().map(|entry| EntryJson {
            entry,
            extra: Some(("kernel_tagged_runtime", entry.kernel_tagged)),
        })
    })
}

fn released(sim: &Simulation, source: Source) -> Vec<Range> {
    coalesce(
        sim.end()
            .released
            .iter()
            .filter(|r| r.source == source)
            .map(|r| r.range)
            .collect(),
    )
}

/// The fields of one `old`/`new` object of scenarios.json, with the same names, order and
/// formatting.
fn write_summary<M: SerializeMap>(o: &mut M, sim: &Simulation) -> Result<(), M::Error> {
    let reserve = sim.phase(Phase::Reserve);
    let end = sim.end();
    o.serialize_entry(
        "map_after_reserve_boot_services",
        &tagged_map(&sim.map_after_reserve_boot_services),
    )?;
    o.serialize_entry(
        "map_at_end_of_setup_arch",
        &tagged_map(&reserve.memmap.entries),
    )?;
    o.serialize_entry(
        "memblock_reserved_after_setup",
        &Seq(|| {
            reserve.memblock_reserved.iter().map(|r| {
                (
                    Hex(r.start),
                    Hex(r.end),
                    if r.is_kern() { "KERN" } else { "-" },
                )
            })
        }),
    )?;
    o.serialize_entry("trampoline", &end.trampoline.map(Hex))?;
    o.serialize_entry("free_at_mm_init", &ranges(&released(sim, Source::MmInit)))?;
    o.serialize_entry(
        "e820_final",
        &Seq(|| {
            end.e820
                .iter()
                .map(|e| (Hex(e.start), Hex(e.end), e.kind.name()))
        }),
    )?;
    let thirty_two = sim.config.bits == 32;
    o.serialize_entry(
        "svam_map",
        &Seq(|| {
            sim.svam.iter().flat_map(|s| s.passed()).map(|(entry, va)| {
                let virt = if thirty_two {
                    Value::String("__va/ioremap(phys)".into())
                } else {
                    va.map_or(Value::Null, |v| Value::String(format!("{v:#x}")))
                };
                EntryJson {
                    entry,
                    extra: Some(("virt", virt)),
                }
            })
        }),
    )?;
    o.serialize_entry("svam_size_arg", &sim.svam.as_ref().and_then(|s| s.size_arg))?;
    o.serialize_entry(
        "unmapped_after_svam",
        &Seq(|| {
            sim.unmapped
                .iter()
                .map(|(id, r)| (id, Hex(r.start), Hex(r.end)))
        }),
    )?;
    o.serialize_entry("freed_by_efi", &ranges(&released(sim, Source::EfiFree)))?;
    o.serialize_entry(
        "memmap_tail_freed",
        &ranges(&released(sim, Source::MemmapTail)),
    )?;
    o.serialize_entry("final_memmap", &plain_map(&end.memmap.entries))?;
    o.serialize_entry(
        "allocations",
        &Seq(|| {
            end.memmap.history.iter().filter_map(|b| {
                let (phase, alloc) = match (b.allocator, b.phase) {
                    (Allocator::Memblock, _) => ("reserve", "memblock"),
                    (Allocator::Buddy, Phase::Svam) if b.fate != Fate::Freed => {
                        ("svam", "buddy(final)")
                    }
                    (Allocator::Buddy, Phase::Unmap | Phase::Compact) => ("unmap/compact", "buddy"),
                    _ => return None,
                };
                Some((phase, alloc, b.bytes, b.phys.map(Hex)))
            })
        }),
    )?;
    o.serialize_entry("log", &sim.notes)?;
    o.serialize_entry("free_message", &sim.free_message)
}

/// The scenarios.json fields alone.
struct Summary<'a>(&'a Simulation);

impl Serialize for Summary<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_map(None)?;
        write_summary(&mut o, self.0)?;
        o.end()
    }
}

/// The fields of one `old`/`new` object of scenarios.json, as a JSON object (for tests).
pub fn summary_json(sim: &Simulation) -> Map<String, Value> {
    match serde_json::to_value(Summary(sim)) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    }
}

/// One variant: the summary plus the per-phase snapshots, events, kernel log lines, hazards
/// and invariants.
pub struct VariantJson<'a>(pub &'a Simulation);

impl Serialize for VariantJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sim = self.0;
        let mut o = s.serialize_map(None)?;
        write_summary(&mut o, sim)?;
        o.serialize_entry("phases", &sim.phases)?;
        o.serialize_entry("events", &sim.events)?;
        o.serialize_entry("log_lines", &sim.log_lines)?;
        o.serialize_entry("hazards", &sim.hazards)?;
        o.serialize_entry("invariants", sim.invariants())?;
        o.end()
    }
}

/// Writes `{ "old": …, "new": … }` for the simulations `sims` yields, in that order. Each is
/// serialised as soon as it is yielded, so a lazy iterator (simulate, write, drop) keeps only
/// one simulation in memory.
pub fn write_document<W, S>(w: W, sims: impl IntoIterator<Item = S>) -> serde_json::Result<()>
where
    W: std::io::Write,
    S: std::borrow::Borrow<Simulation>,
{
    let mut ser = serde_json::Serializer::new(w);
    let mut o = ser.serialize_map(None)?;
    for sim in sims {
        let sim = sim.borrow();
        o.serialize_entry(sim.kernel.name(), &VariantJson(sim))?;
    }
    o.end()
}
