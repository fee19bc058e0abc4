//! The host side of hopgen's UART protocol (docs/PROTOCOL.md): frames to send, a
//! decoder for the device's replies, and `Link`, which runs requests over any byte
//! stream. The same code talks to a board through a serial port (`hopgen run`) and to
//! the board top running in Verilator (the protocol tests).

use crate::fpga::top;
use crate::model::Status;
use crate::state::State;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

pub const HOST_SYNC: u8 = 0xA5;
pub const DEVICE_SYNC: u8 = 0x5A;
pub const T_PROBE: u8 = 0x01;
pub const T_INFO: u8 = 0x02;
pub const T_WEIGHTS: u8 = 0x03;
pub const T_RESULT: u8 = 0x81;
pub const T_INFO_REPLY: u8 = 0x82;
pub const T_WRITTEN: u8 = 0x83;
pub const T_ERROR: u8 = 0xE0;

/// CRC-8, polynomial 0x07, initial value 0, no reflection, no final XOR
/// (CRC-8/SMBUS; check value 0xF4 for "123456789").
pub fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |crc, &b| {
        (0..8).fold(crc ^ b, |c, _| {
            if c & 0x80 != 0 {
                (c << 1) ^ 0x07
            } else {
                c << 1
            }
        })
    })
}

/// A frame: sync, type, length (u16 LE), payload, CRC-8 over type, length and payload.
pub fn frame(sync: u8, kind: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u16;
    let mut out = vec![sync, kind];
    out.extend(len.to_le_bytes());
    out.extend_from_slice(payload);
    out.push(crc8(&out[1..]));
    out
}

/// Bytes holding N neurons: neuron 8k + j in bit j of byte k, padding bits 0.
pub fn state_bytes(state: &State) -> Vec<u8> {
    let mut out = vec![0u8; state.len().div_ceil(8)];
    for i in 0..state.len() {
        if state.get(i) {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

/// The state in `bytes` (padding bits ignored).
pub fn state_from_bytes(bytes: &[u8], n: usize) -> State {
    let mut state = State::all_minus(n);
    for i in 0..n {
        state.set(i, bytes[i / 8] >> (i % 8) & 1 == 1);
    }
    state
}

pub fn probe_frame(state: &State) -> Vec<u8> {
    frame(HOST_SYNC, T_PROBE, &state_bytes(state))
}

pub fn info_request() -> Vec<u8> {
    frame(HOST_SYNC, T_INFO, &[])
}

/// A WEIGHTS frame: `WEIGHTS_PER_FRAME` words from word `start` (fewer are padded with
/// zero words, which the device drops past its last word), each `word_bytes` bytes,
/// least significant first.
pub fn weights_frame(start: u32, words: &[Vec<u8>], word_bytes: usize) -> Vec<u8> {
    let mut payload = start.to_le_bytes().to_vec();
    for k in 0..top::WEIGHTS_PER_FRAME {
        let mut word = words.get(k).cloned().unwrap_or_default();
        word.resize(word_bytes, 0);
        payload.extend(word);
    }
    frame(HOST_SYNC, T_WEIGHTS, &payload)
}

/// The words of a `weights.mem` file (hex, most significant digit first, one word per
/// line) as little-endian byte strings of `word_bytes` bytes.
pub fn memory_words(text: &str, word_bytes: usize) -> Result<Vec<Vec<u8>>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let digits: Vec<u8> = line
                .chars()
                .rev()
                .map(|c| c.to_digit(16).map(|d| d as u8))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("line {}: {line:?} is not hexadecimal", i + 1))?;
            if digits.len() > 2 * word_bytes {
                return Err(format!("line {}: more than {word_bytes} bytes", i + 1));
            }
            let mut word: Vec<u8> = digits
                .chunks(2)
                .map(|pair| pair[0] | (pair.get(1).copied().unwrap_or(0) << 4))
                .collect();
            word.resize(word_bytes, 0);
            Ok(word)
        })
        .collect()
}

