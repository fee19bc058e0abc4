//! The `folded` architecture, sync update: weights in inferred block RAM, L of them
//! consumed per cycle, one local field accumulated over C = ⌈N/L⌉ cycles. Each decision
//! goes into `next`, and s(k+1) is committed at the end of the sweep. (Async folded
//! cores update incrementally instead: `folded_async`.)
//!
//! Pipeline: stage 0 issues (neuron i, chunk c): the memory address, and the L state
//! bits of chunk c; stage 1 (one cycle later, when the synchronous reads arrive) sums
//! the L selected weights into a register, through D = `lane_latency(L)` more
//! registers inside the lane tree (its control bits wait in a D-deep delay line);
//! stage 2 adds that sum to the accumulator, which starts each row at −C_i, and at the
//! row's last chunk registers S_i − C_i; stage 3 decides neuron i from its sign and a
//! zero test, the parallel core's comparison: S_i > C_i, or S_i = C_i and a tie.
//!
//! No wide multiplexer indexes the state: `state` rotates one chunk per issue (stage 0
//! takes its low L bits). `next` holds s(k) of the neurons still to decide below s(k+1)
//! of those decided: it shifts down one neuron per decision, the decision entering at
//! the top, so bit 0 is always s_i(k). `prev` shifts the same way with s_i(k) entering,
//! so it holds s(k−1) at the next sweep without a load. A probe goes into `next` and is
//! copied into `state` in the start cycle, as every commit does (docs/ARCHITECTURES.md).

use super::control::{self, set, Names, SWEEP_BITS};
use super::library::LANE_SUM;
use super::parallel::threshold_constant;
use super::weight_banks::{self, BankedMemory, Banking};
use super::weight_port::{WeightMemory, WritePort};
use super::{bits_for, pack_hex, Design};
use crate::verilog::*;

pub const WEIGHTS_FILE: &str = "weights.mem";
pub const THRESHOLDS_FILE: &str = "thresholds.mem";

/// Chunks per weight row.
pub fn chunks(n: usize, lanes: usize) -> usize {
    n.div_ceil(lanes)
}

/// Cycles per sweep: N·C issue cycles, 3 + D + M to drain the pipeline (M: the extra
/// read latency of a banked weight memory, else 0), one to register the stopping rule,
/// one to commit.
pub fn cycles_per_sweep(n: usize, lanes: usize, bank_latency: u64) -> u64 {
    let (n, c) = (n as u64, chunks(n, lanes) as u64);
    n * c + 5 + lane_latency(lanes) + bank_latency
}

/// The lane tree's registered levels (`CUTS` of `hop_lane_sum`, bit h for level h,
/// the lanes at level 0): the lanes themselves, so the block RAM's slow output (5.6 ns
/// on an ECP5 DP16KD) meets only the lane masks, and the odd levels below the root,
/// whose sum the core registers itself. No stage holds more than two adders.
pub fn lane_cuts(lanes: usize) -> u32 {
    let height = lanes.next_power_of_two().trailing_zeros();
    (1..height)
        .filter(|h| h % 2 == 1)
        .fold(1, |cuts, h| cuts | (1 << h))
}

/// Register stages inside the lane tree: D.
pub fn lane_latency(lanes: usize) -> u64 {
    u64::from(lane_cuts(lanes).count_ones())
}

/// `weights.mem`: word r·C + c holds L weights of row r (or, `by_column`, of column r)
/// in lanes l = 0…L−1: w_q[r][c·L + l] (or w_q[c·L + l][r]), zero beyond N.
pub fn weight_words(design: &Design, by_column: bool) -> String {
    let q = &design.q;
    let (n, lanes) = (q.n, design.lanes);
    let mut out = String::new();
    for r in 0..n {
        for c in 0..chunks(n, lanes) {
            let lane = |l: usize| {
                let other = c * lanes + l;
                match (other < n, by_column) {
                    (false, _) => 0,
                    (true, false) => i64::from(q.weight(r, other)),
                    (true, true) => i64::from(q.weight(other, r)),
                }
            };
            out.push_str(&pack_hex((0..lanes).map(lane), q.weight_bits as usize));
            out.push('\n');
        }
    }
    out
}

