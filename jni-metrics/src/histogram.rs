//! Log-linear bucket layout and the statistics computed from bucket counts.
//!
//! The layout is HDR-style: values below 128 ns get one bucket each (exact); above that every
//! power-of-two range `[2^e, 2^(e+1))` is split into 64 equal sub-buckets. A bucket is reported by
//! its midpoint, so an estimate is off by at most half a bucket width, which is at most
//! 1/128 ≈ **0.78 %** of the true value, for every value from 0 to [`MAX_TRACKABLE_NS`]
//! (2^42 − 1 ns ≈ 73 minutes, so 1 ns … 1 h is covered). Larger values saturate to
//! `MAX_TRACKABLE_NS`; negative ones (a clock or bookkeeping error on the Java side) count as 0.
//!
//! 2,368 buckets of 8 bytes = 18.5 KiB per histogram. The index computation is branch-free
//! (`leading_zeros`, one shift, one add) and cannot panic.
//!
//! Quantiles use the nearest-rank definition: the q-quantile of N samples is the sample at rank
//! `ceil(q × N)` (1-based, at least 1) in sorted order, with q given as an exact fraction so that
//! no floating-point rounding decides a rank.

/// Sub-buckets per power of two are `2^SUB_BUCKET_BITS`.
pub const SUB_BUCKET_BITS: u32 = 6;
const SUB_BUCKETS: u64 = 1 << SUB_BUCKET_BITS;
/// Values are tracked up to `2^VALUE_BITS - 1` ns.
pub const VALUE_BITS: u32 = 42;
/// The largest value the histogram distinguishes (2^42 − 1 ns ≈ 73.3 minutes).
pub const MAX_TRACKABLE_NS: u64 = (1 << VALUE_BITS) - 1;
/// Number of buckets: 64 exact ones for `[0, 64)`, then 64 per power of two from 2^6 to 2^41.
pub const BUCKET_COUNT: usize = (SUB_BUCKETS * (VALUE_BITS - SUB_BUCKET_BITS + 1) as u64) as usize;

/// Maps a Java `long` duration to the tracked range: negative → 0, above the range → the maximum.
#[inline(always)]
pub const fn clamp_sample(nanos: i64) -> u64 {
    if nanos <= 0 {
        0
    } else if nanos as u64 > MAX_TRACKABLE_NS {
        MAX_TRACKABLE_NS
    } else {
        nanos as u64
    }
}

/// Bucket of a value; values above [`MAX_TRACKABLE_NS`] land in the last bucket.
#[inline(always)]
pub const fn bucket_index(value: u64) -> usize {
    let value = if value > MAX_TRACKABLE_NS { MAX_TRACKABLE_NS } else { value };
    // Significant bits beyond the 7 that a sub-bucket resolves are dropped by the shift; the shift
    // also numbers the power-of-two range, 64 buckets apart.
    let significant_bits = u64::BITS - value.leading_zeros();
    let shift = significant_bits.saturating_sub(SUB_BUCKET_BITS + 1);
    ((shift as u64) * SUB_BUCKETS + (value >> shift)) as usize
}

/// Smallest value in bucket `index` (indices past the end are treated as the last bucket).
pub const fn bucket_lower(index: usize) -> u64 {
    let index = if index >= BUCKET_COUNT { BUCKET_COUNT - 1 } else { index } as u64;
    if index < SUB_BUCKETS {
        return index;
    }
    let shift = index / SUB_BUCKETS - 1;
    let mantissa = (index % SUB_BUCKETS) | SUB_BUCKETS;
    mantissa << shift
}

/// Number of distinct values in bucket `index`.
pub const fn bucket_width(index: usize) -> u64 {
    let index = if index >= BUCKET_COUNT { BUCKET_COUNT - 1 } else { index } as u64;
    let shift = (index / SUB_BUCKETS).saturating_sub(1);
    1 << shift
}

