//! Verilog output: a small typed AST (`ast`), its one pretty-printer (`print`), and
//! the one place where user-supplied names become legal identifiers (`names`).

pub mod ast;
pub mod names;
pub mod print;

pub use ast::*;
pub use names::legal_identifier;
pub use print::print_file;
