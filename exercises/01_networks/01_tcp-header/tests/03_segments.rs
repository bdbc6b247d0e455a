//! Step 3: `TcpHeader::parse` and `split`. Real segments of one connection —
//! handshake, data, close — decoded field by field. Run these tests alone with
//! `cargo test --test 03_segments`.

mod common;

use common::{escaped, nop_nop_timestamps, parse, split, Segment, LINUX_SYN, LINUX_SYN_TSVAL};
use tcp_header::{Flags, TcpHeader, TcpOption};
use testkit::expect;

const CLIENT_PORT: u16 = 48764;
const SERVER_PORT: u16 = 8080;
const CLIENT_ISN: u32 = 0x5d2a_11f3;
const SERVER_ISN: u32 = 0x1b6c_9a02;
const SERVER_TSVAL: u32 = 0x9a3c_5120;

#[track_caller]
fn decode(what: &str, bytes: &[u8]) -> TcpHeader {
    expect::ok(
        what,
        parse(bytes),
        "this is a valid header: check each field's offset (see the layout in the lesson)",
    )
}

/// The server's reply to [`LINUX_SYN`]: it acknowledges the client's ISN + 1 and
/// offers its own options.
fn syn_ack() -> Segment {
    let mut options = vec![0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a];
    options.extend_from_slice(&SERVER_TSVAL.to_be_bytes());
    options.extend_from_slice(&LINUX_SYN_TSVAL.to_be_bytes());
    options.extend_from_slice(&[0x01, 0x03, 0x03, 0x07]);
    Segment {
        src_port: SERVER_PORT,
        dst_port: CLIENT_PORT,
        seq: SERVER_ISN,
        ack: CLIENT_ISN.wrapping_add(1),
        flags: 0x12,
        window: 65483,
        checksum: 0xfe30,
        options,
        ..Segment::default()
    }
}

/// A client segment after the handshake: NOP, NOP, timestamps, then `payload`.
fn client_segment(flags: u8, seq_offset: u32, payload: &[u8]) -> Segment {
    Segment {
        src_port: CLIENT_PORT,
        dst_port: SERVER_PORT,
        seq: CLIENT_ISN.wrapping_add(1).wrapping_add(seq_offset),
        ack: SERVER_ISN.wrapping_add(1),
        flags,
        window: 512,
        checksum: 0xfe28 + payload.len() as u16,
        options: nop_nop_timestamps(LINUX_SYN_TSVAL + 1, SERVER_TSVAL),
        payload: payload.to_vec(),
        ..Segment::default()
    }
}

#[test]
fn decodes_a_linux_syn_field_by_field() {
    let header = decode("decoding a SYN as Linux sends it", &LINUX_SYN);
    let hint = "bytes 0-1 are the source port, 2-3 the destination port, all big-endian";
    expect::eq("source port", &header.src_port, &CLIENT_PORT, hint);
    expect::eq("destination port", &header.dst_port, &SERVER_PORT, hint);
    let hint =
        "bytes 4-7 are the sequence number, 8-11 the acknowledgment number (u32::from_be_bytes)";
    expect::eq("sequence number", &header.seq, &CLIENT_ISN, hint);
    expect::eq("acknowledgment number", &header.ack, &0, hint);
    let hint = "the data offset is the HIGH 4 bits of byte 12, counted in 4-byte words";
    expect::eq("data offset", &header.data_offset, &10, hint);
    expect::eq("header length in bytes", &header.header_len(), &40, hint);
    expect::eq(
        "reserved bits",
        &header.reserved,
        &0,
        "the reserved bits are the LOW 4 bits of byte 12",
    );
    expect::eq(
        "flags",
        &header.flags,
        &Flags::SYN,
        "byte 13 holds the flags",
    );
    let hint = "bytes 14-15 window, 16-17 checksum, 18-19 urgent pointer";
    expect::eq("window", &header.window, &65495, hint);
    expect::eq("checksum", &header.checksum, &0xfe30, hint);
    expect::eq("urgent pointer", &header.urgent_ptr, &0, hint);
    expect::eq(
        "options of a Linux SYN",
        &header.options,
        &vec![
            TcpOption::Mss(65495),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                value: LINUX_SYN_TSVAL,
                echo_reply: 0,
            },
            TcpOption::Nop,
            TcpOption::WindowScale(7),
        ],
        "options start at byte 20 and end at data_offset * 4",
    );
}

