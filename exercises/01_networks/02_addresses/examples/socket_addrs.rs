//! How the standard library names addresses. Run it:
//!
//! ```text
//! cargo run --example socket_addrs
//! ```
//!
//! Everything here stays on this machine: the only name it resolves is
//! `localhost`, and `::1` is a literal that needs no lookup.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, TcpListener, ToSocketAddrs};

fn main() -> io::Result<()> {
    // ANCHOR: build
    // Four ways to make a socket address. The typed ones cannot be malformed;
    // parsing a string can fail, so it returns a Result.
    let v4 = SocketAddr::from(([127, 0, 0, 1], 8080));
    let v6: SocketAddr = "[::1]:8080".parse().expect("a valid literal");
    let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
    // IPv6 socket addresses also carry a flow label and a scope id: the interface
    // a link-local address belongs to (the `%2` in the output).
    let link_local = SocketAddrV6::new(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 8080, 0, 2);
    println!("{v4}  {v6}  {any}  {link_local}");
    // 127.0.0.1:8080  [::1]:8080  0.0.0.0:0  [fe80::1%2]:8080
    // ANCHOR_END: build

    // ANCHOR: predicates
    let lan: IpAddr = "192.168.1.23".parse().expect("a valid literal");
    println!(
        "{lan}: loopback {}, unspecified {}, multicast {}",
        lan.is_loopback(),
        lan.is_unspecified(),
        lan.is_multicast()
    );
    if let IpAddr::V4(v4) = lan {
        // Some checks exist only for one family, on Ipv4Addr or Ipv6Addr.
        println!(
            "{v4}: private {}, link-local {}",
            v4.is_private(),
            v4.is_link_local()
        );
    }
    // ANCHOR_END: predicates

    // ANCHOR: port_zero
    // Port 0: "any free port". Ask the socket which one it got.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("the OS picked {}", listener.local_addr()?);
    // ANCHOR_END: port_zero

    // ANCHOR: resolve
    // A (name, port) pair goes to the system resolver, which may return several
    // addresses: try them in order, as TcpStream::connect does.
    for addr in ("localhost", 8080).to_socket_addrs()? {
        println!("localhost -> {addr}");
    }
    // A "host:port" string is split at its LAST colon, so std reads "::1:80" as
    // host ::1, port 80, although ::1:80 is itself a valid IPv6 address.
    let lenient: Vec<SocketAddr> = "::1:80".to_socket_addrs()?.collect();
    println!("\"::1:80\" -> {lenient:?}");
    // ANCHOR_END: resolve
    Ok(())
}
