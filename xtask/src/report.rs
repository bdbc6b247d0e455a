//! The verdict of `cargo xtask verify`: one table, the misses, one closing line.
//!
//! The closing line `verify: N passed, M failed` stands alone so that CI (and a
//! person scrolling back) finds the result at the bottom; every miss above it says
//! in plain words what is wrong and, where there is one, the command that fixes it.

/// A course-wide check and what it found.
pub struct Check {
    pub name: &'static str,
    pub problems: Vec<String>,
}

/// One exercise's row of the table, and its misses.
pub struct Row {
    pub name: String,
    /// Tests that ran (the larger count of the stub's and the solution's runs).
    pub tests: Option<usize>,
    pub failing_on_stub: Option<usize>,
    /// Tests passing on the stub, and how many `[passes-on-stub]` lists.
    pub passing_on_stub: Option<(usize, usize)>,
    /// `passed/total`, `hung`, `no build` or `–`.
    pub solution: String,
    pub seconds: f64,
    /// Each miss, in plain words.
    pub reasons: Vec<String>,
    /// Why the exercise was not run here, if it was not.
    pub skipped: Option<String>,
}

/// Prints the table, the misses and the closing line; returns whether all passed.
pub fn print(rows: &[Row], checks: &[Check], notes: &[&str]) -> bool {
    let header = [
        "exercise",
        "tests",
        "failing on stub",
        "passing on stub (listed)",
        "solution passes",
        "seconds",
    ];
    let body: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let mark = if r.skipped.is_some() {
                "–"
            } else if r.reasons.is_empty() {
                "✓"
            } else {
                "✗"
            };
            let opt = |v: Option<usize>| v.map_or("–".to_string(), |v| v.to_string());
            [
                format!("{mark} {}", r.name),
                opt(r.tests),
                opt(r.failing_on_stub),
                r.passing_on_stub
                    .map_or("–".to_string(), |(p, l)| format!("{p} ({l})")),
                r.solution.clone(),
                format!("{:.1}", r.seconds),
            ]
        })
        .collect();
    println!();
    print_table(&header, &body);

    let mut misses = Vec::new();
    for row in rows {
        for reason in &row.reasons {
            misses.push(format!("{}: {reason}", row.name));
        }
    }
    for check in checks {
        for problem in &check.problems {
            misses.push(format!("{}: {problem}", check.name));
        }
    }
    let skipped: Vec<&Row> = rows.iter().filter(|r| r.skipped.is_some()).collect();
    for row in &skipped {
        println!(
            "note: {}: {}",
            row.name,
            row.skipped.as_deref().unwrap_or_default()
        );
    }
    for note in notes {
        println!("note: {note}");
    }
    if !misses.is_empty() {
        println!("\nmisses:");
        for miss in &misses {
            let mut lines = miss.lines();
            println!("  ✗ {}", lines.next().unwrap_or_default());
            for line in lines {
                println!("      {line}");
            }
        }
    }

    let ran = rows.iter().filter(|r| r.skipped.is_none());
    let ex_failed = ran.clone().filter(|r| !r.reasons.is_empty()).count();
    let ex_passed = ran.count() - ex_failed;
    let checks_failed = checks.iter().filter(|c| !c.problems.is_empty()).count();
    let checks_passed = checks.len() - checks_failed;
    let passed = ex_passed + checks_passed;
    let failed = ex_failed + checks_failed;
    println!();
    if skipped.is_empty() {
        println!("verify: {passed} passed, {failed} failed");
    } else {
        println!(
            "verify: {passed} passed, {failed} failed, {} skipped",
            skipped.len()
        );
    }
    failed == 0
}

/// A plain-text table, left-aligned names and right-aligned numbers.
fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header.to_vec());
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(rules.iter().map(String::as_str).collect());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
