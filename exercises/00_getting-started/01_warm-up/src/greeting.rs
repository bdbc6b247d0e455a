//! Step 1: a greeting.

/// Greets someone by name: `greeting("Ferris")` is `"Hello, Ferris!"`.
///
/// * Whitespace around the name is dropped: `greeting("  Ferris\n")` is
///   `"Hello, Ferris!"`. Whitespace inside the name stays as it is.
/// * A name that is empty, or only whitespace, greets the world:
///   `greeting("")` is `"Hello, world!"`.
pub fn greeting(name: &str) -> String {
    todo!(
        "write greeting() as its doc comment says (called with {name:?}; \
         lesson 00.1, 'A first attempt')"
    )
}
