//! The `folded` architecture, async update, done incrementally: the margins
//! g_i = h_i − θ_i of all neurons live in a block RAM (C words of L margins), the
//! weights in another, column by column. Deciding neuron j costs one read; only a flip
//! costs additions: one pass over the C words of column j adds ±2·W[:,j] to every
//! margin, L lanes per cycle.
//!
//! Phases: INIT copies the margins of the all-(−1) state (K_i = −R_i − θ_i) into the
//! margin RAM; SCAN adds column k for every neuron k at +1 in the probe; then each
//! sweep READs, SHIFTs and DECIDEs neuron after neuron and ENDs with the stopping
//! rule. While a neuron is decided, the word of the next one is prefetched, so a
//! neuron that does not flip costs one cycle. The decision reads its margin's flags
//! from bit 0 of two shift registers (or, at a word's first lane, straight from the
//! word), not through an L:1 lane multiplexer; SHIFT loads them after a READ. A pass
//! has four stages (issue, weights registered, sums registered, write). Cycle counts
//! (docs/ARCHITECTURES.md): load C + 6 + N + (C + 3)·P, sweep N + 1 + (C + 5)·flips.

use super::control::{self, decl, set, Names, SWEEP_BITS};
use super::parallel_async::start_margin;
use super::weight_banks::{self, BankedMemory, Banking};
use super::weight_port::{WeightMemory, WritePort};
use super::Timing;
use super::{bits_for, pack_hex, Design};
use crate::verilog::*;

pub const WEIGHTS_FILE: &str = "weights.mem";
pub const MARGINS_FILE: &str = "margins.mem";

const INIT: u64 = 0;
const SCAN: u64 = 1;
const READ: u64 = 2;
const DECIDE: u64 = 3;
const END: u64 = 4;
const SHIFT: u64 = 5;
/// The phase register is one-hot: one bit per phase.
const PHASES: u32 = 6;

/// The exact cycle counts of this core; every pass takes `bank_latency` more cycles
/// with a banked weight memory (M, docs/ARCHITECTURES.md).
pub fn timing(n: usize, lanes: usize, bank_latency: u64) -> Timing {
    let (n, c, m) = (n as u64, n.div_ceil(lanes) as u64, bank_latency);
    Timing {
        load: c + 6 + n + m,
        load_per_plus: c + 3 + m,
        sweep: n + 1,
        per_flip: c + 5 + m,
    }
}

/// A margin word's lane: g in the low A + 1 bits, then g > 0, then g = 0, so the
/// decision reads two flags instead of comparing a selected margin.
pub fn margin_field(g: i64, acc_bits: u32) -> i64 {
    let gw = acc_bits + 1;
    (g & ((1i64 << gw) - 1)) | (i64::from(g > 0) << gw) | (i64::from(g == 0) << (gw + 1))
}

/// `margins.mem`: word c holds K_i = −R_i − θ_i for i = c·L + l in lane l, as a
/// `margin_field` (A + 3 bits).
pub fn margins_mem(design: &Design) -> String {
    let q = &design.q;
    let (n, lanes) = (q.n, design.lanes);
    let mut out = String::new();
    for c in 0..n.div_ceil(lanes) {
        let lane = |l: usize| {
            let g = if c * lanes + l < n {
                start_margin(q, c * lanes + l)
            } else {
                0
            };
            margin_field(g, q.acc_bits)
        };
        out.push_str(&pack_hex((0..lanes).map(lane), q.acc_bits as usize + 3));
        out.push('\n');
    }
    out
}

struct Sizes {
    n: usize,
    lanes: usize,
    c_count: usize,
    gw: u32,
    /// A lane of a margin word: the margin (gw bits) and its two flags.
    fw: u32,
    ww: u32,
    idx: u32,
    lane: u32,
    word: u32,
    addr: u32,
    /// The weight memory is written through the core's port (no initial contents).
    load: bool,
    /// The weight memory's banks, if it has them.
    banking: Option<Banking>,
}

