//! Bad input: every validation rule, each asserting the exact error text a user sees.

use hopgen::validate::{patterns_from_str, weights_from_str, LoadOptions};
use hopgen::InputErrorKind;
use std::path::Path;

fn weights_error(text: &str) -> (InputErrorKind, String) {
    weights_error_with(text, LoadOptions::default())
}

fn weights_error_with(text: &str, opts: LoadOptions) -> (InputErrorKind, String) {
    match weights_from_str(Path::new("w.json"), text, &opts) {
        Ok(_) => panic!("expected an error for {text}"),
        Err(e) => (e.kind, e.to_string()),
    }
}

fn patterns_error(text: &str) -> (InputErrorKind, String) {
    match patterns_from_str(Path::new("p.json"), text) {
        Ok(_) => panic!("expected an error for {text}"),
        Err(e) => (e.kind, e.to_string()),
    }
}

const HEAD: &str = r#""format": "hopgen-weights/1", "neurons": 2"#;

#[test]
fn malformed_json_names_line_and_column() {
    let text = format!("{{{HEAD},\n \"weights\": [[0, 1] [1, 0]]}}");
    let (kind, msg) = weights_error(&text);
    assert_eq!(kind, InputErrorKind::Syntax);
    assert_eq!(
        msg,
        "w.json: weights (line 2, column 21): invalid JSON: expected `,` or `]`\n  \
         hint: fix the JSON syntax near that position (a missing comma, bracket or quote is the usual cause)"
    );
}

#[test]
fn truncated_file() {
    let (kind, msg) = weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1]"));
    assert_eq!(kind, InputErrorKind::Syntax);
    assert!(msg.starts_with("w.json: "), "{msg}");
    assert!(
        msg.contains("invalid JSON: EOF while parsing a list"),
        "{msg}"
    );
}

#[test]
fn not_an_object() {
    let (kind, msg) = weights_error("[[0, 1], [1, 0]]");
    assert_eq!(kind, InputErrorKind::Syntax);
    assert_eq!(
        msg,
        "w.json: expected a JSON object starting with '{', found '['\n  \
         hint: a hopgen-weights/1 file is one JSON object; see docs/FORMATS.md"
    );
    let (_, msg) = weights_error("   ");
    assert!(msg.starts_with("w.json: the file is empty"), "{msg}");
}

