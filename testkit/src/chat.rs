//! A protocol-level client for the group chat room (part 05's `chat-server`,
//! part 07's `async-chat`), and the room-wide checks both share.
//!
//! Everything here speaks the protocol of the lesson
//! `book/05_servers/09_chat-server.md` over real TCP connections and knows
//! nothing about how a server is built, so the same tests judge a poll loop,
//! threads or tokio tasks. Every read has a timeout ([`IO_TIMEOUT`] unless
//! changed with [`ChatClient::set_timeout`]); every failure names the client,
//! what it waited for, what came instead, and a hint.
//!
//! ```no_run
//! # let addr: std::net::SocketAddr = "127.0.0.1:7000".parse().unwrap();
//! use testkit::chat::{self, ChatClient};
//! let mut alice = ChatClient::join(addr, "alice");
//! let mut bob = ChatClient::join(addr, "bob");
//! alice.expect(&chat::joined("bob"), "everyone else hears about a newcomer");
//! bob.send("hi");
//! alice.expect(&chat::said("bob", "hi"), "a message goes to everyone else");
//! ```

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic::{self, catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Barrier, Mutex, Once};
use std::thread;
use std::time::Duration;

use crate::net::{connect, connect_with_small_receive_buffer, is_timeout, IO_TIMEOUT};
use crate::transcript::Transcript;

/// The longest line a client may send, in bytes, line ending not counted.
pub const MAX_LINE: usize = 4096;
/// The longest name, in characters (Unicode scalar values).
pub const MAX_NAME_CHARS: usize = 32;
/// The segment size of [`ChatClient::connect_over_a_narrow_link`]: an
/// Ethernet frame's 1500 bytes less the IP and TCP headers.
pub const NARROW_LINK_MSS: u32 = 1460;

// ---------------------------------------------------------------------------
// The texts of the protocol (without their "\n").

/// The reply to an accepted name.
pub fn welcome(name: &str) -> String {
    format!("ok welcome {name}")
}
/// The reply to `/quit`.
pub const BYE: &str = "ok bye";
/// What the others see when `name` joins.
pub fn joined(name: &str) -> String {
    format!("* {name} joined")
}
/// What the others see when `name` quits or disconnects.
pub fn left(name: &str) -> String {
    format!("* {name} left")
}
/// What the others see when `name` is dropped for not reading.
pub fn dropped(name: &str) -> String {
    format!("* {name} was dropped (too slow)")
}
/// A message from `name` as the others see it.
pub fn said(name: &str, text: &str) -> String {
    format!("{name}: {text}")
}
/// One line of an announcement.
pub fn admin(text: &str) -> String {
    format!("[admin] {text}")
}
/// The reply to a name in use.
pub const NAME_TAKEN: &str = "error name taken";
/// The reply to a refused name; `why` is the reason's text.
pub fn invalid_name(why: &str) -> String {
    format!("error invalid name: {why}")
}
/// The reply to a line over [`MAX_LINE`] bytes, before the server closes.
pub const LINE_TOO_LONG: &str = "error line too long (max 4096 bytes)";
/// The reply to a line that is not UTF-8, before the server closes.
pub const INVALID_UTF8: &str = "error invalid utf-8";
/// The reply to a message holding control characters.
pub const CONTROL_CHARS: &str = "error control characters are not allowed";
/// The reply to a command other than `/quit`.
pub fn unknown_command(command: &str) -> String {
    format!("error unknown command: {command}")
}

// ---------------------------------------------------------------------------
// A transcript shared by several clients.

/// A [`Transcript`] that several [`ChatClient`]s write to, in the order the
/// test performs its steps. Cloning it shares it.
#[derive(Clone, Debug, Default)]
pub struct Log(Arc<Mutex<Transcript>>);

impl Log {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a free-form note, such as "bob's connection is reset".
    pub fn note(&self, text: &str) {
        self.lock().note(text);
    }