/// What the device says about itself (the INFO reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceInfo {
    pub version: u8,
    pub neurons: usize,
    pub weight_bits: u32,
    pub max_sweeps: u32,
    pub async_update: bool,
    pub folded: bool,
    /// The weights are written at run time (WEIGHTS frames).
    pub loadable: bool,
    /// The weights are in place (always, for weights that are initial contents).
    pub loaded: bool,
    pub design_id: u32,
    pub clock_hz: u32,
}

/// The device's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceError {
    Check,
    Length,
    UnknownType,
    Timeout,
    Busy,
    Framing,
    NotLoaded,
    Other(u8),
}

impl DeviceError {
    fn from_code(code: u8) -> Self {
        match code {
            1 => DeviceError::Check,
            2 => DeviceError::Length,
            3 => DeviceError::UnknownType,
            4 => DeviceError::Timeout,
            5 => DeviceError::Busy,
            6 => DeviceError::Framing,
            7 => DeviceError::NotLoaded,
            other => DeviceError::Other(other),
        }
    }

    pub fn describe(self) -> String {
        match self {
            DeviceError::Check => "check byte wrong".into(),
            DeviceError::Length => "length wrong for the frame type".into(),
            DeviceError::UnknownType => "unknown frame type".into(),
            DeviceError::Timeout => "frame incomplete (line idle too long)".into(),
            DeviceError::Busy => {
                "probe sent while another was pending (or weights while the core was busy)".into()
            }
            DeviceError::NotLoaded => "probe sent before the weights were loaded".into(),
            DeviceError::Framing => "bad stop bit inside a frame".into(),
            DeviceError::Other(c) => format!("unknown error code {c}"),
        }
    }
}

/// A device reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Result {
        state: State,
        sweeps: u32,
        status: Status,
    },
    Info(DeviceInfo),
    /// A WEIGHTS frame was written; `progress` words are loaded in order from word 0.
    Written {
        progress: u32,
    },
    Error {
        error: DeviceError,
        about: u8,
    },
}

/// Reassembles device frames from bytes; bytes before a sync byte are skipped.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Neurons, for decoding RESULT payloads (from INFO or the build's manifest).
    pub neurons: Option<usize>,
    /// Bytes discarded while looking for a frame (noise, or a frame with a bad CRC).
    pub skipped: usize,
}

/// A reply the host could not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("reply frame type {0:#04x} is unknown")]
    UnknownType(u8),
    #[error("reply frame of type {kind:#04x} has {len} payload bytes; expected {expected}")]
    Length {
        kind: u8,
        len: usize,
        expected: usize,
    },
    #[error("a RESULT arrived before the number of neurons was known")]
    NeuronsUnknown,
}

