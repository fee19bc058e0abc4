//! Error types: user-facing input errors (which file, which JSON path, what was
//! expected, how to fix it) kept apart from internal errors (bugs, I/O on outputs).

use std::fmt;
use std::path::Path;

/// What kind of mistake an [`InputError`] describes; tests and callers match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputErrorKind {
    /// The file could not be read.
    Unreadable,
    /// The text is not valid JSON.
    Syntax,
    /// The `format` tag is missing or names another format.
    Format,
    /// A value has the wrong JSON type, or a required field is missing or unknown.
    Schema,
    /// A number is NaN, infinite or out of the f64 range.
    NotFinite,
    /// Sizes disagree: ragged rows, wrong lengths, neurons out of range.
    Shape,
    /// A value is outside its allowed set (pattern entries, bit widths, ...).
    Value,
    /// The weight matrix is not symmetric.
    Asymmetric,
    /// The weight matrix has a non-zero diagonal.
    Diagonal,
    /// A command-line option is out of range or inconsistent with the input.
    Option,
}

/// A mistake in something the user gave us, with everything needed to find and fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub kind: InputErrorKind,
    /// The file as the user named it (`None` for command-line options).
    pub file: Option<String>,
    /// JSON path inside the file, e.g. `weights[3][7]`.
    pub json_path: Option<String>,
    /// 1-based line and column where the JSON parser reported the problem.
    pub line_col: Option<(u32, u32)>,
    /// What is wrong, in one sentence.
    pub problem: String,
    /// How to fix it.
    pub hint: String,
}

impl InputError {
    pub fn new(kind: InputErrorKind, problem: impl Into<String>, hint: impl Into<String>) -> Self {
        InputError {
            kind,
            file: None,
            json_path: None,
            line_col: None,
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    /// Attaches the file the problem was found in.
    /// A bad command-line option: what is wrong, and how to fix it.
    pub fn option(problem: impl Into<String>, hint: impl Into<String>) -> Self {
        InputError::new(InputErrorKind::Option, problem, hint)
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.display().to_string());
        self
    }

    /// Attaches the JSON path of the offending value.
    pub fn at(mut self, json_path: impl Into<String>) -> Self {
        self.json_path = Some(json_path.into());
        self
    }

    pub fn at_line_col(mut self, line: usize, column: usize) -> Self {
        self.line_col = Some((line as u32, column as u32));
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place: Vec<String> = self.file.iter().chain(&self.json_path).cloned().collect();
        if let Some((line, col)) = self.line_col {
            let at = format!("(line {line}, column {col})");
            match place.last_mut() {
                Some(last) => *last = format!("{last} {at}"),
                None => place.push(at),
            }
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(": "))?;
        }
        write!(f, "{}", self.problem)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong; the message says where and how to fix it.
    #[error("{0}")]
    Input(Box<InputError>),
    /// Writing an output failed.
    #[error("cannot write {path}")]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An external tool failed (its output is in the message).
    #[error("{0}")]
    Tool(String),
    /// The RTL disagreed with the reference model: a bug in hopgen's generator.
    #[error("the RTL disagrees with the reference model: {0}")]
    Mismatch(String),
    /// A bug in hopgen: an invariant did not hold.
    #[error("internal error (please report): {0}")]
    Internal(String),
    /// A build that completed but does not fit its part or misses its clock.
    #[error("{0}")]
    Rejected(String),
    /// A board that does not answer, or answers wrongly (`hopgen run`).
    #[error("{0}")]
    Device(String),
}

impl From<InputError> for Error {
    fn from(err: InputError) -> Self {
        Error::Input(Box::new(err))
    }
}

impl From<crate::tools::ToolError> for Error {
    fn from(err: crate::tools::ToolError) -> Self {
        Error::Tool(err.to_string())
    }
}

impl Error {
    /// A bad command-line option (exit code 2): what is wrong, and how to fix it.
    pub fn option(problem: impl Into<String>, hint: impl Into<String>) -> Self {
        InputError::option(problem, hint).into()
    }

    /// The exit code the binary uses for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Output { .. } => 3,
            Error::Internal(_) => 4,
            Error::Mismatch(_) => 5,
            Error::Tool(_) => 6,
            Error::Rejected(_) => 7,
            Error::Device(_) => 8,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "1 entry", "3 entries": a count with the right form of its noun.
pub fn counted(count: usize, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count == 1 { singular } else { plural })
}
