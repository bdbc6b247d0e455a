//! A frame echo server, to try by hand: every frame comes back unchanged.
//!
//! ```text
//! cargo run --bin frame-echo              # listens on 127.0.0.1:7879
//! cargo run --bin frame-send -- hello     # in another terminal
//! printf '\000\000\000\005hello' | nc -N 127.0.0.1 7879 | xxd
//! ```

use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;

use length_prefix::{read_frame, write_frame, DEFAULT_MAX_FRAME};

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".to_string());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("frame-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("frame-echo: listening on {addr}, frames up to {DEFAULT_MAX_FRAME} bytes");
    for stream in listener.incoming() {
        match stream {
            // One thread per client: a slow client holds up only its own thread.
            Ok(stream) => {
                thread::spawn(move || echo(stream));
            }
            Err(err) => eprintln!("frame-echo: accept failed: {err}"),
        }
    }
    ExitCode::SUCCESS
}

/// Sends every frame back until the client stops; reports how it ended.
fn echo(mut stream: TcpStream) {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let outcome = loop {
        match read_frame(&mut stream, DEFAULT_MAX_FRAME) {
            Ok(Some(payload)) => {
                eprintln!("frame-echo: {peer}: {} bytes", payload.len());
                if let Err(err) = write_frame(&mut stream, &payload, DEFAULT_MAX_FRAME) {
                    break Err(err);
                }
            }
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    match outcome {
        Ok(()) => eprintln!("frame-echo: {peer}: done"),
        // After a bad frame the stream is out of step: closing it (dropping
        // `stream`) is all that is left to do.
        Err(err) => eprintln!("frame-echo: {peer}: {err}"),
    }
}
