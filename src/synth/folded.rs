//! The `folded` architecture, sync update: weights in inferred block RAM, L of them
//! consumed per cycle, one local field accumulated over C = ⌈N/L⌉ cycles. Each decision
//! goes into `next`, and s(k+1) is committed at the end of the sweep. (Async folded
//! cores update incrementally instead: `folded_async`.)
//!
//! Pipeline: stage 0 issues (neuron i, chunk c): the memory address, and the L state
//! bits of chunk c; stage 1 (one cycle later, when the synchronous reads arrive) sums
//! the L selected weights into a register; stage 2 adds that sum to the accumulator and
//! at the row's last chunk registers S_i; stage 3 decides neuron i with the same
//! comparison as the parallel core: S_i > C_i, or S_i = C_i and a tie. Registers
//! between lane tree, accumulator and comparison keep each path to one of them.

use super::control::{self, set, Names, SWEEP_BITS};
use super::library::LANE_SUM;
use super::parallel::threshold_constant;
use super::{bits_for, pack_hex, Design};
use crate::verilog::*;

pub const WEIGHTS_FILE: &str = "weights.mem";
pub const THRESHOLDS_FILE: &str = "thresholds.mem";

/// Chunks per weight row.
pub fn chunks(n: usize, lanes: usize) -> usize {
    n.div_ceil(lanes)
}

