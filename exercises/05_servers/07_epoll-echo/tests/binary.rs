//! The `epoll-echo` binary, as the C10K benchmark (`cargo xtask bench`) uses it:
//! started on port 0, it must announce its address on its first line of stdout.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use testkit::net::{connect, IO_TIMEOUT};
use testkit::{deadline, echo, expect, within};

/// Kills the server process when the test ends, passed or failed.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(deadline::DEFAULT, "the epoll-echo binary", || {
        let mut child = KillOnDrop(
            Command::new(env!("CARGO_BIN_EXE_epoll-echo"))
                .arg("127.0.0.1:0")
                .stdout(Stdio::piped())
                .spawn()
                .expect("could not start the epoll-echo binary"),
        );
        let stdout = child.0.stdout.take().unwrap();
        // Read on another thread, so that a server that never prints fails this
        // test in seconds, and the child is still killed (when `child` drops).
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut first = String::new();
            // Ends at the first newline, or at end-of-file if the process died.
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = line_tx.send(first);
        });
        let first = expect::ok(
            "the first line the binary prints",
            line_rx.recv_timeout(IO_TIMEOUT),
            "print `listening on <addr>` and flush stdout before calling run",
        );
        let addr: SocketAddr = expect::ok(
            "the first line of stdout, `listening on <addr>`",
            first
                .trim_end()
                .strip_prefix("listening on ")
                .ok_or(format!("the first line was {first:?}"))
                .and_then(|rest| rest.parse().map_err(|e| format!("{rest:?}: {e}"))),
            "print exactly `listening on {server.local_addr()}` and flush stdout, \
             before calling run",
        );
        let mut client = connect(addr);
        echo::round_trip(&mut client, b"hello, binary\n", "a client of the binary");
    });
}
