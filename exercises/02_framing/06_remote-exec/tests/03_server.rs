//! Step 3, `handle_client`: the whole server over loopback. Framing, the
//! allow-list, inert shell syntax, and hostile or broken clients that must not
//! take it down.
//!
//! The lesson: (lesson 02.6, 'The reply on the wire') and
//! (lesson 02.6, 'The connection loop: every failure has an outcome').

mod common;

use std::io::{ErrorKind, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::mpsc;
use std::time::Duration;

/// Shaped like `date`'s clock-setting operand, but month 13 is no date.
const HARMLESS_CLOCK_OPERAND: &str = "133100002030";

use common::{
    ask, expect_closed, expect_still_serving, framed, pattern, start, test_allow_list, test_limits,
    Shown,
};
use remote_exec::{frame, handle_client, AllowList, Limits, Reply, Request};
use testkit::chaos::{self, Chunking};
use testkit::{deadline, expect, hexdump, net, within};

#[test]
fn a_reply_is_a_json_header_then_stdout_then_stderr() {
    within(deadline::DEFAULT, "one echo request, byte by byte", || {
        let scratch = tempfile::tempdir().unwrap();
        let addr = start(test_allow_list(scratch.path()), test_limits());
        let mut stream = net::connect(addr);
        let request = br#"{"program":"echo","args":["hello","world"]}"#;
        stream.write_all(&framed(request)).unwrap();
        let mut frames = Vec::new();
        for name in ["header", "stdout", "stderr"] {
            match frame::read_frame(&mut stream, 1 << 20) {
                Ok(Some(payload)) => frames.push(payload),
                other => panic!(
                    "reading the {name} frame of the reply: expected a frame, got {other:?}\n  \
                     hint: every reply is three frames: JSON header, stdout, stderr"
                ),
            }
        }
        let wire: Vec<u8> = frames.iter().flat_map(|f| framed(f)).collect();
        insta::assert_snapshot!(
            "echo_hello_world",
            format!(
                "request:\n{}\nreply:\n{}",
                hexdump(&framed(request)),
                hexdump(&wire)
            )
        );
    });
}

#[test]
fn output_larger_than_a_socket_buffer_arrives_whole() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("big.bin");
    let content = pattern(300_000);
    std::fs::write(&file, &content).unwrap();
    within(
        deadline::DEFAULT,
        "cat of a 300,000-byte file over the socket",
        move || {
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            let response = ask(
                &mut stream,
                &Request::new("cat", &[&file.to_string_lossy()]),
            );
            expect::eq(
                "the reply header for cat of a 300 KB file",
                &response.reply,
                &Reply::Exited {
                    code: 0,
                    truncated: false,
                },
                "",
            );
            expect::that(
                response.stdout == content,
                "stdout should be the whole 300,000-byte file, byte for byte",
                format!("{} bytes", response.stdout.len()),
                "the output is far larger than one socket buffer; it must travel as one \
             length-prefixed frame, written with write_all",
            );
            expect_still_serving(&mut stream, "a 300 KB reply");
        },
    );
}

