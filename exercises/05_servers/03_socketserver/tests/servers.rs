//! Tests for `ThreadingServer` and `PoolServer`: both run any `Handler`, serve
//! many clients at once, survive failing handlers, and stop when asked.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use socketserver::{Echo, Handler, PoolServer, Stopper, ThreadingServer};
use testkit::echo::all_served_at_once;
use testkit::net::{connect, is_timeout, IO_TIMEOUT};
use testkit::peak::PeakCounter;
use testkit::{deadline::DEFAULT, echo, expect, within};

/// How long `run` may take to return after `stop`.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// How long the test waits for a handler to start when one should.
const START_WAIT: Duration = Duration::from_secs(3);

/// How long the test watches for a handler that should NOT start. Nothing
/// can prove a thing will never happen; a correct pool never starts one, and
/// a wrong one starts it within microseconds. Waiting is the observation.
const QUIET: Duration = Duration::from_millis(200);

type Outcome = thread::Result<io::Result<()>>;

/// A server's `run` on its own thread.
struct Running {
    addr: SocketAddr,
    stopper: Stopper,
    done: mpsc::Receiver<Outcome>,
}

fn launch(
    addr: SocketAddr,
    stopper: Stopper,
    run: impl FnOnce() -> io::Result<()> + Send + 'static,
) -> Running {
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || {
            let _ = report.send(panic::catch_unwind(AssertUnwindSafe(run)));
        })
        .unwrap();
    Running {
        addr,
        stopper,
        done,
    }
}

fn threading(handler: impl Handler) -> Running {
    let server = expect::ok(
        "ThreadingServer::bind(\"127.0.0.1:0\", ..)",
        ThreadingServer::bind("127.0.0.1:0", handler),
        "bind is given; any free loopback port should do",
    );
    launch(server.local_addr(), server.stopper(), move || server.run())
}

fn pool(workers: usize, handler: impl Handler) -> Running {
    let server = expect::ok(
        "PoolServer::bind(\"127.0.0.1:0\", ..)",
        PoolServer::bind("127.0.0.1:0", workers, handler),
        "bind is given; any free loopback port should do",
    );
    launch(server.local_addr(), server.stopper(), move || server.run())
}

impl Running {
    /// Runs `check`; if it fails and the server has died, reports the server.
    #[track_caller]
    fn check<T>(&self, check: impl FnOnce(SocketAddr) -> T) -> T {
        match panic::catch_unwind(AssertUnwindSafe(|| check(self.addr))) {
            Ok(value) => value,
            Err(failure) => {
                match self.done.recv_timeout(Duration::from_millis(200)) {
                    Ok(Err(panic)) => panic::resume_unwind(panic),
                    Ok(Ok(result)) => panic!(
                        "run() returned {result:?} although nobody stopped it\n  \
                         hint: a failing handler ends its conversation, never the server"
                    ),
                    Err(_) => {}
                }
                panic::resume_unwind(failure)
            }
        }
    }

    /// Stops the server and waits for `run` to return `Ok(())`.
    #[track_caller]
    fn stop(self) {
        self.stopper.stop();
        match self.done.recv_timeout(STOP_WAIT) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => {
                panic!("run() returned the error {err:?} after stop(); it should return Ok(())")
            }
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Err(_) => panic!(
                "run() did not return within {} s after stop()\n  \
                 hint: each connection must be tracked (Connections::track) before its \
                 handler runs, so that stop can shut it down; a pool's workers must end \
                 when the queue's sender is dropped, and run must drop it before \
                 joining them",
                STOP_WAIT.as_secs()
            ),
        }
    }
}

/// One round trip, so that a server that is not running fails at once.
#[track_caller]
fn probe(addr: SocketAddr) {
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"probe\n", "a first client");
}

/// Fails unless the server has closed `stream` (end-of-file or a reset).
#[track_caller]
fn expect_closed(stream: &mut TcpStream, who: &str, hint: &str) {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Ok(n) => panic!(
            "{who}: expected the connection to be closed, got {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) if is_timeout(&e) => panic!(
            "{who}: the connection stayed open for {} s\n  hint: {hint}",
            IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("{who}: expected end-of-file, got the error {e}"),
    }
}

/// A gate that handlers wait at until the test opens it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }

    /// Waits until the gate is open; false if `limit` passes first.
    fn wait(&self, limit: Duration) -> bool {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let (guard, _) = changed
            .wait_timeout_while(guard, limit, |open| !*open)
            .unwrap();
        *guard
    }
}

