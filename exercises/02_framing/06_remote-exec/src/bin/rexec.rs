//! Runs one command on a `rexec-server` and shows the reply.
//!
//! ```text
//! cargo run --bin rexec -- echo 'hello; touch /tmp/pwned'   # the text comes back, nothing runs
//! cargo run --bin rexec -- seq 1 100000 | tail -1           # 588,895 bytes in one reply
//! cargo run --bin rexec -- rm /tmp/pwned                    # refused: not on the list
//! cargo run --bin rexec -- date 133100002030                # refused: date takes no arguments
//! ```
//!
//! Set `SERVER` to connect somewhere other than 127.0.0.1:7882.

use std::io::Write;
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use remote_exec::client::call;
use remote_exec::{Reply, Request};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: rexec PROGRAM [ARG...]");
        return ExitCode::FAILURE;
    };
    let request = Request {
        program,
        args: args.collect(),
    };
    let addr = std::env::var("SERVER").unwrap_or_else(|_| "127.0.0.1:7882".into());
    let result = TcpStream::connect(&addr).and_then(|mut stream| {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        call(&mut stream, &request, 64 * 1024 * 1024)
    });
    let response = match result {
        Ok(response) => response,
        Err(err) => {
            eprintln!("rexec: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _ = std::io::stdout().write_all(&response.stdout);
    let _ = std::io::stderr().write_all(&response.stderr);
    match response.reply {
        Reply::Exited { code, .. } => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        other => {
            eprintln!("rexec: {other:?}");
            ExitCode::FAILURE
        }
    }
}
