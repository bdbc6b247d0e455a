//! What can go wrong when talking UDP.

use std::error::Error;
use std::fmt;
use std::io;

/// Why [`request`](crate::request) or [`recv_whole`](crate::recv_whole) failed.
#[derive(Debug)]
pub enum UdpError {
    /// No reply came: `attempts` datagrams were sent and, after the last one,
    /// the client waited its full timeout in silence. The request, the reply,
    /// or both may have been lost; nobody may be listening; the server may be
    /// slow. UDP cannot tell these apart.
    TimedOut { attempts: u32 },
    /// The last of `attempts` tries was refused: the server's host answered
    /// with an ICMP "port unreachable" message, which a *connected* UDP socket
    /// reports as `ECONNREFUSED` (Windows: `WSAECONNRESET`). Nobody is
    /// listening on that port. Hosts and firewalls often send no such message
    /// at all, so an absent server may just as well show up as
    /// [`UdpError::TimedOut`].
    Refused { attempts: u32 },
    /// The payload of `len` bytes does not fit in one datagram of at most
    /// `max` bytes. Nothing was sent.
    TooLarge { len: usize, max: usize },
    /// A datagram longer than `max_len` bytes arrived. The OS kept only the
    /// first bytes and dropped the rest: a datagram is read whole or cut, never
    /// continued by the next read.
    Truncated { max_len: usize },
    /// Any other I/O error from the OS.
    Io(io::Error),
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdpError::TimedOut { attempts } => {
                write!(f, "no reply after {attempts} attempt(s)")
            }
            UdpError::Refused { attempts } => write!(
                f,
                "nobody is listening there (port unreachable) after {attempts} attempt(s)"
            ),
            UdpError::TooLarge { len, max } => write!(
                f,
                "a payload of {len} bytes does not fit in one datagram (at most {max})"
            ),
            UdpError::Truncated { max_len } => write!(
                f,
                "a datagram longer than {max_len} bytes arrived and was truncated"
            ),
            UdpError::Io(err) => write!(f, "I/O error: {err}"),
        }
    }
}

impl Error for UdpError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            UdpError::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for UdpError {
    fn from(err: io::Error) -> Self {
        UdpError::Io(err)
    }
}