    /// The transcript so far, ready for `insta::assert_snapshot!`.
    pub fn render(&self) -> String {
        self.lock().render()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Transcript> {
        // A panic elsewhere must not hide the transcript: ignore poisoning.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

// ---------------------------------------------------------------------------
// The client.

/// One chat connection, seen from the client's side.
#[derive(Debug)]
pub struct ChatClient {
    label: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    log: Option<Log>,
    timeout: Duration,
}

/// What one attempt to read a line gave.
#[derive(Debug)]
enum Next {
    Line(String),
    /// A whole line whose bytes are not UTF-8 (without its `\n`).
    NotUtf8(Vec<u8>),
    /// The server closed the connection; holds any bytes of an unfinished line.
    Closed(Vec<u8>),
    Reset,
    Silent,
    Failed(io::Error),
}

impl ChatClient {
    /// Connects; `label` names this client in failure messages and transcripts.
    #[track_caller]
    pub fn connect(addr: SocketAddr, label: &str) -> Self {
        Self::over(connect(addr), label)
    }

    /// Connects with a small receive buffer (see
    /// [`connect_with_small_receive_buffer`]): once this client stops reading,
    /// a few tens of kilobytes fill it, and whatever the server writes next
    /// waits in the server (in its kernel's send buffer, then in its outbox).
    #[track_caller]
    pub fn connect_with_small_receive_buffer(addr: SocketAddr, label: &str) -> Self {
        Self::over(connect_with_small_receive_buffer(addr), label)
    }

    /// Connects like a client at the far end of a real network: segments of at
    /// most [`NARROW_LINK_MSS`] bytes (Ethernet's, where loopback allows 64 KiB)
    /// and a 16 KiB receive buffer.
    ///
    /// The server's kernel sizes the send buffer of a connection from its
    /// segment size. Over loopback that buffer grows to megabytes, so every write
    /// a chat server makes fits whole and `WouldBlock` never comes; over this
    /// link it holds tens of kilobytes, so a burst larger than that is taken only
    /// in part, the next write fails with `WouldBlock`, and the rest waits in
    /// the server's outbox for the next `POLLOUT`, as it would for a distant
    /// client.
    #[track_caller]
    pub fn connect_over_a_narrow_link(addr: SocketAddr, label: &str) -> Self {
        let domain = socket2::Domain::for_address(addr);
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None)
            .expect("could not create a socket");
        // Both before connect: the handshake announces them to the server.
        socket
            .set_tcp_mss(NARROW_LINK_MSS)
            .expect("could not set TCP_MAXSEG");
        socket
            .set_recv_buffer_size(16 * 1024)
            .expect("could not set SO_RCVBUF");
        if let Err(e) = socket.connect_timeout(&addr.into(), IO_TIMEOUT) {
            panic!(
                "{label} could not connect to the server at {addr}: {}",
                crate::net::explain(&e)
            );
        }
        let stream: TcpStream = socket.into();
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Self::over(stream, label)
    }

    fn over(stream: TcpStream, label: &str) -> Self {
        let writer = stream.try_clone().expect("could not clone a TCP stream");
        ChatClient {
            label: label.to_string(),
            reader: BufReader::new(stream),
            writer,
            log: None,
            timeout: IO_TIMEOUT,
        }
    }

    /// Connects and joins as `name` (also its label); fails the test unless
    /// the server answers `ok welcome NAME`.
    #[track_caller]
    pub fn join(addr: SocketAddr, name: &str) -> Self {
        let mut client = Self::connect(addr, name);
        client.choose_name(name);
        client
    }

    /// Records everything this client sends and receives in `log`.
    pub fn logged(mut self, log: &Log) -> Self {
        self.log = Some(log.clone());
        self
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// How long each read waits before the test fails (default [`IO_TIMEOUT`]).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        let _ = self.writer.set_read_timeout(Some(timeout));
    }

    /// Sends `name` as the first line and expects `ok welcome NAME`.
    #[track_caller]
    pub fn choose_name(&mut self, name: &str) {
        self.send(name);
        self.expect(
            &welcome(name),
            "the first line a client sends is its name; a free, valid name is \
             answered \"ok welcome NAME\\n\"",
        );
    }

    /// Sends `line` and a `\n`.
    #[track_caller]
    pub fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\n").as_bytes());
    }

    /// Sends bytes exactly as given.
    #[track_caller]
    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Some(log) = &self.log {
            log.lock().sent(&self.label, bytes);
        }
        if let Err(e) = self.writer.write_all(bytes) {
            panic!(
                "{} could not send {} bytes: {e}\n  \
                 hint: did the server close this connection earlier than it should?",
                self.label,
                bytes.len()
            );
        }
    }