#[test]
fn requests_arriving_in_any_chunking_are_all_answered_in_order() {
    let scratch = tempfile::tempdir().unwrap();
    let addr = start(test_allow_list(scratch.path()), test_limits());
    for chunking in Chunking::ALL {
        within(
            deadline::DEFAULT,
            &format!("two requests sent back to back in {chunking}"),
            move || {
                let mut stream = net::connect(addr);
                let bytes = [
                    framed(br#"{"program":"echo","args":["first"]}"#),
                    framed(br#"{"program":"echo","args":["second"]}"#),
                ]
                .concat();
                chaos::write_chunked(&mut stream, &bytes, chunking).unwrap();
                for want in ["first\n", "second\n"] {
                    let mut read = || frame::read_frame(&mut stream, 1 << 20).ok().flatten();
                    let (header, stdout, _stderr) = (read(), read(), read());
                    expect::that(
                        header.is_some(),
                        &format!(
                            "a reply header for the request `echo {}` sent in {chunking}",
                            want.trim()
                        ),
                        &header,
                        "read whole frames (frame::read_frame) and answer each in turn; two \
                     requests may arrive in one read, or one in many",
                    );
                    expect::eq(
                        &format!("stdout of `echo {}` sent in {chunking}", want.trim()),
                        &Shown::of(stdout.unwrap_or_default()),
                        &Shown::of(want),
                        "replies come in the order of the requests",
                    );
                }
            },
        );
    }
}

#[test]
fn programs_off_the_list_are_refused() {
    within(
        deadline::DEFAULT,
        "asking for programs that are not on the list",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            // The operand names nothing that exists: were a wrong solution to run
            // `rm` or `sh` (as root, in CI), it would find nothing to delete or run.
            let absent = scratch.path().join("absent");
            let absent = absent.to_string_lossy();
            for program in ["rm", "sh", "/bin/echo", "../echo", "ECHO"] {
                let response = ask(&mut stream, &Request::new(program, &[&absent]));
                expect::that(
                    matches!(response.reply, Reply::Refused { .. }),
                    &format!("the reply to a request for {program:?}: expected Refused"),
                    &response.reply,
                    "AllowList::check decides; a refusal is a reply, and the connection goes on",
                );
                expect::that(
                    response.stdout.is_empty() && response.stderr.is_empty(),
                    "a refused request has empty stdout and stderr frames",
                    &response,
                    "send a refusal with two empty frames: the program never ran",
                );
            }
            expect_still_serving(&mut stream, "five refusals");
        },
    );
}

#[test]
fn operands_are_refused_for_a_program_that_takes_no_arguments() {
    within(
        deadline::DEFAULT,
        "asking for `date 133100002030`, then a bare `date`",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            // An operand of the clock-setting shape (MMDDhhmmCCYY). Month 13 makes
            // `date` refuse it even as root, so a wrong solution run by root (CI,
            // a container) cannot change the machine's clock.
            let response = ask(
                &mut stream,
                &Request::new("date", &[HARMLESS_CLOCK_OPERAND]),
            );
            expect::that(
                matches!(response.reply, Reply::Refused { .. }),
                "the reply to `date 133100002030` (date is allowed without arguments): \
                 expected Refused",
                &response.reply,
                "run every request through AllowList::check first; it refuses any \
                 argument for a program whose rule says Arguments::Forbidden",
            );
            let response = ask(&mut stream, &Request::new("date", &[]));
            expect::that(
                matches!(response.reply, Reply::Exited { code: 0, .. })
                    && !response.stdout.is_empty(),
                "the reply to a bare `date`: it exits with 0 and prints the time",
                &response,
                "a program allowed without arguments still runs when it gets none",
            );
        },
    );
}

#[test]
fn shell_metacharacters_stay_literal() {
    within(
        deadline::DEFAULT,
        "echo with shell syntax in its arguments",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let marker = scratch.path().join("MARKER");
            let m = marker.to_string_lossy().into_owned();
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            let hostile = [
                format!("x; touch {m}"),
                format!("x && touch {m}"),
                format!("x | touch {m}"),
                format!("$(touch {m})"),
                format!("`touch {m}`"),
                format!("x > {m}"),
                format!("x\ntouch {m}"),
                "*".to_string(),
                "$HOME ~ 'quoted' \"double\" \\".to_string(),
            ];
            for arg in &hostile {
                let response = ask(&mut stream, &Request::new("echo", &[arg]));
                expect::eq(
                    &format!("the stdout of echo given {arg:?}"),
                    &Shown::of(&response.stdout),
                    &Shown::of(format!("{arg}\n")),
                    "pass each argument to Command::args untouched; never build a command \
                 line and never run `sh -c`: with no shell, no character is special",
                );
                expect::that(
                    !marker.exists(),
                    &format!("after echo {arg:?}, the marker file must not exist"),
                    &marker,
                    "something ran `touch`: the argument reached a shell",
                );
            }
            let all: Vec<&str> = hostile.iter().map(String::as_str).collect();
            let response = ask(&mut stream, &Request::new("echo", &all));
            expect::eq(
                "the stdout of echo given all of them as separate arguments",
                &Shown::of(&response.stdout),
                &Shown::of(format!("{}\n", all.join(" "))),
                "each JSON string is one argument: nothing is split at spaces",
            );
        },
    );
}

#[test]
fn a_program_that_cannot_start_fails_and_the_connection_carries_on() {
    within(
        deadline::DEFAULT,
        "asking for an allowed program whose file is missing",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            let response = ask(&mut stream, &Request::new("ghost", &[]));
            expect::that(
            matches!(&response.reply, Reply::Failed { reason } if !reason.is_empty()),
            "the reply to `ghost` (allowed, but its file does not exist): expected Failed with a reason",
            &response.reply,
            "exec::run returns the spawn error; answer Reply::Failed and keep serving",
        );
            expect_still_serving(&mut stream, "a program that could not start");
        },
    );
}

