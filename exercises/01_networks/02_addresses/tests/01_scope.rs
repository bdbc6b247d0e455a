//! Step 1: `classify`. Every kind of address lands in the scope the table gives
//! it, including the edges of each range. Run these tests alone with
//! `cargo test --test 01_scope`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use addresses::{classify, Scope};
use testkit::expect;

/// Checks each `(address, scope)` pair, naming the address in the failure.
#[track_caller]
fn check(cases: &[(&str, Scope)], hint: &str) {
    for &(text, want) in cases {
        let addr: IpAddr = text.parse().expect("test bug: not an IP address");
        expect::eq(&format!("classify({text})"), &classify(addr), &want, hint);
    }
}

#[test]
fn loopback_is_127_slash_8_and_colon_colon_1() {
    check(
        &[
            ("127.0.0.1", Scope::Loopback),
            ("127.1.2.3", Scope::Loopback),
            ("127.255.255.255", Scope::Loopback),
            ("::1", Scope::Loopback),
            ("126.255.255.255", Scope::Global),
            ("128.0.0.0", Scope::Global),
            ("::2", Scope::Reserved),
        ],
        "IPv4 loopback is the whole 127.0.0.0/8, not only 127.0.0.1; IPv6 has exactly one, ::1",
    );
}

#[test]
fn rfc_1918_ranges_are_private_and_their_neighbours_are_not() {
    check(
        &[
            ("10.0.0.0", Scope::Private),
            ("10.255.255.255", Scope::Private),
            ("172.16.0.0", Scope::Private),
            ("172.31.255.255", Scope::Private),
            ("192.168.0.0", Scope::Private),
            ("192.168.255.255", Scope::Private),
            ("9.255.255.255", Scope::Global),
            ("11.0.0.0", Scope::Global),
            ("172.15.255.255", Scope::Global),
            ("172.32.0.0", Scope::Global),
            ("192.167.255.255", Scope::Global),
            ("192.169.0.0", Scope::Global),
        ],
        "10.0.0.0/8, 172.16.0.0/12 (172.16-172.31), 192.168.0.0/16; compare the first \
         prefix-length bits of the address with the network's",
    );
}

#[test]
fn carrier_grade_nat_space_is_private() {
    check(
        &[
            ("100.64.0.0", Scope::Private),
            ("100.100.100.100", Scope::Private),
            ("100.127.255.255", Scope::Private),
            ("100.63.255.255", Scope::Global),
            ("100.128.0.0", Scope::Global),
        ],
        "100.64.0.0/10 (RFC 6598) is shared by a carrier's customers behind NAT: Private",
    );
}

#[test]
fn ipv6_unique_local_and_local_nat64_are_private() {
    check(
        &[
            ("fc00::", Scope::Private),
            ("fd12:3456:789a::1", Scope::Private),
            ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Scope::Private),
            ("64:ff9b:1::1", Scope::Private),
            ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Scope::Global),
            ("fe00::1", Scope::Global),
            ("64:ff9b::c000:221", Scope::Global),
        ],
        "fc00::/7 covers fc00:: to fdff:...; 64:ff9b:1::/48 is local NAT64, while the \
         well-known NAT64 prefix 64:ff9b::/96 stands for public IPv4 addresses",
    );
}

#[test]
fn link_local_is_169_254_slash_16_and_fe80_slash_10() {
    check(
        &[
            ("169.254.0.0", Scope::LinkLocal),
            ("169.254.169.254", Scope::LinkLocal),
            ("169.254.255.255", Scope::LinkLocal),
            ("fe80::1", Scope::LinkLocal),
            ("fe80::80a:76cf:ab11:2d73", Scope::LinkLocal),
            ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Scope::LinkLocal),
            ("169.253.255.255", Scope::Global),
            ("169.255.0.0", Scope::Global),
            ("fe7f::1", Scope::Global),
            ("fec0::1", Scope::Global),
        ],
        "fe80::/10 fixes only the first 10 bits (fe80 to febf); fec0::/10, the old \
         site-local range, is deprecated and counts as Global (RFC 4291)",
    );
}

#[test]
fn unspecified_is_only_the_all_zero_address() {
    check(
        &[
            ("0.0.0.0", Scope::Unspecified),
            ("::", Scope::Unspecified),
            ("0.0.0.1", Scope::Reserved),
            ("0.255.255.255", Scope::Reserved),
        ],
        "0.0.0.0/32 and ::/128 are Unspecified; the rest of 0.0.0.0/8 means \"this \
         network\" and is Reserved: put the /32 row before the /8 row",
    );
}