#[test]
fn decodes_the_syn_ack_reply() {
    let syn = decode("decoding the client's SYN", &LINUX_SYN);
    let reply = decode("decoding the server's SYN-ACK", &syn_ack().bytes());
    expect::eq(
        "flags of the handshake's second segment",
        &reply.flags,
        &(Flags::SYN | Flags::ACK),
        "byte 13 = 0x12: ACK (0x10) and SYN (0x02)",
    );
    expect::eq(
        "the SYN-ACK's ports, swapped",
        &(reply.src_port, reply.dst_port),
        &(syn.dst_port, syn.src_port),
        "the reply goes from the server's port back to the client's",
    );
    expect::eq(
        "acknowledgment number of the SYN-ACK",
        &reply.ack,
        &syn.seq.wrapping_add(1),
        "a SYN uses up one sequence number, so the server acknowledges ISN + 1",
    );
    expect::eq(
        "server's sequence number",
        &reply.seq,
        &SERVER_ISN,
        "bytes 4-7",
    );
    expect::eq("header length", &reply.header_len(), &40, "data offset 10");
    expect::eq(
        "the SYN-ACK echoes the client's timestamp",
        &reply.options[2],
        &TcpOption::Timestamps {
            value: SERVER_TSVAL,
            echo_reply: LINUX_SYN_TSVAL,
        },
        "timestamps: kind 8, length 10, TSval then TSecr, each a big-endian u32",
    );
}

#[test]
fn decodes_a_data_segment_and_finds_its_payload() {
    let bytes = client_segment(0x18, 0, b"hello\n").bytes();
    let (header, payload) = expect::ok(
        "splitting a PSH|ACK segment carrying 6 bytes",
        split(&bytes),
        "split returns the header and the bytes after header_len()",
    );
    expect::eq("flags", &header.flags, &(Flags::PSH | Flags::ACK), "0x18");
    expect::eq(
        "header length",
        &header.header_len(),
        &32,
        "20 fixed bytes + NOP, NOP, timestamps (12) = data offset 8",
    );
    expect::eq(
        "payload",
        &escaped(&payload),
        &escaped(b"hello\n"),
        "the payload starts right after the options, at data_offset * 4",
    );
    expect::eq(
        "options of a data segment",
        &header.options,
        &vec![
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Timestamps {
                value: LINUX_SYN_TSVAL + 1,
                echo_reply: SERVER_TSVAL,
            },
        ],
        "NOP is a single byte (kind 1) with no length byte",
    );
}

#[test]
fn decodes_the_handshake_ack_with_an_empty_payload() {
    let (header, payload) = expect::ok(
        "splitting the handshake's third segment",
        split(&client_segment(0x10, 0, b"").bytes()),
        "a segment may end exactly where its header ends",
    );
    expect::eq("flags", &header.flags, &Flags::ACK, "0x10");
    expect::eq(
        "payload",
        &escaped(&payload),
        &escaped(b""),
        "nothing after the header",
    );
    expect::eq(
        "window (not scaled: the decoder reports the field)",
        &header.window,
        &512,
        "bytes 14-15; with window scale 7 the peer reads it as 512 << 7",
    );
}

#[test]
fn decodes_a_fin_ack() {
    let bytes = client_segment(0x11, 6, b"").bytes();
    let header = decode("decoding a FIN|ACK", &bytes);
    expect::eq("flags", &header.flags, &(Flags::FIN | Flags::ACK), "0x11");
    expect::eq(
        "sequence number of the FIN after 6 bytes of data",
        &header.seq,
        &CLIENT_ISN.wrapping_add(7),
        "bytes 4-7, big-endian",
    );
}

#[test]
fn decodes_a_reset_with_no_options() {
    // What Linux answers to a SYN for a port where nothing listens.
    let reset = Segment {
        src_port: SERVER_PORT,
        dst_port: CLIENT_PORT,
        seq: 0,
        ack: CLIENT_ISN.wrapping_add(1),
        flags: 0x14,
        ..Segment::default()
    };
    let (header, payload) = expect::ok(
        "splitting a 20-byte RST|ACK",
        split(&reset.bytes()),
        "a header without options is exactly 20 bytes, data offset 5",
    );
    expect::eq("flags", &header.flags, &(Flags::RST | Flags::ACK), "0x14");
    expect::eq("data offset", &header.data_offset, &5, "byte 12 = 0x50");
    expect::eq(
        "options",
        &header.options,
        &vec![],
        "data offset 5 leaves no room for options",
    );
    expect::eq(
        "payload",
        &escaped(&payload),
        &escaped(b""),
        "20 bytes in, 20 bytes of header",
    );
}

