//! Serves the files of one folder to many clients at once.
//!
//! ```text
//! cargo run --bin file-server -- [ADDR] [ROOT]     # default 127.0.0.1:7070 files
//! ```
//!
//! The folder is created if it does not exist. Then, in another terminal:
//! `cargo run --bin file-client -- 127.0.0.1:7070`.

use std::error::Error;
use std::fs;
use std::io::{self, Write};

use file_server::Server;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7070".to_owned());
    let root = args.next().unwrap_or_else(|| "files".to_owned());
    fs::create_dir_all(&root)?;
    let server = Server::bind(&addr, &root)?;
    // The first line is exactly this, flushed, so a script can wait for it.
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {}", server.local_addr())?;
    writeln!(stdout, "serving the files in {}", server.root().display())?;
    stdout.flush()?;
    drop(stdout);
    server.run()?;
    Ok(())
}
