//! The client: against your server, against scripted servers that misbehave, and
//! behind the `file-client` prompt.

mod common;

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use common::{bytes, frame, limits, sha256_hex, start, Root, Wire};
use file_server::shell::run_shell;
use file_server::{Client, ClientError, Entry, ErrorCode, Limits};
use serde_json::{json, Value};
use tempfile::TempDir;
use testkit::chaos::{write_chunked, Chunking};
use testkit::{deadline, expect, net, within};

/// A client connected to a scripted server that runs `script` on the accepted
/// connection; the script's own failures surface when the server is joined.
fn scripted<F>(script: F) -> (Client, net::Server)
where
    F: FnOnce(Wire) + Send + 'static,
{
    let server = net::spawn_server(move |listener| {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(net::IO_TIMEOUT)).unwrap();
        script(Wire { stream });
    });
    let client = Client::from_stream(net::connect(server.addr()));
    (client, server)
}

/// The next request the scripted server receives, as JSON.
#[track_caller]
fn request(wire: &mut Wire) -> Value {
    match wire.try_header() {
        Ok(Some(json)) => json,
        other => panic!(
            "the scripted server expected a request frame from the client, got {other:?}\n  \
             hint: a request is [u32 big-endian length][JSON] (protocol::write_request)"
        ),
    }
}

fn ok_reply(fields: Value) -> Vec<u8> {
    let mut reply = json!({"ok": true});
    reply
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    frame(&reply.to_string())
}

fn source_file(dir: &Path, name: &str, body: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, body).unwrap();
    path
}

#[test]
fn the_client_uploads_lists_downloads_and_deletes() {
    within(
        deadline::DEFAULT,
        "a client session against your server",
        || {
            let root = Root::new();
            let server = start(&root.files, limits());
            let local = TempDir::new().unwrap();
            let body = bytes(150_000, 30);
            let path = source_file(local.path(), "data.bin", &body);
            let downloads = TempDir::new().unwrap();

            let mut client = Client::from_stream(net::connect(server.addr));
            let stored = expect::ok("Client::put(data.bin)", client.put(&path), "");
            expect::eq(
                "what Client::put returns",
                &(stored.name.as_str(), stored.size, stored.sha256.as_str()),
                &("data.bin", body.len() as u64, sha256_hex(&body).as_str()),
                "the server's reply: the name (the path's last component), size and sha256",
            );
            expect::eq(
                "Client::list after the upload",
                &expect::ok("Client::list", client.list(), ""),
                &vec![Entry {
                    name: "data.bin".into(),
                    size: body.len() as u64,
                }],
                "",
            );
            expect::ok(
                "Client::get(data.bin)",
                client.get("data.bin", downloads.path()),
                "",
            );
            expect::that(
                fs::read(downloads.path().join("data.bin")).unwrap() == body,
                "the downloaded data.bin is the uploaded one",
                "different bytes",
                "",
            );
            expect::ok("Client::delete(data.bin)", client.delete("data.bin"), "");
            expect::eq(
                "Client::list after the delete",
                &expect::ok("Client::list", client.list(), ""),
                &Vec::new(),
                "",
            );
            drop(client);
            server.stop();
            root.expect_exactly(&[], "upload, download and delete");
        },
    );
}

