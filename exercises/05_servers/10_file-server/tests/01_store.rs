//! The store on its own, without a network: what LIST, GET, PUT and DELETE do to
//! the root folder.

mod common;

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use common::{bytes, sha256_hex, Root, OUTSIDE_SECRET};
use file_server::{Entry, FileInfo, FileName, Store, StoreError};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::{deadline, expect, within};

fn name(text: &str) -> FileName {
    FileName::new(text).unwrap()
}

fn entries(list: &[(&str, u64)]) -> Vec<Entry> {
    list.iter()
        .map(|(name, size)| Entry {
            name: name.to_string(),
            size: *size,
        })
        .collect()
}

/// `result` with its error as text, so it compares with `Ok(expected)`.
fn shown<T, E: std::fmt::Debug>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{e:?}"))
}

// ---------------------------------------------------------------- LIST

#[test]
fn list_is_sorted_by_name_and_shows_sizes() {
    let root = Root::new();
    for (name, size) in [("b.txt", 20), ("报告.txt", 7), ("a.txt", 3), ("C.txt", 0)] {
        root.write(name, &bytes(size, 1));
    }
    let store = Store::new(&root.files);
    expect::eq(
        "Store::list of b.txt, 报告.txt, a.txt and an empty C.txt",
        &shown(store.list()),
        &Ok(entries(&[
            ("C.txt", 0),
            ("a.txt", 3),
            ("b.txt", 20),
            ("报告.txt", 7),
        ])),
        "read_dir returns entries in no particular order: sort by name (String's \
         order is byte order, so capitals come first); size is metadata().len()",
    );
}

