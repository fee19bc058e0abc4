//! The parts every core shares: the port contract of docs/CORE.md, the state and
//! sweep registers, the stopping rule and the valid/ready handshakes.

use super::Design;
use crate::verilog::*;

/// Width of `out_sweeps`.
pub const SWEEP_BITS: u32 = 16;

/// The names of the ports and shared registers.
pub struct Names {
    pub clk: Ident,
    pub rst: Ident,
    pub in_valid: Ident,
    pub in_ready: Ident,
    pub in_state: Ident,
    pub out_valid: Ident,
    pub out_ready: Ident,
    pub out_state: Ident,
    pub out_sweeps: Ident,
    pub out_status: Ident,
    /// s(k)
    pub state: Ident,
    /// s(k − 1), for the cycle2 check
    pub prev: Ident,
    /// s(k + 1), from the sweep engine
    pub next: Ident,
    pub sweeps: Ident,
    pub status: Ident,
    pub busy: Ident,
    pub done: Ident,
    /// !busy && !done, kept as a register so that taking a probe is one gate away
    /// from registers.
    pub idle: Ident,
    pub changed: Ident,
    pub repeat2: Ident,
    pub last: Ident,
}

impl Names {
    pub fn new() -> Self {
        let id = Ident::new;
        Names {
            clk: id("clk"),
            rst: id("rst"),
            in_valid: id("in_valid"),
            in_ready: id("in_ready"),
            idle: id("idle"),
            in_state: id("in_state"),
            out_valid: id("out_valid"),
            out_ready: id("out_ready"),
            out_state: id("out_state"),
            out_sweeps: id("out_sweeps"),
            out_status: id("out_status"),
            state: id("state"),
            prev: id("prev"),
            next: id("next"),
            sweeps: id("sweeps"),
            status: id("status"),
            busy: id("busy"),
            done: id("done"),
            changed: id("changed"),
            repeat2: id("repeat2"),
            last: id("last"),
        }
    }
}

impl Default for Names {
    fn default() -> Self {
        Self::new()
    }
}

/// A wire port (an empty comment prints none).
pub(super) fn port(dir: Dir, width: Width, name: &Ident, comment: &str) -> Port {
    Port {
        dir,
        kind: NetKind::Wire,
        signed: false,
        width,
        name: name.clone(),
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    }
}

/// The port list of docs/CORE.md.
pub fn ports(n: usize, names: &Names) -> Vec<Port> {
    let state = Width::Vector(n as u32);
    vec![
        port(Dir::Input, Width::Scalar, &names.clk, ""),
        port(
            Dir::Input,
            Width::Scalar,
            &names.rst,
            "synchronous, active high",
        ),
        port(
            Dir::Input,
            Width::Scalar,
            &names.in_valid,
            "a probe is taken when in_valid && in_ready",
        ),
        port(Dir::Output, Width::Scalar, &names.in_ready, ""),
        port(
            Dir::Input,
            state,
            &names.in_state,
            "bit i = 1 means s_i = +1",
        ),
        port(
            Dir::Output,
            Width::Scalar,
            &names.out_valid,
            "held until out_valid && out_ready",
        ),
        port(Dir::Input, Width::Scalar, &names.out_ready, ""),
        port(Dir::Output, state, &names.out_state, ""),
        port(
            Dir::Output,
            Width::Vector(SWEEP_BITS),
            &names.out_sweeps,
            "k, the sweeps run",
        ),
        port(
            Dir::Output,
            Width::Vector(2),
            &names.out_status,
            "0 converged, 1 limit, 2 cycle2",
        ),
    ]
}

pub(super) fn decl(kind: NetKind, width: Width, name: &Ident, comment: &str) -> Item {
    Item::Decl {
        kind,
        signed: false,
        width,
        name: name.clone(),
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    }
}

/// A `reg` or `wire` of `bits` bits; 0 means a scalar.
pub(super) fn net(kind: NetKind, bits: u32, name: &Ident, comment: &str) -> Item {
    let width = if bits == 0 {
        Width::Scalar
    } else {
        Width::Vector(bits)
    };
    decl(kind, width, name, comment)
}