/// Largest value in bucket `index`.
pub const fn bucket_upper(index: usize) -> u64 {
    bucket_lower(index) + (bucket_width(index) - 1)
}

/// The value reported for bucket `index`: its midpoint (exact for width-1 buckets).
pub const fn bucket_midpoint(index: usize) -> u64 {
    bucket_lower(index) + bucket_width(index) / 2
}

/// A quantile as an exact fraction `numerator / denominator`, e.g. p999 = 999/1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantile {
    pub numerator: u64,
    pub denominator: u64,
}

impl Quantile {
    pub const P50: Quantile = Quantile::per_mille(500);
    pub const P75: Quantile = Quantile::per_mille(750);
    pub const P90: Quantile = Quantile::per_mille(900);
    pub const P95: Quantile = Quantile::per_mille(950);
    pub const P98: Quantile = Quantile::per_mille(980);
    pub const P99: Quantile = Quantile::per_mille(990);
    pub const P999: Quantile = Quantile::per_mille(999);

    pub const fn per_mille(numerator: u64) -> Quantile {
        Quantile { numerator, denominator: 1000 }
    }

    /// 1-based nearest rank `ceil(q × total)`, clamped to `1..=total` (0 when `total` is 0).
    pub fn rank(self, total: u64) -> u64 {
        if total == 0 {
            return 0;
        }
        let denominator = u128::from(self.denominator.max(1));
        let product = u128::from(total) * u128::from(self.numerator.min(self.denominator));
        let rank = product.div_ceil(denominator);
        u64::try_from(rank).unwrap_or(total).clamp(1, total)
    }
}

/// Summary of one set of bucket counts (the samples of one window).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Distribution {
    /// Number of samples (sum of the counts).
    pub count: u64,
    /// Lowest and highest non-empty bucket; meaningless when `count` is 0.
    pub lowest_bucket: usize,
    pub highest_bucket: usize,
}

impl Distribution {
    /// One pass over `counts` to find the total and the occupied range.
    pub fn of(counts: &[u64]) -> Distribution {
        let mut summary = Distribution::default();
        let mut seen_any = false;
        for (index, &count) in counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            summary.count = summary.count.wrapping_add(count);
            if !seen_any {
                summary.lowest_bucket = index;
                seen_any = true;
            }
            summary.highest_bucket = index;
        }
        summary
    }
}

/// Bucket holding the sample of 1-based rank `rank` (the last non-empty bucket if `rank` exceeds
/// the total, bucket 0 if there are no samples).
pub fn bucket_at_rank(counts: &[u64], rank: u64) -> usize {
    let mut cumulative = 0u64;
    let mut last_non_empty = 0;
    for (index, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        cumulative = cumulative.saturating_add(count);
        last_non_empty = index;
        if cumulative >= rank {
            return index;
        }
    }
    last_non_empty
}

/// Estimates of several quantiles in one pass; `quantiles` must be in ascending order.
/// `floor` and `ceiling` are the smallest and largest sample: ranks 1 and `total` return them,
/// other ranks their bucket's midpoint clamped to `[floor, ceiling]`.
pub fn quantiles<const K: usize>(
    counts: &[u64],
    total: u64,
    quantiles: [Quantile; K],
    floor: u64,
    ceiling: u64,
) -> [u64; K] {
    let mut estimates = [0u64; K];
    if total == 0 {
        return estimates;
    }
    let ranks = quantiles.map(|q| q.rank(total));
    let mut next = 0;
    let mut cumulative = 0u64;
    for (index, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        cumulative = cumulative.saturating_add(count);
        while let (Some(&rank), Some(estimate)) = (ranks.get(next), estimates.get_mut(next)) {
            if rank > cumulative {
                break;
            }
            // The first and last ranks are the extremes themselves, which callers know exactly.
            *estimate = if rank <= 1 {
                floor
            } else if rank >= total {
                ceiling.max(floor)
            } else {
                bucket_midpoint(index).clamp(floor, ceiling.max(floor))
            };
            next += 1;
        }
    }
    // Ranks beyond the counted samples (only if `total` overstates them) take the top estimate.
    let top = next.checked_sub(1).and_then(|i| estimates.get(i).copied()).unwrap_or(floor);
    for estimate in estimates.iter_mut().skip(next) {
        *estimate = top;
    }
    estimates
}