    /// Receives one line (without its `\n`). `waiting_for` says in words what
    /// the test expects, for the message if nothing comes.
    #[track_caller]
    pub fn recv(&mut self, waiting_for: &str) -> String {
        match self.next() {
            Next::Line(line) => line,
            other => self.fail_waiting(waiting_for, other, ""),
        }
    }

    /// Receives one line and fails the test unless it is `want`.
    #[track_caller]
    pub fn expect(&mut self, want: &str, hint: &str) {
        match self.next() {
            Next::Line(line) if line == want => {}
            Next::Line(line) => panic!(
                "{} expected the line {}\n  got:  {}\n  hint: {hint}",
                self.label,
                brief(want),
                brief(&line)
            ),
            Next::NotUtf8(raw) => panic!(
                "{} expected the line {}\n  got:  {} (not UTF-8)\n  hint: {hint}",
                self.label,
                brief(want),
                shown(&raw)
            ),
            other => self.fail_waiting(&format!("the line {}", brief(want)), other, hint),
        }
    }

    /// Fails the test unless the server closes this connection (end of stream
    /// or reset) before sending any other line.
    #[track_caller]
    pub fn expect_closed(&mut self, hint: &str) {
        match self.next() {
            Next::Closed(rest) if rest.is_empty() => self.note_closed(),
            Next::Reset => self.note_closed(),
            Next::Line(line) => panic!(
                "{} expected the server to close the connection, but it sent {}\n  \
                 hint: {hint}",
                self.label,
                brief(&line)
            ),
            other => self.fail_waiting("the server to close the connection", other, hint),
        }
    }

    /// `/quit`: expects `ok bye`, then the connection closed.
    #[track_caller]
    pub fn quit(&mut self) {
        self.send("/quit");
        self.expect(BYE, "\"/quit\" is answered \"ok bye\"");
        self.expect_closed("after \"ok bye\" the server closes the connection");
    }

    /// Closes the connection abruptly: with `SO_LINGER` 0, `close` sends RST.
    pub fn vanish(self) {
        self.note(&format!("{} vanishes: its connection is reset", self.label));
        let _ = socket2::SockRef::from(&self.writer).set_linger(Some(Duration::ZERO));
    }

    /// Closes the connection plainly (FIN), without `/quit`. Read every line
    /// the server sent first: closing with unread data makes the kernel send a
    /// reset as well, and the test would no longer show a plain close.
    pub fn hang_up(self) {
        self.note(&format!(
            "{} closes its connection without /quit",
            self.label
        ));
        let _ = self.writer.shutdown(Shutdown::Both);
    }

    /// Stops sending (half-close) while still able to read.
    pub fn finish_sending(&mut self) {
        self.note(&format!("{} stops sending", self.label));
        let _ = self.writer.shutdown(Shutdown::Write);
    }

    /// Reads and throws away everything until the server closes the
    /// connection; returns how many bytes that was. For a client that did not
    /// read for a while and now only wants to see that it was disconnected.
    #[track_caller]
    pub fn drain_until_closed(&mut self, hint: &str) -> usize {
        let mut total = 0;
        let mut chunk = [0; 64 * 1024];
        loop {
            match self.reader.read(&mut chunk) {
                Ok(0) => return total,
                Ok(n) => total += n,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return total,
                Err(e) if is_timeout(&e) => panic!(
                    "{} read {total} bytes, then the connection stayed open and silent for \
                     {} s; the test expected the server to have closed it\n  hint: {hint}",
                    self.label,
                    self.timeout.as_secs_f32()
                ),
                Err(e) => panic!("{}: reading failed after {total} bytes: {e}", self.label),
            }
        }
    }

    /// The underlying stream, for tests that need raw access.
    pub fn stream(&self) -> &TcpStream {
        &self.writer
    }

    fn next(&mut self) -> Next {
        let next = self.read_line();
        if let (Some(log), Next::Line(line)) = (&self.log, &next) {
            log.lock().received(&self.label, format!("{line}\n"));
        }
        next
    }

    fn read_line(&mut self) -> Next {
        let mut raw = Vec::new();
        match self.reader.read_until(b'\n', &mut raw) {
            Ok(_) if raw.last() == Some(&b'\n') => {
                raw.pop();
                match String::from_utf8(raw) {
                    Ok(line) => Next::Line(line),
                    Err(e) => Next::NotUtf8(e.into_bytes()),
                }
            }
            Ok(_) => Next::Closed(raw),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => Next::Reset,
            Err(e) if is_timeout(&e) => Next::Silent,
            Err(e) => Next::Failed(e),
        }
    }

