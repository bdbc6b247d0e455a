//! The thread-per-connection echo server, to try by hand and to benchmark.
//!
//! ```text
//! cargo run --bin threaded-echo                     # listens on 127.0.0.1:7000
//! cargo run --bin threaded-echo -- 127.0.0.1:0      # any free port
//! nc 127.0.0.1 7000                                 # in several terminals at once
//! ```
//!
//! The first line on stdout is exactly `listening on <address>`, with the port
//! the system chose, so that scripts (the C10K benchmark) can find the server.

use std::io::Write;
use std::process::ExitCode;

use threaded_echo::Server;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server = match Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("threaded-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    // Flushed at once: a script reading this line must not wait for a buffer.
    let announced =
        writeln!(stdout, "listening on {}", server.local_addr()).and_then(|()| stdout.flush());
    if let Err(err) = announced {
        eprintln!("threaded-echo: cannot write to stdout: {err}");
        return ExitCode::FAILURE;
    }
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("threaded-echo: {err}");
            ExitCode::FAILURE
        }
    }
}