#[test]
fn malformed_requests_get_bad_request_and_the_connection_carries_on() {
    within(
        deadline::DEFAULT,
        "sending requests that are not valid",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let addr = start(test_allow_list(scratch.path()), test_limits());
            let mut stream = net::connect(addr);
            let cases: [(&str, &[u8]); 7] = [
                ("text that is not JSON", b"echo hello"),
                ("an empty frame", b""),
                ("bytes that are not UTF-8", b"\xff\xfe{}"),
                ("a JSON array", b"[\"echo\", \"hello\"]"),
                ("a request without a program", br#"{"args":["hello"]}"#),
                ("a program that is a number", br#"{"program":5}"#),
                (
                    "an unknown field",
                    br#"{"program":"echo","args":["hi"],"shell":true}"#,
                ),
            ];
            for (what, payload) in cases {
                stream.write_all(&framed(payload)).unwrap();
                let mut read = || frame::read_frame(&mut stream, 1 << 20);
                let header = read();
                let (_stdout, _stderr) = (read(), read());
                let reply = header
                    .ok()
                    .flatten()
                    .and_then(|h| serde_json::from_slice::<Reply>(&h).ok());
                expect::that(
                    matches!(reply, Some(Reply::BadRequest { .. })),
                    &format!("the reply to {what}: expected BadRequest"),
                    &reply,
                    "parse the frame with serde_json::from_slice::<Request>; on an error, \
                 answer BadRequest (all three frames) and read the next request",
                );
            }
            expect_still_serving(&mut stream, "seven malformed requests");
        },
    );
}

#[test]
fn an_oversized_request_is_answered_then_hung_up_on() {
    within(
        deadline::DEFAULT,
        "a length prefix over max_request",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let limits = test_limits();
            let addr = start(test_allow_list(scratch.path()), limits);
            let mut stream = net::connect(addr);
            // Only the length prefix: the server must decide before reading a payload.
            stream
                .write_all(&(limits.max_request as u32 + 1).to_be_bytes())
                .unwrap();
            let header = frame::read_frame(&mut stream, 1 << 20);
            let reply = header
                .as_ref()
                .ok()
                .and_then(|h| h.as_ref())
                .and_then(|h| serde_json::from_slice::<Reply>(h).ok());
            expect::that(
                matches!(reply, Some(Reply::BadRequest { .. })),
                "the reply to a request frame of max_request + 1 bytes: expected BadRequest",
                &header,
                "read_frame with the limit max_request reports InvalidData; answer \
             BadRequest, then return (the payload is never read)",
            );
            let _ = (
                frame::read_frame(&mut stream, 1 << 20),
                frame::read_frame(&mut stream, 1 << 20),
            );
            expect_closed(&mut stream, "the answer to an oversized request");

            let mut other = net::connect(addr);
            expect_still_serving(&mut other, "another client's oversized request");
        },
    );
}

#[test]
fn clients_vanishing_mid_request_harm_no_one() {
    within(
        deadline::DEFAULT,
        "clients that disconnect at awkward moments",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let file = scratch.path().join("big.bin");
            std::fs::write(&file, pattern(2_000_000)).unwrap();
            let addr = start(test_allow_list(scratch.path()), test_limits());

            // Half a length prefix, then gone.
            let mut stream = net::connect(addr);
            stream.write_all(&[0, 0]).unwrap();
            drop(stream);
            // Half a request, then gone.
            let mut stream = net::connect(addr);
            let request = framed(br#"{"program":"echo","args":["never finished"]}"#);
            stream.write_all(&request[..request.len() / 2]).unwrap();
            drop(stream);
            // A request for 2 MB of output, then gone before reading the reply.
            let mut stream = net::connect(addr);
            let request = format!(r#"{{"program":"cat","args":["{}"]}}"#, file.display());
            stream.write_all(&framed(request.as_bytes())).unwrap();
            let _ = stream.shutdown(Shutdown::Both);
            drop(stream);

            let mut stream = net::connect(addr);
            expect_still_serving(&mut stream, "three clients that vanished mid-request");
        },
    );
}

/// Runs `handle_client` on the first connection and reports what it returned.
fn handle_one(limits: Limits) -> (std::net::SocketAddr, mpsc::Receiver<std::io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let scratch = tempfile::tempdir().unwrap();
        let allow: AllowList = test_allow_list(scratch.path());
        if let Ok((stream, _)) = listener.accept() {
            let _ = tx.send(handle_client(stream, &allow, &limits));
        }
    });
    (addr, rx)
}