/// A signed `reg` or `wire` vector.
pub(super) fn signed_net(kind: NetKind, bits: u32, name: &Ident, comment: &str) -> Item {
    Item::Decl {
        kind,
        signed: true,
        width: Width::Vector(bits),
        name: name.clone(),
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    }
}

/// `sweeps <= sweeps + 1`: one more sweep done.
pub(super) fn count_sweep(names: &Names) -> Stmt {
    set(
        &names.sweeps,
        Expr::id(&names.sweeps).binary(BinaryOp::Add, Expr::uint(SWEEP_BITS, 1)),
    )
}

pub(super) fn set(name: &Ident, value: Expr) -> Stmt {
    Stmt::NonBlocking(Expr::id(name), value)
}

pub(super) fn finish(names: &Names, status: u64) -> Vec<Stmt> {
    vec![
        set(&names.busy, Expr::uint(1, 0)),
        set(&names.done, Expr::uint(1, 1)),
        set(&names.status, Expr::uint(2, status)),
    ]
}

/// A core whose sweep engine computes `next` = s(k + 1) from `state` in 1 + K cycles
/// (K = design.pipeline register stages); `engine` holds the items that drive `next`.
pub fn single_cycle_sweeps(design: &Design, names: &Names, engine: Vec<Item>) -> Module {
    let n = design.q.n;
    let state_width = Width::Vector(n as u32);
    let pipeline = design.pipeline;
    let settle = Ident::new("settle");
    let settle_bits = (u32::BITS - pipeline.leading_zeros()).max(1);
    let mut items = vec![
        decl(NetKind::Reg, state_width, &names.state, "s(k)"),
        decl(NetKind::Reg, state_width, &names.prev, "s(k-1)"),
        decl(NetKind::Reg, Width::Vector(SWEEP_BITS), &names.sweeps, "k"),
        decl(NetKind::Reg, Width::Vector(2), &names.status, ""),
        decl(NetKind::Reg, Width::Scalar, &names.busy, "running sweeps"),
        decl(
            NetKind::Reg,
            Width::Scalar,
            &names.done,
            "result waiting for out_ready",
        ),
        decl(NetKind::Wire, state_width, &names.next, "s(k+1)"),
    ];
    if pipeline > 0 {
        items.push(decl(
            NetKind::Reg,
            Width::Vector(settle_bits),
            &settle,
            "cycles since the state changed (the adder trees are pipelined)",
        ));
    }
    items.push(Item::Blank);
    items.extend(engine);
    items.extend(stop_checks(
        names,
        design.max_sweeps,
        StopSource::Compare,
        LastSweep::Compared,
    ));
    items.extend(handshake_outputs(names));
    let running = if pipeline == 0 {
        sweep_step(names)
    } else {
        let wait =
            Expr::id(&settle).binary(BinaryOp::Ne, Expr::uint(settle_bits, u64::from(pipeline)));
        let mut step = sweep_step(names);
        step.push(set(&settle, Expr::uint(settle_bits, 0)));
        vec![Stmt::If {
            cond: wait,
            then: vec![set(
                &settle,
                Expr::id(&settle).binary(BinaryOp::Add, Expr::uint(settle_bits, 1)),
            )],
            otherwise: step,
        }]
    };
    let start_extra = if pipeline > 0 {
        vec![set(&settle, Expr::uint(settle_bits, 0))]
    } else {
        vec![]
    };
    items.push(main_block(names, vec![], running, start_extra));
    Module {
        params: vec![],
        name: Ident::new(design.top.clone()),
        doc: design.doc_lines(),
        ports: ports(n, names),
        items,
    }
}

/// The clocked block every core shares: `rst` clears busy and done (plus
/// `extra_resets`); while busy the engine runs (`running`); a finished result is held
/// until `out_ready` takes it; an idle core takes a probe (state, k = 0, busy, plus
/// `start_extra`).
pub(super) fn main_block(
    names: &Names,
    extra_resets: Vec<Stmt>,
    running: Vec<Stmt>,
    start_extra: Vec<Stmt>,
) -> Item {
    let load = ProbeLoad::Into(Expr::id(&names.in_state));
    main_block_loading(names, load, extra_resets, running, start_extra)
}

