//! A banked weight memory (docs/ARCHITECTURES.md, "Banked weight memory"): a folded
//! core's weight memory split into banks of B words, each small enough to be one column
//! of block RAMs with no multiplexer of its own. Each bank's synchronous read is
//! registered once more right behind its block RAM, and a registered tree of 4:1
//! multiplexers then picks the bank. So the block RAM's slow clock-to-out (5.6 ns on an
//! ECP5 DP16KD) and the long routes from block RAMs spread over the die fall in
//! separate cycles. It costs 4 + ⌈log4 banks⌉ cycles of read latency, and is plain
//! Verilog: the bank size is a target's choice (`--bank-words`), not a primitive.

use super::bits_for;
use super::control::{self, set};
use super::weight_port::{self, WeightMemory, WritePort};
use crate::verilog::*;

/// Inputs of one multiplexer of the bank tree, and the select bits it uses.
pub const FAN_IN: usize = 4;
const SELECT_BITS: u32 = FAN_IN.trailing_zeros();

/// Registers behind each bank's read: the first should sit at the block RAM, whose
/// 5.6 ns clock-to-out leaves little for a route, the others carry the word toward the
/// multiplexers. nextpnr does not always place them so (ECP5-85F N = 1024: one
/// register 78.5 MHz; two 91.1–104.8 MHz over seeds 1–3; four 80.8–114.1 MHz;
/// docs/ARCHITECTURES.md).
pub const BANK_REGISTERS: u32 = 4;

/// How a weight memory of `words` words is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Banking {
    /// Words per bank, a power of two.
    pub bank_words: usize,
    pub banks: usize,
    pub words: usize,
}

impl Banking {
    /// Banks of `bank_words` words (a power of two) for `words` words; None when one
    /// bank holds them all (a plain memory has nothing to multiplex).
    pub fn of(words: usize, bank_words: usize) -> Option<Banking> {
        debug_assert!(bank_words.is_power_of_two());
        (words > bank_words).then(|| Banking {
            bank_words,
            banks: words.div_ceil(bank_words),
            words,
        })
    }

    /// Registered multiplexer levels after the banks' own registers.
    pub fn levels(&self) -> u32 {
        let (mut left, mut levels) = (self.banks, 0);
        while left > 1 {
            left = left.div_ceil(FAN_IN);
            levels += 1;
        }
        levels
    }

    /// Cycles a read takes beyond a plain memory's one: the bank registers and the
    /// multiplexer levels.
    pub fn latency(&self) -> u64 {
        u64::from(BANK_REGISTERS + self.levels())
    }

    /// Address bits inside a bank.
    fn low_bits(&self) -> u32 {
        self.bank_words.trailing_zeros()
    }

    /// Bits of the bank number.
    fn bank_bits(&self) -> u32 {
        bits_for(self.banks - 1)
    }

    /// Words of bank `k` (the last one may be short).
    fn depth(&self, k: usize) -> usize {
        self.bank_words.min(self.words - k * self.bank_words)
    }

    /// The initial contents of bank `k`, `weights.b<k>.mem`, from the whole memory's
    /// file name `weights.mem`.
    pub fn file(&self, whole: &str, k: usize) -> String {
        let digits = (self.banks - 1).to_string().len();
        let stem = whole.strip_suffix(".mem").unwrap_or(whole);
        format!("{stem}.b{k:0digits$}.mem")
    }

    /// Every bank's file and contents, cut from the whole memory's (one word a line).
    pub fn files(&self, whole: &str, text: &str) -> Vec<(String, String)> {
        let lines: Vec<&str> = text.lines().collect();
        lines
            .chunks(self.bank_words)
            .enumerate()
            .map(|(k, words)| (self.file(whole, k), words.join("\n") + "\n"))
            .collect()
    }
}