#[test]
fn list_shows_only_regular_files_with_plain_names() {
    let root = Root::new();
    root.write("plain.txt", b"plain");
    root.write(".upload-x1Yz.part", b"half an upload");
    root.write(".hidden", b"hidden");
    root.write("colon:name", b"not a plain name");
    // Names that would be shown as something else: a right-to-left override
    // (shown "aexe.txt"), a line separator, a zero-width space (shown "admin").
    root.write("a\u{202E}txt.exe", b"disguised");
    root.write("two\u{2028}lines", b"disguised");
    root.write("ad\u{200B}min", b"disguised");
    fs::create_dir(root.files.join("folder")).unwrap();
    symlink(&root.outside, root.files.join("to-outside")).unwrap();
    symlink(root.files.join("plain.txt"), root.files.join("to-plain")).unwrap();
    symlink(root.files.join("nowhere"), root.files.join("dangling")).unwrap();
    nix::unistd::mkfifo(
        &root.files.join("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();

    let store = Store::new(&root.files);
    expect::eq(
        "Store::list of a root with a plain file, a temporary file, a hidden file, a \
         name with a colon, three names with invisible characters, a folder, three \
         symbolic links and a FIFO",
        &shown(store.list()),
        &Ok(entries(&[("plain.txt", 5)])),
        "list only what GET can fetch: entries whose DirEntry::file_type() is_file() \
         (it does not follow links: a link is never a regular file) and whose name \
         passes FileName::new (that hides temporary and hidden files, and names with \
         invisible characters that would be shown as another name)",
    );
}

// ---------------------------------------------------------------- GET

#[test]
fn get_returns_the_file_with_its_size_and_checksum() {
    let root = Root::new();
    let body = bytes(200_000, 2);
    root.write("photo.raw", &body);
    let store = Store::new(&root.files);
    let download = expect::ok(
        "Store::get(\"photo.raw\")",
        store.get(&name("photo.raw")),
        "",
    );
    expect::eq(
        "the info of photo.raw",
        &download.info,
        &FileInfo {
            name: "photo.raw".into(),
            size: body.len() as u64,
            sha256: sha256_hex(&body),
        },
        "size from the open file's metadata, sha256 as 64 lowercase hex digits \
         (body::hash_to_end)",
    );
    let mut file = download.file;
    let mut sent = Vec::new();
    file.read_to_end(&mut sent).unwrap();
    expect::that(
        sent == body,
        "the returned file, read from where it stands, is the whole file",
        format!("{} bytes", sent.len()),
        "hashing reads the file to its end: rewind it before returning it",
    );
}

#[test]
fn get_of_a_missing_file_is_not_found() {
    let root = Root::new();
    let got = Store::new(&root.files).get(&name("nope.txt"));
    expect::that(
        matches!(got, Err(StoreError::NotFound)),
        "Store::get of a file that does not exist",
        got.map(|d| d.info),
        "an open error of kind NotFound is StoreError::NotFound",
    );
}

#[test]
fn get_refuses_symbolic_links_wherever_they_point() {
    let root = Root::new();
    root.write("inside.txt", b"inside");
    symlink(&root.outside, root.files.join("to-outside")).unwrap();
    symlink(root.files.join("inside.txt"), root.files.join("to-inside")).unwrap();
    symlink(root.dir.path(), root.files.join("to-parent")).unwrap();
    symlink(root.files.join("nowhere"), root.files.join("dangling")).unwrap();
    let store = Store::new(&root.files);
    for link in ["to-outside", "to-inside", "to-parent", "dangling"] {
        let got = store.get(&name(link));
        expect::that(
            matches!(got, Err(StoreError::Forbidden)),
            &format!("Store::get of the symbolic link {link:?}"),
            got.map(|d| d.info),
            "open with O_NOFOLLOW (OpenOptionsExt::custom_flags): the kernel refuses \
             a link in the last component with ELOOP, and that is Forbidden. A check \
             such as canonicalize() before open() leaves a gap in which the file can \
             be swapped for a link",
        );
    }
}

#[test]
fn get_refuses_folders_and_fifos_without_blocking() {
    within(deadline::DEFAULT, "Store::get of a FIFO", || {
        let root = Root::new();
        fs::create_dir(root.files.join("folder")).unwrap();
        nix::unistd::mkfifo(
            &root.files.join("fifo"),
            nix::sys::stat::Mode::from_bits_truncate(0o600),
        )
        .unwrap();
        let store = Store::new(&root.files);
        for special in ["folder", "fifo"] {
            let got = store.get(&name(special));
            expect::that(
                matches!(got, Err(StoreError::Forbidden)),
                &format!("Store::get of {special:?}"),
                got.map(|d| d.info),
                "check the OPEN file: file.metadata()?.is_file(). Opening a FIFO waits \
                 for a writer unless O_NONBLOCK is set",
            );
        }
    });
}

#[test]
fn a_download_keeps_its_contents_when_the_file_is_replaced() {
    let root = Root::new();
    let old = bytes(100_000, 3);
    let new = bytes(150_000, 4);
    root.write("doc.txt", &old);
    let store = Store::new(&root.files);
    let download = expect::ok("Store::get(\"doc.txt\")", store.get(&name("doc.txt")), "");
    expect::ok(
        "Store::put of a new doc.txt while the old one is being downloaded",
        store.put(
            &name("doc.txt"),
            new.len() as u64,
            &sha256_hex(&new),
            &mut &new[..],
        ),
        "",
    );
    let mut file = download.file;
    let mut sent = Vec::new();
    file.read_to_end(&mut sent).unwrap();
    expect::that(
        sent == old && download.info.sha256 == sha256_hex(&old),
        "the download that started before the replacement sends the old contents",
        format!("{} bytes", sent.len()),
        "hash and send from ONE open file: a rename swaps the name to a new file and \
         leaves the open one as it was. Opening the path a second time would send \
         bytes that do not match the checksum already announced",
    );
}

// ---------------------------------------------------------------- PUT

#[test]
fn put_stores_a_complete_file_and_reports_it() {
    let root = Root::new();
    let body = bytes(300_000, 5);
    let store = Store::new(&root.files);
    let got = store.put(
        &name("upload.bin"),
        body.len() as u64,
        &sha256_hex(&body).to_uppercase(),
        &mut &body[..],
    );
    expect::eq(
        "Store::put of 300,000 bytes (checksum given in capitals)",
        &shown(got),
        &Ok(FileInfo {
            name: "upload.bin".into(),
            size: body.len() as u64,
            sha256: sha256_hex(&body),
        }),
        "compare checksums ignoring case; report the sha256 in lowercase",
    );
    expect::that(
        fs::read(root.files.join("upload.bin")).unwrap() == body,
        "the contents of upload.bin",
        "different bytes",
        "",
    );
    root.expect_exactly(&["upload.bin"], "a complete upload");
}

#[test]
fn put_reads_exactly_size_bytes_under_every_chunking() {
    for chunking in Chunking::ALL {
        let root = Root::new();
        let body = bytes(70_000, 6);
        let mut stream = body.clone();
        stream.extend_from_slice(b"NEXT REQUEST");
        let mut input = ChaosReader::new(&stream[..], chunking);
        let store = Store::new(&root.files);
        let got = store.put(
            &name("chunked.bin"),
            body.len() as u64,
            &sha256_hex(&body),
            &mut input,
        );
        expect::ok(&format!("Store::put with the body in {chunking}"), got, "");
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).unwrap();
        expect::eq(
            &format!("what Store::put left in the stream ({chunking})"),
            rest.escape_ascii().to_string().as_str(),
            "NEXT REQUEST",
            "read exactly size bytes (body::copy_exact): what follows is the next request",
        );
        expect::that(
            fs::read(root.files.join("chunked.bin")).unwrap() == body,
            &format!("the stored file ({chunking})"),
            "different bytes",
            "",
        );
    }
}

#[test]
fn a_cut_body_leaves_nothing() {
    let root = Root::new();
    let body = bytes(100_000, 7);
    let store = Store::new(&root.files);
    let got = store.put(
        &name("cut.bin"),
        100_000,
        &sha256_hex(&body),
        &mut &body[..60_000],
    );
    expect::that(
        matches!(
            got,
            Err(StoreError::Truncated {
                expected: 100_000,
                received: 60_000
            })
        ),
        "Store::put of a 100,000-byte file whose body ends after 60,000",
        &got,
        "copy_exact returns how many bytes it copied: fewer than size is Truncated",
    );
    root.expect_exactly(&[], "a cut upload");
}

#[test]
fn a_failing_body_leaves_nothing() {
    /// Hands out some bytes, then fails like a reset connection.
    struct Resets(usize);
    impl Read for Resets {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            let n = buf.len().min(self.0);
            buf[..n].fill(b'x');
            self.0 -= n;
            Ok(n)
        }
    }
    let root = Root::new();
    let store = Store::new(&root.files);
    let got = store.put(
        &name("reset.bin"),
        50_000,
        &"0".repeat(64),
        &mut Resets(20_000),
    );
    expect::that(
        matches!(&got, Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset),
        "Store::put whose body reader fails with a reset after 20,000 bytes",
        &got,
        "a read error is StoreError::Io",
    );
    root.expect_exactly(&[], "a reset upload");
}

