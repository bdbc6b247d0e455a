//! Step 2: `validate_port` and `parse_endpoint`. What is accepted, and the exact
//! error for each kind of bad input. Run these tests alone with
//! `cargo test --test 02_endpoint`.

use std::net::SocketAddr;

use addresses::{parse_endpoint, validate_port, AddrError, Endpoint};
use testkit::expect;

fn addr(text: &str) -> Endpoint {
    Endpoint::Addr(
        text.parse::<SocketAddr>()
            .expect("test bug: not a socket address"),
    )
}

fn name(host: &str, port: u16) -> Endpoint {
    Endpoint::Name {
        host: host.to_string(),
        port,
    }
}

#[track_caller]
fn accepts(cases: &[(&str, Endpoint)], hint: &str) {
    for (text, want) in cases {
        let got = expect::ok(
            &format!("parse_endpoint({text:?})"),
            parse_endpoint(text),
            hint,
        );
        expect::eq(&format!("parse_endpoint({text:?})"), &got, want, hint);
    }
}

#[track_caller]
fn refuses(cases: &[(&str, AddrError)], hint: &str) {
    for (text, want) in cases {
        expect::eq(
            &format!("parse_endpoint({text:?})"),
            &parse_endpoint(text),
            &Err(want.clone()),
            hint,
        );
    }
}

#[test]
fn accepts_ipv4_endpoints() {
    accepts(
        &[
            ("1.2.3.4:80", addr("1.2.3.4:80")),
            ("127.0.0.1:65535", addr("127.0.0.1:65535")),
            ("0.0.0.0:8080", addr("0.0.0.0:8080")),
            ("192.168.1.5:1", addr("192.168.1.5:1")),
        ],
        "split at the one ':'; a host that parses as Ipv4Addr gives Endpoint::Addr",
    );
}

#[test]
fn accepts_ipv6_endpoints_in_brackets() {
    accepts(
        &[
            ("[::1]:8080", addr("[::1]:8080")),
            ("[2001:db8::1]:443", addr("[2001:db8::1]:443")),
            ("[::ffff:192.0.2.1]:80", addr("[::ffff:192.0.2.1]:80")),
            (
                "[fe80::80a:76cf:ab11:2d73]:22",
                addr("[fe80::80a:76cf:ab11:2d73]:22"),
            ),
        ],
        "after '[' the host runs to ']' and must parse as Ipv6Addr; then comes ':port'",
    );
}

#[test]
fn accepts_host_names() {
    accepts(
        &[
            ("localhost:80", name("localhost", 80)),
            ("LocalHost:80", name("LocalHost", 80)),
            ("example.com:443", name("example.com", 443)),
            ("my-host.example.:22", name("my-host.example.", 22)),
            ("a1.b2-c3.d4e:9", name("a1.b2-c3.d4e", 9)),
            ("1password.example:7", name("1password.example", 7)),
            ("example.0xg:8", name("example.0xg", 8)),
        ],
        "a host that is not an IP address must be a host name: letters, digits, '-' and \
         dots; it is kept as written (no resolving, no lowercasing)",
    );
}

#[test]
fn accepts_the_longest_host_names_and_labels() {
    let label = "a".repeat(63);
    let longest = [label.as_str(); 4].join(".")[..253].to_string();
    accepts(
        &[
            (
                &format!("{label}.example:80"),
                name(&format!("{label}.example"), 80),
            ),
            (&format!("{longest}:80"), name(&longest, 80)),
            (&format!("{longest}.:80"), name(&format!("{longest}."), 80)),
        ],
        "a label may have 63 characters and a name 253 (RFC 1035, RFC 1123), not \
         counting the one trailing dot a name may end with",
    );
}

#[test]
fn accepts_leading_zeros_in_the_port() {
    accepts(
        &[("localhost:0080", name("localhost", 80))],
        "\"0080\" is all digits and its value is 80",
    );
}

