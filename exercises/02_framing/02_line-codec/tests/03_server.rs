//! Tests for the line echo server, over real loopback connections.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use line_codec::{handle_client, serve};
use testkit::chaos::{self, Chunking};
use testkit::deadline::DEFAULT;
use testkit::expect::{self, escaped};
use testkit::net::{self, LineClient};
use testkit::transcript::Transcript;
use testkit::within;

/// The line limit of the servers in these tests.
const MAX: usize = 64;

/// Starts `serve` on a free port; the server thread is left running.
fn start_server() -> SocketAddr {
    net::spawn_server(|listener| {
        let _ = serve(listener, MAX);
    })
    .addr()
}

/// A client that sees the server's replies byte for byte, line endings included.
struct RawClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl RawClient {
    fn connect(addr: SocketAddr) -> Self {
        let stream = net::connect(addr);
        let writer = stream.try_clone().unwrap();
        RawClient {
            reader: BufReader::new(stream),
            writer,
        }
    }

    #[track_caller]
    fn send(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("sending {} bytes to the server failed: {e}", bytes.len()));
    }

    /// One reply up to and including its `\n`; empty when the server closed.
    #[track_caller]
    fn recv(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(_) => line,
            Err(e) if net::is_timeout(&e) => panic!(
                "no reply within {} s (got {} so far)\n  hint: does the server answer \
                 each line as soon as it is complete, ending the reply with '\\n'?",
                net::IO_TIMEOUT.as_secs(),
                escaped(&line)
            ),
            // A reset after the server's last reply counts as "closed" here.
            Err(e) if e.kind() == ErrorKind::ConnectionReset && line.is_empty() => line,
            Err(e) => panic!("reading a reply failed: {e}"),
        }
    }
}

#[test]
fn echoes_each_line_as_it_arrives() {
    let addr = start_server();
    within(DEFAULT, "an echo for each line", move || {
        let mut client = LineClient::connect(addr);
        for line in ["hello", "", "two words", "你好"] {
            client.send_line(line);
            expect::eq(
                &format!("the reply to the line {line:?}"),
                client.recv_line().as_str(),
                format!("echo: {line}").as_str(),
                "answer each complete line with \"echo: <line>\\n\" and send it at once: \
                 the client waits for this reply before sending the next line",
            );
        }
        client.finish_sending();
        client.expect_closed();
    });
}

#[test]
fn echoes_lines_sent_in_awkward_chunks() {
    let addr = start_server();
    within(DEFAULT, "echoes of lines sent in chunks", move || {
        let request = "alpha\r\nbeta\n\nгамма δέλτα\r\nlast one\n".as_bytes();
        let want = "echo: alpha\necho: beta\necho: \necho: гамма δέλτα\necho: last one\n";
        for chunking in Chunking::ALL {
            let mut stream = net::connect(addr);
            if let Err(e) = chaos::write_chunked(&mut stream, request, chunking) {
                panic!("sending in {chunking} failed: {e}");
            }
            stream.shutdown(Shutdown::Write).unwrap();
            let replies = net::read_to_end(&mut stream, "the echoes");
            expect::bytes_eq(
                &format!("all replies, lines sent in {chunking}"),
                &replies,
                want.as_bytes(),
                "one read is not one line: feed every chunk to the decoder and answer \
                 each line it completes; replies end with \"\\n\" even when the line \
                 ended with \"\\r\\n\"",
            );
        }
    });
}

#[test]
fn rejects_an_overlong_line_without_waiting_for_its_newline() {
    let addr = start_server();
    within(DEFAULT, "an error for a line with no end", move || {
        let mut client = RawClient::connect(addr);
        client.send(b"ok\n");
        client.send(&[b'x'; 3 * MAX]);
        // No newline, and the connection stays open: the peer is hostile.
        expect::bytes_eq(
            "the reply to \"ok\"",
            &client.recv(),
            b"echo: ok\n",
            "lines before the bad one are answered as usual",
        );
        expect::bytes_eq(
            "the reply to 192 bytes without a newline (limit 64)",
            &client.recv(),
            b"error: line 2 is longer than 64 bytes\n",
            "call next_line after every feed: it reports TooLong as soon as the \
             buffer holds too much, and the server answers \"error: <error>\\n\"",
        );
        expect::bytes_eq(
            "what the server sends after the error",
            &client.recv(),
            b"",
            "after an error reply the server closes the connection",
        );
    });
}