/// `thresholds.mem`: word i = {tie possible, −C_i} (1 + (A + 1) bits), see
/// `parallel`: the accumulator of row i starts at −C_i, so S_i − C_i is complete
/// when the row is, and the decision needs only its sign and a zero test.
pub fn thresholds_mem(design: &Design) -> String {
    let acc = design.q.acc_bits as usize + 1;
    let mut out = String::new();
    for i in 0..design.q.n {
        let (c, even) = threshold_constant(design, i);
        // −C_i in the low A + 1 bits, the tie flag above them.
        let word = (-c & ((1i64 << acc) - 1)) | (i64::from(even) << acc);
        out.push_str(&pack_hex([word], acc + 1));
        out.push('\n');
    }
    out
}

/// Internal names of the folded engine.
struct Engine {
    issuing: Ident,
    ending: Ident,
    committing: Ident,
    idx: Ident,
    chunk: Ident,
    idx_last: Ident,
    chunk_last: Ident,
    addr: Ident,
    v1: Ident,
    first1: Ident,
    last1: Ident,
    lastn1: Ident,
    bits1: Ident,
    v2: Ident,
    first2: Ident,
    last2: Ident,
    lastn2: Ident,
    tdata2: Ident,
    sum2: Ident,
    v3: Ident,
    lastn3: Ident,
    tdata3: Ident,
    total3: Ident,
    starting: Ident,
    diff_state: Ident,
    diff_prev: Ident,
    wdata: Ident,
    tdata: Ident,
    acc: Ident,
    wmem: Ident,
    tmem: Ident,
    issue: Ident,
    partial: Ident,
    total: Ident,
    zero: Ident,
    even: Ident,
    current: Ident,
    decision: Ident,
    /// Stage-1 signals as they reach stage 2, D cycles later (`late`).
    v1l: Ident,
    first1l: Ident,
    last1l: Ident,
    lastn1l: Ident,
    tdatal: Ident,
}

/// The stage-1 signals that wait: the control bits and thresholds wait M + D cycles
/// for the banked read and the lane tree, the state bits M cycles for the banked read
/// (name, width, cycles).
fn waiting(z: &Sizes) -> Vec<(&'static str, u32, u64)> {
    let both = z.bank_delay + z.lane_delay;
    let mut signals = vec![
        ("v1", 0, both),
        ("first1", 0, both),
        ("last1", 0, both),
        ("lastn1", 0, both),
        ("tdata", z.acc + 2, both),
    ];
    if z.bank_delay > 0 {
        signals.push(("bits1", z.lanes as u32, z.bank_delay));
    }
    signals
}

/// Stage-1 signal `name` after `depth` cycles of the delay line.
fn late(name: &str, depth: u64) -> Ident {
    match depth {
        0 => Ident::new(name),
        d => Ident::new(format!("{name}_d{d}")),
    }
}

/// The delay line of the stage-1 control signals: declarations, and the shifts done
/// every running cycle. Only the valid bit needs a reset.
fn delay_line(z: &Sizes) -> (Vec<Item>, Vec<Stmt>, Vec<Stmt>) {
    let depth = z.bank_delay + z.lane_delay;
    let (mut items, mut shifts) = (Vec::new(), Vec::new());
    for (name, width, cycles) in waiting(z) {
        for d in 1..=cycles {
            let comment = if d == 1 {
                format!("{name}, waiting for the weights and the lane tree")
            } else {
                String::new()
            };
            items.push(reg(width, &late(name, d), &comment));
            shifts.push(set(&late(name, d), Expr::id(&late(name, d - 1))));
        }
    }
    let reset_valid = (1..=depth)
        .map(|d| set(&late("v1", d), uint(1, 0)))
        .collect();
    (items, shifts, reset_valid)
}

impl Engine {
    fn new(depth: u64) -> Self {
        let id = Ident::new;
        Engine {
            v1l: late("v1", depth),
            first1l: late("first1", depth),
            last1l: late("last1", depth),
            lastn1l: late("lastn1", depth),
            tdatal: late("tdata", depth),
            issuing: id("issuing"),
            ending: id("ending"),
            committing: id("committing"),
            idx: id("idx"),
            chunk: id("chunk"),
            idx_last: id("idx_last"),
            chunk_last: id("chunk_last"),
            addr: id("addr"),
            v1: id("v1"),
            first1: id("first1"),
            last1: id("last1"),
            lastn1: id("lastn1"),
            bits1: id("bits1"),
            v2: id("v2"),
            first2: id("first2"),
            last2: id("last2"),
            lastn2: id("lastn2"),
            tdata2: id("tdata2"),
            sum2: id("sum2"),
            v3: id("v3"),
            lastn3: id("lastn3"),
            tdata3: id("tdata3"),
            total3: id("total3"),
            starting: id("starting"),
            diff_state: id("diff_state"),
            diff_prev: id("diff_prev"),
            wdata: id("wdata"),
            tdata: id("tdata"),
            acc: id("acc"),
            wmem: id("wmem"),
            tmem: id("tmem"),
            issue: id("issue"),
            partial: id("partial"),
            total: id("total"),
            zero: id("zero"),
            even: id("even"),
            current: id("current"),
            decision: id("decision"),
        }
    }
}