/// A handler that marks itself inside `peak`, says it started, waits at the
/// gate, then answers `served\n` and closes.
fn waiting_handler(peak: PeakCounter, gate: Gate) -> (impl Handler, mpsc::Receiver<()>) {
    let (started, starts) = mpsc::channel();
    let handler = move |mut stream: TcpStream, _peer: SocketAddr| -> io::Result<()> {
        let _inside = peak.enter();
        let _ = started.send(());
        if !gate.wait(DEFAULT) {
            return Err(io::Error::other("the test never opened the gate"));
        }
        stream.write_all(b"served\n")
    };
    (handler, starts)
}

/// Reads the `served\n` of a waiting handler.
#[track_caller]
fn expect_served(stream: TcpStream, who: &str) {
    let mut line = String::new();
    match BufReader::new(stream).read_line(&mut line) {
        Ok(_) if line == "served\n" => {}
        Ok(_) => panic!("{who}: expected \"served\\n\", got {line:?}"),
        Err(e) if is_timeout(&e) => panic!(
            "{who}: no answer within {} s after the handlers were released\n  hint: \
             every connection accepted or waiting must be served in the end: each \
             worker takes the next job when it is done with one",
            IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("{who}: reading the answer failed: {e}"),
    }
}

/// A handler that panics on the line `panic`, fails on `fail`, echoes the rest.
fn moody_handler(stream: TcpStream, _peer: SocketAddr) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 {
        match line.trim_end() {
            "panic" => panic!("a handler panics on purpose (this message is expected)"),
            "fail" => return Err(io::Error::other("a handler fails on purpose")),
            _ => writer.write_all(line.as_bytes())?,
        }
        line.clear();
    }
    Ok(())
}

/// How long a `slow_to_finish` handler works on after its client is gone.
/// Not a synchronisation: it widens the window in which a `run` that does not
/// wait for its handlers would return while one is still running.
const CLEANUP: Duration = Duration::from_millis(200);

/// A handler that marks itself inside `peak`, says it started, echoes until its
/// connection ends, then spends `CLEANUP` on cleanup work before it returns.
fn slow_to_finish(peak: PeakCounter) -> (impl Handler, mpsc::Receiver<()>) {
    let (started, starts) = mpsc::channel();
    let handler = move |stream: TcpStream, _peer: SocketAddr| -> io::Result<()> {
        let _inside = peak.enter();
        let _ = started.send(());
        let _ = io::copy(&mut &stream, &mut &stream);
        thread::sleep(CLEANUP);
        Ok(())
    };
    (handler, starts)
}

/// Connects `clients` clients to a `slow_to_finish` server, waits until every
/// handler runs, stops the server, and checks that no handler is still
/// running once `run` has returned.
#[track_caller]
fn run_returns_after_its_handlers(
    server: Running,
    peak: &PeakCounter,
    starts: &mpsc::Receiver<()>,
    clients: usize,
    hint: &str,
) {
    let _clients: Vec<TcpStream> =
        server.check(|addr| (0..clients).map(|_| connect(addr)).collect());
    for started in 0..clients {
        assert!(
            starts.recv_timeout(START_WAIT).is_ok(),
            "only {started} of {clients} handlers started while {clients} clients were connected"
        );
    }
    server.stop();
    expect::eq(
        "handlers still running after run() returned",
        &peak.current(),
        &0,
        hint,
    );
}

/// Sends `line` and expects the server to close the connection without a reply.
#[track_caller]
fn send_and_expect_closed(addr: SocketAddr, line: &str) {
    let mut client = connect(addr);
    client.write_all(format!("{line}\n").as_bytes()).unwrap();
    expect_closed(
        &mut client,
        &format!("a client that sent {line:?}"),
        "when the handler panics or fails, its connection is dropped, which closes it",
    );
}

// ---------------------------------------------------------------- threading

#[test]
fn threading_serves_a_hundred_clients_at_once() {
    within(
        Duration::from_secs(20),
        "ThreadingServer<Echo>, 100 clients",
        || {
            // 100 clients and their 100 server-side sockets, in this process.
            testkit::limits::raise_fd_limit(1024);
            let server = threading(Echo);
            server.check(|addr| {
                probe(addr);
                all_served_at_once(addr, 100, 5);
            });
            server.stop();
        },
    );
}

