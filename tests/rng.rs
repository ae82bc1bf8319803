//! `PyRandom` and `Seed` against CPython.
//!
//! The expected values come from tests/fixtures/cpython_random.txt, written
//! by tests/fixtures/make_fixtures.py running real CPython; see that script
//! for the line format.

mod common;

use common::parse_hex_float;

use minimalist_async::demo::{PyFloat, PyRandom, Seed, parse_py_float};
use rand::{Rng, SeedableRng};

const FIXTURE: &str = include_str!("fixtures/cpython_random.txt");

/// One `random.seed(...)` call and the draws Python made after it.
struct Block {
    /// The decimal seed, or `None` for `seed huge` (too long for `int()`).
    seed_text: Option<String>,
    key: Vec<u32>,
    draws: Vec<Draw>,
}

enum Draw {
    Random { value: f64, repr: String },
    Uniform { a: f64, b: f64, value: f64 },
    Bits32(u32),
    Bits64(u64),
}

fn blocks() -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for line in FIXTURE.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields[0] == "seed" {
            blocks.push(Block {
                seed_text: (fields[1] != "huge").then(|| fields[1].to_owned()),
                key: Vec::new(),
                draws: Vec::new(),
            });
            continue;
        }
        let block = blocks.last_mut().expect("fixture starts with a seed line");
        match fields[0] {
            "key" => {
                block.key =
                    fields[1..].iter().map(|word| u32::from_str_radix(word, 16).unwrap()).collect();
            }
            "random" => block.draws.push(Draw::Random {
                value: parse_hex_float(fields[1]),
                repr: fields[2].to_owned(),
            }),
            "uniform" => block.draws.push(Draw::Uniform {
                a: parse_py_float(fields[1]).unwrap(),
                b: parse_py_float(fields[2]).unwrap(),
                value: parse_hex_float(fields[3]),
            }),
            "bits32" => block.draws.push(Draw::Bits32(fields[1].parse().unwrap())),
            "bits64" => block.draws.push(Draw::Bits64(fields[1].parse().unwrap())),
            other => panic!("unknown fixture line kind {other:?}"),
        }
    }
    blocks
}

/// Draws from `rng` exactly what Python drew and checks every result.
fn replay(rng: &mut PyRandom, block: &Block, how: &str) {
    let label = block.seed_text.as_deref().unwrap_or("huge");
    for (index, draw) in block.draws.iter().enumerate() {
        let context = format!("{how} seed {label}, draw {index}");
        match draw {
            Draw::Random { value, repr } => {
                let got = rng.random();
                assert_eq!(got.to_bits(), value.to_bits(), "{context}");
                assert_eq!(PyFloat(got).to_string(), *repr, "{context}");
            }
            Draw::Uniform { a, b, value } => {
                let got = rng.uniform(*a, *b);
                assert_eq!(got.to_bits(), value.to_bits(), "{context}");
            }
            Draw::Bits32(value) => assert_eq!(rng.next_u32(), *value, "{context}"),
            Draw::Bits64(value) => assert_eq!(rng.next_u64(), *value, "{context}"),
        }
    }
}

fn seeded_blocks() -> Vec<(Seed, Block)> {
    blocks()
        .into_iter()
        .filter_map(|block| Some((block.seed_text.as_deref()?.parse().unwrap(), block)))
        .collect()
}

#[test]
fn fixture_covers_every_seeding_path() {
    let blocks = blocks();
    assert_eq!(blocks.len(), 25);
    assert!(blocks.iter().any(|block| block.key.len() > 624));
    assert!(blocks.iter().any(|block| block.draws.len() > 1000));
}

#[test]
fn from_key_matches_cpython_bit_for_bit() {
    for block in blocks() {
        replay(&mut PyRandom::from_key(&block.key), &block, "from_key");
    }
}

#[test]
fn from_seed_value_matches_cpython_bit_for_bit() {
    for (seed, block) in seeded_blocks() {
        assert_eq!(seed.key(), block.key, "seed {seed}");
        replay(&mut PyRandom::from_seed_value(&seed), &block, "from_seed_value");
    }
}

