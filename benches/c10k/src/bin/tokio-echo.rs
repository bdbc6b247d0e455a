//! `tokio-echo [ADDR]`: an echo server written the ordinary Tokio way, the
//! reference row of `cargo xtask bench`.
//!
//! One task per connection, each a plain read-then-write loop (`tokio::io::copy`),
//! on Tokio's default multi-threaded runtime (one worker thread per core). It
//! prints `listening on ADDR` first, like the course's echo servers, so the
//! benchmark starts it the same way. This is what part 07 teaches; here it is
//! the yardstick for the servers written by hand in part 05.

use std::io;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

#[tokio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7880".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                tokio::spawn(echo(stream));
            }
            // Out of descriptors (EMFILE/ENFILE) or a connection that died in
            // the queue: this client is lost, the server is not. Pause a moment
            // so a full descriptor table does not turn into a busy loop, and
            // accept again; a descriptor freed by any means is used then.
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Sends back every byte the client sends, until it closes or fails.
async fn echo(mut stream: TcpStream) {
    // Echoes are small: send each at once rather than let Nagle's algorithm
    // hold it back (the epoll server does the same).
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.split();
    // An error only ends this connection; there is no one to report it to.
    let _ = tokio::io::copy(&mut reader, &mut writer).await;
}
