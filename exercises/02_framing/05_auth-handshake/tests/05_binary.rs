//! Last, the programs: `auth-server` refuses to start without a real key, two
//! `auth-server` processes never send the same nonce, and `auth-client` gets in
//! with the key and is refused without it.

mod common;

use std::collections::HashSet;
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use auth_handshake::frame;
use common::{KEY, WRONG_KEY};
use testkit::server::Binary;
use testkit::{deadline, expect, net, within};

const SERVER: &str = env!("CARGO_BIN_EXE_auth-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_auth-client");
const ANNOUNCE: &str = "auth-server prints `listening on <addr>` once it listens";

/// Bytes shown as text, with anything unprintable escaped (`\xff`, `\n`).
#[derive(PartialEq)]
struct Shown(String);

impl Shown {
    fn of(bytes: &[u8]) -> Shown {
        Shown(bytes.escape_ascii().to_string())
    }
}

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

/// How a program ended, for a message: its exit status, stdout and stderr.
fn ran(output: &Output) -> Plain {
    Plain(format!(
        "{}; stdout {:?}; stderr {:?}",
        output.status,
        Shown::of(&output.stdout),
        Shown::of(&output.stderr)
    ))
}

/// Text shown as it is in a message.
struct Plain(String);

impl std::fmt::Debug for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn text(key: &[u8]) -> &str {
    std::str::from_utf8(key).expect("the test keys are ASCII")
}

/// Starts `auth-server` on 127.0.0.1:0 with `KEY` in its environment.
fn start_server() -> Binary {
    // The binaries read the key from AUTH_KEY. Every test in this file that
    // starts a server sets the same value, and Rust's own environment functions
    // take a lock, so setting it from several test threads is safe.
    std::env::set_var("AUTH_KEY", text(KEY));
    Binary::start(SERVER, ANNOUNCE)
}

/// Runs `program` with `AUTH_KEY=key`, `extra` environment and `args` to the end,
/// for at most [`net::IO_TIMEOUT`]; its output is read while it runs.
fn run(program: &str, key: &str, extra: &[(&str, String)], args: &[&str]) -> Output {
    let mut command = Command::new(program);
    command
        .env("AUTH_KEY", key)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in extra {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {program}: {e}"));
    let stdout = drain(child.stdout.take().expect("piped"));
    let stderr = drain(child.stderr.take().expect("piped"));
    let until = Instant::now() + net::IO_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{program} (AUTH_KEY of {} bytes) was still running after {} s; the \
                     test stopped it\n  hint: a program given an empty or short key must \
                     not run at all: it should print why and exit",
                    key.len(),
                    net::IO_TIMEOUT.as_secs()
                )
            }
        }
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Reads a child's pipe to the end on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

#[test]
fn the_server_refuses_to_start_with_an_empty_or_short_key() {
    for (key, says) in [("", "the key is empty"), ("hunter2", "the key has 7 bytes")] {
        let output = run(SERVER, key, &[], &["127.0.0.1:0"]);
        let (stdout, stderr) = (Shown::of(&output.stdout), Shown::of(&output.stderr));
        expect::that(
            !output.status.success() && stderr.0.contains(says),
            &format!("auth-server with AUTH_KEY={key:?} exits with a failure and says \"{says}\""),
            ran(&output),
            "the server builds its Key with Key::new before it listens; a KeyError \
             ends it with the error's message (Key::new, step 1)",
        );
        expect::that(
            !stdout.0.contains("listening"),
            &format!("auth-server with AUTH_KEY={key:?} never listens"),
            &stdout,
            "refuse the key before binding the port",
        );
    }
}

#[test]
fn two_server_processes_never_send_the_same_nonce() {
    within(
        deadline::DEFAULT,
        "nonces from two auth-server processes",
        || {
            let mut nonces = Vec::new();
            for _ in 0..2 {
                let mut server = start_server();
                server.check(|addr| {
                    for _ in 0..2 {
                        let mut stream = net::connect(addr);
                        let nonce = frame::read_frame(&mut stream, 64);
                        let nonce = expect::ok(
                            "the nonce frame from a fresh auth-server",
                            nonce,
                            "server_handshake opens with one frame of NONCE_LEN random bytes",
                        );
                        nonces.push(nonce.unwrap_or_default());
                    }
                });
            }
            let shown: Vec<String> = nonces
                .iter()
                .map(|nonce| nonce.iter().map(|b| format!("{b:02x}")).collect())
                .collect();
            let distinct: HashSet<&Vec<u8>> = nonces.iter().collect();
            expect::that(
                distinct.len() == nonces.len(),
                "the first two nonces of two separate auth-server processes are all different",
                shown,
                "a nonce made from a counter, a clock or a generator with a fixed seed \
                 repeats in every new process, so an answer recorded from one server \
                 works on the next; fresh_nonce must read from the operating system \
                 (OsRng)",
            );
        },
    );
}

#[test]
fn the_client_program_gets_in_with_the_key_and_not_without() {
    within(deadline::DEFAULT, "auth-client against auth-server", || {
        let mut server = start_server();
        server.check(|addr| {
            let at = [("SERVER", addr.to_string())];
            let output = run(CLIENT, text(KEY), &at, &["hello", "again"]);
            expect::eq(
                "what auth-client prints with the server's key and the messages hello, again",
                &Shown::of(&output.stdout),
                &Shown::of(b"echo: hello\necho: again\n"),
                &format!(
                    "the client authenticates, then each message comes back; its stderr said {:?}",
                    Shown::of(&output.stderr)
                ),
            );

            let output = run(CLIENT, text(WRONG_KEY), &at, &["hello"]);
            expect::that(
                !output.status.success()
                    && String::from_utf8_lossy(&output.stderr).contains("refused"),
                "auth-client with a wrong key fails with \"authentication refused\"",
                ran(&output),
                "the server closes the connection after a wrong answer, and the client \
                     reports that as AuthError::Refused",
            );
        });
    });
}
