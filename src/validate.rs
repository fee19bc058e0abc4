//! Validation: raw records from `formats` become checked [`Network`]s and
//! [`PatternSet`]s, or precise errors naming the JSON path and the fix.

use crate::error::{counted, InputError, InputErrorKind};
use crate::formats::{self, RawPattern, RawPatterns, RawWeights, PATTERNS_FORMAT, WEIGHTS_FORMAT};
use crate::network::{Network, PatternSet, MAX_NEURONS};
use crate::state::State;
use std::collections::HashMap;
use std::path::Path;

/// Relative tolerance for symmetry: |w_ij − w_ji| ≤ SYMMETRY_TOLERANCE · max|w|.
pub const SYMMETRY_TOLERANCE: f64 = 1e-9;

/// What the user allowed on the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Accept w_ij ≠ w_ji (energy descent is then not guaranteed).
    pub allow_asymmetric: bool,
    /// Set a non-zero diagonal to zero instead of rejecting the file.
    pub zero_diagonal: bool,
}

/// A loaded value with the warnings and notes found while checking it.
#[derive(Debug)]
pub struct Loaded<T> {
    pub value: T,
    pub warnings: Vec<String>,
}

pub fn load_weights(path: &Path, opts: &LoadOptions) -> Result<Loaded<Network>, InputError> {
    let text = formats::read_input(path)?;
    weights_from_str(path, &text, opts)
}

pub fn load_patterns(path: &Path) -> Result<Loaded<PatternSet>, InputError> {
    let text = formats::read_input(path)?;
    patterns_from_str(path, &text)
}

/// Parses and checks a weights file whose text is already in memory.
pub fn weights_from_str(
    file: &Path,
    text: &str,
    opts: &LoadOptions,
) -> Result<Loaded<Network>, InputError> {
    let raw: RawWeights = formats::parse_tagged(file, text, WEIGHTS_FORMAT)?;
    check_weights(raw, file, opts).map_err(|e| e.in_file(file))
}

/// Parses and checks a patterns file whose text is already in memory.
pub fn patterns_from_str(file: &Path, text: &str) -> Result<Loaded<PatternSet>, InputError> {
    let raw: RawPatterns = formats::parse_tagged(file, text, PATTERNS_FORMAT)?;
    check_pattern_file(raw).map_err(|e| e.in_file(file))
}

fn check_weights(
    raw: RawWeights,
    file: &Path,
    opts: &LoadOptions,
) -> Result<Loaded<Network>, InputError> {
    let n = check_neurons(raw.neurons, "the size of the weight matrix")?;
    let mut warnings = Vec::new();
    let rows = raw
        .weights
        .ok_or_else(|| missing("weights", "the n × n weight matrix"))?;
    let mut weights = check_matrix(rows, n)?;
    let thresholds = match raw.thresholds {
        None => vec![0.0; n],
        Some(t) if t.len() == n => t,
        Some(t) => return Err(length_mismatch("thresholds", t.len(), n)),
    };
    let (patterns, inferred_shape) =
        check_patterns(raw.patterns.unwrap_or_default(), n, &mut warnings)?;
    let labels = check_labels(raw.labels, patterns.len())?;
    let shape = check_shape(raw.shape, n)?.or(inferred_shape);
    check_diagonal(&mut weights, n, opts, &mut warnings)?;
    check_symmetry(&mut weights, n, opts, &mut warnings)?;
    let name = raw.name.unwrap_or_else(|| default_name(file));
    Ok(Loaded {
        value: Network {
            name,
            n,
            shape,
            weights,
            thresholds,
            patterns,
            labels,
            meta: raw.meta,
        },
        warnings,
    })
}

fn check_pattern_file(raw: RawPatterns) -> Result<Loaded<PatternSet>, InputError> {
    let n = check_neurons(raw.neurons, "the length of every pattern")?;
    let mut warnings = Vec::new();
    let list = raw
        .patterns
        .ok_or_else(|| missing("patterns", "the list of ±1 patterns"))?;
    let (patterns, inferred_shape) = check_patterns(list, n, &mut warnings)?;
    let labels = check_labels(raw.labels, patterns.len())?;
    let shape = check_shape(raw.shape, n)?.or(inferred_shape);
    Ok(Loaded {
        value: PatternSet {
            name: raw.name,
            n,
            shape,
            patterns,
            labels,
        },
        warnings,
    })
}

fn default_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "hopfield".to_string())
}

fn missing(field: &str, what: &str) -> InputError {
    InputError::new(
        InputErrorKind::Schema,
        format!("missing field `{field}` ({what})"),
        format!("add \"{field}\"; see docs/FORMATS.md"),
    )
}

