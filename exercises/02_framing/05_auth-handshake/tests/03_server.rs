//! Step 3, the server: `server_handshake` over real loopback connections. The
//! right answer gets in and the connection carries on; a wrong key, a replayed
//! answer, a malformed answer and a silent or slow client are all turned away,
//! and the connection is closed behind them.
//!
//! The lesson: (lesson 02.5, 'The handshake on the wire') and
//! (lesson 02.5, 'Timeouts: the silent client and the slow one').
//!
//! The client here is the test's own, built from raw frames and the hmac crate,
//! so these tests do not depend on your `client_handshake` (step 4).

mod common;

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use auth_handshake::{frame, server_handshake, AuthError};
use common::{expect_refused, framed, hmac_sha256, send, Want, KEY, WRONG_KEY};
use testkit::chaos::{self, Chunking};
use testkit::{deadline, expect, net, server, within, within_hint};

/// Long enough that only a broken server ever reaches it.
const PATIENT: Duration = Duration::from_secs(2);

/// A read timeout the application set before the handshake, and gets back after.
const APPLICATION_TIMEOUT: Duration = Duration::from_secs(42);

// ---------------------------------------------------------------------------
// The server under test, and what it reports.

/// What one connection's `server_handshake` returned, seen from the server.
struct Outcome {
    /// `Err(message)` if `server_handshake` panicked.
    result: Result<Result<(), AuthError>, String>,
    /// The stream's read timeout right after the handshake.
    read_timeout_after: Option<Duration>,
    /// A second handle on the server's socket. The harness keeps it open until the
    /// test ends, so the client sees the connection closed only if
    /// `server_handshake` itself shuts it down.
    kept_open: Option<TcpStream>,
}

/// A server that runs `server_handshake(stream, KEY, timeout)` on every connection
/// (each on its own thread), reports each outcome, and after a success echoes one
/// application frame back as "echo: <frame>". Each connection's read timeout is
/// set to `preset` before the handshake, as an application might have set it.
struct Harness {
    addr: SocketAddr,
    outcomes: Receiver<Outcome>,
    kept_open: RefCell<Vec<TcpStream>>,
}

impl Harness {
    fn start(timeout: Duration) -> Harness {
        Harness::start_with_read_timeout(timeout, None)
    }

    fn start_with_read_timeout(timeout: Duration, preset: Option<Duration>) -> Harness {
        let key = common::key(KEY);
        let (tx, outcomes) = mpsc::channel();
        let server = net::spawn_server(move |listener| {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (tx, key) = (tx.clone(), key.clone());
                thread::spawn(move || {
                    stream.set_read_timeout(preset).unwrap();
                    // Caught without being printed: the test raises it once.
                    let result = server::quietly(|| server_handshake(&mut stream, &key, timeout))
                        .map_err(|failure| failure.located());
                    let accepted = matches!(result, Ok(Ok(())));
                    let read_timeout_after = stream.read_timeout().ok().flatten();
                    // After a panic, let the socket close as this thread ends, so
                    // the client sees end-of-file instead of a long silence.
                    let kept_open = match result {
                        Ok(_) => stream.try_clone().ok(),
                        Err(_) => None,
                    };
                    let _ = tx.send(Outcome {
                        result,
                        read_timeout_after,
                        kept_open,
                    });
                    if accepted {
                        echo_one_frame(&mut stream);
                    }
                });
            }
        });
        Harness {
            addr: server.addr(),
            outcomes,
            kept_open: RefCell::new(Vec::new()),
        }
    }

    fn connect(&self) -> TcpStream {
        net::connect(self.addr)
    }

    /// The next connection's outcome; a panic inside `server_handshake` fails the test.
    fn outcome(&self) -> Outcome {
        let mut outcome = self.outcomes.recv().expect("the test server stopped");
        if let Err(message) = &outcome.result {
            panic!("server_handshake panicked: {message}");
        }
        self.kept_open.borrow_mut().extend(outcome.kept_open.take());
        outcome
    }

    /// The handshake's result for the next connection.
    fn result(&self) -> Result<(), AuthError> {
        self.outcome().result.expect("checked in outcome()")
    }

    /// Reads the nonce frame the server opens with. If there is none, says why,
    /// including a panic on the server side.
    fn read_nonce(&self, stream: &mut TcpStream) -> Vec<u8> {
        let problem = match frame::read_frame(stream, 1024) {
            Ok(Some(nonce)) => {
                expect::eq(
                    "the length of the server's nonce",
                    &nonce.len(),
                    &32,
                    "server_handshake opens with a frame of NONCE_LEN = 32 random bytes",
                );
                return nonce;
            }
            Ok(None) => "the server closed the connection".to_string(),
            Err(err) => format!("reading the frame failed: {err}"),
        };
        if let Ok(Outcome {
            result: Err(message),
            ..
        }) = self.outcomes.recv_timeout(Duration::from_millis(500))
        {
            panic!("server_handshake panicked: {message}");
        }
        panic!(
            "the test waited for the server's nonce frame, but {problem}\n  \
             hint: server_handshake starts by writing one frame: 32 bytes from fresh_nonce()"
        );
    }
}

