//! End-of-file, a broken pipe and a reset, on a real loopback connection.
//!
//! ```text
//! cargo run --example broken-pipe
//! ```
//!
//! Nothing here is part of the exercise; it only shows what the OS does. The
//! exact error of step 2 can differ between systems (Linux says "Broken pipe",
//! macOS may say "Connection reset by peer"): both mean "the peer is gone".

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use socket2::SockRef;

/// A connected pair of sockets on loopback: (client side, server side).
fn pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    server.set_read_timeout(Some(Duration::from_secs(2)))?;
    Ok((client, server))
}

// ANCHOR: eof
/// The peer closes: our read returns Ok(0), end-of-file, and keeps doing so.
fn end_of_file() -> io::Result<()> {
    let (mut client, server) = pair()?;
    drop(server); // close: the kernel sends FIN
    let mut buf = [0u8; 16];
    println!("1. read after the peer closed: {:?}", client.read(&mut buf));
    println!("   and again:                  {:?}", client.read(&mut buf));
    Ok(())
}
// ANCHOR_END: eof

// ANCHOR: broken_pipe
/// Writing to a peer that has closed: the first write is accepted (the kernel
/// only copies the bytes into the send buffer); the peer's kernel answers the
/// data with RST; the next write fails. A C program would be killed by SIGPIPE
/// here; Rust programs ignore SIGPIPE, so the write returns an error instead.
fn broken_pipe() -> io::Result<()> {
    let (mut client, server) = pair()?;
    drop(server);
    println!(
        "2. first write to a closed peer:  {:?}",
        client.write(b"hello")
    );
    // On loopback the RST comes back before the next line runs.
    println!(
        "   second write:                  {:?}",
        client.write(b"again")
    );
    Ok(())
}
// ANCHOR_END: broken_pipe

// ANCHOR: reset
/// SO_LINGER with a zero timeout turns close into an abort: the kernel throws
/// away unsent data and sends RST instead of FIN. The peer's read fails with
/// ConnectionReset instead of returning end-of-file.
fn reset() -> io::Result<()> {
    let (mut client, server) = pair()?;
    SockRef::from(&server).set_linger(Some(Duration::ZERO))?;
    drop(server); // RST, not FIN
    let mut buf = [0u8; 16];
    println!(
        "3. read after the peer reset:    {:?}",
        client.read(&mut buf)
    );
    Ok(())
}
// ANCHOR_END: reset

fn main() -> io::Result<()> {
    end_of_file()?;
    broken_pipe()?;
    reset()?;
    Ok(())
}
