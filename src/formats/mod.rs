//! Input and output file formats: `hopgen-weights/1` and `hopgen-patterns/1`.
//!
//! This layer only turns JSON text into raw, typed records (with precise errors
//! for syntax and schema mistakes) and raw records back into text; the checks
//! that need the whole file (sizes, symmetry, ±1 entries) live in `validate`.

mod json;
pub mod patterns;
pub mod weights;

pub use json::{parse_tagged, to_pretty_compact};
pub use patterns::{RawPattern, RawPatterns, PATTERNS_FORMAT};
pub use weights::{RawWeights, WEIGHTS_FORMAT};

use crate::error::{InputError, InputErrorKind};
use std::path::Path;

/// Reads a whole input file, turning I/O failures into a user error.
pub fn read_input(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| {
        InputError::new(
            InputErrorKind::Unreadable,
            format!("cannot read the file: {e}"),
            "check the path and that the file is readable UTF-8 text",
        )
        .in_file(path)
    })
}