#[test]
fn multicast_is_224_slash_4_and_ff00_slash_8() {
    check(
        &[
            ("224.0.0.1", Scope::Multicast),
            ("239.255.255.250", Scope::Multicast),
            ("ff02::1", Scope::Multicast),
            ("ff0e::101", Scope::Multicast),
            ("223.255.255.255", Scope::Global),
            ("feff::1", Scope::Global),
        ],
        "224.0.0.0/4 is 224.x to 239.x; ff00::/8 is every address starting with ff",
    );
}

#[test]
fn documentation_ranges_are_documentation() {
    check(
        &[
            ("192.0.2.1", Scope::Documentation),
            ("198.51.100.7", Scope::Documentation),
            ("203.0.113.255", Scope::Documentation),
            ("2001:db8::1", Scope::Documentation),
            (
                "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                Scope::Documentation,
            ),
            ("3fff::1", Scope::Documentation),
            ("3fff:fff:ffff::1", Scope::Documentation),
            ("192.0.3.0", Scope::Global),
            ("203.0.114.0", Scope::Global),
            ("2001:db9::1", Scope::Global),
            ("3fff:1000::1", Scope::Global),
        ],
        "TEST-NET-1/2/3 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), 2001:db8::/32 \
         and 3fff::/20 are for examples in books like this one",
    );
}

#[test]
fn special_purpose_ranges_are_reserved() {
    check(
        &[
            ("192.0.0.0", Scope::Reserved),
            ("192.0.0.8", Scope::Reserved),
            ("192.0.0.255", Scope::Reserved),
            ("198.18.0.0", Scope::Reserved),
            ("198.19.255.255", Scope::Reserved),
            ("240.0.0.1", Scope::Reserved),
            ("255.255.255.255", Scope::Reserved),
            ("100::1", Scope::Reserved),
            ("100::ffff:ffff:ffff:ffff", Scope::Reserved),
            ("2001:2::1", Scope::Reserved),
            ("::1.2.3.4", Scope::Reserved),
            ("192.88.99.1", Scope::Reserved),
            ("192.88.99.2", Scope::Reserved),
            ("192.88.98.255", Scope::Global),
            ("192.88.100.0", Scope::Global),
            ("198.17.255.255", Scope::Global),
            ("198.20.0.0", Scope::Global),
            ("100:0:0:1::", Scope::Reserved),
            ("100:0:0:1:ffff:ffff:ffff:ffff", Scope::Reserved),
            ("100:0:0:2::", Scope::Global),
            ("2001:3::1", Scope::Global),
        ],
        "192.0.0.0/24, 192.88.99.0/24 (deprecated 6to4 relays), 198.18.0.0/15 \
         (benchmarking), 240.0.0.0/4 (with the broadcast \
         address), 100::/64 and 100:0:0:1::/64, 2001:2::/48 and the deprecated \
         IPv4-compatible ::/96",
    );
}

#[test]
fn ipv6_protocol_assignments_are_reserved_except_their_public_services() {
    check(
        &[
            ("2001::1", Scope::Reserved),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Scope::Reserved),
            ("2001:1::4", Scope::Reserved),
            ("2001:10::1", Scope::Reserved),
            ("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", Scope::Reserved),
            ("5f00::1", Scope::Reserved),
            ("5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Scope::Reserved),
            ("2001:1::1", Scope::Global),
            ("2001:1::2", Scope::Global),
            ("2001:1::3", Scope::Global),
            ("2001:3:ffff::1", Scope::Global),
            ("2001:4:112::1", Scope::Global),
            ("2001:4:113::1", Scope::Reserved),
            ("2001:20::1", Scope::Global),
            ("2001:3f:ffff::1", Scope::Global),
            ("2001:40::1", Scope::Reserved),
            ("2001:200::1", Scope::Global),
            ("5eff::1", Scope::Global),
            ("5f01::1", Scope::Global),
        ],
        "2001::/23 (IETF protocol assignments, like 192.0.0.0/24 for IPv4, Teredo \
         2001::/32 included) and 5f00::/16 (SRv6) are Reserved; the registry marks a few \
         services inside 2001::/23 globally reachable: 2001:1::1, ::2, ::3, 2001:3::/32, \
         2001:4:112::/48, 2001:20::/28 and 2001:30::/28. List those rows first",
    );
}

#[test]
fn the_most_specific_range_wins() {
    check(
        &[
            ("192.0.0.9", Scope::Global),
            ("192.0.0.10", Scope::Global),
            ("192.0.0.11", Scope::Reserved),
        ],
        "192.0.0.9 and 192.0.0.10 are public anycast addresses inside the reserved \
         192.0.0.0/24: list the /32 rows before the /24 row and stop at the first match",
    );
}

