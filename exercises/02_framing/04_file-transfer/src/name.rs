//! File names from the network: a name is not a path.

use std::fmt;
use std::path::Path;

use crate::MAX_NAME_LEN;

// ANCHOR: types
/// A plain file name, checked to be safe to join to a folder: the result of
/// `dir.join(name)` is always a direct child of `dir`.
///
/// The only way to get one is [`FileName::new`], so code that holds a `FileName`
/// cannot forget the check ("parse, don't validate").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileName(String);

/// Why a string is not a plain file name. When a name breaks several rules, the
/// first of these variants that applies is the one reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameError {
    /// The name is empty.
    Empty,
    /// The name is longer than [`MAX_NAME_LEN`] bytes of UTF-8.
    TooLong { len: usize },
    /// The name starts with a dot: `.` (the folder itself), `..` (its parent), a
    /// hidden file such as `.bashrc`, or one of the receiver's own temporary files.
    LeadingDot,
    /// The name contains `/` or `\`, so it is a path, not a name (this also
    /// rules out absolute paths like `/etc/passwd` and `\\server\share`).
    Separator,
    /// The name contains `:` — a drive (`C:x`) or an NTFS stream (`a:b`) on Windows.
    Colon,
    /// The name contains a control character: NUL, a newline, escape, DEL…
    Control,
}
// ANCHOR_END: types

impl FileName {
    /// Accepts `name` if it is a plain file name: not empty, at most
    /// [`MAX_NAME_LEN`] bytes, not starting with `.`, and free of `/`, `\`, `:` and
    /// control characters. Any other Unicode is fine (`отчёт.pdf`, `报告.txt`).
    pub fn new(_name: &str) -> Result<Self, NameError> {
        todo!("FileName::new: check the name rule by rule in the order of NameError's variants, then wrap it (lesson 02.4, 'A name is not a path')")
    }
}

impl FileName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<Path> for FileName {
    fn as_ref(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the name is empty"),
            Self::TooLong { len } => {
                write!(f, "the name is {len} bytes long, over {MAX_NAME_LEN}")
            }
            Self::LeadingDot => write!(f, "the name starts with a dot"),
            Self::Separator => write!(f, "the name contains a path separator"),
            Self::Colon => write!(f, "the name contains a colon"),
            Self::Control => write!(f, "the name contains a control character"),
        }
    }
}

impl std::error::Error for NameError {}
