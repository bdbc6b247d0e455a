//! The allow-list: which programs a client may run, under which names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Limits, Request};

/// One allowed program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    path: PathBuf,
    accepts_options: bool,
}

impl Rule {
    /// The absolute path of the executable.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether clients may pass arguments that start with `-`.
    pub fn accepts_options(&self) -> bool {
        self.accepts_options
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

    /// Allows clients to run `path` as `name`. Arguments that look like options
    /// (start with `-`) will be refused; see [`AllowList::check`].
    ///
    /// # Panics
    /// If `path` is not absolute: a relative path would be resolved against the
    /// server's working directory or `PATH` at run time, which is what an
    /// allow-list exists to prevent.
    pub fn allow(self, name: &str, path: impl Into<PathBuf>) -> Self {
        self.insert(name, path.into(), false)
    }

    /// Like [`AllowList::allow`], but arguments starting with `-` are passed on.
    /// Only for programs whose every option is harmless.
    pub fn allow_with_options(self, name: &str, path: impl Into<PathBuf>) -> Self {
        self.insert(name, path.into(), true)
    }

    fn insert(mut self, name: &str, path: PathBuf, accepts_options: bool) -> Self {
        assert!(
            path.is_absolute(),
            "allow-list entries need an absolute path, got {path:?} for {name:?}"
        );
        self.rules.insert(
            name.to_string(),
            Rule {
                path,
                accepts_options,
            },
        );
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
    /// * no argument contains a NUL byte (a C string, and so `execve`, cannot
    ///   carry one);
    /// * no argument starts with `-`, unless the rule accepts options.
    pub fn check(&self, _request: &Request, _limits: &Limits) -> Result<&Rule, String> {
        todo!("look the name up, then validate the arguments; see the lesson 'Remote commands, safely'")
    }
}
