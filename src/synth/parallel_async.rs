//! The `parallel` architecture, async update: all N margins g_i = h_i − θ_i live in
//! registers and are updated incrementally, so one neuron is decided per cycle and
//! only flips cost additions (all N of them in parallel, in that one cycle).
//!
//! A probe is loaded in N cycles: g starts at the margins of the all-(−1) state,
//! K_i = −R_i − θ_i, and each neuron k at +1 in the probe adds 2·w_ik to every g_i.
//! Sweep step j: s_j becomes +1 if g_j > 0, −1 if g_j < 0, stays on a tie; a flip adds
//! ±2·w_ij to every g_i. The weights w_ik of the current k come from constant tables.

use super::control::{self, decl, set, Names, SWEEP_BITS};
use super::library::WEIGHT_SELECT;
use super::parallel::row_literal;
use super::{bits_for, Design};
use crate::verilog::*;

/// Cycles to load a probe (one per neuron).
pub fn load_cycles(n: usize) -> u64 {
    n as u64
}

/// K_i = −R_i − θ_i: the margin of neuron i in the all-(−1) state.
pub(super) fn start_margin(q: &crate::quantize::QuantNetwork, i: usize) -> i64 {
    -q.row_sum(i) - i64::from(q.thresholds[i])
}

struct Local {
    g: Ident,
    idx: Ident,
    loading: Ident,
    changed_any: Ident,
    margin: Ident,
    current: Ident,
    decision: Ident,
    flip: Ident,
    apply: Ident,
    up: Ident,
    changed_now: Ident,
    at_end: Ident,
}

fn weight(i: usize) -> Ident {
    Ident::new(format!("w_{i}"))
}

/// Builds the core module.
pub fn build(design: &Design) -> Module {
    let names = Names::new();
    let n = design.q.n;
    let gw = design.q.acc_bits + 1;
    let iw = bits_for(n - 1);
    let id = Ident::new;
    let v = Local {
        g: id("g"),
        idx: id("idx"),
        loading: id("loading"),
        changed_any: id("changed_any"),
        margin: id("margin"),
        current: id("current"),
        decision: id("decision"),
        flip: id("flip"),
        apply: id("apply"),
        up: id("up"),
        changed_now: id("changed_now"),
        at_end: id("at_end"),
    };
    let vec_w = |w: u32| Width::Vector(w);
    let mut items = vec![
        decl(
            NetKind::Reg,
            vec_w(n as u32),
            &names.state,
            "s, updated in place",
        ),
        decl(NetKind::Reg, vec_w(SWEEP_BITS), &names.sweeps, "k"),
        decl(NetKind::Reg, vec_w(2), &names.status, ""),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &names.busy,
            "loading or running sweeps",
        ),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &names.done,
            "result waiting for out_ready",
        ),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &v.loading,
            "adding the probe's +1 neurons into g",
        ),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &v.changed_any,
            "some neuron flipped in this sweep",
        ),
        decl(
            NetKind::Reg,
            vec_w(iw),
            &v.idx,
            "neuron k being loaded or decided",
        ),
        Item::Memory {
            width: gw,
            depth: n,
            name: v.g.clone(),
            comment: Some("margins g_i = h_i - theta_i (registers)".into()),
            no_rw_check: false,
        },
        Item::Blank,
        Item::Comment(vec![
            "w_i = w_ik for the current k = idx (constant tables).".into(),
        ]),
    ];
    for i in 0..n {
        items.push(Item::Decl {
            kind: NetKind::Wire,
            signed: true,
            width: vec_w(gw),
            name: weight(i),
            comment: None,
        });
        items.push(Item::Instance {
            module: Ident::new(WEIGHT_SELECT.module),
            name: Ident::new(format!("u_w_{i}")),
            params: vec![
                (id("N"), Expr::Num(n as i64)),
                (id("W"), Expr::Num(i64::from(design.q.weight_bits))),
                (id("OW"), Expr::Num(i64::from(gw))),
                (id("IW"), Expr::Num(i64::from(iw))),
                (id("VALUES"), row_literal(design, i)),
            ],
            ports: vec![
                (id("index"), Expr::id(&v.idx)),
                (id("value"), Expr::id(&weight(i))),
            ],
        });
    }
    items.extend(decisions(&names, &v, n, gw, iw));
    items.extend(control::stop_checks(
        &names,
        design.max_sweeps,
        control::StopSource::AsyncFlag(&v.changed_now),
        control::LastSweep::Compared,
    ));
    items.extend(control::handshake_outputs(&names));
    items.push(always(design, &names, &v, n, gw, iw));
    Module {
        params: vec![],
        name: Ident::new(design.top.clone()),
        doc: design.doc_lines(),
        ports: control::ports(n, &names),
        items,
    }
}

