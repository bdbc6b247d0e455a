//! Step 5, receiving, over a real loopback TCP connection: several files on one
//! connection, and senders that vanish or go silent mid-body. These run last
//! because they need every step before them.

mod common;

use std::any::Any;
use std::fs;
use std::io::Write;
use std::net::Shutdown;
use std::panic;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use common::{bytes, expect_nothing_left, limits, source_file, transfer, Dest};
use file_transfer::{receive_file, send_file, TransferError};
use testkit::{deadline, expect, net, within};

/// A server that receives files from one connection until it ends or fails and
/// reports every outcome, as text, on the channel.
fn spawn_receiver(
    uploads: PathBuf,
    read_timeout: Duration,
) -> (net::Server, mpsc::Receiver<Result<PathBuf, String>>) {
    let (tx, rx) = mpsc::channel();
    let server = net::spawn_server(move |listener| {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(read_timeout)).unwrap();
        loop {
            // A panic becomes an outcome too, so the test shows it instead of
            // a bare "the channel is closed".
            let received = panic::catch_unwind(panic::AssertUnwindSafe(|| {
                receive_file(&mut stream, &uploads, &limits())
            }));
            let outcome = match received {
                Ok(Ok(path)) => Ok(path),
                Ok(Err(TransferError::Closed)) => break,
                Ok(Err(e)) => Err(format!("{e:?}")),
                Err(payload) => Err(format!("receive_file panicked: {}", panic_text(&payload))),
            };
            let failed = outcome.is_err();
            let _ = tx.send(outcome);
            if failed {
                break;
            }
        }
    });
    (server, rx)
}

fn panic_text(payload: &Box<dyn Any + Send>) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}

#[test]
fn files_cross_a_real_tcp_connection() {
    within(
        deadline::DEFAULT,
        "two files sent over loopback TCP",
        || {
            let dest = Dest::new();
            let (server, outcomes) = spawn_receiver(dest.uploads.clone(), net::IO_TIMEOUT);
            let first = bytes(300_000, 21);
            let (_a, path_a) = source_file("first.bin", &first);
            let (_b, path_b) = source_file("second.txt", b"second");

            let mut client = net::connect(server.addr());
            expect::ok(
                "send_file first.bin",
                send_file(&mut client, &path_a),
                "the sending step must pass first (tests 04_send)",
            );
            expect::ok(
                "send_file second.txt",
                send_file(&mut client, &path_b),
                "the sending step must pass first (tests 04_send)",
            );
            client.shutdown(Shutdown::Write).unwrap();

            for (name, body) in [("first.bin", &first[..]), ("second.txt", b"second")] {
                let outcome = outcomes.recv_timeout(net::IO_TIMEOUT);
                expect::eq(
                    &format!("the receiver's outcome for {name}"),
                    &outcome,
                    &Ok(Ok(dest.uploads.join(name))),
                    "the receiver must read both transfers from one connection",
                );
                expect::that(
                    fs::read(dest.uploads.join(name)).unwrap() == body,
                    &format!("contents of {name}"),
                    name,
                    "the saved file holds exactly the bytes sent",
                );
            }
            server.join_within(deadline::DEFAULT);
        },
    );
}

#[test]
fn a_sender_that_disconnects_mid_body_leaves_no_file() {
    within(
        deadline::DEFAULT,
        "a sender that drops the connection",
        || {
            let dest = Dest::new();
            let (server, outcomes) = spawn_receiver(dest.uploads.clone(), net::IO_TIMEOUT);
            let whole = transfer("dropped.bin", &bytes(200_000, 23));
            let mut client = net::connect(server.addr());
            client.write_all(&whole[..120_000]).unwrap();
            drop(client);
            let outcome = outcomes.recv_timeout(net::IO_TIMEOUT);
            expect::that(
                matches!(&outcome, Ok(Err(e)) if e.starts_with("TruncatedBody")),
                "the receiver's outcome when the sender vanishes mid-body",
                &outcome,
                "EOF before size bytes is TruncatedBody",
            );
            server.join_within(deadline::DEFAULT);
            expect_nothing_left(&dest, "a sender that disconnected");
        },
    );
}

#[test]
fn a_sender_that_goes_silent_mid_body_leaves_no_file() {
    within(deadline::DEFAULT, "a sender that stops sending", || {
        let dest = Dest::new();
        // The server gives up on a silent peer after 100 ms of silence.
        let (server, outcomes) = spawn_receiver(dest.uploads.clone(), Duration::from_millis(100));
        let whole = transfer("stalled.bin", &bytes(50_000, 29));
        let mut client = net::connect(server.addr());
        client.write_all(&whole[..20_000]).unwrap();
        // The connection stays open and silent until the server has given up.
        let outcome = outcomes.recv_timeout(net::IO_TIMEOUT);
        expect::that(
            matches!(&outcome, Ok(Err(e)) if e.starts_with("Io")),
            "the receiver's outcome when the sender goes silent mid-body",
            &outcome,
            "a read timeout is an I/O error like any other: return it as \
             TransferError::Io and let the temporary file be removed",
        );
        server.join_within(deadline::DEFAULT);
        expect_nothing_left(&dest, "a sender that went silent");
        drop(client);
    });
}
