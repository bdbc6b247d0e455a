//! A prompt for a file server: `ls`, `get NAME`, `put PATH`, `rm NAME`, `quit`.
//!
//! ```text
//! cargo run --bin file-client -- [ADDR]     # default 127.0.0.1:7070
//! ```
//!
//! Downloads land in the current folder. Commands can also be piped in:
//! `printf 'ls\nget hello.txt\n' | cargo run --bin file-client`.

use std::error::Error;
use std::io::{self, IsTerminal};
use std::path::Path;

use file_server::shell::run_shell;
use file_server::Client;

fn main() -> Result<(), Box<dyn Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7070".to_owned());
    let mut client = Client::connect(&addr)?;
    println!(
        "connected to {}; type help for the commands",
        client.server_addr()?
    );
    let stdin = io::stdin();
    // Piped commands are echoed, so the output reads like a typed session.
    let echo = !stdin.is_terminal();
    run_shell(
        &mut client,
        stdin.lock(),
        &mut io::stdout(),
        Path::new("."),
        echo,
    )?;
    Ok(())
}