fn echo_one_frame(stream: &mut TcpStream) {
    if let Ok(Some(message)) = frame::read_frame(stream, 1024) {
        let _ = frame::write_frame(stream, &[b"echo: ".as_slice(), &message].concat());
    }
}

fn expect_ok_frame(stream: &mut TcpStream, what: &str) {
    let reply = frame::read_frame(stream, 1024);
    expect::eq(
        what,
        &format!("{reply:?}"),
        &format!("{:?}", Ok::<_, ()>(Some(b"OK".to_vec()))),
        "after a correct answer the server sends one frame holding exactly \"OK\"",
    );
}

/// Fails unless the server has closed the connection (end-of-file or a reset).
fn expect_closed(stream: &mut TcpStream, after: &str) {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ) => {}
        Ok(n) => panic!(
            "after {after}, the server should close the connection, but it sent {n} \
             more bytes: \"{}\"\n  hint: a failed handshake gets no \"OK\" and no reason, \
             just a closed connection",
            buf[..n].escape_ascii()
        ),
        Err(e) if net::is_timeout(&e) => panic!(
            "after {after}, the server should close the connection, but it stayed open \
             and silent for {} s\n  hint: shut the stream down (Shutdown::Both) before \
             server_handshake returns an error",
            net::IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("after {after}, reading from the server failed: {e}"),
    }
}

// ---------------------------------------------------------------------------
// The server side.

#[test]
fn the_right_answer_is_accepted_and_the_connection_carries_on() {
    within(
        deadline::DEFAULT,
        "a handshake with the right key, then one echoed message",
        || {
            let harness = Harness::start_with_read_timeout(PATIENT, Some(APPLICATION_TIMEOUT));
            let mut stream = harness.connect();
            let nonce = harness.read_nonce(&mut stream);
            send(&mut stream, &framed(&hmac_sha256(KEY, &nonce)));
            expect_ok_frame(&mut stream, "the server's verdict on a correct answer");
            let server = harness.outcome();
            expect::ok(
                "server_handshake for a client that knows the key",
                server.result.expect("checked"),
                "the answer is HMAC-SHA256(key, nonce); compare it with the tag \
                 compute_tag computes from the key's bytes and this nonce",
            );
            expect::eq(
                "the server stream's read timeout after a successful handshake \
                 (the application had set it to 42 s)",
                &server.read_timeout_after,
                &Some(APPLICATION_TIMEOUT),
                "server_handshake borrows the read timeout for its deadline: save what \
                 read_timeout() says first and put that value back on success, not None",
            );

            frame::write_frame(&mut stream, b"hello").unwrap();
            let reply = frame::read_frame(&mut stream, 1024);
            expect::eq(
                "the application's first message after the handshake",
                &format!("{reply:?}"),
                &format!("{:?}", Ok::<_, ()>(Some(b"echo: hello".to_vec()))),
                "the handshake must consume exactly its own frames and leave the rest of \
                 the stream to the application",
            );
        },
    );
}