#[test]
fn refuses_a_missing_port() {
    refuses(
        &[
            ("1.2.3.4", AddrError::MissingPort),
            ("localhost", AddrError::MissingPort),
            ("localhost:", AddrError::MissingPort),
            ("[::1]", AddrError::MissingPort),
            ("[::1]:", AddrError::MissingPort),
        ],
        "no ':' or nothing after it (or after ']') means there is no port",
    );
}

#[test]
fn refuses_ports_above_65535() {
    refuses(
        &[
            ("localhost:65536", AddrError::PortOutOfRange("65536".into())),
            ("1.2.3.4:99999", AddrError::PortOutOfRange("99999".into())),
            (
                "[::1]:123456789012345678901234567890",
                AddrError::PortOutOfRange("123456789012345678901234567890".into()),
            ),
        ],
        "all digits but more than 65535 is PortOutOfRange, however many digits there are",
    );
}

#[test]
fn refuses_ports_that_are_not_numbers() {
    let ports = [
        "http", "+80", "-1", " 80", "80 ", "8o", "0x50", "80.0", "٨٠", "８０",
    ];
    for port in ports {
        refuses(
            &[(
                &format!("localhost:{port}"),
                AddrError::InvalidPort(port.into()),
            )],
            "a port is ASCII digits only: u16's parse accepts \"+80\", and \
             char::is_numeric accepts other scripts' digits, so check the bytes yourself",
        );
    }
}

#[test]
fn refuses_port_zero() {
    refuses(
        &[
            ("localhost:0", AddrError::PortZero),
            ("[::1]:00", AddrError::PortZero),
            ("1.2.3.4:0000", AddrError::PortZero),
        ],
        "port 0 asks bind for any free port; nothing can be reached on it, so an \
         endpoint may not name it",
    );
}

#[test]
fn refuses_ipv6_without_brackets() {
    refuses(
        &[
            ("::1:80", AddrError::UnbracketedIpv6),
            ("::1", AddrError::UnbracketedIpv6),
            ("fe80::1:8080", AddrError::UnbracketedIpv6),
            ("2001:db8::1", AddrError::UnbracketedIpv6),
            ("localhost::80", AddrError::UnbracketedIpv6),
            ("1.2.3.4:80:90", AddrError::UnbracketedIpv6),
        ],
        "outside brackets only one ':' may appear: in ::1:80 the port could be 80, or \
         part of the address ::1:80 itself",
    );
}

#[test]
fn refuses_an_unclosed_bracket() {
    refuses(
        &[
            ("[::1:80", AddrError::UnclosedBracket),
            ("[::1", AddrError::UnclosedBracket),
            ("[", AddrError::UnclosedBracket),
        ],
        "a '[' needs its ']'",
    );
}

#[test]
fn refuses_an_empty_host() {
    refuses(
        &[
            (":80", AddrError::EmptyHost),
            ("[]:80", AddrError::EmptyHost),
            (":", AddrError::EmptyHost),
            ("", AddrError::EmptyHost),
        ],
        "the host is checked before the port: nothing before ':' (or between the \
         brackets) is EmptyHost",
    );
}

#[test]
fn refuses_text_after_the_bracket_that_is_not_a_port() {
    refuses(
        &[
            ("[::1]80", AddrError::JunkAfterBracket("80".into())),
            ("[::1] :80", AddrError::JunkAfterBracket(" :80".into())),
            ("[::1]]:80", AddrError::JunkAfterBracket("]:80".into())),
        ],
        "after ']' only ':port' may follow; report what was there instead",
    );
}