#[test]
fn threading_a_silent_client_blocks_no_one() {
    within(DEFAULT, "ThreadingServer<Echo> and a silent client", || {
        let server = threading(Echo);
        server.check(echo::silent_client_blocks_no_one);
        server.stop();
    });
}

#[test]
fn threading_a_vanishing_client_crashes_nothing() {
    within(
        DEFAULT,
        "ThreadingServer<Echo> and a vanishing client",
        || {
            let server = threading(Echo);
            server.check(echo::vanishing_client_crashes_nothing);
            server.stop();
        },
    );
}

#[test]
fn threading_runs_every_handler_at_once() {
    within(DEFAULT, "12 handlers at once on a ThreadingServer", || {
        let peak = PeakCounter::new();
        let gate = Gate::default();
        let (handler, starts) = waiting_handler(peak.clone(), gate.clone());
        let server = threading(handler);
        let clients: Vec<TcpStream> = server.check(|addr| (0..12).map(|_| connect(addr)).collect());
        for started in 0..12 {
            if starts.recv_timeout(START_WAIT).is_err() {
                gate.open();
                panic!(
                    "only {started} of 12 handlers started while 12 clients were \
                     connected\n  hint: a ThreadingServer starts a thread per connection \
                     at once, and that thread runs the handler"
                );
            }
        }
        gate.open();
        for (i, client) in clients.into_iter().enumerate() {
            expect_served(client, &format!("client {i}"));
        }
        expect::eq(
            "the most handlers running at once",
            &peak.peak(),
            &12,
            "one thread per connection, each running its handler",
        );
        server.stop();
    });
}

#[test]
fn threading_survives_panicking_and_failing_handlers() {
    within(DEFAULT, "ThreadingServer after handlers panicked", || {
        let server = threading(moody_handler);
        server.check(|addr| {
            send_and_expect_closed(addr, "panic");
            send_and_expect_closed(addr, "fail");
            send_and_expect_closed(addr, "panic");
            all_served_at_once(addr, 5, 2);
        });
        server.stop();
    });
}

#[test]
fn threading_stop_ends_conversations_in_progress() {
    within(DEFAULT, "stop() with 3 clients connected", || {
        let server = threading(Echo);
        let mut clients: Vec<TcpStream> = server.check(|addr| {
            (0..3)
                .map(|i| {
                    let mut client = connect(addr);
                    echo::round_trip(&mut client, b"hello\n", &format!("client {i}"));
                    client
                })
                .collect()
        });
        server.stop();
        for (i, client) in clients.iter_mut().enumerate() {
            expect_closed(
                client,
                &format!("client {i}, connected when the server stopped"),
                "stop shuts down every tracked connection; track each one before its \
                 handler runs",
            );
        }
    });
}

#[test]
fn threading_run_returns_only_after_its_handlers() {
    within(DEFAULT, "run() waiting for 3 handlers after stop()", || {
        let peak = PeakCounter::new();
        let (handler, starts) = slow_to_finish(peak.clone());
        run_returns_after_its_handlers(
            threading(handler),
            &peak,
            &starts,
            3,
            "keep every handler thread's JoinHandle and join them all after \
             serve_forever returns: no handler may outlive run",
        );
    });
}

#[test]
fn threading_stop_before_run_returns_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = expect::ok(
            "ThreadingServer::bind",
            ThreadingServer::bind("127.0.0.1:0", Echo),
            "bind is given",
        );
        server.stopper().stop();
        launch(server.local_addr(), server.stopper(), move || server.run()).stop();
    });
}

// --------------------------------------------------------------------- pool

#[test]
fn pool_serves_a_hundred_clients() {
    within(
        Duration::from_secs(20),
        "PoolServer<Echo> of 8, 100 clients",
        || {
            testkit::limits::raise_fd_limit(1024);
            let server = pool(8, Echo);
            server.check(|addr| {
                probe(addr);
                // All 100 connect first; 8 are served at a time, the rest wait in
                // the queue and the backlog, and are served as others leave.
                echo::many_clients_in_turn(addr, 100, 5);
            });
            server.stop();
        },
    );
}

#[test]
fn pool_a_silent_client_blocks_no_one() {
    within(DEFAULT, "PoolServer<Echo> of 4 and a silent client", || {
        let server = pool(4, Echo);
        server.check(echo::silent_client_blocks_no_one);
        server.stop();
    });
}