impl Sizes {
    /// The pass pipeline: a stage per extra cycle of a banked read, then p1–p3.
    fn pass_stages(&self) -> Vec<PassStage> {
        let waits = self.banking.map_or(0, |b| b.latency());
        let mut stages: Vec<PassStage> = (1..=waits)
            .map(|d| PassStage {
                prefix: format!("pw{d}"),
                comment: if d == 1 {
                    "pass: waiting for the banked weights"
                } else {
                    ""
                },
                up: true,
            })
            .collect();
        stages.extend(PASS_STAGES.iter().map(|(prefix, comment, up)| PassStage {
            prefix: prefix.to_string(),
            comment,
            up: *up,
        }));
        stages
    }
}

/// The weight memory as the write port sees it: column-major words k*C + c.
fn weight_memory<'a>(names: &'a AsyncNames, z: &Sizes) -> WeightMemory<'a> {
    WeightMemory {
        memory: &names.wmem,
        data: &names.wdata,
        read_addr: e("pass_addr"),
        addr_bits: z.addr,
        word_bits: z.lanes as u32 * z.ww,
        word_doc: "word k*C + c: column k",
    }
}

/// The weight memory's names (shared by the engine and the write port).
struct AsyncNames {
    wmem: Ident,
    wdata: Ident,
}

impl AsyncNames {
    fn new() -> Self {
        AsyncNames {
            wmem: ident("wmem"),
            wdata: ident("wdata"),
        }
    }
}

fn ident(name: &str) -> Ident {
    Ident::new(name)
}

fn e(name: &str) -> Expr {
    Expr::id(&ident(name))
}

fn u(width: u32, value: usize) -> Expr {
    Expr::uint(width, value as u64)
}

fn reg(width: u32, name: &str, comment: &str) -> Item {
    control::net(NetKind::Reg, width, &ident(name), comment)
}

fn wire(width: u32, name: &str, comment: &str) -> Item {
    control::net(NetKind::Wire, width, &ident(name), comment)
}

fn signed_wire(width: u32, name: &str, comment: &str) -> Item {
    control::signed_net(NetKind::Wire, width, &ident(name), comment)
}

fn assign(lhs: &str, rhs: Expr) -> Item {
    Item::Assign { lhs: e(lhs), rhs }
}

fn nb(lhs: &str, rhs: Expr) -> Stmt {
    set(&ident(lhs), rhs)
}

fn when(cond: Expr, then: Vec<Stmt>) -> Stmt {
    Stmt::If {
        cond,
        then,
        otherwise: vec![],
    }
}

fn incr(name: &str, width: u32, step: usize) -> Stmt {
    nb(name, e(name).binary(BinaryOp::Add, u(width, step)))
}

