//! Step 3: `loopback_only` and `resolve_localhost`. Resolving `localhost` through
//! the system resolver: loopback answers only, each with the port asked for, and
//! good enough to reach a local server. Run these tests alone with
//! `cargo test --test 03_resolve`.

use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};

use addresses::{loopback_only, parse_endpoint, resolve_localhost, Endpoint};
use testkit::{deadline, expect, net};

#[test]
fn localhost_resolves_to_loopback_addresses_with_the_port() {
    testkit::within(deadline::DEFAULT, "resolve_localhost to return", || {
        for port in [0, 1, 8080, 65535] {
            let addrs = expect::ok(
                &format!("resolve_localhost({port})"),
                resolve_localhost(port),
                "(\"localhost\", port).to_socket_addrs() asks the system resolver, which \
                 reads /etc/hosts; is localhost listed there?",
            );
            expect::that(
                !addrs.is_empty(),
                &format!("resolve_localhost({port}) gives at least one address"),
                &addrs,
                "an empty answer is an error (ErrorKind::NotFound), not Ok(vec![])",
            );
            for addr in &addrs {
                expect::that(
                    addr.ip().to_canonical().is_loopback(),
                    &format!("every answer of resolve_localhost({port}) is loopback"),
                    addr,
                    "keep only loopback answers: localhost must never leave the machine",
                );
                expect::eq(
                    &format!("the port of {addr}"),
                    &addr.port(),
                    &port,
                    "to_socket_addrs puts the port you give into every address",
                );
            }
            let mut unique = addrs.clone();
            unique.sort();
            unique.dedup();
            expect::eq(
                &format!("answers of resolve_localhost({port}), each once"),
                &unique.len(),
                &addrs.len(),
                "a hosts file may list an address twice; keep the first",
            );
        }
    });
}

#[test]
fn a_server_on_127_0_0_1_is_reachable_through_the_answers() {
    testkit::within(deadline::DEFAULT, "connecting to a local server", || {
        let server = net::spawn_server(|listener| {
            let (mut conn, _) = listener.accept().expect("accept failed");
            conn.write_all(b"hi").expect("write failed");
        });
        let port = server.addr().port();
        let addrs = expect::ok(
            "resolve_localhost(port of a server on 127.0.0.1)",
            resolve_localhost(port),
            "the system resolver answers localhost",
        );
        let v4 = SocketAddr::from(([127, 0, 0, 1], port));
        expect::that(
            addrs.contains(&v4),
            &format!("the answers for localhost include {v4}"),
            &addrs,
            "nearly every system maps localhost to 127.0.0.1 (see /etc/hosts); keep it, \
             and keep the port",
        );
        let mut stream = net::connect(v4);
        let mut greeting = Vec::new();
        stream
            .read_to_end(&mut greeting)
            .expect("reading the server's greeting");
        expect::eq("the server's greeting", &greeting, &b"hi".to_vec(), "");
        server.join_within(deadline::DEFAULT);
    });
}

#[test]
fn an_endpoint_naming_localhost_connects_like_an_address() {
    testkit::within(deadline::DEFAULT, "connecting through an Endpoint", || {
        let server = net::spawn_server(|listener| {
            let (mut conn, _) = listener.accept().expect("accept failed");
            conn.write_all(b"hi").expect("write failed");
        });
        let port = server.addr().port();
        let endpoint = expect::ok(
            &format!("parse_endpoint(\"localhost:{port}\")"),
            parse_endpoint(&format!("localhost:{port}")),
            "a host name and a port",
        );
        expect::eq(
            "the parsed endpoint",
            &endpoint,
            &Endpoint::Name {
                host: "localhost".into(),
                port,
            },
            "localhost is a name, resolved only when connecting",
        );
        // Endpoint implements ToSocketAddrs; connect to the first answer that
        // takes the connection, as TcpStream::connect does with a list.
        let addrs: Vec<SocketAddr> = endpoint
            .to_socket_addrs()
            .expect("resolving localhost")
            .collect();
        let reachable = addrs
            .iter()
            .find(|addr| addr.ip().is_ipv4())
            .copied()
            .expect("localhost has an IPv4 answer");
        let mut stream = net::connect(reachable);
        let mut greeting = Vec::new();
        stream
            .read_to_end(&mut greeting)
            .expect("reading the greeting");
        expect::eq("the server's greeting", &greeting, &b"hi".to_vec(), "");
        server.join_within(deadline::DEFAULT);
    });
}

#[test]
fn loopback_only_keeps_loopback_answers_in_order_once_each() {
    let answers: Vec<SocketAddr> = [
        "10.0.0.1:80",
        "[::1]:80",
        "127.0.0.1:80",
        "192.168.1.1:80",
        "[::1]:80",
        "[::ffff:127.0.0.1]:80",
        "127.0.0.2:80",
        "0.0.0.0:80",
        "[fe80::1]:80",
    ]
    .iter()
    .map(|text| text.parse().unwrap())
    .collect();
    let want: Vec<SocketAddr> = [
        "[::1]:80",
        "127.0.0.1:80",
        "[::ffff:127.0.0.1]:80",
        "127.0.0.2:80",
    ]
    .iter()
    .map(|text| text.parse().unwrap())
    .collect();
    expect::eq(
        "loopback_only of a resolver answer with outside, repeated and mapped addresses",
        &loopback_only(answers),
        &want,
        "keep what classify() calls Loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z), in the \
         order given, skipping an address already kept",
    );
}
