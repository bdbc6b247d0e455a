//! The `select-echo` binary: started on port 0, it says where it listens on its
//! first line of stdout, then echoes. Run with `cargo test`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use testkit::net::{connect, IO_TIMEOUT};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// Kills the server process when the test ends, whether it passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_announces_its_address_then_echoes() {
    within(DEFAULT, "the select-echo binary", || {
        let mut child = Killed(
            Command::new(env!("CARGO_BIN_EXE_select-echo"))
                .arg("127.0.0.1:0")
                .stdout(Stdio::piped())
                .spawn()
                .expect("could not start the select-echo binary"),
        );
        let stdout = child.0.stdout.take().unwrap();
        // Read the first line on another thread: a binary that never prints
        // fails the test in seconds (and is killed) instead of hanging it.
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(line);
        });
        let line = expect::ok(
            "the first line the binary prints",
            line_rx.recv_timeout(IO_TIMEOUT),
            "print `listening on <addr>` and flush stdout before calling run",
        );
        let addr: SocketAddr = expect::ok(
            "the first line of stdout, `listening on <addr>`",
            line.trim_end()
                .strip_prefix("listening on ")
                .ok_or(format!("the first line was {line:?}"))
                .and_then(|rest| rest.parse().map_err(|e| format!("{rest:?}: {e}"))),
            "print exactly `listening on {server.local_addr()}`, with the real port",
        );
        let mut client = connect(addr);
        echo::round_trip(&mut client, b"hello, binary\n", "a client of the binary");
    });
}
