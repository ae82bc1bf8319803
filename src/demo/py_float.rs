//! Floats written and read the way Python writes and reads them.
//!
//! The tutorial prints floats with `f"{x}"`, which is `repr(x)`: the
//! *shortest* decimal string that reads back as the same `f64`. Rust's
//! `{}` also prints shortest round-trip digits, but lays them out
//! differently: Rust prints `1e16` as `10000000000000000` and `1.0` as `1`,
//! Python prints `1e+16` and `1.0`. [`PyFloat`] takes Rust's digits and
//! applies Python's layout. It also fixes the one case where the digits
//! themselves differ: a value exactly halfway between two equally short
//! candidates, where Rust rounds up and Python picks the even last digit.
//! The port's output then matches the tutorial's character for character.
//!
//! [`parse_py_float`] goes the other way, accepting what Python's
//! `float(text)` accepts, so that command-line numbers mean the same in
//! both programs.

use std::fmt;

use super::seed::is_digit_part;

/// Python prints `0.DIGITS × 10^decpt` in fixed notation only when
/// `-4 < decpt <= 16`; beyond that the zeros would outnumber the digits.
const FIXED_MIN_DECPT: i32 = -3;
const FIXED_MAX_DECPT: i32 = 16;

/// An `f64` whose [`Display`](fmt::Display) is Python's `repr(float)`.
///
/// ```
/// use minimalist_async::demo::PyFloat;
///
/// assert_eq!(PyFloat(1.0).to_string(), "1.0");
/// assert_eq!(PyFloat(0.1).to_string(), "0.1");
/// assert_eq!(PyFloat(1e-4).to_string(), "0.0001");
/// assert_eq!(PyFloat(8.848497548774592e-05).to_string(), "8.848497548774592e-05");
/// assert_eq!(PyFloat(1e15).to_string(), "1000000000000000.0");
/// assert_eq!(PyFloat(1e16).to_string(), "1e+16");
/// assert_eq!(PyFloat(-0.0).to_string(), "-0.0");
/// assert_eq!(PyFloat(f64::NEG_INFINITY).to_string(), "-inf");
/// assert_eq!(format!("[{:>6}]", PyFloat(2.5)), "[   2.5]");
///
/// // Exactly halfway between ...44.2 and ...44.3: Python picks the even
/// // digit, where Rust's own `{}` prints 2112921924003044.3.
/// let tie = 2112921924003044.0 + 0.25;
/// assert_eq!(tie.to_string(), "2112921924003044.3");
/// assert_eq!(PyFloat(tie).to_string(), "2112921924003044.2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PyFloat(pub f64);

impl fmt::Display for PyFloat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        // Python prints every NaN as "nan", whatever its sign bit.
        if x.is_nan() {
            return f.pad("nan");
        }
        if x.is_infinite() {
            return f.pad(if x < 0.0 { "-inf" } else { "inf" });
        }
        // `{:e}` gives the shortest round-trip digits as "d.ddde-7"; pull
        // out the bare digits and the exponent, then re-lay them.
        let sign = if x.is_sign_negative() { "-" } else { "" };
        let x = x.abs();
        let scientific = format!("{x:e}");
        let (mantissa, exponent) =
            scientific.split_once('e').expect("`{:e}` always writes an exponent");
        let exponent: i32 =
            exponent.parse().expect("`{:e}` writes the exponent as a plain integer");
        let mut digits = mantissa.replace('.', "");
        if let Some(even) = even_digits_on_tie(x, &digits, exponent) {
            digits = even;
        }
        let text = format!("{sign}{}", layout(&digits, exponent));
        f.pad(&text)
    }
}

/// Python's choice where it differs from Rust's: `None` when they agree.
///
/// Both languages print the shortest digits that read back as `x` and,
/// among those, the ones closest to `x`. They differ only when `x` lies
/// *exactly* halfway between two such candidates, as 999999999999999.25
/// lies between ...99.2 and ...99.3. Rust then rounds up; Python (David
/// Gay's dtoa) takes the candidate whose last digit is even. After Rust's
/// round-up the last digit is odd, so the only alternative to check is
/// the next candidate down. `digits` is `d.ddd × 10^exponent` without the
/// point, and `x` is not negative.
fn even_digits_on_tie(x: f64, digits: &str, exponent: i32) -> Option<String> {
    let (head, last) = digits.split_at(digits.len() - 1);
    let last = last.parse::<u8>().ok()?;
    // An even digit is already Python's pick, and a lone 1 has no
    // same-length candidate below it.
    if last % 2 == 0 || digits == "1" {
        return None;
    }
    let lower = format!("{head}{}", last - 1);
    // Read as a whole number, `lower` is worth `lower × 10^scale`.
    let scale = exponent - (digits.len() as i32 - 1);
    let reads_back = format!("{lower}e{scale}").parse::<f64>() == Ok(x);
    // Halfway between the candidates is `lower` with a 5 appended.
    (reads_back && is_exactly(x, &format!("{lower}5"), exponent)).then_some(lower)
}

