//! Hundreds of clients talking at once lose no message.

mod common;

use std::time::Duration;

use testkit::{chat, limits, within};

const CLIENTS: usize = 200;
const MESSAGES: usize = 20;

#[test]
fn two_hundred_clients_lose_no_message() {
    // Each connection costs two descriptors here (the test's end and the
    // server's), plus threads, the listener and the wake-up pair.
    limits::raise_fd_limit(2 * CLIENTS as u64 + 100);
    let server = common::start();
    let addr = server.addr;
    within(
        Duration::from_secs(20),
        "200 clients, each sending 20 messages and reading everyone else's",
        move || chat::crowd(addr, CLIENTS, MESSAGES),
    );
}
