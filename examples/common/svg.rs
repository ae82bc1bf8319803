//! The timeline as an SVG picture: the same grid as the terminal chart, one cell per column, drawn
//! with shapes and colours instead of characters.
//!
//! Standalone (`--timeline-svg`), it is a complete SVG document a browser opens on its own. Inside the
//! replay page it is inline markup (HTML needs no namespace there), plus a cursor the page moves to the
//! step on show. Every lane is a `<g class="lane">` and every mark a shape with a class naming it, so
//! tests can count them.

use std::fmt::Write as _;
use std::time::Duration;

use minimalist_async::demo::columns::columns;

use super::timeline::{Cell, LEGEND, Timeline};
use super::view::time;

/// Width of one column, in pixels.
pub const CELL: usize = 14;
/// Height of one lane.
pub const LANE: usize = 30;
/// Where the first lane starts, below the title and the ruler.
pub const TOP: usize = 74;

/// Text safe inside an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Fill colour of each kind of cell.
fn colour(cell: Cell) -> &'static str {
    match cell {
        Cell::Empty => "none",
        Cell::Wait => "#aab2bf",
        Cell::Sleep => "#6b7a90",
        Cell::Queued => "#f2c14e",
        Cell::Busy => "#d64545",
        Cell::Callback => "#e07b00",
        Cell::Poll => "#2f6fd0",
        Cell::Done => "#218a4c",
        Cell::Panicked => "#8f1d2c",
        Cell::Cancelled => "#5f6670",
    }
}

/// The class a cell's shape carries: what a test or a stylesheet looks for.
fn class(cell: Cell) -> &'static str {
    match cell {
        Cell::Empty => "empty",
        Cell::Wait => "wait",
        Cell::Sleep => "sleep",
        Cell::Queued => "queued",
        Cell::Busy => "busy",
        Cell::Callback => "mark callback",
        Cell::Poll => "mark poll",
        Cell::Done => "mark done",
        Cell::Panicked => "mark panicked",
        Cell::Cancelled => "mark cancelled",
    }
}

/// Draws one cell kind over columns `[from, to)` of a lane whose middle is at `y`: a stretch as one
/// shape, a mark as a small labelled box (or a dot, for a callback).
fn shape(out: &mut String, left: usize, y: usize, from: usize, to: usize, cell: Cell) {
    let x = left + from * CELL;
    let width = (to - from) * CELL;
    let (fill, class) = (colour(cell), class(cell));
    match cell {
        Cell::Empty => {}
        Cell::Wait => {
            let _ = writeln!(
                out,
                r#"<line class="{class}" x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{fill}" stroke-width="2" stroke-dasharray="2 3"/>"#,
                x + width
            );
        }
        Cell::Sleep => {
            let _ = writeln!(
                out,
                r#"<line class="{class}" x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{fill}" stroke-width="3"/>"#,
                x + width
            );
        }
        Cell::Queued | Cell::Busy => {
            let height = if cell == Cell::Busy { 16 } else { 10 };
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{x}" y="{}" width="{width}" height="{height}" fill="{fill}"/>"#,
                y - height / 2
            );
        }
        Cell::Callback => {
            let _ = writeln!(
                out,
                r#"<circle class="{class}" cx="{}" cy="{y}" r="6" fill="{fill}"/>"#,
                x + CELL / 2
            );
        }
        _ => {
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{}" y="{}" width="{}" height="18" rx="2" fill="{fill}"/><text x="{}" y="{}" class="glyph">{}</text>"#,
                x + 1,
                y - 9,
                CELL - 2,
                x + CELL / 2,
                y + 4,
                cell.glyph()
            );
        }
    }
}

/// Where the lanes begin, after the labels: wide enough for the longest label.
pub fn left_margin(chart: &Timeline) -> usize {
    let longest = chart.lanes.iter().map(|l| columns(&l.label())).max().unwrap_or(0);
    24 + longest * 8
}

