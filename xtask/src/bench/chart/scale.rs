//! The chart's axes: where a value goes on the page, and the ticks to label.

use super::super::report::thousands;

/// How an axis maps values to one of its dimensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Scale {
    /// From 0 to `max`, a tick every `step`.
    Linear { max: f64, step: f64 },
    /// Powers of ten from `10^lo` to `10^hi`, a tick at each.
    Log { lo: i32, hi: i32 },
}

impl Scale {
    /// A linear scale from 0 that fits every value, with 4 to 8 round ticks.
    pub(super) fn linear(values: impl Iterator<Item = f64>) -> Scale {
        let top = values.fold(0.0, f64::max).max(1.0);
        let magnitude = 10f64.powf(top.log10().floor());
        let step = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0]
            .iter()
            .map(|f| f * magnitude)
            .find(|step| top / step <= 8.0)
            .unwrap_or(2.0 * magnitude);
        Scale::Linear {
            max: (top / step).ceil() * step,
            step,
        }
    }

    /// The powers of ten around every (positive) value, at least one decade.
    pub(super) fn log(values: impl Iterator<Item = f64>) -> Scale {
        let (lo, hi) = values
            .filter(|v| *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if !lo.is_finite() {
            return Scale::Log { lo: 0, hi: 1 };
        }
        let lo = lo.log10().floor() as i32;
        let hi = (hi.log10().ceil() as i32).max(lo + 1);
        Scale::Log { lo, hi }
    }

    /// Where `value` falls between 0.0 (the axis's start) and 1.0 (its end).
    pub(super) fn fraction(self, value: f64) -> f64 {
        match self {
            Scale::Linear { max, .. } => value / max,
            Scale::Log { lo, hi } => (value.max(1e-9).log10() - f64::from(lo)) / f64::from(hi - lo),
        }
    }

    /// The values to tick.
    pub(super) fn ticks(self) -> Vec<f64> {
        match self {
            Scale::Linear { max, step } => {
                let count = (max / step).round() as u32;
                (0..=count).map(|i| f64::from(i) * step).collect()
            }
            Scale::Log { lo, hi } => (lo..=hi).map(|power| 10f64.powi(power)).collect(),
        }
    }
}

/// `0`, `25k`, `2.5k`, `1.5M`: short labels for rates.
pub(super) fn short(value: f64) -> String {
    if value >= 1e6 {
        format!("{}M", trim(value / 1e6))
    } else if value >= 1e3 {
        format!("{}k", trim(value / 1e3))
    } else {
        trim(value)
    }
}

/// `10,000`: labels for counts (and powers of ten of anything).
pub(super) fn count(value: f64) -> String {
    if value >= 1.0 {
        thousands(value.round() as u64)
    } else {
        trim(value)
    }
}

/// `25.0` → `25`, `2.5` → `2.5`.
fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_fit_the_values_with_round_ticks() {
        let linear = Scale::linear([1.0, 152_000.0].into_iter());
        assert_eq!(
            linear,
            Scale::Linear {
                max: 160_000.0,
                step: 20_000.0
            }
        );
        assert_eq!(linear.ticks().len(), 9);
        assert_eq!(linear.fraction(80_000.0), 0.5);
        let log = Scale::log([2.1, 174.0].into_iter());
        assert_eq!(log, Scale::Log { lo: 0, hi: 3 });
        assert_eq!(log.ticks(), vec![1.0, 10.0, 100.0, 1000.0]);
        assert!((log.fraction(10.0) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            Scale::log([3.0, 3.5].into_iter()),
            Scale::Log { lo: 0, hi: 1 }
        );
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(25_000.0), "25k");
        assert_eq!(short(2_500.0), "2.5k");
        assert_eq!(short(1_500_000.0), "1.5M");
        assert_eq!(count(10_000.0), "10,000");
        assert_eq!(count(0.1), "0.1");
    }
}
