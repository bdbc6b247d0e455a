//! Sends each argument as a frame to `frame-echo` and prints the replies.
//!
//! ```text
//! cargo run --bin frame-send -- hello "two words" ""
//! FRAME_ADDR=127.0.0.1:9000 cargo run --bin frame-send -- hi
//! ```

use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;

use length_prefix::{read_frame, write_frame, FrameError, DEFAULT_MAX_FRAME};

fn main() -> ExitCode {
    let addr = std::env::var("FRAME_ADDR").unwrap_or_else(|_| "127.0.0.1:7879".to_string());
    match run(&addr, std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("frame-send: {addr}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(addr: &str, messages: Vec<String>) -> Result<(), FrameError> {
    let mut stream = TcpStream::connect(addr)?;
    for message in &messages {
        write_frame(&mut stream, message.as_bytes(), DEFAULT_MAX_FRAME)?;
        match read_frame(&mut stream, DEFAULT_MAX_FRAME)? {
            Some(reply) => println!("{:?}", String::from_utf8_lossy(&reply)),
            None => {
                eprintln!("frame-send: the server closed the connection");
                return Ok(());
            }
        }
    }
    // Tell the server we are done, then wait for its side to close too.
    stream.shutdown(Shutdown::Write)?;
    match read_frame(&mut stream, DEFAULT_MAX_FRAME)? {
        None => Ok(()),
        Some(extra) => {
            eprintln!(
                "frame-send: unexpected extra frame of {} bytes",
                extra.len()
            );
            Ok(())
        }
    }
}
