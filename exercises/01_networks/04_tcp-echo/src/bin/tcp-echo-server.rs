//! The iterative TCP echo server, to try by hand.
//!
//! ```text
//! cargo run --bin tcp-echo-server                    # listens on 127.0.0.1:7000
//! cargo run --bin tcp-echo-server -- 127.0.0.1:7100
//! nc 127.0.0.1 7000                                  # in another terminal: type lines,
//!                                                    # Ctrl-D half-closes
//! ```
//!
//! Open a second `nc` while the first is connected: it connects at once (the
//! backlog), but gets no echo until the first one is done.

use std::net::TcpListener;
use std::process::ExitCode;

use tcp_echo::serve;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("tcp-echo-server: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("tcp-echo-server: listening on {addr}, one client at a time");
    match serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tcp-echo-server: accept failed: {err}");
            ExitCode::FAILURE
        }
    }
}