    fn note_closed(&self) {
        self.note(&format!("server closes {}'s connection", self.label));
    }

    fn note(&self, text: &str) {
        if let Some(log) = &self.log {
            log.note(text);
        }
    }

    #[track_caller]
    fn fail_waiting(&self, waiting_for: &str, got: Next, hint: &str) -> ! {
        let who = &self.label;
        // What happened, and what to look at when the test gave no hint of its
        // own (the test's hint knows more, so it replaces this one).
        let (what, usual) = match got {
            Next::Silent => (
                format!("nothing came for {} s", self.timeout.as_secs_f32()),
                format!(
                    "is the line queued for {who}, and does the server write it when the \
                     socket is writable?"
                ),
            ),
            Next::Closed(rest) if rest.is_empty() => (
                "the server closed the connection".to_string(),
                String::new(),
            ),
            Next::Closed(rest) => (
                format!(
                    "the server closed the connection in the middle of a line: {}",
                    shown(&rest)
                ),
                "a line is written whole, then its '\\n'".to_string(),
            ),
            Next::Reset => (
                "the connection was reset".to_string(),
                "did the server crash or drop this client? Look for a panic above".to_string(),
            ),
            Next::Failed(e) => (format!("reading failed: {e}"), String::new()),
            Next::Line(line) => (format!("the line {}", brief(&line)), String::new()),
            Next::NotUtf8(raw) => (
                format!("a line that is not UTF-8: {}", shown(&raw)),
                String::new(),
            ),
        };
        let hint = match (hint, usual.as_str()) {
            ("", "") => String::new(),
            ("", usual) => format!("\n  hint: {usual}"),
            (hint, _) => format!("\n  hint: {hint}"),
        };
        panic!("{who} waited for {waiting_for}, but {what}{hint}");
    }
}

/// A line for a failure message: quoted, and cut short when it is long (the
/// tests send lines of 4 KB), with its length.
fn brief(line: &str) -> String {
    const SHOWN: usize = 60;
    if line.chars().count() <= 2 * SHOWN {
        return format!("{line:?}");
    }
    let start: String = line.chars().take(SHOWN).collect();
    format!("{start:?}... ({} bytes)", line.len())
}

/// Bytes from the server for a failure message: as a quoted string when they
/// are UTF-8, else with every byte that is not printable ASCII escaped
/// (`"caf\xe9"`), so that nothing is replaced or hidden.
fn shown(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("\"{}\"", bytes.escape_ascii()),
    }
}

// ---------------------------------------------------------------------------
// Checks of a whole room.

/// Client threads need little stack; hundreds of them must fit comfortably.
const CLIENT_STACK: usize = 256 * 1024;

/// `clients` clients join (named `c000`, `c001`, ...), then all send
/// `messages` messages each at the same time, while each reads what the others
/// send. Every client must receive every other client's messages, none lost
/// or repeated, each sender's in the order sent, and never its own.
///
/// Each client receives `(clients - 1) * messages` lines (about 70 KB for 200
/// clients and 20 messages). On a busy machine a client's thread may not read
/// for a while, so a server must be able to hold that much for one client
/// (outbox plus socket buffers) without dropping it.
///
/// The test process needs about `2 * clients + 50` file descriptors: see
/// [`crate::limits::raise_fd_limit`].
#[track_caller]
pub fn crowd(addr: SocketAddr, clients: usize, messages: usize) {
    // Joins are sequential and each waits for its welcome, so every client
    // sees the later ones join before any message is sent.
    let members: Vec<ChatClient> = (0..clients)
        .map(|i| ChatClient::join(addr, &member(i)))
        .collect();
    // Nobody talks until every client's thread runs: otherwise the first
    // threads would be done before the last ones were even started.
    let all_running = Arc::new(Barrier::new(clients));
    quiet_crowd_panics();
    let (results, outcomes) = mpsc::channel();
    for (me, mut client) in members.into_iter().enumerate() {
        let results = results.clone();
        let all_running = Arc::clone(&all_running);
        thread::Builder::new()
            .name(CROWD_THREAD.to_string())
            .stack_size(CLIENT_STACK)
            .spawn(move || {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    expect_later_joins(&mut client, me, clients)
                }));
                // Reach the barrier even after a failure, so the others do not
                // wait for ever; the failure is reported first.
                all_running.wait();
                let outcome = outcome.and_then(|()| {
                    catch_unwind(AssertUnwindSafe(|| {
                        talk_in_crowd(&mut client, me, clients, messages)
                    }))
                });
                // Report before disconnecting: a failed client's "left"
                // notice must not make another client's failure arrive first.
                match outcome {
                    Ok(()) => {
                        let _ = results.send(Ok(client));
                    }
                    Err(panic) => {
                        let _ = results.send(Err(panic));
                        drop(client);
                    }
                }
            })
            .expect("could not start a client thread");
    }
    // The first failure is the cause; the others are usually waiting on it.
    // It is reported here, once: a broken server can fail all the clients, and
    // their panics are not printed one by one (see `quiet_crowd_panics`).
    // Every client is kept connected until all are done (the threads return
    // them), so no "left" notice interrupts a client still reading.
    let mut done = Vec::with_capacity(clients);
    for _ in 0..clients {
        match outcomes.recv() {
            Ok(Ok(client)) => done.push(client),
            Ok(Err(panic)) => match panic_text(&*panic) {
                Some(text) => panic!("{text}"),
                None => resume_unwind(panic),
            },
            Err(_) => unreachable!("every thread sends its outcome"),
        }
    }
}

