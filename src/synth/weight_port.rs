//! The weight write port of a folded core whose weights are written at run time
//! (`--load-weights`, or a UP5K's SPRAM, which has no initial contents): three inputs,
//! one address shared by reads and writes (a single-port memory, as SPRAM is), and the
//! weight read that is never enabled during a write (docs/CORE.md).

use super::control::{self, set};
use crate::verilog::*;

/// The weight memory of one folded core: its name, the register its synchronous read
/// goes into, the engine's read address, and the widths.
pub struct WeightMemory<'a> {
    pub memory: &'a Ident,
    pub data: &'a Ident,
    pub read_addr: Expr,
    pub addr_bits: u32,
    pub word_bits: u32,
    /// What a word holds, for the port's comment ("row i*C + c", say).
    pub word_doc: &'a str,
}

/// The names of the write port.
pub struct WritePort {
    en: Ident,
    addr: Ident,
    data: Ident,
    /// The memory's one address: the write address while writing, else the engine's.
    maddr: Ident,
}

impl Default for WritePort {
    fn default() -> Self {
        Self::new()
    }
}

impl WritePort {
    pub fn new() -> Self {
        WritePort {
            en: Ident::new("wr_en"),
            addr: Ident::new("wr_addr"),
            data: Ident::new("wr_data"),
            maddr: Ident::new("maddr"),
        }
    }

    /// The port's three inputs (docs/CORE.md, "Weights written at run time").
    pub fn ports(&self, mem: &WeightMemory) -> Vec<Port> {
        let input = |width, name, comment| control::port(Dir::Input, width, name, comment);
        vec![
            input(
                Width::Scalar,
                &self.en,
                "write wr_data to weight word wr_addr (only while idle)",
            ),
            input(Width::Vector(mem.addr_bits), &self.addr, mem.word_doc),
            input(
                Width::Vector(mem.word_bits),
                &self.data,
                "L lanes of W bits",
            ),
        ]
    }

    /// The shared address and the write.
    pub fn items(&self, clk: &Ident, mem: &WeightMemory) -> Vec<Item> {
        let mut items = self.address(mem);
        items.extend([
            Item::AlwaysPosedge {
                clock: clk.clone(),
                body: vec![Stmt::If {
                    cond: Expr::id(&self.en),
                    then: vec![Stmt::NonBlocking(
                        Expr::id(mem.memory).select(Expr::id(&self.maddr)),
                        Expr::id(&self.data),
                    )],
                    otherwise: vec![],
                }],
            },
            Item::Blank,
        ]);
        items
    }

    /// The memory's one address: the write address while writing, else the engine's.
    pub fn address(&self, mem: &WeightMemory) -> Vec<Item> {
        vec![
            control::net(
                NetKind::Wire,
                mem.addr_bits,
                &self.maddr,
                "the weight memory's one address",
            ),
            Item::Assign {
                lhs: Expr::id(&self.maddr),
                rhs: Expr::Ternary(
                    Box::new(Expr::id(&self.en)),
                    Box::new(Expr::id(&self.addr)),
                    Box::new(mem.read_addr.clone()),
                ),
            },
        ]
    }

    /// `wr_en`: a write this cycle.
    pub fn enable(&self) -> &Ident {
        &self.en
    }

    /// The shared address (`maddr`).
    pub fn shared_address(&self) -> &Ident {
        &self.maddr
    }

    /// The data written (`wr_data`).
    pub fn data(&self) -> &Ident {
        &self.data
    }

    /// The engine's synchronous weight read, through the shared address and never
    /// during a write (SPRAM keeps its output then).
    pub fn read(&self, mem: &WeightMemory) -> Stmt {
        Stmt::If {
            cond: Expr::id(&self.en).logic_not(),
            then: vec![set(
                mem.data,
                Expr::id(mem.memory).select(Expr::id(&self.maddr)),
            )],
            otherwise: vec![],
        }
    }
}

/// The engine's weight read: straight from its address, or through the port.
pub fn weight_read(load: bool, mem: &WeightMemory) -> Stmt {
    if load {
        WritePort::new().read(mem)
    } else {
        set(mem.data, Expr::id(mem.memory).select(mem.read_addr.clone()))
    }
}
