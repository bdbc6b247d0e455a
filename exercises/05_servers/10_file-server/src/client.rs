//! The client side: one connection, one request at a time.

use std::fmt;
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use crate::protocol::{Entry, ErrorCode, FileInfo};
use crate::{NameError, StoreError};

/// The longest reply header the client accepts. A listing travels in its header,
/// so this is far above the server's request limit: 16 MiB is ~300,000 files.
pub const MAX_REPLY_LEN: u32 = 16 << 20;

/// How long the client waits for any one read or write.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to a file server.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
}

/// Why a request failed.
#[derive(Debug)]
pub enum ClientError {
    /// The name is not a plain file name; nothing was sent.
    BadName(NameError),
    /// The server refused the request with this code and message. The connection
    /// is still usable unless the code is `bad_request`, `too_large` or `io`.
    Server { code: ErrorCode, message: String },
    /// A download arrived whole, but not with the SHA-256 the server announced;
    /// no file was written.
    Checksum { expected: String, actual: String },
    /// The connection or a local file failed, or the server's reply made no sense
    /// (kind `InvalidData`); the connection should not be used again.
    Io(io::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName(why) => write!(f, "bad_name: {why}"),
            Self::Server { code, message } => write!(f, "{code}: {message}"),
            Self::Checksum { expected, actual } => write!(
                f,
                "checksum: the server announced {expected}, the bytes hash to {actual}"
            ),
            Self::Io(e) => write!(f, "connection: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

impl From<NameError> for ClientError {
    fn from(err: NameError) -> Self {
        Self::BadName(err)
    }
}

impl From<StoreError> for ClientError {
    /// A download is saved through a [`Store`] over the destination folder.
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Checksum { expected, actual } => Self::Checksum { expected, actual },
            StoreError::Truncated { expected, received } => Self::Io(io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("the download ended after {received} of {expected} bytes"),
            )),
            StoreError::Io(e) => Self::Io(e),
            other => Self::Io(io::Error::other(other.to_string())),
        }
    }
}

impl Client {
    /// Connects to a server, with [`CLIENT_TIMEOUT`] on every read and write.
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
        stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Client::from_stream(stream))
    }

    /// A client over a connected stream (tests pass one with short timeouts).
    pub fn from_stream(stream: TcpStream) -> Client {
        Client { stream }
    }

    /// The server's address.
    pub fn server_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// The server's files, as it lists them (sorted by name).
    pub fn list(&mut self) -> Result<Vec<Entry>, ClientError> {
        todo!("write_request(List), then read_reply::<Listing> (lesson 05.10, 'The client')")
    }

    /// Downloads `name` into the existing folder `dest_dir` as `dest_dir/name`, and
    /// returns what the server said about it.
    ///
    /// The bytes go into a temporary file in `dest_dir` and are renamed into place
    /// only if all `size` of them arrived and their SHA-256 is the announced one
    /// (a [`Store`](crate::Store) over `dest_dir` does exactly that), so a failed
    /// download leaves nothing behind and an older file of that name untouched.
    ///
    /// Errors: [`ClientError::BadName`] before sending anything;
    /// [`ClientError::Server`] (`not_found`, `forbidden`…); [`ClientError::Checksum`];
    /// [`ClientError::Io`] if the connection fails or ends inside the body.
    pub fn get(&mut self, _name: &str, _dest_dir: &Path) -> Result<FileInfo, ClientError> {
        todo!(
            "check the name, write_request(Get), read the FileInfo reply, then \
             Store::new(dest_dir).put(...) from the stream (lesson 05.10, 'The client')"
        )
    }

    /// Uploads the file at `path` under its own name (`path`'s last component) and
    /// returns what the server stored.
    ///
    /// The file is read twice, streaming: once for its size and SHA-256 (they go in
    /// the header, before the body), then to send it. If sending fails because the
    /// server refused early and closed (`too_large`), the server's reply is read and
    /// returned as [`ClientError::Server`].
    ///
    /// Errors: [`ClientError::BadName`] (nothing sent); [`ClientError::Server`];
    /// [`ClientError::Io`] if the file cannot be read (or shrinks while it is
    /// sent) or the connection fails.
    pub fn put(&mut self, _path: &Path) -> Result<FileInfo, ClientError> {
        todo!(
            "name from path.file_name(), hash_to_end, rewind, write_request(Put) + \
             copy_exact; on a failed send read the server's refusal \
             (lesson 05.10, 'The client')"
        )
    }

    /// Deletes `name` on the server.
    ///
    /// Errors: [`ClientError::BadName`] (nothing sent); [`ClientError::Server`]
    /// (`not_found`, `forbidden`…); [`ClientError::Io`].
    pub fn delete(&mut self, _name: &str) -> Result<(), ClientError> {
        todo!(
            "check the name, write_request(Delete), read_reply::<Deleted> \
             (lesson 05.10, 'The client')"
        )
    }
}
