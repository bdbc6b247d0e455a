//! The server: one thread per client, requests answered in order.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use crate::{AllowList, Limits};

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
pub fn handle_client(_stream: TcpStream, _allow: &AllowList, _limits: &Limits) -> io::Result<()> {
    todo!("handle_client: read request frames until the client closes, answer each with a header, stdout and stderr in one write (lesson 02.6, 'The connection loop: every failure has an outcome')")
}

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