/// True if `x` equals `d.ddd × 10^exponent` exactly, `digits` being the
/// significant digits without the point.
fn is_exactly(x: f64, digits: &str, exponent: i32) -> bool {
    // Every f64 has at most 767 significant decimal digits, and Rust's
    // precision formatting is exact, so 800 digits show the whole value.
    let exact = format!("{x:.800e}");
    let (mantissa, exact_exponent) =
        exact.split_once('e').expect("`{:e}` always writes an exponent");
    let exact_digits = mantissa.replace('.', "");
    exact_exponent.parse() == Ok(exponent)
        && exact_digits.starts_with(digits)
        && exact_digits[digits.len()..].bytes().all(|b| b == b'0')
}

/// Lays out `d.ddd × 10^exponent` (`digits` without the point) the way
/// Python's repr does.
fn layout(digits: &str, exponent: i32) -> String {
    // Python reasons about 0.DIGITS × 10^decpt, one place to the right.
    let decpt = exponent + 1;
    if !(FIXED_MIN_DECPT..=FIXED_MAX_DECPT).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{first}{point}{rest}e{exponent_sign}{:02}", exponent.abs());
    }
    let len = digits.len() as i32;
    if decpt <= 0 {
        let zeros = "0".repeat(decpt.unsigned_abs() as usize);
        format!("0.{zeros}{digits}")
    } else if decpt >= len {
        // Python adds ".0" so that an integral float still reads as a float.
        let zeros = "0".repeat((decpt - len) as usize);
        format!("{digits}{zeros}.0")
    } else {
        let (whole, fraction) = digits.split_at(decpt as usize);
        format!("{whole}.{fraction}")
    }
}

/// Reads a decimal float the way Python's `float(text)` does, or `None`
/// where Python raises `ValueError`.
///
/// Accepted: surrounding whitespace; an optional sign; digits with an
/// optional `.` (digits needed on at least one side); an optional exponent
/// `e`/`E` with optional sign and digits; single underscores between two
/// digits (PEP 515); and `inf`, `infinity`, `nan` in any case, optionally
/// signed. Out-of-range values become infinity or zero, as in Python.
/// Unlike Python, digits from other scripts are refused.
///
/// ```
/// use minimalist_async::demo::parse_py_float;
///
/// assert_eq!(parse_py_float(" 1_000.5 "), Some(1000.5));
/// assert_eq!(parse_py_float("-.5e-3"), Some(-0.0005));
/// assert_eq!(parse_py_float("1."), Some(1.0));
/// assert_eq!(parse_py_float("-Infinity"), Some(f64::NEG_INFINITY));
/// assert!(parse_py_float("nan").unwrap().is_nan());
/// assert_eq!(parse_py_float("1e999"), Some(f64::INFINITY));
/// assert_eq!(parse_py_float("1__0"), None);
/// assert_eq!(parse_py_float("1_.5"), None);
/// assert_eq!(parse_py_float("0x10"), None);
/// assert_eq!(parse_py_float("."), None);
/// ```
pub fn parse_py_float(text: &str) -> Option<f64> {
    // Rust's `trim` strips Unicode White_Space, the same set Python strips.
    let body = text.trim();
    let (negative, unsigned) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let special = match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(value) = special {
        return Some(if negative { -value } else { value });
    }
    if !is_decimal_literal(unsigned) {
        return None;
    }
    // The grammar is checked; what is left is to round the decimal value
    // to the nearest f64, which Rust's parser does correctly.
    body.replace('_', "").parse().ok()
}

/// The unsigned numeric part of Python's float grammar:
/// `[digits] "." digits | digits ["."]`, then optionally
/// `("e" | "E") [sign] digits`, where `digits` may contain PEP 515
/// underscores.
fn is_decimal_literal(text: &str) -> bool {
    let (number, exponent) = match text.split_once(['e', 'E']) {
        Some((number, exponent)) => (number, Some(exponent)),
        None => (text, None),
    };
    let number_ok = match number.split_once('.') {
        Some(("", fraction)) => is_digit_part(fraction),
        Some((whole, "")) => is_digit_part(whole),
        Some((whole, fraction)) => is_digit_part(whole) && is_digit_part(fraction),
        None => is_digit_part(number),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        is_digit_part(unsigned)
    });
    number_ok && exponent_ok
}
