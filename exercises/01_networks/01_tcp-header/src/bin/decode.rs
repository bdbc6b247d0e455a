//! Decode a TCP header typed in as hex.
//!
//! ```text
//! cargo run --bin decode -- c350 1f90 0000 0001 0000 0000 5002 faf0 0000 0000
//! sudo tcpdump -i lo -x -c 1 'tcp port 8080' | cargo run --bin decode -- --ip
//! ```
//!
//! Hex comes from the arguments, or from stdin when there are none. Spaces, line
//! breaks and tcpdump's `0x0010:` offsets are skipped, as is any line that does
//! not start with an offset when reading tcpdump output. With `--ip` the input
//! is an IPv4 or IPv6 packet (what `tcpdump -x` prints) and its IP header is
//! skipped first.

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let skip_ip = args.iter().any(|a| a == "--ip");
    args.retain(|a| a != "--ip");

    let text = if args.is_empty() {
        let mut input = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut input) {
            eprintln!("could not read stdin: {e}");
            return ExitCode::FAILURE;
        }
        input
    } else {
        args.join(" ")
    };

    let bytes = match hex::decode(hex_digits(&text)) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("not hex: {e}");
            return ExitCode::FAILURE;
        }
    };
    let segment = if skip_ip {
        match skip_ip_header(&bytes) {
            Some(segment) => segment,
            None => {
                eprintln!("--ip: the input does not start with an IPv4 or IPv6 header");
                return ExitCode::FAILURE;
            }
        }
    } else {
        &bytes[..]
    };

    match tcp_header::split(segment) {
        Ok((header, payload)) => {
            println!("{header:#?}");
            println!(
                "header: {} bytes, payload: {} bytes",
                header.header_len(),
                payload.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("not a TCP header: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Keeps the hex digits of `text`, dropping whitespace and `0x0010:`-style
/// offsets; with tcpdump input, lines that are not hex dump lines are dropped.
fn hex_digits(text: &str) -> String {
    let dump_lines = text.lines().any(|line| line.trim_start().starts_with("0x"));
    text.lines()
        .filter(|line| !dump_lines || line.trim_start().starts_with("0x"))
        .flat_map(|line| line.split_whitespace())
        .filter(|word| !word.ends_with(':'))
        .collect()
}

/// The bytes after an IPv4 header (its length is in its low 4 bits, in 32-bit
/// words, at least 5) or a fixed 40-byte IPv6 header (extension headers are not
/// handled).
fn skip_ip_header(packet: &[u8]) -> Option<&[u8]> {
    let first = *packet.first()?;
    let header_len = match first >> 4 {
        4 if first & 0x0f >= 5 => usize::from(first & 0x0f) * 4,
        6 => 40,
        _ => return None,
    };
    packet.get(header_len..)
}
