//! An echo server that lets in only clients who know the key.
//!
//! ```text
//! export AUTH_KEY=$(openssl rand -hex 32)     # 64 random hex digits, shared by both
//! cargo run --bin auth-server                # listens on 127.0.0.1:7881
//! cargo run --bin auth-client -- hello       # in another terminal (same AUTH_KEY)
//! AUTH_KEY=$(openssl rand -hex 32) cargo run --bin auth-client -- hello   # refused
//! ```
//!
//! The key comes from the environment, not the command line: every user on the
//! machine can read another process's arguments (`ps`), not its environment.
//! A missing, empty or short key stops the server before it listens. The first
//! line on stdout is `listening on <addr>`; what happens to each client is logged
//! on stderr.

use std::env;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

use auth_handshake::{frame, server_handshake, Key, DEFAULT_TIMEOUT};

fn main() -> ExitCode {
    let key = env::var("AUTH_KEY")
        .map_err(|err| err.to_string())
        .and_then(|text| Key::new(text.as_bytes()).map_err(|err| err.to_string()));
    // Refuse to start rather than serve with a key anyone can guess.
    let key = match key {
        Ok(key) => Arc::new(key),
        Err(err) => {
            eprintln!("auth-server: AUTH_KEY: {err}");
            return ExitCode::FAILURE;
        }
    };
    let addr = env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7881".into());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("auth-server: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The address actually bound: with port 0 the OS picks one, and tests read it here.
    match listener.local_addr() {
        Ok(bound) => println!("listening on {bound}"),
        Err(_) => println!("listening on {addr}"),
    }
    for stream in listener.incoming() {
        // One failed accept (a client that reset first, no file descriptors left
        // for a moment) is about one connection: log it, keep serving the others.
        let stream = match stream {
            Ok(stream) => stream,
            Err(err) => {
                eprintln!("accept failed: {err}");
                continue;
            }
        };
        let key = Arc::clone(&key);
        thread::spawn(move || serve(stream, &key));
    }
    ExitCode::SUCCESS
}

fn serve(mut stream: TcpStream, key: &Key) {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    if let Err(err) = server_handshake(&mut stream, key, DEFAULT_TIMEOUT) {
        eprintln!("{peer}: {err}");
        return;
    }
    eprintln!("{peer}: authenticated");
    // Echo frames back until the client hangs up.
    while let Ok(Some(message)) = frame::read_frame(&mut stream, 64 * 1024) {
        let reply = [b"echo: ".as_slice(), &message].concat();
        if frame::write_frame(&mut stream, &reply).is_err() {
            break;
        }
    }
}