/// Widths of the counters.
struct Sizes {
    n: usize,
    lanes: usize,
    c_count: usize,
    idx: u32,
    chunk: u32,
    addr: u32,
    acc: u32,
    word: u32,
    /// C·L: the state register, padded to whole chunks.
    padded: u32,
    /// D: registers inside the lane tree.
    lane_delay: u64,
    /// The weight memory's banks, if it has them.
    banking: Option<Banking>,
    /// M: extra cycles of a banked weight read.
    bank_delay: u64,
    /// The weight memory is written through the core's port (no initial contents).
    load: bool,
}

impl Sizes {
    fn of(design: &Design) -> Self {
        let (n, lanes) = (design.q.n, design.lanes);
        let c_count = chunks(n, lanes);
        Sizes {
            n,
            lanes,
            c_count,
            idx: bits_for(n - 1),
            chunk: bits_for(c_count - 1),
            addr: bits_for(n * c_count - 1),
            acc: design.q.acc_bits,
            word: (lanes as u32) * design.q.weight_bits,
            padded: (c_count * lanes) as u32,
            lane_delay: lane_latency(lanes),
            banking: design.weight_banking(),
            bank_delay: design.bank_latency(),
            load: design.load_weights,
        }
    }
}

fn reg(width: u32, name: &Ident, comment: &str) -> Item {
    control::net(NetKind::Reg, width, name, comment)
}

fn wire(width: u32, name: &Ident, comment: &str) -> Item {
    control::net(NetKind::Wire, width, name, comment)
}

/// `bits` (N wide) padded with zeros to the C·L bits of `state`.
fn padded(bits: Expr, z: &Sizes) -> Expr {
    let pad = z.padded - z.n as u32;
    if pad == 0 {
        bits
    } else {
        Expr::Concat(vec![Expr::Repeat(pad, Box::new(Expr::uint(1, 0))), bits])
    }
}

/// The N state bits of the (padded) `state` register.
fn unpadded(state: Expr, z: &Sizes) -> Expr {
    if z.padded == z.n as u32 {
        state
    } else {
        state.part(Expr::Num(0), z.n as u32)
    }
}

/// `{msb, reg[width-1:1]}`: `reg` shifted down one bit, `msb` shifted in on top.
fn shift_down(reg: &Ident, width: u32, msb: Expr) -> Stmt {
    let shifted = if width == 1 {
        msb
    } else {
        Expr::Concat(vec![msb, Expr::id(reg).part(Expr::Num(1), width - 1)])
    };
    set(reg, shifted)
}

