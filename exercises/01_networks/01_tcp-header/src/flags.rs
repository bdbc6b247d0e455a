//! The eight control bits of a TCP header (byte 13).

use std::fmt;
use std::ops::BitOr;

/// The control bits ("flags") of a TCP header, as one byte.
///
/// Byte 13 of the header, most significant bit first, holds
/// `CWR ECE URG ACK PSH RST SYN FIN` (RFC 9293 §3.1; CWR and ECE come from
/// RFC 3168). Combine flags with `|`: `Flags::SYN | Flags::ACK`.
///
/// `Display` and `Debug` both print the names of the bits that are set, joined by
/// `|`, lowest bit first — `FIN SYN RST PSH ACK URG ECE CWR` — so a handshake
/// reply reads `SYN|ACK` and a close reads `FIN|ACK`. No bit set prints `none`
/// (as tcpdump does).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u8);

impl Flags {
    /// No more data from the sender: the first half of a close.
    pub const FIN: Flags = Flags(0x01);
    /// Synchronize sequence numbers: the opening of a connection.
    pub const SYN: Flags = Flags(0x02);
    /// Reset: abort the connection (or refuse it).
    pub const RST: Flags = Flags(0x04);
    /// Push: deliver what is buffered to the application now.
    pub const PSH: Flags = Flags(0x08);
    /// The acknowledgment number field is valid.
    pub const ACK: Flags = Flags(0x10);
    /// The urgent pointer field is valid.
    pub const URG: Flags = Flags(0x20);
    /// ECN-Echo: the network marked congestion (RFC 3168).
    pub const ECE: Flags = Flags(0x40);
    /// Congestion Window Reduced: the sender reacted to an ECE (RFC 3168).
    pub const CWR: Flags = Flags(0x80);

    /// Every flag with its name, lowest bit first: the order `Display` uses.
    pub const NAMES: [(Flags, &'static str); 8] = [
        (Flags::FIN, "FIN"),
        (Flags::SYN, "SYN"),
        (Flags::RST, "RST"),
        (Flags::PSH, "PSH"),
        (Flags::ACK, "ACK"),
        (Flags::URG, "URG"),
        (Flags::ECE, "ECE"),
        (Flags::CWR, "CWR"),
    ];

    /// No flag set.
    pub const fn empty() -> Flags {
        Flags(0)
    }

    /// The flags of a raw header byte 13. Every value is valid: all 8 bits are
    /// defined.
    pub const fn from_bits(bits: u8) -> Flags {
        Flags(bits)
    }

    /// The flags as header byte 13.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// True when every flag set in `other` is also set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for Flags {
    type Output = Flags;

    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!(
            "write the Display of Flags: the names of the set flags joined by '|', lowest \
             bit first (FIN SYN RST PSH ACK URG ECE CWR), or \"none\"; Flags::NAMES lists \
             them in that order (lesson 01.1, 'Flags')"
        )
    }
}

/// Debug shows the names too: `{:?}` of a header should read `flags: SYN|ACK`,
/// not `flags: Flags(18)`.
impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