#[test]
fn missing_format_tag() {
    let (kind, msg) = weights_error(r#"{"neurons": 1, "weights": [[0]]}"#);
    assert_eq!(kind, InputErrorKind::Format);
    assert_eq!(
        msg,
        "w.json: format: missing the format tag; expected \"format\": \"hopgen-weights/1\"\n  \
         hint: add \"format\": \"hopgen-weights/1\" as the first field of the object"
    );
}

#[test]
fn patterns_file_given_where_weights_expected() {
    let (kind, msg) =
        weights_error(r#"{"format": "hopgen-patterns/1", "neurons": 2, "patterns": ["+-"]}"#);
    assert_eq!(kind, InputErrorKind::Format);
    assert_eq!(
        msg,
        "w.json: format: format is \"hopgen-patterns/1\", expected \"hopgen-weights/1\"\n  \
         hint: this is a patterns file (the input of `hopgen train`); pass a hopgen-weights/1 file here instead"
    );
}

#[test]
fn unknown_format_tag() {
    let (_, msg) =
        weights_error(r#"{"format": "hopgen-weights/2", "neurons": 1, "weights": [[0]]}"#);
    assert_eq!(
        msg,
        "w.json: format: format is \"hopgen-weights/2\", expected \"hopgen-weights/1\"\n  \
         hint: set \"format\": \"hopgen-weights/1\" (see docs/FORMATS.md)"
    );
}

#[test]
fn neurons_missing_zero_or_too_large() {
    let (kind, msg) = weights_error(r#"{"format": "hopgen-weights/1", "weights": [[0]]}"#);
    assert_eq!(kind, InputErrorKind::Schema);
    assert_eq!(
        msg,
        "w.json: missing field `neurons` (the size of the weight matrix)\n  \
         hint: add \"neurons\"; see docs/FORMATS.md"
    );
    let (kind, msg) =
        weights_error(r#"{"format": "hopgen-weights/1", "neurons": 0, "weights": []}"#);
    assert_eq!(kind, InputErrorKind::Shape);
    assert_eq!(
        msg,
        "w.json: neurons: is 0, expected 1 to 16384\n  \
         hint: \"neurons\" is the number of neurons N; hopgen supports 1 ≤ N ≤ 16384"
    );
    let (_, msg) =
        weights_error(r#"{"format": "hopgen-weights/1", "neurons": 20000, "weights": []}"#);
    assert!(
        msg.starts_with("w.json: neurons: is 20000, expected 1 to 16384"),
        "{msg}"
    );
}

#[test]
fn neurons_of_the_wrong_type() {
    let (kind, msg) = weights_error(r#"{"format": "hopgen-weights/1", "neurons": 2.5}"#);
    assert_eq!(kind, InputErrorKind::Schema);
    assert_eq!(
        msg,
        "w.json: neurons (line 1, column 45): invalid type: floating point `2.5`, expected an integer\n  \
         hint: see docs/FORMATS.md for the expected type of each field"
    );
}

#[test]
fn ragged_and_non_square_matrices() {
    let (kind, msg) = weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1], [1]]}}"));
    assert_eq!(kind, InputErrorKind::Shape);
    assert_eq!(
        msg,
        "w.json: weights[1]: has 1 entry, expected 2\n  \
         hint: the weight matrix must be square: N rows of N numbers"
    );
    let (_, msg) = weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1]]}}"));
    assert_eq!(
        msg,
        "w.json: weights: has 1 row, expected 2 (the value of \"neurons\")\n  \
         hint: the weight matrix must be square: N rows of N numbers"
    );
}

#[test]
fn missing_weights() {
    let (kind, msg) = weights_error(&format!("{{{HEAD}}}"));
    assert_eq!(kind, InputErrorKind::Schema);
    assert_eq!(
        msg,
        "w.json: missing field `weights` (the n × n weight matrix)\n  \
         hint: add \"weights\"; see docs/FORMATS.md"
    );
}

#[test]
fn a_string_where_a_weight_belongs() {
    let (kind, msg) = weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1], [\"1\", 0]]}}"));
    assert_eq!(kind, InputErrorKind::Schema);
    assert_eq!(
        msg,
        "w.json: weights[1][0] (line 1, column 69): invalid type: string \"1\", expected a number\n  \
         hint: see docs/FORMATS.md for the expected type of each field"
    );
}

#[test]
fn non_finite_numbers() {
    for (token, shown) in [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
    ] {
        let (kind, msg) =
            weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1], [{token}, 0]]}}"));
        assert_eq!(kind, InputErrorKind::NotFinite, "{token}");
        assert!(
            msg.starts_with("w.json: weights[1][0] (line 1, column "),
            "{msg}"
        );
        assert!(
            msg.contains(&format!(": {shown} is not a finite number\n  hint: weights and thresholds must be finite numbers")),
            "{msg}"
        );
    }
    let (kind, msg) = weights_error(&format!("{{{HEAD}, \"weights\": [[0, 1e400], [1, 0]]}}"));
    assert_eq!(kind, InputErrorKind::NotFinite);
    assert!(
        msg.starts_with(
            "w.json: weights[0][1] (line 1, column 66): number is too large for a 64-bit float"
        ),
        "{msg}"
    );
}

