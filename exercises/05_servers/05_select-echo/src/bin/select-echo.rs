//! The select echo server, to run by hand.
//!
//! ```text
//! cargo run --bin select-echo                    # listens on 127.0.0.1:7000
//! cargo run --bin select-echo -- 127.0.0.1:0     # any free port
//! nc 127.0.0.1 7000                              # in other terminals, several at once
//! ```
//!
//! The first line on stdout is exactly `listening on <addr>`, with the real
//! port, so that a script (or a benchmark) that started it on port 0 can find it.

use std::io::{self, Write};
use std::process::ExitCode;

use select_echo::Server;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server = match Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("select-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Flushed before serving: whoever started us may be waiting for this line.
    let mut stdout = io::stdout().lock();
    if let Err(err) =
        writeln!(stdout, "listening on {}", server.local_addr()).and_then(|()| stdout.flush())
    {
        eprintln!("select-echo: cannot write to stdout: {err}");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("select-echo: the event loop failed: {err}");
            ExitCode::FAILURE
        }
    }
}