#[test]
fn a_wrong_checksum_leaves_the_old_file_untouched() {
    let root = Root::new();
    root.write("report.txt", b"old report");
    let new = b"the new report";
    let store = Store::new(&root.files);
    let got = store.put(
        &name("report.txt"),
        new.len() as u64,
        &sha256_hex(b"something else"),
        &mut &new[..],
    );
    expect::that(
        matches!(got, Err(StoreError::Checksum { .. })),
        "Store::put with a checksum that does not match the body",
        &got,
        "hash the body as it arrives (a HashingWriter) and compare before renaming",
    );
    let message = got.as_ref().err().map(ToString::to_string);
    expect::that(
        message.as_ref().is_some_and(|m| {
            m.contains(&sha256_hex(b"something else")) && m.contains(&sha256_hex(new))
        }),
        "the message of the checksum error names the announced checksum and the real one",
        &message,
        "StoreError::Checksum carries `expected` (the announced checksum, in lowercase) and \
         `actual` (the SHA-256 of the bytes received); its Display shows both",
    );
    expect::eq(
        "report.txt after a refused upload",
        fs::read(root.files.join("report.txt")).unwrap().as_slice(),
        &b"old report"[..],
        "never open the final name for writing: write a temporary file and rename it \
         over the old one only when everything checks out",
    );
    root.expect_exactly(&["report.txt"], "an upload with a wrong checksum");
}

#[test]
fn put_over_a_symbolic_link_replaces_the_link_not_its_target() {
    let root = Root::new();
    symlink(&root.outside, root.files.join("notes.txt")).unwrap();
    let body = b"uploaded notes";
    let store = Store::new(&root.files);
    let got = store.put(
        &name("notes.txt"),
        body.len() as u64,
        &sha256_hex(body),
        &mut &body[..],
    );
    expect::ok(
        "Store::put of notes.txt, a symbolic link to a file outside the root",
        got,
        "",
    );
    let meta = fs::symlink_metadata(root.files.join("notes.txt")).unwrap();
    expect::that(
        meta.is_file(),
        "notes.txt after the upload is a regular file, no longer a link",
        meta.file_type(),
        "rename() replaces the directory entry itself; writing to the path would have \
         followed the link",
    );
    expect::eq(
        "the file outside the root",
        fs::read(&root.outside).unwrap().as_slice(),
        OUTSIDE_SECRET,
        "an upload must never write through a link: temporary file + rename",
    );
}

#[test]
fn put_onto_a_folder_is_forbidden() {
    let root = Root::new();
    fs::create_dir(root.files.join("folder")).unwrap();
    let store = Store::new(&root.files);
    let got = store.put(&name("folder"), 3, &sha256_hex(b"abc"), &mut &b"abc"[..]);
    expect::that(
        matches!(got, Err(StoreError::Forbidden)),
        "Store::put of a file named like an existing folder",
        &got,
        "the rename fails with an error of kind IsADirectory: that is Forbidden",
    );
    root.expect_exactly(&["folder"], "an upload onto a folder");
}