/// Cycles per sweep: N·C issue cycles, three to drain the pipeline, one to commit.
pub fn cycles_per_sweep(n: usize, lanes: usize) -> u64 {
    let (n, c) = (n as u64, chunks(n, lanes) as u64);
    n * c + 4
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

/// `thresholds.mem`: word i = {tie possible, C_i} (1 + A bits), see `parallel`.
pub fn thresholds_mem(design: &Design) -> String {
    let acc = design.q.acc_bits as usize;
    let mut out = String::new();
    for i in 0..design.q.n {
        let (c, even) = threshold_constant(design, i);
        // C_i in the low A bits, the tie flag above them.
        let word = (c & ((1i64 << acc) - 1)) | (i64::from(even) << acc);
        out.push_str(&pack_hex([word], acc + 1));
        out.push('\n');
    }
    out
}

/// Internal names of the folded engine.
struct Engine {
    issuing: Ident,
    ending: Ident,
    idx: Ident,
    chunk: Ident,
    addr: Ident,
    base: Ident,
    v1: Ident,
    first1: Ident,
    last1: Ident,
    lastn1: Ident,
    idx1: Ident,
    bits1: Ident,
    v2: Ident,
    first2: Ident,
    last2: Ident,
    lastn2: Ident,
    idx2: Ident,
    tdata2: Ident,
    sum2: Ident,
    v3: Ident,
    lastn3: Ident,
    idx3: Ident,
    tdata3: Ident,
    total3: Ident,
    diff_state: Ident,
    diff_prev: Ident,
    wdata: Ident,
    tdata: Ident,
    acc: Ident,
    wmem: Ident,
    tmem: Ident,
    state_pad: Ident,
    issue: Ident,
    partial: Ident,
    total: Ident,
    limit: Ident,
    even: Ident,
    current: Ident,
    decision: Ident,
}

impl Engine {
    fn new() -> Self {
        let id = Ident::new;
        Engine {
            issuing: id("issuing"),
            ending: id("ending"),
            idx: id("idx"),
            chunk: id("chunk"),
            addr: id("addr"),
            base: id("base"),
            v1: id("v1"),
            first1: id("first1"),
            last1: id("last1"),
            lastn1: id("lastn1"),
            idx1: id("idx1"),
            bits1: id("bits1"),
            v2: id("v2"),
            first2: id("first2"),
            last2: id("last2"),
            lastn2: id("lastn2"),
            idx2: id("idx2"),
            tdata2: id("tdata2"),
            sum2: id("sum2"),
            v3: id("v3"),
            lastn3: id("lastn3"),
            idx3: id("idx3"),
            tdata3: id("tdata3"),
            total3: id("total3"),
            diff_state: id("diff_state"),
            diff_prev: id("diff_prev"),
            wdata: id("wdata"),
            tdata: id("tdata"),
            acc: id("acc"),
            wmem: id("wmem"),
            tmem: id("tmem"),
            state_pad: id("state_pad"),
            issue: id("issue"),
            partial: id("partial"),
            total: id("total"),
            limit: id("limit"),
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
    base: u32,
    acc: u32,
    word: u32,
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
            base: bits_for(c_count * lanes - 1),
            acc: design.q.acc_bits,
            word: (lanes as u32) * design.q.weight_bits,
        }
    }
}

fn reg(width: u32, name: &Ident, comment: &str) -> Item {
    control::net(NetKind::Reg, width, name, comment)
}

fn wire(width: u32, name: &Ident, comment: &str) -> Item {
    control::net(NetKind::Wire, width, name, comment)
}

fn declarations(names: &Names, e: &Engine, z: &Sizes) -> Vec<Item> {
    let n = z.n as u32;
    let mut items = vec![
        reg(n, &names.state, "s(k)"),
        reg(n, &names.prev, "s(k-1)"),
        reg(n, &names.next, "s(k+1), filled neuron by neuron"),
        reg(SWEEP_BITS, &names.sweeps, "k"),
        reg(2, &names.status, ""),
        reg(0, &names.busy, "running sweeps"),
        reg(0, &names.done, "result waiting for out_ready"),
        reg(0, &e.issuing, "stage 0 issues (neuron, chunk) pairs"),
    ];
    items.extend([
        reg(0, &e.ending, "all decisions of the sweep are in"),
        reg(z.idx, &e.idx, "neuron i"),
        reg(z.chunk, &e.chunk, "chunk c of row i"),
        reg(z.addr, &e.addr, "i*C + c"),
        reg(z.base, &e.base, "c*L"),
        reg(0, &e.v1, "stage 1 valid"),
        reg(0, &e.first1, "stage 1 holds chunk 0"),
        reg(0, &e.last1, "stage 1 holds the last chunk"),
        reg(0, &e.lastn1, "... of the last neuron"),
        reg(z.idx, &e.idx1, "stage 1 neuron"),
        reg(z.lanes as u32, &e.bits1, "stage 1 state bits of the chunk"),
        reg(0, &e.v2, "stage 2 valid"),
        reg(0, &e.first2, ""),
        reg(0, &e.last2, ""),
        reg(0, &e.lastn2, ""),
        reg(z.idx, &e.idx2, "stage 2 neuron"),
        reg(z.acc + 1, &e.tdata2, "{tie possible, C_i} in stage 2"),
        control::signed_net(NetKind::Reg, z.acc, &e.sum2, "the chunk's sum, registered"),
        reg(0, &e.v3, "stage 3 decides a neuron"),
        reg(0, &e.lastn3, ""),
        reg(z.idx, &e.idx3, "stage 3 neuron"),
        reg(z.acc + 1, &e.tdata3, "{tie possible, C_i} in stage 3"),
        control::signed_net(NetKind::Reg, z.acc, &e.total3, "S_i, complete"),
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
            z.acc + 1,
            &e.tdata,
            "{tie possible, C_i} (synchronous read)",
        ),
        control::signed_net(NetKind::Reg, z.acc, &e.acc, "partial S_i"),
        Item::Memory {
            width: z.word,
            depth: z.n * z.c_count,
            name: e.wmem.clone(),
            comment: Some(format!("{} lanes of W bits per word", z.lanes)),
        },
        Item::Memory {
            width: z.acc + 1,
            depth: z.n,
            name: e.tmem.clone(),
            comment: Some("per neuron: {tie possible, C_i}".into()),
        },
        Item::ReadMemH {
            file: WEIGHTS_FILE.into(),
            memory: e.wmem.clone(),
        },
        Item::ReadMemH {
            file: THRESHOLDS_FILE.into(),
            memory: e.tmem.clone(),
        },
        Item::Blank,
    ]);
    items
}

