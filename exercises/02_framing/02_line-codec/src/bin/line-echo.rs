//! The line echo server, to try by hand.
//!
//! ```text
//! cargo run --bin line-echo              # listens on 127.0.0.1:7878
//! cargo run --bin line-echo -- 127.0.0.1:9000
//! nc 127.0.0.1 7878                      # in another terminal; type lines
//! ```

use std::net::TcpListener;
use std::process::ExitCode;

use line_codec::{serve, DEFAULT_MAX_LINE};

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_string());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("line-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("line-echo: listening on {addr}, lines up to {DEFAULT_MAX_LINE} bytes");
    match serve(listener, DEFAULT_MAX_LINE) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("line-echo: accept failed: {err}");
            ExitCode::FAILURE
        }
    }
}
