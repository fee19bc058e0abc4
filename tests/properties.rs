//! Property tests of the contract's invariants: the fast model equals the naive one
//! bit for bit, async updates never raise the energy and always converge, stored
//! patterns are fixed points at low load, and quantisation stays in range.

use hopgen::learn::{self, Rule};
use hopgen::model::{energy2, FixedModel, NaiveModel, RunConfig, Status, UpdateMode};
use hopgen::network::Network;
use hopgen::quantize::{quantize, QuantNetwork, QuantSpec};
use hopgen::state::State;
use proptest::prelude::*;

/// A network whose f64 weights are small integers, so W = 8, F = 0 keeps them exact.
fn integer_network(
    n: usize,
    upper: &[i32],
    diag: &[i32],
    thresholds: &[i32],
    symmetric: bool,
) -> Network {
    let mut weights = vec![0.0; n * n];
    let mut k = 0;
    for i in 0..n {
        for j in i + 1..n {
            weights[i * n + j] = f64::from(upper[k]);
            weights[j * n + i] = if symmetric {
                f64::from(upper[k])
            } else {
                f64::from(diag[k % diag.len()])
            };
            k += 1;
        }
    }
    Network {
        name: "prop".into(),
        n,
        shape: None,
        weights,
        thresholds: thresholds.iter().map(|&t| f64::from(t)).collect(),
        patterns: vec![],
        labels: vec![],
        meta: None,
    }
}

fn exact(net: &Network) -> QuantNetwork {
    let q = quantize(net, QuantSpec::new(8, Some(0)).unwrap());
    assert_eq!(q.report.saturated, 0);
    q
}

/// (n, upper-triangle weights, extra values for asymmetry, thresholds, probe signs)
fn small_net() -> impl Strategy<Value = (usize, Vec<i32>, Vec<i32>, Vec<i32>, Vec<i8>)> {
    (1usize..=70).prop_flat_map(|n| {
        let pairs = n * (n - 1) / 2;
        (
            Just(n),
            prop::collection::vec(-3i32..=3, pairs),
            prop::collection::vec(-3i32..=3, 1..=8),
            prop::collection::vec(-2i32..=2, n),
            prop::collection::vec(prop::bool::ANY.prop_map(|b| if b { 1i8 } else { -1 }), n),
        )
    })
}

