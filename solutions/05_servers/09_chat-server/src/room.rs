//! The room: every connection, who has joined under which name, and the rules
//! of the protocol. No waiting happens here: the room reads only from sockets
//! that `poll` said are readable, and it "sends" by queueing into outboxes.

use std::collections::{BTreeMap, HashMap};
use std::net::TcpStream;
use std::time::Instant;

use crate::client::{Client, Received};
use crate::lines::LineError;
use crate::protocol::{self, Request};

/// Identifies a connection for as long as it lives (file descriptors are
/// reused, so they cannot do this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token(u64);

#[derive(Debug, Default)]
pub struct Room {
    /// Every connection, ordered by arrival so broadcasts visit them in a
    /// stable order: choosing a name, joined, or closing.
    clients: BTreeMap<Token, Client>,
    /// The names in use, for the uniqueness check.
    names: HashMap<String, Token>,
    next_token: u64,
}

impl Room {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes a newly accepted (non-blocking) connection.
    pub fn add(&mut self, stream: TcpStream) {
        let token = Token(self.next_token);
        self.next_token += 1;
        self.clients.insert(token, Client::new(stream));
    }

    /// Every connection, for building the poll list.
    pub fn clients(&self) -> impl Iterator<Item = (Token, &Client)> {
        self.clients.iter().map(|(&token, client)| (token, client))
    }

    // ANCHOR: readable
    /// `poll` says `token`'s socket is readable (or hung up, or failed).
    pub fn on_readable(&mut self, token: Token) {
        // The client may have been dropped earlier in this same turn.
        let Some(client) = self.clients.get_mut(&token) else {
            return;
        };
        if client.is_closing() {
            client.discard_input();
            self.finish_closing(token);
            return;
        }
        match client.receive() {
            Received::Lines(lines) => self.on_lines(token, lines),
            Received::Error(lines, error) => {
                self.on_lines(token, lines);
                if self.takes_lines(token) {
                    let reply = match error {
                        LineError::TooLong => protocol::line_too_long(),
                        LineError::InvalidUtf8 => protocol::INVALID_UTF8.to_string(),
                    };
                    self.close(token, Some(&reply), false);
                }
            }
            // The client stopped sending: it has left. What it has not read
            // yet is still written before the connection closes.
            Received::Eof => self.close(token, None, true),
            // Reset: nobody is there to read anything any more.
            Received::Failed => self.depart(token, protocol::left),
        }
    }
    // ANCHOR_END: readable

    /// `poll` says `token`'s socket can take more bytes.
    pub fn on_writable(&mut self, token: Token) {
        let Some(client) = self.clients.get_mut(&token) else {
            return;
        };
        if client.is_closing() {
            self.finish_closing(token);
        } else if client.flush().is_err() {
            // Broken pipe or reset: the client vanished while we wrote.
            self.depart(token, protocol::left);
        }
    }

    /// Sends one `[admin] …` line per line of `text` to everyone who joined.
    pub fn announce(&mut self, text: &str) {
        for line in text.lines() {
            self.broadcast(&protocol::admin(line), None);
        }
    }

