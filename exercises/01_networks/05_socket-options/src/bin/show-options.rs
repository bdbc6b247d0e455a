//! Prints the options of a plain client socket and of a configured one, as
//! your OS reports them back.
//!
//! ```text
//! cargo run --bin show-options
//! ```
//!
//! Compare the buffer sizes you asked for with what comes back (Linux doubles
//! them), and the defaults of a socket nobody configured.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::SockRef;
use socket_options::{configured_client, reusable_listener, ClientOptions, Keepalive};

fn main() -> io::Result<()> {
    let listener = reusable_listener(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let addr = listener.local_addr()?;
    println!("listening on {addr}");

    let plain = configured_client(addr, &ClientOptions::default())?;
    show("a plain client socket", &plain)?;

    let options = ClientOptions {
        nodelay: true,
        keepalive: Some(Keepalive {
            idle: Duration::from_secs(60),
            interval: Duration::from_secs(10),
        }),
        linger: Some(Duration::from_secs(5)),
        read_timeout: Some(Duration::from_millis(1500)),
        write_timeout: Some(Duration::from_secs(3)),
        send_buffer_size: Some(32 * 1024),
        recv_buffer_size: Some(64 * 1024),
    };
    println!("\nasked for: {options:#?}");
    let configured = configured_client(addr, &options)?;
    show("the configured client socket", &configured)?;
    Ok(())
}

fn show(title: &str, stream: &TcpStream) -> io::Result<()> {
    let sock = SockRef::from(stream);
    println!("\n{title}:");
    println!("  TCP_NODELAY   {}", sock.tcp_nodelay()?);
    println!("  SO_KEEPALIVE  {}", sock.keepalive()?);
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        println!("  keepalive idle      {:?}", sock.tcp_keepalive_time()?);
        println!("  keepalive interval  {:?}", sock.tcp_keepalive_interval()?);
        println!("  keepalive probes    {}", sock.tcp_keepalive_retries()?);
    }
    println!("  SO_LINGER     {:?}", sock.linger()?);
    println!("  SO_RCVTIMEO   {:?}", sock.read_timeout()?);
    println!("  SO_SNDTIMEO   {:?}", sock.write_timeout()?);
    println!("  SO_SNDBUF     {} bytes", sock.send_buffer_size()?);
    println!("  SO_RCVBUF     {} bytes", sock.recv_buffer_size()?);
    Ok(())
}
