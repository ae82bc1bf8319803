//! Reporting: the table on stdout, the JSON file and the SVG plot.

use std::fmt::Write as _;

use crate::machine::Machine;
use crate::measure::Summary;
use crate::runtimes::{Clock, Runtime, TokioCurrentThread};

/// One line of the report: a workload at one size on one executor, measured or left out.
pub struct Row {
    pub workload: &'static str,
    pub op: &'static str,
    pub clock: Clock,
    pub n: usize,
    pub executor: &'static str,
    /// The medians, or why this executor sat the workload out.
    pub result: Result<Summary, &'static str>,
    /// `ns_per_op` over tokio-current-thread's for the same workload and size.
    pub ratio_to_tokio: Option<f64>,
    /// `(base_n, ratio)`: `ns_per_op` over the same executor's at the workload's smallest size `base_n`,
    /// on the rows of a workload run at several sizes (timer_scaling: 1M over 1k), other than that one.
    pub growth: Option<(usize, f64)>,
}

/// Fills in every measured row's ratio to tokio-current-thread (plain spawn) at the same workload and n.
pub fn add_ratios(rows: &mut [Row]) {
    let baselines: Vec<(&str, usize, f64)> = rows
        .iter()
        .filter(|row| row.executor == TokioCurrentThread::NAME)
        .filter_map(|row| Some((row.workload, row.n, row.result.as_ref().ok()?.ns_per_op)))
        .collect();
    for row in rows {
        let Ok(summary) = &row.result else { continue };
        row.ratio_to_tokio = baselines
            .iter()
            .find(|(workload, n, _)| *workload == row.workload && *n == row.n)
            .map(|(_, _, tokio)| summary.ns_per_op / tokio);
    }
}

/// Fills in the growth of every measured row of a workload run at several sizes: its ns/op over the
/// same executor's at the smallest size.
pub fn add_growth(rows: &mut [Row]) {
    let mut bases: Vec<(&str, &str, usize, f64)> = Vec::new();
    for row in rows.iter() {
        let Ok(summary) = &row.result else { continue };
        match bases.iter_mut().find(|(w, e, _, _)| *w == row.workload && *e == row.executor) {
            Some(base) if base.2 <= row.n => {}
            Some(base) => *base = (row.workload, row.executor, row.n, summary.ns_per_op),
            None => bases.push((row.workload, row.executor, row.n, summary.ns_per_op)),
        }
    }
    for row in rows {
        let Ok(summary) = &row.result else { continue };
        row.growth = bases
            .iter()
            .find(|(w, e, n, _)| *w == row.workload && *e == row.executor && *n < row.n)
            .map(|(_, _, n, base)| (*n, summary.ns_per_op / base));
    }
}

/// One line per workload run at several sizes: each executor's growth from the smallest size to the
/// largest (timer_scaling: ns/op at 1M over ns/op at 1k).
pub fn growth_summary(rows: &[Row]) -> Vec<String> {
    let mut workloads: Vec<&str> = Vec::new();
    for row in rows.iter().filter(|row| row.growth.is_some()) {
        if !workloads.contains(&row.workload) {
            workloads.push(row.workload);
        }
    }
    workloads
        .into_iter()
        .map(|workload| {
            let grown: Vec<(&Row, (usize, f64))> = rows
                .iter()
                .filter(|row| row.workload == workload)
                .filter_map(|row| Some((row, row.growth?)))
                .collect();
            let largest = grown.iter().map(|(row, _)| row.n).max().unwrap_or(0);
            let entries: Vec<String> = grown
                .iter()
                .filter(|(row, _)| row.n == largest)
                .map(|(row, (_, growth))| format!("{} {growth:.2}×", row.executor))
                .collect();
            format!(
                "{workload}: ns/op at {} over ns/op at {}: {}",
                short_count(largest),
                short_count(grown[0].1.0),
                entries.join(", ")
            )
        })
        .collect()
}