#[test]
fn thresholds_of_the_wrong_length() {
    let (kind, msg) = weights_error(&format!(
        "{{{HEAD}, \"weights\": [[0, 1], [1, 0]], \"thresholds\": [0, 0, 0]}}"
    ));
    assert_eq!(kind, InputErrorKind::Shape);
    assert_eq!(
        msg,
        "w.json: thresholds: has 3 entries, expected 2 (the value of \"neurons\")\n  \
         hint: give exactly one entry per neuron, or fix \"neurons\""
    );
}

#[test]
fn unknown_field_suggests_meta() {
    let (kind, msg) = weights_error(&format!(
        "{{{HEAD}, \"weights\": [[0, 1], [1, 0]], \"threshold\": [0, 0]}}"
    ));
    assert_eq!(kind, InputErrorKind::Schema);
    assert!(
        msg.starts_with(
            "w.json: threshold (line 1, column 85): unknown field `threshold`, expected one of"
        ),
        "{msg}"
    );
    assert!(
        msg.ends_with(
            "hint: remove the field or fix its spelling; free-form data belongs under \"meta\""
        ),
        "{msg}"
    );
}

#[test]
fn asymmetric_weights() {
    let text = r#"{"format": "hopgen-weights/1", "neurons": 3,
        "weights": [[0, 0.5, 1], [0.25, 0, 1], [1, 1, 0]]}"#;
    let (kind, msg) = weights_error(text);
    assert_eq!(kind, InputErrorKind::Asymmetric);
    assert_eq!(
        msg,
        "w.json: weights[0][1]: is 0.5 but weights[1][0] is 0.25: the matrix is not symmetric \
         (1 pair differs by more than 1e-9 × max|w|; largest difference 0.25)\n  \
         hint: symmetrise it with (W + Wᵀ)/2, or pass --allow-asymmetric (energy descent is then not guaranteed)"
    );
    let opts = LoadOptions {
        allow_asymmetric: true,
        ..Default::default()
    };
    let loaded = weights_from_str(Path::new("w.json"), text, &opts).unwrap();
    assert_eq!(loaded.value.weight(0, 1), 0.5);
    assert_eq!(loaded.value.weight(1, 0), 0.25);
    assert_eq!(
        loaded.warnings,
        vec![
            "weights are asymmetric in 1 pair (largest |w_ij − w_ji| = 0.25); \
              energy descent and async convergence are not guaranteed"
        ]
    );
}

#[test]
fn near_symmetric_weights_become_exactly_symmetric() {
    let text = r#"{"format": "hopgen-weights/1", "neurons": 2,
        "weights": [[0, 0.30000000000000004], [0.3, 0]]}"#;
    let loaded = weights_from_str(Path::new("w.json"), text, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.value.weight(0, 1), loaded.value.weight(1, 0));
    assert!(loaded.warnings.is_empty());
}

#[test]
fn non_zero_diagonal() {
    let text = r#"{"format": "hopgen-weights/1", "neurons": 2, "weights": [[0, 1], [1, 0.5]]}"#;
    let (kind, msg) = weights_error(text);
    assert_eq!(kind, InputErrorKind::Diagonal);
    assert_eq!(
        msg,
        "w.json: weights[1][1]: is 0.5, but the diagonal must be zero (1 of 2 diagonal entries are non-zero)\n  \
         hint: pass --zero-diagonal to set them to 0, or zero them in your training script (w_ii = 0)"
    );
    let opts = LoadOptions {
        zero_diagonal: true,
        ..Default::default()
    };
    let loaded = weights_from_str(Path::new("w.json"), text, &opts).unwrap();
    assert_eq!(loaded.value.weight(1, 1), 0.0);
    assert_eq!(
        loaded.warnings,
        vec!["zeroed 1 non-zero diagonal entry (--zero-diagonal)"]
    );
}

#[test]
fn pattern_entries_must_be_plus_or_minus_one() {
    let text =
        format!("{{{HEAD}, \"weights\": [[0, 1], [1, 0]], \"patterns\": [[1, -1], [1, 0]]}}");
    let (kind, msg) = weights_error(&text);
    assert_eq!(kind, InputErrorKind::Value);
    assert_eq!(
        msg,
        "w.json: patterns[1][1]: is 0, expected 1 or -1\n  \
         hint: states are ±1 (write -1 for off); 0/1 is accepted only in string form, e.g. \"0110\""
    );
}

