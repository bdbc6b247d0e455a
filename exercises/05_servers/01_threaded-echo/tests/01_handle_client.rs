//! Step 1: `handle_client` (`src/handler.rs`), the conversation with one
//! client, tested without a server. Run with `cargo test --test 01_handle_client`.
//!
//! Each test gives `handle_client` the server end of a connected loopback pair,
//! on a thread of its own (it blocks until the conversation ends), and plays the
//! client with the other end.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use testkit::echo::{echo_concurrently, pattern, read_exactly};
use testkit::net::{pair, read_to_end, reset, IO_TIMEOUT};
use testkit::server::quietly;
use testkit::{deadline::DEFAULT, expect, within};

/// After the client failed: how long to wait for news that handle_client did.
const GRACE: Duration = Duration::from_millis(200);
use threaded_echo::handle_client;

/// Runs `handle_client` on the server end of a new pair, on a thread, while
/// `talk` plays the client with the other end (and closes it); returns what `talk` returned and
/// what `handle_client` did. A panic in `handle_client` (a `todo!`, say) is
/// reported as itself, not as the client's failure that follows from it.
#[track_caller]
fn converse<T>(talk: impl FnOnce(TcpStream) -> T) -> (T, io::Result<u64>) {
    let (client, server) = pair();
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(quietly(|| handle_client(server)));
    });
    let talked = quietly(|| talk(client));
    let wait = if talked.is_ok() { IO_TIMEOUT } else { GRACE };
    let returned = match result.recv_timeout(wait) {
        Ok(Ok(returned)) => Some(returned),
        Ok(Err(panic)) => panic!("handle_client panicked {}", panic.located()),
        Err(_) => None,
    };
    match (talked, returned) {
        (Err(failure), _) => panic!("{}", failure.message),
        (Ok(value), Some(returned)) => (value, returned),
        (Ok(_), None) => panic!(
            "handle_client did not return within {} s after the client half-closed or \
             reset the connection\n  hint: a read that returns 0 is end-of-file: leave \
             the loop and return; a read that fails is an error to return",
            IO_TIMEOUT.as_secs()
        ),
    }
}

#[test]
fn echoes_until_end_of_file_then_closes_and_counts() {
    within(DEFAULT, "a conversation with handle_client", || {
        let ((), returned) = converse(|mut client| {
            for message in [&b"hello\n"[..], b"x", b"a longer line, to see it whole\n"] {
                client.write_all(message).unwrap();
                let echo = read_exactly(
                    &mut client,
                    message.len(),
                    "the echo",
                    "write back each piece as soon as it is read, all of it (write_all)",
                );
                expect::eq(
                    "the echo",
                    echo.escape_ascii().to_string().as_str(),
                    message.escape_ascii().to_string().as_str(),
                    "write back exactly the bytes read, in order",
                );
            }
            client.shutdown(Shutdown::Write).unwrap();
            let rest = read_to_end(&mut client, "end-of-file once the client half-closed");
            expect::eq(
                "bytes after the last echo",
                rest.escape_ascii().to_string().as_str(),
                "",
                "each byte is echoed once; returning drops the stream, which closes it",
            );
        });
        let count = expect::ok(
            "what handle_client returned after end-of-file",
            returned,
            "end-of-file is the normal end, not an error",
        );
        expect::eq(
            "the count handle_client returned",
            &count,
            &38,
            "return the number of bytes echoed (io::copy returns it)",
        );
    });
}

#[test]
fn a_megabyte_comes_back_whole() {
    within(DEFAULT, "1 MiB through handle_client", || {
        let ((), returned) = converse(|mut client| {
            let payload = pattern(1 << 20);
            echo_concurrently(
                &mut client,
                &payload,
                "the echo of 1 MiB",
                "write back everything each read returned before reading again",
            );
            client.shutdown(Shutdown::Write).unwrap();
            let mut rest = Vec::new();
            let _ = client.read_to_end(&mut rest);
        });
        expect::eq(
            "what handle_client returned after echoing 1 MiB",
            &returned.map_err(|e| e.kind()),
            &Ok(1 << 20),
            "count every byte written back",
        );
    });
}

#[test]
fn a_reset_is_returned_as_an_error() {
    within(DEFAULT, "a client that resets the connection", || {
        let ((), returned) = converse(|mut client| {
            client.write_all(b"one\n").unwrap();
            read_exactly(&mut client, 4, "the echo before the reset", "echo at once");
            reset(client);
        });
        expect::that(
            returned.is_err(),
            "what handle_client returned after the client reset the connection",
            returned.map_err(|e| e.kind()),
            "a read that fails (ConnectionReset) is an error: return it, so the \
             caller can report it. Only a read of 0 is the normal end",
        );
    });
}
