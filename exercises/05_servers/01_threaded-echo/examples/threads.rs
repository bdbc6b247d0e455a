//! Threads in Rust, the parts a server needs: spawn, move, join, panics,
//! names, detaching, and borrowing with scoped threads.
//!
//! ```text
//! cargo run --example threads
//! ```

use std::thread;
use std::time::Duration;

fn main() {
    spawn_and_join();
    move_into_a_thread();
    a_panic_stops_at_join();
    builder_and_detach();
    scoped_threads_borrow();
}

// ANCHOR: spawn_and_join
fn spawn_and_join() {
    // The thread starts running at once; `spawn` returns a handle to it.
    let handle = thread::spawn(|| {
        let sum: u64 = (1..=1_000).sum();
        sum // the thread's result
    });
    // `join` waits for the thread to end and hands over its result.
    let sum = handle.join().expect("the thread panicked");
    println!("the thread summed to {sum}");
}
// ANCHOR_END: spawn_and_join

// ANCHOR: move
fn move_into_a_thread() {
    let greeting = String::from("hello from a thread");
    // `move` gives the closure ownership of `greeting`. Without it the closure
    // would borrow it, and the compiler refuses: the thread may outlive this
    // function, and with it the borrowed string.
    let handle = thread::spawn(move || println!("{greeting}"));
    handle.join().unwrap();
    // `greeting` belongs to the thread now; using it here would not compile.
}
// ANCHOR_END: move

// ANCHOR: panic_at_join
fn a_panic_stops_at_join() {
    let handle = thread::spawn(|| {
        panic!("something went wrong in the thread (this message is expected)");
    });
    // The panic unwound the thread's stack and ended that thread only. `join`
    // reports it as an `Err` holding the panic's payload.
    match handle.join() {
        Ok(()) => println!("the thread finished"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or("(not a string)");
            println!("the thread panicked: {message}; this thread goes on");
        }
    }
}
// ANCHOR_END: panic_at_join

// ANCHOR: builder
fn builder_and_detach() {
    let spawned = thread::Builder::new()
        .name("worker 1".to_string()) // shown in panic messages, `top -H`, debuggers
        .stack_size(256 * 1024) // the default for spawned threads is 2 MiB
        .spawn(|| {
            let me = thread::current();
            println!("running as {:?}", me.name());
        });
    match spawned {
        // Dropping the handle detaches the thread: it runs on, nobody waits
        // for it, and it dies with the process if `main` returns first.
        Ok(handle) => drop(handle),
        // `thread::spawn` would panic here; `Builder::spawn` says why instead.
        Err(err) => eprintln!("no thread: {err}"),
    }
    // Give the detached thread a moment to print (an example, not a test).
    thread::sleep(Duration::from_millis(50));
}
// ANCHOR_END: builder

// ANCHOR: scope
fn scoped_threads_borrow() {
    let words = vec!["accept", "spawn", "serve"];
    let mut lengths = Vec::new();
    // Threads spawned in a scope may borrow from outside it: the scope joins
    // them all before it returns, so the borrowed data outlives them.
    thread::scope(|scope| {
        let counter = scope.spawn(|| words.iter().map(|w| w.len()).sum::<usize>());
        lengths.push(counter.join().unwrap());
    });
    println!("{} letters in {:?}", lengths[0], words);
}
// ANCHOR_END: scope
