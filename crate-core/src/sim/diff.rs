//! OLD/NEW differences D1..D24 (spec §4.2) detected on one input, in a reviewer's words.

use serde::Serialize;

use super::Simulation;
use super::invariants::InvariantResult;

/// One difference the input triggers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub id: &'static str,
    pub title: &'static str,
    pub explanation: String,
}

/// The result of [`super::compare`].
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    pub invariants: Vec<InvariantResult>,
}

pub fn compare(_old: &Simulation, _new: &Simulation) -> Comparison {
    Comparison {
        differences: Vec::new(),
        invariants: Vec::new(),
    }
}