#[test]
fn every_field_comes_from_its_own_bytes() {
    // Bytes 0x01, 0x02, ... make every field's value spell out its offset, so a
    // field read from the wrong place, or in the wrong byte order, shows at once.
    let mut bytes: Vec<u8> = (1..=20).collect();
    bytes[12] = 0x5a; // data offset 5, reserved bits 0b1010
    bytes[13] = 0x0e;
    let header = decode("decoding bytes 01 02 03 ... 14", &bytes);
    let got = (
        header.src_port,
        header.dst_port,
        header.seq,
        header.ack,
        header.reserved,
        header.flags.bits(),
        header.window,
        header.checksum,
        header.urgent_ptr,
    );
    expect::eq(
        "(src_port, dst_port, seq, ack, reserved, flags, window, checksum, urgent_ptr)",
        &got,
        &(
            0x0102,
            0x0304,
            0x0506_0708,
            0x090a_0b0c,
            0x0a,
            0x0e,
            0x0f10,
            0x1112,
            0x1314,
        ),
        "network byte order is big-endian: the first byte is the most significant",
    );
}

#[test]
fn decodes_the_largest_values_every_field_can_hold() {
    // Data offset 15 (60 bytes): all-ones fixed fields, then 40 NOPs.
    let mut bytes = vec![0xff; 20];
    bytes.extend_from_slice(&[0x01; 40]);
    let header = decode("decoding a 60-byte header of all-ones fields", &bytes);
    expect::eq(
        "ports",
        &(header.src_port, header.dst_port),
        &(65535, 65535),
        "u16",
    );
    expect::eq(
        "seq and ack",
        &(header.seq, header.ack),
        &(u32::MAX, u32::MAX),
        "u32",
    );
    expect::eq(
        "data offset",
        &header.data_offset,
        &15,
        "the largest 4-bit value",
    );
    expect::eq("header length", &header.header_len(), &60, "15 × 4");
    expect::eq(
        "flags",
        &header.flags.bits(),
        &0xff,
        "all eight flags are defined; none may be dropped",
    );
    expect::eq("options", &header.options.len(), &40, "forty 1-byte NOPs");
}

#[test]
fn reserved_bits_are_reported_not_rejected() {
    // RFC 9293: senders set reserved bits to zero, receivers ignore them. Newer
    // RFCs give them meaning (AccECN uses the lowest), so a decoder must not choke.
    let segment = Segment {
        reserved: 0b0001,
        flags: 0x10,
        ..Segment::default()
    };
    let header = decode(
        "decoding a header with a reserved bit set",
        &segment.bytes(),
    );
    expect::eq(
        "reserved bits",
        &header.reserved,
        &1,
        "keep the low 4 bits of byte 12 as they are; do not treat them as an error",
    );
    expect::eq(
        "data offset",
        &header.data_offset,
        &5,
        "the high 4 bits of byte 12",
    );
    expect::eq("flags", &header.flags, &Flags::ACK, "byte 13, not byte 12");
}

#[test]
fn payload_bytes_are_never_read_as_options() {
    // The payload starts with what would be a broken MSS option; a decoder that
    // reads options past data_offset * 4 fails here.
    let segment = Segment {
        flags: 0x18,
        payload: vec![0x02, 0x00, 0xff],
        ..Segment::default()
    };
    let (header, payload) = expect::ok(
        "splitting a 20-byte header followed by bytes that look like options",
        split(&segment.bytes()),
        "options end at data_offset * 4; what follows is payload",
    );
    expect::eq(
        "options",
        &header.options,
        &vec![],
        "data offset 5: no options",
    );
    expect::eq(
        "payload",
        &escaped(&payload),
        &escaped(&[0x02, 0x00, 0xff]),
        "bytes 20..",
    );
}

#[test]
fn each_flag_bit_decodes_to_its_own_flag() {
    let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
    for (bit, name) in names.iter().enumerate() {
        let segment = Segment {
            flags: 1 << bit,
            ..Segment::default()
        };
        let header = decode(
            &format!("decoding a header with only {name} set"),
            &segment.bytes(),
        );
        expect::eq(
            &format!("flags byte with only {name} set"),
            &header.flags.bits(),
            &(1 << bit),
            "byte 13 holds the flags unchanged",
        );
    }
}

#[test]
fn a_decoded_syn_renders_as_in_the_snapshot() {
    let header = decode("decoding a SYN as Linux sends it", &LINUX_SYN);
    let rendering = format!("{}\n{header:#?}", testkit::hexdump(&LINUX_SYN));
    insta::assert_snapshot!("linux_syn", rendering);
}