#[test]
fn a_wrong_key_is_refused_and_the_connection_closed() {
    within(deadline::DEFAULT, "an answer made with a wrong key", || {
        let harness = Harness::start(PATIENT);
        let mut stream = harness.connect();
        let nonce = harness.read_nonce(&mut stream);
        send(&mut stream, &framed(&hmac_sha256(WRONG_KEY, &nonce)));
        expect_refused(
            "server_handshake for an answer made with the wrong key",
            &harness.result(),
            "a 32-byte answer that is not the tag of this nonce under the key means \
             the client does not know the key",
        );
        expect_closed(&mut stream, "an answer computed with the wrong key");
    });
}

#[test]
fn a_replayed_answer_is_refused() {
    within(
        deadline::DEFAULT,
        "replaying a recorded answer in a second session",
        || {
            let harness = Harness::start(PATIENT);

            // Session 1: a genuine client, whose answer an eavesdropper records.
            let mut first = harness.connect();
            let first_nonce = harness.read_nonce(&mut first);
            let recorded = hmac_sha256(KEY, &first_nonce);
            send(&mut first, &framed(&recorded));
            expect_ok_frame(&mut first, "the server's verdict on a correct answer");
            expect::ok(
                "server_handshake for a correct answer",
                harness.result(),
                "the first session is a genuine one and must be accepted",
            );

            // Session 2: the eavesdropper plays the recording back.
            let mut second = harness.connect();
            let second_nonce = harness.read_nonce(&mut second);
            expect::that(
                second_nonce != first_nonce,
                "the second session's nonce must differ from the first",
                &second_nonce,
                "a nonce is used once: draw a fresh one from the OS for every connection",
            );
            send(&mut second, &framed(&recorded));
            expect_refused(
                "server_handshake for an answer recorded in another session",
                &harness.result(),
                "compare with the tag of THIS session's nonce; a recorded answer belongs to \
             another nonce",
            );
            expect_closed(&mut second, "a replayed answer");
        },
    );
}

#[test]
fn every_session_gets_a_fresh_nonce() {
    within(
        deadline::DEFAULT,
        "collecting the nonces of 8 sessions",
        || {
            let harness = Harness::start(PATIENT);
            let mut nonces = HashSet::new();
            for _ in 0..8 {
                let mut stream = harness.connect();
                nonces.insert(harness.read_nonce(&mut stream));
                // Hang up without answering; the server sees end-of-file.
                drop(stream);
                let _ = harness.result();
            }
            expect::eq(
                "how many of 8 sessions' nonces are distinct",
                &nonces.len(),
                &8,
                "call fresh_nonce() inside server_handshake, once per connection; a nonce \
             that repeats lets an old answer be replayed",
            );
        },
    );
}

#[test]
fn answers_arriving_in_any_chunking_are_accepted() {
    for chunking in Chunking::ALL {
        within(
            deadline::DEFAULT,
            &format!("an answer sent in {chunking}"),
            move || {
                let harness = Harness::start(PATIENT);
                let mut stream = harness.connect();
                let nonce = harness.read_nonce(&mut stream);
                let answer = framed(&hmac_sha256(KEY, &nonce));
                chaos::write_chunked(&mut stream, &answer, chunking).unwrap();
                expect_ok_frame(
                    &mut stream,
                    &format!("the verdict on an answer sent in {chunking}"),
                );
                expect::ok(
                    &format!("server_handshake for a correct answer sent in {chunking}"),
                    harness.result(),
                    "one read is not one frame: read the 4-byte length, then exactly that \
                 many bytes (frame::read_frame does it)",
                );
            },
        );
    }
}