impl Decoder {
    pub fn new(neurons: Option<usize>) -> Self {
        Decoder {
            neurons,
            ..Decoder::default()
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame, if one has arrived. A frame whose check byte is wrong
    /// is skipped byte by byte (counted in `skipped`).
    pub fn next_reply(&mut self) -> Result<Option<Reply>, DecodeError> {
        loop {
            let start = self.buf.iter().position(|&b| b == DEVICE_SYNC);
            let start = start.unwrap_or(self.buf.len());
            self.skipped += start;
            self.buf.drain(..start);
            if self.buf.len() < 4 {
                return Ok(None);
            }
            let len = usize::from(u16::from_le_bytes([self.buf[2], self.buf[3]]));
            if !self.plausible_header(self.buf[1], len) {
                // A sync byte inside noise or inside a lost frame: resynchronise.
                self.skipped += 1;
                self.buf.remove(0);
                continue;
            }
            if self.buf.len() < len + 5 {
                return Ok(None);
            }
            let body = &self.buf[1..4 + len];
            if crc8(body) != self.buf[4 + len] {
                self.skipped += 1;
                self.buf.remove(0);
                continue;
            }
            let kind = self.buf[1];
            let payload = self.buf[4..4 + len].to_vec();
            self.buf.drain(..len + 5);
            return self.decode(kind, &payload).map(Some);
        }
    }

    /// True when a frame of this type may have this length, so a false sync byte never
    /// makes the decoder wait for a long bogus frame.
    fn plausible_header(&self, kind: u8, len: usize) -> bool {
        match kind {
            T_RESULT => match self.neurons {
                Some(n) => len == n.div_ceil(8) + 3,
                None => len <= crate::network::MAX_NEURONS / 8 + 3,
            },
            T_INFO_REPLY => len == top::INFO_BYTES,
            T_WRITTEN => len == 4,
            T_ERROR => len == 2,
            _ => false,
        }
    }

    fn decode(&mut self, kind: u8, p: &[u8]) -> Result<Reply, DecodeError> {
        let expect = |expected: usize| {
            if p.len() == expected {
                Ok(())
            } else {
                Err(DecodeError::Length {
                    kind,
                    len: p.len(),
                    expected,
                })
            }
        };
        match kind {
            T_RESULT => {
                let n = self.neurons.ok_or(DecodeError::NeuronsUnknown)?;
                let nb = n.div_ceil(8);
                expect(nb + 3)?;
                let status = match p[nb + 2] {
                    0 => Status::Converged,
                    1 => Status::Limit,
                    _ => Status::Cycle2,
                };
                Ok(Reply::Result {
                    state: state_from_bytes(&p[..nb], n),
                    sweeps: u32::from(u16::from_le_bytes([p[nb], p[nb + 1]])),
                    status,
                })
            }
            T_INFO_REPLY => {
                expect(top::INFO_BYTES)?;
                let u16_at = |i: usize| u16::from_le_bytes([p[i], p[i + 1]]);
                let u32_at = |i: usize| u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
                let flags = p[top::INFO_FLAGS_BYTE];
                let info = DeviceInfo {
                    version: p[0],
                    neurons: usize::from(u16_at(1)),
                    weight_bits: u32::from(p[3]),
                    max_sweeps: u32::from(u16_at(4)),
                    async_update: flags & top::INFO_ASYNC_FLAG != 0,
                    folded: flags & top::INFO_FOLDED_FLAG != 0,
                    loadable: flags & top::INFO_LOADABLE_FLAG != 0,
                    loaded: flags & top::INFO_LOADED_FLAG != 0,
                    design_id: u32_at(7),
                    clock_hz: u32_at(11),
                };
                self.neurons = Some(info.neurons);
                Ok(Reply::Info(info))
            }
            T_WRITTEN => {
                expect(4)?;
                Ok(Reply::Written {
                    progress: u32::from_le_bytes([p[0], p[1], p[2], p[3]]),
                })
            }
            T_ERROR => {
                expect(2)?;
                Ok(Reply::Error {
                    error: DeviceError::from_code(p[0]),
                    about: p[1],
                })
            }
            other => Err(DecodeError::UnknownType(other)),
        }
    }
}

/// Failures talking to a device.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no reply within {0:?} (is the board programmed with a hopgen bitstream, and is this its port?)")]
    Timeout(Duration),
    #[error("the device reported: {}", .0.describe())]
    Device(DeviceError),
    #[error("unexpected reply: {0}")]
    Unexpected(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("serial I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// A result as the device returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceResult {
    pub state: State,
    pub sweeps: u32,
    pub status: Status,
}

/// Requests and replies over a byte stream. Reads may return 0 bytes or time out
/// (`WouldBlock`/`TimedOut`); `Link` keeps reading until `timeout` has passed.
pub struct Link<R: Read, W: Write> {
    pub reader: R,
    pub writer: W,
    pub decoder: Decoder,
    pub timeout: Duration,
    /// How long to stay quiet after an ERROR reply before sending again, so the device
    /// has drained the bad frame (docs/PROTOCOL.md, host rules).
    pub error_pause: Duration,
}

/// The device drains a bad frame until its line has been idle for 20 ms; the host
/// waits that long and a margin after an ERROR reply.
pub const ERROR_PAUSE: Duration = Duration::from_millis(30);

impl<R: Read, W: Write> Link<R, W> {
    pub fn new(reader: R, writer: W, timeout: Duration) -> Self {
        Link {
            reader,
            writer,
            decoder: Decoder::new(None),
            timeout,
            error_pause: ERROR_PAUSE,
        }
    }

    /// Sends raw bytes (a frame, or anything for testing the device's error handling).
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        self.writer.write_all(bytes)?;
        self.writer.flush()?;
        Ok(())
    }

    /// The next reply, waiting at most `timeout`.
    pub fn receive(&mut self) -> Result<Reply, LinkError> {
        let deadline = Instant::now() + self.timeout;
        let mut chunk = [0u8; 256];
        loop {
            if let Some(reply) = self.decoder.next_reply()? {
                return Ok(reply);
            }
            if Instant::now() >= deadline {
                return Err(LinkError::Timeout(self.timeout));
            }
            match self.reader.read(&mut chunk) {
                Ok(0) => std::thread::sleep(Duration::from_millis(1)),
                Ok(k) => self.decoder.push(&chunk[..k]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Asks the device what it is.
    pub fn info(&mut self) -> Result<DeviceInfo, LinkError> {
        self.send(&info_request())?;
        match self.receive()? {
            Reply::Info(info) => Ok(info),
            Reply::Error { error, .. } => Err(LinkError::Device(error)),
            other => Err(LinkError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Loads the weights: one WEIGHTS frame after another from word 0, each sent
    /// again (up to 3 times, after `error_pause`) when the device reports an error;
    /// `progress` is told the words written so far. Returns the device's final count
    /// of loaded words.
    pub fn load_weights(
        &mut self,
        words: &[Vec<u8>],
        word_bytes: usize,
        progress: &dyn Fn(usize),
    ) -> Result<u32, LinkError> {
        let per_frame = top::WEIGHTS_PER_FRAME;
        let mut loaded = 0;
        for (k, block) in words.chunks(per_frame).enumerate() {
            let start = (k * per_frame) as u32;
            let frame = weights_frame(start, block, word_bytes);
            let mut attempts = 0;
            loaded = loop {
                self.send(&frame)?;
                match self.receive()? {
                    Reply::Written { progress } => break progress,
                    Reply::Error { error, .. } if attempts < 3 && error != DeviceError::Busy => {
                        attempts += 1;
                        std::thread::sleep(self.error_pause);
                    }
                    Reply::Error { error, .. } => return Err(LinkError::Device(error)),
                    other => return Err(LinkError::Unexpected(format!("{other:?}"))),
                }
            };
            let expected = start + per_frame as u32;
            if loaded != expected {
                return Err(LinkError::Unexpected(format!(
                    "after the WEIGHTS frame at word {start} the device counts {loaded} words loaded, not {expected}"
                )));
            }
            progress(((k + 1) * per_frame).min(words.len()));
        }
        Ok(loaded)
    }

    /// Runs one probe to its result.
    pub fn recall(&mut self, probe: &State) -> Result<DeviceResult, LinkError> {
        self.send(&probe_frame(probe))?;
        match self.receive()? {
            Reply::Result {
                state,
                sweeps,
                status,
            } => Ok(DeviceResult {
                state,
                sweeps,
                status,
            }),
            Reply::Error { error, .. } => Err(LinkError::Device(error)),
            other => Err(LinkError::Unexpected(format!("{other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    /// A device that answers each frame the host writes with the next scripted reply,
    /// and notes when each frame came.
    struct ScriptedDevice {
        replies: VecDeque<Vec<u8>>,
        out: Rc<RefCell<VecDeque<u8>>>,
        sent: Rc<RefCell<Vec<Instant>>>,
    }

    impl Write for ScriptedDevice {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.sent.borrow_mut().push(Instant::now());
            if let Some(reply) = self.replies.pop_front() {
                self.out.borrow_mut().extend(reply);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Queue(Rc<RefCell<VecDeque<u8>>>);

    impl Read for Queue {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let mut q = self.0.borrow_mut();
            let k = buf.len().min(q.len());
            for (slot, byte) in buf.iter_mut().zip(q.drain(..k)) {
                *slot = byte;
            }
            Ok(k)
        }
    }

    fn scripted(replies: Vec<Vec<u8>>) -> (Link<Queue, ScriptedDevice>, Rc<RefCell<Vec<Instant>>>) {
        let out = Rc::new(RefCell::new(VecDeque::new()));
        let sent = Rc::new(RefCell::new(Vec::new()));
        let device = ScriptedDevice {
            replies: replies.into(),
            out: out.clone(),
            sent: sent.clone(),
        };
        let link = Link::new(Queue(out), device, Duration::from_millis(200));
        (link, sent)
    }

    fn written(count: u32) -> Vec<u8> {
        frame(DEVICE_SYNC, T_WRITTEN, &count.to_le_bytes())
    }

    fn error_reply(code: u8) -> Vec<u8> {
        frame(DEVICE_SYNC, T_ERROR, &[code, T_WEIGHTS])
    }

    #[test]
    fn a_failed_weights_frame_is_sent_again_after_the_drain() {
        let words = vec![vec![0u8; 2]; 40];
        // Frame 1: a framing error (the device drains), then WRITTEN; frame 2: WRITTEN.
        let (mut link, sent) = scripted(vec![error_reply(6), written(32), written(64)]);
        link.error_pause = Duration::from_millis(50);
        let loaded = link.load_weights(&words, 2, &|_| {}).unwrap();
        assert_eq!(loaded, 64);
        let sent = sent.borrow();
        assert_eq!(sent.len(), 3, "frame 1 twice, frame 2 once");
        assert!(
            sent[1] - sent[0] >= Duration::from_millis(50),
            "resent {:?} after the error",
            sent[1] - sent[0]
        );
    }

    #[test]
    fn weights_frames_give_up_after_three_retries_and_never_retry_busy() {
        let words = vec![vec![0u8; 1]; 8];
        let (mut link, sent) = scripted(vec![error_reply(1); 4]);
        link.error_pause = Duration::ZERO;
        let err = link.load_weights(&words, 1, &|_| {}).unwrap_err();
        assert!(
            matches!(err, LinkError::Device(DeviceError::Check)),
            "{err}"
        );
        assert_eq!(sent.borrow().len(), 4);
        let (mut link, sent) = scripted(vec![error_reply(5)]);
        let err = link.load_weights(&words, 1, &|_| {}).unwrap_err();
        assert!(matches!(err, LinkError::Device(DeviceError::Busy)), "{err}");
        assert_eq!(sent.borrow().len(), 1);
    }

    #[test]
    fn crc8_check_value() {
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc8(&[]), 0);
    }

    #[test]
    fn frames_round_trip_through_the_decoder() {
        let mut state = State::all_minus(11);
        for i in [0, 3, 8, 10] {
            state.set(i, true);
        }
        let mut payload = state_bytes(&state);
        assert_eq!(payload, vec![0b0000_1001, 0b0000_0101]);
        payload.extend([7, 0, 1]);
        let mut d = Decoder::new(Some(11));
        d.push(&[0x00, 0x5A]); // noise, including a false sync byte
        d.push(&frame(DEVICE_SYNC, T_RESULT, &payload));
        let reply = d.next_reply().unwrap().unwrap();
        assert_eq!(
            reply,
            Reply::Result {
                state,
                sweeps: 7,
                status: Status::Limit
            }
        );
        assert_eq!(d.skipped, 2);
        assert_eq!(d.next_reply().unwrap(), None);
    }

    #[test]
    fn a_bad_check_byte_is_skipped() {
        let mut bad = frame(DEVICE_SYNC, T_ERROR, &[1, 1]);
        *bad.last_mut().unwrap() ^= 0xFF;
        let mut d = Decoder::new(None);
        d.push(&bad);
        d.push(&frame(DEVICE_SYNC, T_ERROR, &[5, 1]));
        assert_eq!(
            d.next_reply().unwrap(),
            Some(Reply::Error {
                error: DeviceError::Busy,
                about: 1
            })
        );
    }

    #[test]
    fn probe_frame_layout() {
        let mut state = State::all_minus(3);
        state.set(1, true);
        let f = probe_frame(&state);
        // The example in docs/PROTOCOL.md.
        assert_eq!(f, [0xA5, 0x01, 0x01, 0x00, 0b010, 0x73]);
    }
}