fn declarations(names: &Names, z: &Sizes) -> Vec<Item> {
    let lw = z.lanes as u32;
    let mut items = vec![
        decl(
            NetKind::Reg,
            Width::Vector(z.n as u32),
            &names.state,
            "s, rotating: bit 0 is neuron j; a decision enters at the top",
        ),
        decl(NetKind::Reg, Width::Vector(SWEEP_BITS), &names.sweeps, "k"),
        decl(NetKind::Reg, Width::Vector(2), &names.status, ""),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &names.busy,
            "working on a probe",
        ),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &names.done,
            "result waiting for out_ready",
        ),
        reg(
            PHASES,
            "phase",
            "one-hot: bit 0 init, 1 scan, 2 read, 3 decide, 4 end, 5 shift",
        ),
        reg(0, "changed_any", "some neuron flipped in this sweep"),
        reg(0, "wrap", "the sweep's last neuron is decided"),
        reg(z.idx, "idx", "neuron j (scan: k)"),
        reg(0, "idx_last", "j == N-1 (a register, set as j moves)"),
        reg(z.word, "word", "j div L"),
        reg(z.word, "word_up", "word + 1 (a register)"),
        reg(z.addr, "col_base", "j * C: first word of column j"),
        reg(
            0,
            "pass_active",
            "a pass over the C margin words is issuing",
        ),
        reg(z.word, "pass_c", "word the pass issues"),
        reg(z.addr, "pass_addr", "weight word the pass reads"),
        reg(
            0,
            "pass_copy",
            "the pass copies K instead of adding a column",
        ),
        reg(0, "pass_up", "the pass adds +2 w (else -2 w)"),
    ];
    items.extend(z.pass_stages().iter().flat_map(|stage| stage.registers(z)));
    items.extend([
        reg(
            lw * z.ww,
            "wdata_r",
            "the weights, registered behind the block RAM",
        ),
        reg(
            lw * z.ww,
            "wdata",
            "weights of the column word (synchronous read)",
        ),
        reg(lw * z.fw, "kdata", "start margins word (synchronous read)"),
        reg(lw * z.fw, "gdata", "margins word (synchronous read)"),
        Item::Memory {
            width: lw * z.fw,
            depth: z.c_count,
            name: ident("kmem"),
            comment: Some("margins of the all -1 state".into()),
            no_rw_check: false,
        },
        Item::Memory {
            width: lw * z.fw,
            depth: z.c_count,
            name: ident("gmem"),
            comment: Some("margins g_i = h_i - theta_i; a read whose value is used never meets a write of its word".into()),
            no_rw_check: true,
        },
    ]);
    let mems = AsyncNames::new();
    match z.banking {
        Some(banking) => {
            let mem = weight_memory(&mems, z);
            items.extend(BankedMemory::new(&mem, banking, z.load, WEIGHTS_FILE).items());
        }
        None => {
            items.push(Item::Memory {
                width: lw * z.ww,
                depth: z.n * z.c_count,
                name: ident("wmem"),
                comment: Some("column-major: word k*C + c holds w[c*L + l][k]".into()),
                no_rw_check: false,
            });
            if !z.load {
                items.push(Item::ReadMemH {
                    file: WEIGHTS_FILE.into(),
                    memory: ident("wmem"),
                });
            }
        }
    }
    items.push(Item::ReadMemH {
        file: MARGINS_FILE.into(),
        memory: ident("kmem"),
    });
    for l in 0..z.lanes {
        let comment = if l == 0 {
            "the pass's new margins (stage 3)"
        } else {
            ""
        };
        items.push(reg(z.gw, &format!("s_r_{l}"), comment));
    }
    if z.lanes > 1 {
        items.push(reg(lw, "lane_hot", "one-hot: bit j mod L is set"));
        items.push(reg(0, "lane_last", "j mod L == L-1 (a register)"));
        items.push(reg(
            lw,
            "positive_next",
            "g > 0 of lanes j mod L, j mod L + 1, ... (bit 0: neuron j)",
        ));
        items.push(reg(lw, "zero_next", "g = 0 of the same lanes"));
        items.push(reg(
            0,
            "use_next",
            "neuron j's flags are bit 0 of *_next (else lane 0 of gdata)",
        ));
    }
    items.push(Item::Blank);
    items
}

/// A stage of the pass pipeline: its register prefix, what it does, and whether it
/// still needs the direction (+2w or −2w). Each stage takes the previous one's
/// registers (the first takes the issuing `pass_*` ones) every clock.
struct PassStage {
    prefix: String,
    comment: &'static str,
    up: bool,
}

/// The stages every pass has (`Sizes::pass_stages` puts a banked read's waits first):
/// prefix, what it does, whether it needs the direction.
const PASS_STAGES: [(&str, &str, bool); 3] = [
    (
        "p1",
        "pass stage 1: the weights arrive, the margin word is read",
        true,
    ),
    ("p2", "pass stage 2: add the weights to the margins", true),
    (
        "p3",
        "pass stage 3: write a margin word with its flags",
        false,
    ),
];

impl PassStage {
    fn name(&self, field: &str) -> String {
        format!("{}_{field}", self.prefix)
    }