/// How a core takes its probe.
pub(super) enum ProbeLoad<'a> {
    /// `state <= expr` at the handshake, with the rest of the start.
    Into(Expr),
    /// The core captures `in_state` at the handshake itself; the start (k = 0, busy,
    /// `start_extra`) happens a clock later, from this register, so the handshake's
    /// gates reach none of the registers it loads (one more load cycle).
    Deferred(&'a Ident),
}

/// `main_block` for a core that takes its probe as `load` says.
pub(super) fn main_block_loading(
    names: &Names,
    load: ProbeLoad,
    extra_resets: Vec<Stmt>,
    running: Vec<Stmt>,
    start_extra: Vec<Stmt>,
) -> Item {
    let mut resets = vec![
        set(&names.busy, Expr::uint(1, 0)),
        set(&names.done, Expr::uint(1, 0)),
        set(&names.idle, Expr::uint(1, 1)),
    ];
    resets.extend(extra_resets);
    let mut start: Vec<Stmt> = match &load {
        ProbeLoad::Into(expr) => vec![set(&names.state, expr.clone())],
        ProbeLoad::Deferred(_) => vec![],
    };
    start.extend([
        set(&names.sweeps, Expr::uint(SWEEP_BITS, 0)),
        set(&names.busy, Expr::uint(1, 1)),
    ]);
    start.extend(start_extra);
    let idle_now = set(&names.idle, Expr::uint(1, 0));
    let (taking, starting) = match load {
        ProbeLoad::Into(_) => ([start, vec![idle_now]].concat(), None),
        ProbeLoad::Deferred(flag) => {
            let begin = [start, vec![set(flag, Expr::uint(1, 0))]].concat();
            (
                vec![idle_now, set(flag, Expr::uint(1, 1))],
                Some((flag, begin)),
            )
        }
    };
    let when = |cond: &Ident, then: Vec<Stmt>, otherwise: Vec<Stmt>| Stmt::If {
        cond: Expr::id(cond),
        then,
        otherwise,
    };
    // Taking a probe (`in_valid && idle`, one gate from registers) and holding a
    // result come after the engine, so neither reaches the engine's enables.
    let taken = Expr::id(&names.in_valid).and(Expr::id(&names.idle));
    let hold = when(
        &names.done,
        vec![when(
            &names.out_ready,
            vec![
                set(&names.done, Expr::uint(1, 0)),
                set(&names.idle, Expr::uint(1, 1)),
            ],
            vec![],
        )],
        vec![Stmt::If {
            cond: taken,
            then: taking,
            otherwise: vec![],
        }],
    );
    let idle_work = match starting {
        Some((flag, begin)) => vec![when(flag, begin, vec![hold])],
        None => vec![hold],
    };
    let working = when(&names.busy, running, idle_work);
    // The reset comes last and overrides: registers it does not reset are not held
    // by it either, so `rst` (one register with a fan-out over the whole design)
    // reaches only the enables of the few registers it resets.
    Item::AlwaysPosedge {
        clock: names.clk.clone(),
        body: vec![working, when(&names.rst, resets, vec![])],
    }
}

/// Where the stopping rule's tests come from.
pub(super) enum StopSource<'a> {
    /// Sync: compare the N-bit registers at the end of the sweep.
    Compare,
    /// Sync, kept by the engine while it decides: a neuron differs from s(k), and one
    /// differs from s(k-1) (so no wide comparison sits on the commit path).
    SyncFlags {
        changed: &'a Ident,
        differs_from_prev: &'a Ident,
    },
    /// Async: the engine's flag that some neuron changed.
    AsyncFlag(&'a Ident),
}