#[test]
fn seed_from_u64_matches_cpython_seed() {
    let mut checked = 0;
    for block in blocks() {
        if let Some(n) = block.seed_text.as_deref().and_then(|t| t.parse::<u64>().ok()) {
            replay(&mut PyRandom::seed_from_u64(n), &block, "seed_from_u64");
            checked += 1;
        }
    }
    assert!(checked >= 8);
}

#[test]
fn from_seed_matches_cpython_seed() {
    let mut checked = 0;
    for (seed, block) in seeded_blocks() {
        if let Some(bytes) = seed.to_std_seed() {
            replay(&mut PyRandom::from_seed(bytes), &block, "from_seed");
            checked += 1;
        }
    }
    assert!(checked >= 15);
}

#[test]
fn empty_key_matches_seed_zero() {
    let mut empty = PyRandom::from_key(&[]);
    let mut zero = PyRandom::from_seed_value(&Seed::from_u64(0));
    for _ in 0..10 {
        assert_eq!(empty.next_u32(), zero.next_u32());
    }
}

#[test]
fn fill_bytes_matches_little_endian_words() {
    let mut rng = PyRandom::seed_from_u64(42);
    let mut words = rng.clone();
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    let first = words.next_u32().to_le_bytes();
    let second = words.next_u32().to_le_bytes();
    let third = words.next_u32().to_le_bytes();
    assert_eq!(bytes[..4], first);
    assert_eq!(bytes[4..8], second);
    assert_eq!(bytes[8..], third[..2]);
    // The partial word is consumed whole.
    assert_eq!(rng.next_u32(), words.next_u32());
}

#[test]
fn debug_shows_index_only() {
    let mut rng = PyRandom::seed_from_u64(1);
    assert_eq!(format!("{rng:?}"), "PyRandom { index: 624, .. }");
    rng.random();
    assert_eq!(format!("{rng:?}"), "PyRandom { index: 2, .. }");
}

#[test]
fn seed_display_matches_cpython_str() {
    for (seed, block) in seeded_blocks() {
        assert_eq!(Some(seed.to_string()), block.seed_text);
    }
}

#[test]
fn seed_parse_accepts_what_python_int_accepts() {
    let cases = [
        ("0", "0"),
        ("7", "7"),
        ("+7", "7"),
        ("-7", "-7"),
        ("007", "7"),
        ("-0", "0"),
        ("+0", "0"),
        ("0_0", "0"),
        ("-0_0", "0"),
        ("1_000", "1000"),
        ("-1_000", "-1000"),
        ("1_2_3", "123"),
        ("  42  ", "42"),
        ("\t-5\r\n", "-5"),
        ("\u{a0}9\u{3000}", "9"),
        ("4294967296", "4294967296"),
        ("000000000018446744073709551621", "18446744073709551621"),
        ("-999_999_999_999_999_999_999", "-999999999999999999999"),
    ];
    for (text, canonical) in cases {
        let seed: Seed = text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(seed.to_string(), canonical, "{text:?}");
    }
}

#[test]
fn seed_parse_rejects_what_python_int_rejects() {
    let cases = [
        "", " ", "+", "-", "_", "_1", "1_", "1__0", "+_1", "-_1", "+-1", "--1", "1 0", "1.0", "1.",
        "1e3", "0x10", "0b1", "0o7", "abc", "7a", "\u{1c}7", "1\u{a0}2", "inf",
    ];
    for text in cases {
        assert!(text.parse::<Seed>().is_err(), "{text:?} should be rejected");
    }
}

#[test]
fn seed_parse_strips_exactly_python_whitespace() {
    // Every character Python's str.isspace() accepts, from CPython 3.11.
    let python_space = [
        '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
        '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
        '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}',
        '\u{3000}',
    ];
    for space in python_space {
        assert_eq!(format!("{space}7{space}").parse(), Ok(Seed::from_u64(7)));
    }
    // isspace() accepts the \x1c-\x1f separators, yet int() refuses them;
    // the zero-width characters are not whitespace at all.
    for not_space in ['\u{1c}', '\u{1d}', '\u{1e}', '\u{1f}', '\u{200b}', '\u{feff}'] {
        assert!(format!("{not_space}7").parse::<Seed>().is_err());
    }
}