    /// Its fields: valid, c (the margin word), copy and (while needed) up.
    fn fields(&self) -> &'static [&'static str] {
        if self.up {
            &["valid", "c", "copy", "up"]
        } else {
            &["valid", "c", "copy"]
        }
    }

    fn registers(&self, z: &Sizes) -> Vec<Item> {
        self.fields()
            .iter()
            .map(|&field| {
                let (width, comment) = match field {
                    "valid" => (0, self.comment),
                    "c" => (z.word, ""),
                    _ => (0, ""),
                };
                reg(width, &self.name(field), comment)
            })
            .collect()
    }

    /// Every clock: take the fields of the stage before (`from`: "pass" or "pN").
    fn shift_from(&self, from: &str) -> Vec<Stmt> {
        self.fields()
            .iter()
            .map(|&field| {
                let source = if from == "pass" && field == "valid" {
                    "pass_active".to_string()
                } else {
                    format!("{from}_{field}")
                };
                nb(&self.name(field), e(&source))
            })
            .collect()
    }
}

/// The pass pipeline moving on one stage.
fn pass_shifts(z: &Sizes) -> Vec<Stmt> {
    let stages = z.pass_stages();
    let sources = std::iter::once("pass").chain(stages.iter().map(|s| s.prefix.as_str()));
    stages
        .iter()
        .zip(sources)
        .flat_map(|(stage, from)| stage.shift_from(from))
        .collect()
}

/// Resets of the lane counters (none with one lane).
fn lane_resets(z: &Sizes) -> Vec<Stmt> {
    if z.lanes == 1 {
        return vec![];
    }
    vec![
        nb("lane_hot", u(z.lanes as u32, 1)),
        nb("lane_last", u(1, 0)),
    ]
}

/// Neuron 0: its counters and their registered flags.
fn first_neuron(z: &Sizes) -> Vec<Stmt> {
    let mut stmts = vec![
        nb("idx", u(z.idx, 0)),
        nb("idx_last", u(1, usize::from(z.n == 1))),
        nb("word", u(z.word, 0)),
        nb("word_up", u(z.word, 1)),
        nb("col_base", u(z.addr, 0)),
    ];
    stmts.extend(lane_resets(z));
    stmts
}

/// Sign-extends (or cuts) lane l of `wdata` to the margin width.
fn lane_weight(z: &Sizes, l: usize) -> Expr {
    let (gw, ww) = (z.gw, z.ww);
    let lane = e("wdata_r").part(Expr::Num((l as u32 * ww) as i64), ww);
    if gw > ww {
        let sign = e("wdata_r").bit(l as u32 * ww + ww - 1);
        Expr::Concat(vec![Expr::Repeat(gw - ww, Box::new(sign)), lane])
    } else {
        e("wdata_r").part(Expr::Num((l as u32 * ww) as i64), gw)
    }
}