/// How `last` (k + 1 == max_sweeps) is made.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LastSweep {
    /// A comparison in front of the stopping rule.
    Compared,
    /// A register, one clock behind `sweeps`: for cores whose sweeps take at least
    /// two clocks, so the register is current when the rule reads it.
    Registered,
}

/// `changed`, `repeat2` (sync only) and `last`: the tests of the stopping rule.
pub(super) fn stop_checks(
    names: &Names,
    max_sweeps: u32,
    source: StopSource,
    last: LastSweep,
) -> Vec<Item> {
    let sweeps = Expr::id(&names.sweeps);
    let mut items = vec![
        Item::Comment(vec![
            "Stopping rule, after sweep k+1 (docs/ARITHMETIC.md).".into()
        ]),
        decl(
            NetKind::Wire,
            Width::Scalar,
            &names.changed,
            "some neuron changed",
        ),
    ];
    if !matches!(source, StopSource::AsyncFlag(_)) {
        items.push(decl(
            NetKind::Wire,
            Width::Scalar,
            &names.repeat2,
            "s(k+1) == s(k-1), k >= 1",
        ));
    }
    let (last_kind, last_comment) = match last {
        LastSweep::Compared => (NetKind::Wire, "k+1 == max_sweeps"),
        LastSweep::Registered => (
            NetKind::Reg,
            "k+1 == max_sweeps (registered: sweeps is steady for a whole sweep)",
        ),
    };
    items.push(decl(last_kind, Width::Scalar, &names.last, last_comment));
    let not_first = sweeps
        .clone()
        .binary(BinaryOp::Ne, Expr::uint(SWEEP_BITS, 0));
    let assign = |lhs: &Ident, rhs: Expr| Item::Assign {
        lhs: Expr::id(lhs),
        rhs,
    };
    match source {
        StopSource::AsyncFlag(flag) => items.push(assign(&names.changed, Expr::id(flag))),
        StopSource::Compare => {
            items.push(assign(
                &names.changed,
                Expr::id(&names.next).binary(BinaryOp::Ne, Expr::id(&names.state)),
            ));
            items.push(assign(
                &names.repeat2,
                not_first.and(Expr::id(&names.next).eq(Expr::id(&names.prev))),
            ));
        }
        StopSource::SyncFlags {
            changed,
            differs_from_prev,
        } => {
            items.push(assign(&names.changed, Expr::id(changed)));
            // With registered sweep tests, k >= 1 is a register too.
            let later = Ident::new("later_sweep");
            let k_positive = if last == LastSweep::Registered {
                items.push(decl(
                    NetKind::Reg,
                    Width::Scalar,
                    &later,
                    "k >= 1 (registered, as `last`)",
                ));
                items.push(Item::AlwaysPosedge {
                    clock: names.clk.clone(),
                    body: vec![set(&later, not_first)],
                });
                Expr::id(&later)
            } else {
                not_first
            };
            items.push(assign(
                &names.repeat2,
                k_positive.and(Expr::id(differs_from_prev).logic_not()),
            ));
        }
    }
    let is_last = sweeps.eq(Expr::uint(SWEEP_BITS, u64::from(max_sweeps - 1)));
    items.push(match last {
        LastSweep::Compared => Item::Assign {
            lhs: Expr::id(&names.last),
            rhs: is_last,
        },
        LastSweep::Registered => Item::AlwaysPosedge {
            clock: names.clk.clone(),
            body: vec![set(&names.last, is_last)],
        },
    });
    items.push(Item::Blank);
    items
}

/// The stopping rule as statements: finish with the first status that applies,
/// else run `otherwise` (start the next sweep). `sync` adds the cycle2 test.
pub(super) fn stop_rule(names: &Names, sync: bool, otherwise: Vec<Stmt>) -> Stmt {
    let limit = Stmt::If {
        cond: Expr::id(&names.last),
        then: finish(names, 1),
        otherwise,
    };
    let after_change = if sync {
        Stmt::If {
            cond: Expr::id(&names.repeat2),
            then: finish(names, 2),
            otherwise: vec![limit],
        }
    } else {
        limit
    };
    Stmt::If {
        cond: Expr::id(&names.changed).logic_not(),
        then: finish(names, 0),
        otherwise: vec![after_change],
    }
}

