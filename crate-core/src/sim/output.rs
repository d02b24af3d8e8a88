//! The scenarios.json-shaped summary of a simulation (fixtures/README.md), plus the
//! per-phase snapshots, events, log lines and invariants.

use serde_json::{Value, json};

use super::events::Phase;
use super::machine::Source;
use super::memmap::{Allocator, Entry, Fate};
use super::ranges::{Range, coalesce};
use super::{Comparison, Kernel, Simulation};

fn hex(x: u64) -> Value {
    Value::String(format!("{x:#x}"))
}

fn ranges(r: &[Range]) -> Value {
    Value::Array(
        r.iter()
            .map(|r| json!([hex(r.start), hex(r.end)]))
            .collect(),
    )
}

fn entry(e: &Entry) -> serde_json::Map<String, Value> {
    let mut o = serde_json::Map::new();
    o.insert("id".into(), Value::String(e.id.to_string()));
    o.insert("type".into(), Value::String(e.desc.ty.display_name()));
    o.insert("phys".into(), hex(e.desc.phys));
    o.insert("pages".into(), hex(e.desc.num_pages));
    o.insert("attr".into(), hex(e.desc.attr.0));
    o
}

fn tagged_map(entries: &[Entry]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| {
                let mut o = entry(e);
                o.insert("kernel_tagged_runtime".into(), Value::Bool(e.kernel_tagged));
                Value::Object(o)
            })
            .collect(),
    )
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

/// The fields of one `old`/`new` object of scenarios.json, with the same names and formatting.
pub fn summary_json(sim: &Simulation) -> serde_json::Map<String, Value> {
    let reserve = sim.phase(Phase::Reserve);
    let end = sim.end();
    let mut o = serde_json::Map::new();
    o.insert(
        "map_after_reserve_boot_services".into(),
        tagged_map(&sim.map_after_reserve_boot_services),
    );
    o.insert(
        "map_at_end_of_setup_arch".into(),
        tagged_map(&reserve.memmap.entries),
    );
    o.insert(
        "memblock_reserved_after_setup".into(),
        Value::Array(
            reserve
                .memblock_reserved
                .iter()
                .map(|r| {
                    json!([
                        hex(r.start),
                        hex(r.end),
                        if r.is_kern() { "KERN" } else { "-" }
                    ])
                })
                .collect(),
        ),
    );
    o.insert("trampoline".into(), end.trampoline.map_or(Value::Null, hex));
    o.insert(
        "free_at_mm_init".into(),
        ranges(&released(sim, Source::MmInit)),
    );
    o.insert(
        "e820_final".into(),
        Value::Array(
            end.e820
                .iter()
                .map(|e| json!([hex(e.start), hex(e.end), e.kind.name()]))
                .collect(),
        ),
    );
    let thirty_two = sim.config.bits == 32;
    o.insert(
        "svam_map".into(),
        Value::Array(
            sim.svam
                .iter()
                .flat_map(|s| s.entries.iter())
                .map(|(e, va)| {
                    let mut m = entry(e);
                    let virt = if thirty_two {
                        Value::String("__va/ioremap(phys)".into())
                    } else {
                        va.map_or(Value::Null, hex)
                    };
                    m.insert("virt".into(), virt);
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    o.insert(
        "svam_size_arg".into(),
        sim.svam
            .as_ref()
            .and_then(|s| s.size_arg)
            .map_or(Value::Null, Value::from),
    );
    o.insert(
        "unmapped_after_svam".into(),
        Value::Array(
            sim.unmapped
                .iter()
                .map(|(id, r)| json!([id, hex(r.start), hex(r.end)]))
                .collect(),
        ),
    );
    o.insert(
        "freed_by_efi".into(),
        ranges(&released(sim, Source::EfiFree)),
    );
    o.insert(
        "memmap_tail_freed".into(),
        ranges(&released(sim, Source::MemmapTail)),
    );
    o.insert(
        "final_memmap".into(),
        Value::Array(
            end.memmap
                .entries
                .iter()
                .map(|e| Value::Object(entry(e)))
                .collect(),
        ),
    );
    o.insert(
        "allocations".into(),
        Value::Array(
            end.memmap
                .history
                .iter()
                .filter_map(|b| {
                    let (phase, alloc) = match (b.allocator, b.phase) {
                        (Allocator::Memblock, _) => ("reserve", "memblock"),
                        (Allocator::Buddy, Phase::Svam) if b.fate != Fate::Freed => {
                            ("svam", "buddy(final)")
                        }
                        (Allocator::Buddy, Phase::Unmap | Phase::Compact) => {
                            ("unmap/compact", "buddy")
                        }
                        _ => return None,
                    };
                    Some(json!([
                        phase,
                        alloc,
                        b.bytes,
                        b.phys.map_or(Value::Null, hex)
                    ]))
                })
                .collect(),
        ),
    );
    o.insert("log".into(), json!(sim.notes));
    o.insert(
        "free_message".into(),
        sim.free_message
            .as_ref()
            .map_or(Value::Null, |s| Value::String(s.clone())),
    );
    o
}

/// The summary plus the per-phase snapshots, events, kernel log lines, hazards and invariants.
pub fn variant_json(sim: &Simulation) -> Value {
    let mut o = summary_json(sim);
    o.insert(
        "phases".into(),
        serde_json::to_value(&sim.phases).unwrap_or(Value::Null),
    );
    o.insert(
        "events".into(),
        serde_json::to_value(&sim.events).unwrap_or(Value::Null),
    );
    o.insert("log_lines".into(), json!(sim.log_lines));
    o.insert("hazards".into(), json!(sim.hazards));
    o.insert(
        "invariants".into(),
        serde_json::to_value(sim.invariants()).unwrap_or(Value::Null),
    );
    Value::Object(o)
}

/// `{ "old": …, "new": …, "comparison": … }` for whichever kernels were simulated.
pub fn document(sims: &[&Simulation], comparison: Option<&Comparison>) -> Value {
    let mut o = serde_json::Map::new();
    for s in sims {
        o.insert(
            match s.kernel {
                Kernel::Old => "old",
                Kernel::New => "new",
            }
            .into(),
            variant_json(s),
        );
    }
    if let Some(c) = comparison {
        o.insert(
            "comparison".into(),
            serde_json::to_value(c).unwrap_or(Value::Null),
        );
    }
    Value::Object(o)
}
