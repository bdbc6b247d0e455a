//! Step 1: the handlers `Echo` and `Buffered` (`src/handler.rs`), each run on
//! one connection with no server around it: the test accepts the connection
//! itself and calls `handle` on a thread. Run with `cargo test --test 01_handlers`.

use std::io::{self, BufRead, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use socket2::SockRef;
use socketserver::{Buffered, Conn, Echo, Handler, StreamHandler};
use testkit::chaos::{write_chunked, Chunking};
use testkit::net::{connect, listener, read_to_end};
use testkit::server::{quietly, Failure};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// What `handle` did: returned, or panicked (its message and line).
type Outcome = Result<io::Result<()>, Failure>;

/// A client connected to `handler`, which runs on its own thread.
struct Conversation {
    client: TcpStream,
    done: mpsc::Receiver<Outcome>,
}

fn converse(handler: impl Handler) -> Conversation {
    let listener = listener();
    let client = connect(listener.local_addr().unwrap());
    let (stream, peer) = listener.accept().unwrap();
    let (report, done) = mpsc::channel();
    thread::spawn(move || {
        // Quiet: a panic in handle is reported once, by the test, with its line.
        let outcome = quietly(|| handler.handle(stream, peer));
        let _ = report.send(outcome);
    });
    Conversation { client, done }
}

impl Conversation {
    /// What `handle` returned; fails if it does not return in time.
    #[track_caller]
    fn result(&self) -> io::Result<()> {
        result_of(&self.done)
    }

    /// Runs `talk` with the client. If it fails because `handle` panicked (a
    /// `todo!`, say), the panic is reported, not what the client saw of it.
    #[track_caller]
    fn talk<T>(&mut self, talk: impl FnOnce(&mut TcpStream) -> T) -> T {
        let client = &mut self.client;
        match quietly(|| talk(client)) {
            Ok(value) => value,
            Err(failure) => {
                if let Ok(Err(panic)) = self.done.recv_timeout(Duration::from_millis(200)) {
                    panic!("handle panicked {}", panic.located());
                }
                panic!("{}", failure.message)
            }
        }
    }
}

#[track_caller]
fn result_of(done: &mpsc::Receiver<Outcome>) -> io::Result<()> {
    match done.recv_timeout(Duration::from_secs(3)) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => panic!("handle panicked {}", panic.located()),
        Err(_) => panic!(
            "handle() did not return within 3 s after the client finished\n  \
             hint: return when a read returns 0 (end-of-file)"
        ),
    }
}

#[test]
fn echo_echoes_until_end_of_file() {
    within(DEFAULT, "the Echo handler", || {
        let mut talk = converse(Echo);
        let rest = talk.talk(|client| {
            echo::round_trip(client, b"first\n", "a client of Echo");
            echo::round_trip(client, b"second, longer\n", "a client of Echo");
            client.shutdown(Shutdown::Write).unwrap();
            read_to_end(client, "end-of-file from Echo")
        });
        expect::eq("bytes after the echoes", &rest.len(), &0, "each byte once");
        expect::ok(
            "Echo's result after end-of-file",
            talk.result(),
            "end-of-file is the normal end of a conversation: Ok(())",
        );
    });
}

#[test]
fn echo_reports_a_reset_as_an_error() {
    within(DEFAULT, "Echo and a client that resets", || {
        let Conversation { client, done } = converse(Echo);
        (&client).write_all(b"half a mess").unwrap();
        // Linger 0: closing sends RST, the rudest way to leave.
        SockRef::from(&client)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(client);
        expect::that(
            result_of(&done).is_err(),
            "Echo should return an error when the client resets the connection",
            "Ok(())",
            "return the I/O error (`?`): a reset is not end-of-file, and the server \
             reports it",
        );
    });
}

/// Answers each line with the line in capitals. Never flushes: `Buffered`
/// must send what it wrote when it returns.
struct Shout;

impl StreamHandler for Shout {
    fn handle(&self, conn: &mut Conn) -> io::Result<()> {
        let mut line = String::new();
        while conn.reader.read_line(&mut line)? > 0 {
            conn.writer.write_all(line.to_uppercase().as_bytes())?;
            line.clear();
        }
        Ok(())
    }
}

