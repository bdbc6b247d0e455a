//! The poll echo server, to run by hand and for the C10K benchmark.
//!
//! ```text
//! cargo run --bin poll-echo                    # listens on 127.0.0.1:7000
//! cargo run --bin poll-echo -- 127.0.0.1:0     # any free port
//! nc 127.0.0.1 7000                            # in other terminals, several at once
//! ```
//!
//! The first line on stdout is exactly `listening on <addr>`, with the real
//! port: the C10K benchmark starts this binary on port 0 and reads that line.
//! For thousands of clients, raise the limit on open files first
//! (`ulimit -n 20000`): every connection is a file descriptor.

use std::io::{self, Write};
use std::process::ExitCode;

use poll_echo::Server;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server = match Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("poll-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Flushed before serving: whoever started us may be waiting for this line.
    let mut stdout = io::stdout().lock();
    if let Err(err) =
        writeln!(stdout, "listening on {}", server.local_addr()).and_then(|()| stdout.flush())
    {
        eprintln!("poll-echo: cannot write to stdout: {err}");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("poll-echo: the event loop failed: {err}");
            ExitCode::FAILURE
        }
    }
}