fn declarations(names: &Names, e: &Engine, z: &Sizes) -> Vec<Item> {
    let n = z.n as u32;
    let mut items = vec![
        reg(
            z.padded,
            &names.state,
            "s(k), padded to C*L bits; rotates one chunk per issue, whole again after each row",
        ),
        reg(
            n,
            &names.prev,
            "s(k-1) of the neurons to decide; s_i(k) shifts in at the top per decision",
        ),
        reg(
            n,
            &names.next,
            "s(k) of the neurons to decide, below s(k+1) of those decided",
        ),
        reg(SWEEP_BITS, &names.sweeps, "k"),
        reg(2, &names.status, ""),
        reg(0, &names.busy, "running sweeps"),
        reg(0, &names.done, "result waiting for out_ready"),
        reg(0, &e.issuing, "stage 0 issues (neuron, chunk) pairs"),
        reg(0, &e.starting, "a probe was taken: start on it"),
    ];
    items.extend([
        reg(0, &e.ending, "all decisions of the sweep are in"),
        reg(
            0,
            &e.committing,
            "commit the sweep (the stopping rule is registered)",
        ),
        reg(z.idx, &e.idx, "neuron i"),
        reg(z.chunk, &e.chunk, "chunk c of row i"),
        reg(0, &e.idx_last, "i == N-1"),
        reg(0, &e.chunk_last, "c == C-1"),
        reg(z.addr, &e.addr, "i*C + c"),
        reg(0, &e.v1, "stage 1 valid"),
        reg(0, &e.first1, "stage 1 holds chunk 0"),
        reg(0, &e.last1, "stage 1 holds the last chunk"),
        reg(0, &e.lastn1, "... of the last neuron"),
        reg(z.lanes as u32, &e.bits1, "stage 1 state bits of the chunk"),
        reg(0, &e.v2, "stage 2 valid"),
        reg(0, &e.first2, ""),
        reg(0, &e.last2, ""),
        reg(0, &e.lastn2, ""),
        reg(z.acc + 2, &e.tdata2, "{tie possible, -C_i} in stage 2"),
        control::signed_net(NetKind::Reg, z.acc, &e.sum2, "the chunk's sum, registered"),
        reg(0, &e.v3, "stage 3 decides a neuron"),
        reg(0, &e.lastn3, ""),
        reg(0, &e.tdata3, "tie possible, in stage 3"),
        control::signed_net(NetKind::Reg, z.acc + 1, &e.total3, "S_i - C_i, complete"),
        reg(
            0,
            &e.diff_state,
            "a decision of this sweep differs from s(k)",
        ),
        reg(
            0,
            &e.diff_prev,
            "a decision of this sweep differs from s(k-1)",
        ),
        reg(z.word, &e.wdata, "weights of the chunk (synchronous read)"),
        reg(
            z.acc + 2,
            &e.tdata,
            "{tie possible, -C_i} (synchronous read)",
        ),
        control::signed_net(NetKind::Reg, z.acc + 1, &e.acc, "-C_i + partial S_i"),
    ]);
    match z.banking {
        Some(banking) => items
            .extend(BankedMemory::new(&weight_memory(e, z), banking, z.load, WEIGHTS_FILE).items()),
        None => items.push(Item::Memory {
            width: z.word,
            depth: z.n * z.c_count,
            name: e.wmem.clone(),
            comment: Some(format!("{} lanes of W bits per word", z.lanes)),
            no_rw_check: false,
        }),
    }
    items.extend([Item::Memory {
        width: z.acc + 2,
        depth: z.n,
        name: e.tmem.clone(),
        comment: Some("per neuron: {tie possible, -C_i}".into()),
        no_rw_check: false,
    }]);
    if !z.load && z.banking.is_none() {
        items.push(Item::ReadMemH {
            file: WEIGHTS_FILE.into(),
            memory: e.wmem.clone(),
        });
    }
    items.extend([
        Item::ReadMemH {
            file: THRESHOLDS_FILE.into(),
            memory: e.tmem.clone(),
        },
        Item::Blank,
    ]);
    items
}

/// The weight memory as the write port sees it.
fn weight_memory<'a>(e: &'a Engine, z: &Sizes) -> WeightMemory<'a> {
    WeightMemory {
        memory: &e.wmem,
        data: &e.wdata,
        read_addr: Expr::id(&e.addr),
        addr_bits: z.addr,
        word_bits: z.word,
        word_doc: "word i*C + c",
    }
}