fn length_mismatch(path: &str, found: usize, n: usize) -> InputError {
    InputError::new(
        InputErrorKind::Shape,
        format!(
            "has {}, expected {n} (the value of \"neurons\")",
            counted(found, "entry", "entries")
        ),
        "give exactly one entry per neuron, or fix \"neurons\"",
    )
    .at(path)
}

fn check_neurons(neurons: Option<i64>, role: &str) -> Result<usize, InputError> {
    let n = neurons.ok_or_else(|| missing("neurons", role))?;
    if n < 1 || n as u64 > MAX_NEURONS as u64 {
        return Err(InputError::new(
            InputErrorKind::Shape,
            format!("is {n}, expected 1 to {MAX_NEURONS}"),
            format!(
                "\"neurons\" is the number of neurons N; hopgen supports 1 ≤ N ≤ {MAX_NEURONS}"
            ),
        )
        .at("neurons"));
    }
    Ok(n as usize)
}

fn check_shape(shape: Option<Vec<i64>>, n: usize) -> Result<Option<(usize, usize)>, InputError> {
    let Some(shape) = shape else { return Ok(None) };
    match shape[..] {
        [rows, cols] if rows > 0 && cols > 0 && (rows as u64) * (cols as u64) == n as u64 => {
            Ok(Some((rows as usize, cols as usize)))
        }
        _ => Err(InputError::new(
            InputErrorKind::Shape,
            format!("is {shape:?}, expected [rows, cols] with rows × cols = {n}"),
            "shape only says how to draw a state as a picture; fix it or remove it",
        )
        .at("shape")),
    }
}

fn check_matrix(rows: Vec<Vec<f64>>, n: usize) -> Result<Vec<f64>, InputError> {
    if rows.len() != n {
        return Err(InputError::new(
            InputErrorKind::Shape,
            format!(
                "has {}, expected {n} (the value of \"neurons\")",
                counted(rows.len(), "row", "rows")
            ),
            "the weight matrix must be square: N rows of N numbers",
        )
        .at("weights"));
    }
    let mut flat = Vec::with_capacity(n * n);
    for (i, row) in rows.into_iter().enumerate() {
        if row.len() != n {
            return Err(InputError::new(
                InputErrorKind::Shape,
                format!(
                    "has {}, expected {n}",
                    counted(row.len(), "entry", "entries")
                ),
                "the weight matrix must be square: N rows of N numbers",
            )
            .at(format!("weights[{i}]")));
        }
        flat.extend(row);
    }
    Ok(flat)
}

