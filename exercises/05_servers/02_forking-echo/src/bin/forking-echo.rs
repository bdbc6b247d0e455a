//! The process-per-connection echo server, to try by hand and to benchmark.
//!
//! ```text
//! cargo run --bin forking-echo                      # listens on 127.0.0.1:7000
//! cargo run --bin forking-echo -- 127.0.0.1:0       # any free port
//! nc 127.0.0.1 7000                                 # in several terminals at once
//! ps -o pid,ppid,stat,cmd --ppid $(pgrep -x forking-echo)   # one child per client
//! ```
//!
//! The first line on stdout is exactly `listening on <address>`, with the port
//! the system chose. Set `FORKING_ECHO_GREETING=1` to make every child start
//! its conversation with `pid <its pid>`.

use std::io::Write;
use std::process::ExitCode;

use forking_echo::Server;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let mut server = match Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("forking-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if std::env::var_os("FORKING_ECHO_GREETING").is_some_and(|v| v == "1") {
        server = server.with_pid_greeting();
    }
    let mut stdout = std::io::stdout();
    // Flushed before the first fork: a child must not inherit (and print
    // again) bytes still waiting in the parent's stdout buffer.
    let announced =
        writeln!(stdout, "listening on {}", server.local_addr()).and_then(|()| stdout.flush());
    if let Err(err) = announced {
        eprintln!("forking-echo: cannot write to stdout: {err}");
        return ExitCode::FAILURE;
    }
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("forking-echo: {err}");
            ExitCode::FAILURE
        }
    }
}
