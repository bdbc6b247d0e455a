//! Heap use of the client: like the server, it streams; it never holds a file in
//! memory, going up or coming down.
//!
//! Alone in its file because the allocator counts every thread of the process.

mod common;

use std::fs;
use std::time::Duration;

use common::{bytes, limits, sha256_hex, start, Root};
use file_server::Client;
use tempfile::TempDir;
use testkit::alloc::PeakAlloc;
use testkit::{expect, net, within};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

const SIZE: usize = 4 << 20;

#[test]
fn the_client_streams_uploads_and_downloads() {
    within(
        Duration::from_secs(20),
        "a 4 MiB upload and download by the client",
        || {
            let root = Root::new();
            let server = start(&root.files, limits());
            let local = TempDir::new().unwrap();
            let downloads = TempDir::new().unwrap();
            let path = local.path().join("big.bin");
            // Made and written before the measurement, and freed.
            let sha = {
                let body = bytes(SIZE, 40);
                fs::write(&path, &body).unwrap();
                sha256_hex(&body)
            };
            let mut client = Client::from_stream(net::connect(server.addr));

            let (stored, up_peak) = HEAP.measure(|| client.put(&path));
            let stored = expect::ok("Client::put of a 4 MiB file", stored, "");
            expect::eq(
                "the sha256 the server stored",
                stored.sha256.as_str(),
                sha.as_str(),
                "",
            );
            let (got, down_peak) = HEAP.measure(|| client.get("big.bin", downloads.path()));
            expect::ok("Client::get of a 4 MiB file", got, "");

            expect::that(
                up_peak < 1 << 20,
                "the most heap in use at once while Client::put sent 4 MiB",
                format!("{} KiB", up_peak / 1024),
                "read the file twice, streaming: once through hash_to_end, then rewind \
                 and send it with copy_exact; never fs::read or read_to_end the file",
            );
            expect::that(
                down_peak < 1 << 20,
                "the most heap in use at once while Client::get received 4 MiB",
                format!("{} KiB", down_peak / 1024),
                "save the download through a Store over the destination folder, its put \
                 reading the body straight from the socket; never read the body into a \
                 Vec first (lesson 05.10, 'The client')",
            );
            drop(client);
            server.stop();
        },
    );
}
