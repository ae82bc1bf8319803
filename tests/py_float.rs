//! `PyFloat` and `parse_py_float` against CPython.
//!
//! tests/fixtures/py_float_repr.txt holds `<float.hex()> <repr>` lines
//! written by tests/fixtures/make_fixtures.py running real CPython.

mod common;

use common::parse_hex_float;

use minimalist_async::demo::{PyFloat, parse_py_float};

const FIXTURE: &str = include_str!("fixtures/py_float_repr.txt");

/// Every fixture value with the repr CPython printed for it.
fn fixture() -> Vec<(f64, &'static str)> {
    FIXTURE
        .lines()
        .map(|line| {
            let (hex, repr) = line.split_once(' ').unwrap();
            (parse_hex_float(hex), repr)
        })
        .collect()
}

#[test]
fn hex_float_parser_reads_python_hex() {
    assert_eq!(parse_hex_float("0x1.999999999999ap-4"), 0.1);
    assert_eq!(parse_hex_float("-0x1.0000000000000p+0"), -1.0);
    assert_eq!(parse_hex_float("0x0.0000000000001p-1022"), 5e-324);
    assert_eq!(parse_hex_float("0x1.fffffffffffffp+1023"), f64::MAX);
    assert!(parse_hex_float("-0x0.0p+0").is_sign_negative());
}

#[test]
fn fixture_is_large_and_varied() {
    let values = fixture();
    assert!(values.len() > 6000);
    assert!(values.iter().any(|(x, _)| x.is_nan()));
    assert!(values.iter().any(|(x, _)| x.is_subnormal()));
    assert!(values.iter().any(|(_, repr)| repr.contains("e-")));
    assert!(values.iter().any(|(_, repr)| repr.contains("e+")));
}

#[test]
fn display_matches_cpython_repr_for_every_fixture_value() {
    for (x, repr) in fixture() {
        assert_eq!(PyFloat(x).to_string(), repr, "bits {:#018x}", x.to_bits());
    }
}

#[test]
fn display_examples_match_python() {
    let cases = [
        (0.1, "0.1"),
        (0.36896762068176037, "0.36896762068176037"),
        (8.848497548774592e-05, "8.848497548774592e-05"),
        (1e-4, "0.0001"),
        (1e-5, "1e-05"),
        (1.5e-5, "1.5e-05"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        (1.0, "1.0"),
        (100.0, "100.0"),
        (-2.5, "-2.5"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::NAN, "nan"),
        (-f64::NAN, "nan"),
    ];
    for (x, repr) in cases {
        assert_eq!(PyFloat(x).to_string(), repr);
    }
}

#[test]
fn display_breaks_exact_ties_to_even() {
    // Each value lies exactly halfway between two shortest candidates;
    // Rust's own `{}` takes the upper one, Python the even one.
    let cases = [
        ("0x1.e06c3e2df9391p+50", "2112921924003044.2"), // ...44.25
        ("0x1.1c25d2244c800p+34", "19068831889.195312"), // ...889.1953125
        ("0x1.7100000000000p-13", "0.00017595291137695312"), // ...953125
    ];
    for (hex, repr) in cases {
        let x = parse_hex_float(hex);
        assert_ne!(x.to_string(), repr);
        assert_eq!(PyFloat(x).to_string(), repr);
    }
}

#[test]
fn parse_round_trips_every_fixture_repr() {
    for (x, repr) in fixture() {
        let parsed = parse_py_float(repr).unwrap_or_else(|| panic!("{repr}"));
        if x.is_nan() {
            assert!(parsed.is_nan(), "{repr}");
        } else {
            assert_eq!(parsed.to_bits(), x.to_bits(), "{repr}");
            assert_eq!(parse_py_float(&PyFloat(x).to_string()), Some(x), "{repr}");
        }
    }
}

#[test]
fn parse_accepts_what_python_float_accepts() {
    let cases = [
        ("0", 0.0),
        ("7", 7.0),
        ("+7", 7.0),
        ("-7", -7.0),
        ("007", 7.0),
        ("1.", 1.0),
        (".5", 0.5),
        ("-.5", -0.5),
        ("1.5e3", 1500.0),
        ("1.5E3", 1500.0),
        ("1e+3", 1000.0),
        ("1e-3", 0.001),
        ("1.e3", 1000.0),
        (".5e1", 5.0),
        ("1_000", 1000.0),
        ("1_000.000_5", 1000.0005),
        ("1e1_0", 1e10),
        ("0_0.0_0", 0.0),
        ("  2.5\n", 2.5),
        ("\t-2.5 ", -2.5),
        ("\u{a0}3\u{3000}", 3.0),
        ("0.1", 0.1),
        ("1e999", f64::INFINITY),
        ("-1e999", f64::NEG_INFINITY),
        ("1e-999", 0.0),
        ("1e99999999999999999999", f64::INFINITY),
        ("0e99999999999999999999", 0.0),
        ("2.4703282292062328e-324", 5e-324),
        ("inf", f64::INFINITY),
        ("+inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("Infinity", f64::INFINITY),
        ("-iNfInItY", f64::NEG_INFINITY),
        (" INF ", f64::INFINITY),
    ];
    for (text, value) in cases {
        assert_eq!(parse_py_float(text), Some(value), "{text:?}");
    }
    let negative_zero = parse_py_float("-0.0").unwrap();
    assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
}

#[test]
fn parse_accepts_python_nan_spellings() {
    for text in ["nan", "NaN", "NAN", "+nan", " nan\n"] {
        let value = parse_py_float(text).unwrap();
        assert!(value.is_nan() && value.is_sign_positive(), "{text:?}");
    }
    // Python keeps the sign: math.copysign(1, float("-nan")) is -1.0.
    assert!(parse_py_float("-nan").unwrap().is_sign_negative());
}

#[test]
fn parse_rejects_what_python_float_rejects() {
    let cases = [
        "",
        " ",
        "+",
        "-",
        ".",
        "+.",
        "e",
        "e5",
        ".e5",
        "1e",
        "1e+",
        "1e-",
        "abc",
        "1a",
        "1 0",
        "1..0",
        "1.0.0",
        "1e5e5",
        "1e5.0",
        "_1",
        "1_",
        "1__0",
        "1_.0",
        "1._0",
        "._1",
        "1_e5",
        "1e_5",
        "1e+_5",
        "1e5_",
        "+_1",
        "_",
        "0x10",
        "0X1p0",
        "0b1",
        "1f",
        "1d",
        "infinit",
        "infinityy",
        "in f",
        "nan(1)",
        "nanx",
        "--1",
        "+-1",
        "- 1",
        "1\u{a0}0",
        "\u{1c}1",
        "٣",
    ];
    for text in cases {
        assert_eq!(parse_py_float(text), None, "{text:?} should be rejected");
    }
}