fn datapath(design: &Design, names: &Names, e: &Engine, z: &Sizes) -> Vec<Item> {
    let padded = (z.c_count * z.lanes) as u32;
    let pad = padded - z.n as u32;
    let state_pad = if pad == 0 {
        Expr::id(&names.state)
    } else {
        Expr::Concat(vec![
            Expr::Repeat(pad, Box::new(Expr::uint(1, 0))),
            Expr::id(&names.state),
        ])
    };
    let issue = Expr::id(&e.issuing);
    let acc = z.acc;
    let total = Expr::Ternary(
        Box::new(Expr::id(&e.first2)),
        Box::new(Expr::Repeat(acc, Box::new(Expr::uint(1, 0)))),
        Box::new(Expr::id(&e.acc)),
    )
    .binary(BinaryOp::Add, Expr::id(&e.sum2));
    let above = Expr::id(&e.total3).binary(BinaryOp::Gt, Expr::id(&e.limit));
    let tie = Expr::id(&e.even)
        .binary(BinaryOp::And, Expr::id(&e.total3).eq(Expr::id(&e.limit)))
        .binary(BinaryOp::And, Expr::id(&e.current));
    let assign = |lhs: &Ident, rhs: Expr| Item::Assign {
        lhs: Expr::id(lhs),
        rhs,
    };
    vec![
        Item::Comment(vec![
            "Datapath: L weights of one row chunk per cycle.".into()
        ]),
        wire(padded, &e.state_pad, "state padded to C*L bits"),
        wire(0, &e.issue, ""),
        control::signed_net(
            NetKind::Wire,
            acc,
            &e.partial,
            "sum of this chunk's selected weights",
        ),
        control::signed_net(
            NetKind::Wire,
            acc,
            &e.total,
            "S_i so far, including this chunk",
        ),
        control::signed_net(NetKind::Wire, acc, &e.limit, "C_i"),
        wire(0, &e.even, "a tie is possible"),
        wire(0, &e.current, "s_i now"),
        wire(0, &e.decision, "s_i after the decision"),
        assign(&e.state_pad, state_pad),
        assign(&e.issue, issue),
        Item::Instance {
            module: Ident::new(LANE_SUM.module),
            name: Ident::new("u_lanes"),
            params: vec![
                (Ident::new("L"), Expr::Num(z.lanes as i64)),
                (Ident::new("W"), Expr::Num(i64::from(design.q.weight_bits))),
                (Ident::new("A"), Expr::Num(i64::from(acc))),
            ],
            ports: vec![
                (Ident::new("s"), Expr::id(&e.bits1)),
                (Ident::new("w"), Expr::id(&e.wdata)),
                (Ident::new("sum"), Expr::id(&e.partial)),
            ],
        },
        assign(&e.total, total),
        assign(&e.limit, Expr::id(&e.tdata3).part(Expr::Num(0), acc)),
        assign(&e.even, Expr::id(&e.tdata3).bit(acc)),
        assign(&e.current, Expr::id(&names.state).select(Expr::id(&e.idx3))),
        assign(&e.decision, above.binary(BinaryOp::Or, tie)),
        Item::Blank,
    ]
}

fn uint(width: u32, value: usize) -> Expr {
    Expr::uint(width, value as u64)
}

/// Stage 0: advance (neuron, chunk) after an issue.
fn advance(e: &Engine, z: &Sizes) -> Stmt {
    let last_chunk = Expr::id(&e.chunk).eq(uint(z.chunk, z.c_count - 1));
    let last_neuron = Expr::id(&e.idx).eq(uint(z.idx, z.n - 1));
    let incr = |name: &Ident, width: u32, step: usize| {
        set(
            name,
            Expr::id(name).binary(BinaryOp::Add, uint(width, step)),
        )
    };
    let mut row_done = vec![
        set(&e.chunk, uint(z.chunk, 0)),
        set(&e.base, uint(z.base, 0)),
    ];
    row_done.push(Stmt::If {
        cond: last_neuron,
        then: vec![
            set(&e.issuing, uint(1, 0)),
            set(&e.idx, uint(z.idx, 0)),
            set(&e.addr, uint(z.addr, 0)),
        ],
        otherwise: vec![incr(&e.idx, z.idx, 1), incr(&e.addr, z.addr, 1)],
    });
    // With one chunk per row every issue ends a row (and c·L = L would not fit `base`).
    let on_issue = if z.c_count == 1 {
        row_done
    } else {
        vec![Stmt::If {
            cond: last_chunk,
            then: row_done,
            otherwise: vec![
                incr(&e.chunk, z.chunk, 1),
                incr(&e.base, z.base, z.lanes),
                incr(&e.addr, z.addr, 1),
            ],
        }]
    };
    Stmt::If {
        cond: Expr::id(&e.issue),
        then: on_issue,
        otherwise: vec![],
    }
}

