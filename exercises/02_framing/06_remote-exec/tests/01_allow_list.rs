//! Step 1, `AllowList::check`: which requests may run at all, and with which
//! arguments. No processes, no sockets.
//!
//! The lesson: (lesson 02.6, 'An allow-list, not a deny-list') and
//! (lesson 02.6, 'Arguments are input too').

use remote_exec::{AllowList, Arguments, Limits, Request};
use testkit::expect;

fn list() -> AllowList {
    AllowList::new()
        .allow("echo", "/bin/echo", Arguments::Operands)
        .allow("ls", "/bin/ls", Arguments::Any)
        .allow("date", "/bin/date", Arguments::Forbidden)
}

#[test]
fn a_name_on_the_list_gives_its_program() {
    let list = list();
    let rule = expect::ok(
        "check for `echo hello`",
        list.check(&Request::new("echo", &["hello"]), &Limits::default()),
        "look the program's name up in the list and return its rule",
    );
    expect::eq(
        "the path of the rule for \"echo\"",
        rule.path(),
        std::path::Path::new("/bin/echo"),
        "return the rule stored under the requested name",
    );
    expect::eq(
        "the rule check returns for `echo hello`, next to the list's rule(\"echo\")",
        &Some(rule),
        &list.rule("echo"),
        "check returns the very rule the list holds for that name (the one rule() \
         finds), with its path and its Arguments",
    );
    expect::eq(
        "the arguments of the rule for \"echo\"",
        &rule.arguments(),
        &Arguments::Operands,
        "return the rule stored under the requested name",
    );
}

#[test]
fn names_not_exactly_on_the_list_are_refused() {
    let list = list();
    for name in [
        "rm",
        "/bin/echo",
        "./echo",
        "../echo",
        "ECHO",
        "echo ",
        " echo",
        "",
        "sh",
    ] {
        let result = list.check(&Request::new(name, &[]), &Limits::default());
        expect::that(
            result.is_err(),
            &format!("check for the program {name:?} must be refused"),
            &result,
            "compare the name exactly with the list's keys: no paths, no trimming, no \
             case folding; whatever is not there is refused",
        );
    }
}

#[test]
fn option_like_arguments_need_a_program_that_accepts_any_argument() {
    let list = list();
    let limits = Limits::default();
    for args in [&["-n", "x"][..], &["x", "--help"], &["-"], &["--", "x"]] {
        let result = list.check(&Request::new("echo", args), &limits);
        expect::that(
            result.is_err(),
            &format!("check for echo {args:?} must be refused: echo takes operands, no options"),
            &result,
            "an argument starting with '-' is an option; options are how programs like \
             find (-delete) or tar (--to-command) do harm without any shell",
        );
    }
    for args in [&["a-b", "x-"][..], &["", " -x"], &["日本語"]] {
        expect::ok(
            &format!("check for echo {args:?} (no argument starts with '-')"),
            list.check(&Request::new("echo", args), &limits),
            "only a LEADING '-' makes an option",
        );
    }
    expect::ok(
        "check for ls [\"-l\", \"-a\"], allowed with Arguments::Any",
        list.check(&Request::new("ls", &["-l", "-a"]), &limits),
        "a rule with Arguments::Any accepts arguments that start with '-'",
    );
}

#[test]
fn arguments_with_a_nul_byte_are_refused() {
    let list = list();
    for arg in ["a\0b", "\0", "x\0"] {
        let result = list.check(&Request::new("echo", &[arg]), &Limits::default());
        expect::that(
            result.is_err(),
            &format!("check for echo {arg:?} must be refused"),
            &result,
            "a C string ends at the first NUL, so execve cannot pass this argument as \
             given; refuse it instead of letting it be cut short or fail later",
        );
    }
}

#[test]
fn at_most_max_args_arguments_are_allowed() {
    let list = list();
    let limits = Limits {
        max_args: 3,
        ..Limits::default()
    };
    expect::ok(
        "check for echo with exactly max_args = 3 arguments",
        list.check(&Request::new("echo", &["a", "b", "c"]), &limits),
        "max_args arguments are still allowed",
    );
    let result = list.check(&Request::new("echo", &["a", "b", "c", "d"]), &limits);
    expect::that(
        result.is_err(),
        "check for echo with 4 arguments and max_args = 3 must be refused",
        &result,
        "compare request.args.len() with limits.max_args",
    );
}

#[test]
fn a_program_allowed_without_arguments_takes_none() {
    let list = list();
    let limits = Limits::default();
    expect::ok(
        "check for a bare `date` (allowed with Arguments::Forbidden)",
        list.check(&Request::new("date", &[]), &limits),
        "a program allowed without arguments may still run, exactly as named",
    );
    // Operands instruct a program as much as options do: the shape MMDDhhmmCCYY
    // sets the clock. Month 13 here, as in every test: nothing is run in this
    // file, but a copied example should not set anyone's clock either.
    for args in [
        &["133100002030"][..],
        &["+%s"],
        &["-s", "2030-13-01"],
        &[""],
    ] {
        let result = list.check(&Request::new("date", args), &limits);
        expect::that(
            result.is_err(),
            &format!("check for date {args:?} must be refused: date takes no arguments"),
            &result,
            "look at the rule's arguments(): Forbidden means no argument at all, not \
             even one without a '-' (date MMDDhhmmCCYY sets the clock) and not even \
             an empty string",
        );
    }
}