/// The stopping rule decided a clock ahead: `stopping` and `stop_status` registers,
/// loaded every clock from the tests of `stop_checks`. For an engine whose tests are
/// final one clock before it commits a sweep, so the commit reads two registers
/// instead of the rule's logic. `sync` adds the cycle2 test, as in `stop_rule`.
pub(super) struct RegisteredStop {
    pub stopping: Ident,
    pub status: Ident,
}

impl RegisteredStop {
    pub fn new() -> Self {
        RegisteredStop {
            stopping: Ident::new("stopping"),
            status: Ident::new("stop_status"),
        }
    }

    /// The two registers and the clocked block that loads them.
    pub fn items(&self, names: &Names, sync: bool) -> Vec<Item> {
        let changed = Expr::id(&names.changed);
        let repeat2 = Expr::id(&names.repeat2);
        let (stop, status) = if sync {
            let stop = changed
                .clone()
                .logic_not()
                .binary(BinaryOp::Or, repeat2.clone())
                .binary(BinaryOp::Or, Expr::id(&names.last));
            let code = Expr::Ternary(
                Box::new(repeat2),
                Box::new(Expr::uint(2, 2)),
                Box::new(Expr::uint(2, 1)),
            );
            (stop, code)
        } else {
            let stop = changed
                .clone()
                .logic_not()
                .binary(BinaryOp::Or, Expr::id(&names.last));
            (stop, Expr::uint(2, 1))
        };
        let status = Expr::Ternary(
            Box::new(changed.logic_not()),
            Box::new(Expr::uint(2, 0)),
            Box::new(status),
        );
        vec![
            decl(
                NetKind::Reg,
                Width::Scalar,
                &self.stopping,
                "the stopping rule applies (a clock behind its tests)",
            ),
            decl(
                NetKind::Reg,
                Width::Vector(2),
                &self.status,
                "the status it gives",
            ),
            Item::AlwaysPosedge {
                clock: names.clk.clone(),
                body: vec![set(&self.stopping, stop), set(&self.status, status)],
            },
            Item::Blank,
        ]
    }

    /// At the end of a sweep: finish with the registered status, else `otherwise`.
    pub fn apply(&self, names: &Names, otherwise: Vec<Stmt>) -> Stmt {
        Stmt::If {
            cond: Expr::id(&self.stopping),
            then: vec![
                set(&names.busy, Expr::uint(1, 0)),
                set(&names.done, Expr::uint(1, 1)),
                set(&names.status, Expr::id(&self.status)),
            ],
            otherwise,
        }
    }
}

pub(super) fn handshake_outputs(names: &Names) -> Vec<Item> {
    handshake_outputs_from(names, Expr::id(&names.state))
}

/// `handshake_outputs` with `out_state` driven by `state` (the N state bits).
pub(super) fn handshake_outputs_from(names: &Names, state: Expr) -> Vec<Item> {
    let assign = |lhs: &Ident, rhs: Expr| Item::Assign {
        lhs: Expr::id(lhs),
        rhs,
    };
    vec![
        net(
            NetKind::Reg,
            0,
            &names.idle,
            "!busy && !done, as a register",
        ),
        assign(
            &names.in_ready,
            Expr::id(&names.rst).logic_not().and(Expr::id(&names.idle)),
        ),
        assign(&names.out_valid, Expr::id(&names.done)),
        assign(&names.out_state, state),
        assign(&names.out_sweeps, Expr::id(&names.sweeps)),
        assign(&names.out_status, Expr::id(&names.status)),
        Item::Blank,
    ]
}

/// One sweep: advance the state and the counter, then apply the stopping rule.
fn sweep_step(names: &Names) -> Vec<Stmt> {
    vec![
        set(&names.state, Expr::id(&names.next)),
        set(&names.prev, Expr::id(&names.state)),
        count_sweep(names),
        stop_rule(names, true, vec![]),
    ]
}
