//! Sends standard input to the echo server and prints the reply.
//!
//! ```text
//! echo hello | cargo run --bin tcp-echo-client                # to 127.0.0.1:7000
//! cargo run --bin tcp-echo-client -- 127.0.0.1:7100 < some-file
//! ```

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tcp_echo::round_trip;

fn main() -> ExitCode {
    let server = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server: SocketAddr = match server.parse() {
        Ok(addr) => addr,
        Err(err) => {
            eprintln!("tcp-echo-client: {server:?} is not an address like 127.0.0.1:7000: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut payload = Vec::new();
    if let Err(err) = io::stdin().read_to_end(&mut payload) {
        eprintln!("tcp-echo-client: reading standard input: {err}");
        return ExitCode::FAILURE;
    }
    match round_trip(server, &payload, Duration::from_secs(5)) {
        Ok(reply) => {
            // Ignore a failed write: `... | head` closing the pipe is not an error here.
            let _ = io::stdout().write_all(&reply);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("tcp-echo-client: {err}");
            ExitCode::FAILURE
        }
    }
}
