//! Classify addresses and resolve endpoints from the command line.
//!
//! ```text
//! cargo run --bin addr -- 10.1.2.3 ::ffff:127.0.0.1 fe80::1 [::1]:8080 localhost:80
//! ```
//!
//! An argument that is an IP address is classified. Anything else is parsed as
//! `host:port`; a host name is then resolved by the system resolver (this may ask
//! a DNS server for names other than `localhost`) and every answer is classified.

use std::net::{IpAddr, ToSocketAddrs};
use std::process::ExitCode;

use addresses::{classify, parse_endpoint};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!(
            "usage: addr ADDRESS|HOST:PORT ...   e.g. addr 192.168.1.5 [::1]:8080 localhost:80"
        );
        return ExitCode::FAILURE;
    }
    let mut ok = true;
    for arg in &args {
        if let Ok(ip) = arg.parse::<IpAddr>() {
            println!("{arg}: {:?}", classify(ip));
            continue;
        }
        match parse_endpoint(arg) {
            Ok(endpoint) => match endpoint.to_socket_addrs() {
                Ok(addrs) => {
                    for addr in addrs {
                        println!("{endpoint} -> {addr}: {:?}", classify(addr.ip()));
                    }
                }
                Err(e) => {
                    println!("{endpoint}: could not resolve: {e}");
                    ok = false;
                }
            },
            Err(e) => {
                println!("{arg}: {e}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
