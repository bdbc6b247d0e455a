//! Addresses and ports: what an IP address reaches, `host:port` strings, and
//! resolving `localhost`.
//!
//! * [`classify`] tells where an address is meaningful ([`Scope`]).
//! * [`parse_endpoint`] and [`validate_port`] read what users type.
//! * [`resolve_localhost`] asks the system resolver, keeping loopback answers only.

mod endpoint;
mod error;
mod resolve;
mod scope;

pub use endpoint::{parse_endpoint, validate_port, Endpoint};
pub use error::AddrError;
pub use resolve::{loopback_only, resolve_localhost};
pub use scope::{classify, Scope};
