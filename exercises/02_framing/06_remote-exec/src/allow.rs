//! The allow-list: which programs a client may run, under which names, with
//! which arguments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Limits, Request};

// ANCHOR: arguments
/// Which arguments a client may pass to an allowed program. The operator decides
/// for each program when writing the list: there is no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arguments {
    /// None at all: the program runs exactly as named. For programs whose
    /// operands can change things, not only report them: `date 010100002030`
    /// sets the clock, `touch FILE` creates a file, `kill PID` ends a process.
    Forbidden,
    /// Operands only: arguments that do not start with `-`. For programs whose
    /// every operand is harmless (`echo` prints them, `seq` counts to them).
    Operands,
    /// Any argument, options included. For programs whose every option is
    /// harmless too (`uname -a` only chooses what to print).
    Any,
}
// ANCHOR_END: arguments

/// One allowed program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    path: PathBuf,
    arguments: Arguments,
}

impl Rule {
    /// The absolute path of the executable.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which arguments clients may pass to it.
    pub fn arguments(&self) -> Arguments {
        self.arguments
    }
}

/// Names a client may ask for, each mapped to an absolute path chosen by whoever
/// runs the server. A client never names a path, so it can never pick a program
/// of its own, and no `PATH` lookup can be fooled into finding another one.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    rules: HashMap<String, Rule>,
}

impl AllowList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows clients to run `path` as `name`, with the `arguments` it may take;
    /// see [`AllowList::check`].
    ///
    /// # Panics
    /// If `path` is not absolute: a relative path would be resolved against the
    /// server's working directory or `PATH` at run time, which is what an
    /// allow-list exists to prevent.
    pub fn allow(mut self, name: &str, path: impl Into<PathBuf>, arguments: Arguments) -> Self {
        let path = path.into();
        assert!(
            path.is_absolute(),
            "allow-list entries need an absolute path, got {path:?} for {name:?}"
        );
        self.rules
            .insert(name.to_string(), Rule { path, arguments });
        self
    }

    /// The rule for `name`, if it is on the list.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.get(name)
    }

    /// Decides whether `request` may run, and if so, which program.
    ///
    /// Returns the rule for `request.program` when all of these hold; otherwise
    /// `Err` with a reason fit to send back to the client:
    /// * `request.program` is, exactly, a name on the list (a path such as
    ///   `/bin/echo` or a different spelling such as `ECHO` is not);
    /// * there are at most `limits.max_args` arguments;
    /// * there are no arguments at all if the rule's arguments are
    ///   [`Arguments::Forbidden`] (an empty string is an argument too);
    /// * no argument contains a NUL byte (a C string, and so `execve`, cannot
    ///   carry one);
    /// * no argument starts with `-`, unless the rule's arguments are
    ///   [`Arguments::Any`].
    pub fn check(&self, _request: &Request, _limits: &Limits) -> Result<&Rule, String> {
        todo!("AllowList::check: look the name up exactly, then check the arguments against the rule (lesson 02.6, 'Arguments are input too')")
    }
}
