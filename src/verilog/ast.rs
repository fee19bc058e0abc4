//! The Verilog-2005 subset hopgen emits, as data. Generated modules are built as
//! values of these types and turned into text only by `print`.

/// A legal Verilog identifier (made by `names::legal_identifier` for user input,
/// or a fixed internal name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ident(pub String);

impl Ident {
    /// An internal name chosen by hopgen (never user input).
    pub fn new(name: impl Into<String>) -> Self {
        Ident(name.into())
    }
}

/// A source file: a header comment and modules.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub header: Vec<String>,
    pub modules: Vec<Module>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub name: Ident,
    /// Comment lines printed above the module.
    pub doc: Vec<String>,
    /// `parameter integer NAME = default` entries (most modules have none).
    pub params: Vec<Param>,
    pub ports: Vec<Port>,
    pub items: Vec<Item>,
}

/// A module parameter with its default; instances or simulators may override it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub default: i64,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetKind {
    Wire,
    Reg,
}

/// A net's width: a scalar, or a vector `[n-1:0]` (n ≥ 1, so `[0:0]` stays indexable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Scalar,
    Vector(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    pub dir: Dir,
    pub kind: NetKind,
    pub signed: bool,
    pub width: Width,
    pub name: Ident,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A comment line (or several, one per entry).
    Comment(Vec<String>),
    Blank,
    /// `localparam integer NAME = value;`
    LocalParam {
        name: Ident,
        value: i64,
    },
    /// `wire/reg [signed] [w-1:0] name;`
    Decl {
        kind: NetKind,
        signed: bool,
        width: Width,
        name: Ident,
        comment: Option<String>,
    },
    /// `reg [width-1:0] name [0:depth-1];`
    Memory {
        width: u32,
        depth: usize,
        name: Ident,
        comment: Option<String>,
        /// Printed as `(* no_rw_check *)`: no read of the memory whose value is used
        /// meets a write of the same word in the same cycle, so synthesis need not
        /// build logic for which value such a read returns (yosys).
        no_rw_check: bool,
    },
    /// `initial $readmemh("file", memory);` (file names are hopgen's own, never user input)
    ReadMemH {
        file: String,
        memory: Ident,
    },
    /// `assign lhs = rhs;`
    Assign {
        lhs: Expr,
        rhs: Expr,
    },
    /// `always @(posedge clock) begin … end`
    AlwaysPosedge {
        clock: Ident,
        body: Vec<Stmt>,
    },
    /// `module #(.P(v), …) name (.port(expr), …);`
    Instance {
        module: Ident,
        name: Ident,
        params: Vec<(Ident, Expr)>,
        ports: Vec<(Ident, Expr)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `lhs <= rhs;`
    NonBlocking(Expr, Expr),
    /// `lhs = rhs;`
    Blocking(Expr, Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    LogicNot,
    Neg,
    /// `^x`: XOR of all bits
    ReduceXor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    And,
    Or,
    LogicAnd,
    LogicOr,
    Eq,
    Ne,
    Lt,
    Gt,
    /// Logical shift right.
    Shr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Ident(Ident),
    /// An unsized decimal number (parameter values).
    Num(i64),
    /// A sized decimal literal, e.g. `16'd3` or `-12'sd5` (value may be negative only
    /// when signed).
    Int {
        width: u32,
        signed: bool,
        value: i64,
    },
    /// A sized hexadecimal bit-vector literal; `hex` holds the digits, most significant first.
    Hex {
        width: u32,
        hex: String,
    },
    /// `base[index]`
    Index(Box<Expr>, u32),
    /// `base[expr]`: a bit or memory word chosen at run time.
    Select(Box<Expr>, Box<Expr>),
    /// `base[offset +: width]`
    PartSelect {
        base: Box<Expr>,
        offset: Box<Expr>,
        width: u32,
    },
    /// `{a, b, …}`, most significant first
    Concat(Vec<Expr>),
    /// `{count{e}}`
    Repeat(u32, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `cond ? a : b`
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// Short constructors so builders read like the Verilog they make.
impl Expr {
    pub fn id(name: &Ident) -> Expr {
        Expr::Ident(name.clone())
    }
    pub fn uint(width: u32, value: u64) -> Expr {
        Expr::Int {
            width,
            signed: false,
            value: value as i64,
        }
    }
    pub fn sint(width: u32, value: i64) -> Expr {
        Expr::Int {
            width,
            signed: true,
            value,
        }
    }
    pub fn bit(self, index: u32) -> Expr {
        Expr::Index(Box::new(self), index)
    }
    pub fn select(self, index: Expr) -> Expr {
        Expr::Select(Box::new(self), Box::new(index))
    }
    pub fn part(self, offset: Expr, width: u32) -> Expr {
        Expr::PartSelect {
            base: Box::new(self),
            offset: Box::new(offset),
            width,
        }
    }
    pub fn logic_not(self) -> Expr {
        Expr::Unary(UnaryOp::LogicNot, Box::new(self))
    }
    pub fn binary(self, op: BinaryOp, rhs: Expr) -> Expr {
        Expr::Binary(op, Box::new(self), Box::new(rhs))
    }
    pub fn and(self, rhs: Expr) -> Expr {
        self.binary(BinaryOp::LogicAnd, rhs)
    }
    pub fn eq(self, rhs: Expr) -> Expr {
        self.binary(BinaryOp::Eq, rhs)
    }
}
