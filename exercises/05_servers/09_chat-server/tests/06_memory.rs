//! Heap use: what a client sent and the server has acted on is forgotten.
//!
//! Alone in its file because the allocator counts every thread of the process.

mod common;

use std::io::Write;

use testkit::alloc::PeakAlloc;
use testkit::chat::{self, ChatClient};
use testkit::deadline::DEFAULT;
use testkit::{expect, within};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

/// What bob sends: this many bytes of blank lines, in writes of [`PIECE`].
const TOTAL: usize = 8 << 20;
const PIECE: usize = 64 * 1024;

#[test]
fn lines_already_handled_do_not_stay_in_memory() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "8 MiB of blank lines from one client", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect(&chat::joined("bob"), "");
        // 64 lines of 1023 spaces each: blank lines, which the room ignores,
        // so nothing is queued for anybody and only bob's reading costs memory.
        let mut piece = Vec::with_capacity(PIECE);
        for _ in 0..PIECE / 1024 {
            piece.extend_from_slice(&[b' '; 1023]);
            piece.push(b'\n');
        }
        let ((), peak) = HEAP.measure(|| {
            for _ in 0..TOTAL / PIECE {
                if let Err(e) = bob.stream().write_all(&piece) {
                    panic!("bob could not send his blank lines: {e}");
                }
            }
            bob.send("after 8 MiB");
            alice.expect(
                &chat::said("bob", "after 8 MiB"),
                "blank lines are ignored, and the line after them is a message",
            );
        });
        expect::that(
            peak < 1 << 20,
            "the most heap in use at once while bob sent 8 MiB of lines",
            format!("{} KiB", peak / 1024),
            "drop the bytes of the lines already returned (once per read), or a \
             client's read buffer grows for as long as it is connected; and read one \
             chunk per turn, not everything the socket holds \
             (lesson 05.9, 'Per-client state')",
        );
    });
}