fn datapath(z: &Sizes) -> Vec<Item> {
    let (gw, fw) = (z.gw, z.fw);
    let mut items = vec![Item::Comment(vec![
        "Pass datapath: each lane's margin plus or minus twice its weight, with its".into(),
        "flags (g > 0, g = 0) for the decision.".into(),
    ])];
    let mut sums = Vec::new();
    for l in 0..z.lanes {
        let (g, w, s) = (format!("g_{l}"), format!("w_{l}"), format!("s_{l}"));
        items.push(signed_wire(gw, &g, ""));
        items.push(signed_wire(gw, &w, ""));
        items.push(wire(gw, &s, ""));
        items.push(assign(
            &g,
            e("gdata").part(Expr::Num((l as u32 * fw) as i64), gw),
        ));
        items.push(assign(&w, lane_weight(z, l)));
        let plus = e(&g)
            .binary(BinaryOp::Add, e(&w))
            .binary(BinaryOp::Add, e(&w));
        let minus = e(&g)
            .binary(BinaryOp::Sub, e(&w))
            .binary(BinaryOp::Sub, e(&w));
        items.push(assign(
            &s,
            Expr::Ternary(Box::new(e("p2_up")), Box::new(plus), Box::new(minus)),
        ));
        // Stage 3 holds the sum in s_r_l and writes it with its flags.
        let r = format!("s_r_{l}");
        let zero = e(&r).eq(Expr::uint(gw, 0));
        let positive = e(&r).bit(gw - 1).logic_not().and(zero.clone().logic_not());
        sums.push(Expr::Concat(vec![zero, positive, e(&r)]));
    }
    if z.gw < z.ww {
        items.push(wire(
            0,
            "unused_high",
            "weights fit in A+1 bits; their high bits are sign copies",
        ));
        items.push(assign(
            "unused_high",
            Expr::Unary(UnaryOp::ReduceXor, Box::new(e("wdata_r"))),
        ));
    }
    sums.reverse();
    let lw = z.lanes as u32;
    items.extend([
        wire(lw * fw, "pass_word", "the margin word the pass writes"),
        assign(
            "pass_word",
            Expr::Ternary(
                Box::new(e("p3_copy")),
                Box::new(e("kdata")),
                Box::new(Expr::Concat(sums)),
            ),
        ),
        wire(0, "pass_idle", "no pass issuing or writing"),
        assign(
            "pass_idle",
            z.pass_stages()
                .iter()
                .fold(e("pass_active").logic_not(), |idle, stage| {
                    idle.and(e(&stage.name("valid")).logic_not())
                }),
        ),
        wire(
            z.word,
            "next_word",
            "the word of neuron j+1 (0 after the last)",
        ),
        assign("next_word", next_word(z)),
        wire(
            z.word,
            "g_raddr",
            "a pass's word (a cycle after its weights), else (prefetch while deciding) the next neuron's",
        ),
        assign(
            "g_raddr",
            Expr::Ternary(
                Box::new(e("p1_valid")),
                Box::new(e("p1_c")),
                Box::new(Expr::Ternary(
                    Box::new(phase_is(DECIDE)),
                    Box::new(e("next_word")),
                    Box::new(e("word")),
                )),
            ),
        ),
        Item::Blank,
        Item::Comment(vec![
            "Decision for neuron j (docs/ARITHMETIC.md): the sign of g_j; zero is a tie.".into(),
        ]),
        wire(lw, "positive_lanes", "g > 0, lane by lane"),
        wire(lw, "zero_lanes", "g = 0, lane by lane"),
        wire(0, "positive", "g_j > 0"),
        wire(0, "zero", "g_j = 0"),
        wire(0, "current", "s_j now"),
        wire(0, "decision", "s_j after the decision"),
        wire(0, "flip", ""),
        assign("positive_lanes", lane_flags(z, gw)),
        assign("zero_lanes", lane_flags(z, gw + 1)),
        assign("positive", lane_flag("positive", z)),
        assign("zero", lane_flag("zero", z)),
        assign("current", e("state").bit(0)),
        assign(
            "decision",
            e("positive").binary(BinaryOp::Or, e("zero").binary(BinaryOp::And, e("current"))),
        ),
        assign("flip", e("decision").binary(BinaryOp::Ne, e("current"))),
        Item::Blank,
    ]);
    items
}

/// Bit `offset` of every lane of `gdata` (a flag), lane 0 lowest.
fn lane_flags(z: &Sizes, offset: u32) -> Expr {
    let mut bits: Vec<Expr> = (0..z.lanes as u32)
        .map(|l| e("gdata").bit(l * z.fw + offset))
        .collect();
    bits.reverse();
    if bits.len() == 1 {
        bits.pop().expect("one lane")
    } else {
        Expr::Concat(bits)
    }
}

/// Neuron j's flag (`positive` or `zero`): bit 0 of its shift register, or lane 0 of
/// the word just read. With one lane, the word's only lane.
fn lane_flag(flag: &str, z: &Sizes) -> Expr {
    let lanes = e(&format!("{flag}_lanes"));
    if z.lanes == 1 {
        lanes
    } else {
        Expr::Ternary(
            Box::new(e("use_next")),
            Box::new(e(&format!("{flag}_next")).bit(0)),
            Box::new(lanes.bit(0)),
        )
    }
}