#[test]
fn rejects_invalid_utf8_and_closes() {
    let addr = start_server();
    within(
        DEFAULT,
        "an error for a line that is not UTF-8",
        move || {
            let mut client = RawClient::connect(addr);
            client.send(b"fine\n\xff\xfe\nnever answered\n");
            expect::bytes_eq(
                "the reply to \"fine\"",
                &client.recv(),
                b"echo: fine\n",
                "lines before the bad one are answered as usual",
            );
            expect::bytes_eq(
                "the reply to the bytes ff fe",
                &client.recv(),
                b"error: line 2 is not valid UTF-8 (bad byte at offset 0)\n",
                "answer a LineError with \"error: {err}\\n\" (its Display text)",
            );
            expect::bytes_eq(
                "what the server sends after the error",
                &client.recv(),
                b"",
                "after an error reply the server closes the connection; later \
                 lines are not answered",
            );
        },
    );
}

#[test]
fn reports_a_line_cut_off_by_the_client_closing() {
    let addr = start_server();
    within(DEFAULT, "an error for an unfinished last line", move || {
        let mut client = RawClient::connect(addr);
        client.send(b"done\nunfinished");
        client.writer.shutdown(Shutdown::Write).unwrap();
        let replies = [client.recv(), client.recv(), client.recv()].concat();
        expect::bytes_eq(
            "the replies when the client stops sending in the middle of a line",
            &replies,
            b"echo: done\nerror: line 2 ended without a newline after 10 bytes\n",
            "at end of stream (read returns 0) ask the decoder's finish() whether a \
             line was left unfinished, answer its error, then close",
        );
    });
}

#[test]
fn a_client_that_reads_late_still_gets_every_reply_and_the_error() {
    // 2000 lines, then a line over the limit, then more bytes the server will
    // never decode. The client reads nothing until handle_client has returned:
    // by then most of the 128 KiB of replies can only be waiting in the server's
    // kernel, because the client's receive buffer is small.
    let lines: Vec<u8> = (0..2000)
        .flat_map(|i| format!("line {i:04} {}\n", "z".repeat(49)).into_bytes())
        .collect();
    let mut request = lines.clone();
    request.extend_from_slice(&[b'x'; 2 * MAX]);
    request.extend_from_slice(&[b'y'; 8 * 1024]);
    let got = testkit::within_hint(
        DEFAULT,
        "handle_client with a client that reads its replies late",
        "after an error, handle_client should return once the client has stopped \
         sending (its read returns 0), or after a short, bounded wait",
        move || {
            let listener = net::listener();
            let mut client = net::connect_with_small_receive_buffer(listener.local_addr().unwrap());
            let (stream, _) = listener.accept().unwrap();
            // Room for every reply in the server's kernel, so that handle_client
            // never waits for this client to read.
            socket2::SockRef::from(&stream)
                .set_send_buffer_size(1 << 20)
                .unwrap();
            let (done_tx, done_rx) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = handle_client(stream, MAX);
                let _ = done_tx.send(());
            });
            // A server that has already closed makes these fail: what matters
            // is what the client can read afterwards.
            let _ = client.write_all(&request);
            let _ = client.shutdown(Shutdown::Write);
            if done_rx.recv().is_err() {
                panic!("handle_client panicked (its message is above)");
            }
            // Now read, the way a slow client would, keeping what arrives until
            // the end of the stream or a reset.
            let mut got = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                match client.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                        got.extend_from_slice(b"<connection reset>");
                        break;
                    }
                    Err(e) => panic!("reading the replies failed: {}", net::explain(&e)),
                }
            }
            got
        },
    );
    let mut want: Vec<u8> = lines
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| [b"echo: ", line].concat())
        .collect();
    want.extend_from_slice(b"error: line 2001 is longer than 64 bytes\n");
    expect::that(
        got == want,
        "the client that reads only after handle_client has returned receives all \
         2000 echoes, then the error line, then the end of the stream",
        format_args!(
            "{} bytes, ending in {}",
            got.len(),
            escaped(&got[got.len().saturating_sub(60)..])
        ),
        "closing a socket that still holds unread input sends a reset (RST), and the \
         kernel throws away every byte it has not sent yet: here, the last echoes and \
         the error line. Shut down the sending side, read and discard what the client \
         still sends (for a bounded time and amount), and only then close \
         (lesson 02.2, 'Closing after an error, so the reply arrives')",
    );
}