#[test]
fn public_addresses_are_global() {
    check(
        &[
            ("1.1.1.1", Scope::Global),
            ("8.8.8.8", Scope::Global),
            ("93.184.215.14", Scope::Global),
            ("182.61.200.7", Scope::Global),
            ("2606:4700:4700::1111", Scope::Global),
            ("2a00:1450:4001::200e", Scope::Global),
            ("2001:4860:4860::8888", Scope::Global),
            ("2002:c000:204::1", Scope::Global),
        ],
        "an address in none of the special ranges is Global",
    );
}

#[test]
fn ipv4_mapped_ipv6_is_classified_as_its_ipv4_address() {
    let samples = [
        "0.0.0.0",
        "127.0.0.1",
        "10.1.2.3",
        "100.64.0.1",
        "169.254.1.1",
        "192.0.2.1",
        "192.0.0.9",
        "224.0.0.251",
        "255.255.255.255",
        "8.8.8.8",
    ];
    for text in samples {
        let v4: Ipv4Addr = text.parse().unwrap();
        let mapped = IpAddr::V6(v4.to_ipv6_mapped());
        expect::eq(
            &format!("classify({mapped}), the IPv4-mapped form of {v4}"),
            &classify(mapped),
            &classify(IpAddr::V4(v4)),
            "a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; unwrap them with \
             Ipv6Addr::to_ipv4_mapped and classify the IPv4 address",
        );
    }
    expect::eq(
        "classify(::ffff:127.0.0.1)",
        &classify("::ffff:127.0.0.1".parse().unwrap()),
        &Scope::Loopback,
        "::ffff:127.0.0.1 is 127.0.0.1 seen through an IPv6 socket",
    );
}

#[test]
fn only_the_mapped_form_is_unwrapped() {
    check(
        &[
            ("::1", Scope::Loopback),
            ("::", Scope::Unspecified),
            ("::127.0.0.1", Scope::Reserved),
            ("::a00:1", Scope::Reserved),
        ],
        "Ipv6Addr::to_ipv4 also unwraps the deprecated IPv4-compatible form ::a.b.c.d, \
         which turns ::1 into 0.0.0.1; use to_ipv4_mapped, which only takes ::ffff:a.b.c.d",
    );
}

#[test]
fn agrees_with_the_standard_library_where_it_has_an_answer() {
    // A sweep over many IPv4 addresses: wherever a stable std predicate says
    // what an address is, classify must say the same.
    let seconds = [
        0u8, 1, 15, 16, 31, 32, 63, 64, 100, 127, 128, 168, 169, 254, 255,
    ];
    let lasts = [0u8, 1, 9, 10, 255];
    for a in 0..=255u8 {
        for b in seconds {
            for c in [0u8, 2, 100, 113, 255] {
                for d in lasts {
                    let ip = Ipv4Addr::new(a, b, c, d);
                    let want = if ip.is_unspecified() {
                        Some(Scope::Unspecified)
                    } else if ip.is_loopback() {
                        Some(Scope::Loopback)
                    } else if ip.is_private() {
                        Some(Scope::Private)
                    } else if ip.is_link_local() {
                        Some(Scope::LinkLocal)
                    } else if ip.is_multicast() {
                        Some(Scope::Multicast)
                    } else if ip.is_documentation() {
                        Some(Scope::Documentation)
                    } else if ip.is_broadcast() {
                        Some(Scope::Reserved)
                    } else {
                        None
                    };
                    if let Some(want) = want {
                        expect::eq(
                            &format!("classify({ip})"),
                            &classify(IpAddr::V4(ip)),
                            &want,
                            "Ipv4Addr's is_loopback/is_private/is_link_local/... agree with \
                             the table; check this range's prefix length",
                        );
                    }
                }
            }
        }
    }
    for first in (0..=0xffffu16)
        .step_by(0x40)
        .chain([0xfe80, 0xfebf, 0xfec0, 0xff00])
    {
        let ip = Ipv6Addr::new(first, 0, 0, 0, 0, 0, 0, 1);
        let want = if ip.is_unique_local() {
            Some(Scope::Private)
        } else if ip.is_unicast_link_local() {
            Some(Scope::LinkLocal)
        } else if ip.is_multicast() {
            Some(Scope::Multicast)
        } else {
            None
        };
        if let Some(want) = want {
            expect::eq(
                &format!("classify({ip})"),
                &classify(IpAddr::V6(ip)),
                &want,
                "Ipv6Addr's is_unique_local/is_unicast_link_local/is_multicast agree with \
                 the table; check this range's prefix length",
            );
        }
    }
}
