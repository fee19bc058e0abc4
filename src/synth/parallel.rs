//! The `parallel` architecture, sync update: every local field is a constant-weight
//! adder tree over the state register, so one sweep takes one clock cycle.
//!
//! Each field uses the ±1 structure: h_i = 2·S_i − R_i with S_i = Σ_{j: s_j=+1} w_ij
//! (AND-gated constants, zero weights pruned by synthesis) and R_i = Σ_j w_ij.
//! h_i > θ_i ⇔ S_i > C_i with T_i = θ_i + R_i and C_i = ⌊T_i / 2⌋; a tie h_i = θ_i
//! is possible only when T_i is even, and then means S_i = C_i.

use super::library::MASKED_SUM;
use super::{control, Design};
use crate::verilog::*;

/// The comparison constant of neuron i and whether a tie can occur.
pub fn threshold_constant(design: &Design, i: usize) -> (i64, bool) {
    let q = &design.q;
    let t = i64::from(q.thresholds[i]) + q.row_sum(i);
    (t.div_euclid(2), t.rem_euclid(2) == 0)
}

/// Height of the adder tree over N terms: ⌈log2 N⌉.
pub fn tree_height(n: usize) -> u32 {
    (usize::BITS - (n.max(1) - 1).leading_zeros()).min(usize::BITS)
}

/// Tree levels between pipeline registers: K registers cut a tree of height D into
/// K + 1 segments of at most ⌈D / (K + 1)⌉ adder levels (0 = no registers).
pub fn pipe_step(n: usize, pipeline: u32) -> u32 {
    if pipeline == 0 {
        0
    } else {
        tree_height(n).div_ceil(pipeline + 1).max(1)
    }
}

/// The weights of row i as one hex literal, w_ij at bits [j·W +: W].
pub(super) fn row_literal(design: &Design, i: usize) -> Expr {
    let q = &design.q;
    Expr::Hex {
        width: q.n as u32 * q.weight_bits,
        hex: super::pack_hex(
            (0..q.n).map(|j| i64::from(q.weight(i, j))),
            q.weight_bits as usize,
        ),
    }
}

/// Builds the core module.
pub fn build(design: &Design) -> Module {
    let n = design.q.n;
    let acc = design.q.acc_bits;
    let names = control::Names::new();
    let mut items = vec![Item::Comment(vec![
        "Local fields: S_i = sum of w_ij over the neurons at +1 (balanced adder trees).".into(),
    ])];
    for i in 0..n {
        let sum = Ident::new(format!("sum_{i}"));
        items.push(Item::Decl {
            kind: NetKind::Wire,
            signed: true,
            width: Width::Vector(acc),
            name: sum.clone(),
            comment: None,
        });
        items.push(Item::Instance {
            module: Ident::new(MASKED_SUM.module),
            name: Ident::new(format!("u_sum_{i}")),
            params: vec![
                (Ident::new("N"), Expr::Num(n as i64)),
                (Ident::new("W"), Expr::Num(i64::from(design.q.weight_bits))),
                (Ident::new("A"), Expr::Num(i64::from(acc))),
                (Ident::new("WEIGHTS"), row_literal(design, i)),
                (
                    Ident::new("PIPE_STEP"),
                    Expr::Num(i64::from(pipe_step(n, design.pipeline))),
                ),
                (
                    Ident::new("PIPE_MAX"),
                    Expr::Num(i64::from(design.pipeline)),
                ),
            ],
            ports: vec![
                (Ident::new("clk"), Expr::id(&names.clk)),
                (Ident::new("s"), Expr::id(&names.state)),
                (Ident::new("sum"), Expr::id(&sum)),
            ],
        });
    }
    items.push(Item::Blank);
    items.push(Item::Comment(vec![
        "Decisions: +1 if h_i > theta_i, -1 if below, unchanged on a tie (docs/ARITHMETIC.md)."
            .into(),
    ]));
    for i in 0..n {
        let (c, tie_possible) = threshold_constant(design, i);
        let sum = Expr::id(&Ident::new(format!("sum_{i}")));
        let constant = Expr::sint(acc, c);
        let above = sum.clone().binary(BinaryOp::Gt, constant.clone());
        let rhs = if tie_possible {
            let tie = sum
                .eq(constant)
                .binary(BinaryOp::And, Expr::id(&names.state).bit(i as u32));
            above.binary(BinaryOp::Or, tie)
        } else {
            above
        };
        items.push(Item::Assign {
            lhs: Expr::id(&names.next).bit(i as u32),
            rhs,
        });
    }
    items.push(Item::Blank);
    control::single_cycle_sweeps(design, &names, items)
}
