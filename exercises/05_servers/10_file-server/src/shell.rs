//! The `file-client` prompt: commands typed by a person, turned into requests.
//!
//! Given: this is the seed's "print a prompt and guide the user" part. It calls the
//! [`Client`] you write and prints what happened.
//!
//! ```text
//! > ls
//!        6  hello.txt
//! 1 file
//! > get hello.txt
//! saved hello.txt (6 bytes)
//! > rm nope.txt
//! error: not_found: no file named "nope.txt"
//! > quit
//! ```

use std::io::{self, BufRead, Write};
use std::path::Path;

use crate::name::printable;
use crate::{Client, ClientError};

/// The prompt printed before each command.
pub const PROMPT: &str = "> ";

const HELP: &str = "commands: ls | get NAME | put PATH | rm NAME | help | quit";

/// Reads commands from `input` until `quit` or end of input, and prints the results
/// to `out`.
///
/// Downloads land in `dir`, and a relative `put` path is taken relative to `dir`
/// (the binary passes `.`). With `echo`, each command is printed after its prompt,
/// so a session piped in from a file reads like a typed one. Names and paths are
/// the rest of the line, so they may contain spaces.
///
/// A refusal from the server, a bad name or a checksum mismatch is printed as
/// `error: <code>: <message>` and the prompt goes on. A broken connection ends the
/// session with that error.
///
/// Names and messages come from the server, and a server can send anything: they
/// are printed through [`printable`], so that a control character or a
/// right-to-left override (U+202E) shows as an escape such as `\u{202e}` instead
/// of rewriting the terminal or disguising a name.
pub fn run_shell(
    client: &mut Client,
    input: impl BufRead,
    out: &mut impl Write,
    dir: &Path,
    echo: bool,
) -> io::Result<()> {
    let mut lines = input.lines();
    loop {
        write!(out, "{PROMPT}")?;
        out.flush()?;
        let Some(line) = lines.next().transpose()? else {
            writeln!(out)?;
            return Ok(());
        };
        let line = line.trim();
        if echo {
            writeln!(out, "{line}")?;
        }
        let (command, argument) = match line.split_once(char::is_whitespace) {
            Some((command, rest)) => (command, rest.trim()),
            None => (line, ""),
        };
        let outcome = match (command, argument) {
            ("", _) => Ok(()),
            ("quit" | "exit", _) => return Ok(()),
            ("help", _) => writeln!(out, "{HELP}").map_err(ClientError::Io),
            ("ls", "") => list(client, out),
            ("get", name) if !name.is_empty() => get(client, name, dir, out),
            ("put", path) if !path.is_empty() => put(client, &dir.join(path), out),
            ("rm", name) if !name.is_empty() => delete(client, name, out),
            _ => writeln!(out, "unknown command {line:?}; {HELP}").map_err(ClientError::Io),
        };
        match outcome {
            Ok(()) => {}
            // The connection is gone: nothing more can be done in this session.
            Err(ClientError::Io(e)) => {
                writeln!(out, "error: connection: {}", printable(&e.to_string()))?;
                return Err(e);
            }
            Err(other) => writeln!(out, "error: {}", printable(&other.to_string()))?,
        }
    }
}

fn list(client: &mut Client, out: &mut impl Write) -> Result<(), ClientError> {
    let files = client.list()?;
    for entry in &files {
        writeln!(out, "{:>8}  {}", entry.size, printable(&entry.name))?;
    }
    let plural = if files.len() == 1 { "" } else { "s" };
    writeln!(out, "{} file{plural}", files.len())?;
    Ok(())
}

fn get(
    client: &mut Client,
    name: &str,
    dir: &Path,
    out: &mut impl Write,
) -> Result<(), ClientError> {
    let info = client.get(name, dir)?;
    writeln!(out, "saved {} ({} bytes)", printable(&info.name), info.size)?;
    Ok(())
}

fn put(client: &mut Client, path: &Path, out: &mut impl Write) -> Result<(), ClientError> {
    let info = client.put(path)?;
    writeln!(
        out,
        "uploaded {} ({} bytes)",
        printable(&info.name),
        info.size
    )?;
    Ok(())
}

fn delete(client: &mut Client, name: &str, out: &mut impl Write) -> Result<(), ClientError> {
    client.delete(name)?;
    writeln!(out, "deleted {}", printable(name))?;
    Ok(())
}
