//! Targets and the `--arch auto` choice: what a device offers, what each
//! architecture is estimated to cost (fitted to the yosys `synth_ice40` measurements in
//! docs/ARCHITECTURES.md), and the fastest architecture that fits.

use super::{Arch, PARALLEL_MAX_NEURONS};
use crate::error::{InputError, InputErrorKind};
use crate::model::UpdateMode;
use serde::Serialize;

/// The device a core is meant for (`--target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// No particular device: small sync cores parallel, everything else folded.
    Generic,
    /// Lattice iCE40 UP5K (iCEBreaker): 5280 LUT4, 30 × 4 Kbit EBR.
    Ice40Up5k,
    /// Lattice iCE40 HX8K: 7680 LUT4, 32 × 4 Kbit EBR.
    Ice40Hx8k,
    /// Lattice ECP5 LFE5U-25F (ULX3S 25F): 24288 LUT4, 56 × 18 Kbit EBR.
    Ecp5_25k,
    /// Lattice ECP5 LFE5U-85F: 83640 LUT4, 208 × 18 Kbit EBR.
    Ecp5_85k,
}

/// What a device offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    pub luts: u64,
    pub bram_bits: u64,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Generic => "generic",
            Target::Ice40Up5k => "ice40-up5k",
            Target::Ice40Hx8k => "ice40-hx8k",
            Target::Ecp5_25k => "ecp5-25k",
            Target::Ecp5_85k => "ecp5-85k",
        }
    }

    pub fn resources(self) -> Option<Resources> {
        let (luts, blocks, block_bits) = match self {
            Target::Generic => return None,
            Target::Ice40Up5k => (5280, 30, 4096),
            Target::Ice40Hx8k => (7680, 32, 4096),
            Target::Ecp5_25k => (24288, 56, 18432),
            Target::Ecp5_85k => (83640, 208, 18432),
        };
        Some(Resources {
            luts,
            bram_bits: blocks * block_bits,
        })
    }
}

/// The UP5K's four SPRAMs side by side: 16384 words of 64 bits.
pub const UP5K_SPRAM_WORDS: u64 = 16384;
pub const UP5K_SPRAM_WORD_BITS: u64 = 64;

/// A folded weight memory (N·C words of L·W bits) that fits a UP5K's SPRAM, in a core
/// whose block memories do not fit its EBR: the weights go to SPRAM, which has no
/// initial contents, so they are written at run time. Besides the weights, a sync core
/// has its thresholds (N words of A + 2 bits) in EBR and an async core its margins
/// (C words of L·(A + 3) bits with their flags; their start values, read-only, become
/// logic).
pub fn needs_spram(
    target: Target,
    mode: UpdateMode,
    n: usize,
    lanes: usize,
    w: u32,
    a: u32,
) -> bool {
    let Some(res) = target.resources().filter(|_| target == Target::Ice40Up5k) else {
        return false;
    };
    let (n, l, w, a) = (n as u64, lanes as u64, u64::from(w), u64::from(a));
    let (words, word_bits) = (n * n.div_ceil(l), l * w);
    let fits_spram = word_bits <= UP5K_SPRAM_WORD_BITS && words <= UP5K_SPRAM_WORDS;
    let others = match mode {
        UpdateMode::Sync => ice40_ebr_blocks(n, a + 2),
        UpdateMode::Async => ice40_ebr_blocks(n.div_ceil(l), l * (a + 3)),
    };
    fits_spram && ice40_ebr_blocks(words, word_bits) + others > res.bram_bits / ICE40_EBR_BITS
}

const ICE40_EBR_BITS: u64 = 4096;

/// Words of a folded sync core's weight-memory banks on an ECP5: 1024, the depth of a
/// DP16KD in its widest shape (1024 × 18), so a bank is one row of DP16KDs side by side
/// with no depth multiplexer, whatever its width.
pub const ECP5_BANK_WORDS: usize = 1024;

/// Depth up to which yosys maps the async margin memories to LUT RAM, not DP16KD.
const ECP5_LUT_RAM_WORDS: u64 = 64;