/// `1000000` → `1M`, `10000` → `10k`.
pub fn short_count(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// A workload-specific figure as the table shows it.
fn metric_text(name: &str, value: f64) -> String {
    match name {
        "allocs_per_spawn" => format!("allocs/spawn {value:.2}"),
        "allocs_per_wake" => format!("allocs/wake {value:.3}"),
        "allocs_per_timer" => format!("allocs/timer {value:.2}"),
        "allocs_per_sleep" => format!("allocs/sleep {value:.2}"),
        "peak_bytes_per_task" => format!("peak {value:.0} B/task"),
        "early_sleeps" => format!("early {value:.0}"),
        "sleeps" => format!("sleeps {value:.0}"),
        "late_p50_us" => format!("late p50 {value:.0} µs"),
        "late_p99_us" => format!("p99 {value:.0} µs"),
        "late_max_us" => format!("max {value:.0} µs"),
        "late_min_us" => format!("min {value:.0} µs"),
        "cpu_ms" => format!("CPU {value:.0} ms"),
        "cpu_percent" => format!("({value:.1} % of a core)"),
        other => format!("{other} {value:.3}"),
    }
}

fn ns_text(ns: f64) -> String {
    if ns >= 100.0 { format!("{ns:.0}") } else { format!("{ns:.1}") }
}

/// The table, as printed on stdout and pasted into BENCHMARKS.md (a Markdown table reads well in both).
pub fn table(rows: &[Row]) -> String {
    let mut lines = vec![
        "| workload | executor | n | ns/op (median) | vs tokio | allocs/op | details |".to_owned(),
        "|---|---|--:|--:|--:|--:|---|".to_owned(),
    ];
    for row in rows {
        let workload = match (row.workload, row.clock) {
            ("timers_real", _) => "timers_real (CPU ns)".to_owned(),
            (name, Clock::Virtual) => format!("{name} (virtual)"),
            (name, Clock::Real) => name.to_owned(),
        };
        let n = short_count(row.n);
        let line = match &row.result {
            Ok(s) => {
                let ratio =
                    row.ratio_to_tokio.map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"));
                let mut details: Vec<String> =
                    s.metrics.iter().map(|(k, v)| metric_text(k, *v)).collect();
                if let Some((base_n, growth)) = row.growth {
                    details.push(format!("{growth:.2}× its {} ns/op", short_count(base_n)));
                }
                format!(
                    "| {workload} | {} | {n} | {} | {ratio} | {:.2} | {} |",
                    row.executor,
                    ns_text(s.ns_per_op),
                    s.allocs_per_op,
                    details.join(", ")
                )
            }
            Err(why) => {
                format!("| {workload} | {} | {n} | — | — | — | left out: {why} |", row.executor)
            }
        };
        lines.push(line);
    }
    lines.join("\n") + "\n"
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { "null".to_owned() }
}

/// A JSON array with one object per measured row (left-out rows are not in it).
pub fn json(rows: &[Row], machine: &Machine) -> String {
    let mut objects = Vec::new();
    for row in rows {
        let Ok(s) = &row.result else { continue };
        let mut fields = vec![
            ("workload", json_string(row.workload)),
            ("executor", json_string(row.executor)),
            ("n", row.n.to_string()),
            ("ns_per_op", json_number(s.ns_per_op)),
            ("allocs_per_op", json_number(s.allocs_per_op)),
            ("ratio_to_tokio", row.ratio_to_tokio.map_or("null".to_owned(), json_number)),
            ("ns_per_op_min", json_number(s.ns_per_op_min)),
            ("ns_per_op_max", json_number(s.ns_per_op_max)),
            ("rounds", s.rounds.to_string()),
            (
                "clock",
                json_string(match row.clock {
                    Clock::Real => "real",
                    Clock::Virtual => "virtual",
                }),
            ),
            ("op", json_string(row.op)),
            (
                "ns_per_op_measures",
                json_string(if row.workload == "timers_real" { "cpu" } else { "wall" }),
            ),
            ("machine", json_string(&machine.one_line())),
            ("date", json_string(&machine.date)),
        ];
        for (name, value) in &s.metrics {
            fields.push((name, json_number(*value)));
        }
        if let Some((base_n, growth)) = row.growth {
            fields.push(("growth", json_number(growth)));
            fields.push(("growth_base_n", base_n.to_string()));
        }
        let body: Vec<String> =
            fields.iter().map(|(k, v)| format!("    {}: {v}", json_string(k))).collect();
        objects.push(format!("  {{\n{}\n  }}", body.join(",\n")));
    }
    format!("[\n{}\n]\n", objects.join(",\n"))
}

/// Bar colours, one per executor in [`crate::workloads::EXECUTORS`] order.
const COLOURS: [&str; 5] = ["#d62728", "#1f77b4", "#6baed6", "#2ca02c", "#ff7f0e"];

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Grouped bars of median ns/op: one group per workload and size, one bar per executor, on a log scale
/// (the workloads span three orders of magnitude).
pub fn svg(rows: &[Row], executors: &[&'static str], machine: &Machine) -> String {
    // The groups, in row order.
    let mut groups: Vec<(&str, usize, Clock)> = Vec::new();
    for row in rows.iter().filter(|r| r.result.is_ok()) {
        if !groups.iter().any(|(w, n, _)| *w == row.workload && *n == row.n) {
            groups.push((row.workload, row.n, row.clock));
        }
    }
    let value = |workload: &str, n: usize, executor: &str| {
        rows.iter()
            .find(|r| r.workload == workload && r.n == n && r.executor == executor)
            .and_then(|r| r.result.as_ref().ok())
            .map(|s| s.ns_per_op)
    };
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|s| s.ns_per_op))
        .filter(|v| *v > 0.0)
        .collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(0.0, f64::max);
    let (decade_low, decade_high) = if values.is_empty() {
        (0, 1)
    } else {
        (low.log10().floor() as i32, high.log10().ceil() as i32)
    };
    let decade_high = decade_high.max(decade_low + 1);

    let bar = 15.0;
    let group_width = bar * executors.len() as f64 + 26.0;
    let (left, right, top, bottom) = (70.0, 20.0, 78.0, 92.0);
    let plot_height = 380.0;
    let width = left + right + group_width * groups.len().max(1) as f64;
    let height = top + plot_height + bottom;
    let y = |ns: f64| {
        let fraction = (ns.log10() - decade_low as f64) / (decade_high as f64 - decade_low as f64);
        top + plot_height * (1.0 - fraction)
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif">"#
    );
    let _ = writeln!(
        s,
        r##"<rect width="100%" height="100%" fill="white"/>
<text x="{left}" y="22" font-size="16" font-weight="bold">Median ns per operation (log scale; lower is better)</text>
<text x="{left}" y="40" font-size="11" fill="#444">{}</text>"##,
        escape_xml(&format!("{} · {}", machine.one_line(), machine.date))
    );
    // Legend.
    let mut x = left;
    for (i, executor) in executors.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="52" width="12" height="12" fill="{colour}"/><text x="{:.1}" y="62" font-size="12">{executor}</text>"#,
            x + 16.0
        );
        x += 24.0 + 7.2 * executor.len() as f64;
    }
    // Grid lines at each decade, minor lines at 2 and 5.
    for decade in decade_low..=decade_high {
        let base = 10f64.powi(decade);
        let gy = y(base);
        let label = match decade {
            d if d < 3 => format!("{base:.0} ns"),
            d if d < 6 => format!("{:.0} µs", base / 1e3),
            _ => format!("{:.0} ms", base / 1e6),
        };
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#999" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{label}</text>"##,
            width - right,
            left - 6.0,
            gy + 4.0
        );
        if decade < decade_high {
            for minor in [2.0, 5.0] {
                let my = y(base * minor);
                let _ = writeln!(
                    s,
                    r##"<line x1="{left}" y1="{my:.1}" x2="{:.1}" y2="{my:.1}" stroke="#e3e3e3" stroke-width="1"/>"##,
                    width - right
                );
            }
        }
    }
    // The bars.
    for (g, (workload, n, clock)) in groups.iter().enumerate() {
        let gx = left + group_width * g as f64 + 13.0;
        for (i, executor) in executors.iter().enumerate() {
            let Some(ns) = value(workload, *n, executor) else {
                continue;
            };
            let bx = gx + bar * i as f64;
            let by = y(ns.max(10f64.powi(decade_low)));
            let colour = COLOURS[i % COLOURS.len()];
            let _ = writeln!(
                s,
                r#"<rect x="{bx:.1}" y="{by:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{workload} n={n} {executor}: {ns:.1} ns/op</title></rect>"#,
                bar - 2.0,
                top + plot_height - by
            );
            let tx = bx + bar / 2.0 + 3.0;
            let _ = writeln!(
                s,
                r#"<text x="{tx:.1}" y="{:.1}" font-size="9" transform="rotate(-90 {tx:.1} {:.1})">{}</text>"#,
                by - 3.0,
                by - 3.0,
                ns_text(ns)
            );
        }
        let cx = gx + bar * executors.len() as f64 / 2.0;
        let label = match (*workload, clock) {
            ("timers_real", _) => "timers_real".to_owned(),
            (w, _) => w.to_owned(),
        };
        let sub = match (*workload, clock) {
            ("timers_real", _) => format!("n={} · CPU", short_count(*n)),
            (_, Clock::Virtual) => format!("n={} · virtual", short_count(*n)),
            (_, Clock::Real) => format!("n={}", short_count(*n)),
        };
        let ly = top + plot_height + 18.0;
        let _ = writeln!(
            s,
            r##"<text x="{cx:.1}" y="{ly:.1}" font-size="11" text-anchor="middle">{label}</text><text x="{cx:.1}" y="{:.1}" font-size="10" fill="#555" text-anchor="middle">{sub}</text>"##,
            ly + 14.0
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>
<text x="{left}" y="{:.1}" font-size="10" fill="#555">ns/op is wall time per operation, except timers_real: CPU time per sleep. Missing bars: the executor sat that workload out (see the table).</text>
</svg>"##,
        top + plot_height,
        width - right,
        top + plot_height,
        height - 14.0
    );
    s
}