#[track_caller]
fn returned(rx: &mpsc::Receiver<std::io::Result<()>>) -> std::io::Result<()> {
    rx.recv()
        .expect("handle_client panicked (see its message above)")
}

#[test]
fn handle_client_returns_ok_when_the_client_closes_between_requests() {
    within(deadline::DEFAULT, "one request, then a clean close", || {
        let (addr, rx) = handle_one(test_limits());
        let mut stream = net::connect(addr);
        let _ = ask(&mut stream, &Request::new("echo", &["bye"]));
        stream.shutdown(Shutdown::Write).unwrap();
        expect::ok(
            "handle_client's result after the client closed between requests",
            returned(&rx),
            "read_frame returns Ok(None) at end-of-file between frames: the client is \
             done, return Ok(())",
        );
    });
}

#[test]
fn handle_client_reports_a_request_cut_off_by_end_of_file() {
    within(
        deadline::DEFAULT,
        "half a request, then end-of-file",
        || {
            let (addr, rx) = handle_one(test_limits());
            let mut stream = net::connect(addr);
            let request = framed(br#"{"program":"echo","args":["cut"]}"#);
            stream.write_all(&request[..10]).unwrap();
            stream.shutdown(Shutdown::Write).unwrap();
            let result = returned(&rx);
            expect::that(
            matches!(&result, Err(e) if e.kind() == ErrorKind::UnexpectedEof),
            "handle_client's result for a request cut off by end-of-file: expected UnexpectedEof",
            &result,
            "a frame that stops in the middle is an error, not a request; pass \
             read_frame's error up",
        );
        },
    );
}

#[test]
fn an_idle_client_is_disconnected() {
    within(
        deadline::DEFAULT,
        "a client that goes silent, with idle_timeout = 100 ms",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let limits = Limits {
                idle_timeout: Duration::from_millis(100),
                ..test_limits()
            };
            let addr = start(test_allow_list(scratch.path()), limits);
            let mut stream = net::connect(addr);
            let _ = ask(
                &mut stream,
                &Request::new("echo", &["one request, then silence"]),
            );
            expect_closed(&mut stream, "100 ms without a request (idle_timeout)");
        },
    );
}

#[test]
fn a_client_that_trickles_its_request_is_cut_off_at_idle_timeout() {
    within(
        deadline::DEFAULT,
        "a request sent one byte every 40 ms, with idle_timeout = 300 ms",
        || {
            let (addr, rx) = handle_one(Limits {
                idle_timeout: Duration::from_millis(300),
                ..test_limits()
            });
            let mut stream = net::connect(addr);
            // The slow peer: ~50 bytes at 40 ms each take about 2 s, several times
            // idle_timeout, yet no single read waits more than 40 ms. (The sleeps
            // pace the peer; nothing waits on them.)
            let request = framed(br#"{"program":"echo","args":["slowly, slowly"]}"#);
            let mut writer = stream.try_clone().unwrap();
            std::thread::spawn(move || {
                for byte in request {
                    if writer.write_all(&[byte]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(40));
                }
            });
            let result = returned(&rx);
            expect::that(
                matches!(&result, Err(e) if net::is_timeout(e)),
                "handle_client's result for a request trickled over 2 s with idle_timeout = \
                 300 ms: expected a timeout error (WouldBlock or TimedOut)",
                &result,
                "a socket read timeout restarts with every read, so a slow client keeps it \
                 alive forever; fix a deadline when the wait for a request begins and, \
                 before each read, set the timeout to the time that is left",
            );
            expect_closed(
                &mut stream,
                "a request trickled past idle_timeout (no reply is due)",
            );
        },
    );
}

#[test]
fn a_command_past_the_time_limit_is_reported_and_the_connection_carries_on() {
    within(
        deadline::DEFAULT,
        "sleep 30 with time_limit = 200 ms",
        || {
            let scratch = tempfile::tempdir().unwrap();
            let limits = Limits {
                time_limit: Duration::from_millis(200),
                ..test_limits()
            };
            let addr = start(test_allow_list(scratch.path()), limits);
            let mut stream = net::connect(addr);
            let response = ask(&mut stream, &Request::new("sleep", &["30"]));
            expect::eq(
                "the reply to `sleep 30` with a 200 ms time limit",
                &response.reply,
                &Reply::TimedOut { truncated: false },
                "exec::run kills it at the time limit; report Ending::TimedOut",
            );
            expect_still_serving(&mut stream, "a command that timed out");
        },
    );
}
