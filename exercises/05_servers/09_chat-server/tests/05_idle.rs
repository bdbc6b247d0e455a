//! An idle room must sleep in `poll`, not spin.
//!
//! This file is a test binary of its own, so that nothing else runs in this
//! process while it measures the process's CPU time.

mod common;

use std::thread;
use std::time::Duration;

use common::cpu_time;
use testkit::chat::{self, ChatClient};
use testkit::deadline::DEFAULT;
use testkit::{expect, within};

#[test]
fn an_idle_room_uses_no_cpu() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "an idle room of four clients", move || {
        // Three people who have talked, one still choosing a name, and one who
        // said /quit and went on typing without closing its side: the server
        // lingers on that connection for up to 2 s, reading and throwing away
        // what comes, waiting for its end of stream.
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        let mut carol = ChatClient::join(addr, "carol");
        alice.expect(&chat::joined("bob"), "");
        alice.expect(&chat::joined("carol"), "");
        bob.expect(&chat::joined("carol"), "");
        alice.send("anyone?");
        bob.expect(&chat::said("alice", "anyone?"), "");
        carol.expect(&chat::said("alice", "anyone?"), "");
        let _newcomer = ChatClient::connect(addr, "newcomer");
        let mut leaving = ChatClient::connect(addr, "leaving");
        leaving.send("/quit");
        leaving.expect(chat::BYE, "\"/quit\" is answered \"ok bye\"");
        leaving.send("wait, one more thing");

        // Everybody has been answered; nothing happens for a while. Waiting is
        // the measurement here, not a way to synchronise.
        let before = cpu_time();
        thread::sleep(Duration::from_millis(400));
        let used = cpu_time() - before;
        expect::that(
            used < Duration::from_millis(80),
            "a room where nobody speaks sleeps in poll (uses almost no CPU)",
            format!("{} ms of CPU in 400 ms", used.as_millis()),
            "poll is level-triggered and an idle socket is always writable: ask for \
             POLLOUT only while that client's outbox holds bytes \
             (lesson 05.9, 'The loop'). Pass poll no timeout while nothing has a \
             deadline, and while a connection lingers after its last line, sleep \
             until that deadline, not zero; read (and throw away) what a lingering \
             connection sends, or its socket stays readable",
        );
    });
}
