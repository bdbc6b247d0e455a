//! Authenticates to `auth-server`, sends each argument as one message, prints the replies.
//!
//! ```text
//! AUTH_KEY=<the server's key> cargo run --bin auth-client -- hello world
//! ```
//!
//! Set `SERVER` to connect somewhere other than 127.0.0.1:7881.

use std::env;
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use auth_handshake::{client_handshake, frame, Key};

fn main() -> ExitCode {
    let key = env::var("AUTH_KEY")
        .map_err(|err| err.to_string())
        .and_then(|text| Key::new(text.as_bytes()).map_err(|err| err.to_string()));
    let key = match key {
        Ok(key) => key,
        Err(err) => {
            eprintln!("auth-client: AUTH_KEY: {err}");
            return ExitCode::FAILURE;
        }
    };
    let addr = env::var("SERVER").unwrap_or_else(|_| "127.0.0.1:7881".into());
    let mut stream = match TcpStream::connect(&addr) {
        Ok(stream) => stream,
        Err(err) => {
            eprintln!("auth-client: cannot connect to {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Never wait forever for a server that went quiet.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));

    if let Err(err) = client_handshake(&mut stream, &key) {
        eprintln!("{err}");
        return ExitCode::FAILURE;
    }
    for message in env::args().skip(1) {
        let reply = frame::write_frame(&mut stream, message.as_bytes())
            .and_then(|()| frame::read_frame(&mut stream, 64 * 1024));
        match reply {
            Ok(Some(reply)) => println!("{}", String::from_utf8_lossy(&reply)),
            Ok(None) => {
                eprintln!("the server closed the connection");
                return ExitCode::FAILURE;
            }
            Err(err) => {
                eprintln!("{err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
