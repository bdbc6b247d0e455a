//! File names from the network: a name is not a path.
//!
//! Given: the same rule as part 02's `file-transfer`. A name is ONE path component,
//! checked before it gets anywhere near `root.join(..)`; the server never accepts a
//! path and tries to clean it up afterwards.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use crate::MAX_NAME_LEN;

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
    /// The name contains a character that is not seen but changes how the text
    /// around it is shown (see [`is_invisible`]): `a\u{202E}txt.exe`, with a
    /// right-to-left override, is shown as `aexe.txt`.
    Invisible(char),
}

// ANCHOR: validate
impl FileName {
    /// Accepts `name` if it is a plain file name: not empty, at most
    /// [`MAX_NAME_LEN`] bytes, not starting with `.`, and free of `/`, `\`, `:`,
    /// control characters and the invisible characters of [`is_invisible`]. Any
    /// other Unicode is fine (`отчёт.pdf`, `报告.txt`).
    pub fn new(name: &str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        // The limit is in bytes: that is what the file system counts.
        if name.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong { len: name.len() });
        }
        if name.starts_with('.') {
            return Err(NameError::LeadingDot);
        }
        for c in name.chars() {
            match c {
                '/' | '\\' => return Err(NameError::Separator),
                ':' => return Err(NameError::Colon),
                c if c.is_control() => return Err(NameError::Control),
                c if is_invisible(c) => return Err(NameError::Invisible(c)),
                _ => {}
            }
        }
        Ok(Self(name.to_owned()))
    }
}

/// True for the characters that are never seen themselves but change how the
/// text around them is shown, so that one name can pass for another:
///
/// * bidirectional controls: U+061C, U+200E, U+200F, U+202A to U+202E, U+2066
///   to U+2069 (`a\u{202E}txt.exe` is shown as `aexe.txt`);
/// * the line and paragraph separators U+2028 and U+2029 (one name shown as
///   two lines of a listing);
/// * zero-width characters: U+200B to U+200D, U+2060, U+FEFF (`ad\u{200B}min`
///   is shown as `admin`).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}
// ANCHOR_END: validate

/// `text` as it is safe to print on a terminal: control characters and the
/// characters of [`is_invisible`] become escapes (`\n`, `\u{1b}`, `\u{202e}`),
/// everything else stays as it is. For text that did not pass
/// [`FileName::new`], such as the names and messages a server sends.
pub fn printable(text: &str) -> Cow<'_, str> {
    let needs_escape = |c: char| c.is_control() || is_invisible(c);
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
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
            Self::Invisible(c) => write!(
                f,
                "the name contains U+{:04X}, an invisible character that changes how \
                 the text around it is shown",
                u32::from(*c)
            ),
        }
    }
}

impl std::error::Error for NameError {}
