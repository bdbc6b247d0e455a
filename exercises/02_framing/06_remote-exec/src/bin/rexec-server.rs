//! A remote-exec server with a small, harmless allow-list.
//!
//! ```text
//! cargo run --bin rexec-server                # listens on 127.0.0.1:7882
//! cargo run --bin rexec -- echo 'hi; touch /tmp/pwned'
//! ```
//!
//! It listens on loopback only and asks for no password: see the lesson for what
//! a real deployment needs (authentication, TLS). The first line on stdout is
//! `listening on <addr>`; the allow-list and each client's failures go to stderr.

use std::path::{Path, PathBuf};

use remote_exec::{serve, AllowList, Arguments, Limits};

/// Programs that only report on the machine, none of which reads files or
/// writes, each with the arguments it may take. The arguments matter as much as
/// the program: `date` only reports the time when it gets no operand, and
/// `date 010100002030` sets the clock.
const HARMLESS: [(&str, Arguments); 5] = [
    ("echo", Arguments::Operands),    // prints its operands
    ("seq", Arguments::Operands),     // counts; `-f FORMAT` is left out
    ("date", Arguments::Forbidden),   // an operand sets the clock
    ("uname", Arguments::Any),        // every option only picks what to print
    ("uptime", Arguments::Forbidden), // takes no operands anyway
];

fn main() -> std::io::Result<()> {
    let mut allow = AllowList::new();
    for (name, arguments) in HARMLESS {
        match locate(name) {
            Some(path) => {
                eprintln!("allowing {name} = {} ({arguments:?})", path.display());
                allow = allow.allow(name, path, arguments);
            }
            None => eprintln!("{name} not found; not allowed"),
        }
    }
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7882".into());
    let listener = std::net::TcpListener::bind(&addr)?;
    // The address actually bound: with port 0 the OS picks one, and tests read it here.
    println!("listening on {}", listener.local_addr()?);
    serve(listener, allow, Limits::default());
    Ok(())
}

/// Finds a program in the two standard places, once, when the server starts.
fn locate(name: &str) -> Option<PathBuf> {
    ["/bin", "/usr/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}
