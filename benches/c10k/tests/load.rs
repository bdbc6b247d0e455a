//! The two programs against each other: `tokio-echo` started as a process,
//! `c10k-load` driving it, as `cargo xtask bench` runs them. Bounded: a few
//! connections, a tenth of a second of talk, loopback only.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A child process killed and reaped when the test ends, passing or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tokio-echo` on an ephemeral port and reads its `listening on` line.
fn start_server() -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokio-echo"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("tokio-echo starts");
    let stdout = child.stdout.take().unwrap();
    let server = Killed(child);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("tokio-echo prints its address within 10 s");
    let addr = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| {
            panic!("tokio-echo's first line should be `listening on ADDR`, not {line:?}")
        })
        .to_string();
    (server, addr)
}

#[test]
fn the_load_generator_measures_the_tokio_server() {
    let (_server, addr) = start_server();
    let mut load = Command::new(env!("CARGO_BIN_EXE_c10k-load"));
    load.args([addr.as_str(), "12", "10", "0.1"])
        .stdout(Stdio::piped());
    let mut load = Killed(load.spawn().expect("c10k-load starts"));
    let (tx, rx) = mpsc::channel();
    let stdout = load.0.stdout.take().unwrap();
    thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        let _ = tx.send(lines);
    });
    let lines = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("c10k-load finishes within 20 s");
    let value = |key: &str| -> u64 {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no `{key} N` line in {lines:#?}"))
    };
    assert_eq!(lines[0], "held 12", "{lines:#?}");
    assert_eq!(lines[1], "midway", "{lines:#?}");
    assert_eq!(value("failed"), 0, "{lines:#?}");
    assert!(value("round_trips") >= 10, "{lines:#?}");
    assert!(value("elapsed_us") >= 100_000, "{lines:#?}");
    assert!(value("p50_ns") <= value("p99_ns"), "{lines:#?}");
}

#[test]
fn refuses_an_address_off_this_machine() {
    let out = Command::new(env!("CARGO_BIN_EXE_c10k-load"))
        .args(["192.0.2.1:7", "1", "1", "0.1"])
        .output()
        .expect("c10k-load runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
