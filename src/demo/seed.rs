//! The `--seed` number, read exactly the way Python's `int(text)` reads it.
//!
//! The Python tutorial takes its seed from the command line with
//! `argparse(type=int)` and hands it to `random.seed(n)`. Python integers have
//! no size limit, and `random.seed` uses every bit of them, so a `u64` is not
//! enough: `--seed 100000000000000000000000` is a perfectly good seed in
//! Python and must give the same rolls here. [`Seed`] therefore stores an
//! integer of any size as a sign plus a list of 32-bit words, which is also
//! the shape CPython's Mersenne Twister wants its key in (see
//! [`PyRandom::from_seed_value`](crate::demo::PyRandom::from_seed_value)).
//!
//! The accepted text follows Python's `int()`: surrounding whitespace, an
//! optional sign, ASCII digits with single underscores between them
//! (PEP 515), leading zeros allowed. Like Python, we refuse more than 4300
//! digits. Unlike Python, we refuse digits from other scripts (Python also
//! takes `"٣"` as 3); nobody types those as a seed, and recognising them
//! would need a Unicode table.

use std::fmt::{self, Write};
use std::str::FromStr;

use super::shown;

/// Python's default `sys.get_int_max_str_digits()`: `int()` refuses longer
/// digit strings (counting leading zeros, not underscores) to avoid
/// quadratic-time conversions, so we refuse them too.
const MAX_DIGITS: usize = 4300;

/// Nine decimal digits always fit in a `u32`, so text is converted nine
/// digits at a time and printed back nine digits at a time.
const CHUNK_DIGITS: usize = 9;
const CHUNK: u32 = 1_000_000_000;

/// An integer of any size, as Python's `int(text)` would read it.
///
/// The magnitude is kept as little-endian 32-bit words without high zero
/// words; zero is stored as `[0]` and is never negative, so derived equality
/// compares values.
///
/// # Examples
///
/// ```
/// use minimalist_async::demo::Seed;
///
/// let seed: Seed = " -1_000 ".parse().unwrap();
/// assert_eq!(seed.to_string(), "-1000");
/// assert_eq!(seed.key(), &[1000]);
///
/// let big: Seed = "18446744073709551621".parse().unwrap(); // 2**64 + 5
/// assert_eq!(big.key(), &[5, 0, 1]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    negative: bool,
    magnitude: Vec<u32>,
}

impl Seed {
    /// The seed for a non-negative machine integer.
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// assert_eq!(Seed::from_u64(1 << 32).key(), &[0, 1]);
    /// assert_eq!(Seed::from_u64(7), "7".parse().unwrap());
    /// ```
    pub fn from_u64(n: u64) -> Seed {
        Seed::from_parts(false, split_u64(n).to_vec())
    }

    /// The seed for a signed machine integer.
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// let seed = Seed::from_i64(i64::MIN);
    /// assert_eq!(seed.to_string(), "-9223372036854775808");
    /// assert_eq!(seed.key(), &[0, 0x8000_0000]);
    /// ```
    pub fn from_i64(n: i64) -> Seed {
        Seed::from_parts(n < 0, split_u64(n.unsigned_abs()).to_vec())
    }

    /// The words CPython's `random.seed(n)` feeds to the Mersenne Twister:
    /// `abs(n)` split into little-endian 32-bit words, at least one word.
    ///
    /// The sign is not part of the key, which is why `random.seed(-7)` and
    /// `random.seed(7)` give the same numbers.
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// assert_eq!(Seed::from_i64(-7).key(), &[7]);
    /// assert_eq!(Seed::from_u64(0).key(), &[0]);
    /// ```
    pub fn key(&self) -> &[u32] {
        &self.magnitude
    }

    /// The magnitude as the 32 little-endian bytes of a
    /// [`rand::SeedableRng`] seed, or `None` if it needs more than 256 bits.
    ///
    /// The sign is dropped, as CPython drops it. Feeding the result to
    /// [`PyRandom::from_seed`](crate::demo::PyRandom) gives the same
    /// generator as [`PyRandom::from_seed_value`](crate::demo::PyRandom::from_seed_value).
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// let bytes = Seed::from_i64(-258).to_std_seed().unwrap();
    /// assert_eq!(bytes[..3], [2, 1, 0]);
    ///
    /// let too_big: Seed = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
    ///     .parse()
    ///     .unwrap(); // 2**256
    /// assert_eq!(too_big.to_std_seed(), None);
    /// ```
    pub fn to_std_seed(&self) -> Option<[u8; 32]> {
        let mut bytes = [0u8; 32];
        if self.magnitude.len() * 4 > bytes.len() {
            return None;
        }
        for (chunk, word) in bytes.chunks_exact_mut(4).zip(&self.magnitude) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        Some(bytes)
    }

    /// Builds a seed, restoring the invariants: no high zero words, zero is
    /// `[0]` and not negative.
    fn from_parts(negative: bool, mut magnitude: Vec<u32>) -> Seed {
        while magnitude.last() == Some(&0) {
            magnitude.pop();
        }
        if magnitude.is_empty() {
            magnitude.push(0);
        }
        let negative = negative && magnitude != [0];
        Seed { negative, magnitude }
    }
}