#[test]
fn pool_a_vanishing_client_crashes_nothing() {
    within(
        DEFAULT,
        "PoolServer<Echo> of 2 and a vanishing client",
        || {
            let server = pool(2, Echo);
            server.check(echo::vanishing_client_crashes_nothing);
            server.check(|addr| echo::many_clients_in_turn(addr, 4, 2));
            server.stop();
        },
    );
}

#[test]
fn pool_runs_exactly_n_handlers_at_once() {
    const N: usize = 4;
    const EXTRA: usize = 5;
    within(DEFAULT, "a pool of 4 with 9 clients", || {
        let peak = PeakCounter::new();
        let gate = Gate::default();
        let (handler, starts) = waiting_handler(peak.clone(), gate.clone());
        let server = pool(N, handler);
        let clients: Vec<TcpStream> =
            server.check(|addr| (0..N + EXTRA).map(|_| connect(addr)).collect());
        for started in 0..N {
            if starts.recv_timeout(START_WAIT).is_err() {
                gate.open();
                panic!(
                    "only {started} handlers started while {} clients were connected; a \
                     pool of {N} should run {N} at once\n  hint: start {N} workers \
                     before the accept loop, each taking jobs from the shared queue",
                    N + EXTRA
                );
            }
        }
        // N handlers are inside and blocked: no other may start now.
        if starts.recv_timeout(QUIET).is_ok() {
            gate.open();
            panic!(
                "a handler started while {N} were running; the pool ran {} at once\n  \
                 hint: only the {N} workers run handlers; the accept loop only queues \
                 connections (never a thread per connection)",
                peak.peak()
            );
        }
        gate.open();
        for (i, client) in clients.into_iter().enumerate() {
            expect_served(client, &format!("client {i} of {}", N + EXTRA));
        }
        expect::eq(
            "the most handlers running at once",
            &peak.peak(),
            &N,
            "a pool of N workers runs at most N handlers, and runs N when N + 5 wait",
        );
        server.stop();
    });
}

#[test]
fn pool_survives_panicking_and_failing_handlers() {
    within(DEFAULT, "a pool of 2 after 4 handler panics", || {
        let server = pool(2, moody_handler);
        server.check(|addr| {
            // More panics than workers: if a panic killed a worker, nobody
            // would be left to serve the clients after them.
            for _ in 0..4 {
                send_and_expect_closed(addr, "panic");
            }
            send_and_expect_closed(addr, "fail");
            echo::many_clients_in_turn(addr, 4, 2);
        });
        server.stop();
    });
}

#[test]
fn pool_stop_ends_busy_and_waiting_connections() {
    within(
        DEFAULT,
        "stop() with every worker busy and the queue full",
        || {
            let server = pool(2, Echo);
            let mut clients: Vec<TcpStream> = server.check(|addr| {
                let mut clients = Vec::new();
                // Two clients the workers are busy with (their echo proves it)...
                for i in 0..2 {
                    let mut client = connect(addr);
                    echo::round_trip(&mut client, b"hello\n", &format!("busy client {i}"));
                    clients.push(client);
                }
                // ...and four more: two in the queue, one in the accept loop's
                // hands (waiting for room in the queue), one in the backlog.
                clients.extend((0..4).map(|_| connect(addr)));
                clients
            });
            server.stop();
            for (i, client) in clients.iter_mut().enumerate() {
                expect_closed(
                    client,
                    &format!("client {i} of 6, when the pool of 2 stopped"),
                    "stop shuts down the tracked connections; then each worker takes \
                 the queued ones, sees the stop (track returns None) and drops them",
                );
            }
        },
    );
}

#[test]
fn pool_run_returns_only_after_its_handlers() {
    within(
        DEFAULT,
        "run() waiting for 2 busy workers after stop()",
        || {
            let peak = PeakCounter::new();
            let (handler, starts) = slow_to_finish(peak.clone());
            run_returns_after_its_handlers(
                pool(2, handler),
                &peak,
                &starts,
                2,
                "after serve_forever returns, drop the queue's sender, then join every \
             worker: no handler may outlive run",
            );
        },
    );
}

#[test]
fn pool_stop_before_run_returns_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = expect::ok(
            "PoolServer::bind",
            PoolServer::bind("127.0.0.1:0", 3, Echo),
            "bind is given",
        );
        server.stopper().stop();
        launch(server.local_addr(), server.stopper(), move || server.run()).stop();
    });
}