/// The bank size a target gives a folded core's weight memory (N·C words of L·W bits;
/// docs/ARCHITECTURES.md): on an ECP5, 1024-word banks when the memory is deeper than
/// one and the banks fit its DP16KDs with the core's other memories (sync: thresholds,
/// N words of A + 2 bits; async: two margin memories of C words of L·(A + 3) bits,
/// in LUT RAM when shallow).
/// yosys packs an unbanked memory into fewer blocks by mixing shapes, so a core that
/// fits only that way stays unbanked, and slower.
pub fn bank_words(
    target: Target,
    mode: UpdateMode,
    n: usize,
    lanes: usize,
    w: u32,
    a: u32,
) -> Option<usize> {
    if !matches!(target, Target::Ecp5_25k | Target::Ecp5_85k) {
        return None;
    }
    let (words, word_bits) = ((n * n.div_ceil(lanes)) as u64, lanes as u64 * u64::from(w));
    let bank = ECP5_BANK_WORDS as u64;
    let blocks = |depth: u64, width: u64| depth.div_ceil(bank) * width.div_ceil(18);
    let c = n.div_ceil(lanes) as u64;
    let others = match mode {
        UpdateMode::Sync => blocks(n as u64, u64::from(a) + 2),
        // yosys puts shallow margin memories in LUT RAM (C = 30 and 40 in docs/QOR.md).
        UpdateMode::Async if c <= ECP5_LUT_RAM_WORDS => 0,
        UpdateMode::Async => 2 * blocks(c, lanes as u64 * u64::from(a + 3)),
    };
    let needed = blocks(words, word_bits) + others;
    let available = target.resources()?.bram_bits / 18432;
    (words > bank && needed <= available).then_some(ECP5_BANK_WORDS)
}

/// iCE40 EBRs for a memory of `depth` words of `width` bits, in the best of the
/// block's shapes (256 × 16, 512 × 8, 1024 × 4, 2048 × 2).
pub fn ice40_ebr_blocks(depth: u64, width: u64) -> u64 {
    [(256, 16), (512, 8), (1024, 4), (2048, 2)]
        .iter()
        .map(|&(d, w)| depth.div_ceil(d) * width.div_ceil(w))
        .min()
        .unwrap_or(0)
}

/// Bits of a folded core's weight memory: N·C words of L weights of W bits.
fn weight_bits(n: usize, lanes: usize, w: u32) -> u64 {
    let (n, l) = (n as u64, lanes as u64);
    n * n.div_ceil(l) * l * u64::from(w)
}

/// Share of the device's LUTs a core may take (the rest is for the board top).
pub const LUT_BUDGET_PERCENT: u64 = 70;

/// Estimated cost of one core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub luts: u64,
    pub bram_bits: u64,
}

/// The cost model: LUT4s and block-RAM bits for an architecture (N neurons, L lanes,
/// W-bit weights, A-bit accumulator). Fitted to measured `synth_ice40` results within
/// about ±20 %; the FPGA flow reports the real numbers.
pub fn estimate(arch: Arch, mode: UpdateMode, n: usize, lanes: usize, w: u32, a: u32) -> Cost {
    let weights = weight_bits(n, lanes, w);
    let (n, l, w, a) = (n as u64, lanes as u64, u64::from(w), u64::from(a));
    let c = n.div_ceil(l);
    match (arch, mode) {
        (Arch::Parallel, UpdateMode::Sync) => Cost {
            luts: n * n * a / 4,
            bram_bits: 0,
        },
        (Arch::Parallel, UpdateMode::Async) => Cost {
            luts: n * n * w / 8 + 4 * n * (a + 1),
            bram_bits: 0,
        },
        // Three N-bit state shift registers with at most a 2:1 multiplexer per bit:
        // ~4 LUT4 per neuron with the control (measured 2495 LUT4 at N = 512, L = 16,
        // W = 4 on a UP5K, UART shell included).
        (Arch::Folded, UpdateMode::Sync) => Cost {
            luts: 4 * n + l * (w + a),
            bram_bits: weights + n * (a + 1),
        },
        (Arch::Folded, UpdateMode::Async) => Cost {
            luts: 12 * n + l * (7 * (a + 1) + w),
            bram_bits: weights + 2 * c * l * (a + 3),
        },
        (Arch::Auto, _) => unreachable!("auto is not an architecture"),
    }
}