/// Splits a `u64` into little-endian words; the caller trims the high zero.
fn split_u64(n: u64) -> [u32; 2] {
    // Truncating casts are the point here: low half, then high half.
    [n as u32, (n >> 32) as u32]
}

/// `magnitude = magnitude * factor + addend`, growing by a word if needed.
fn mul_add(magnitude: &mut Vec<u32>, factor: u32, addend: u32) {
    let mut carry = u64::from(addend);
    for word in magnitude.iter_mut() {
        let wide = u64::from(*word) * u64::from(factor) + carry;
        *word = wide as u32;
        carry = wide >> 32;
    }
    if carry != 0 {
        magnitude.push(carry as u32);
    }
}

/// `magnitude /= divisor`, returning the remainder. Leaves high zero words
/// in place; the caller trims them.
fn div_rem(magnitude: &mut [u32], divisor: u32) -> u32 {
    let mut remainder = 0u64;
    for word in magnitude.iter_mut().rev() {
        let wide = (remainder << 32) | u64::from(*word);
        *word = (wide / u64::from(divisor)) as u32;
        remainder = wide % u64::from(divisor);
    }
    remainder as u32
}

impl FromStr for Seed {
    type Err = SeedError;

    /// Parses the text the way Python's `int(text)` does (see the module
    /// docs for the exact rules).
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// assert_eq!("007".parse::<Seed>().unwrap().to_string(), "7");
    /// assert!("1__0".parse::<Seed>().is_err());
    /// assert!("12.5".parse::<Seed>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Seed, SeedError> {
        let invalid = |reason| SeedError { text: text.to_owned(), reason };
        // Rust's `trim` strips Unicode White_Space, which is exactly the set
        // Python's int() strips (tested in tests/rng.rs).
        let body = text.trim();
        let (negative, unsigned) = match body.as_bytes().first() {
            Some(b'-') => (true, &body[1..]),
            Some(b'+') => (false, &body[1..]),
            _ => (false, body),
        };
        if !is_digit_part(unsigned) {
            return Err(invalid(Reason::NotAnInteger));
        }
        let digits: Vec<u8> = unsigned.bytes().filter(|&b| b != b'_').collect();
        if digits.len() > MAX_DIGITS {
            return Err(invalid(Reason::TooManyDigits(digits.len())));
        }
        let mut magnitude = Vec::new();
        for chunk in digits.chunks(CHUNK_DIGITS) {
            let factor = 10u32.pow(chunk.len() as u32);
            let value = chunk.iter().fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'));
            mul_add(&mut magnitude, factor, value);
        }
        Ok(Seed::from_parts(negative, magnitude))
    }
}

/// True for one or more ASCII digits with single underscores between them:
/// PEP 515's rule, shared by int() and float().
pub(crate) fn is_digit_part(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('_')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
}

impl fmt::Display for Seed {
    /// Prints the canonical decimal form, as Python's `str(n)` would.
    ///
    /// ```
    /// use minimalist_async::demo::Seed;
    ///
    /// let seed: Seed = "-0_0".parse().unwrap();
    /// assert_eq!(seed.to_string(), "0");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Peel off nine digits at a time from the bottom; the chunks come out
        // least significant first.
        let mut rest = self.magnitude.clone();
        let mut chunks = Vec::new();
        loop {
            chunks.push(div_rem(&mut rest, CHUNK));
            while rest.last() == Some(&0) {
                rest.pop();
            }
            if rest.is_empty() {
                break;
            }
        }
        let mut text = String::new();
        if self.negative {
            text.push('-');
        }
        let mut from_top = chunks.iter().rev();
        if let Some(top) = from_top.next() {
            write!(text, "{top}")?;
        }
        // Lower chunks keep their leading zeros: 1_000_000_007 is "1" then
        // "000000007".
        for chunk in from_top {
            write!(text, "{chunk:0CHUNK_DIGITS$}")?;
        }
        // `pad`, unlike `write_str`, honours width and alignment (`{:>8}`).
        f.pad(&text)
    }
}

/// Why a `--seed` argument was refused; its message names the bad text.
///
/// ```
/// use minimalist_async::demo::Seed;
///
/// let error = "abc".parse::<Seed>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "invalid seed 'abc': expected a whole number such as 7 or -12",
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedError {
    text: String,
    reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Reason {
    NotAnInteger,
    TooManyDigits(usize),
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            // Escaped as the Python program escapes it: the message stays
            // on one line even if the argument contained a newline.
            Reason::NotAnInteger => write!(
                f,
                "invalid seed '{}': expected a whole number such as 7 or -12",
                shown(&self.text)
            ),
            // Echoing thousands of digits would bury the message.
            Reason::TooManyDigits(count) => write!(
                f,
                "invalid seed: {count} digits is more than the {MAX_DIGITS} Python's int() accepts"
            ),
        }
    }
}

impl std::error::Error for SeedError {}