/// The clocked blocks a folded core's weight memory has outside the engine's block:
/// with `banking`, the banks' reads, registers and (`load`) run-time write; else the
/// write port's block when the weights are written at run time (`load`), or none.
pub fn memory_blocks(
    mem: &WeightMemory,
    banking: Option<Banking>,
    load: bool,
    file: &str,
    clk: &Ident,
) -> Vec<Item> {
    match banking {
        Some(banking) => BankedMemory::new(mem, banking, load, file).clocked_items(clk),
        None if load => WritePort::new().items(clk, mem),
        None => vec![],
    }
}

/// The engine's read of its weight memory, in the engine's block: none with banks
/// (they read in a block of their own, `memory_blocks`).
pub fn engine_read(mem: &WeightMemory, banking: Option<Banking>, load: bool) -> Vec<Stmt> {
    match banking {
        Some(_) => vec![],
        None => vec![weight_port::weight_read(load, mem)],
    }
}

/// The registers and memories of a banked weight memory, named after the memory.
pub struct BankedMemory<'a> {
    mem: &'a WeightMemory<'a>,
    banking: Banking,
    /// Written at run time through `WritePort` (no initial contents).
    port: Option<WritePort>,
    /// The whole memory's file (`weights.mem`); banks read their own cuts of it.
    file: &'a str,
}

impl<'a> BankedMemory<'a> {
    /// The banks of `mem`; `load`: written at run time through the core's write
    /// port, with no initial contents, else each bank reads its cut of `file`.
    pub fn new(mem: &'a WeightMemory<'a>, banking: Banking, load: bool, file: &'a str) -> Self {
        BankedMemory {
            mem,
            banking,
            port: load.then(WritePort::new),
            file,
        }
    }

    fn name(&self, what: &str, k: usize) -> Ident {
        Ident::new(format!("{}_{what}{k}", self.mem.memory.0))
    }

    fn bank(&self, k: usize) -> Ident {
        self.name("b", k)
    }

    fn read(&self, k: usize) -> Ident {
        self.name("rd", k)
    }

    /// Bank register `stage` (1…BANK_REGISTERS) of bank `k`.
    fn held(&self, stage: u32, k: usize) -> Ident {
        self.name(&format!("q{stage}_"), k)
    }

    /// The data of pipeline stage `stage` at position `i`: the bank reads (stage 0),
    /// the bank registers, then the multiplexer levels.
    fn stage_data(&self, stage: u32, i: usize) -> Ident {
        match stage {
            0 => self.read(i),
            s if s <= BANK_REGISTERS => self.held(s, i),
            s => self.mux(s - BANK_REGISTERS, i),
        }
    }

    /// Multiplexer `g` of level `level` (1-based); the last level is the memory's data.
    fn mux(&self, level: u32, g: usize) -> Ident {
        if level == self.banking.levels() {
            self.mem.data.clone()
        } else {
            self.name(&format!("m{level}_"), g)
        }
    }

    /// The bank number of the word in pipeline stage `stage` (`stage_data`); each
    /// level uses the low bits of its inputs' `sel` and passes the rest on.
    fn select(&self, stage: u32) -> Ident {
        self.name("sel", stage as usize)
    }

    /// Bits of `sel<stage>`: the bank number's bits not yet used.
    fn select_bits(&self, stage: u32) -> u32 {
        self.banking.bank_bits() - SELECT_BITS * stage.saturating_sub(BANK_REGISTERS)
    }

    /// Pipeline stages that carry a bank number: all but the last level's output.
    fn selected_stages(&self) -> std::ops::Range<u32> {
        0..BANK_REGISTERS + self.banking.levels()
    }

    /// Outputs of a level: ⌈inputs / FAN_IN⌉.
    fn width_of_level(&self, level: u32) -> usize {
        (0..level).fold(self.banking.banks, |m, _| m.div_ceil(FAN_IN))
    }

    /// The address the banks read: the shared one when a write port has it.
    fn address(&self) -> Expr {
        match &self.port {
            Some(port) => Expr::id(port.shared_address()),
            None => self.mem.read_addr.clone(),
        }
    }

