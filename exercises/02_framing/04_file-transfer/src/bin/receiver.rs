//! Receives uploads, one connection at a time, into a folder.
//!
//! ```text
//! cargo run --bin receiver -- [ADDR] [FOLDER]     # default 127.0.0.1:7070 uploads
//! ```
//!
//! Then send files with `cargo run --bin sender -- 127.0.0.1:7070 FILE...`.

use std::error::Error;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use file_transfer::{receive_file, Limits, TransferError};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7070".to_owned());
    let folder = args.next().unwrap_or_else(|| "uploads".to_owned());
    fs::create_dir_all(&folder)?;
    let listener = TcpListener::bind(&addr)?;
    println!("receiving into {folder}/ on {addr}");
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => serve(stream, Path::new(&folder)),
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
    Ok(())
}

/// Receives files until the sender closes its side or something goes wrong.
fn serve(mut stream: TcpStream, folder: &Path) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    // A sender that goes silent must not hold this (one-at-a-time) server forever.
    if let Err(e) = stream.set_read_timeout(Some(Duration::from_secs(30))) {
        eprintln!("{peer}: {e}");
        return;
    }
    loop {
        match receive_file(&mut stream, folder, &Limits::default()) {
            Ok(path) => println!("{peer}: saved {}", path.display()),
            Err(TransferError::Closed) => break,
            Err(e) => {
                // The stream is now somewhere inside a transfer: give up on it.
                eprintln!("{peer}: {e}; closing the connection");
                break;
            }
        }
    }
}