#[test]
fn seed_parse_enforces_python_digit_limit() {
    assert!("1".repeat(4300).parse::<Seed>().is_ok());
    assert!(format!("-{}", "9".repeat(4300)).parse::<Seed>().is_ok());
    // Underscores do not count, leading zeros do.
    assert!(format!("{}1", "1_".repeat(4299)).parse::<Seed>().is_ok());
    assert!("1".repeat(4301).parse::<Seed>().is_err());
    assert!(format!("{}1", "0".repeat(4300)).parse::<Seed>().is_err());
}

#[test]
fn seed_error_names_the_bad_text() {
    let error = "abc".parse::<Seed>().unwrap_err();
    assert_eq!(error.to_string(), "invalid seed 'abc': expected a whole number such as 7 or -12");
    let error = "1\n2".parse::<Seed>().unwrap_err();
    assert_eq!(error.to_string(), "invalid seed '1\\n2': expected a whole number such as 7 or -12");
    let error = "1".repeat(5000).parse::<Seed>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid seed: 5000 digits is more than the 4300 Python's int() accepts"
    );
}

#[test]
fn seed_parse_rejects_non_ascii_digits() {
    // A documented difference: Python's int("٣") is 3.
    assert!("٣".parse::<Seed>().is_err());
}

#[test]
fn seed_display_round_trips() {
    let mut rng = PyRandom::seed_from_u64(99);
    for length in (1..400).step_by(7) {
        let digits: String =
            (0..length).map(|_| char::from(b'0' + (rng.next_u32() % 10) as u8)).collect();
        let trimmed = digits.trim_start_matches('0');
        let magnitude = if trimmed.is_empty() { "0" } else { trimmed };
        let negative = if magnitude == "0" { "0".to_owned() } else { format!("-{magnitude}") };
        for (text, canonical) in
            [(digits.clone(), magnitude.to_owned()), (format!("-{digits}"), negative)]
        {
            let seed: Seed = text.parse().unwrap();
            assert_eq!(seed.to_string(), canonical);
            assert_eq!(canonical.parse(), Ok(seed));
        }
    }
}

#[test]
fn seed_from_machine_integers_matches_parse() {
    for n in [0, 1, 7, u64::from(u32::MAX), 1 << 32, u64::MAX] {
        assert_eq!(Seed::from_u64(n), n.to_string().parse().unwrap());
    }
    for n in [i64::MIN, -1, 0, 1, i64::MAX] {
        assert_eq!(Seed::from_i64(n), n.to_string().parse().unwrap());
        assert_eq!(Seed::from_i64(n).to_string(), n.to_string());
    }
    assert_eq!(Seed::from_u64(u64::MAX).key(), [u32::MAX, u32::MAX]);
    assert_eq!(Seed::from_i64(-1).key(), [1]);
}

#[test]
fn to_std_seed_stops_at_256_bits() {
    let seed = |text: &str| text.parse::<Seed>().unwrap();
    let two_to_256 =
        "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    let two_to_256_minus_1 =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    assert_eq!(seed("0").to_std_seed(), Some([0; 32]));
    assert_eq!(seed(two_to_256_minus_1).to_std_seed(), Some([0xff; 32]));
    assert_eq!(seed(&format!("-{two_to_256_minus_1}")).to_std_seed(), Some([0xff; 32]));
    assert_eq!(seed(two_to_256).to_std_seed(), None);
    let mut one = [0; 32];
    one[0] = 1;
    assert_eq!(seed("-1").to_std_seed(), Some(one));
    let mut bytes = [0; 32];
    bytes[8] = 1;
    assert_eq!(seed("18446744073709551616").to_std_seed(), Some(bytes));
}

#[test]
fn random_stays_in_unit_interval() {
    let mut rng = PyRandom::seed_from_u64(3);
    for _ in 0..10_000 {
        let x = rng.random();
        assert!((0.0..1.0).contains(&x), "{x}");
        // A multiple of 2**-53: the scaled value is a whole number.
        assert_eq!((x * 9_007_199_254_740_992.0).fract(), 0.0);
    }
}