#[test]
fn malformed_answers_are_refused_without_panicking() {
    let mut cut_off = framed(&[7u8; 32]);
    cut_off.truncate(4 + 10);
    let cases: Vec<(&str, Vec<u8>, Want)> = vec![
        (
            "the length prefix 0xFFFFFFFF (4 GiB)",
            vec![0xff; 4],
            Want::Protocol,
        ),
        ("a 33-byte answer", framed(&[7u8; 33]), Want::Protocol),
        ("a 5-byte answer", framed(b"hello"), Want::Protocol),
        ("an empty answer frame", framed(b""), Want::Protocol),
        ("32 bytes of garbage", framed(&[0x5a; 32]), Want::Refused),
        (
            "an answer cut off after 10 of its 32 bytes",
            cut_off,
            Want::UnexpectedEof,
        ),
        (
            "a length prefix cut off after 2 bytes",
            vec![0, 0],
            Want::UnexpectedEof,
        ),
        (
            "end-of-file instead of an answer",
            vec![],
            Want::UnexpectedEof,
        ),
    ];
    for (what, bytes, want) in cases {
        within(
            deadline::DEFAULT,
            &format!("the server's reaction to {what}"),
            move || {
                let harness = Harness::start(Duration::from_secs(1));
                let mut stream = harness.connect();
                harness.read_nonce(&mut stream);
                send(&mut stream, &bytes);
                // Then the client stops sending: end-of-file for the server.
                let _ = stream.shutdown(Shutdown::Write);
                let result = harness.result();
                let (fits, hint) = match want {
                    Want::Protocol => (
                        matches!(result, Err(AuthError::Protocol(_))),
                        "an answer frame that is not exactly TAG_LEN bytes is a protocol error; \
                     read with a limit of TAG_LEN so a huge length prefix is refused \
                     before anything is allocated",
                    ),
                    Want::Refused => (
                        matches!(result, Err(AuthError::Refused)),
                        "32 bytes that do not match the tag: refuse",
                    ),
                    Want::UnexpectedEof => (
                        matches!(&result, Err(AuthError::Io(e)) if e.kind() == ErrorKind::UnexpectedEof),
                        "the client hung up before a whole answer arrived: that is \
                     AuthError::Io with ErrorKind::UnexpectedEof (a clean end-of-file \
                     from read_frame, Ok(None), is one too)",
                    ),
                };
                expect::that(
                    fits,
                    &format!("server_handshake given {what}: expected {want:?}"),
                    &result,
                    hint,
                );
                expect_closed(&mut stream, what);
            },
        );
    }
}

#[test]
fn a_silent_client_is_cut_off_by_the_timeout() {
    within_hint(
        deadline::DEFAULT,
        "a client that never answers, and a 100 ms timeout",
        "server_handshake is still waiting for an answer that never comes: before \
         reading the answer, give the socket a read timeout from the `timeout` argument",
        || {
            let harness = Harness::start(Duration::from_millis(100));
            let mut stream = harness.connect();
            harness.read_nonce(&mut stream);
            let started = Instant::now();
            let result = harness.result();
            let waited = started.elapsed();
            expect::that(
            matches!(result, Err(AuthError::TimedOut)),
            "server_handshake for a client that never answers: expected Err(AuthError::TimedOut)",
            &result,
            "set a read timeout on the socket before reading the answer; a read that \
             times out fails with ErrorKind::WouldBlock or TimedOut",
        );
            expect::that(
                waited < Duration::from_secs(2),
                "the server should give up about 100 ms after the nonce (the timeout it was given)",
                waited,
                "use the `timeout` argument, not a constant of your own",
            );
            expect_closed(&mut stream, "100 ms without an answer");
        },
    );
}

#[test]
fn a_client_that_trickles_its_answer_is_cut_off_by_the_timeout() {
    within_hint(
        deadline::DEFAULT,
        "a client sending one byte every 25 ms, and a 300 ms timeout",
        "server_handshake is still waiting for a slow client: the deadline is for the \
         whole answer, so before each read set the timeout to the time that is left",
        || {
            let harness = Harness::start(Duration::from_millis(300));
            let mut stream = harness.connect();
            let nonce = harness.read_nonce(&mut stream);
            let answer = framed(&hmac_sha256(KEY, &nonce));
            // The slow peer itself: 36 bytes at 25 ms each take about 0.9 s, three times
            // the timeout, yet no single read ever waits more than 25 ms.
            thread::spawn(move || {
                for byte in answer {
                    if stream.write_all(&[byte]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(25));
                }
            });
            let result = harness.result();
            expect::that(
                matches!(result, Err(AuthError::TimedOut)),
                "server_handshake for an answer trickled over 0.9 s with a 300 ms timeout: \
             expected Err(AuthError::TimedOut)",
                &result,
                "a socket read timeout restarts with every read, so a slow client can keep it \
             alive forever; compute a deadline once and, before each read, set the \
             timeout to the time that is left",
            );
        },
    );
}
