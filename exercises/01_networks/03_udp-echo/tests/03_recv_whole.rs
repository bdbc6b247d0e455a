//! Step 3: `recv_whole`, which notices a datagram longer than the buffer. Run
//! these tests alone with `cargo test --test 03_recv_whole`.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use testkit::{deadline::DEFAULT, expect, within};
use udp_echo::{recv_whole, UdpError, RECV_BUFFER};

/// Bytes as text with everything but printable ASCII escaped (`\xff`), so that
/// failure messages show `"hello"` rather than numbers, and show every byte.
fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// A socket on a free loopback port, and its address.
fn silent_socket() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

#[test]
fn a_datagram_that_fills_the_buffer_exactly_is_whole() {
    within(DEFAULT, "recv_whole of datagrams that fit", || {
        let (receiver, addr) = silent_socket();
        receiver
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let from = sender.local_addr().unwrap();
        for payload in [&b"0123456789"[..], b"short", b""] {
            sender.send_to(payload, addr).unwrap();
            let got = expect::ok(
                &format!(
                    "recv_whole(socket, 10) of a {}-byte datagram",
                    payload.len()
                ),
                recv_whole(&receiver, 10),
                "a datagram of at most max_len bytes is not truncated",
            );
            expect::eq(
                &format!("recv_whole(socket, 10) of {:?}", text(payload)),
                &(text(&got.0), got.1),
                &(text(payload), from),
                "return the datagram's bytes (and nothing more) and the sender's address",
            );
        }
    });
}

#[test]
fn any_max_len_works_without_a_huge_buffer() {
    within(DEFAULT, "recv_whole with max_len usize::MAX", || {
        let (receiver, addr) = silent_socket();
        receiver
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        for max_len in [usize::MAX, usize::MAX - 1, RECV_BUFFER] {
            sender.send_to(b"any size", addr).unwrap();
            let got = expect::ok(
                &format!("recv_whole(socket, {max_len}) of an 8-byte datagram"),
                recv_whole(&receiver, max_len),
                "no datagram is longer than RECV_BUFFER: a buffer of \
                 max_len.min(RECV_BUFFER) + 1 bytes is enough (max_len + 1 overflows, and \
                 vec![0; max_len] asks for more memory than exists)",
            );
            expect::eq(
                &format!("recv_whole(socket, {max_len})"),
                text(&got.0).as_str(),
                "any size",
                "the whole datagram",
            );
        }
    });
}

#[test]
fn a_longer_datagram_is_truncated_and_its_tail_is_gone() {
    within(
        DEFAULT,
        "recv_whole of a datagram that does not fit",
        || {
            let (receiver, addr) = silent_socket();
            receiver
                .set_read_timeout(Some(Duration::from_secs(1)))
                .unwrap();
            let sender = UdpSocket::bind("127.0.0.1:0").unwrap();

            // First, what the OS does: on Linux and macOS a 10-byte buffer silently
            // gets the first 10 bytes of a longer datagram, and the rest is dropped.
            #[cfg(unix)]
            {
                sender.send_to(b"0123456789ABCDEF", addr).unwrap();
                let mut small = [0u8; 10];
                let (len, _) = receiver.recv_from(&mut small).unwrap();
                assert_eq!(
                    (len, &small[..]),
                    (10, &b"0123456789"[..]),
                    "the OS itself should truncate silently"
                );
            }

            sender.send_to(b"0123456789A", addr).unwrap();
            sender.send_to(b"next", addr).unwrap();
            let result = recv_whole(&receiver, 10);
            expect::that(
                matches!(result, Err(UdpError::Truncated { max_len: 10 })),
                "recv_whole(socket, 10) of an 11-byte datagram should be \
             Err(UdpError::Truncated { max_len: 10 })",
                &result,
                "recv_from reports 10 bytes whether the datagram had 10 or 11: receive into \
             a buffer of max_len + 1 bytes, and a datagram that fills it was too long",
            );
            let next = expect::ok(
                "recv_whole(socket, 10) after the truncated datagram",
                recv_whole(&receiver, 10),
                "the next datagram is there, untouched",
            );
            expect::eq(
                "the datagram after the truncated one",
                text(&next.0).as_str(),
                "next",
                "the cut-off tail (\"A\") is gone for good: UDP never hands the rest of a \
             datagram to the next read, unlike TCP",
            );
        },
    );
}

#[test]
fn a_timed_out_read_is_an_io_error() {
    within(DEFAULT, "recv_whole when no datagram comes", || {
        let (receiver, _) = silent_socket();
        receiver
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let result = recv_whole(&receiver, 10);
        expect::that(
            matches!(&result, Err(UdpError::Io(err)) if testkit::net::is_timeout(err)),
            "recv_whole(socket with a 20 ms read timeout, 10) with nothing sent should be \
             Err(UdpError::Io(..)) of kind WouldBlock or TimedOut",
            &result,
            "only a datagram that fills the max_len + 1 bytes is Truncated; pass any \
             error of recv_from on as UdpError::Io",
        );
    });
}