#[test]
fn the_client_reports_refusals_with_their_code() {
    within(deadline::DEFAULT, "refusals seen by the client", || {
        let root = Root::new();
        let small = Limits {
            max_file_size: 1000,
            ..limits()
        };
        let server = start(&root.files, small);
        let downloads = TempDir::new().unwrap();
        let mut client = Client::from_stream(net::connect(server.addr));
        for (what, got) in [
            (
                "Client::get of a missing file",
                client.get("nope.txt", downloads.path()).map(drop),
            ),
            (
                "Client::delete of a missing file",
                client.delete("nope.txt"),
            ),
        ] {
            expect::that(
                matches!(
                    &got,
                    Err(ClientError::Server {
                        code: ErrorCode::NotFound,
                        ..
                    })
                ),
                what,
                &got,
                "an {\"ok\":false} reply becomes ClientError::Server with its code and message",
            );
        }
        expect::ok(
            "Client::list on the same connection after two refusals",
            client.list(),
            "after not_found the connection goes on",
        );
        expect::eq(
            "the downloads folder after a refused GET",
            &common::listing(downloads.path()),
            &Vec::<String>::new(),
            "",
        );

        // Refused before the body: the server closes while the client still writes.
        let local = TempDir::new().unwrap();
        let big = source_file(local.path(), "big.bin", &bytes(3 << 20, 31));
        let got = client.put(&big);
        expect::that(
            matches!(
                &got,
                Err(ClientError::Server {
                    code: ErrorCode::TooLarge,
                    ..
                })
            ),
            "Client::put of 3 MiB to a server that takes at most 1000 bytes",
            &got,
            "the server refuses and closes before the body is sent, so writing it may fail \
             (broken pipe or reset): then read the server's reply and return its refusal",
        );
        drop(client);
        server.stop();
    });
}

#[test]
fn the_client_checks_names_before_sending() {
    within(deadline::DEFAULT, "a client given hostile names", || {
        let (mut client, server) = scripted(|mut wire| {
            let mut sent = Vec::new();
            let _ = wire.stream.read_to_end(&mut sent);
            expect::eq(
                "the bytes the client sent for requests with hostile names",
                &sent.escape_ascii().to_string(),
                &String::new(),
                "check the name with FileName::new before sending anything",
            );
        });
        let downloads = TempDir::new().unwrap();
        let local = TempDir::new().unwrap();
        let hidden = source_file(local.path(), ".secret", b"token");
        for (what, got) in [
            (
                "Client::get(\"../x\")",
                client.get("../x", downloads.path()).map(drop),
            ),
            (
                "Client::get(\"/etc/passwd\")",
                client.get("/etc/passwd", downloads.path()).map(drop),
            ),
            ("Client::delete(\"..\")", client.delete("..")),
            (
                "Client::delete(\"a\\u{202E}txt.exe\")",
                client.delete("a\u{202E}txt.exe"),
            ),
            ("Client::put(<dir>/.secret)", client.put(&hidden).map(drop)),
        ] {
            expect::that(
                matches!(got, Err(ClientError::BadName(_))),
                what,
                &got,
                "FileName::new(name)? turns a NameError into ClientError::BadName",
            );
        }
        drop(client);
        server.join_within(deadline::DEFAULT);
    });
}

#[test]
fn the_client_sends_requests_in_the_documented_format() {
    within(
        deadline::DEFAULT,
        "the client's requests on the wire",
        || {
            let hello = b"hello\n";
            let (mut client, server) = scripted(move |mut wire| {
                let mut seen = Vec::new();
                // LIST
                seen.push(request(&mut wire));
                wire.send_raw(&ok_reply(
                    json!({"files": [{"name": "hello.txt", "size": 6}]}),
                ));
                // PUT + body
                let put = request(&mut wire);
                let body = wire.body(6, "the PUT body");
                seen.push(put);
                let info = json!({"name": "hello.txt", "size": 6, "sha256": sha256_hex(&body)});
                wire.send_raw(&ok_reply(info.clone()));
                // GET
                seen.push(request(&mut wire));
                let mut reply = ok_reply(info);
                reply.extend_from_slice(&body);
                wire.send_raw(&reply);
                // DELETE
                seen.push(request(&mut wire));
                wire.send_raw(&ok_reply(json!({"name": "hello.txt"})));
                expect::eq(
                    "the requests the client sent",
                    &seen,
                    &vec![
                        json!({"op": "list"}),
                        json!({"op": "put", "name": "hello.txt", "size": 6,
                           "sha256": sha256_hex(b"hello\n")}),
                        json!({"op": "get", "name": "hello.txt"}),
                        json!({"op": "delete", "name": "hello.txt"}),
                    ],
                    "requests are protocol::Request values written with protocol::write_request",
                );
            });
            let local = TempDir::new().unwrap();
            let path = source_file(local.path(), "hello.txt", hello);
            let downloads = TempDir::new().unwrap();
            expect::ok("Client::list", client.list(), "");
            expect::ok("Client::put(hello.txt)", client.put(&path), "");
            expect::ok(
                "Client::get(hello.txt)",
                client.get("hello.txt", downloads.path()),
                "",
            );
            expect::ok("Client::delete(hello.txt)", client.delete("hello.txt"), "");
            drop(client);
            server.join_within(deadline::DEFAULT);
            expect::eq(
                "the downloaded hello.txt",
                fs::read(downloads.path().join("hello.txt"))
                    .unwrap()
                    .as_slice(),
                &hello[..],
                "",
            );
        },
    );
}

