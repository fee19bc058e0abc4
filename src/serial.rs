//! Opening a board's serial port (8N1, no flow control) as a reader and a writer for
//! `protocol::Link`.

use crate::error::Error;
use std::io::{Read, Write};
use std::time::Duration;

/// The port's two directions.
pub type Port = (Box<dyn Read + Send>, Box<dyn Write + Send>);

/// Opens `path` at `baud`; reads return after at most 50 ms without data.
pub fn open(path: &str, baud: u32) -> Result<Port, Error> {
    let port = serialport::new(path, baud)
        .data_bits(serialport::DataBits::Eight)
        .parity(serialport::Parity::None)
        .stop_bits(serialport::StopBits::One)
        .flow_control(serialport::FlowControl::None)
        .timeout(Duration::from_millis(50))
        .open()
        .map_err(|e| {
            Error::Device(format!(
                "cannot open serial port {path}: {e}\n  hint: check the board is plugged in, \
                 pass --port (e.g. /dev/ttyUSB1 for an iCEBreaker), and that you may use it \
                 (group dialout)"
            ))
        })?;
    let writer = port
        .try_clone()
        .map_err(|e| Error::Device(format!("cannot use serial port {path}: {e}")))?;
    Ok((Box::new(port), Box::new(writer)))
}
