//! The chat room server, to try by hand.
//!
//! ```text
//! cargo run --bin chat-server                  # listens on 127.0.0.1:7000
//! cargo run --bin chat-server -- 127.0.0.1:9000
//! ```
//!
//! Every line typed on this program's standard input is announced to the room
//! as `[admin] <line>`. Connect with `cargo run --bin chat-client` (or
//! `nc 127.0.0.1 7000`); the first line you type is your name.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::thread;

use chat_server::Server;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let server = match Server::bind(&addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("chat-server: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The first line on stdout says where we listen (scripts wait for it).
    let mut stdout = io::stdout();
    let _ = writeln!(stdout, "listening on {}", server.local_addr());
    let _ = stdout.flush();
    eprintln!("chat-server: type a line here to announce it to the room");

    // The poll loop owns the sockets; the operator's console is another
    // thread that talks to it through the announcer.
    let announcer = server.announcer();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            announcer.announce(&line);
        }
    });

    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("chat-server: {err}");
            ExitCode::FAILURE
        }
    }
}