#[test]
fn buffered_delivers_the_replies_under_every_chunking() {
    let input = "hello\nsocket server\nthe last line\n";
    for chunking in Chunking::ALL {
        let reply = within(DEFAULT, "Buffered<Shout>", move || {
            let mut talk = converse(Buffered(Shout));
            let reply = talk.talk(|client| {
                write_chunked(client, input.as_bytes(), chunking).unwrap();
                client.shutdown(Shutdown::Write).unwrap();
                read_to_end(client, "the replies of Buffered<Shout>")
            });
            expect::ok(
                "Buffered<Shout>'s result",
                talk.result(),
                "the handler succeeded and the flush too: Ok(())",
            );
            reply
        });
        expect::eq(
            &format!("the replies to three lines sent in {chunking}"),
            reply.escape_ascii().to_string().as_str(),
            "HELLO\\nSOCKET SERVER\\nTHE LAST LINE\\n",
            "setup: BufReader on stream.try_clone(), BufWriter on stream; after the \
             handler returns, flush the writer: Shout never flushes",
        );
    }
}

/// Writes the peer address it was given, then returns.
struct WhoAmI;

impl StreamHandler for WhoAmI {
    fn handle(&self, conn: &mut Conn) -> io::Result<()> {
        writeln!(conn.writer, "{}", conn.peer)
    }
}

#[test]
fn buffered_tells_the_handler_who_the_client_is() {
    within(DEFAULT, "Buffered<WhoAmI>", || {
        let mut talk = converse(Buffered(WhoAmI));
        let me: SocketAddr = talk.client.local_addr().unwrap();
        let reply = talk.talk(|client| read_to_end(client, "the reply of Buffered<WhoAmI>"));
        let result = talk.result();
        expect::eq(
            "the peer address the handler saw",
            reply.escape_ascii().to_string().as_str(),
            format!("{me}\\n").as_str(),
            "Conn::peer is the address handle() was given",
        );
        expect::ok("Buffered<WhoAmI>'s result", result, "nothing failed");
    });
}

/// Writes an error message, then fails.
struct Refuse;

impl StreamHandler for Refuse {
    fn handle(&self, conn: &mut Conn) -> io::Result<()> {
        conn.writer.write_all(b"error: not today\n")?;
        Err(io::Error::new(ErrorKind::InvalidData, "refused"))
    }
}

#[test]
fn buffered_flushes_even_when_the_handler_fails() {
    within(DEFAULT, "Buffered<Refuse>", || {
        let mut talk = converse(Buffered(Refuse));
        let reply =
            talk.talk(|client| read_to_end(client, "the error message of Buffered<Refuse>"));
        let result = talk.result();
        expect::eq(
            "what the client got from a handler that wrote, then failed",
            reply.escape_ascii().to_string().as_str(),
            "error: not today\\n",
            "flush the writer after the handler returns, whatever it returned \
             (like Python's `finally: self.finish()`)",
        );
        let err = expect::err(
            "Buffered<Refuse>'s result",
            result,
            "the handler's error is the result, not swallowed by the flush",
        );
        expect::eq(
            "the kind of the error Buffered returned",
            &err.kind(),
            &ErrorKind::InvalidData,
            "return the handler's own error when it failed (handled.and(flushed))",
        );
    });
}

/// Reads a line, waits for the client to vanish, then writes a reply that
/// can only sit in the buffer: the flush at the end must fail.
struct TooLate;

impl StreamHandler for TooLate {
    fn handle(&self, conn: &mut Conn) -> io::Result<()> {
        let mut line = String::new();
        conn.reader.read_line(&mut line)?;
        // Blocks until the client's reset arrives; the read fails (or ends).
        let _ = conn.reader.read_line(&mut line);
        conn.writer.write_all(b"too late\n")?;
        Ok(())
    }
}

#[test]
fn buffered_reports_a_failed_flush() {
    within(
        DEFAULT,
        "Buffered<TooLate> and a client that resets",
        || {
            let Conversation { client, done } = converse(Buffered(TooLate));
            (&client).write_all(b"hello\n").unwrap();
            SockRef::from(&client)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(client);
            expect::that(
                result_of(&done).is_err(),
                "Buffered should return the error of its final flush (the client is gone)",
                "Ok(())",
                "flush the writer yourself and return its error: a BufWriter also \
             flushes when dropped, but it throws the error away",
            );
        },
    );
}