    /// Declarations: the banks with their contents, the bank registers, the
    /// multiplexer registers and the bank-number pipeline (the memory's data register
    /// is the caller's).
    pub fn items(&self) -> Vec<Item> {
        let b = &self.banking;
        let word = self.mem.word_bits;
        let mut items = vec![Item::Comment(vec![format!(
            "Weights in {} banks of {} words: bank read, {} bank registers, {} levels of 4:1 multiplexers.",
            b.banks,
            b.bank_words,
            BANK_REGISTERS,
            b.levels()
        )])];
        for k in 0..b.banks {
            items.push(Item::Memory {
                width: word,
                depth: b.depth(k),
                name: self.bank(k),
                comment: (k == 0).then(|| format!("words {}*k + a", b.bank_words)),
                no_rw_check: false,
            });
            if self.port.is_none() {
                items.push(Item::ReadMemH {
                    file: b.file(self.file, k),
                    memory: self.bank(k),
                });
            }
        }
        for k in 0..b.banks {
            items.push(reg(word, &self.read(k), (k == 0).then_some("bank read")));
            for stage in 1..=BANK_REGISTERS {
                let comment = (k == 0).then_some("bank register");
                items.push(reg(word, &self.held(stage, k), comment));
            }
        }
        for level in 1..b.levels() {
            for g in 0..self.width_of_level(level) {
                items.push(reg(word, &self.mux(level, g), None));
            }
        }
        for stage in self.selected_stages() {
            items.push(reg(self.select_bits(stage), &self.select(stage), None));
        }
        items
    }

    /// The clocked blocks: the reads and their registers every clock, with no enable
    /// (the engine's pipeline moves every clock while it works, and nothing reads the
    /// banks' data otherwise; an enable would be one net to every block RAM and
    /// register of the banks), and the run-time write when there is a port.
    pub fn clocked_items(&self, clk: &Ident) -> Vec<Item> {
        let mut items = self.write_items(clk);
        items.push(Item::AlwaysPosedge {
            clock: clk.clone(),
            body: self.reads(),
        });
        items.push(Item::Blank);
        items
    }

    /// The run-time write: bank `maddr >> log2 B` at word `maddr mod B`.
    fn write_items(&self, clk: &Ident) -> Vec<Item> {
        let Some(port) = &self.port else {
            return vec![];
        };
        let writes = (0..self.banking.banks)
            .map(|k| Stmt::If {
                cond: Expr::id(port.enable()).and(
                    self.bank_of(Expr::id(port.shared_address()))
                        .eq(Expr::uint(self.banking.bank_bits(), k as u64)),
                ),
                then: vec![Stmt::NonBlocking(
                    Expr::id(&self.bank(k))
                        .select(self.word_of(Expr::id(port.shared_address()), k)),
                    Expr::id(port.data()),
                )],
                otherwise: vec![],
            })
            .collect();
        let mut items = port.address(self.mem);
        items.push(Item::AlwaysPosedge {
            clock: clk.clone(),
            body: writes,
        });
        items.push(Item::Blank);
        items
    }

    /// The bank number of an address (its bits above the word; any higher bits are
    /// zero, as the memory has fewer words than the address allows).
    fn bank_of(&self, addr: Expr) -> Expr {
        let b = &self.banking;
        addr.part(Expr::Num(i64::from(b.low_bits())), b.bank_bits())
    }

    /// The word inside bank `k` (a short last bank needs fewer bits).
    fn word_of(&self, addr: Expr, k: usize) -> Expr {
        addr.part(Expr::Num(0), bits_for(self.banking.depth(k) - 1))
    }

