//! Terminal columns: how wide a character shows in a terminal, for the stepper's 80-column lines
//! and the tables and charts that line up under each other.
//!
//! Two columns for the characters whose East Asian Width is "W" (wide) or "F" (full-width): CJK
//! ideographs, kana, Hangul syllables, full-width forms, and emoji with emoji presentation (🚀, 🪐,
//! ⌚); one for the rest. [`WIDE`] is Unicode 14's table (the version of [`super::py_text::HIDDEN`],
//! Python 3.11's): every assigned character that EastAsianWidth.txt marks W or F, and the
//! unassigned code points of the blocks it marks W by default (the CJK ideograph blocks and planes
//! 2 and 3), as `wcwidth` counts them. Combining marks and joiners are counted as one column each,
//! not zero: the tools show text the user typed, in which they are rare.

/// The ranges of characters two columns wide, first and last included, in order.
pub const WIDE: [(u32, u32); 121] = [
    (0x1100, 0x115F),
    (0x231A, 0x231B),
    (0x2329, 0x232A),
    (0x23E9, 0x23EC),
    (0x23F0, 0x23F0),
    (0x23F3, 0x23F3),
    (0x25FD, 0x25FE),
    (0x2614, 0x2615),
    (0x2648, 0x2653),
    (0x267F, 0x267F),
    (0x2693, 0x2693),
    (0x26A1, 0x26A1),
    (0x26AA, 0x26AB),
    (0x26BD, 0x26BE),
    (0x26C4, 0x26C5),
    (0x26CE, 0x26CE),
    (0x26D4, 0x26D4),
    (0x26EA, 0x26EA),
    (0x26F2, 0x26F3),
    (0x26F5, 0x26F5),
    (0x26FA, 0x26FA),
    (0x26FD, 0x26FD),
    (0x2705, 0x2705),
    (0x270A, 0x270B),
    (0x2728, 0x2728),
    (0x274C, 0x274C),
    (0x274E, 0x274E),
    (0x2753, 0x2755),
    (0x2757, 0x2757),
    (0x2795, 0x2797),
    (0x27B0, 0x27B0),
    (0x27BF, 0x27BF),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x2E80, 0x2E99),
    (0x2E9B, 0x2EF3),
    (0x2F00, 0x2FD5),
    (0x2FF0, 0x2FFB),
    (0x3000, 0x303E),
    (0x3041, 0x3096),
    (0x3099, 0x30FF),
    (0x3105, 0x312F),
    (0x3131, 0x318E),
    (0x3190, 0x31E3),
    (0x31F0, 0x321E),
    (0x3220, 0x3247),
    (0x3250, 0x4DBF),
    (0x4E00, 0xA48C),
    (0xA490, 0xA4C6),
    (0xA960, 0xA97C),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE19),
    (0xFE30, 0xFE52),
    (0xFE54, 0xFE66),
    (0xFE68, 0xFE6B),
    (0xFF01, 0xFF60),
    (0xFFE0, 0xFFE6),
    (0x16FE0, 0x16FE4),
    (0x16FF0, 0x16FF1),
    (0x17000, 0x187F7),
    (0x18800, 0x18CD5),
    (0x18D00, 0x18D08),
    (0x1AFF0, 0x1AFF3),
    (0x1AFF5, 0x1AFFB),
    (0x1AFFD, 0x1AFFE),
    (0x1B000, 0x1B122),
    (0x1B150, 0x1B152),
    (0x1B164, 0x1B167),
    (0x1B170, 0x1B2FB),
    (0x1F004, 0x1F004),
    (0x1F0CF, 0x1F0CF),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F200, 0x1F202),
    (0x1F210, 0x1F23B),
    (0x1F240, 0x1F248),
    (0x1F250, 0x1F251),
    (0x1F260, 0x1F265),
    (0x1F300, 0x1F320),
    (0x1F32D, 0x1F335),
    (0x1F337, 0x1F37C),
    (0x1F37E, 0x1F393),
    (0x1F3A0, 0x1F3CA),
    (0x1F3CF, 0x1F3D3),
    (0x1F3E0, 0x1F3F0),
    (0x1F3F4, 0x1F3F4),
    (0x1F3F8, 0x1F43E),
    (0x1F440, 0x1F440),
    (0x1F442, 0x1F4FC),
    (0x1F4FF, 0x1F53D),
    (0x1F54B, 0x1F54E),
    (0x1F550, 0x1F567),
    (0x1F57A, 0x1F57A),
    (0x1F595, 0x1F596),
    (0x1F5A4, 0x1F5A4),
    (0x1F5FB, 0x1F64F),
    (0x1F680, 0x1F6C5),
    (0x1F6CC, 0x1F6CC),
    (0x1F6D0, 0x1F6D2),
    (0x1F6D5, 0x1F6D7),
    (0x1F6DD, 0x1F6DF),
    (0x1F6EB, 0x1F6EC),
    (0x1F6F4, 0x1F6FC),
    (0x1F7E0, 0x1F7EB),
    (0x1F7F0, 0x1F7F0),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1F9FF),
    (0x1FA70, 0x1FA74),
    (0x1FA78, 0x1FA7C),
    (0x1FA80, 0x1FA86),
    (0x1FA90, 0x1FAAC),
    (0x1FAB0, 0x1FABA),
    (0x1FAC0, 0x1FAC5),
    (0x1FAD0, 0x1FAD9),
    (0x1FAE0, 0x1FAE7),
    (0x1FAF0, 0x1FAF6),
    (0x20000, 0x2FFFD),
    (0x30000, 0x3FFFD),
];

/// Terminal columns of `c`: 2 for [`WIDE`] characters, 1 otherwise.
///
/// ```
/// use minimalist_async::demo::columns::width;
///
/// assert_eq!(width('a'), 1);
/// assert_eq!(width('任'), 2);
/// assert_eq!(width('🚀'), 2);
/// assert_eq!(width('🪐'), 2);
/// ```
pub fn width(c: char) -> usize {
    let c = u32::from(c);
    // The table is sorted: the first range that ends at or after `c` is the only one that can hold it.
    let at = WIDE.partition_point(|&(_, last)| last < c);
    if WIDE.get(at).is_some_and(|&(first, _)| first <= c) { 2 } else { 1 }
}

/// Terminal columns of `text`, the sum of its characters' [`width`]s.
///
/// ```
/// use minimalist_async::demo::columns::columns;
///
/// assert_eq!(columns("任务 🚀"), 7);
/// ```
pub fn columns(text: &str) -> usize {
    text.chars().map(width).sum()
}

/// `text`, then spaces up to `wanted` columns: what `{:<wanted$}` does when every character is one
/// column wide.
///
/// ```
/// use minimalist_async::demo::columns::pad;
///
/// assert_eq!(pad("任务", 6), "任务  ");
/// assert_eq!(pad("abc", 2), "abc");
/// ```
pub fn pad(text: &str, wanted: usize) -> String {
    format!("{text}{}", " ".repeat(wanted.saturating_sub(columns(text))))
}
