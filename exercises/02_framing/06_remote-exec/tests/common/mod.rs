//! Shared by the test files: finding real programs, a test allow-list, a server.
#![allow(dead_code)] // each test file uses a different part of this module

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use remote_exec::client::call;
use remote_exec::{serve, AllowList, Arguments, Limits, Request, Response};
use testkit::{expect, net};

/// The absolute path of a standard program, looked up the way an administrator
/// would when writing the allow-list: /bin, /usr/bin, then the test's PATH.
pub fn locate(name: &str) -> PathBuf {
    let path_dirs = std::env::var_os("PATH").unwrap_or_default();
    ["/bin".into(), "/usr/bin".into()]
        .into_iter()
        .chain(std::env::split_paths(&path_dirs))
        .map(|dir: PathBuf| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("this machine has no `{name}` in /bin, /usr/bin or PATH"))
}

/// Limits small enough for tests, generous enough for a loaded CI machine.
pub fn test_limits() -> Limits {
    Limits {
        max_request: 64 * 1024,
        max_args: 64,
        max_output: 1024 * 1024,
        time_limit: Duration::from_secs(3),
        idle_timeout: Duration::from_secs(3),
    }
}

/// `echo`, `cat` and `sleep` by their usual names (operands only), `echo-opts`
/// (an echo that accepts options), `date` (no arguments at all), and `ghost`,
/// whose path does not exist.
pub fn test_allow_list(scratch: &Path) -> AllowList {
    AllowList::new()
        .allow("echo", locate("echo"), Arguments::Operands)
        .allow("cat", locate("cat"), Arguments::Operands)
        .allow("sleep", locate("sleep"), Arguments::Operands)
        .allow("echo-opts", locate("echo"), Arguments::Any)
        .allow("date", locate("date"), Arguments::Forbidden)
        .allow(
            "ghost",
            scratch.join("no-such-program"),
            Arguments::Forbidden,
        )
}

/// Starts `serve` on a loopback port.
pub fn start(allow: AllowList, limits: Limits) -> SocketAddr {
    net::spawn_server(move |listener| serve(listener, allow, limits)).addr()
}

/// Sends `request` on `stream` and reads the whole reply, or fails the test.
#[track_caller]
pub fn ask(stream: &mut TcpStream, request: &Request) -> Response {
    match call(stream, request, 64 * 1024 * 1024) {
        Ok(response) => response,
        Err(err) => panic!(
            "sending {request:?} and reading the reply failed: {err}\n  hint: {}",
            reply_hint(&err)
        ),
    }
}

fn reply_hint(err: &std::io::Error) -> &'static str {
    match err.kind() {
        ErrorKind::UnexpectedEof => {
            "the server closed the connection before a whole reply (header, stdout, \
             stderr frames); did handle_client panic or return early? Every request \
             gets all three frames, even a refusal"
        }
        ErrorKind::InvalidData => {
            "a reply frame was not what the protocol says: the header must be the JSON \
             of a Reply, e.g. {\"status\":\"exited\",\"code\":0,\"truncated\":false}"
        }
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            "the server went silent: is a read waiting for more than the client sent, \
             or is the command still running?"
        }
        _ => "the connection failed",
    }
}

/// Fails unless the server has closed the connection (end-of-file or a reset).
#[track_caller]
pub fn expect_closed(stream: &mut TcpStream, after: &str) {
    use std::io::Read;
    let mut buf = [0u8; 256];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ) => {}
        Ok(n) => panic!(
            "after {after}, the server should close the connection, but it sent {n} more \
             bytes: \"{}\"",
            buf[..n].escape_ascii()
        ),
        Err(e) if net::is_timeout(&e) => panic!(
            "after {after}, the server should close the connection, but it stayed open \
             for {} s\n  hint: return from handle_client; dropping the stream closes it",
            net::IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("after {after}, reading from the server failed: {e}"),
    }
}

/// Asserts that `echo hello` still works on `stream`: the connection survived.
#[track_caller]
pub fn expect_still_serving(stream: &mut TcpStream, after: &str) {
    let response = ask(stream, &Request::new("echo", &["still", "here"]));
    expect::eq(
        &format!("the stdout of `echo still here` after {after}"),
        &Shown::of(&response.stdout),
        &Shown::of("still here\n"),
        "a bad request gets an error reply; the connection and the server carry on",
    );
}

/// `payload` with its 4-byte big-endian length in front.
pub fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

/// A byte pattern that is not text and not constant, so that a lost, repeated,
/// or re-encoded chunk shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Bytes shown as text in a message, anything unprintable escaped (`\xff`, `\n`).
#[derive(PartialEq, Eq)]
pub struct Shown(String);

impl Shown {
    pub fn of(bytes: impl AsRef<[u8]>) -> Shown {
        Shown(bytes.as_ref().escape_ascii().to_string())
    }
}

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}