fn check_diagonal(
    weights: &mut [f64],
    n: usize,
    opts: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<(), InputError> {
    let nonzero: Vec<usize> = (0..n).filter(|&i| weights[i * n + i] != 0.0).collect();
    let Some(&first) = nonzero.first() else {
        return Ok(());
    };
    if opts.zero_diagonal {
        for &i in &nonzero {
            weights[i * n + i] = 0.0;
        }
        warnings.push(format!(
            "zeroed {} non-zero diagonal entr{} (--zero-diagonal)",
            nonzero.len(),
            if nonzero.len() == 1 { "y" } else { "ies" }
        ));
        return Ok(());
    }
    Err(InputError::new(
        InputErrorKind::Diagonal,
        format!(
            "is {}, but the diagonal must be zero ({} of {n} diagonal entries are non-zero)",
            formats::weights::format_number(weights[first * n + first]),
            nonzero.len()
        ),
        "pass --zero-diagonal to set them to 0, or zero them in your training script (w_ii = 0)",
    )
    .at(format!("weights[{first}][{first}]")))
}

fn check_symmetry(
    weights: &mut [f64],
    n: usize,
    opts: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<(), InputError> {
    let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let tolerance = SYMMETRY_TOLERANCE * scale;
    let mut first = None;
    let mut count = 0usize;
    let mut largest = 0.0f64;
    for i in 0..n {
        for j in i + 1..n {
            let diff = (weights[i * n + j] - weights[j * n + i]).abs();
            if diff > tolerance {
                count += 1;
                largest = largest.max(diff);
                first.get_or_insert((i, j));
            } else if !opts.allow_asymmetric {
                // Within tolerance: make it exactly symmetric so w_q is symmetric too.
                let mean = (weights[i * n + j] + weights[j * n + i]) / 2.0;
                weights[i * n + j] = mean;
                weights[j * n + i] = mean;
            }
        }
    }
    let Some((i, j)) = first else { return Ok(()) };
    if opts.allow_asymmetric {
        warnings.push(format!(
            "weights are asymmetric in {} (largest |w_ij − w_ji| = {largest}); \
             energy descent and async convergence are not guaranteed",
            counted(count, "pair", "pairs")
        ));
        return Ok(());
    }
    let fmt = formats::weights::format_number;
    Err(InputError::new(
        InputErrorKind::Asymmetric,
        format!(
            "is {} but weights[{j}][{i}] is {}: the matrix is not symmetric \
             ({} {} by more than {SYMMETRY_TOLERANCE:e} × max|w|; largest difference {})",
            fmt(weights[i * n + j]),
            fmt(weights[j * n + i]),
            counted(count, "pair", "pairs"),
            if count == 1 { "differs" } else { "differ" },
            fmt(largest)
        ),
        "symmetrise it with (W + Wᵀ)/2, or pass --allow-asymmetric (energy descent is then not guaranteed)",
    )
    .at(format!("weights[{i}][{j}]")))
}

fn check_labels(labels: Option<Vec<String>>, count: usize) -> Result<Vec<String>, InputError> {
    match labels {
        None => Ok(Vec::new()),
        Some(l) if l.len() == count => Ok(l),
        Some(l) => Err(InputError::new(
            InputErrorKind::Shape,
            format!(
                "has {}, expected {count} (one per pattern)",
                counted(l.len(), "entry", "entries")
            ),
            "give one label per pattern, or remove \"labels\"",
        )
        .at("labels")),
    }
}

type CheckedPatterns = (Vec<State>, Option<(usize, usize)>);

/// Checks every pattern (length N, entries ±1), warns on duplicates, and infers a
/// drawing shape when the first pattern is written as equal-length row strings.
fn check_patterns(
    raw: Vec<RawPattern>,
    n: usize,
    warnings: &mut Vec<String>,
) -> Result<CheckedPatterns, InputError> {
    let inferred = raw.first().and_then(|p| match p {
        RawPattern::Rows(rows)
            if rows.len() > 1 && rows.iter().all(|r| r.len() == rows[0].len()) =>
        {
            Some((rows.len(), rows[0].len())).filter(|(r, c)| r * c == n)
        }
        _ => None,
    });
    let mut seen: HashMap<State, usize> = HashMap::new();
    let mut patterns = Vec::with_capacity(raw.len());
    for (p, pattern) in raw.iter().enumerate() {
        let signs = pattern_signs(pattern, p, n)?;
        let state = State::from_signs(&signs);
        if let Some(earlier) = seen.get(&state) {
            warnings.push(format!("patterns[{p}] duplicates patterns[{earlier}]"));
        } else {
            seen.insert(state.clone(), p);
        }
        patterns.push(state);
    }
    Ok((patterns, inferred))
}

fn pattern_signs(pattern: &RawPattern, p: usize, n: usize) -> Result<Vec<i8>, InputError> {
    let signs = match pattern {
        RawPattern::Numbers(values) => number_signs(values, p)?,
        RawPattern::Rows(rows) => text_signs(rows, p)?,
    };
    if signs.len() != n {
        return Err(InputError::new(
            InputErrorKind::Shape,
            format!(
                "has {} states, expected {n} (the value of \"neurons\")",
                signs.len()
            ),
            "every pattern gives exactly one state per neuron",
        )
        .at(format!("patterns[{p}]")));
    }
    Ok(signs)
}

fn number_signs(values: &[f64], p: usize) -> Result<Vec<i8>, InputError> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| match v {
            1.0 => Ok(1),
            -1.0 => Ok(-1),
            _ => Err(InputError::new(
                InputErrorKind::Value,
                format!("is {}, expected 1 or -1", formats::weights::format_number(v)),
                "states are ±1 (write -1 for off); 0/1 is accepted only in string form, e.g. \"0110\"",
            )
            .at(format!("patterns[{p}][{i}]"))),
        })
        .collect()
}

/// Characters meaning +1 and −1 in text patterns.
const PLUS_CHARS: [char; 3] = ['+', '1', '#'];
const MINUS_CHARS: [char; 3] = ['-', '0', '.'];

fn text_signs(rows: &[String], p: usize) -> Result<Vec<i8>, InputError> {
    let mut signs = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, ch) in row.chars().enumerate() {
            if PLUS_CHARS.contains(&ch) {
                signs.push(1);
            } else if MINUS_CHARS.contains(&ch) {
                signs.push(-1);
            } else {
                let path = if rows.len() == 1 {
                    format!("patterns[{p}]")
                } else {
                    format!("patterns[{p}][{r}]")
                };
                return Err(InputError::new(
                    InputErrorKind::Value,
                    format!(
                        "character {} is {ch:?}, expected one of + 1 # (for +1) or - 0 . (for -1)",
                        c + 1
                    ),
                    "write each state as one of those characters, with no separators",
                )
                .at(path));
            }
        }
    }
    Ok(signs)
}
