//! The client side: one connection, one request at a time.

use std::fmt;
use std::fs::File;
use std::io::{self, ErrorKind, Seek};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::body::{copy_exact, hash_to_end};
use crate::protocol::{self, Deleted, Entry, ErrorCode, FileInfo, Listing, Request};
use crate::{FileName, NameError, Store, StoreError};

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
        protocol::write_request(&mut self.stream, &Request::List)?;
        let listing: Listing = self.reply()?;
        Ok(listing.files)
    }

    // ANCHOR: get
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
    pub fn get(&mut self, name: &str, dest_dir: &Path) -> Result<FileInfo, ClientError> {
        let name = FileName::new(name)?;
        let request = Request::Get {
            name: name.to_string(),
        };
        protocol::write_request(&mut self.stream, &request)?;
        let info: FileInfo = self.reply()?;
        if !protocol::is_sha256_hex(&info.sha256) {
            return Err(invalid_reply(format!("bad sha256 {:?}", info.sha256)).into());
        }
        // Saved under the name WE asked for: a server cannot make us write elsewhere.
        Store::new(dest_dir).put(&name, info.size, &info.sha256, &mut self.stream)?;
        Ok(info)
    }
    // ANCHOR_END: get

    // ANCHOR: put
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
    pub fn put(&mut self, path: &Path) -> Result<FileInfo, ClientError> {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            io::Error::new(
                ErrorKind::InvalidInput,
                format!("{} has no UTF-8 file name", path.display()),
            )
        })?;
        let name = FileName::new(name)?;
        let mut file = File::open(path)?;
        let (size, sha256) = hash_to_end(&mut file)?;
        file.rewind()?;

        let request = Request::Put {
            name: name.to_string(),
            size,
            sha256,
        };
        if let Err(sending) = self.send_put(&request, &mut file, size) {
            return Err(self.refusal_or(sending));
        }
        self.reply()
    }
    // ANCHOR_END: put

    /// Deletes `name` on the server.
    ///
    /// Errors: [`ClientError::BadName`] (nothing sent); [`ClientError::Server`]
    /// (`not_found`, `forbidden`…); [`ClientError::Io`].
    pub fn delete(&mut self, name: &str) -> Result<(), ClientError> {
        let name = FileName::new(name)?;
        let request = Request::Delete {
            name: name.to_string(),
        };
        protocol::write_request(&mut self.stream, &request)?;
        let _: Deleted = self.reply()?;
        Ok(())
    }

    /// Sends a PUT header and exactly `size` bytes of `file`.
    fn send_put(&mut self, request: &Request, file: &mut File, size: u64) -> io::Result<()> {
        protocol::write_request(&mut self.stream, request)?;
        let sent = copy_exact(file, &mut self.stream, size)?;
        if sent < size {
            // The server still waits for the rest; this connection is broken.
            let _ = self.stream.shutdown(std::net::Shutdown::Both);
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("the file shrank to {sent} of {size} bytes while it was sent"),
            ));
        }
        Ok(())
    }

    /// After a failed send: the server's reason if it refused and closed, else the
    /// send error itself.
    fn refusal_or(&mut self, sending: io::Error) -> ClientError {
        let refused = matches!(
            sending.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
        );
        if refused {
            if let Ok(Err(failure)) =
                protocol::read_reply::<_, FileInfo>(&mut self.stream, MAX_REPLY_LEN)
            {
                return ClientError::Server {
                    code: failure.code,
                    message: failure.error,
                };
            }
        }
        ClientError::Io(sending)
    }

    /// Reads one reply: its body on success, [`ClientError::Server`] on refusal.
    fn reply<T: DeserializeOwned>(&mut self) -> Result<T, ClientError> {
        match protocol::read_reply(&mut self.stream, MAX_REPLY_LEN)? {
            Ok(body) => Ok(body),
            Err(failure) => Err(ClientError::Server {
                code: failure.code,
                message: failure.error,
            }),
        }
    }
}

fn invalid_reply(why: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, format!("not a valid reply: {why}"))
}