#[test]
fn survives_clients_that_vanish_mid_line() {
    let listener = net::listener();
    let addr = listener.local_addr().unwrap();
    within(
        DEFAULT,
        "handle_client with clients that vanish",
        move || {
            // First client: closes normally (FIN) in the middle of a line.
            let mut client = net::connect(addr);
            client.write_all(b"half a li").unwrap();
            drop(client);
            let (stream, _) = listener.accept().unwrap();
            // Ok or Err are both fine: what matters is that it returns, without panicking.
            let _ = handle_client(stream, MAX);

            // Second client: resets the connection (RST) in the middle of a line.
            let client = net::connect(addr);
            (&client).write_all(b"half a li").unwrap();
            socket2::SockRef::from(&client)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(client);
            let (stream, _) = listener.accept().unwrap();
            let _ = handle_client(stream, MAX);
        },
    );
}

#[test]
fn serves_clients_at_the_same_time() {
    let addr = start_server();
    within(DEFAULT, "five clients connected at once", move || {
        // All five connect and send before any reads: a server that serves one
        // connection at a time answers only the first until it disconnects.
        let mut clients: Vec<LineClient> = (0..5).map(|_| LineClient::connect(addr)).collect();
        for (i, client) in clients.iter_mut().enumerate() {
            client.send_line(&format!("client {i}"));
        }
        for (i, client) in clients.iter_mut().enumerate().rev() {
            expect::eq(
                &format!("the reply to client {i}, while the others stay connected"),
                client.recv_line().as_str(),
                format!("echo: client {i}").as_str(),
                "serve each connection on its own thread (std::thread::spawn in the \
                 accept loop), so one open connection does not block the others",
            );
        }
    });
}

/// One step of a scripted session in [`session_transcript`].
enum Step {
    Send(&'static [u8]),
    /// Receive one reply.
    Reply,
    /// Half-close: the client stops sending.
    Stop,
    /// Expect the server to close the connection.
    Closed,
}

#[test]
fn session_transcript() {
    use Step::*;
    let addr = start_server();
    let transcript = within(DEFAULT, "four short sessions", move || {
        let sessions: [(&str, &[Step]); 4] = [
            (
                "alice",
                &[
                    Send(b"hello\n"),
                    Reply,
                    Send(b"crlf too\r\n"),
                    Reply,
                    Send(b"\n"),
                    Reply,
                    Send("你好\n".as_bytes()),
                    Reply,
                    Stop,
                    Closed,
                ],
            ),
            (
                "bob",
                &[Send(b"ok\n"), Reply, Send(b"caf\xe9\n"), Reply, Closed],
            ),
            ("carol", &[Send(&[b'z'; 70]), Reply, Closed]),
            (
                "dave",
                &[Send(b"see you\n"), Reply, Send(b"bye"), Stop, Reply, Closed],
            ),
        ];
        let mut t = Transcript::new();
        for (who, steps) in sessions {
            let mut client = RawClient::connect(addr);
            for step in steps {
                match step {
                    Send(bytes) => {
                        client.send(bytes);
                        t.sent(who, bytes);
                    }
                    Reply => t.received(who, client.recv()),
                    Stop => {
                        client.writer.shutdown(Shutdown::Write).unwrap();
                        t.note(&format!("{who} stops sending"));
                    }
                    Closed => match client.recv() {
                        rest if rest.is_empty() => t.note("server closes the connection"),
                        rest => t.received(who, rest),
                    },
                }
            }
        }
        t.render()
    });
    insta::assert_snapshot!(transcript);
}