fn datapath(design: &Design, names: &Names, e: &Engine, z: &Sizes) -> Vec<Item> {
    let acc = z.acc;
    // Sign-extended to A + 1 bits: (first chunk ? −C_i : acc) + the chunk's sum.
    let sum2 = Expr::Concat(vec![Expr::id(&e.sum2).bit(acc - 1), Expr::id(&e.sum2)]);
    let total = Expr::Ternary(
        Box::new(Expr::id(&e.first2)),
        Box::new(Expr::id(&e.tdata2).part(Expr::Num(0), acc + 1)),
        Box::new(Expr::id(&e.acc)),
    )
    .binary(BinaryOp::Add, sum2);
    let above = Expr::id(&e.total3)
        .bit(acc)
        .logic_not()
        .and(Expr::id(&e.zero).logic_not());
    let tie = Expr::id(&e.even)
        .binary(BinaryOp::And, Expr::id(&e.zero))
        .binary(BinaryOp::And, Expr::id(&e.current));
    let assign = |lhs: &Ident, rhs: Expr| Item::Assign {
        lhs: Expr::id(lhs),
        rhs,
    };
    vec![
        Item::Comment(vec![
            "Datapath: L weights of one row chunk per cycle.".into()
        ]),
        wire(0, &e.issue, ""),
        control::signed_net(
            NetKind::Wire,
            acc,
            &e.partial,
            "sum of this chunk's selected weights",
        ),
        control::signed_net(
            NetKind::Wire,
            acc + 1,
            &e.total,
            "-C_i + S_i so far, including this chunk",
        ),
        wire(0, &e.zero, "S_i = C_i"),
        wire(0, &e.even, "a tie is possible"),
        wire(0, &e.current, "s_i now"),
        wire(0, &e.decision, "s_i after the decision"),
        assign(&e.issue, Expr::id(&e.issuing)),
        Item::Instance {
            module: Ident::new(LANE_SUM.module),
            name: Ident::new("u_lanes"),
            params: vec![
                (Ident::new("L"), Expr::Num(z.lanes as i64)),
                (Ident::new("W"), Expr::Num(i64::from(design.q.weight_bits))),
                (Ident::new("A"), Expr::Num(i64::from(acc))),
                (Ident::new("CUTS"), Expr::Num(i64::from(lane_cuts(z.lanes)))),
            ],
            ports: vec![
                (Ident::new("clk"), Expr::id(&names.clk)),
                (Ident::new("s"), Expr::id(&late("bits1", z.bank_delay))),
                (Ident::new("w"), Expr::id(&e.wdata)),
                (Ident::new("sum"), Expr::id(&e.partial)),
            ],
        },
        assign(&e.total, total),
        assign(&e.zero, Expr::id(&e.total3).eq(Expr::uint(acc + 1, 0))),
        assign(&e.even, Expr::id(&e.tdata3)),
        assign(&e.current, Expr::id(&names.next).bit(0)),
        assign(&e.decision, above.binary(BinaryOp::Or, tie)),
        Item::Blank,
    ]
}

fn uint(width: u32, value: usize) -> Expr {
    Expr::uint(width, value as u64)
}

/// Back to chunk 0 of a row (`chunk_last`: C = 1).
fn first_chunk(e: &Engine, z: &Sizes) -> Vec<Stmt> {
    vec![
        set(&e.chunk, uint(z.chunk, 0)),
        set(&e.chunk_last, uint(1, usize::from(z.c_count == 1))),
    ]
}

/// Back to neuron 0 and weight word 0 (`idx_last`: N = 1).
fn first_neuron(e: &Engine, z: &Sizes) -> Vec<Stmt> {
    vec![
        set(&e.idx, uint(z.idx, 0)),
        set(&e.addr, uint(z.addr, 0)),
        set(&e.idx_last, uint(1, usize::from(z.n == 1))),
    ]
}

/// Stage 0: advance (neuron, chunk) after an issue, and rotate the next chunk of the
/// state into the low L bits. Whether the chunk and the neuron are the last ones are
/// registers, set when the counters move, so no comparison sits before `issuing`.
fn advance(names: &Names, e: &Engine, z: &Sizes) -> Stmt {
    let incr = |name: &Ident, width: u32, step: usize| {
        set(
            name,
            Expr::id(name).binary(BinaryOp::Add, uint(width, step)),
        )
    };
    // The next chunk is the last one when this one is the one before it.
    let next_idx_last = Expr::id(&e.idx).eq(uint(z.idx, z.n.saturating_sub(2)));
    let next_chunk_last = Expr::id(&e.chunk).eq(uint(z.chunk, z.c_count.saturating_sub(2)));
    let mut row_done = first_chunk(e, z);
    row_done.push(Stmt::If {
        cond: Expr::id(&e.idx_last),
        then: [vec![set(&e.issuing, uint(1, 0))], first_neuron(e, z)].concat(),
        otherwise: vec![
            incr(&e.idx, z.idx, 1),
            incr(&e.addr, z.addr, 1),
            set(&e.idx_last, next_idx_last),
        ],
    });
    // With one chunk per row every issue ends a row, and the state does not rotate.
    let on_issue = if z.c_count == 1 {
        row_done
    } else {
        let lanes = z.lanes as u32;
        let state = Expr::id(&names.state);
        let rotated = Expr::Concat(vec![
            state.clone().part(Expr::Num(0), lanes),
            state.part(Expr::Num(i64::from(lanes)), z.padded - lanes),
        ]);
        vec![
            set(&names.state, rotated),
            Stmt::If {
                cond: Expr::id(&e.chunk_last),
                then: row_done,
                otherwise: vec![
                    incr(&e.chunk, z.chunk, 1),
                    incr(&e.addr, z.addr, 1),
                    set(&e.chunk_last, next_chunk_last),
                ],
            },
        ]
    };
    Stmt::If {
        cond: Expr::id(&e.issue),
        then: on_issue,
        otherwise: vec![],
    }
}

