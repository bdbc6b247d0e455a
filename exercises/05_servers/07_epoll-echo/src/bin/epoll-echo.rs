//! The epoll echo server, to run by hand and for the C10K benchmark.
//!
//! ```text
//! cargo run --bin epoll-echo                    # listens on 127.0.0.1:7000
//! cargo run --bin epoll-echo -- 127.0.0.1:0     # any free port
//! nc 127.0.0.1 7000                             # in other terminals, several at once
//! ```
//!
//! The first line on stdout is exactly `listening on <addr>`, with the real
//! port: `cargo xtask bench` starts this binary on port 0 and reads that line.
//! Linux only; elsewhere it says so and exits.

use std::process::ExitCode;

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    use std::io::Write;

    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server = match epoll_echo::Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("epoll-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Flushed at once: whoever started us is waiting for this line.
    let mut stdout = std::io::stdout().lock();
    let announced =
        writeln!(stdout, "listening on {}", server.local_addr()).and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(err) = announced {
        eprintln!("epoll-echo: cannot write to stdout: {err}");
        return ExitCode::FAILURE;
    }
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("epoll-echo: the event loop failed: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    eprintln!(
        "epoll-echo: epoll is a Linux system call, and this is not Linux. \
         (macOS and the BSDs have kqueue; see the lesson.)"
    );
    ExitCode::FAILURE
}