    /// What happens every clock: the bank reads (never during a write), the bank
    /// registers, each multiplexer level and the bank-number pipeline.
    fn reads(&self) -> Vec<Stmt> {
        let b = &self.banking;
        let addr = self.address();
        let mut reads: Vec<Stmt> = (0..b.banks)
            .map(|k| {
                set(
                    &self.read(k),
                    Expr::id(&self.bank(k)).select(self.word_of(addr.clone(), k)),
                )
            })
            .collect();
        reads.push(set(&self.select(0), self.bank_of(addr)));
        let mut stmts = match &self.port {
            Some(port) => vec![Stmt::If {
                cond: Expr::id(port.enable()).logic_not(),
                then: reads,
                otherwise: vec![],
            }],
            None => reads,
        };
        for stage in 1..=BANK_REGISTERS {
            stmts.extend((0..b.banks).map(|k| {
                set(
                    &self.held(stage, k),
                    Expr::id(&self.stage_data(stage - 1, k)),
                )
            }));
        }
        for stage in self.selected_stages().skip(1) {
            let above = Expr::id(&self.select(stage - 1));
            let passed = if stage <= BANK_REGISTERS {
                above
            } else {
                let bits = self.select_bits(stage - 1);
                above.part(Expr::Num(i64::from(SELECT_BITS)), bits - SELECT_BITS)
            };
            stmts.push(set(&self.select(stage), passed));
        }
        for level in 1..=b.levels() {
            stmts.extend(self.level(level));
        }
        stmts
    }

    /// Level `level`: multiplexer g picks input g·4 + sel[1:0] of the stage below
    /// (the last bank registers for level 1).
    fn level(&self, level: u32) -> Vec<Stmt> {
        let below = BANK_REGISTERS + level - 1;
        let inputs: Vec<Ident> = (0..self.width_of_level(level - 1))
            .map(|i| self.stage_data(below, i))
            .collect();
        let bits = SELECT_BITS.min(self.select_bits(below));
        let sel = Expr::id(&self.select(below));
        inputs
            .chunks(FAN_IN)
            .enumerate()
            .map(|(g, group)| set(&self.mux(level, g), pick(group, &sel, 0, bits)))
            .collect()
    }
}

/// `group[sel[low +: bits]]` as a tree of ternaries; a short group repeats its last
/// input for the numbers it lacks (they never occur).
fn pick(group: &[Ident], sel: &Expr, low: u32, bits: u32) -> Expr {
    if group.len() == 1 || bits == 0 {
        return Expr::id(&group[0]);
    }
    let half = 1usize << (bits - 1);
    let (lo, hi) = group.split_at(half.min(group.len()));
    let lo_pick = pick(lo, sel, low, bits - 1);
    if hi.is_empty() {
        return lo_pick;
    }
    Expr::Ternary(
        Box::new(sel.clone().bit(low + bits - 1)),
        Box::new(pick(hi, sel, low, bits - 1)),
        Box::new(lo_pick),
    )
}

fn reg(width: u32, name: &Ident, comment: Option<&str>) -> Item {
    control::net(NetKind::Reg, width, name, comment.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banks_levels_and_latency() {
        assert_eq!(Banking::of(1024, 1024), None, "one bank: a plain memory");
        let b = Banking::of(65536, 1024).unwrap();
        let r = u64::from(BANK_REGISTERS);
        assert_eq!((b.banks, b.levels(), b.latency()), (64, 3, r + 3));
        let b = Banking::of(200, 16).unwrap();
        assert_eq!((b.banks, b.levels(), b.latency()), (13, 2, r + 2));
        assert_eq!(b.depth(12), 8, "the last bank is short");
        let b = Banking::of(1025, 1024).unwrap();
        assert_eq!((b.banks, b.levels(), b.latency()), (2, 1, r + 1));
    }

    #[test]
    fn bank_files_cut_the_whole_file() {
        let b = Banking::of(5, 2).unwrap();
        let files = b.files("weights.mem", "a\nb\nc\nd\ne\n");
        assert_eq!(
            files,
            vec![
                ("weights.b0.mem".to_string(), "a\nb\n".to_string()),
                ("weights.b1.mem".to_string(), "c\nd\n".to_string()),
                ("weights.b2.mem".to_string(), "e\n".to_string()),
            ]
        );
        assert_eq!(
            Banking::of(200, 16).unwrap().file("weights.mem", 3),
            "weights.b03.mem"
        );
    }
}