/// Stage 3 of one neuron: the stop-rule flags record a difference (`state_shifts`
/// moves `next` and `prev` on).
fn decide(names: &Names, e: &Engine) -> Stmt {
    let differs = |from: &Ident, flag: &Ident| {
        set(
            flag,
            Expr::id(flag).binary(
                BinaryOp::Or,
                Expr::id(&e.decision).binary(BinaryOp::Ne, Expr::id(from).bit(0)),
            ),
        )
    };
    Stmt::If {
        cond: Expr::id(&e.v3),
        then: vec![
            differs(&names.next, &e.diff_state),
            differs(&names.prev, &e.diff_prev),
        ],
        otherwise: vec![],
    }
}

/// `next` and `prev` in a block of their own. A decision (v3, only ever set while
/// busy) shifts the neuron's decision into the top of `next` and s_i(k) into the top
/// of `prev`, both moving down to the next neuron; a probe taken goes into `next`.
/// The two never meet, so the 2N flip-flops' enables are `v3` and `v3 | taken`, not
/// the main block's priority chain through reset, busy and done.
fn state_shifts(names: &Names, e: &Engine, z: &Sizes) -> Item {
    let n = z.n as u32;
    let taken = Expr::id(&names.in_valid).and(Expr::id(&names.in_ready));
    Item::AlwaysPosedge {
        clock: names.clk.clone(),
        body: vec![
            Stmt::If {
                cond: Expr::id(&e.v3),
                then: vec![
                    shift_down(&names.prev, n, Expr::id(&names.next).bit(0)),
                    shift_down(&names.next, n, Expr::id(&e.decision)),
                ],
                otherwise: vec![],
            },
            Stmt::If {
                cond: taken,
                then: vec![set(&names.next, Expr::id(&names.in_state))],
                otherwise: vec![],
            },
        ],
    }
}

/// Everything that happens while `busy`.
fn running(names: &Names, e: &Engine, z: &Sizes) -> Vec<Stmt> {
    let mem = weight_memory(e, z);
    let mut stmts = weight_banks::engine_read(&mem, z.banking, z.load);
    stmts.extend([
        set(&e.tdata, Expr::id(&e.tmem).select(Expr::id(&e.idx))),
        set(&e.v1, Expr::id(&e.issue)),
        set(&e.first1, Expr::id(&e.chunk).eq(uint(z.chunk, 0))),
        set(&e.last1, Expr::id(&e.chunk_last)),
        set(
            &e.lastn1,
            Expr::id(&e.chunk_last).and(Expr::id(&e.idx_last)),
        ),
        set(
            &e.bits1,
            Expr::id(&names.state).part(Expr::Num(0), z.lanes as u32),
        ),
        set(&e.v2, Expr::id(&e.v1l)),
        set(&e.first2, Expr::id(&e.first1l)),
        set(&e.last2, Expr::id(&e.last1l)),
        set(&e.lastn2, Expr::id(&e.lastn1l)),
        set(&e.tdata2, Expr::id(&e.tdatal)),
        set(&e.sum2, Expr::id(&e.partial)),
        set(&e.v3, Expr::id(&e.v2).and(Expr::id(&e.last2))),
        set(&e.lastn3, Expr::id(&e.lastn2)),
        set(&e.tdata3, Expr::id(&e.tdata2).bit(z.acc + 1)),
        set(&e.ending, Expr::id(&e.v3).and(Expr::id(&e.lastn3))),
        set(&e.committing, Expr::id(&e.ending)),
    ]);
    stmts.push(Stmt::If {
        cond: Expr::id(&e.v2),
        then: vec![
            set(&e.acc, Expr::id(&e.total)),
            set(&e.total3, Expr::id(&e.total)),
        ],
        otherwise: vec![],
    });
    stmts.push(decide(names, e));
    stmts.push(advance(names, e, z));
    // `next` is s(k+1) now, and `prev` s(k): only `state` is loaded.
    let mut commit = vec![
        set(&names.state, padded(Expr::id(&names.next), z)),
        set(&e.diff_state, uint(1, 0)),
        set(&e.diff_prev, uint(1, 0)),
    ];
    commit.push(control::count_sweep(names));
    commit.push(control::RegisteredStop::new().apply(names, vec![set(&e.issuing, uint(1, 1))]));
    stmts.push(Stmt::If {
        cond: Expr::id(&e.committing),
        then: commit,
        otherwise: vec![],
    });
    stmts
}