    /// The earliest moment a closing connection must be dropped, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.clients.values().filter_map(Client::deadline).min()
    }

    /// Drops the closing connections whose time is up.
    pub fn expire(&mut self, now: Instant) {
        self.clients
            .retain(|_, client| client.deadline().is_none_or(|deadline| deadline > now));
    }

    // ANCHOR: on_line
    fn on_lines(&mut self, token: Token, lines: Vec<String>) {
        for line in lines {
            // After /quit or a drop, the rest of what the client sent is ignored.
            if !self.takes_lines(token) {
                return;
            }
            self.on_line(token, &line);
        }
    }

    /// Acts on one complete line from `token`.
    fn on_line(&mut self, token: Token, line: &str) {
        let Some(name) = self.clients.get(&token).and_then(|c| c.name.clone()) else {
            self.choose_name(token, line);
            return;
        };
        match protocol::parse(line) {
            Request::Blank => {}
            Request::ControlChars => self.reply(token, protocol::CONTROL_CHARS),
            Request::Quit => self.close(token, Some(protocol::BYE), false),
            Request::Unknown(command) => self.reply(token, &protocol::unknown_command(command)),
            Request::Say(text) => self.broadcast(&protocol::said(&name, text), Some(token)),
        }
    }

    /// The line of a client that has not joined: a name, or `/quit`.
    fn choose_name(&mut self, token: Token, line: &str) {
        if protocol::parse(line) == Request::Quit {
            self.close(token, Some(protocol::BYE), false);
        } else if let Err(why) = protocol::check_name(line) {
            self.reply(token, &protocol::invalid_name(why));
        } else if self.names.contains_key(line) {
            self.reply(token, protocol::NAME_TAKEN);
        } else {
            self.join(token, line);
        }
    }

    fn join(&mut self, token: Token, name: &str) {
        // Tell the others first: the newcomer has no name yet, so the
        // broadcast skips it, and its first line is its welcome.
        self.broadcast(&protocol::joined(name), None);
        if let Some(client) = self.clients.get_mut(&token) {
            client.name = Some(name.to_owned());
            self.names.insert(name.to_owned(), token);
            self.reply(token, &protocol::welcome(name));
        }
    }
    // ANCHOR_END: on_line

    /// True while `token` is connected and neither closing nor dropped.
    fn takes_lines(&self, token: Token) -> bool {
        self.clients.get(&token).is_some_and(|c| !c.is_closing())
    }

    // ANCHOR: broadcast
    /// Queues `line` for everyone who joined, except `except`. Never writes and
    /// never waits: a client whose outbox is full is dropped instead, so one
    /// client that does not read can never hold up the room.
    fn broadcast(&mut self, line: &str, except: Option<Token>) {
        let mut too_slow = Vec::new();
        for (&token, client) in &mut self.clients {
            if Some(token) == except || client.name.is_none() {
                continue;
            }
            if client.outbox.push_line(line).is_err() {
                too_slow.push(token);
            }
        }
        for token in too_slow {
            // Each drop broadcasts a notice, which may overflow another
            // outbox; the recursion ends because every step removes a client.
            self.depart(token, protocol::dropped);
        }
    }

    /// Queues a reply for `token` alone. A client too slow to take its own
    /// replies is dropped like any other.
    fn reply(&mut self, token: Token, line: &str) {
        if let Some(client) = self.clients.get_mut(&token) {
            if client.outbox.push_line(line).is_err() {
                self.depart(token, protocol::dropped);
            }
        }
    }
    // ANCHOR_END: broadcast

    // ANCHOR: leaving
    /// Removes `token` at once (whatever its outbox holds is lost: it was too
    /// slow, or its connection is broken) and tells the others `notice(NAME)`.
    fn depart(&mut self, token: Token, notice: fn(&str) -> String) {
        let Some(client) = self.clients.remove(&token) else {
            return;
        };
        if let Some(name) = client.name() {
            self.names.remove(name);
            self.broadcast(&notice(name), None);
        }
        // `client` is dropped here, which closes the socket.
    }

    /// Takes `token` out of the room (its name is free again, the others hear
    /// `* NAME left`) and starts a graceful close of its connection, after
    /// `last_line` if there is one.
    fn close(&mut self, token: Token, last_line: Option<&str>, peer_done: bool) {
        let Some(client) = self.clients.get_mut(&token) else {
            return;
        };
        let name = client.name.take();
        client.start_closing(last_line, Instant::now(), peer_done);
        if let Some(name) = name {
            self.names.remove(&name);
            self.broadcast(&protocol::left(&name), None);
        }
        self.finish_closing(token);
    }

    /// Moves a closing connection on, and drops it once it is done.
    fn finish_closing(&mut self, token: Token) {
        if let Some(client) = self.clients.get_mut(&token) {
            if client.finish_closing() {
                self.clients.remove(&token);
            }
        }
    }
    // ANCHOR_END: leaving
}
