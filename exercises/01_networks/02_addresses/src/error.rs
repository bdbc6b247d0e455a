//! Why a string is not a `host:port` endpoint.

use std::fmt;

/// Every way [`parse_endpoint`](crate::parse_endpoint) and
/// [`validate_port`](crate::validate_port) refuse their input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrError {
    /// Nothing before the `:` (or between the brackets), or no input at all.
    EmptyHost,
    /// No port: no `:`, or nothing after it.
    MissingPort,
    /// The port is not made of ASCII digits only (`http`, `+80`, ` 80`, `8o`).
    InvalidPort(String),
    /// The port is all digits but above 65535.
    PortOutOfRange(String),
    /// The port is 0. To a `bind` call 0 means "any free port"; it is not a port
    /// anything can be reached on, so an endpoint may not name it.
    PortZero,
    /// More than one `:` outside brackets: an IPv6 address needs brackets, because
    /// in `::1:80` nobody can tell where the address ends and the port begins.
    UnbracketedIpv6,
    /// A `[` with no `]` after it.
    UnclosedBracket,
    /// Something other than `:port` after the `]`, e.g. the `80` in `[::1]80`.
    JunkAfterBracket(String),
    /// The host is neither an IP address nor a valid host name (the text is the
    /// host as found).
    InvalidHost(String),
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::EmptyHost => f.write_str("the host is empty"),
            AddrError::MissingPort => f.write_str("no port: expected host:port"),
            AddrError::InvalidPort(port) => write!(f, "port {port:?} is not a number"),
            AddrError::PortOutOfRange(port) => {
                write!(f, "port {port} is out of range (1-65535)")
            }
            AddrError::PortZero => {
                f.write_str("port 0 means \"any free port\" and cannot be connected to")
            }
            AddrError::UnbracketedIpv6 => {
                f.write_str("an IPv6 address needs brackets: [::1]:8080, not ::1:8080")
            }
            AddrError::UnclosedBracket => f.write_str("'[' without a matching ']'"),
            AddrError::JunkAfterBracket(rest) => {
                write!(f, "expected :port after ']', found {rest:?}")
            }
            AddrError::InvalidHost(host) => {
                write!(f, "{host:?} is neither an IP address nor a host name")
            }
        }
    }
}

impl std::error::Error for AddrError {}