/// Everything that happens while `busy`.
fn running(names: &Names, e: &Engine, z: &Sizes) -> Vec<Stmt> {
    let mut stmts = vec![
        set(&e.wdata, Expr::id(&e.wmem).select(Expr::id(&e.addr))),
        set(&e.tdata, Expr::id(&e.tmem).select(Expr::id(&e.idx))),
        set(&e.v1, Expr::id(&e.issue)),
        set(&e.first1, Expr::id(&e.chunk).eq(uint(z.chunk, 0))),
        set(
            &e.last1,
            Expr::id(&e.chunk).eq(uint(z.chunk, z.c_count - 1)),
        ),
        set(
            &e.lastn1,
            Expr::id(&e.chunk)
                .eq(uint(z.chunk, z.c_count - 1))
                .and(Expr::id(&e.idx).eq(uint(z.idx, z.n - 1))),
        ),
        set(&e.idx1, Expr::id(&e.idx)),
        set(
            &e.bits1,
            Expr::id(&e.state_pad).part(Expr::id(&e.base), z.lanes as u32),
        ),
        set(&e.v2, Expr::id(&e.v1)),
        set(&e.first2, Expr::id(&e.first1)),
        set(&e.last2, Expr::id(&e.last1)),
        set(&e.lastn2, Expr::id(&e.lastn1)),
        set(&e.idx2, Expr::id(&e.idx1)),
        set(&e.tdata2, Expr::id(&e.tdata)),
        set(&e.sum2, Expr::id(&e.partial)),
        set(&e.v3, Expr::id(&e.v2).and(Expr::id(&e.last2))),
        set(&e.lastn3, Expr::id(&e.lastn2)),
        set(&e.idx3, Expr::id(&e.idx2)),
        set(&e.tdata3, Expr::id(&e.tdata2)),
        set(&e.ending, Expr::id(&e.v3).and(Expr::id(&e.lastn3))),
    ];
    stmts.push(Stmt::If {
        cond: Expr::id(&e.v2),
        then: vec![
            set(&e.acc, Expr::id(&e.total)),
            set(&e.total3, Expr::id(&e.total)),
        ],
        otherwise: vec![],
    });
    let differs = |from: &Ident, flag: &Ident| {
        set(
            flag,
            Expr::id(flag).binary(
                BinaryOp::Or,
                Expr::id(&e.decision)
                    .binary(BinaryOp::Ne, Expr::id(from).select(Expr::id(&e.idx3))),
            ),
        )
    };
    stmts.push(Stmt::If {
        cond: Expr::id(&e.v3),
        then: vec![
            Stmt::NonBlocking(
                Expr::id(&names.next).select(Expr::id(&e.idx3)),
                Expr::id(&e.decision),
            ),
            differs(&names.state, &e.diff_state),
            differs(&names.prev, &e.diff_prev),
        ],
        otherwise: vec![],
    });
    stmts.push(advance(e, z));
    let mut commit = vec![
        set(&names.state, Expr::id(&names.next)),
        set(&names.prev, Expr::id(&names.state)),
        set(&e.diff_state, uint(1, 0)),
        set(&e.diff_prev, uint(1, 0)),
    ];
    commit.push(control::count_sweep(names));
    commit.push(control::stop_rule(
        names,
        true,
        vec![set(&e.issuing, uint(1, 1))],
    ));
    stmts.push(Stmt::If {
        cond: Expr::id(&e.ending),
        then: commit,
        otherwise: vec![],
    });
    stmts
}

/// What taking a probe resets besides the shared state.
fn start(e: &Engine, z: &Sizes) -> Vec<Stmt> {
    vec![
        set(&e.diff_state, uint(1, 0)),
        set(&e.diff_prev, uint(1, 0)),
        set(&e.issuing, uint(1, 1)),
        set(&e.idx, uint(z.idx, 0)),
        set(&e.chunk, uint(z.chunk, 0)),
        set(&e.addr, uint(z.addr, 0)),
        set(&e.base, uint(z.base, 0)),
    ]
}

/// Builds the core module.
pub fn build(design: &Design) -> Module {
    let names = Names::new();
    let e = Engine::new();
    let z = Sizes::of(design);
    let mut items = declarations(&names, &e, &z);
    items.extend(datapath(design, &names, &e, &z));
    items.extend(control::stop_checks(
        &names,
        design.max_sweeps,
        control::StopSource::SyncFlags {
            changed: &e.diff_state,
            differs_from_prev: &e.diff_prev,
        },
    ));
    items.extend(control::handshake_outputs(&names));
    let resets = vec![
        set(&e.issuing, uint(1, 0)),
        set(&e.v1, uint(1, 0)),
        set(&e.v2, uint(1, 0)),
        set(&e.v3, uint(1, 0)),
        set(&e.ending, uint(1, 0)),
    ];
    items.push(control::main_block(
        &names,
        resets,
        running(&names, &e, &z),
        start(&e, &z),
    ));
    Module {
        params: vec![],
        name: Ident::new(design.top.clone()),
        doc: design.doc_lines(),
        ports: control::ports(z.n, &names),
        items,
    }
}
