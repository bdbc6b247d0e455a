//! Authenticates to `auth-server`, sends each argument as one message, prints the replies.
//!
//! ```text
//! AUTH_KEY='some long secret' cargo run --bin auth-client -- hello world
//! ```
//!
//! Set `SERVER` to connect somewhere other than 127.0.0.1:7878.

use std::env;
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use auth_handshake::{client_handshake, frame};

fn main() -> ExitCode {
    let key = env::var("AUTH_KEY").expect("set AUTH_KEY to the shared secret");
    let addr = env::var("SERVER").unwrap_or_else(|_| "127.0.0.1:7878".into());
    let mut stream = TcpStream::connect(&addr).expect("could not connect");
    // Never wait forever for a server that went quiet.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));

    if let Err(err) = client_handshake(&mut stream, key.as_bytes()) {
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
