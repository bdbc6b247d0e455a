//! What a client socket can be configured with.

use std::time::Duration;

/// Options for [`configured_client`](crate::configured_client). The default
/// leaves every option as the OS sets it for a new socket: Nagle on,
/// keepalive off, no linger, no timeouts, buffer sizes chosen (and on Linux
/// grown as needed) by the kernel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// `TCP_NODELAY`: when true, Nagle's algorithm is off and small writes go
    /// out at once instead of waiting for the previous segment's ACK.
    pub nodelay: bool,
    /// `SO_KEEPALIVE` with its timings: probe an idle connection to find out
    /// whether the peer is still there. `None` leaves keepalive off.
    pub keepalive: Option<Keepalive>,
    /// `SO_LINGER`. `None`: `close` returns at once and the kernel sends what
    /// is left, then FIN, in the background (the default). `Some(t)`: `close`
    /// waits up to `t` for unsent data to be delivered. `Some(Duration::ZERO)`:
    /// `close` throws unsent data away and sends RST: an abortive close, and
    /// no TIME_WAIT. Counted in whole seconds.
    pub linger: Option<Duration>,
    /// `SO_RCVTIMEO`: a read that waits longer than this fails with
    /// `WouldBlock` (Unix) or `TimedOut` (Windows). `None` waits for ever.
    pub read_timeout: Option<Duration>,
    /// `SO_SNDTIMEO`: the same for a write blocked on a full send buffer.
    pub write_timeout: Option<Duration>,
    /// `SO_SNDBUF` in bytes. The OS may round it (Linux doubles it, for its
    /// own bookkeeping) or cap it (`net.core.wmem_max`). Setting it turns off
    /// Linux's automatic sizing for this socket.
    pub send_buffer_size: Option<usize>,
    /// `SO_RCVBUF` in bytes, with the same caveats (`net.core.rmem_max`). It
    /// must be set before connecting: the window scale it implies is
    /// announced in the SYN and cannot change afterwards.
    pub recv_buffer_size: Option<usize>,
}

/// TCP keepalive timings. Both are counted in whole seconds by the OS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keepalive {
    /// How long the connection must be idle before the first probe
    /// (`TCP_KEEPIDLE` on Linux, `TCP_KEEPALIVE` on macOS). Linux's default
    /// is 7200 s: two hours.
    pub idle: Duration,
    /// Time between unanswered probes (`TCP_KEEPINTVL`). Linux's default is
    /// 75 s, and it gives up after 9 unanswered probes (`TCP_KEEPCNT`).
    pub interval: Duration,
}
