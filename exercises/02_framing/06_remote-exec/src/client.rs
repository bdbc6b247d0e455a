//! The client's side of the protocol: send a request, read the three reply frames.

use std::io::{self, ErrorKind};
use std::net::TcpStream;

use crate::{frame, Reply, Request, Response};

/// Largest reply header a client accepts; headers are a few dozen bytes.
const MAX_HEADER: usize = 64 * 1024;

/// Sends `request` and reads the reply: a JSON header, then stdout and stderr.
///
/// `max_output` bounds each output frame the client is willing to receive.
/// Fails with `UnexpectedEof` if the server closes before a whole reply, and with
/// `InvalidData` if a frame is over its limit or the header is not a [`Reply`].
pub fn call(stream: &mut TcpStream, request: &Request, max_output: usize) -> io::Result<Response> {
    let json = serde_json::to_vec(request).map_err(io::Error::other)?;
    frame::write_frame(stream, &json)?;
    let header = read_required(stream, MAX_HEADER)?;
    let reply: Reply = serde_json::from_slice(&header)
        .map_err(|err| io::Error::new(ErrorKind::InvalidData, err))?;
    let stdout = read_required(stream, max_output)?;
    let stderr = read_required(stream, max_output)?;
    Ok(Response {
        reply,
        stdout,
        stderr,
    })
}

/// A frame that must be there: end-of-file between frames is an error here.
fn read_required(stream: &mut TcpStream, max: usize) -> io::Result<Vec<u8>> {
    frame::read_frame(stream, max)?.ok_or_else(|| ErrorKind::UnexpectedEof.into())
}