/// The fastest architecture that fits `target`: parallel if it does, else folded with
/// the most lanes (up to 64, powers of two) whose logic fits; an error if even the
/// weights do not fit in block RAM.
pub fn choose_for(
    target: Target,
    res: Resources,
    mode: UpdateMode,
    n: usize,
    w: u32,
    a: u32,
) -> Result<(Arch, usize, String), InputError> {
    let budget = res.luts * LUT_BUDGET_PERCENT / 100;
    let name = target.name();
    let parallel = estimate(Arch::Parallel, mode, n, n, w, a);
    if n <= PARALLEL_MAX_NEURONS && parallel.luts <= budget {
        return Ok((
            Arch::Parallel,
            n,
            format!(
                "auto for {name}: parallel needs ~{} of {} LUT4",
                parallel.luts, res.luts
            ),
        ));
    }
    let lanes_to_try = (0..=6).map(|p| 1usize << p).filter(|&l| l <= n).rev();
    let mut smallest = None;
    for lanes in lanes_to_try {
        let cost = estimate(Arch::Folded, mode, n, lanes, w, a);
        smallest = Some(cost);
        if cost.luts <= budget && cost.bram_bits <= res.bram_bits {
            return Ok((
                Arch::Folded,
                lanes,
                format!(
                    "auto for {name}: parallel needs ~{} LUT4 of {}; folded with {lanes} lanes needs ~{} LUT4 and {} of {} Kbit block RAM",
                    parallel.luts,
                    res.luts,
                    cost.luts,
                    cost.bram_bits.div_ceil(1024),
                    res.bram_bits / 1024
                ),
            ));
        }
    }
    let spram_lanes = (0..=6)
        .map(|p| 1usize << p)
        .filter(|&l| l <= n && needs_spram(target, mode, n, l, w, a))
        .filter(|&l| estimate(Arch::Folded, mode, n, l, w, a).luts <= budget)
        .max();
    if let Some(lanes) = spram_lanes {
        let cost = estimate(Arch::Folded, mode, n, lanes, w, a);
        return Ok((
            Arch::Folded,
            lanes,
            format!(
                "auto for {name}: folded with {lanes} lanes, ~{} LUT4; the weights ({} Kbit) go to SPRAM and are written at run time",
                cost.luts,
                weight_bits(n, lanes, w).div_ceil(1024)
            ),
        ));
    }
    let cost = smallest.expect("at least one lane count is tried");
    Err(InputError::new(
        InputErrorKind::Option,
        format!(
            "the network does not fit {name}: even folded with 1 lane it needs ~{} LUT4 of {} and {} of {} Kbit block RAM",
            cost.luts,
            res.luts,
            cost.bram_bits.div_ceil(1024),
            res.bram_bits / 1024
        ),
        "use fewer weight bits (--weight-bits), a larger --target, or --arch folded to generate it anyway",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecp5_banks_deep_weight_memories_that_fit_banked() {
        let (k85, k25) = (Target::Ecp5_85k, Target::Ecp5_25k);
        let (sync, asy) = (UpdateMode::Sync, UpdateMode::Async);
        // N = 1024, 16 lanes of W = 3: 64 banks of 3 DP16KD + 1 for the thresholds.
        assert_eq!(bank_words(k85, sync, 1024, 16, 3, 13), Some(1024));
        // N = 1088: 74 banks of 3 (222 DP16KD) exceed the 208; yosys packs it unbanked.
        assert_eq!(bank_words(k85, sync, 1088, 16, 3, 13), None);
        // One bank holds the memory: nothing to multiplex.
        assert_eq!(bank_words(k25, sync, 128, 16, 4, 11), None);
        assert_eq!(bank_words(k25, sync, 256, 16, 4, 12), Some(1024));
        // N = 480, W = 4: 15 banks of 4 DP16KD (60) exceed the 56; yosys packs 55.
        assert_eq!(bank_words(k25, sync, 480, 16, 4, 13), None);
        // Async N = 256: 4 banks of 4, the margins (C = 16) in LUT RAM.
        assert_eq!(bank_words(k25, asy, 256, 16, 4, 12), Some(1024));
        assert_eq!(bank_words(Target::Ice40Hx8k, sync, 256, 16, 4, 12), None);
        assert_eq!(bank_words(Target::Generic, sync, 1024, 16, 3, 13), None);
    }

    #[test]
    fn small_sync_networks_go_parallel_on_an_up5k() {
        let res = Target::Ice40Up5k.resources().unwrap();
        let (arch, lanes, why) =
            choose_for(Target::Ice40Up5k, res, UpdateMode::Sync, 16, 4, 8).unwrap();
        assert_eq!((arch, lanes), (Arch::Parallel, 16));
        assert!(
            why.starts_with("auto for ice40-up5k: parallel needs ~512 of 5280 LUT4"),
            "{why}"
        );
    }

    #[test]
    fn larger_networks_fold_with_the_most_lanes_that_fit() {
        let res = Target::Ice40Up5k.resources().unwrap();
        // Budget 3696 LUT4. N = 128 async: 32 lanes ~4576, 16 lanes ~3056.
        let (arch, lanes, _) =
            choose_for(Target::Ice40Up5k, res, UpdateMode::Async, 128, 4, 12).unwrap();
        assert_eq!((arch, lanes), (Arch::Folded, 16));
        // N = 192 sync, W = 2: 64 lanes ~1664 LUT4 and 74 Kbit of weights.
        let (arch, lanes, why) =
            choose_for(Target::Ice40Up5k, res, UpdateMode::Sync, 192, 2, 12).unwrap();
        assert_eq!((arch, lanes), (Arch::Folded, 64));
        assert!(
            why.contains("folded with 64 lanes needs ~1664 LUT4 and 75 of 120 Kbit block RAM"),
            "{why}"
        );
    }

    #[test]
    fn sync_weights_beyond_block_ram_go_to_the_up5k_spram() {
        let res = Target::Ice40Up5k.resources().unwrap();
        // 256 × 256 × 8 bits: 512 Kbit, words of 8 lanes × 8 bits fill 8192 SPRAM words.
        let (arch, lanes, why) =
            choose_for(Target::Ice40Up5k, res, UpdateMode::Sync, 256, 8, 14).unwrap();
        assert_eq!((arch, lanes), (Arch::Folded, 8));
        assert!(
            why.contains("go to SPRAM and are written at run time"),
            "{why}"
        );
        let (sync, up5k) = (UpdateMode::Sync, Target::Ice40Up5k);
        assert!(needs_spram(up5k, sync, 512, 16, 4, 13));
        assert!(!needs_spram(up5k, sync, 512, 32, 4, 13), "128-bit words");
        assert!(!needs_spram(up5k, sync, 64, 16, 4, 10), "fits EBR");
        assert!(
            !needs_spram(Target::Ice40Hx8k, sync, 512, 16, 4, 13),
            "no SPRAM"
        );
        // 160 neurons: 28 EBRs of weights and one of thresholds still fit the 30.
        assert!(!needs_spram(up5k, sync, 160, 16, 4, 12));
        assert!(needs_spram(up5k, sync, 192, 16, 4, 12));
    }

    #[test]
    fn async_weights_go_to_spram_when_weights_and_margins_overflow_the_ebr() {
        let (asy, up5k) = (UpdateMode::Async, Target::Ice40Up5k);
        // N = 128, 16 lanes: 16 EBRs of weights, 14 of margins (8 words of 224 bits).
        assert!(!needs_spram(up5k, asy, 128, 16, 4, 11));
        // N = 256: 64 + 15.
        assert!(needs_spram(up5k, asy, 256, 16, 4, 12));
        let res = up5k.resources().unwrap();
        let (arch, lanes, why) = choose_for(up5k, res, asy, 256, 4, 12).unwrap();
        assert_eq!(arch, Arch::Folded);
        assert!(why.contains("go to SPRAM"), "{why} ({lanes} lanes)");
    }

    #[test]
    fn ebr_counts_take_the_best_block_shape() {
        assert_eq!(ice40_ebr_blocks(1024, 64), 16);
        assert_eq!(ice40_ebr_blocks(16, 208), 13);
        assert_eq!(ice40_ebr_blocks(2048, 2), 1);
        assert_eq!(ice40_ebr_blocks(300, 4), 1);
        assert_eq!(ice40_ebr_blocks(600, 16), 3);
    }

    #[test]
    fn weights_beyond_block_ram_are_a_clear_error() {
        let res = Target::Ice40Up5k.resources().unwrap();
        // 512 × 512 × 8 bits: too much for the EBR, and for the SPRAM at any lane count.
        let err = choose_for(Target::Ice40Up5k, res, UpdateMode::Async, 512, 8, 15).unwrap_err();
        assert!(
            err.problem
                .starts_with("the network does not fit ice40-up5k"),
            "{}",
            err.problem
        );
        assert!(
            err.problem.contains("of 120 Kbit block RAM"),
            "{}",
            err.problem
        );
        let ecp5 = Target::Ecp5_25k.resources().unwrap();
        assert!(choose_for(Target::Ecp5_25k, ecp5, UpdateMode::Sync, 256, 8, 14).is_ok());
    }
}