#[test]
fn the_client_reads_replies_under_every_chunking() {
    within(deadline::DEFAULT, "replies in awkward chunks", || {
        for chunking in Chunking::ALL {
            let body = bytes(20_000, 32);
            let sha = sha256_hex(&body);
            let script_body = body.clone();
            let (mut client, server) = scripted(move |mut wire| {
                request(&mut wire);
                let listing = ok_reply(json!({"files": [{"name": "a.bin", "size": 20_000}]}));
                write_chunked(&mut wire.stream, &listing, chunking).unwrap();
                request(&mut wire);
                let mut reply = ok_reply(json!({"name": "a.bin", "size": 20_000, "sha256": sha}));
                reply.extend_from_slice(&script_body);
                write_chunked(&mut wire.stream, &reply, chunking).unwrap();
            });
            let downloads = TempDir::new().unwrap();
            expect::eq(
                &format!("Client::list with the reply in {chunking}"),
                &client.list().map_err(|e| e.to_string()),
                &Ok(vec![Entry {
                    name: "a.bin".into(),
                    size: 20_000,
                }]),
                "read whole frames (protocol::read_reply), never one read() per reply",
            );
            expect::ok(
                &format!("Client::get with the reply in {chunking}"),
                client.get("a.bin", downloads.path()),
                "",
            );
            expect::that(
                fs::read(downloads.path().join("a.bin")).unwrap() == body,
                &format!("the downloaded a.bin ({chunking})"),
                "different bytes",
                "",
            );
            drop(client);
            server.join_within(deadline::DEFAULT);
        }
    });
}

#[test]
fn a_download_with_a_wrong_checksum_leaves_no_file() {
    within(
        deadline::DEFAULT,
        "a server that sends corrupted bytes",
        || {
            let (mut client, server) = scripted(|mut wire| {
                request(&mut wire);
                let mut reply =
                    ok_reply(json!({"name": "a.txt", "size": 5, "sha256": sha256_hex(b"fives")}));
                reply.extend_from_slice(b"FIVES");
                wire.send_raw(&reply);
                request(&mut wire);
                wire.send_raw(&ok_reply(json!({"files": []})));
            });
            let downloads = TempDir::new().unwrap();
            fs::write(downloads.path().join("a.txt"), b"older").unwrap();
            let got = client.get("a.txt", downloads.path());
            expect::that(
                matches!(got, Err(ClientError::Checksum { .. })),
                "Client::get of a body that does not match its announced sha256",
                &got,
                "save through Store::new(dest_dir).put(..): it checks the hash before the \
             rename, and its StoreError::Checksum converts into ClientError::Checksum",
            );
            expect::eq(
                "the downloads folder after a corrupted download",
                &common::listing(downloads.path()),
                &vec!["a.txt".to_string()],
                "no temporary file may be left behind",
            );
            expect::eq(
                "the older a.txt after a corrupted download",
                fs::read(downloads.path().join("a.txt")).unwrap().as_slice(),
                &b"older"[..],
                "",
            );
            expect::ok(
                "Client::list on the same connection afterwards",
                client.list(),
                "the whole body was read, so the connection is still in step",
            );
            drop(client);
            server.join_within(deadline::DEFAULT);
        },
    );
}