#[test]
fn a_rename_that_fails_for_another_reason_is_an_io_error() {
    /// Hands out `data` in small reads; halfway through, moves the root away.
    struct Mover<'a> {
        data: &'a [u8],
        root: PathBuf,
        moved: PathBuf,
    }
    impl Read for Mover<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.len() == 5_000 {
                fs::rename(&self.root, &self.moved)?;
            }
            let n = buf.len().min(self.data.len()).min(5_000);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    let root = Root::new();
    let body = bytes(10_000, 18);
    let store = Store::new(&root.files);
    let got = store.put(
        &name("lost.bin"),
        body.len() as u64,
        &sha256_hex(&body),
        &mut Mover {
            data: &body,
            root: root.files.clone(),
            moved: root.dir.path().join("moved"),
        },
    );
    expect::that(
        matches!(&got, Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound),
        "Store::put whose root folder was moved away in the middle of the body (the \
         rename into place then fails with NotFound)",
        &got,
        "only a rename that fails because a folder has that name (IsADirectory) is \
         Forbidden; any other failure of the rename is StoreError::Io",
    );
}

#[test]
fn a_partial_upload_is_a_hidden_temporary_file_that_list_hides() {
    /// What the spy saw: the root's entries on disk, and what LIST said.
    type Seen = (Vec<String>, Result<Vec<Entry>, String>);

    /// Hands out `data` in small reads; halfway through, looks at the root.
    struct Spy<'a> {
        data: &'a [u8],
        look_when_left: usize,
        store: Store,
        root: PathBuf,
        seen: Option<Seen>,
    }
    impl Read for Spy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.len() <= self.look_when_left && self.seen.is_none() {
                self.seen = Some((common::listing(&self.root), shown(self.store.list())));
            }
            let n = buf.len().min(self.data.len()).min(1000);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    let root = Root::new();
    root.write("other.txt", b"other");
    let body = bytes(20_000, 8);
    let store = Store::new(&root.files);
    let mut spy = Spy {
        data: &body,
        look_when_left: 10_000,
        store: store.clone(),
        root: root.files.clone(),
        seen: None,
    };
    let got = store.put(
        &name("movie.mkv"),
        body.len() as u64,
        &sha256_hex(&body),
        &mut spy,
    );
    expect::ok("Store::put of movie.mkv", got, "");
    let (on_disk, listed) = spy.seen.expect("the spy never looked");
    expect::that(
        on_disk.len() == 2 && on_disk[0].starts_with('.') && on_disk[1] == "other.txt",
        "the root halfway through the upload: one hidden temporary file and other.txt",
        &on_disk,
        "create the temporary file in the root itself (a rename is atomic only within \
         one file system), with a name starting with '.', and do not create movie.mkv \
         before the body is complete",
    );
    expect::eq(
        "Store::list halfway through the upload",
        &listed,
        &Ok(entries(&[("other.txt", 5)])),
        "an upload in progress is not a file yet: LIST must not show its temporary file",
    );
}

// ---------------------------------------------------------------- DELETE

#[test]
fn delete_removes_a_file_and_a_missing_one_is_not_found() {
    let root = Root::new();
    root.write("old.log", b"log");
    let store = Store::new(&root.files);
    expect::ok(
        "Store::delete(\"old.log\")",
        shown(store.delete(&name("old.log"))),
        "",
    );
    root.expect_exactly(&[], "deleting the only file");
    let got = store.delete(&name("old.log"));
    expect::that(
        matches!(got, Err(StoreError::NotFound)),
        "Store::delete of a file that does not exist (any more)",
        &got,
        "a NotFound error from the file system is StoreError::NotFound",
    );
}

#[test]
fn delete_refuses_links_and_folders() {
    let root = Root::new();
    symlink(&root.outside, root.files.join("link")).unwrap();
    fs::create_dir(root.files.join("folder")).unwrap();
    let store = Store::new(&root.files);
    for special in ["link", "folder"] {
        let got = store.delete(&name(special));
        expect::that(
            matches!(got, Err(StoreError::Forbidden)),
            &format!("Store::delete of {special:?}"),
            &got,
            "look at the entry itself with fs::symlink_metadata (it does not follow \
             links); anything but a regular file is Forbidden",
        );
    }
    root.expect_exactly(&["folder", "link"], "refused deletes");
}
