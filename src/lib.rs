//! hopgen: compile trained Hopfield networks into bit-exact fixed-point hardware.
//!
//! The modules follow the data flow: `formats` (JSON in and out) → `validate`
//! (checked `network`s) → `quantize` (the fixed-point contract) → `model` (the
//! bit-exact reference) → `recall` (experiments) → `render` (pictures), with
//! `learn` producing weights from patterns and `cmd` holding one module per
//! subcommand.

pub mod bench;
pub mod cmd;
pub mod cosim;
pub mod error;
pub mod formats;
pub mod fpga;
pub mod fsutil;
pub mod learn;
pub mod model;
pub mod network;
pub mod protocol;
pub mod qor;
pub mod quantize;
pub mod recall;
pub mod render;
pub mod serial;
pub mod sim;
pub mod state;
pub mod synth;
pub mod tools;
pub mod validate;
pub mod verilog;

pub use error::{Error, InputError, InputErrorKind, Result};