/// The flag shift registers after a decision without a flip: at a word's last lane the
/// next neuron's flags come from the prefetched word; else they move down one lane.
fn shift_flags(z: &Sizes) -> Vec<Stmt> {
    if z.lanes == 1 {
        return vec![];
    }
    let moved = |flag: &str| {
        let source = Expr::Ternary(
            Box::new(e("use_next")),
            Box::new(e(&format!("{flag}_next"))),
            Box::new(e(&format!("{flag}_lanes"))),
        );
        nb(
            &format!("{flag}_next"),
            source.binary(BinaryOp::Shr, Expr::uint(1, 1)),
        )
    };
    vec![Stmt::If {
        cond: e("lane_last"),
        then: vec![nb("use_next", u(1, 0))],
        otherwise: vec![nb("use_next", u(1, 1)), moved("positive"), moved("zero")],
    }]
}

/// SHIFT, after a READ: the flags of the word just read, from neuron j's lane on. The
/// one-hot lane selects the shifted copy (an AND-OR over L copies, shallower than a
/// log2 L-stage shifter on the margin RAM's slow output).
fn load_flags(z: &Sizes) -> Vec<Stmt> {
    if z.lanes == 1 {
        return vec![];
    }
    let lw = z.lanes as u32;
    let from_lane = |flag: &str| {
        let lanes = e(&format!("{flag}_lanes"));
        let shifted = (0..lw)
            .map(|l| {
                let copy = if l == 0 {
                    lanes.clone()
                } else {
                    lanes
                        .clone()
                        .binary(BinaryOp::Shr, Expr::uint(z.lane, u64::from(l)))
                };
                Expr::Repeat(lw, Box::new(e("lane_hot").bit(l))).binary(BinaryOp::And, copy)
            })
            .reduce(|all, one| all.binary(BinaryOp::Or, one))
            .expect("two lanes or more");
        nb(&format!("{flag}_next"), shifted)
    };
    vec![
        nb("use_next", u(1, 1)),
        from_lane("positive"),
        from_lane("zero"),
    ]
}

/// A sweep starts at neuron 0, lane 0 of the word the END phase read.
fn restart_flags(z: &Sizes) -> Vec<Stmt> {
    if z.lanes == 1 {
        vec![]
    } else {
        vec![nb("use_next", u(1, 0))]
    }
}

/// The margin word holding neuron j + 1, for the prefetch.
fn next_word(z: &Sizes) -> Expr {
    let following = e("word_up");
    let step = if z.lanes == 1 {
        following
    } else {
        Expr::Ternary(
            Box::new(e("lane_last")),
            Box::new(following),
            Box::new(e("word")),
        )
    };
    Expr::Ternary(
        Box::new(e("idx_last")),
        Box::new(u(z.word, 0)),
        Box::new(step),
    )
}

/// Starts a pass: the aim block (`pass_aim`) has pointed it at the right column, kind
/// and direction in this same cycle.
fn start_pass() -> Stmt {
    nb("pass_active", u(1, 1))
}

/// The pass's word counters, first weight word, kind and direction, in a block of
/// their own with no enable. While no pass runs they are aimed, every cycle, at the
/// pass that may start: from word 0 of neuron j's column (`col_base`), a copy of K
/// when idle (the start of a probe), else +2w while scanning or in the direction of
/// the decision. While a pass runs they count its words.
fn pass_aim(names: &Names, z: &Sizes) -> Item {
    Item::AlwaysPosedge {
        clock: names.clk.clone(),
        body: vec![Stmt::If {
            cond: e("pass_active"),
            then: vec![incr("pass_c", z.word, 1), incr("pass_addr", z.addr, 1)],
            otherwise: vec![
                nb("pass_c", u(z.word, 0)),
                nb("pass_addr", e("col_base")),
                nb("pass_copy", Expr::id(&names.busy).logic_not()),
                nb(
                    "pass_up",
                    phase_is(SCAN).binary(BinaryOp::Or, e("decision")),
                ),
            ],
        }],
    }
}

