//! Sends one datagram and prints the reply, to try by hand.
//!
//! ```text
//! cargo run --bin udp-echo-client -- hello                   # to 127.0.0.1:9000
//! cargo run --bin udp-echo-client -- hello 127.0.0.1:9100
//! ```
//!
//! With no server running it shows the retries giving up (or, on a connected
//! socket on loopback, the OS reporting that nobody listens).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use udp_echo::request;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let message = args.next().unwrap_or_else(|| "hello".to_string());
    let server = args.next().unwrap_or_else(|| "127.0.0.1:9000".to_string());
    let server: SocketAddr = match server.parse() {
        Ok(addr) => addr,
        Err(err) => {
            eprintln!("udp-echo-client: {server:?} is not an address like 127.0.0.1:9000: {err}");
            return ExitCode::FAILURE;
        }
    };
    match request(server, message.as_bytes(), Duration::from_millis(500), 3) {
        Ok(reply) => {
            println!("{}", String::from_utf8_lossy(&reply));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("udp-echo-client: {err}");
            ExitCode::FAILURE
        }
    }
}
