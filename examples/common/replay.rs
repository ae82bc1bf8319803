//! The replay page: one self-contained HTML file that steps through a recorded run, backwards as
//! easily as forwards.
//!
//! Every step's state is computed here, in Rust, with the same words the stepper prints
//! (`super::view`), and embedded in the page as JSON; the page's script only shows step `i`, so going
//! back is as cheap as going forward and the browser needs nothing but the file. The markup, style and
//! script live in `replay.html` next to this file, with `{{…}}` placeholders filled in below.

use std::fmt::Write as _;

use super::record::Recorder;
use super::svg::{self, escape};
use super::timeline::Timeline;
use super::view;

const TEMPLATE: &str = include_str!("replay.html");

/// A JSON string. `<`, `>` and `&` are escaped too, so no text in the data can close the `<script>`
/// element that holds it.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '<' | '>' | '&' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", items.join(","))
}

/// The recorded run as JSON: the title, every line the demo printed, and one object per step.
pub fn data(recorder: &Recorder, chart: &Timeline, title: &str) -> String {
    let names = recorder.names();
    let virtual_time = recorder.executor().is_virtual_time();
    let mut steps = Vec::new();
    for (index, record) in recorder.records().iter().enumerate() {
        let snapshot = &record.snapshot;
        let (this_turn, next_turn) = view::ready(snapshot, &names);
        let tasks: Vec<String> = view::task_rows(snapshot, record.ran(), &names)
            .iter()
            .map(|row| {
                format!(
                    r#"{{"id":{},"name":{},"parent":{},"state":{},"ran":{}}}"#,
                    json_string(&row.id),
                    json_string(&row.name),
                    json_string(&row.parent),
                    json_string(&row.state),
                    row.ran
                )
            })
            .collect();
        let timers: Vec<String> = view::timer_rows(snapshot, &names)
            .iter()
            .map(|(place, timers)| {
                format!(r#"{{"place":{},"timers":{}}}"#, json_string(place), json_list(timers))
            })
            .collect();
        let (column, mark) = chart.steps.get(index).copied().unwrap_or((0, None));
        let mark = mark.map_or_else(|| "null".to_owned(), |(lane, col)| format!("[{lane},{col}]"));
        steps.push(format!(
            r#"{{"n":{},"turn":{},"clock":{},"status":{},"did":{},"details":{},"this_turn":{},"next_turn":{},"tasks":[{}],"timers":[{}],"out":{},"col":{column},"mark":{mark}}}"#,
            record.number,
            snapshot.turn,
            json_string(&view::time(snapshot.now)),
            json_string(&view::turn_status(snapshot)),
            json_string(&view::headline(record.step.as_ref(), &names, virtual_time)),
            json_list(&view::details(&record.events, &names)),
            json_list(&this_turn),
            json_list(&next_turn),
            tasks.join(","),
            timers.join(","),
            record.output_len,
        ));
    }
    format!(
        "{{\"title\":{},\"output\":{},\"steps\":[\n{}\n]}}",
        json_string(title),
        json_list(&recorder.lines().all()),
        steps.join(",\n")
    )
}

/// The whole page: the template with each `{{NAME}}` placeholder filled in, in one pass over the
/// template, so that text filled in is never read for placeholders: a task tag `{{DATA}}` in the
/// title stays as it is. (The page was built with one `str::replace` after another, and each one
/// also filled the placeholders that the text put in by the ones before held.)
pub fn page(recorder: &Recorder, chart: &Timeline, title: &str) -> String {
    fill(TEMPLATE, |name| match name {
        "TITLE" => Some(escape(title)),
        "SVG" => Some(svg::render(chart, title, false)),
        "DATA" => Some(data(recorder, chart, title)),
        _ => None,
    })
}

/// `template` with each `{{NAME}}` that `value` knows replaced by its value, in one pass from the
/// start; a `{{` that starts no known placeholder is kept as it is.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let filled = after.split_once("}}").and_then(|(name, tail)| Some((value(name)?, tail)));
        match filled {
            Some((text, tail)) => {
                out.push_str(&text);
                rest = tail;
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
