//! A terminal client for the chat room.
//!
//! ```text
//! cargo run --bin chat-client                  # connects to 127.0.0.1:7000
//! cargo run --bin chat-client -- 127.0.0.1:9000
//! ```
//!
//! Type your name first, then messages; `/quit` leaves. Two threads share the
//! connection: one copies your typing to the server, the other prints every
//! line the server sends, so messages from others appear while you type.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;
use std::thread;

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let stream = match TcpStream::connect(&addr) {
        Ok(stream) => stream,
        Err(err) => {
            eprintln!("chat-client: cannot connect to {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("chat-client: connected to {addr}; type your name, then messages; /quit leaves");

    // The typing thread. `&TcpStream` implements `Write`, so a clone of the
    // handle is all it needs; the socket is shared, not copied.
    let mut to_server = match stream.try_clone() {
        Ok(clone) => clone,
        Err(err) => {
            eprintln!("chat-client: {err}");
            return ExitCode::FAILURE;
        }
    };
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if writeln!(to_server, "{line}").is_err() {
                return; // the server is gone; the printing thread reports it
            }
        }
        // End of input (Ctrl-D): stop sending. The server takes that as
        // leaving and closes, which ends the printing loop below.
        let _ = to_server.shutdown(Shutdown::Write);
    });

    // The printing loop, on the main thread: it decides when the program ends.
    let mut stdout = io::stdout().lock();
    for line in BufReader::new(stream).lines() {
        match line {
            Ok(line) => {
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            }
            Err(err) => {
                eprintln!("chat-client: connection lost: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("chat-client: the server closed the connection");
    // Returning from main ends the typing thread too, even mid-read.
    ExitCode::SUCCESS
}