/// The name of [`crowd`]'s client threads.
const CROWD_THREAD: &str = "chat crowd client";

/// Keeps the panic hook from printing the failures of [`crowd`]'s client
/// threads: `crowd` reports the first one itself. Every other thread's panics
/// are printed as before. Installed once per process.
fn quiet_crowd_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if thread::current().name() != Some(CROWD_THREAD) {
                previous(info);
            }
        }));
    });
}

/// The message of a panic, if it has one (`panic!` with text gives one).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
}

fn member(i: usize) -> String {
    format!("c{i:03}")
}

/// One member of [`crowd`], first: every client that joined after it.
fn expect_later_joins(client: &mut ChatClient, me: usize, clients: usize) {
    for later in me + 1..clients {
        client.expect(
            &joined(&member(later)),
            "every client that joins later is announced to those already in the room, \
             in the order they joined",
        );
    }
}

/// One member of [`crowd`], then: send, and read everyone else's messages.
fn talk_in_crowd(client: &mut ChatClient, me: usize, clients: usize, messages: usize) {
    for m in 0..messages {
        client.send(&format!("message {m}"));
    }
    // next[s] is the number of the message expected next from sender s.
    let mut next = vec![0; clients];
    let want = (clients - 1) * messages;
    for got in 0..want {
        let line = match client.next() {
            Next::Line(line) => line,
            other => {
                let missing = missing_summary(&next, me, messages);
                client.fail_waiting(
                    &format!(
                        "message {} of {want} from the others (missing: {missing})",
                        got + 1
                    ),
                    other,
                    "every message must reach every other client: queue each broadcast \
                     line in every outbox, and keep writing while poll says POLLOUT",
                )
            }
        };
        let Some((sender, m)) = parse_crowd_line(&line, clients) else {
            panic!(
                "{} received {line:?}, which is not a message from another client \
                 (\"cNNN: message M\")\n  hint: while everybody talks, the only lines \
                 should be the others' messages",
                client.label
            );
        };
        if sender == me {
            panic!(
                "{} received its own message {line:?}\n  hint: a message goes to \
                 everyone except its sender",
                client.label
            );
        }
        if m != next[sender] {
            panic!(
                "{} received {line:?} but expected message {} from {} next\n  hint: each \
                 sender's messages must arrive once each and in order; bytes queued for a \
                 client must be written in the order queued",
                client.label,
                next[sender],
                member(sender)
            );
        }
        next[sender] += 1;
    }
}

/// "c007: message 3" -> (7, 3), for senders below `clients`.
fn parse_crowd_line(line: &str, clients: usize) -> Option<(usize, usize)> {
    let (name, text) = line.split_once(": ")?;
    let sender: usize = name.strip_prefix('c')?.parse().ok()?;
    let m = text.strip_prefix("message ")?.parse().ok()?;
    (sender < clients && member(sender) == name).then_some((sender, m))
}