fn mode_strategy() -> impl Strategy<Value = UpdateMode> {
    prop_oneof![Just(UpdateMode::Sync), Just(UpdateMode::Async)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_model_equals_naive_model(
        (n, upper, extra, thresholds, probe) in small_net(),
        mode in mode_strategy(),
        symmetric in prop::bool::weighted(0.8),
        max_sweeps in 1u32..=40,
    ) {
        let q = exact(&integer_network(n, &upper, &extra, &thresholds, symmetric));
        let cfg = RunConfig::new(mode, max_sweeps).unwrap();
        let probe = State::from_signs(&probe);
        let fast = FixedModel::new(&q).run(&probe, &cfg);
        let naive = NaiveModel::from_quantized(&q).run(&probe, &cfg);
        prop_assert_eq!(fast, naive);
    }

    #[test]
    fn energy_never_rises_under_async_updates(
        (n, upper, extra, thresholds, probe) in small_net(),
    ) {
        let q = exact(&integer_network(n, &upper, &extra, &thresholds, true));
        let naive = NaiveModel::from_quantized(&q);
        let mut signs = probe;
        let mut energy = energy2(&q, &State::from_signs(&signs));
        for _sweep in 0..20 {
            for i in 0..n {
                let flipped = naive.update_neuron(&mut signs, i);
                let next = energy2(&q, &State::from_signs(&signs));
                prop_assert!(next <= energy, "energy rose from {} to {} at neuron {}", energy, next, i);
                // A flip strictly lowers it: ΔE₂ = −4·|h_i − θ_i| < 0.
                prop_assert_eq!(flipped, next < energy);
                energy = next;
            }
        }
    }

    #[test]
    fn async_always_converges_for_symmetric_weights(
        (n, upper, extra, thresholds, probe) in small_net(),
    ) {
        let q = exact(&integer_network(n, &upper, &extra, &thresholds, true));
        let cfg = RunConfig::new(UpdateMode::Async, 65535).unwrap();
        let model = FixedModel::new(&q);
        let mut energies = Vec::new();
        let out = model.run_observed(&State::from_signs(&probe), &cfg, |_, s| energies.push(energy2(&q, s)));
        prop_assert_eq!(out.status, Status::Converged);
        prop_assert!(energies.windows(2).all(|w| w[1] <= w[0]));
        // The final state is a fixed point: one more sweep changes nothing.
        let again = model.run(&out.state, &RunConfig::new(UpdateMode::Async, 1).unwrap());
        prop_assert_eq!(again.status, Status::Converged);
    }

    #[test]
    fn sync_statuses_mean_what_they_say(
        (n, upper, extra, thresholds, probe) in small_net(),
    ) {
        let q = exact(&integer_network(n, &upper, &extra, &thresholds, true));
        let model = FixedModel::new(&q);
        let out = model.run(&State::from_signs(&probe), &RunConfig::new(UpdateMode::Sync, 30).unwrap());
        let one = RunConfig::new(UpdateMode::Sync, 1).unwrap();
        let next = model.run(&out.state, &one);
        match out.status {
            Status::Converged => prop_assert_eq!(next.state, out.state),
            Status::Cycle2 => {
                prop_assert_ne!(&next.state, &out.state);
                prop_assert_eq!(model.run(&next.state, &one).state, out.state);
            }
            Status::Limit => prop_assert_eq!(out.sweeps, 30),
        }
    }

    #[test]
    fn stored_patterns_are_fixed_points_at_low_load(
        n in 100usize..=300,
        p in 1usize..=3,
        seed in any::<u64>(),
        rule in prop_oneof![Just(Rule::Hebbian), Just(Rule::Storkey), Just(Rule::Pinv)],
    ) {
        let patterns = hopgen::cmd::random::random_patterns(n, p, seed);
        let signs: Vec<Vec<i8>> = patterns.iter().map(State::to_signs).collect();
        let net = Network {
            name: "stored".into(),
            n,
            shape: None,
            weights: learn::weights_for(rule, n, &signs),
            thresholds: vec![0.0; n],
            patterns: patterns.clone(),
            labels: vec![],
            meta: None,
        };
        prop_assert_eq!(hopgen::recall::fixed_points_float(&net), p);
        let q = quantize(&net, QuantSpec::default());
        prop_assert_eq!(hopgen::recall::fixed_points_fixed(&q, &patterns), p);
    }

    #[test]
    fn quantised_values_stay_in_their_ranges(
        (n, upper, extra, thresholds, probe) in small_net(),
        scale in 1e-3f64..1e3,
        weight_bits in 2u32..=16,
        frac_bits in prop::option::of(-8i32..=24),
    ) {
        let mut net = integer_network(n, &upper, &extra, &thresholds, true);
        net.weights.iter_mut().for_each(|w| *w *= scale / 3.0);
        net.thresholds.iter_mut().for_each(|t| *t *= scale);
        let q = quantize(&net, QuantSpec::new(weight_bits, frac_bits).unwrap());
        let half = 1i32 << (weight_bits - 1);
        prop_assert!(q.weights.iter().all(|&w| (-half..half).contains(&w)));
        if frac_bits.is_none() {
            prop_assert_eq!(q.report.saturated, 0);
        }
        let bound = q.field_bound as i32;
        prop_assert!(q.thresholds.iter().all(|&t| t.abs() <= bound + 1));
        let acc_limit = 1i64 << (q.acc_bits - 1);
        prop_assert!(i64::from(bound) + 1 < acc_limit);
        for h in FixedModel::new(&q).local_fields(&State::from_signs(&probe)) {
            prop_assert!(h.abs() <= bound);
        }
        for i in 0..n {
            prop_assert_eq!(q.weight(i, i), 0);
        }
    }

    #[test]
    fn quantisation_is_monotone(a in -1e3f64..1e3, b in -1e3f64..1e3, weight_bits in 2u32..=16, frac_bits in -4i32..=12) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let net = Network {
            name: "m".into(), n: 2, shape: None,
            weights: vec![0.0, lo, hi, 0.0], thresholds: vec![0.0, 0.0],
            patterns: vec![], labels: vec![], meta: None,
        };
        let q = quantize(&net, QuantSpec::new(weight_bits, Some(frac_bits)).unwrap());
        prop_assert!(q.weight(0, 1) <= q.weight(1, 0));
    }
}
