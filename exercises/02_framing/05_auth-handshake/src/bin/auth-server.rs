//! An echo server that lets in only clients who know the key.
//!
//! ```text
//! AUTH_KEY='some long secret' cargo run --bin auth-server            # listens on 127.0.0.1:7878
//! AUTH_KEY='some long secret' cargo run --bin auth-client -- hello   # in another terminal
//! AUTH_KEY='a wrong guess'    cargo run --bin auth-client -- hello   # refused
//! ```

use std::env;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use auth_handshake::{frame, server_handshake, DEFAULT_TIMEOUT};

fn main() -> std::io::Result<()> {
    let key: Arc<[u8]> = env::var("AUTH_KEY")
        .expect("set AUTH_KEY to the shared secret")
        .into_bytes()
        .into();
    let addr = env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".into());
    let listener = TcpListener::bind(&addr)?;
    println!("listening on {addr}");
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
    Ok(())
}

fn serve(mut stream: TcpStream, key: &[u8]) {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    if let Err(err) = server_handshake(&mut stream, key, DEFAULT_TIMEOUT) {
        println!("{peer}: {err}");
        return;
    }
    println!("{peer}: authenticated");
    // Echo frames back until the client hangs up.
    while let Ok(Some(message)) = frame::read_frame(&mut stream, 64 * 1024) {
        let reply = [b"echo: ".as_slice(), &message].concat();
        if frame::write_frame(&mut stream, &reply).is_err() {
            break;
        }
    }
}
