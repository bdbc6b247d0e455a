//! The server: one thread per client, requests answered in order.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::{exec, frame, AllowList, Limits, Reply, Request, Response};

/// Serves one client: reads request frames and answers each, until the client
/// closes its side.
///
/// For every request frame, exactly one reply (three frames, see the crate docs):
/// * not a JSON [`Request`](crate::Request) (invalid JSON or UTF-8, a wrong or
///   unknown field): [`Reply::BadRequest`](crate::Reply::BadRequest), and the
///   connection carries on;
/// * refused by [`AllowList::check`]: [`Reply::Refused`](crate::Reply::Refused);
/// * [`exec::run`](crate::exec::run) fails to start it:
///   [`Reply::Failed`](crate::Reply::Failed);
/// * otherwise the execution's reply ([`Execution::into_response`](crate::exec::Execution::into_response)).
///
/// A reply is written with a single `write` where possible (build it in a buffer):
/// three small writes in a row can be held back by Nagle's algorithm.
///
/// Returns:
/// * `Ok(())` when the client closes the connection between requests;
/// * an error of kind `InvalidData` for a request frame over `limits.max_request`,
///   after answering it with `BadRequest` (the oversized payload is never read,
///   so the connection cannot go on);
/// * an error when a request is cut off by end-of-file (`UnexpectedEof`), a
///   whole request has not arrived `limits.idle_timeout` after the server began
///   waiting for it (a timeout: silence and a byte-by-byte trickle alike), or a
///   read or write fails (the client vanished).
// ANCHOR: handle_client
pub fn handle_client(mut stream: TcpStream, allow: &AllowList, limits: &Limits) -> io::Result<()> {
    // A client that never reads its reply must not hold this thread forever.
    stream.set_write_timeout(Some(limits.idle_timeout))?;
    loop {
        // Nor may one that says nothing, or sends a byte now and then: the whole
        // request must arrive within idle_timeout, not each byte of it.
        let mut reader = DeadlineReader::new(&stream, limits.idle_timeout);
        let request = match frame::read_frame(&mut reader, limits.max_request) {
            Ok(Some(request)) => request,
            // End-of-file between requests: the client is done.
            Ok(None) => return Ok(()),
            Err(err) if err.kind() == ErrorKind::InvalidData => {
                // Too long. We will not read (or store) the payload, so we cannot
                // find where the next frame starts: say why, then hang up.
                let reason = err.to_string();
                send(
                    &mut stream,
                    &Response::without_output(Reply::BadRequest { reason }),
                )?;
                return Err(err);
            }
            Err(err) => return Err(err),
        };
        send(&mut stream, &answer(&request, allow, limits))?;
    }
}
// ANCHOR_END: handle_client

// ANCHOR: deadline_reader
/// Reads from a socket until an absolute deadline, as in `auth-handshake`.
///
/// A socket's read timeout restarts with every `read`, so a client sending one
/// byte just inside it would never time out (slowloris). Before each read the
/// timeout is set to the time *left*, which bounds the whole request.
struct DeadlineReader<'a> {
    stream: &'a TcpStream,
    /// `None` when `idle_timeout` is too large to add to the clock: no deadline.
    deadline: Option<Instant>,
}

impl<'a> DeadlineReader<'a> {
    fn new(stream: &'a TcpStream, timeout: Duration) -> Self {
        let deadline = Instant::now().checked_add(timeout);
        Self { stream, deadline }
    }
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        // `set_read_timeout(Some(ZERO))` is an error, not "expire at once".
        if left.is_some_and(|left| left.is_zero()) {
            return Err(ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(left)?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}
// ANCHOR_END: deadline_reader

// ANCHOR: answer
/// The response to one request frame. Every failure is a reply, not an error:
/// the connection stays usable.
fn answer(payload: &[u8], allow: &AllowList, limits: &Limits) -> Response {
    let request: Request = match serde_json::from_slice(payload) {
        Ok(request) => request,
        Err(err) => {
            let reason = format!("not a valid request: {err}");
            return Response::without_output(Reply::BadRequest { reason });
        }
    };
    let rule = match allow.check(&request, limits) {
        Ok(rule) => rule,
        Err(reason) => return Response::without_output(Reply::Refused { reason }),
    };
    match exec::run(rule.path(), &request.args, limits) {
        Ok(execution) => execution.into_response(),
        // Name the program as the client knows it; the path is the server's business.
        Err(err) => Response::without_output(Reply::Failed {
            reason: format!("could not start {:?}: {err}", request.program),
        }),
    }
}
// ANCHOR_END: answer

// ANCHOR: send
/// Writes a reply's three frames with one `write`.
fn send(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    let header = serde_json::to_vec(&response.reply).map_err(io::Error::other)?;
    let mut bytes =
        Vec::with_capacity(12 + header.len() + response.stdout.len() + response.stderr.len());
    // Framing into a Vec cannot fail; the socket sees one write, so Nagle's
    // algorithm never holds the second frame back waiting for an ACK.
    frame::write_frame(&mut bytes, &header)?;
    frame::write_frame(&mut bytes, &response.stdout)?;
    frame::write_frame(&mut bytes, &response.stderr)?;
    stream.write_all(&bytes)
}
// ANCHOR_END: send

/// Accepts clients forever, each on its own thread running [`handle_client`].
///
/// A client whose connection fails is logged and forgotten; it never stops the
/// server. (No limit on the number of clients: part 09 adds one.)
pub fn serve(listener: TcpListener, allow: AllowList, limits: Limits) {
    let allow = Arc::new(allow);
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            // E.g. out of file descriptors: this client is lost, the next may fare better.
            Err(err) => {
                eprintln!("remote-exec: accept failed: {err}");
                continue;
            }
        };
        let allow = Arc::clone(&allow);
        thread::spawn(move || serve_one(stream, &allow, &limits));
    }
}

fn serve_one(stream: TcpStream, allow: &AllowList, limits: &Limits) {
    let peer = stream
        .peer_addr()
        .map(|addr| addr.to_string())
        .unwrap_or_default();
    if let Err(err) = handle_client(stream, allow, limits) {
        eprintln!("remote-exec: {peer}: {err}");
    }
}
