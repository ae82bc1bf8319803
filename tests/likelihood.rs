//! Bad input to the library meets an error value, never a panic: the likelihood of the retry future.

use minimalist_async::demo::Likelihood;

#[test]
fn likelihood_accepts_the_half_open_unit_interval() {
    for p in [f64::MIN_POSITIVE, 1e-9, 0.1, 0.5, 1.0] {
        assert_eq!(Likelihood::new(p).unwrap().get(), p);
    }
}

#[test]
fn likelihood_rejects_nan_negative_zero_and_above_one_with_an_error() {
    for p in [f64::NAN, -0.5, -0.0, 0.0, 1.0000000000000002, 2.0, f64::INFINITY, f64::NEG_INFINITY]
    {
        let error = Likelihood::new(p).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("likelihood must be a number greater than 0 and at most 1"),
            "{p}: {error}"
        );
    }
}

#[test]
fn likelihood_parses_what_python_float_accepts() {
    assert_eq!("0.1".parse::<Likelihood>().unwrap().get(), 0.1);
    assert_eq!(" 1e-1 ".parse::<Likelihood>().unwrap().get(), 0.1);
    assert_eq!("0.1_5".parse::<Likelihood>().unwrap().get(), 0.15);
    for text in ["", "abc", "nan", "0x1", "1.5", "-0.1", "0"] {
        assert!(text.parse::<Likelihood>().is_err(), "{text:?}");
    }
}
