//! Helpers shared by the test files: a segment builder and bounded decoding.
//!
//! Each test file uses only some of these, hence the `allow`.
#![allow(dead_code)]

use std::io::Write;

use tcp_header::{parse_options, HeaderError, TcpHeader, TcpOption};

/// The fields of a TCP segment, written out byte by byte by [`Segment::bytes`].
///
/// The data offset is computed from the options, which must already be padded to
/// a multiple of 4 bytes, as a real sender pads them.
#[derive(Clone, Debug, Default)]
pub struct Segment {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub reserved: u8,
    pub flags: u8,
    pub window: u16,
    pub checksum: u16,
    pub urgent_ptr: u16,
    pub options: Vec<u8>,
    pub payload: Vec<u8>,
}

impl Segment {
    /// The data offset this segment's header gets: 5 words plus the options.
    pub fn data_offset(&self) -> u8 {
        assert!(
            self.options.len().is_multiple_of(4) && self.options.len() <= 40,
            "test bug: options must be padded to a multiple of 4 and at most 40 bytes"
        );
        (5 + self.options.len() / 4) as u8
    }

    /// The segment on the wire: header fields big-endian, then options, then payload.
    pub fn bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&self.src_port.to_be_bytes());
        bytes.extend_from_slice(&self.dst_port.to_be_bytes());
        bytes.extend_from_slice(&self.seq.to_be_bytes());
        bytes.extend_from_slice(&self.ack.to_be_bytes());
        bytes.push(self.data_offset() << 4 | (self.reserved & 0x0f));
        bytes.push(self.flags);
        bytes.extend_from_slice(&self.window.to_be_bytes());
        bytes.extend_from_slice(&self.checksum.to_be_bytes());
        bytes.extend_from_slice(&self.urgent_ptr.to_be_bytes());
        bytes.extend_from_slice(&self.options);
        bytes.extend_from_slice(&self.payload);
        bytes
    }
}

/// A SYN exactly as Linux sends it when a client connects to 127.0.0.1:8080
/// (as `tcpdump -i lo -x` shows it): 20 fixed bytes and 20 bytes of options.
#[rustfmt::skip]
pub const LINUX_SYN: [u8; 40] = [
    0xbe, 0x7c,             // source port 48764 (an ephemeral port)
    0x1f, 0x90,             // destination port 8080
    0x5d, 0x2a, 0x11, 0xf3, // sequence number: the client's initial sequence number
    0x00, 0x00, 0x00, 0x00, // acknowledgment number: 0, the ACK flag is not set
    0xa0,                   // data offset 10 (10 × 4 = 40 bytes), reserved 0
    0x02,                   // flags: SYN
    0xff, 0xd7,             // window 65495
    0xfe, 0x30,             // checksum
    0x00, 0x00,             // urgent pointer
    0x02, 0x04, 0xff, 0xd7, // option MSS (kind 2, length 4): 65495
    0x04, 0x02,             // option SACK permitted (kind 4, length 2)
    0x08, 0x0a,             // option timestamps (kind 8, length 10):
    0x9a, 0x3c, 0x51, 0x0e, //   TSval
    0x00, 0x00, 0x00, 0x00, //   TSecr 0: nothing to echo yet
    0x01,                   // option NOP: pads so window scale ends on a word boundary
    0x03, 0x03, 0x07,       // option window scale (kind 3, length 3): shift 7
];

/// The timestamp value inside [`LINUX_SYN`].
pub const LINUX_SYN_TSVAL: u32 = 0x9a3c_510e;

/// Linux's usual options after the handshake: NOP, NOP, timestamps (12 bytes).
pub fn nop_nop_timestamps(value: u32, echo_reply: u32) -> Vec<u8> {
    let mut options = vec![0x01, 0x01, 0x08, 0x0a];
    options.extend_from_slice(&value.to_be_bytes());
    options.extend_from_slice(&echo_reply.to_be_bytes());
    options
}

/// How long one decoding call may take. The longest header is 60 bytes: a
/// decoder takes microseconds, so running out of time means a loop that never ends.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs `body` on its own thread and waits at most [`LIMIT`] for it.
///
/// A decoder stuck in a loop keeps running after its test has failed, and one
/// that pushes an option on every turn grows its list by gigabytes within
/// seconds. So when the deadline passes, the message is printed (as a failed
/// test) and the whole test binary stops at once, taking that thread with it.
fn bounded<T, F>(what: &str, hint: &str, body: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        testkit::within_hint(LIMIT, what, hint, body)
    }));
    match outcome {
        Ok(value) => value,
        Err(payload) => {
            let timed_out = payload
                .downcast_ref::<String>()
                .filter(|message| message.starts_with("no answer within"));
            if let Some(message) = timed_out {
                // Straight to stderr: the test harness holds back what a test
                // prints until the end of the run, which this run will not reach.
                let test = std::thread::current().name().unwrap_or("test").to_string();
                let _ = writeln!(
                    std::io::stderr(),
                    "\ntest {test} FAILED\n{message}\n\nstopping these tests now: \
                     the decoder is still looping (and allocating) on another thread"
                );
                std::process::exit(101);
            }
            // Any other panic was printed where it happened: pass it on.
            std::panic::resume_unwind(payload)
        }
    }
}

/// Runs `TcpHeader::parse` with a deadline, so a decoder that loops forever on
/// hostile bytes fails the test instead of hanging it (see [`bounded`]).
pub fn parse(bytes: &[u8]) -> Result<TcpHeader, HeaderError> {
    let bytes = bytes.to_vec();
    bounded(
        "TcpHeader::parse to return",
        "parse makes one pass over at most 60 bytes; a loop that never ends is in the \
         options: a NOP moves the position by 1, and a length of 0 or 1 never moves it \
         forward, refuse it",
        move || TcpHeader::parse(&bytes),
    )
}

/// Runs `parse_options` with a deadline (see [`bounded`]).
pub fn options(area: &[u8]) -> Result<Vec<TcpOption>, HeaderError> {
    let area = area.to_vec();
    bounded(
        "parse_options to return",
        "every step must move the position forward: by 1 after a NOP, by the length \
         after any other kind; a length of 0 or 1 would not, so refuse it \
         (BadOptionLength) before adding it",
        move || parse_options(&area),
    )
}

/// Runs `tcp_header::split` with a deadline (see [`bounded`]); returns the payload
/// as an owned Vec.
pub fn split(bytes: &[u8]) -> Result<(TcpHeader, Vec<u8>), HeaderError> {
    let bytes = bytes.to_vec();
    bounded(
        "tcp_header::split to return",
        "split parses the header once and slices the rest; a loop that never ends is in \
         the options: a NOP moves the position by 1, and a length of 0 or 1 never moves \
         it forward, refuse it",
        move || tcp_header::split(&bytes).map(|(header, payload)| (header, payload.to_vec())),
    )
}

/// Bytes that print as a byte string, `b"hello\n"`, with everything but printable
/// ASCII escaped (`\x02`), so a failure message shows which bytes came back
/// rather than a list of numbers.
#[derive(Clone, PartialEq, Eq)]
pub struct Escaped(pub Vec<u8>);

impl std::fmt::Debug for Escaped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// `bytes`, to be compared and printed as a byte string (see [`Escaped`]).
pub fn escaped(bytes: &[u8]) -> Escaped {
    Escaped(bytes.to_vec())
}
