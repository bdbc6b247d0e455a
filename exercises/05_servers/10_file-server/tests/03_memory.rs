//! Heap use: a server streams bodies; it never holds a file in memory.
//!
//! Alone in its file because the allocator counts every thread of the process.

mod common;

use std::io::{Read, Write};

use common::{frame, limits, named, start, Root};
use sha2::{Digest, Sha256};
use testkit::alloc::PeakAlloc;
use testkit::{expect, within};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

const SIZE: usize = 4 << 20;
const PIECE: usize = 64 * 1024;

/// The i-th 64 KiB piece of the test file: cheap to make again and again, and
/// different from every other piece.
fn piece(i: usize) -> Vec<u8> {
    let mut piece = vec![0u8; PIECE];
    for (j, run) in piece.chunks_mut(1000).enumerate() {
        run.fill((i * 31 + j) as u8);
    }
    piece
}

fn expected_sha256() -> String {
    let mut hasher = Sha256::new();
    for i in 0..SIZE / PIECE {
        hasher.update(piece(i));
    }
    hex::encode(hasher.finalize())
}

#[test]
fn four_mib_go_up_and_down_in_bounded_memory() {
    within(
        std::time::Duration::from_secs(20),
        "a 4 MiB upload and download",
        || {
            let root = Root::new();
            let server = start(&root.files, limits());
            let sha = expected_sha256();
            let mut wire = server.wire();
            let ((), peak) = HEAP.measure(|| {
                // Upload, streaming from the generator.
                wire.send(&format!(
                    r#"{{"op":"put","name":"big.bin","size":{SIZE},"sha256":"{sha}"}}"#
                ));
                for i in 0..SIZE / PIECE {
                    wire.stream.write_all(&piece(i)).unwrap();
                }
                let put = wire.reply("the PUT of 4 MiB");
                common::expect_ok(&put, "the PUT of 4 MiB");

                // Download, hashing as the bytes arrive.
                wire.send_raw(&frame(&named("get", "big.bin")));
                let header = wire.try_header().unwrap().expect("a reply to GET big.bin");
                expect::eq(
                    "the size in the GET reply",
                    &header["size"],
                    &SIZE.into(),
                    "",
                );
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; PIECE];
                let mut left = SIZE;
                while left > 0 {
                    let n = wire.stream.read(&mut buf[..left.min(PIECE)]).unwrap();
                    assert!(n > 0, "the GET body ended with {left} bytes to go");
                    hasher.update(&buf[..n]);
                    left -= n;
                }
                expect::eq(
                    "the sha256 of the downloaded body",
                    &hex::encode(hasher.finalize()),
                    &sha,
                    "",
                );
            });
            expect::that(
                peak < 1 << 20,
                "the most heap in use at once while 4 MiB went up and came back down",
                format!("{} KiB", peak / 1024),
                "stream bodies through one buffer (body::copy_exact): never read a whole \
             file into a Vec, never fs::read or read_to_end a body",
            );
            drop(wire);
            server.stop();
        },
    );
}
