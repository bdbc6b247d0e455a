//! The UDP echo server, to try by hand.
//!
//! ```text
//! cargo run --bin udp-echo-server                    # listens on 127.0.0.1:9000
//! cargo run --bin udp-echo-server -- 127.0.0.1:9100
//! nc -u 127.0.0.1 9000                               # in another terminal; type lines
//! ```
//!
//! Stop it with Ctrl-C: nothing here ever sets the stop flag.

use std::net::UdpSocket;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use udp_echo::serve;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".to_string());
    let socket = match UdpSocket::bind(&addr) {
        Ok(socket) => socket,
        Err(err) => {
            eprintln!("udp-echo-server: cannot bind {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("udp-echo-server: echoing datagrams on {addr}");
    let never = AtomicBool::new(false);
    match serve(socket, &never) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("udp-echo-server: {err}");
            ExitCode::FAILURE
        }
    }
}
