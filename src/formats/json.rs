//! Shared JSON parsing: format-tag check first, then a typed parse that records the
//! JSON path (`weights[3][7]`) and line/column of the first problem.

use crate::error::{InputError, InputErrorKind};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::Path;

/// The format tags hopgen knows, with what each file is for (used in hints).
const KNOWN_FORMATS: &[(&str, &str)] = &[
    (
        "hopgen-weights/1",
        "a weights file (the output of `hopgen train`)",
    ),
    (
        "hopgen-patterns/1",
        "a patterns file (the input of `hopgen train`)",
    ),
];

#[derive(Deserialize)]
struct FormatProbe {
    format: Option<serde_json::Value>,
}

/// Parses `text` as the record `T` whose `format` tag must equal `expected`.
pub fn parse_tagged<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    expected: &str,
) -> Result<T, InputError> {
    let first = text.trim_start().chars().next();
    if first != Some('{') {
        let problem = match first {
            None => "the file is empty".to_string(),
            Some(c) => format!("expected a JSON object starting with '{{', found '{c}'"),
        };
        return Err(InputError::new(
            InputErrorKind::Syntax,
            problem,
            format!("a {expected} file is one JSON object; see docs/FORMATS.md"),
        )
        .in_file(file));
    }
    // The tag decides which schema applies, so check it before any schema error.
    if let Ok(probe) = serde_json::from_str::<FormatProbe>(text) {
        check_format_tag(probe.format.as_ref(), expected).map_err(|e| e.in_file(file))?;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| from_serde_error(text, e).in_file(file))?;
    de.end().map_err(|e| {
        InputError::new(
            InputErrorKind::Syntax,
            "unexpected text after the end of the JSON object",
            "remove everything after the closing '}'",
        )
        .at_line_col(e.line(), e.column())
        .in_file(file)
    })?;
    Ok(value)
}

fn check_format_tag(found: Option<&serde_json::Value>, expected: &str) -> Result<(), InputError> {
    let found = match found {
        None => {
            return Err(InputError::new(
                InputErrorKind::Format,
                format!("missing the format tag; expected \"format\": \"{expected}\""),
                format!("add \"format\": \"{expected}\" as the first field of the object"),
            )
            .at("format"))
        }
        Some(serde_json::Value::String(s)) if s == expected => return Ok(()),
        Some(v) => v,
    };
    let hint = match found.as_str().and_then(describe_format) {
        Some(what) => format!("this is {what}; pass a {expected} file here instead"),
        None => format!("set \"format\": \"{expected}\" (see docs/FORMATS.md)"),
    };
    Err(InputError::new(
        InputErrorKind::Format,
        format!("format is {found}, expected \"{expected}\""),
        hint,
    )
    .at("format"))
}

fn describe_format(tag: &str) -> Option<&'static str> {
    KNOWN_FORMATS
        .iter()
        .find(|(known, _)| *known == tag)
        .map(|(_, what)| *what)
}

/// Turns a serde error into an [`InputError`] with path, line, column and a hint.
fn from_serde_error(text: &str, err: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = err.path().to_string();
    let inner = err.inner();
    let (line, column) = (inner.line(), inner.column());
    let raw = inner.to_string();
    let message = raw
        .rfind(" at line ")
        .map_or(raw.as_str(), |cut| &raw[..cut])
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected an integer");
    let (kind, problem, hint) = classify(text, line, column, inner.classify(), message);
    let mut error = InputError::new(kind, problem, hint);
    if !path.is_empty() && path != "?" && path != "." {
        error = error.at(path);
    }
    if line > 0 {
        error = error.at_line_col(line, column);
    }
    error
}

fn classify(
    text: &str,
    line: usize,
    column: usize,
    category: serde_json::error::Category,
    message: String,
) -> (InputErrorKind, String, String) {
    use serde_json::error::Category;
    let finite_hint = "weights and thresholds must be finite numbers; \
                       replace NaN/Infinity (e.g. from a division by zero in training) with a value";
    if let Some(token) = non_finite_token(text, line, column) {
        return (
            InputErrorKind::NotFinite,
            format!("{token} is not a finite number"),
            finite_hint.into(),
        );
    }
    match category {
        Category::Syntax if message == "number out of range" => (
            InputErrorKind::NotFinite,
            "number is too large for a 64-bit float".into(),
            finite_hint.into(),
        ),
        Category::Syntax | Category::Eof | Category::Io => (
            InputErrorKind::Syntax,
            format!("invalid JSON: {message}"),
            "fix the JSON syntax near that position (a missing comma, bracket or quote is the usual cause)".into(),
        ),
        Category::Data if message.starts_with("unknown field") => (
            InputErrorKind::Schema,
            message,
            "remove the field or fix its spelling; free-form data belongs under \"meta\"".into(),
        ),
        Category::Data => (
            InputErrorKind::Schema,
            message,
            "see docs/FORMATS.md for the expected type of each field".into(),
        ),
    }
}

/// Python's `json.dump` writes NaN and ±Infinity, which are not JSON; recognise them.
fn non_finite_token(text: &str, line: usize, column: usize) -> Option<&'static str> {
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let start = column.saturating_sub(2);
    let around = line_text.get(start..)?;
    ["-Infinity", "Infinity", "NaN"].into_iter().find(|token| {
        around.starts_with(token) || around.get(1..).is_some_and(|rest| rest.starts_with(token))
    })
}

/// Pretty JSON with two-space indentation where arrays of plain numbers, strings or
/// booleans stay on one line (a weight matrix reads as one row per line). Object
/// keys keep the value's order.
pub fn to_pretty_compact(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn is_scalar(v: &serde_json::Value) -> bool {
    !matches!(
        v,
        serde_json::Value::Array(_) | serde_json::Value::Object(_)
    )
}

fn write_value(out: &mut String, value: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    let pad = |d: usize| "  ".repeat(d);
    match value {
        Value::Array(items) if items.iter().all(is_scalar) => {
            let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
            out.push('[');
            out.push_str(&parts.join(", "));
            out.push(']');
        }
        Value::Array(items) => {
            out.push_str("[\n");
            for (k, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_value(out, item, depth + 1);
                out.push_str(if k + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (k, (key, item)) in map.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_value(out, item, depth + 1);
                out.push_str(if k + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_python_non_finite_tokens() {
        assert_eq!(non_finite_token("[1, NaN]", 1, 5), Some("NaN"));
        assert_eq!(non_finite_token("[1, -Infinity]", 1, 6), Some("-Infinity"));
        assert_eq!(non_finite_token("[1, Infinity]", 1, 5), Some("Infinity"));
        assert_eq!(non_finite_token("[1, x]", 1, 5), None);
    }
}
