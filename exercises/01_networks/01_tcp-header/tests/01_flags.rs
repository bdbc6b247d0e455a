//! Step 1: the `Display` of `Flags`, the way tcpdump prints them. Run these tests
//! alone with `cargo test --test 01_flags`.

use tcp_header::Flags;
use testkit::expect;

#[test]
fn each_flag_bit_has_its_own_name() {
    let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
    for (bit, name) in names.iter().enumerate() {
        let flags = Flags::from_bits(1 << bit);
        expect::eq(
            &format!("Display of flags byte {:#04x} (bit {bit})", flags.bits()),
            &flags.to_string(),
            &name.to_string(),
            "bit 0 (0x01) is FIN, then SYN, RST, PSH, ACK, URG, ECE, CWR (0x80); \
             Flags::NAMES lists them in that order",
        );
    }
}

#[test]
fn flag_combinations_print_like_syn_ack() {
    let cases = [
        (Flags::SYN | Flags::ACK, "SYN|ACK"),
        (Flags::FIN | Flags::ACK, "FIN|ACK"),
        (Flags::PSH | Flags::ACK, "PSH|ACK"),
        (Flags::RST | Flags::ACK, "RST|ACK"),
        (Flags::SYN | Flags::ECE | Flags::CWR, "SYN|ECE|CWR"),
        // `|` sets bits: setting one that is already set leaves it set.
        (Flags::SYN | Flags::ACK | Flags::ACK, "SYN|ACK"),
        (Flags::from_bits(0xff), "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR"),
        (Flags::empty(), "none"),
    ];
    for (flags, want) in cases {
        let hint = "names of the set bits, lowest bit first, joined by '|' with no spaces; \
                    \"none\" when no bit is set";
        expect::eq(
            &format!("Display of flags byte {:#04x}", flags.bits()),
            &flags.to_string(),
            &want.to_string(),
            hint,
        );
        expect::eq(
            &format!("Debug of flags byte {:#04x}", flags.bits()),
            &format!("{flags:?}"),
            &want.to_string(),
            "Debug prints the same as Display",
        );
    }
}