/// The whole picture. `standalone`: a complete SVG document (namespace, XML declaration); otherwise
/// markup to put inside an HTML page, with a cursor (`#cursor`, `#focus`) for the replay.
pub fn render(chart: &Timeline, title: &str, standalone: bool) -> String {
    let left = left_margin(chart);
    let lanes_bottom = TOP + chart.lanes.len() * LANE;
    let legend_rows = LEGEND.len().div_ceil(2);
    // Wide enough for the lanes, the title and the reading (about 8 and 7 px a character).
    let text_width = (columns(title) * 9 + 260).max(columns(&chart.reading) * 7 + 40);
    let width = (left + chart.columns * CELL + 40).max(760).max(text_width);
    let height = lanes_bottom + 30 + legend_rows * 22 + 34;
    let mut out = String::new();
    if standalone {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    let namespace = if standalone { r#" xmlns="http://www.w3.org/2000/svg""# } else { "" };
    let _ = writeln!(
        out,
        r#"<svg{namespace} id="timeline" class="timeline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" data-left="{left}" data-cell="{CELL}" data-top="{TOP}" data-lane="{LANE}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, "<title>timeline of {}</title>", escape(title));
    let _ = writeln!(
        out,
        "<style>.glyph {{ fill: #fff; font: bold 11px DejaVu Sans Mono, monospace; text-anchor: middle; }} \
         .label {{ font: 12px DejaVu Sans Mono, monospace; fill: #1d2733; }} .tick {{ fill: #5a6473; font-size: 11px; }} \
         .glyph, .grid {{ pointer-events: none; }}</style>"
    );
    let _ = writeln!(out, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="16" y="24" font-size="15" font-weight="bold" fill="#1d2733">timeline of {}</text>"##,
        escape(title)
    );
    let _ = writeln!(
        out,
        r##"<text x="16" y="44" fill="#5a6473">one column = {} of the executor's clock · a lane per task · time runs left to right</text>"##,
        time(Duration::from_micros(chart.scale_us))
    );
    // The ruler: a label and a faint line every ten columns.
    for column in (0..chart.columns).step_by(10) {
        let x = left + column * CELL;
        let label = time(Duration::from_micros(column as u64 * chart.scale_us));
        let _ = writeln!(
            out,
            r##"<text class="tick" x="{x}" y="{}">{label}</text><line x1="{x}" y1="{}" x2="{x}" y2="{lanes_bottom}" stroke="#d5dae1"/>"##,
            TOP - 10,
            TOP - 4
        );
    }
    // The columns themselves, as a light grid over the lanes: "one column = 10ms" made visible. It
    // is drawn after the lanes' bands (below), so it comes after them; its lines sit on the columns'
    // edges, where no mark is.
    let mut grid = String::new();
    let _ = writeln!(grid, r##"<g class="grid" stroke="#1d2733" stroke-opacity="0.07">"##);
    for column in 1..chart.columns {
        let x = left + column * CELL;
        let _ = writeln!(grid, r#"<line x1="{x}" y1="{TOP}" x2="{x}" y2="{lanes_bottom}"/>"#);
    }
    let _ = writeln!(grid, "</g>");
    for (index, lane) in chart.lanes.iter().enumerate() {
        let top = TOP + index * LANE;
        let y = top + LANE / 2;
        let band = if index % 2 == 0 { "#f4f6f9" } else { "#ffffff" };
        let _ = writeln!(
            out,
            r#"<g class="lane" data-task="{}" data-name="{}">"#,
            lane.task,
            escape(&lane.name)
        );
        let _ = writeln!(
            out,
            r#"<rect x="0" y="{top}" width="{width}" height="{LANE}" fill="{band}" opacity="0.8"/><text class="label" x="16" y="{}">{}</text>"#,
            y + 4,
            escape(&lane.label())
        );
        // Runs of the same stretch are one shape; marks are drawn one by one, on top.
        let mut column = 0;
        while column < lane.cells.len() {
            let cell = lane.cells[column];
            let mut end = column + 1;
            if cell < Cell::Callback {
                while end < lane.cells.len() && lane.cells[end] == cell {
                    end += 1;
                }
            }
            shape(&mut out, left, y, column, end, cell);
            column = end;
        }
        let _ = writeln!(out, "</g>");
    }
    out.push_str(&grid);
    if !standalone {
        // What is after the shown step, veiled: the page moves the veil with the cursor.
        let _ = writeln!(
            out,
            r##"<rect id="veil" x="{left}" y="{}" width="{}" height="{}" fill="#ffffff" opacity="0.6" pointer-events="none"/>"##,
            TOP - 4,
            width.saturating_sub(left),
            lanes_bottom - TOP + 4
        );
        let _ = writeln!(
            out,
            r##"<rect id="cursor" x="{left}" y="{}" width="{CELL}" height="{}" fill="#7b3fc4" opacity="0.16" pointer-events="none"/><rect id="focus" x="0" y="0" width="{CELL}" height="{LANE}" fill="none" stroke="#7b3fc4" stroke-width="2" rx="3" visibility="hidden" pointer-events="none"/>"##,
            TOP - 4,
            lanes_bottom - TOP + 4
        );
    }
    // The legend, two entries a row, each with the shape it explains.
    let legend_top = lanes_bottom + 26;
    let _ = writeln!(out, r#"<g class="legend">"#);
    for (index, (cell, meaning)) in LEGEND.iter().enumerate() {
        let x = 16 + (index % 2) * 360;
        let y = legend_top + (index / 2) * 22;
        let sample = if *cell >= Cell::Callback { 1 } else { 2 };
        shape(&mut out, x, y, 0, sample, *cell);
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" fill="#1d2733">{}</text>"##,
            x + 3 * CELL,
            y + 4,
            escape(meaning)
        );
    }
    let _ = writeln!(out, "</g>");
    let _ = writeln!(
        out,
        r##"<text class="reading" x="16" y="{}" font-style="italic" fill="#1d2733">{}</text>"##,
        legend_top + legend_rows * 22 + 10,
        escape(&chart.reading)
    );
    out.push_str("</svg>\n");
    out
}