/// Which senders' messages are still missing, briefly.
fn missing_summary(next: &[usize], me: usize, messages: usize) -> String {
    let mut out = String::new();
    let short: Vec<_> = (0..next.len())
        .filter(|&s| s != me && next[s] < messages)
        .collect();
    for &s in short.iter().take(5) {
        let _ = write!(out, "{} from #{}, ", member(s), next[s]);
    }
    match short.len() {
        n if n > 5 => format!("{out}and {} more senders", n - 5),
        _ => out.trim_end_matches(", ").to_string(),
    }
}

/// The most data [`slow_reader_is_dropped`] sends before it gives up waiting for
/// the drop. A bounded outbox plus the kernel's socket buffers hold far less.
const SLOW_READER_BUDGET: usize = 32 << 20;

/// `snail` joins and never reads again; `talker` sends big messages one at a
/// time, each read by `listener` before the next is sent. The room must keep
/// flowing (every message reaches `listener` at once) until `snail`'s
/// outbox is full; then `snail` is dropped, `listener` and `talker` see
/// `* snail was dropped (too slow)`, the room goes on, and `snail`'s connection
/// is closed. No sleeps: the traffic itself fills the snail's buffers.
#[track_caller]
pub fn slow_reader_is_dropped(addr: SocketAddr) {
    slow_reader_check(addr, SLOW_READER_BUDGET);
}