/// Step to the next neuron; after the last one, back to neuron 0.
fn advance(z: &Sizes) -> Stmt {
    let next_word = vec![nb("word", e("word_up")), incr("word_up", z.word, 1)];
    let step_lane = if z.lanes == 1 {
        next_word
    } else {
        // lane_last: the next lane is L - 1 (L = 1 has no lanes).
        let lw = z.lanes as u32;
        let becomes_last = e("lane_hot").bit(lw - 2);
        let moved = Expr::Concat(vec![e("lane_hot").part(Expr::Num(0), lw - 1), u(1, 0)]);
        vec![Stmt::If {
            cond: e("lane_last"),
            then: [lane_resets(z), next_word].concat(),
            otherwise: vec![nb("lane_hot", moved), nb("lane_last", becomes_last)],
        }]
    };
    // idx_last: idx + 1 == N - 1 (N = 1 never steps).
    let becomes_last = e("idx").eq(u(z.idx, z.n.saturating_sub(2)));
    let mut step = vec![
        incr("idx", z.idx, 1),
        nb("idx_last", becomes_last),
        incr("col_base", z.addr, z.c_count),
    ];
    step.extend(step_lane);
    Stmt::If {
        cond: e("idx_last"),
        then: first_neuron(z),
        otherwise: step,
    }
}

/// Moves `state` on to the next neuron: s_j (`bit`, the decision when deciding) goes
/// to the top, s_{j+1} comes to bit 0. After the N steps of a scan or a sweep every bit
/// is back in place, so no N:1 multiplexer reads s_j and no decoder writes it.
fn rotate(z: &Sizes, bit: Expr) -> Stmt {
    let n = z.n as u32;
    let rotated = if n == 1 {
        bit
    } else {
        Expr::Concat(vec![bit, e("state").part(Expr::Num(1), n - 1)])
    };
    nb("state", rotated)
}

fn phase_is(p: u64) -> Expr {
    e("phase").bit(p as u32)
}

/// Moves to phase `p` (the one-hot register's bit p alone).
fn goto(p: u64) -> Stmt {
    nb("phase", Expr::uint(PHASES, 1 << p))
}