fn decisions(names: &Names, v: &Local, n: usize, gw: u32, iw: u32) -> Vec<Item> {
    let assign = |lhs: &Ident, rhs: Expr| Item::Assign {
        lhs: Expr::id(lhs),
        rhs,
    };
    let margin = Expr::id(&v.margin);
    let zero = Expr::sint(gw, 0);
    vec![
        Item::Blank,
        Item::Comment(vec![
            "Decision for neuron k = idx (docs/ARITHMETIC.md).".into()
        ]),
        Item::Decl {
            kind: NetKind::Wire,
            signed: true,
            width: Width::Vector(gw),
            name: v.margin.clone(),
            comment: Some("g_k".into()),
        },
        decl(NetKind::Wire, Width::Scalar, &v.current, "s_k now"),
        decl(
            NetKind::Wire,
            Width::Scalar,
            &v.decision,
            "s_k after the decision",
        ),
        decl(NetKind::Wire, Width::Scalar, &v.flip, "s_k changes"),
        decl(
            NetKind::Wire,
            Width::Scalar,
            &v.apply,
            "add +-2 w_ik to every g_i this cycle",
        ),
        decl(NetKind::Wire, Width::Scalar, &v.up, "the step is +2 w_ik"),
        decl(NetKind::Wire, Width::Scalar, &v.at_end, "k = N-1"),
        decl(
            NetKind::Wire,
            Width::Scalar,
            &v.changed_now,
            "a flip in this sweep, this cycle's included",
        ),
        assign(&v.margin, Expr::id(&v.g).select(Expr::id(&v.idx))),
        assign(&v.current, Expr::id(&names.state).select(Expr::id(&v.idx))),
        assign(
            &v.decision,
            margin.clone().binary(BinaryOp::Gt, zero.clone()).binary(
                BinaryOp::Or,
                margin.eq(zero).binary(BinaryOp::And, Expr::id(&v.current)),
            ),
        ),
        assign(
            &v.flip,
            Expr::id(&v.loading)
                .logic_not()
                .and(Expr::id(&v.decision).binary(BinaryOp::Ne, Expr::id(&v.current))),
        ),
        assign(
            &v.apply,
            Expr::id(&v.loading)
                .and(Expr::id(&v.current))
                .binary(BinaryOp::LogicOr, Expr::id(&v.flip)),
        ),
        assign(
            &v.up,
            Expr::id(&v.loading).binary(BinaryOp::LogicOr, Expr::id(&v.decision)),
        ),
        assign(
            &v.at_end,
            Expr::id(&v.idx).eq(Expr::uint(iw, (n - 1) as u64)),
        ),
        assign(
            &v.changed_now,
            Expr::id(&v.changed_any).binary(BinaryOp::LogicOr, Expr::id(&v.flip)),
        ),
        Item::Blank,
    ]
}

fn always(design: &Design, names: &Names, v: &Local, n: usize, gw: u32, iw: u32) -> Item {
    let g = |i: usize| Expr::id(&v.g).select(Expr::uint(iw, i as u64));
    let mut step = Vec::new();
    for i in 0..n {
        let w = Expr::id(&weight(i));
        let plus = g(i)
            .binary(BinaryOp::Add, w.clone())
            .binary(BinaryOp::Add, w.clone());
        let minus = g(i)
            .binary(BinaryOp::Sub, w.clone())
            .binary(BinaryOp::Sub, w);
        step.push(Stmt::NonBlocking(
            g(i),
            Expr::Ternary(Box::new(Expr::id(&v.up)), Box::new(plus), Box::new(minus)),
        ));
    }
    let next_idx = set(
        &v.idx,
        Expr::id(&v.idx).binary(BinaryOp::Add, Expr::uint(iw, 1)),
    );
    let restart = vec![
        set(&v.idx, Expr::uint(iw, 0)),
        set(&v.changed_any, Expr::uint(1, 0)),
    ];
    let mut end_of_sweep = restart.clone();
    end_of_sweep.push(control::count_sweep(names));
    end_of_sweep.push(control::stop_rule(names, false, vec![]));
    let sweeping = vec![
        Stmt::If {
            cond: Expr::id(&v.flip),
            then: vec![
                Stmt::NonBlocking(
                    Expr::id(&names.state).select(Expr::id(&v.idx)),
                    Expr::id(&v.decision),
                ),
                set(&v.changed_any, Expr::uint(1, 1)),
            ],
            otherwise: vec![],
        },
        Stmt::If {
            cond: Expr::id(&v.at_end),
            then: end_of_sweep,
            otherwise: vec![next_idx.clone()],
        },
    ];
    let loading = vec![Stmt::If {
        cond: Expr::id(&v.at_end),
        then: vec![
            set(&v.loading, Expr::uint(1, 0)),
            set(&v.idx, Expr::uint(iw, 0)),
        ],
        otherwise: vec![next_idx],
    }];
    let mut start = vec![
        set(&v.loading, Expr::uint(1, 1)),
        set(&v.idx, Expr::uint(iw, 0)),
        set(&v.changed_any, Expr::uint(1, 0)),
    ];
    for i in 0..n {
        start.push(Stmt::NonBlocking(
            g(i),
            Expr::sint(gw, start_margin(&design.q, i)),
        ));
    }
    let running = vec![
        Stmt::If {
            cond: Expr::id(&v.apply),
            then: step,
            otherwise: vec![],
        },
        Stmt::If {
            cond: Expr::id(&v.loading),
            then: loading,
            otherwise: sweeping,
        },
    ];
    control::main_block(
        names,
        vec![set(&v.loading, Expr::uint(1, 0))],
        running,
        start,
    )
}