#[track_caller]
fn slow_reader_check(addr: SocketAddr, budget: usize) {
    // From here on, snail reads nothing until the very end.
    let mut snail = ChatClient::join(addr, "snail");
    let mut talker = ChatClient::join(addr, "talker");
    let mut listener = ChatClient::join(addr, "listener");
    talker.expect(&joined("listener"), "the others hear about a newcomer");

    let filler = "x".repeat(4000);
    let mut after_drop = None;
    let mut sent_bytes = 0;
    for i in 0.. {
        if after_drop == Some(3) {
            break;
        }
        if sent_bytes > budget {
            panic!(
                "talker sent {} MiB of messages while snail read nothing, and snail was \
                 never dropped\n  hint: an outbox must be bounded: when a line does not \
                 fit, drop that client and tell the others \"* NAME was dropped (too \
                 slow)\", instead of letting its outbox grow without end",
                budget >> 20
            );
        }
        let text = format!("{i} {filler}");
        talker.send(&text);
        sent_bytes += text.len();
        let mut line = listener.recv(&format!(
            "talker's message {i} while snail reads nothing (the room must keep flowing; \
             hint: a broadcast must never wait for one client's socket: queue into \
             outboxes and write only what each socket takes)"
        ));
        if line == dropped("snail") {
            if after_drop.is_some() {
                panic!("listener was told twice that snail was dropped");
            }
            after_drop = Some(0);
            line = listener.recv(&format!("talker's message {i} after the drop notice"));
        }
        if line != said("talker", &text) {
            panic!(
                "listener expected talker's message {i} ({} bytes)\n  got: {:?}\n  hint: \
                 the others must get every message, in order, however slow one client is",
                text.len(),
                &line[..line.len().min(80)]
            );
        }
        after_drop = after_drop.map(|n| n + 1);
    }
    talker.expect(
        &dropped("snail"),
        "everyone still in the room (the sender too) is told that the slow client was dropped",
    );
    snail.drain_until_closed(
        "a dropped client's connection must be closed, or its socket and buffers stay \
         with the server for ever",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::{within, DEFAULT};
    use crate::net::spawn_server;
    use std::collections::HashMap;
    use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};

    /// A minimal thread-per-client chat room to check the harness against:
    /// names (taken or free), join/leave/drop notices, messages, `/quit`. Each
    /// member's outbox is a bounded channel drained by its own writer thread.
    #[derive(Clone)]
    struct MiniRoom {
        members: Arc<Mutex<HashMap<String, Member>>>,
        outbox_lines: usize,
        /// A deliberate bug: the sender gets its own messages too.
        echo_to_sender: bool,
    }

    struct Member {
        outbox: SyncSender<String>,
        stream: TcpStream,
    }

    impl MiniRoom {
        fn start(outbox_lines: usize, echo_to_sender: bool) -> SocketAddr {
            let room = MiniRoom {
                members: Arc::default(),
                outbox_lines,
                echo_to_sender,
            };
            spawn_server(move |listener| {
                for stream in listener.incoming().flatten() {
                    let room = room.clone();
                    thread::spawn(move || room.serve(stream));
                }
            })
            .addr()
        }

        /// Queues `line` for everyone but `except`; drops members whose
        /// outbox is full and tells the others, until nobody overflows.
        fn broadcast(&self, line: String, except: &str) {
            let mut pending = vec![(line, except.to_string())];
            while let Some((line, except)) = pending.pop() {
                let mut members = self.members.lock().unwrap();
                let slow: Vec<String> = members
                    .iter()
                    .filter(|(name, _)| **name != except)
                    .filter(|(_, m)| {
                        matches!(m.outbox.try_send(line.clone()), Err(TrySendError::Full(_)))
                    })
                    .map(|(name, _)| name.clone())
                    .collect();
                for name in slow {
                    if let Some(member) = members.remove(&name) {
                        let _ = member.stream.shutdown(Shutdown::Both);
                    }
                    pending.push((dropped(&name), String::new()));
                }
            }
        }

        fn serve(&self, stream: TcpStream) {
            let mut lines = BufReader::new(stream.try_clone().unwrap()).lines();
            let mut out = stream.try_clone().unwrap();
            // Check and claim the name in one step, and queue the welcome as
            // the member's first line, so nothing can overtake it.
            let (name, mine, queued) = loop {
                let Some(Ok(name)) = lines.next() else { return };
                let mut members = self.members.lock().unwrap();
                if members.contains_key(&name) {
                    let _ = writeln!(out, "{NAME_TAKEN}");
                    continue;
                }
                let (outbox, queued) = sync_channel::<String>(self.outbox_lines);
                outbox.try_send(welcome(&name)).unwrap();
                let member = Member {
                    outbox: outbox.clone(),
                    stream: stream.try_clone().unwrap(),
                };
                members.insert(name.clone(), member);
                break (name, outbox, queued);
            };
            self.broadcast(joined(&name), &name);
            let writer = thread::spawn(move || {
                for line in queued {
                    if writeln!(out, "{line}").is_err() {
                        break;
                    }
                }
                let _ = out.shutdown(Shutdown::Both);
            });
            let except = if self.echo_to_sender {
                ""
            } else {
                name.as_str()
            };
            let mut quit = false;
            for line in lines {
                match line {
                    Ok(line) if line == "/quit" => {
                        quit = true;
                        break;
                    }
                    Ok(line) => self.broadcast(said(&name, &line), except),
                    Err(_) => break,
                }
            }
            if self.members.lock().unwrap().remove(&name).is_some() {
                self.broadcast(left(&name), "");
                if quit {
                    let _ = mine.send(BYE.to_string());
                }
            }
            drop(mine);
            let _ = writer.join();
        }
    }

    fn correct_room() -> SocketAddr {
        MiniRoom::start(1000, false)
    }

    #[test]
    fn clients_join_talk_and_leave() {
        let addr = correct_room();
        within(DEFAULT, "a short chat", move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::join(addr, "bob");
            alice.expect(&joined("bob"), "join notice");
            bob.send("hi");
            alice.expect(&said("bob", "hi"), "message");
            let mut again = ChatClient::connect(addr, "second alice");
            again.send("alice");
            again.expect(NAME_TAKEN, "taken");
            again.choose_name("alice2");
            alice.expect(&joined("alice2"), "join notice");
            bob.expect(&joined("alice2"), "join notice");
            alice.quit();
            bob.expect(&left("alice"), "leave notice");
            again.expect(&left("alice"), "leave notice");
        });
    }

    #[test]
    #[should_panic(
        expected = "alice expected the line \"* carol joined\"\n  got:  \"* bob joined\"\n  hint: look here"
    )]
    fn a_different_line_fails_with_both_lines_and_the_hint() {
        let addr = correct_room();
        within(DEFAULT, "a wrong line", move || {
            let mut alice = ChatClient::join(addr, "alice");
            let _bob = ChatClient::join(addr, "bob");
            alice.expect(&joined("carol"), "look here");
        });
    }

    #[test]
    #[should_panic(expected = "alice waited for the line \"nothing\", but nothing came for 0.05 s")]
    fn silence_fails_with_the_time_waited() {
        let addr = correct_room();
        within(DEFAULT, "silence", move || {
            let mut alice = ChatClient::join(addr, "alice");
            alice.set_timeout(Duration::from_millis(50));
            alice.expect("nothing", "");
        });
    }

    #[test]
    #[should_panic(
        expected = "expected the server to close the connection, but it sent \"* bob joined\""
    )]
    fn expect_closed_fails_on_a_line() {
        let addr = correct_room();
        within(DEFAULT, "a line instead of a close", move || {
            let mut alice = ChatClient::join(addr, "alice");
            let _bob = ChatClient::join(addr, "bob");
            alice.expect_closed("");
        });
    }

    #[test]
    fn abrupt_exits_are_seen_by_the_room() {
        let addr = correct_room();
        within(DEFAULT, "resets and closes", move || {
            let mut alice = ChatClient::join(addr, "alice");
            let bob = ChatClient::join(addr, "bob");
            let carol = ChatClient::join(addr, "carol");
            alice.expect(&joined("bob"), "");
            alice.expect(&joined("carol"), "");
            bob.vanish();
            alice.expect(&left("bob"), "");
            carol.hang_up();
            alice.expect(&left("carol"), "");
        });
    }

    #[test]
    fn the_log_records_every_step_in_order() {
        let addr = correct_room();
        let text = within(DEFAULT, "a logged chat", move || {
            let log = Log::new();
            let mut alice = ChatClient::connect(addr, "alice").logged(&log);
            alice.choose_name("alice");
            let mut bob = ChatClient::connect(addr, "bob").logged(&log);
            bob.choose_name("bob");
            alice.expect(&joined("bob"), "");
            log.note("bob is shy");
            bob.quit();
            log.render()
        });
        assert_eq!(
            text,
            "   alice -> alice\\n\n   alice <- ok welcome alice\\n\n     bob -> bob\\n\n     \
             bob <- ok welcome bob\\n\n   alice <- * bob joined\\n\n   (bob is shy)\n     \
             bob -> /quit\\n\n     bob <- ok bye\\n\n   (server closes bob's connection)\n"
        );
    }

    #[test]
    fn the_crowd_check_passes_on_a_correct_room() {
        let addr = correct_room();
        within(DEFAULT, "the crowd check", move || crowd(addr, 20, 10));
    }

    #[test]
    #[should_panic(expected = "received its own message")]
    fn the_crowd_check_catches_an_echo_to_the_sender() {
        let addr = MiniRoom::start(1000, true);
        within(DEFAULT, "the crowd check", move || crowd(addr, 3, 2));
    }

    #[test]
    fn the_slow_reader_check_passes_on_a_bounded_room() {
        let addr = MiniRoom::start(16, false);
        within(DEFAULT, "the slow reader check", move || {
            slow_reader_is_dropped(addr)
        });
    }

    #[test]
    #[should_panic(expected = "snail was never dropped")]
    fn the_slow_reader_check_catches_an_unbounded_outbox() {
        let addr = MiniRoom::start(1 << 20, false);
        within(DEFAULT, "the slow reader check", move || {
            slow_reader_check(addr, 1 << 20)
        });
    }

    #[test]
    fn long_lines_are_cut_short_in_messages() {
        assert_eq!(brief("alice: hi"), "\"alice: hi\"");
        let long = format!("alice: {}", "x".repeat(4000));
        let shown = brief(&long);
        assert!(shown.starts_with("\"alice: xxx"), "{shown}");
        assert!(shown.ends_with("\"... (4007 bytes)"), "{shown}");
        assert!(shown.len() < 100, "{shown}");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_escaped() {
        assert_eq!(shown(b"caf\xe9"), "\"caf\\xe9\"");
        assert_eq!(shown("h\u{e9}llo".as_bytes()), "\"h\u{e9}llo\"");
        assert_eq!(shown(b"a\x1b[2J"), "\"a\\u{1b}[2J\"");
    }

    #[test]
    fn crowd_lines_parse_only_for_known_senders() {
        assert_eq!(parse_crowd_line("c007: message 3", 10), Some((7, 3)));
        assert_eq!(parse_crowd_line("c010: message 3", 10), None);
        assert_eq!(parse_crowd_line("c7: message 3", 10), None);
        assert_eq!(parse_crowd_line("* c001 joined", 10), None);
        assert_eq!(parse_crowd_line("c001: hello", 10), None);
    }

    #[test]
    fn the_missing_summary_names_the_first_senders() {
        assert_eq!(
            missing_summary(&[2, 0, 1], 0, 2),
            "c001 from #0, c002 from #1"
        );
        let many = vec![0; 10];
        assert_eq!(
            missing_summary(&many, 0, 1),
            "c001 from #0, c002 from #0, c003 from #0, c004 from #0, c005 from #0, and 4 more senders"
        );
    }
}