/// The start, a clock after the probe went into `next` (`state_shifts`): `state`
/// takes it, as every commit does, and the first sweep issues. The counters and the
/// stop-rule flags need nothing: a reset and every finished sweep leave them at their
/// start values. `prev` needs no load: sweep 0 never tests for a 2-cycle, and shifts
/// s(0) into it.
fn start(names: &Names, e: &Engine, z: &Sizes) -> Vec<Stmt> {
    vec![
        set(&names.state, padded(Expr::id(&names.next), z)),
        set(&e.issuing, uint(1, 1)),
    ]
}

/// Builds the core module.
pub fn build(design: &Design) -> Module {
    let names = Names::new();
    let z = Sizes::of(design);
    let e = Engine::new(z.bank_delay + z.lane_delay);
    let (delay_items, shifts, delay_resets) = delay_line(&z);
    let mut items = declarations(&names, &e, &z);
    items.extend(delay_items);
    let port = WritePort::new();
    let mem = weight_memory(&e, &z);
    items.extend(weight_banks::memory_blocks(
        &mem,
        z.banking,
        z.load,
        WEIGHTS_FILE,
        &names.clk,
    ));
    items.extend(datapath(design, &names, &e, &z));
    items.extend(control::stop_checks(
        &names,
        design.max_sweeps,
        control::StopSource::SyncFlags {
            changed: &e.diff_state,
            differs_from_prev: &e.diff_prev,
        },
        control::LastSweep::Registered,
    ));
    items.extend(control::RegisteredStop::new().items(&names, true));
    items.extend(control::handshake_outputs_from(
        &names,
        unpadded(Expr::id(&names.state), &z),
    ));
    let resets = vec![
        set(&e.issuing, uint(1, 0)),
        set(&e.starting, uint(1, 0)),
        set(&e.diff_state, uint(1, 0)),
        set(&e.diff_prev, uint(1, 0)),
        set(&e.v1, uint(1, 0)),
        set(&e.v2, uint(1, 0)),
        set(&e.v3, uint(1, 0)),
        set(&e.ending, uint(1, 0)),
        set(&e.committing, uint(1, 0)),
    ];
    let resets = [
        resets,
        first_neuron(&e, &z),
        first_chunk(&e, &z),
        delay_resets,
    ]
    .concat();
    let running = [shifts, running(&names, &e, &z)].concat();
    items.push(control::main_block_loading(
        &names,
        control::ProbeLoad::Deferred(&e.starting),
        resets,
        running,
        start(&names, &e, &z),
    ));
    items.push(state_shifts(&names, &e, &z));
    Module {
        params: vec![],
        name: Ident::new(design.top.clone()),
        doc: design.doc_lines(),
        ports: if z.load {
            [
                control::ports(z.n, &names),
                port.ports(&weight_memory(&e, &z)),
            ]
            .concat()
        } else {
            control::ports(z.n, &names)
        },
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_tree_registers_the_odd_levels_below_the_root() {
        // (lanes, CUTS, D): the lanes, and levels 1, 3, ... strictly below the root
        // level ⌈log2 L⌉.
        for (lanes, cuts, depth) in [
            (1, 0b1, 1),
            (2, 0b1, 1),
            (3, 0b11, 2),
            (4, 0b11, 2),
            (5, 0b11, 2),
            (8, 0b11, 2),
            (16, 0b1011, 3),
            (20, 0b1011, 3),
            (32, 0b1011, 3),
            (64, 0b101011, 4),
        ] {
            assert_eq!(lane_cuts(lanes), cuts, "L = {lanes}");
            assert_eq!(lane_latency(lanes), depth, "L = {lanes}");
        }
        assert_eq!(cycles_per_sweep(64, 16, 0), 64 * 4 + 5 + 3);
        assert_eq!(cycles_per_sweep(64, 16, 4), 64 * 4 + 5 + 3 + 4);
    }
}