fn running(names: &Names, z: &Sizes) -> Vec<Stmt> {
    let last_neuron = e("idx_last");
    let scan = vec![when(
        e("pass_idle"),
        vec![
            when(e("current"), vec![start_pass()]),
            rotate(z, e("current")),
            advance(z),
            when(last_neuron.clone(), vec![goto(READ)]),
        ],
    )];
    let on_flip = vec![
        nb("changed_any", u(1, 1)),
        nb("pass_active", u(1, 1)),
        goto(READ),
    ];
    // Without a flip the prefetched word is valid: decide the next neuron straight away.
    let decide = vec![
        when(last_neuron, vec![nb("wrap", u(1, 1))]),
        Stmt::If {
            cond: e("flip"),
            then: on_flip,
            otherwise: vec![when(e("idx_last"), vec![goto(END)])],
        },
        rotate(z, e("decision")),
        advance(z),
    ];
    let decide = [decide, shift_flags(z)].concat();
    let shift = [
        load_flags(z),
        vec![Stmt::If {
            cond: e("wrap"),
            then: vec![goto(END)],
            otherwise: vec![goto(DECIDE)],
        }],
    ]
    .concat();
    let end = vec![when(
        e("pass_idle"),
        vec![
            nb("changed_any", u(1, 0)),
            nb("wrap", u(1, 0)),
            control::count_sweep(names),
            control::stop_rule(
                names,
                false,
                [vec![goto(DECIDE)], restart_flags(z)].concat(),
            ),
        ],
    )];
    // One phase bit is set, so each phase is a test of its own bit, not an else-chain.
    // DECIDE comes last: the last assignment wins, so its decision (the deepest logic)
    // enters the registers' multiplexers nearest their inputs.
    let phases = [
        when(phase_is(INIT), vec![when(e("pass_idle"), vec![goto(SCAN)])]),
        when(phase_is(SCAN), scan),
        when(
            phase_is(READ),
            vec![when(e("pass_idle"), vec![goto(SHIFT)])],
        ),
        when(phase_is(SHIFT), shift),
        when(phase_is(END), end),
        when(phase_is(DECIDE), decide),
    ];
    let mems = AsyncNames::new();
    let stage3 = (0..z.lanes).map(|l| nb(&format!("s_r_{l}"), e(&format!("s_{l}"))));
    let mem = weight_memory(&mems, z);
    let mut stmts = weight_banks::engine_read(&mem, z.banking, z.load);
    stmts.extend([
        nb("wdata_r", e("wdata")),
        nb("kdata", e("kmem").select(e("p2_c"))),
        nb("gdata", e("gmem").select(e("g_raddr"))),
    ]);
    stmts.extend(pass_shifts(z));
    stmts.extend([
        when(
            e("p3_valid"),
            vec![Stmt::NonBlocking(
                e("gmem").select(e("p3_c")),
                e("pass_word"),
            )],
        ),
        when(
            e("pass_active"),
            vec![when(
                e("pass_c").eq(u(z.word, z.c_count - 1)),
                vec![nb("pass_active", u(1, 0))],
            )],
        ),
    ]);
    stmts.extend(phases);
    stmts.extend(stage3);
    stmts
}

/// What taking a probe resets besides the shared state; it starts the INIT pass.
fn start(z: &Sizes) -> Vec<Stmt> {
    let mut stmts = vec![goto(INIT), nb("changed_any", u(1, 0)), nb("wrap", u(1, 0))];
    stmts.extend(first_neuron(z));
    stmts.push(start_pass());
    stmts
}

/// Builds the core module.
pub fn build(design: &Design) -> Module {
    let names = Names::new();
    let (n, lanes) = (design.q.n, design.lanes);
    let c_count = n.div_ceil(lanes);
    let gw = design.q.acc_bits + 1;
    let z = Sizes {
        n,
        lanes,
        c_count,
        gw,
        fw: gw + 2,
        ww: design.q.weight_bits,
        idx: bits_for(n - 1),
        lane: bits_for(lanes - 1),
        word: bits_for(c_count - 1),
        addr: bits_for(n * c_count - 1),
        load: design.load_weights,
        banking: design.weight_banking(),
    };
    let mems = AsyncNames::new();
    let port = WritePort::new();
    let mut items = declarations(&names, &z);
    let mem = weight_memory(&mems, &z);
    items.extend(weight_banks::memory_blocks(
        &mem,
        z.banking,
        z.load,
        WEIGHTS_FILE,
        &names.clk,
    ));
    items.extend(datapath(&z));
    items.push(pass_aim(&names, &z));
    items.extend(control::stop_checks(
        &names,
        design.max_sweeps,
        control::StopSource::AsyncFlag(&ident("changed_any")),
        control::LastSweep::Registered,
    ));
    items.extend(control::handshake_outputs(&names));
    let resets = std::iter::once(nb("pass_active", u(1, 0)))
        .chain(
            z.pass_stages()
                .iter()
                .map(|stage| nb(&stage.name("valid"), u(1, 0))),
        )
        .collect();
    items.push(control::main_block(
        &names,
        resets,
        running(&names, &z),
        start(&z),
    ));
    Module {
        params: vec![],
        name: Ident::new(design.top.clone()),
        doc: design.doc_lines(),
        ports: if z.load {
            [
                control::ports(n, &names),
                port.ports(&weight_memory(&mems, &z)),
            ]
            .concat()
        } else {
            control::ports(n, &names)
        },
        items,
    }
}
