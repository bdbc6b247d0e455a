//! A remote-exec server with a small, harmless allow-list.
//!
//! ```text
//! cargo run --bin rexec-server                # listens on 127.0.0.1:7879
//! cargo run --bin rexec -- echo 'hi; touch /tmp/pwned'
//! ```
//!
//! It listens on loopback only and asks for no password: see the lesson for what
//! a real deployment needs (authentication, TLS).

use std::path::{Path, PathBuf};

use remote_exec::{serve, AllowList, Limits};

/// Programs that only report on the machine; none of them reads files or writes.
const HARMLESS: [&str; 5] = ["echo", "date", "uname", "uptime", "seq"];

fn main() -> std::io::Result<()> {
    let mut allow = AllowList::new();
    for name in HARMLESS {
        match locate(name) {
            Some(path) => {
                println!("allowing {name} = {}", path.display());
                allow = allow.allow(name, path);
            }
            None => println!("{name} not found; not allowed"),
        }
    }
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".into());
    let listener = std::net::TcpListener::bind(&addr)?;
    println!("listening on {addr}");
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
