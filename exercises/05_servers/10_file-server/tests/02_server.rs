//! The server over loopback TCP, spoken to by a hand-written client: the protocol,
//! many clients at once, hostile names, cut uploads, bad input and limits.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::fs::symlink;
use std::time::Duration;

use common::{
    bytes, connect_over_a_narrow_link, expect_error, expect_ok, frame, limits, named, put_request,
    sha256_hex, start, together, Root, Wire, OUTSIDE_SECRET,
};
use file_server::Limits;
use serde_json::{json, Value};
use testkit::chaos::{write_chunked, Chunking};
use testkit::transcript::Transcript;
use testkit::{deadline, expect, net, within};

/// A reply header as text with its keys in the lesson's order, and the words of an
/// error message left out (they are yours to choose; the code is not).
fn show(header: &Value) -> String {
    const ORDER: [&str; 7] = ["ok", "code", "error", "name", "size", "sha256", "files"];
    let Some(object) = header.as_object() else {
        return header.to_string();
    };
    let mut keys: Vec<&String> = object.keys().collect();
    keys.sort_by_key(|k| (ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()), *k));
    let fields: Vec<String> = keys
        .into_iter()
        .map(|key| {
            let value = if key == "error" {
                "\"…\"".to_string()
            } else {
                object[key].to_string()
            };
            format!("{}:{value}", Value::from(key.as_str()))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[test]
fn one_connection_carries_a_whole_session() {
    within(deadline::DEFAULT, "a session of eight requests", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        let mut transcript = Transcript::new();
        let hello = b"hello\n";
        let requests: Vec<(String, &[u8])> = vec![
            (r#"{"op":"list"}"#.into(), b""),
            (
                format!(
                    r#"{{"op":"put","name":"hello.txt","size":6,"sha256":"{}"}}"#,
                    sha256_hex(hello)
                ),
                hello,
            ),
            (r#"{"op":"list"}"#.into(), b""),
            (named("get", "hello.txt"), b""),
            (named("delete", "hello.txt"), b""),
            (named("get", "hello.txt"), b""),
            (named("delete", "hello.txt"), b""),
            (r#"{"op":"list"}"#.into(), b""),
        ];
        for (json, body) in requests {
            let mut sent = frame(&json);
            sent.extend_from_slice(body);
            wire.send_raw(&sent);
            transcript.sent("client", format!("{json}{}", show_body(body)));
            let reply = wire.reply(&json);
            let body = reply.body.as_deref().unwrap_or_default();
            transcript.received(
                "client",
                format!("{}{}", show(&reply.header), show_body(body)),
            );
        }
        insta::assert_snapshot!("session", transcript.render());
        server.stop();
        root.expect_exactly(&[], "a session that ends with the file deleted");
    });
}

fn show_body(body: &[u8]) -> String {
    if body.is_empty() {
        String::new()
    } else {
        // The transcript escapes what it shows; bytes that are not UTF-8 are
        // escaped here first, so none is replaced by U+FFFD.
        match std::str::from_utf8(body) {
            Ok(text) => format!(" + body {text}"),
            Err(_) => format!(" + body {}", body.escape_ascii()),
        }
    }
}

#[test]
fn requests_are_read_correctly_under_every_chunking() {
    within(
        deadline::DEFAULT,
        "pipelined requests in awkward chunks",
        || {
            let root = Root::new();
            let server = start(&root.files, limits());
            for (i, chunking) in Chunking::ALL.into_iter().enumerate() {
                let name = format!("chunked-{i}.bin");
                let body = bytes(5_000 + i * 333, i as u64);
                // Four requests back to back, before reading any reply.
                let mut all = put_request(&name, &body);
                all.extend(frame(&named("get", &name)));
                all.extend(frame(&named("delete", &name)));
                all.extend(frame(&named("get", &name)));
                let mut wire = server.wire();
                expect::ok(
                    "sending the requests",
                    write_chunked(&mut wire.stream, &all, chunking),
                    "",
                );
                let what = format!("replies to PUT, GET, DELETE, GET sent in {chunking}");
                let put = wire.reply("a PUT");
                expect_ok(&put, &what);
                let get = wire.reply(&named("get", &name));
                expect_ok(&get, &what);
                expect::that(
                    get.body.as_deref() == Some(&body[..]),
                    &format!("{what}: the GET body is the uploaded file"),
                    get.body.as_ref().map(Vec::len),
                    "read each header with read_frame and the PUT body with copy_exact: \
                 exactly as many bytes as announced, whatever the chunks",
                );
                expect_ok(&wire.reply(&named("delete", &name)), &what);
                expect_error(
                    &wire.reply(&named("get", &name)),
                    "not_found",
                    &what,
                    "the file was deleted by the request before",
                );
            }
            server.stop();
        },
    );
}

#[test]
fn twenty_clients_upload_and_download_at_once() {
    const CLIENTS: usize = 20;
    fn body_of(id: usize) -> Vec<u8> {
        bytes(40_000 + id * 7_919, id as u64 + 100)
    }
    within(Duration::from_secs(20), "20 clients at once", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let addr = server.addr;
        together(CLIENTS, move |id, checkpoint| {
            let mut wire = Wire::connect(addr);
            // Every client is served before any goes on: a server that serves one
            // connection at a time never answers the second LIST.
            wire.send(r#"{"op":"list"}"#);
            match wire.try_header() {
                Ok(Some(header)) => expect::eq(
                    &format!("client {id}: the reply to LIST while 19 others are connected"),
                    &header["ok"],
                    &json!(true),
                    "",
                ),
                other => panic!(
                    "client {id}: no reply to LIST while 19 other clients are connected \
                     (got {other:?})\n  hint: serve each connection on a thread of its \
                     own; a server that serves one connection at a time never reaches \
                     this one while the first client waits"
                ),
            }
            checkpoint();
            let mine = body_of(id);
            let name = format!("client-{id:02}.bin");
            let reply = wire.put(&name, &mine);
            expect_ok(&reply, &format!("client {id}: PUT {name}"));
            expect::eq(
                &format!("client {id}: the sha256 in the reply to PUT {name}"),
                &reply.header["sha256"],
                &json!(sha256_hex(&mine)),
                "reply with the stored file's name, size and sha256",
            );
            checkpoint();
            let other = (id + 1) % CLIENTS;
            let theirs = body_of(other);
            let name = format!("client-{other:02}.bin");
            let reply = wire.get(&name);
            expect_ok(&reply, &format!("client {id}: GET {name}"));
            expect::eq(
                &format!("client {id}: the sha256 in the reply to GET {name}"),
                &reply.header["sha256"],
                &json!(sha256_hex(&theirs)),
                "",
            );
            expect::eq(
                &format!("client {id}: the sha256 of the body of {name}"),
                &sha256_hex(reply.body.as_deref().unwrap_or_default()),
                &sha256_hex(&theirs),
                "each connection needs its own buffers; bodies must never mix",
            );
        });
        let mut wire = server.wire();
        let listing = wire.list();
        let want: Vec<Value> = (0..CLIENTS)
            .map(|id| json!({"name": format!("client-{id:02}.bin"), "size": body_of(id).len()}))
            .collect();
        expect::eq(
            "LIST after 20 uploads",
            &listing.header["files"],
            &Value::Array(want),
            "sorted by name, each with its size",
        );
        drop(wire);
        server.stop();
        let names: Vec<String> = (0..CLIENTS)
            .map(|id| format!("client-{id:02}.bin"))
            .collect();
        root.expect_exactly(
            &names.iter().map(String::as_str).collect::<Vec<_>>(),
            "20 uploads",
        );
    });
}

#[test]
fn names_that_are_paths_are_refused() {
    within(deadline::DEFAULT, "hostile names", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        let outside = root.outside.to_str().unwrap().to_owned();
        let hostile = [
            "..",
            ".",
            "../outside.txt",
            "../escaped.txt",
            outside.as_str(),
            "/etc/passwd",
            "sub/file.txt",
            "a\\b.txt",
            ".hidden",
            "",
            "nul\0byte",
            "C:evil",
        ];
        for name in hostile {
            for (op, reply) in [
                ("GET", wire.get(name)),
                ("DELETE", wire.delete(name)),
                ("PUT", wire.put(name, b"escaped!")),
            ] {
                expect_error(
                    &reply,
                    "bad_name",
                    &format!("{op} {name:?}"),
                    "check every name with FileName::new before it comes near a path: a \
                     name is one component, never a path. For a PUT, skip the body (it is \
                     within the size limit) so the connection can go on",
                );
                expect::that(
                    !reply.header.to_string().contains("never to be served"),
                    &format!("{op} {name:?}: the reply does not leak outside.txt"),
                    &reply.header,
                    "",
                );
            }
            expect_ok(
                &wire.list(),
                &format!("a LIST on the same connection after the requests for {name:?}"),
            );
        }
        server.stop();
        root.expect_exactly(&[], "requests with hostile names");
    });
}

#[test]
fn names_that_would_be_shown_as_other_names_are_refused() {
    within(deadline::DEFAULT, "disguised names", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        let disguised = [
            // Shown as "invoiceexe.pdf": the override reverses what follows it.
            "invoice\u{202E}fdp.exe",
            // Shown on two lines of a listing.
            "one\u{2028}two.txt",
            "one\u{2029}two.txt",
            // Shown exactly like "admin.txt".
            "ad\u{200B}min.txt",
            "ad\u{200D}min.txt",
            "ad\u{2060}min.txt",
            "\u{FEFF}admin.txt",
        ];
        for name in disguised {
            for (op, reply) in [
                ("PUT", wire.put(name, b"disguised")),
                ("GET", wire.get(name)),
                ("DELETE", wire.delete(name)),
            ] {
                expect_error(
                    &reply,
                    "bad_name",
                    &format!("{op} {name:?}"),
                    "FileName::new refuses names with characters that are invisible but \
                     change how the text around them is shown \
                     (lesson 05.10, 'Names that are shown as other names'); check every \
                     name with it, for every request",
                );
            }
        }
        expect_ok(&wire.list(), "a LIST after the disguised names");
        server.stop();
        root.expect_exactly(&[], "uploads under disguised names");
    });
}

#[test]
fn a_symlink_out_of_the_root_is_never_served() {
    within(
        deadline::DEFAULT,
        "a symbolic link to outside the root",
        || {
            let root = Root::new();
            root.write("plain.txt", b"plain");
            symlink(&root.outside, root.files.join("innocent.txt")).unwrap();
            let server = start(&root.files, limits());
            let mut wire = server.wire();
            let reply = wire.get("innocent.txt");
            expect_error(
                &reply,
                "forbidden",
                "GET innocent.txt, a symbolic link to a file outside the root",
                "open with O_NOFOLLOW and check the open file is regular (Store::get)",
            );
            expect::that(
                reply.body.is_none() && !reply.header.to_string().contains("never to be served"),
                "the secret outside the root never crosses the wire",
                &reply.header,
                "",
            );
            expect::eq(
                "LIST beside a symbolic link",
                &wire.list().header["files"],
                &json!([{"name": "plain.txt", "size": 5}]),
                "a link is not a regular file: LIST leaves it out",
            );
            expect_error(
                &wire.delete("innocent.txt"),
                "forbidden",
                "DELETE innocent.txt",
                "",
            );
            server.stop();
            root.expect_exactly(&["innocent.txt", "plain.txt"], "requests for a link");
            expect::eq(
                "outside.txt",
                fs::read(&root.outside).unwrap().as_slice(),
                OUTSIDE_SECRET,
                "",
            );
        },
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    within(deadline::DEFAULT, "requests for a missing file", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        for (op, reply) in [
            ("GET", wire.get("nope.txt")),
            ("DELETE", wire.delete("nope.txt")),
        ] {
            let what = format!("{op} nope.txt, which does not exist");
            expect_error(
                &reply,
                "not_found",
                &what,
                "StoreError::NotFound is not_found",
            );
            expect::that(
                reply.header["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("nope.txt")),
                &format!("{what}: the message names the file"),
                &reply.header,
                "say which file, e.g. no file named \"nope.txt\"",
            );
        }
        expect_ok(&wire.list(), "a LIST on the same connection afterwards");
        server.stop();
    });
}

#[test]
fn an_upload_cut_off_mid_body_leaves_nothing() {
    within(deadline::DEFAULT, "uploads cut off mid-body", || {
        let root = Root::new();
        root.write("kept.txt", b"the old version");
        let server = start(&root.files, limits());
        let whole = put_request("kept.txt", &bytes(300_000, 9));
        let cut = whole.len() - 100_000;

        // The client says "no more" halfway through the body.
        let mut wire = server.wire();
        wire.send_raw(&whole[..cut]);
        wire.stream.shutdown(Shutdown::Write).unwrap();
        wire.expect_end("a PUT whose body ended 100,000 bytes early");
        root.expect_exactly(&["kept.txt"], "a PUT cut short by end-of-stream");

        // The client vanishes (reset) halfway through the body.
        let mut wire = server.wire();
        wire.send_raw(&whole[..cut]);
        wire.vanish();
        expect_ok(
            &server.wire().list(),
            "a LIST from another client afterwards",
        );
        server.stop();
        root.expect_exactly(&["kept.txt"], "a PUT cut short by a reset");
        expect::eq(
            "kept.txt after two cut uploads",
            fs::read(root.files.join("kept.txt")).unwrap().as_slice(),
            &b"the old version"[..],
            "an upload replaces a file only when it is complete",
        );
    });
}

#[test]
fn two_uploads_of_one_name_leave_one_whole_file() {
    within(deadline::DEFAULT, "two uploads of one name at once", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let first = bytes(300_000, 10);
        let second = bytes(200_000, 11);
        let first_put = put_request("same.bin", &first);
        let second_put = put_request("same.bin", &second);
        let (mut a, mut b) = (server.wire(), server.wire());
        // Interleaved: both uploads are in progress at the same time.
        let half = 100_000;
        a.send_raw(&first_put[..half]);
        b.send_raw(&second_put[..half]);
        a.send_raw(&first_put[half..]);
        b.send_raw(&second_put[half..]);
        expect_ok(&a.reply("the first PUT of same.bin"), "the first upload");
        expect_ok(&b.reply("the second PUT of same.bin"), "the second upload");
        server.stop();
        let stored = fs::read(root.files.join("same.bin")).unwrap();
        let hash = sha256_hex(&stored);
        expect::that(
            hash == sha256_hex(&first) || hash == sha256_hex(&second),
            "same.bin after two overlapping uploads is exactly one of them",
            format!("{} bytes matching neither upload", stored.len()),
            "each upload writes its own temporary file (a random name, created with \
             O_EXCL) and renames it into place: the last rename wins, whole",
        );
        root.expect_exactly(&["same.bin"], "two overlapping uploads");
    });
}

#[test]
fn a_wrong_checksum_is_refused_and_the_connection_goes_on() {
    within(deadline::DEFAULT, "an upload with a wrong checksum", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        let mut request = put_request("bad.bin", &bytes(10_000, 12));
        *request.last_mut().unwrap() ^= 0xff; // the body no longer matches its header
        wire.send_raw(&request);
        expect_error(
            &wire.reply("a PUT with a corrupted body"),
            "checksum",
            "a PUT whose body does not match its sha256",
            "StoreError::Checksum is checksum; the whole body was read, so the \
             connection goes on",
        );
        expect_ok(&wire.list(), "a LIST on the same connection afterwards");
        server.stop();
        root.expect_exactly(&[], "an upload with a wrong checksum");
    });
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    within(deadline::DEFAULT, "an oversized upload", || {
        let root = Root::new();
        let small = Limits {
            max_file_size: 1000,
            ..limits()
        };
        let server = start(&root.files, small);
        let mut wire = server.wire();
        wire.send(&format!(
            r#"{{"op":"put","name":"big.bin","size":1001,"sha256":"{}"}}"#,
            "0".repeat(64)
        ));
        expect_error(
            &wire.reply("a PUT of 1001 bytes"),
            "too_large",
            "a PUT of 1001 bytes with max_file_size 1000",
            "compare size with the limit before reading the body or creating a file",
        );
        wire.expect_closed("a too_large reply (the unread body would follow)");
        let body = bytes(1000, 13);
        expect_ok(
            &server.wire().put("fits.bin", &body),
            "a PUT of exactly max_file_size bytes on a new connection",
        );
        server.stop();
        root.expect_exactly(&["fits.bin"], "an oversized upload");
    });
}

#[test]
fn malformed_requests_are_refused_and_others_still_served() {
    within(deadline::DEFAULT, "malformed requests", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut bystander = server.wire();
        expect_ok(&bystander.list(), "a LIST from a client connected first");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("not JSON", frame("list please")),
            ("an unknown op", frame(r#"{"op":"rename","name":"a.txt"}"#)),
            ("no op", frame(r#"{"name":"a.txt"}"#)),
            ("a GET without a name", frame(r#"{"op":"get"}"#)),
            ("a name that is a number", frame(r#"{"op":"get","name":7}"#)),
            (
                "a size that is a string",
                frame(&format!(
                    r#"{{"op":"put","name":"a.txt","size":"3","sha256":"{}"}}"#,
                    sha256_hex(b"abc")
                )),
            ),
            (
                "a sha256 that is not hex",
                frame(r#"{"op":"put","name":"a.txt","size":3,"sha256":"nothex"}"#),
            ),
            ("a JSON array", frame("[1,2,3]")),
            ("invalid UTF-8", {
                let mut f = (4u32).to_be_bytes().to_vec();
                f.extend_from_slice(b"\xff\xfe{}");
                f
            }),
            (
                "a header length of 4 GiB",
                vec![0xff, 0xff, 0xff, 0xff, b'{'],
            ),
            ("a header one byte over the limit", {
                let mut f = (64 * 1024 + 1u32).to_be_bytes().to_vec();
                f.extend_from_slice(b"{\"op\":");
                f
            }),
        ];
        for (what, request) in cases {
            let mut wire = server.wire();
            wire.send_raw(&request);
            expect_error(
                &wire.reply(what),
                "bad_request",
                &format!("a request with {what}"),
                "a header that does not parse as a Request (protocol::read_request) or is \
                 over max_header_len gets bad_request",
            );
            wire.expect_closed(&format!("the bad_request reply to {what}"));
        }
        expect_ok(&bystander.list(), "the first client's LIST after all that");
        expect_ok(&server.wire().list(), "a new client's LIST after all that");
        server.stop();
        root.expect_exactly(&[], "malformed requests");
    });
}

#[test]
fn a_client_vanishing_mid_request_crashes_nothing() {
    within(deadline::DEFAULT, "clients that vanish", || {
        let root = Root::new();
        let big = bytes(8 << 20, 14);
        root.write("big.bin", &big);
        let server = start(&root.files, limits());

        let mut mid_header = server.wire();
        mid_header.send_raw(&frame(r#"{"op":"list"}"#)[..6]);
        mid_header.vanish();

        let mut mid_body = server.wire();
        mid_body.send_raw(&put_request("gone.bin", &bytes(100_000, 15))[..50_000]);
        mid_body.vanish();

        // Asks for 8 MiB and leaves without reading: the server's writes fail.
        let mut mid_download = server.wire();
        mid_download.send(&named("get", "big.bin"));
        let header = mid_download.try_header();
        expect::that(
            matches!(&header, Ok(Some(h)) if h["ok"] == json!(true)),
            "the header of the reply to GET big.bin",
            &header,
            "",
        );
        mid_download.vanish();

        let mut next = server.wire();
        let reply = next.get("big.bin");
        expect_ok(&reply, "GET big.bin by a client after three vanished");
        expect::that(
            reply.body.as_deref() == Some(&big[..]),
            "the 8 MiB of big.bin, downloaded after the others vanished",
            reply.body.as_ref().map(Vec::len),
            "",
        );
        server.stop();
        root.expect_exactly(&["big.bin"], "clients that vanished mid-request");
    });
}

#[test]
fn a_silent_client_is_let_go_after_the_idle_timeout() {
    within(deadline::DEFAULT, "silent clients", || {
        let root = Root::new();
        let quick = Limits {
            idle_timeout: Duration::from_millis(200),
            ..limits()
        };
        let server = start(&root.files, quick);

        let mut silent = server.wire();
        silent.expect_end("200 ms of silence from a new client");

        let mut stalled = server.wire();
        stalled.send_raw(&put_request("stalled.bin", &bytes(50_000, 16))[..20_000]);
        stalled.expect_end("200 ms of silence in the middle of a PUT body");
        root.expect_exactly(&[], "a PUT that stalled past the idle timeout");

        expect_ok(&server.wire().list(), "a LIST from a client that does talk");
        server.stop();
    });
}

#[test]
fn a_client_that_never_reads_its_download_is_let_go() {
    within(deadline::DEFAULT, "a download nobody reads", || {
        const SIZE: usize = 16 << 20;
        let root = Root::new();
        root.write("big.bin", &vec![7; SIZE]);
        let quick = Limits {
            idle_timeout: Duration::from_millis(200),
            ..limits()
        };
        let server = start(&root.files, quick);
        // A small receive buffer: the server's writes stop after a few MiB at
        // most (its own send buffer), long before the 16 MiB are out.
        let mut reader = Wire {
            stream: net::connect_with_small_receive_buffer(server.addr),
        };
        reader.send_raw(&frame(&named("get", "big.bin")));
        // The reply's header says the body is being written (hashing 16 MiB
        // first may take a while in a debug build).
        let header = reader.try_header().ok().flatten();
        expect::that(
            header.as_ref().is_some_and(|h| h["ok"] == true),
            "the reply header to GET big.bin (16 MiB)",
            &header,
            "a GET of a regular file is answered with its FileInfo, then the bytes",
        );
        // The measurement: now the client reads nothing for four idle timeouts.
        // A server that gives up on it closes the connection meanwhile.
        std::thread::sleep(Duration::from_millis(800));
        let mut received = 0;
        let mut chunk = vec![0; 64 * 1024];
        while received <= SIZE {
            match reader.stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
        expect::that(
            received < SIZE,
            "a client that asked for 16 MiB and read nothing for 800 ms is let go after \
             the 200 ms idle timeout: the download stops short",
            format!("the client still received {received} bytes, the whole file"),
            "idle_timeout is the socket's write timeout too (set_write_timeout): a \
             write that cannot go on for that long fails, and the connection ends. \
             Without it, a client that never reads holds a thread and a connection \
             place for ever (lesson 05.10, 'The conversation')",
        );
        server.stop();
    });
}

#[test]
fn connections_over_the_limit_are_told_busy() {
    within(deadline::DEFAULT, "a connection limit of 2", || {
        let root = Root::new();
        let two = Limits {
            max_connections: 2,
            ..limits()
        };
        let server = start(&root.files, two);
        let mut first = server.wire();
        expect_ok(&first.list(), "the first client's LIST");
        let mut second = server.wire();
        expect_ok(&second.list(), "the second client's LIST");

        let mut third = server.wire();
        let reply = third.reply("nothing (a third connection, over the limit)");
        expect_error(
            &reply,
            "busy",
            "a third connection when max_connections is 2",
            "count the open connections; over the limit, reply busy at once and close \
             (no thread for it)",
        );
        third.expect_closed("the busy reply");
        expect_ok(&second.list(), "the second client, still served");

        // When a client leaves, its place is free again.
        drop(first);
        let mut served = false;
        for _ in 0..500 {
            let mut next = server.wire();
            next.send(r#"{"op":"list"}"#);
            if matches!(next.try_header(), Ok(Some(h)) if h["ok"] == json!(true)) {
                served = true;
                break;
            }
        }
        expect::that(
            served,
            "a new client is served once the first one has left",
            "busy 500 times in a row",
            "free the connection's place when its thread ends (a guard whose Drop \
             removes it)",
        );
        server.stop();
    });
}

#[test]
fn stop_ends_open_connections_and_discards_uploads_in_progress() {
    within(deadline::DEFAULT, "stopping a busy server", || {
        let root = Root::new();
        // Long enough that only the stop itself can end these connections in time.
        let patient = Limits {
            idle_timeout: Duration::from_secs(60),
            ..limits()
        };
        let server = start(&root.files, patient);
        let addr = server.addr;
        let mut idle = server.wire();
        expect_ok(&idle.list(), "an idle client's LIST");
        let mut uploading = server.wire();
        expect_ok(&uploading.list(), "an uploading client's LIST");
        uploading.send_raw(&put_request("unfinished.bin", &bytes(200_000, 17))[..80_000]);

        server.stop();
        root.expect_exactly(&[], "a stop in the middle of an upload");
        idle.expect_end("the server stopped");
        uploading.expect_end("the server stopped");
        let refused = TcpStream::connect_timeout(&addr, net::IO_TIMEOUT);
        expect::that(
            refused.is_err(),
            "connecting after Server::run returned",
            &refused,
            "run takes the listener by value, so returning closes it",
        );
    });
}

#[test]
fn a_file_that_shrinks_while_it_is_sent_ends_the_connection() {
    within(deadline::DEFAULT, "a download whose file shrinks", || {
        const SIZE: usize = 1 << 20;
        let root = Root::new();
        let path = root.write("shrinking.bin", &vec![b's'; SIZE]);
        // Patient: only the server's decision ends this connection, not a timeout.
        let patient = Limits {
            idle_timeout: Duration::from_secs(60),
            ..limits()
        };
        let server = start(&root.files, patient);
        // A narrow link: the server is still reading the file when it shrinks.
        let mut reader = Wire {
            stream: connect_over_a_narrow_link(server.addr),
        };
        reader.send(&named("get", "shrinking.bin"));
        let header = reader.try_header().ok().flatten();
        expect::that(
            header.as_ref().is_some_and(|h| h["size"] == json!(SIZE)),
            "the reply header to GET shrinking.bin (1 MiB)",
            &header,
            "",
        );
        // Someone truncates the file in place while it is being sent.
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_len(0))
            .expect("could not truncate shrinking.bin");
        let mut received = 0;
        let mut chunk = vec![0; 64 * 1024];
        let end = loop {
            match reader.stream.read(&mut chunk) {
                Ok(0) => break Ok(()),
                Ok(n) => received += n,
                Err(e) => break Err(e),
            }
        };
        expect::that(
            received < SIZE && (end.is_ok() || end.as_ref().is_err_and(|e| !net::is_timeout(e))),
            "the download of a file truncated to nothing while it was sent",
            format!("{received} of {SIZE} bytes, then {end:?}"),
            "copy_exact returns how many bytes it sent: fewer than the size in the header \
             means the client waits for bytes that will never come. Only closing the \
             connection tells it",
        );
        server.stop();
    });
}

#[test]
fn stop_returns_once_every_upload_has_ended() {
    within(deadline::DEFAULT, "a stop right after an upload", || {
        const SIZE: usize = 16 << 20;
        let root = Root::new();
        let server = start(&root.files, limits());
        let mut uploader = server.wire();
        expect_ok(&uploader.list(), "the uploader's LIST");
        // Another connection after the uploader's: both are open when the server
        // stops.
        let mut other = server.wire();
        expect_ok(&other.list(), "another client's LIST");
        // The whole request is sent; much of it still waits in the kernels'
        // buffers for the server to read, hash and store.
        uploader.send_raw(&put_request("big.bin", &vec![b'u'; SIZE]));
        server.stop();
        let after = root.listing();
        expect::that(
            after.is_empty() || after == ["big.bin"],
            "the root when Server::run has returned, just after a 16 MiB upload was sent",
            &after,
            "run returns only when every connection's thread has ended (join them all), \
             so that the upload is finished, stored or discarded, never half-way. Keep \
             the handle of every thread still running: dropping one from the list \
             (retain the unfinished ones, not the finished) detaches it",
        );
    });
}

#[test]
fn a_reply_to_a_request_sent_in_two_writes_is_one_frame() {
    within(deadline::DEFAULT, "a request split across writes", || {
        let root = Root::new();
        root.write("a.txt", b"abc");
        let server = start(&root.files, limits());
        let mut wire = server.wire();
        let request = frame(&named("get", "a.txt"));
        wire.send_raw(&request[..3]);
        wire.stream.flush().unwrap();
        wire.send_raw(&request[3..]);
        let reply = wire.reply(&named("get", "a.txt"));
        expect::eq(
            "the reply to GET a.txt",
            &(show(&reply.header), reply.body),
            &(
                show(
                    &json!({"ok": true, "name": "a.txt", "size": 3, "sha256": sha256_hex(b"abc")}),
                ),
                Some(b"abc".to_vec()),
            ),
            "a GET reply is {\"ok\":true,\"name\",\"size\",\"sha256\"} and then the bytes",
        );
        server.stop();
    });
}
