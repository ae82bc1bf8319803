//! Text quoted in an error message, escaped as the Python programs escape it.
//!
//! A bad value is quoted back to the user (`invalid seed 'a\x01': ...`). Written as it came, a
//! newline would cut the message in two, a terminal would act on an escape sequence, and a
//! right-to-left mark would reorder the line. So the characters that do not show as themselves are
//! written the way Python's `repr()` writes them: `\t`, `\n`, `\r`, then `\xNN` below U+0100,
//! `\uNNNN` below U+10000 and `\UNNNNNNNN` above, in lowercase hex.
//!
//! Which characters those are is fixed by [`HIDDEN`], a table the Python programs carry too
//! (`_HIDDEN` in `python/.../minimalist_async/__init__.py`), so both print the same bytes whatever
//! Unicode version their Python has. It holds Unicode 14's (Python 3.11's) controls (Cc), format
//! characters (Cf), spaces other than U+0020 (Zs), line and paragraph separators (Zl, Zp), surrogates
//! (Cs) and private-use characters (Co): what `str.isprintable()` refuses, except the unassigned code
//! points, whose list changes with every Unicode version.

/// The ranges of characters [`shown`] escapes, first and last included, in order.
pub const HIDDEN: [(u32, u32); 28] = [
    (0x0000, 0x001F),     // C0 controls: \t, \n, \r, ESC, ...
    (0x007F, 0x00A0),     // DEL, the C1 controls (U+0085 NEL among them), no-break space
    (0x00AD, 0x00AD),     // soft hyphen
    (0x0600, 0x0605),     // Arabic number signs
    (0x061C, 0x061C),     // Arabic letter mark
    (0x06DD, 0x06DD),     // Arabic end of ayah
    (0x070F, 0x070F),     // Syriac abbreviation mark
    (0x0890, 0x0891),     // Arabic pound and piastre marks above
    (0x08E2, 0x08E2),     // Arabic disputed end of ayah
    (0x1680, 0x1680),     // Ogham space mark
    (0x180E, 0x180E),     // Mongolian vowel separator
    (0x2000, 0x200F),     // en quad .. hair space, zero-width space and joiners, LRM, RLM
    (0x2028, 0x202F),     // line and paragraph separators, bidi embeddings, narrow no-break space
    (0x205F, 0x2064),     // medium mathematical space, word joiner, invisible operators
    (0x2066, 0x206F),     // bidi isolates, deprecated format characters
    (0x3000, 0x3000),     // ideographic space
    (0xD800, 0xF8FF),     // surrogates, then the private use area
    (0xFEFF, 0xFEFF),     // zero-width no-break space (byte order mark)
    (0xFFF9, 0xFFFB),     // interlinear annotation
    (0x110BD, 0x110BD),   // Kaithi number sign
    (0x110CD, 0x110CD),   // Kaithi number sign above
    (0x13430, 0x13438),   // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),   // shorthand format controls
    (0x1D173, 0x1D17A),   // musical symbol format controls
    (0xE0001, 0xE0001),   // language tag
    (0xE0020, 0xE007F),   // tag characters
    (0xF0000, 0xFFFFD),   // supplementary private use area A
    (0x100000, 0x10FFFD), // supplementary private use area B
];

/// Whether [`shown`] escapes `c`.
pub fn is_hidden(c: char) -> bool {
    let c = u32::from(c);
    HIDDEN.iter().any(|&(first, last)| (first..=last).contains(&c))
}

/// `text` with every [hidden](HIDDEN) character written as Python's `repr()` writes it; the rest,
/// backslashes and quotes included, unchanged.
///
/// ```
/// use minimalist_async::demo::shown;
///
/// assert_eq!(shown("a\u{1}"), r"a\x01");
/// assert_eq!(shown("tab\there\n"), r"tab\there\n");
/// assert_eq!(shown("\u{7f}\u{85}\u{2028}\u{e0001}"), r"\x7f\x85\u2028\U000e0001");
/// assert_eq!(shown("it's ünï 任务 🚀 \\"), "it's ünï 任务 🚀 \\");
/// ```
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&escaped(u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that may not be UTF-8 (a word of the command line on Unix), as Python reads them and
/// [`shown`] shows them: Python decodes each byte that is not part of valid UTF-8 to a lone
/// surrogate (U+DC80 + the byte, its "surrogateescape"), which prints as `\udcNN`.
///
/// ```
/// use minimalist_async::demo::shown_bytes;
///
/// assert_eq!(shown_bytes(b"caf\xe9"), r"caf\udce9");
/// assert_eq!(shown_bytes("ünï\n".as_bytes()), r"ünï\n");
/// ```
pub fn shown_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&shown(chunk.valid()));
        for &byte in chunk.invalid() {
            out.push_str(&escaped(0xDC00 + u32::from(byte)));
        }
    }
    out
}

/// One code point as Python's `repr()` writes a character it does not print.
fn escaped(code: u32) -> String {
    match code {
        0x09 => r"\t".to_owned(),
        0x0A => r"\n".to_owned(),
        0x0D => r"\r".to_owned(),
        0..=0xFF => format!(r"\x{code:02x}"),
        0x100..=0xFFFF => format!(r"\u{code:04x}"),
        _ => format!(r"\U{code:08x}"),
    }
}
