//! Sends files to a receiver.
//!
//! ```text
//! cargo run --bin sender -- ADDR FILE...
//! ```

use std::error::Error;
use std::net::{Shutdown, TcpStream};
use std::path::Path;

use file_transfer::send_file;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().ok_or("usage: sender ADDR FILE...")?;
    let mut stream = TcpStream::connect(&addr)?;
    for file in args {
        let header = send_file(&mut stream, Path::new(&file))?;
        println!(
            "sent {} ({} bytes, sha256 {})",
            header.name, header.size, header.sha256
        );
    }
    // End of stream between transfers: the receiver sees a clean `Closed`.
    stream.shutdown(Shutdown::Write)?;
    Ok(())
}
