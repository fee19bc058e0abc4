//! `hopgen-patterns/1`: the stored patterns a network learns (input of `hopgen train`)
//! and the probe files of `hopgen recall --probe`.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

pub const PATTERNS_FORMAT: &str = "hopgen-patterns/1";

/// A patterns file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPatterns {
    pub format: String,
    pub name: Option<String>,
    pub neurons: Option<i64>,
    pub shape: Option<Vec<i64>>,
    pub labels: Option<Vec<String>>,
    pub patterns: Option<Vec<RawPattern>>,
    pub meta: Option<serde_json::Value>,
}

/// One pattern as written: numbers (`[1, -1, ...]`) or text (`"+-+-"`, or an array
/// of row strings such as `["#..#", ".##."]` that is read row after row).
#[derive(Debug, Clone, PartialEq)]
pub enum RawPattern {
    Numbers(Vec<f64>),
    Rows(Vec<String>),
}

enum Cell {
    Number(f64),
    Row(String),
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl Visitor<'_> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("1, -1 or a row string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell::Row(v.to_string()))
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

impl<'de> Deserialize<'de> for RawPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PatternVisitor;
        impl<'de> Visitor<'de> for PatternVisitor {
            type Value = RawPattern;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a pattern: an array of 1/-1, a string of +/- characters, or an array of row strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPattern, E> {
                Ok(RawPattern::Rows(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPattern, A::Error> {
                let mut numbers = Vec::new();
                let mut rows = Vec::new();
                while let Some(cell) = seq.next_element::<Cell>()? {
                    match cell {
                        Cell::Number(x) => numbers.push(x),
                        Cell::Row(r) => rows.push(r),
                    }
                    if !numbers.is_empty() && !rows.is_empty() {
                        return Err(de::Error::custom(
                            "a pattern mixes numbers and strings; use one form per pattern",
                        ));
                    }
                }
                Ok(if rows.is_empty() {
                    RawPattern::Numbers(numbers)
                } else {
                    RawPattern::Rows(rows)
                })
            }
        }
        deserializer.deserialize_any(PatternVisitor)
    }
}

/// Renders a pattern set as a `hopgen-patterns/1` file, one `+`/`-` string per
/// pattern, fields in a fixed order.
pub fn to_json(set: &crate::network::PatternSet) -> String {
    let json = |v: &str| serde_json::to_string(v).expect("strings serialise");
    let mut out = format!("{{\n  \"format\": {},\n", json(PATTERNS_FORMAT));
    if let Some(name) = &set.name {
        out.push_str(&format!("  \"name\": {},\n", json(name)));
    }
    out.push_str(&format!("  \"neurons\": {},\n", set.n));
    if let Some((rows, cols)) = set.shape {
        out.push_str(&format!("  \"shape\": [{rows}, {cols}],\n"));
    }
    if !set.labels.is_empty() {
        let labels: Vec<String> = set.labels.iter().map(|l| json(l)).collect();
        out.push_str(&format!("  \"labels\": [{}],\n", labels.join(", ")));
    }
    let rows: Vec<String> = set
        .patterns
        .iter()
        .map(|p| format!("    {}", json(&p.to_pm_string())))
        .collect();
    out.push_str(&format!(
        "  \"patterns\": [\n{}\n  ]\n}}\n",
        rows.join(",\n")
    ));
    out
}
