//! Step 1: a greeting.

// ANCHOR: greeting
/// Greets someone by name: `greeting("Ferris")` is `"Hello, Ferris!"`.
///
/// * Whitespace around the name is dropped: `greeting("  Ferris\n")` is
///   `"Hello, Ferris!"`. Whitespace inside the name stays as it is.
/// * A name that is empty, or only whitespace, greets the world:
///   `greeting("")` is `"Hello, world!"`.
pub fn greeting(name: &str) -> String {
    // `trim` returns a slice of `name`: no copy is made until `format!` builds
    // the one String we return.
    let name = name.trim();
    let who = if name.is_empty() { "world" } else { name };
    format!("Hello, {who}!")
}
// ANCHOR_END: greeting