#[test]
fn pattern_strings_with_bad_characters_and_lengths() {
    let (kind, msg) =
        patterns_error(r#"{"format": "hopgen-patterns/1", "neurons": 4, "patterns": ["+-+x"]}"#);
    assert_eq!(kind, InputErrorKind::Value);
    assert_eq!(
        msg,
        "p.json: patterns[0]: character 4 is 'x', expected one of + 1 # (for +1) or - 0 . (for -1)\n  \
         hint: write each state as one of those characters, with no separators"
    );
    let (_, msg) = patterns_error(
        r##"{"format": "hopgen-patterns/1", "neurons": 4, "patterns": [["#.", "#"], ["#.", "x#"]]}"##,
    );
    assert!(
        msg.starts_with("p.json: patterns[0]: has 3 states, expected 4"),
        "{msg}"
    );
    let (kind, msg) = patterns_error(
        r##"{"format": "hopgen-patterns/1", "neurons": 4, "patterns": [["#.", "#."], ["#.", "x#"]]}"##,
    );
    assert_eq!(kind, InputErrorKind::Value);
    assert!(
        msg.starts_with("p.json: patterns[1][1]: character 1 is 'x'"),
        "{msg}"
    );
}

#[test]
fn pattern_mixing_numbers_and_strings() {
    let (kind, msg) =
        patterns_error(r#"{"format": "hopgen-patterns/1", "neurons": 2, "patterns": [[1, "+"]]}"#);
    assert_eq!(kind, InputErrorKind::Schema);
    assert!(
        msg.starts_with(
            "p.json: patterns[0] (line 1, column 67): a pattern mixes numbers and strings"
        ),
        "{msg}"
    );
}

#[test]
fn duplicate_patterns_warn() {
    let loaded = patterns_from_str(
        Path::new("p.json"),
        r##"{"format": "hopgen-patterns/1", "neurons": 3, "patterns": ["+-+", [1, 1, 1], "101", "#.#"]}"##,
    )
    .unwrap();
    assert_eq!(
        loaded.warnings,
        vec![
            "patterns[2] duplicates patterns[0]",
            "patterns[3] duplicates patterns[0]"
        ]
    );
    assert_eq!(loaded.value.patterns.len(), 4);
}

#[test]
fn labels_and_shape_must_fit() {
    let (kind, msg) = patterns_error(
        r#"{"format": "hopgen-patterns/1", "neurons": 2, "labels": ["a"], "patterns": ["+-", "-+"]}"#,
    );
    assert_eq!(kind, InputErrorKind::Shape);
    assert_eq!(
        msg,
        "p.json: labels: has 1 entry, expected 2 (one per pattern)\n  \
         hint: give one label per pattern, or remove \"labels\""
    );
    let (_, msg) = patterns_error(
        r#"{"format": "hopgen-patterns/1", "neurons": 6, "shape": [4, 2], "patterns": ["+-+-+-"]}"#,
    );
    assert_eq!(
        msg,
        "p.json: shape: is [4, 2], expected [rows, cols] with rows × cols = 6\n  \
         hint: shape only says how to draw a state as a picture; fix it or remove it"
    );
}

#[test]
fn row_strings_give_a_shape() {
    let loaded = patterns_from_str(
        Path::new("p.json"),
        r##"{"format": "hopgen-patterns/1", "neurons": 6, "patterns": [["#.#", ".#."]]}"##,
    )
    .unwrap();
    assert_eq!(loaded.value.shape, Some((2, 3)));
    assert_eq!(
        loaded.value.patterns[0].to_signs(),
        vec![1, -1, 1, -1, 1, -1]
    );
}
