//! `cargo xtask book --serve`: the built book on localhost, rebuilt on every save.
//!
//! A small static file server (tiny_http) on 127.0.0.1 serves `target/book`; a
//! watcher on `book/`, `exercises/` and `solutions/` rebuilds it, because a lesson
//! page includes code from the solutions and boxes from the exercises. Only the
//! loopback address is bound: this is an author's preview, not a web server.

use crate::book;
use crate::book::Edition;
use crate::course::Course;
use crate::links::decode;
use crate::watcher::Changes;
use anyhow::{Result, anyhow};
use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::thread;
use tiny_http::{Header, Response, Server};

/// Serves `site` on `port` and rebuilds on change; never returns unless it fails.
pub fn serve(
    course: &Course,
    site: PathBuf,
    port: u16,
    open: bool,
    edition: Edition,
) -> Result<()> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| {
        anyhow!("cannot serve on 127.0.0.1:{port} ({e}); is something else using it? try --port")
    })?;
    let url = format!("http://127.0.0.1:{port}/");
    let served = site.clone();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let response = respond(&served, request.url());
            let _ = request.respond(response);
        }
    });
    println!("serving the book at {url} — Ctrl-C to stop");
    if open {
        open_browser(&url);
    }

    let changes = Changes::watch(&[
        course.path("book"),
        course.path("exercises"),
        course.path("solutions"),
        course.path("book.toml"),
    ])?;
    loop {
        let changed = changes.wait()?;
        let first = changed
            .first()
            .map(|p| {
                p.strip_prefix(&course.root)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .unwrap_or_default();
        println!("changed: {first} — rebuilding…");
        // Discovery runs again: a new exercise or lesson may have appeared.
        match Course::load(&course.root).and_then(|c| book::build(&c, edition)) {
            Ok(_) => println!("rebuilt; reload the page"),
            Err(e) => println!("the book did not build: {e:#}"),
        }
        changes.drain();
    }
}

/// The response for one request path.
fn respond(site: &Path, url: &str) -> Response<File> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let mut file = match safe_join(site, &decode(path)) {
        Some(file) => file,
        None => return not_found(site),
    };
    if file.is_dir() {
        file.push("index.html");
    }
    match File::open(&file) {
        Ok(f) => Response::from_file(f).with_header(content_type(&file)),
        Err(_) => not_found(site),
    }
}

/// `site` + the request path, refusing anything that climbs out of `site`.
fn safe_join(site: &Path, path: &str) -> Option<PathBuf> {
    let mut out = site.to_path_buf();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

fn not_found(site: &Path) -> Response<File> {
    let page = site.join("404.html");
    match File::open(&page) {
        Ok(f) => Response::from_file(f)
            .with_status_code(404)
            .with_header(content_type(&page)),
        // No 404 page at all: answer with the index rather than nothing.
        Err(_) => Response::from_file(File::open(site.join("index.html")).expect("index exists"))
            .with_status_code(404),
    }
}

fn content_type(path: &Path) -> Header {
    let kind = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" | "md" | "rs" | "toml" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    Header::from_bytes("Content-Type", kind).expect("a valid header")
}

/// Opens `target` (a URL or a file) in the desktop's browser, if there is one.
pub fn open_browser(target: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(target)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => println!("opening {target} in your browser"),
        Err(_) => println!("could not open a browser here; open {target} yourself"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cannot_leave_the_site() {
        let site = Path::new("/site");
        assert_eq!(
            safe_join(site, "/a/b.html"),
            Some(PathBuf::from("/site/a/b.html"))
        );
        assert_eq!(safe_join(site, "/../etc/passwd"), None);
        assert_eq!(safe_join(site, "/"), Some(PathBuf::from("/site")));
    }
}
