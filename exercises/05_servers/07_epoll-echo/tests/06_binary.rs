//! The `epoll-echo` binary, as the C10K benchmark (`cargo xtask bench`) uses it:
//! started on port 0, it must announce its address on its first line of stdout.
//! Run with `cargo test --test 06_binary`.
//!
//! Last on purpose: it runs the whole program, so it can only pass once every
//! step before it does.
#![cfg(target_os = "linux")]

use testkit::server::binary_announces_its_address_then_echoes;
use testkit::{deadline, within};

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(deadline::DEFAULT, "the epoll-echo binary", || {
        binary_announces_its_address_then_echoes(
            env!("CARGO_BIN_EXE_epoll-echo"),
            "print exactly `listening on {server.local_addr()}` and flush stdout, \
             before calling run",
        );
    });
}

/// The child, killed when the test ends whichever way it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Nothing went wrong, so nothing is said: `WouldBlock` ends `accept_all`
/// quietly, and clients that come and go cleanly get no line on stderr.
#[test]
fn a_server_whose_clients_behave_says_nothing_on_stderr() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{Shutdown, SocketAddr};
    use std::process::{Command, Stdio};

    within(deadline::DEFAULT, "the epoll-echo binary's stderr", || {
        let mut child = Child(
            Command::new(env!("CARGO_BIN_EXE_epoll-echo"))
                .arg("127.0.0.1:0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("could not start the epoll-echo binary"),
        );
        let mut line = String::new();
        BufReader::new(child.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr: SocketAddr = match line.trim().strip_prefix("listening on ").map(str::parse) {
            Some(Ok(addr)) => addr,
            _ => panic!(
                "the binary's first line should be `listening on ADDRESS`, got {line:?} \
                 (the test above says more)"
            ),
        };
        for i in 0..3 {
            let mut client = testkit::net::connect(addr);
            client.write_all(b"quiet\n").unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            let echo = testkit::net::read_to_end(&mut client, &format!("client {i}'s echo"));
            testkit::expect::eq(
                &format!("client {i}'s echo, then end-of-file"),
                echo.escape_ascii().to_string().as_str(),
                "quiet\\n",
                "echo every byte, then close once the client half-closed",
            );
        }
        // Everything the server said while it served them is in the pipe by now.
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        let mut stderr = String::new();
        child
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        testkit::expect::that(
            stderr.is_empty(),
            "the binary's stderr after three clients that came, were echoed, and left",
            stderr,
            "WouldBlock from accept means the backlog is empty: return from accept_all \
             without a word; report only real errors",
        );
    });
}
