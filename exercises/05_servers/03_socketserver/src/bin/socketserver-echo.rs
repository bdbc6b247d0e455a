//! The echo handler on either server, to try by hand.
//!
//! ```text
//! cargo run --bin socketserver-echo -- threading            # thread per connection
//! cargo run --bin socketserver-echo -- pool 2               # two workers
//! cargo run --bin socketserver-echo -- pool 2 127.0.0.1:0   # any free port
//! nc 127.0.0.1 7000                                         # several at once
//! ```
//!
//! With `pool 2`, a third client is connected (the queue, then the backlog)
//! but gets no echo until one of the first two leaves. The first line on
//! stdout is `listening on <address>`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use socketserver::{Echo, PoolServer, ThreadingServer};

const USAGE: &str = "usage: socketserver-echo (threading | pool N) [ADDRESS]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (pool, rest) = match args.first().map(String::as_str) {
        Some("threading") => (None, &args[1..]),
        Some("pool") => match args.get(1).and_then(|n| n.parse::<usize>().ok()) {
            Some(workers) => (Some(workers), &args[2..]),
            None => return usage(),
        },
        _ => return usage(),
    };
    let addr = rest.first().map_or("127.0.0.1:7000", String::as_str);
    let served = match pool {
        None => ThreadingServer::bind(addr, Echo)
            .and_then(|server| announce(server.local_addr()).and_then(|()| server.run())),
        Some(workers) => PoolServer::bind(addr, workers, Echo)
            .and_then(|server| announce(server.local_addr()).and_then(|()| server.run())),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("socketserver-echo: {addr}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn announce(addr: SocketAddr) -> io::Result<()> {
    let mut stdout = io::stdout();
    writeln!(stdout, "listening on {addr}")?;
    stdout.flush()
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::FAILURE
}
