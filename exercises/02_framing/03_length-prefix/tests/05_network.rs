//! `read_frame` and `write_frame` over real loopback connections: chunked
//! writes, a peer that vanishes mid-frame, a peer that goes silent.

mod common;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{frames_by_hand, payloads, sample_payloads, End, Payload};
use length_prefix::{read_frame, write_frame};
use testkit::chaos::{self, Chunking};
use testkit::deadline::DEFAULT;
use testkit::{expect, net, within};

const MIB: usize = 1024 * 1024;

/// A frame echo server built on the code under test, one thread per client.
fn start_echo_server() -> SocketAddr {
    net::spawn_server(|listener| {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                while let Ok(Some(payload)) = read_frame(&mut stream, MIB) {
                    if write_frame(&mut stream, &payload, MIB).is_err() {
                        break;
                    }
                }
            });
        }
    })
    .addr()
}

/// Reads one frame with the standard library only, so that the client side of
/// these tests does not depend on the code under test.
fn read_frame_by_hand(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; 4];
    match stream.read_exact(&mut header) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let mut payload = vec![0; u32::from_be_bytes(header) as usize];
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

#[test]
fn frames_cross_a_connection_written_in_any_chunks() {
    let addr = start_echo_server();
    within(DEFAULT, "echoed frames", move || {
        let sample = sample_payloads();
        let request = frames_by_hand(&sample);
        for chunking in Chunking::ALL {
            let mut stream = net::connect(addr);
            if let Err(e) = chaos::write_chunked(&mut stream, &request, chunking) {
                panic!("sending frames in {chunking} failed: {e}");
            }
            stream.shutdown(Shutdown::Write).unwrap();
            let mut echoed = Vec::new();
            for _ in 0..sample.len() + 1 {
                match read_frame_by_hand(&mut stream) {
                    Ok(Some(payload)) => echoed.push(Payload(payload)),
                    Ok(None) => break,
                    Err(e) if net::is_timeout(&e) => panic!(
                        "the echo server went silent after {} frames, sent in {chunking}\n  \
                         hint: does read_frame keep reading until the whole header and \
                         payload are in, and does write_frame flush?",
                        echoed.len()
                    ),
                    Err(e) => panic!(
                        "reading the echoes failed after {} frames: {e}",
                        echoed.len()
                    ),
                }
            }
            expect::eq(
                &format!("the frames echoed by a server using read_frame/write_frame, sent in {chunking}"),
                &echoed,
                &payloads(&sample),
                "each read on a socket returns whatever has arrived: a piece of a frame, \
                 or several frames. read_frame must loop until its frame is complete",
            );
        }
    });
}

/// What one `read_frame` call returned, in a form tests can compare.
type Outcome = Result<Option<Vec<u8>>, End>;

/// Runs `read_frame` twice on the first connection to a fresh listener and
/// returns the two outcomes; `client` plays the peer.
fn server_reads(
    read_timeout: Option<Duration>,
    client: impl FnOnce(TcpStream) + Send + 'static,
) -> (Outcome, Outcome) {
    let (tx, rx) = mpsc::channel();
    let server = net::spawn_server(move |listener| {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(read_timeout).unwrap();
        let first = read_frame(&mut stream, MIB).map_err(|e| End::from(&e));
        let second = read_frame(&mut stream, MIB).map_err(|e| End::from(&e));
        let _ = tx.send((first, second));
    });
    client(net::connect(server.addr()));
    match rx.recv_timeout(DEFAULT) {
        Ok(outcomes) => outcomes,
        Err(_) => panic!(
            "the server thread gave no answer: read_frame panicked, or never returned\n  \
             hint: a read that returns 0 means the peer closed; stop there"
        ),
    }
}

#[test]
fn a_peer_that_closes_mid_frame_is_reported() {
    let (first, second) = within(
        DEFAULT,
        "read_frame on a connection closed mid-frame",
        || {
            server_reads(None, |mut client| {
                client
                    .write_all(&frames_by_hand(&[b"ok".to_vec()]))
                    .unwrap();
                client.write_all(b"\x00\x00\x00\x0aabcd").unwrap();
                // Dropping the stream closes it: the peer sees the end of the stream.
            })
        },
    );
    expect::eq(
        "the first read_frame",
        &first,
        &Ok(Some(b"ok".to_vec())),
        "a whole frame arrived before the peer left",
    );
    expect::eq(
        "the second read_frame: 4 of 10 payload bytes, then the peer closed",
        &second,
        &Err(End::TruncatedPayload {
            expected: 10,
            received: 4,
        }),
        "a read of 0 in the middle of a payload is a truncated frame, not a clean end",
    );
}

#[test]
fn a_peer_that_resets_mid_frame_is_reported() {
    let (first, second) = within(
        DEFAULT,
        "read_frame on a connection reset mid-frame",
        || {
            server_reads(None, |client| {
                (&client)
                    .write_all(b"\x00\x00\x00\x02ok\x00\x00\x00\x0aabcd")
                    .unwrap();
                // Linger 0: closing sends a reset (RST) instead of the normal FIN.
                socket2::SockRef::from(&client)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            })
        },
    );
    expect::eq(
        "the first read_frame",
        &first,
        &Ok(Some(b"ok".to_vec())),
        "a whole frame arrived before the peer left",
    );
    expect::that(
        matches!(
            second,
            Err(End::Io(_)) | Err(End::TruncatedPayload { expected: 10, .. })
        ),
        "the second read_frame, cut off by a reset, is an error",
        &second,
        "a reset arrives as an io::Error (ConnectionReset): pass it on as \
         FrameError::Io; never turn it into a frame or a clean end",
    );
}

#[test]
fn a_silent_peer_times_out_as_an_io_error() {
    let (first, _) = within(
        DEFAULT,
        "read_frame on a connection that goes silent",
        || {
            server_reads(Some(Duration::from_millis(50)), |client| {
                (&client).write_all(b"\x00\x00").unwrap();
                // Keep the connection open and silent until the server has given up.
                let mut client = client;
                let _ = client.read(&mut [0u8; 1]);
            })
        },
    );
    expect::that(
        matches!(
            first,
            Err(End::Io(io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
        ),
        "read_frame with a 50 ms read timeout, after 2 header bytes and silence",
        &first,
        "a read timeout is an io::Error of kind WouldBlock (or TimedOut): return it \
         as FrameError::Io. Retry only Interrupted, or a silent peer keeps the \
         server spinning forever",
    );
}