/// Population standard deviation estimated from bucket midpoints around `mean`.
pub fn standard_deviation(counts: &[u64], total: u64, mean: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let squares: f64 = counts
        .iter()
        .enumerate()
        .filter(|&(_, &count)| count != 0)
        .map(|(index, &count)| {
            let deviation = bucket_midpoint(index) as f64 - mean;
            count as f64 * deviation * deviation
        })
        .sum();
    (squares / total as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [Quantile; 9] = [
        Quantile { numerator: 0, denominator: 1 },
        Quantile::P50,
        Quantile::P75,
        Quantile::P90,
        Quantile::P95,
        Quantile::P98,
        Quantile::P99,
        Quantile::P999,
        Quantile { numerator: 1, denominator: 1 },
    ];

    fn counts_of(values: &[u64]) -> Vec<u64> {
        let mut counts = vec![0u64; BUCKET_COUNT];
        for &value in values {
            counts[bucket_index(value)] += 1;
        }
        counts
    }

    /// Nearest-rank quantile of the exact samples: the reference the histogram is checked against.
    fn reference(sorted: &[u64], q: Quantile) -> u64 {
        let rank = q.rank(sorted.len() as u64);
        sorted[(rank - 1) as usize]
    }

    /// The documented bound: |estimate − exact| ≤ exact / 128.
    fn assert_within_bound(estimate: u64, exact: u64, what: &str) {
        assert!(
            estimate.abs_diff(exact) * 128 <= exact,
            "{what}: estimate {estimate} vs exact {exact} is off by more than 1/128"
        );
    }

    fn check_against_reference(values: &[u64]) {
        let values: Vec<u64> = values.iter().map(|&v| v.min(MAX_TRACKABLE_NS)).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let counts = counts_of(&values);
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        let estimates = quantiles(&counts, values.len() as u64, ALL, min, max);
        for (q, estimate) in ALL.iter().zip(estimates) {
            assert_within_bound(estimate, reference(&sorted, *q), &format!("{q:?}"));
        }
        // The extremes themselves are exact once clamped.
        assert_eq!(estimates[0], min);
        assert_eq!(estimates[ALL.len() - 1], max);
    }

    #[test]
    fn layout_is_contiguous_and_covers_the_range() {
        assert_eq!(BUCKET_COUNT, 2368);
        assert_eq!(bucket_lower(0), 0);
        for index in 1..BUCKET_COUNT {
            assert_eq!(bucket_upper(index - 1) + 1, bucket_lower(index), "gap before {index}");
        }
        assert_eq!(bucket_upper(BUCKET_COUNT - 1), MAX_TRACKABLE_NS);
    }

    #[test]
    fn every_bucket_boundary_maps_back_to_its_bucket() {
        for index in 0..BUCKET_COUNT {
            assert_eq!(bucket_index(bucket_lower(index)), index);
            assert_eq!(bucket_index(bucket_upper(index)), index);
            assert_eq!(bucket_index(bucket_midpoint(index)), index);
        }
    }

    #[test]
    fn small_values_are_exact_and_large_ones_saturate() {
        for value in 0..128 {
            assert_eq!(bucket_midpoint(bucket_index(value)), value);
        }
        assert_eq!(bucket_index(MAX_TRACKABLE_NS + 1), BUCKET_COUNT - 1);
        assert_eq!(bucket_index(u64::MAX), BUCKET_COUNT - 1);
        assert_eq!(clamp_sample(i64::MAX), MAX_TRACKABLE_NS);
        assert_eq!(clamp_sample(-1), 0);
        assert_eq!(clamp_sample(i64::MIN), 0);
        assert_eq!(clamp_sample(1_000), 1_000);
    }

    #[test]
    fn midpoint_error_bound_holds_at_every_power_of_two_edge() {
        for bits in 0..VALUE_BITS {
            let edge = 1u64 << bits;
            for value in [edge - 1, edge, edge + 1, edge + edge / 2] {
                let value = value.min(MAX_TRACKABLE_NS);
                assert_within_bound(bucket_midpoint(bucket_index(value)), value, "midpoint");
            }
        }
    }

    #[test]
    fn ranks_are_exact_fractions() {
        assert_eq!(Quantile::P999.rank(1000), 999);
        assert_eq!(Quantile::P999.rank(1001), 1000);
        assert_eq!(Quantile::P99.rank(100), 99);
        assert_eq!(Quantile::P50.rank(1), 1);
        assert_eq!(Quantile::P50.rank(3), 2);
        assert_eq!(Quantile { numerator: 0, denominator: 1 }.rank(5), 1);
        assert_eq!(Quantile::P50.rank(0), 0);
        assert_eq!(Quantile::P999.rank(u64::MAX), u64::MAX - u64::MAX / 1000);
    }

    #[test]
    fn empty_counts_give_zeros() {
        let counts = vec![0u64; BUCKET_COUNT];
        assert_eq!(quantiles(&counts, 0, ALL, 0, 0), [0; 9]);
        assert_eq!(Distribution::of(&counts).count, 0);
        assert_eq!(standard_deviation(&counts, 0, 0.0), 0.0);
    }

    #[test]
    fn adversarial_distributions_match_the_reference() {
        // All zero; a single huge value; values straddling every bucket edge; a long tail where
        // p999 sits on one outlier; two far-apart modes.
        check_against_reference(&[0; 1000]);
        check_against_reference(&[u64::MAX]);
        let edges: Vec<u64> = (0..BUCKET_COUNT).flat_map(|i| [bucket_lower(i), bucket_upper(i)]).collect();
        check_against_reference(&edges);
        let mut tail = vec![1_000u64; 999];
        tail.push(3_600_000_000_000);
        check_against_reference(&tail);
        let mut bimodal = vec![150u64; 500];
        bimodal.extend(std::iter::repeat_n(2_000_000_000, 500));
        check_against_reference(&bimodal);
    }

    #[test]
    fn standard_deviation_of_two_points() {
        let counts = counts_of(&[100, 120]);
        let deviation = standard_deviation(&counts, 2, 110.0);
        assert!((deviation - 10.0).abs() < 1e-9, "{deviation}");
    }

    proptest! {
        #[test]
        fn uniform_values_match_the_reference(values in prop::collection::vec(0u64..5_000_000, 1..2000)) {
            check_against_reference(&values);
        }

        #[test]
        fn log_uniform_values_match_the_reference(
            exponents in prop::collection::vec((0u32..44, any::<u64>()), 1..2000)
        ) {
            // Every magnitude from 1 ns to past the saturation point is equally likely.
            let values: Vec<u64> = exponents
                .iter()
                .map(|&(bits, noise)| (1u64 << bits) | (noise & ((1u64 << bits) - 1)))
                .collect();
            check_against_reference(&values);
        }

        #[test]
        fn any_value_lands_in_a_bucket_that_contains_it(value in any::<u64>()) {
            let index = bucket_index(value);
            let value = value.min(MAX_TRACKABLE_NS);
            prop_assert!(index < BUCKET_COUNT);
            prop_assert!(bucket_lower(index) <= value && value <= bucket_upper(index));
        }

        #[test]
        fn arbitrary_fractions_give_ranks_in_range(total in 1u64.., numerator in any::<u64>(), denominator in 1u64..) {
            let rank = Quantile { numerator, denominator }.rank(total);
            prop_assert!((1..=total).contains(&rank));
        }
    }
}
