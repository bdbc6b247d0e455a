//! Step 4, the client: `client_handshake` against scripted fake servers that cut
//! their frames every way and misbehave, then against your own `server_handshake`.
//!
//! The lesson: (lesson 02.5, 'The handshake on the wire').

mod common;

use std::io::{ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use auth_handshake::{client_handshake, frame, server_handshake, AuthError};
use common::{expect_refused, framed, hmac_sha256, key, Want, KEY, WRONG_KEY};
use testkit::chaos::{self, Chunking};
use testkit::{deadline, expect, net, within};

// ---------------------------------------------------------------------------
// The client side, against scripted fake servers.

/// Runs `script` on the first connection to a fresh listener.
fn fake_server(script: impl FnOnce(TcpStream) + Send + 'static) -> SocketAddr {
    net::spawn_server(move |listener| {
        if let Ok((stream, _)) = listener.accept() {
            script(stream);
        }
    })
    .addr()
}

#[test]
fn the_client_reads_a_challenge_in_any_chunking() {
    for chunking in Chunking::ALL {
        within(
            deadline::DEFAULT,
            &format!("a challenge sent in {chunking}"),
            move || {
                let (answers, answer) = mpsc::channel();
                let nonce: Vec<u8> = (0..32).map(|i| i * 3 + 1).collect();
                let expected = hmac_sha256(KEY, &nonce);
                let addr = fake_server(move |mut stream| {
                    let _ = chaos::write_chunked(&mut stream, &framed(&nonce), chunking);
                    let got = frame::read_frame(&mut stream, 1024);
                    let _ = answers.send(format!("{got:?}"));
                    let _ = chaos::write_chunked(&mut stream, &framed(b"OK"), chunking);
                });
                let mut stream = net::connect(addr);
                let result = client_handshake(&mut stream, &key(KEY));
                let got = answer.recv_timeout(Duration::from_secs(1));
                expect::eq(
                    &format!("the answer frame the client sent to a challenge sent in {chunking}"),
                    &got,
                    &Ok(format!("{:?}", Ok::<_, ()>(Some(expected)))),
                    "answer with one frame holding compute_tag(key, &nonce)",
                );
                expect::ok(
                    &format!("client_handshake with a challenge and \"OK\" sent in {chunking}"),
                    result,
                    "read whole frames with frame::read_frame, never assume one read is one frame",
                );
            },
        );
    }
}

#[test]
fn the_client_reports_a_server_that_hangs_up_as_a_refusal() {
    within(
        deadline::DEFAULT,
        "a server that closes after the answer",
        || {
            let addr = fake_server(|mut stream| {
                let _ = frame::write_frame(&mut stream, &[1u8; 32]);
                let _ = frame::read_frame(&mut stream, 1024);
                // Refuse: close without a word.
            });
            let mut stream = net::connect(addr);
            expect_refused(
                "client_handshake when the server closes after the answer",
                &client_handshake(&mut stream, &key(KEY)),
                "end-of-file (Ok(None) from read_frame) where \"OK\" should be means refused",
            );
        },
    );
}

#[test]
fn the_client_rejects_a_malformed_challenge_or_verdict() {
    let short_nonce = framed(&[1u8; 16]);
    let bad_verdict = [framed(&[1u8; 32]), framed(b"NO")].concat();
    let cases: Vec<(&str, Vec<u8>, Want)> = vec![
        ("a 16-byte nonce", short_nonce, Want::Protocol),
        (
            "a nonce with a length prefix of 4 GiB",
            vec![0xff; 4],
            Want::Protocol,
        ),
        (
            "the verdict \"NO\" instead of \"OK\"",
            bad_verdict,
            Want::Protocol,
        ),
        ("end-of-file before any nonce", vec![], Want::UnexpectedEof),
    ];
    for (what, bytes, want) in cases {
        within(
            deadline::DEFAULT,
            &format!("a server that sends {what}"),
            move || {
                let (done, finished) = mpsc::channel::<()>();
                let addr = fake_server(move |mut stream| {
                    let _ = stream.write_all(&bytes);
                    let _ = stream.shutdown(Shutdown::Write);
                    // Keep the socket open until the client is done, so the client sees
                    // exactly these bytes and then end-of-file, never a reset.
                    let _ = finished.recv_timeout(Duration::from_secs(3));
                });
                let mut stream = net::connect(addr);
                let result = client_handshake(&mut stream, &key(KEY));
                let _ = done.send(());
                let fits = match want {
                    Want::Protocol => matches!(result, Err(AuthError::Protocol(_))),
                    Want::UnexpectedEof => {
                        matches!(&result, Err(AuthError::Io(e)) if e.kind() == ErrorKind::UnexpectedEof)
                    }
                    Want::Refused => unreachable!(),
                };
                expect::that(
                    fits,
                    &format!("client_handshake when the server sends {what}: expected {want:?}"),
                    &result,
                    "the nonce must be exactly NONCE_LEN bytes (read it with that limit), the \
                 verdict exactly \"OK\"; end-of-file before the nonce is Io(UnexpectedEof)",
                );
            },
        );
    }
}

#[test]
fn the_client_reports_a_reset_as_a_refusal() {
    within(
        deadline::DEFAULT,
        "a server that resets the connection after the answer",
        || {
            let addr = fake_server(|mut stream| {
                let _ = frame::write_frame(&mut stream, &[1u8; 32]);
                // Wait until the whole 36-byte answer is here, then close without
                // reading it: unread data makes the kernel send a reset, not a FIN.
                let mut peek = [0u8; 36];
                while matches!(stream.peek(&mut peek), Ok(n) if n < peek.len()) {}
            });
            let mut stream = net::connect(addr);
            expect_refused(
                "client_handshake when the server resets the connection after the answer",
                &client_handshake(&mut stream, &key(KEY)),
                "a reset (ErrorKind::ConnectionReset) where \"OK\" should be is a refusal \
                 too: a server that hangs up on unread bytes resets the connection",
            );
        },
    );
}

#[test]
fn the_client_reports_a_silent_server_as_a_timeout() {
    within(
        deadline::DEFAULT,
        "a server that never gives its verdict, and a 100 ms read timeout",
        || {
            let (done, finished) = mpsc::channel::<()>();
            let addr = fake_server(move |mut stream| {
                let _ = frame::write_frame(&mut stream, &[1u8; 32]);
                let _ = frame::read_frame(&mut stream, 1024);
                // Say nothing, and keep the connection open until the client is done.
                let _ = finished.recv_timeout(Duration::from_secs(3));
            });
            let mut stream = net::connect(addr);
            stream
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let result = client_handshake(&mut stream, &key(KEY));
            let _ = done.send(());
            expect::that(
                matches!(result, Err(AuthError::TimedOut)),
                "client_handshake when the server stays silent where \"OK\" belongs \
                 (read timeout 100 ms): expected Err(AuthError::TimedOut)",
                &result,
                "only end-of-file and ConnectionReset mean refused; any other error, a \
                 read timeout included, converts with `?` (a timeout becomes TimedOut)",
            );
        },
    );
}

// ---------------------------------------------------------------------------
// Your client against your server.

/// A server that runs your `server_handshake` on one connection with `KEY`,
/// sends its result on the channel, and after a success echoes one frame.
fn real_server() -> (SocketAddr, mpsc::Receiver<Result<(), AuthError>>) {
    let server_key = key(KEY);
    let (tx, results) = mpsc::channel();
    let addr = fake_server(move |mut stream| {
        let result = server_handshake(&mut stream, &server_key, Duration::from_secs(2));
        let accepted = result.is_ok();
        let _ = tx.send(result);
        if accepted {
            if let Ok(Some(message)) = frame::read_frame(&mut stream, 1024) {
                let _ = frame::write_frame(&mut stream, &[b"echo: ".as_slice(), &message].concat());
            }
        }
    });
    (addr, results)
}

#[test]
fn the_client_and_the_server_agree_on_the_right_key() {
    within(
        deadline::DEFAULT,
        "client_handshake against server_handshake, one key",
        || {
            let (addr, results) = real_server();
            let mut stream = net::connect(addr);
            let client = client_handshake(&mut stream, &key(KEY));
            expect::ok(
                "client_handshake against server_handshake with the same key",
                client,
                "read the nonce frame, send its tag as one frame, then expect \"OK\"",
            );
            let server = results.recv_timeout(net::IO_TIMEOUT);
            expect::that(
                matches!(server, Ok(Ok(()))),
                "server_handshake's result for client_handshake with the same key",
                &server,
                "both sides compute HMAC-SHA256 of the nonce under the key's bytes",
            );
            frame::write_frame(&mut stream, b"hello").unwrap();
            let reply = frame::read_frame(&mut stream, 1024);
            expect::eq(
                "the application's first message after the handshake",
                &format!("{reply:?}"),
                &format!("{:?}", Ok::<_, ()>(Some(b"echo: hello".to_vec()))),
                "the client must read exactly its own frames, no more",
            );
        },
    );
}

#[test]
fn a_client_with_the_wrong_key_is_refused_on_both_sides() {
    within(
        deadline::DEFAULT,
        "client_handshake with a wrong key against server_handshake",
        || {
            let (addr, results) = real_server();
            let mut stream = net::connect(addr);
            let client = client_handshake(&mut stream, &key(WRONG_KEY));
            let server = results.recv_timeout(net::IO_TIMEOUT);
            expect::that(
                matches!(server, Ok(Err(AuthError::Refused))),
                "server_handshake's result for a client with the wrong key",
                &server,
                "the answer does not match: Refused",
            );
            expect_refused(
                "client_handshake when the server hangs up after the answer",
                &client,
                "the server refuses by closing the connection: end-of-file where \"OK\" \
                 should be is a refusal",
            );
        },
    );
}