#[test]
fn refuses_hosts_that_are_neither_addresses_nor_names() {
    let long_label = format!("{}.example", "a".repeat(64));
    let long_name = ["abcdefghi"; 26].join(".");
    // 254 characters: one more than the longest name, every label legal.
    let label = "a".repeat(63);
    let one_too_long = format!("{}a", &[label.as_str(); 4].join(".")[..253]);
    let hosts = [
        "exa mple.com",
        "under_score",
        "-leading.example",
        "trailing-.example",
        "a..b",
        ".example",
        "ünicode.example",
        "1.2.3",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4.5",
        "123",
        "0x7f000001",
        "0X7F000001",
        "127.0.0.0x1",
        "example.0x",
        long_label.as_str(),
        long_name.as_str(),
        one_too_long.as_str(),
    ];
    for host in hosts {
        refuses(
            &[(&format!("{host}:80"), AddrError::InvalidHost(host.into()))],
            "labels are 1-63 ASCII letters, digits or '-' (not first or last), a name is \
             at most 253 characters, and a name whose last label is a number (all digits, \
             or 0x and hex digits) is a broken IPv4 address: the resolver would read \
             0x7f000001 as 127.0.0.1",
        );
    }
}

#[test]
fn refuses_anything_but_ipv6_inside_brackets() {
    refuses(
        &[
            ("[localhost]:80", AddrError::InvalidHost("localhost".into())),
            ("[1.2.3.4]:80", AddrError::InvalidHost("1.2.3.4".into())),
            (
                "[fe80::1%eth0]:80",
                AddrError::InvalidHost("fe80::1%eth0".into()),
            ),
            ("[::g]:80", AddrError::InvalidHost("::g".into())),
        ],
        "brackets only fence off an IPv6 address's colons; what is inside must parse as \
         Ipv6Addr (zone ids such as %eth0 are not supported)",
    );
}

#[test]
fn reports_the_first_problem_reading_left_to_right() {
    refuses(
        &[
            ("exa mple", AddrError::InvalidHost("exa mple".into())),
            ("[::g]", AddrError::InvalidHost("::g".into())),
            ("[]", AddrError::EmptyHost),
            (":http", AddrError::EmptyHost),
            ("bad_host:0", AddrError::InvalidHost("bad_host".into())),
        ],
        "check the host before the port, as the doc comment's order says",
    );
}

#[test]
fn validate_port_accepts_every_port_from_1_to_65535() {
    for port in 1..=u16::MAX {
        let text = port.to_string();
        if validate_port(&text) != Ok(port) {
            expect::eq(
                &format!("validate_port({text:?})"),
                &validate_port(&text),
                &Ok(port),
                "every decimal number from 1 to 65535 is a port",
            );
        }
    }
}

#[test]
fn validate_port_refuses_what_is_not_a_port() {
    let cases = [
        ("", AddrError::MissingPort),
        ("0", AddrError::PortZero),
        ("65536", AddrError::PortOutOfRange("65536".into())),
        ("4294967376", AddrError::PortOutOfRange("4294967376".into())),
        ("+80", AddrError::InvalidPort("+80".into())),
        ("80\n", AddrError::InvalidPort("80\n".into())),
    ];
    for (text, want) in cases {
        expect::eq(
            &format!("validate_port({text:?})"),
            &validate_port(text),
            &Err(want),
            "empty, then not all ASCII digits, then above 65535, then 0; no trimming: \
             unlike a line typed at a terminal, a port inside host:port has no spaces",
        );
    }
}

#[test]
fn display_writes_what_parse_reads() {
    for text in [
        "1.2.3.4:80",
        "[::1]:8080",
        "[2001:db8::1]:443",
        "localhost:80",
    ] {
        let endpoint = expect::ok(
            &format!("parse_endpoint({text:?})"),
            parse_endpoint(text),
            "a well-formed endpoint",
        );
        expect::eq(
            &format!("parse_endpoint({text:?}) written back with Display"),
            &endpoint.to_string(),
            &text.to_string(),
            "Display writes IPv6 in brackets, names as host:port",
        );
        expect::eq(
            &format!("the port of {text}"),
            &endpoint.port(),
            &text.rsplit(':').next().unwrap().parse::<u16>().unwrap(),
            "Endpoint::port gives the port of either kind",
        );
    }
}