#[test]
fn a_download_cut_short_leaves_no_file() {
    within(deadline::DEFAULT, "a server that vanishes mid-body", || {
        let body = bytes(100_000, 33);
        let sha = sha256_hex(&body);
        let (mut client, server) = scripted(move |mut wire| {
            request(&mut wire);
            let mut reply = ok_reply(json!({"name": "a.bin", "size": 100_000, "sha256": sha}));
            reply.extend_from_slice(&body[..40_000]);
            wire.send_raw(&reply);
        });
        let downloads = TempDir::new().unwrap();
        let got = client.get("a.bin", downloads.path());
        expect::that(
            matches!(&got, Err(ClientError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof),
            "Client::get when the connection ends after 40,000 of 100,000 bytes",
            &got,
            "a cut body is an Io error of kind UnexpectedEof (StoreError::Truncated converts)",
        );
        expect::eq(
            "the downloads folder after a cut download",
            &common::listing(downloads.path()),
            &Vec::<String>::new(),
            "",
        );
        drop(client);
        server.join_within(deadline::DEFAULT);
    });
}

#[test]
fn a_file_that_shrinks_while_it_is_uploaded_ends_the_connection() {
    within(deadline::DEFAULT, "an upload whose file shrinks", || {
        const SIZE: u64 = 16 << 20;
        let local = TempDir::new().unwrap();
        let path = source_file(local.path(), "shrinking.bin", &vec![b's'; SIZE as usize]);
        let shrink = path.clone();
        // The scripted server reads the header, truncates the file, then reads
        // what comes until the client ends the stream, and tells what it saw.
        let (seen, outcome) = std::sync::mpsc::channel();
        let server = net::spawn_server(move |listener| {
            let (stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(net::IO_TIMEOUT)).unwrap();
            let mut wire = Wire { stream };
            request(&mut wire);
            fs::File::options()
                .write(true)
                .open(&shrink)
                .and_then(|file| file.set_len(0))
                .expect("could not truncate shrinking.bin");
            let mut received = 0;
            let mut chunk = vec![0; 64 * 1024];
            let end = loop {
                match wire.stream.read(&mut chunk) {
                    Ok(0) => break Ok(received),
                    Ok(n) => received += n as u64,
                    Err(e) => break Err(format!("{received} bytes, then {e}")),
                }
            };
            let _ = seen.send(end);
        });
        // 16 MiB, more than the kernels' buffers hold: the client is still
        // reading the file when it shrinks.
        let mut client = Client::from_stream(net::connect(server.addr()));
        let got = client.put(&path);
        let end = outcome.recv_timeout(deadline::DEFAULT);
        expect::that(
            matches!(end, Ok(Ok(n)) if n < SIZE),
            "what the server received of the body of a 16 MiB file truncated to nothing \
             while it was sent",
            &end,
            "when copy_exact sends fewer than size bytes (the file shrank), the server \
             still waits for the rest: shut the connection down, so that it sees the end \
             of the stream, and do not wait for a reply",
        );
        expect::that(
            matches!(&got, Err(ClientError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof),
            "what Client::put returns for a file that shrank while it was sent",
            &got,
            "fewer bytes sent than the size in the header is an Io error of kind \
             UnexpectedEof",
        );
        server.join_within(deadline::DEFAULT);
        drop(client);
    });
}

#[test]
fn a_server_cannot_make_the_client_write_elsewhere() {
    within(
        deadline::DEFAULT,
        "a server that lies about the name",
        || {
            let (mut client, server) = scripted(|mut wire| {
                request(&mut wire);
                let mut reply = ok_reply(
                    json!({"name": "../escaped.txt", "size": 3, "sha256": sha256_hex(b"abc")}),
                );
                reply.extend_from_slice(b"abc");
                wire.send_raw(&reply);
            });
            let place = TempDir::new().unwrap();
            let downloads = place.path().join("downloads");
            fs::create_dir(&downloads).unwrap();
            let _ = client.get("a.txt", &downloads);
            expect::eq(
                "the folder around the downloads folder",
                &common::listing(place.path()),
                &vec!["downloads".to_string()],
                "save under the name YOU asked for, never under a name from the reply",
            );
            drop(client);
            server.join_within(deadline::DEFAULT);
        },
    );
}

#[test]
fn the_prompt_escapes_what_a_server_sends() {
    within(deadline::DEFAULT, "a listing of disguised names", || {
        let (mut client, server) = scripted(|mut wire| {
            request(&mut wire);
            let listing = json!({"files": [
                {"name": "invoice\u{202E}fdp.exe", "size": 1},
                {"name": "one\u{2028}two", "size": 2},
                {"name": "ad\u{200B}min", "size": 3},
                {"name": "\u{1b}[2Jclear", "size": 4},
                {"name": "报告 final.txt", "size": 5},
            ]});
            wire.send_raw(&ok_reply(listing));
        });
        let mut out = Vec::new();
        let outcome = run_shell(
            &mut client,
            "ls\nquit\n".as_bytes(),
            &mut out,
            Path::new("."),
            false,
        );
        expect::ok("run_shell", outcome, "");
        let text = String::from_utf8(out).unwrap();
        // Each name as the prompt must print it: every invisible or control
        // character escaped, everything else (spaces, 报告) as it is.
        let shown = [
            (1, "invoice\\u{202e}fdp.exe"),
            (2, "one\\u{2028}two"),
            (3, "ad\\u{200b}min"),
            (4, "\\u{1b}[2Jclear"),
            (5, "报告 final.txt"),
        ];
        let lines: String = shown
            .iter()
            .map(|(size, name)| format!("{size:>8}  {name}\n"))
            .collect();
        let want = format!("> {lines}5 files\n> ");
        expect::eq(
            "what the prompt printed for a listing of disguised names",
            text.as_str(),
            want.as_str(),
            "Client::list returns the names exactly as the server sent them; the prompt \
             (src/shell.rs, given) escapes them when it prints. If the names are wrong, \
             look at how list reads the reply",
        );
        drop(client);
        server.join_within(deadline::DEFAULT);
    });
}

#[test]
fn a_prompt_session_reads_like_a_transcript() {
    within(deadline::DEFAULT, "a file-client session", || {
        let root = Root::new();
        let server = start(&root.files, limits());
        let work = TempDir::new().unwrap();
        source_file(work.path(), "hello.txt", b"hello\n");
        source_file(work.path(), "notes.md", b"# notes\n\n- buy milk\n");
        let commands = "help\nls\nput hello.txt\nput notes.md\nls\nget hello.txt\n\
                        get nope.txt\nrm notes.md\nrm notes.md\nget ../etc/passwd\n\
                        frobnicate\nls\nquit\n";
        let mut client = Client::from_stream(net::connect(server.addr));
        let mut out = Vec::new();
        let outcome = run_shell(
            &mut client,
            commands.as_bytes(),
            &mut out,
            work.path(),
            true,
        );
        expect::ok("run_shell", outcome, "");
        let text = String::from_utf8(out).unwrap();
        // The words of the server's error messages are yours; the codes are not.
        let shown: String = text
            .lines()
            .map(|line| match line.strip_prefix("error: ") {
                Some(rest) => {
                    let code = rest.split(':').next().unwrap_or(rest);
                    format!("error: {code}: …\n")
                }
                None => format!("{line}\n"),
            })
            .collect();
        insta::assert_snapshot!("prompt_session", shown);
        drop(client);
        server.stop();
        root.expect_exactly(&["hello.txt"], "the prompt session");
    });
}
