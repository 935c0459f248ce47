//! Rounding of `f64` without `std`: the shipped wasm is `no_std` (it pays for no panic
//! messages), and `f64::floor` and its kin live in `std`.

/// 2^52: from here on every `f64` is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// `x.trunc()` (up to the sign of a zero).
pub fn trunc(x: f64) -> f64 {
    if x.abs() < WHOLE {
        x as i64 as f64
    } else {
        x // whole already, infinite or NaN
    }
}

/// `x.floor()` (up to the sign of a zero).
pub fn floor(x: f64) -> f64 {
    let t = trunc(x);
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// `x.ceil()` (up to the sign of a zero).
pub fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if t < x {
        t + 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_std() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            2.999,
            -2.999,
            1e15 + 0.5,
            -1e15 - 0.5,
            WHOLE - 0.5,
            WHOLE,
            WHOLE + 2.0,
            -WHOLE,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1_764_000_000_123.75,
        ];
        cases.extend((0..2000).map(|i| (i as f64 - 1000.0) * 0.37));
        for x in cases {
            assert_eq!(trunc(x), x.trunc(), "trunc {x}");
            assert_eq!(floor(x), x.floor(), "floor {x}");
            assert_eq!(ceil(x), x.ceil(), "ceil {x}");
        }
        assert!(floor(f64::NAN).is_nan() && ceil(f64::NAN).is_nan() && trunc(f64::NAN).is_nan());
    }
}
