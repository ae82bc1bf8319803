//! `--what-if RULE`: run the demo with one of asyncio's scheduling rules broken, then show on stderr
//! what changed (a unified diff against the same seed under asyncio's rules) and why asyncio keeps the
//! rule. `--what-if list` lists the rules.

use minimalist_async::Rule;

/// What `--what-if` asked for.
#[derive(Clone, Copy, Debug)]
pub enum WhatIf {
    /// `--what-if list`: print the rules and stop.
    List,
    /// Run with this rule broken.
    Break(Rule),
}

/// `list`, or a rule's name; otherwise one line naming the valid values.
pub fn parse(text: &str) -> Result<WhatIf, String> {
    if text == "list" {
        return Ok(WhatIf::List);
    }
    Rule::from_name(text).map(WhatIf::Break).ok_or_else(|| {
        let names: Vec<&str> = Rule::ALL.iter().map(|rule| rule.name()).collect();
        format!(
            "no rule '{}'; the rules are {} (or: list)",
            minimalist_async::demo::shown(text),
            names.join(", ")
        )
    })
}

/// Prints every rule with what breaking it does, then exits 0.
pub fn list_and_exit() -> ! {
    println!("rules that --what-if can break (each makes the port print what asyncio prints):");
    for rule in Rule::ALL {
        println!("  {:<17} {}", rule.name(), first_sentence(rule.explanation()));
    }
    std::process::exit(0);
}

fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |end| &text[..=end])
}

/// On stderr: the diff from asyncio's transcript to this run's, and the rule's explanation.
pub fn report(rule: Rule, asyncio: &[String], broken: &[String]) {
    eprintln!("what if: {} (one of asyncio's rules broken)", rule.name());
    if asyncio == broken {
        eprintln!(
            "the output is the same as under asyncio's rules: for this seed the rule did not matter"
        );
    } else {
        eprint!(
            "{}",
            unified_diff(asyncio, broken, "asyncio's rules", &format!("{} broken", rule.name()))
        );
    }
    eprintln!("{}", rule.explanation());
}

/// A unified diff of two lists of lines (three lines of context), as `diff -u` prints it.
pub fn unified_diff(old: &[String], new: &[String], old_name: &str, new_name: &str) -> String {
    // The longest common subsequence, by dynamic programming: transcripts are a few dozen lines.
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script: (' ' | '-' | '+', old index, new index).
    let mut edits = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            edits.push((' ', i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals first, as `diff -u` prints them.
            edits.push(('-', i, j));
            i += 1;
        } else {
            edits.push(('+', i, j));
            j += 1;
        }
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let changed: Vec<usize> = (0..edits.len()).filter(|&k| edits[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        // A hunk: changes closer than seven lines share their context.
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 7 {
            k += 1;
            end = changed[k];
        }
        let end = (end + 4).min(edits.len());
        let hunk = &edits[start..end];
        let old_len = hunk.iter().filter(|e| e.0 != '+').count();
        let new_len = hunk.iter().filter(|e| e.0 != '-').count();
        out.push_str(&format!("@@ -{},{old_len} +{},{new_len} @@\n", hunk[0].1 + 1, hunk[0].2 + 1));
        for &(kind, i, j) in hunk {
            let line = if kind == '+' { &new[j] } else { &old[i] };
            out.push_str(&format!("{kind}{line}\n"));
        }
        k += 1;
    }
    out
}
