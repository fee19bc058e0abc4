//! The one place user-supplied names become Verilog identifiers: anything outside
//! `[A-Za-z0-9_]` becomes `_`, a leading digit gets a prefix, and Verilog-2005 and
//! SystemVerilog keywords (and hopgen's own module names) get a suffix.

/// Longest identifier hopgen emits.
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// Module names of hopgen's own Verilog (hdl/ and sim/), which a user's name must not
/// take (compared without case, for case-insensitive file systems).
pub const LIBRARY_MODULES: &[&str] = &[
    "hop_masked_sum",
    "hop_lane_sum",
    "hop_weight_select",
    "hop_tb_stream",
    "hop_uart_rx",
    "hop_uart_tx",
    "hop_uart_bridge",
    "hop_reset_sync",
    "hop_board",
];

/// Verilog-2005 (IEEE 1364) and SystemVerilog (IEEE 1800-2017) reserved words.
const RESERVED: &[&str] = &[
    "accept_on",
    "alias",
    "always",
    "always_comb",
    "always_ff",
    "always_latch",
    "and",
    "assert",
    "assign",
    "assume",
    "automatic",
    "before",
    "begin",
    "bind",
    "bins",
    "binsof",
    "bit",
    "break",
    "buf",
    "bufif0",
    "bufif1",
    "byte",
    "case",
    "casex",
    "casez",
    "cell",
    "chandle",
    "checker",
    "class",
    "clocking",
    "cmos",
    "config",
    "const",
    "constraint",
    "context",
    "continue",
    "cover",
    "covergroup",
    "coverpoint",
    "cross",
    "deassign",
    "default",
    "defparam",
    "design",
    "disable",
    "dist",
    "do",
    "edge",
    "else",
    "end",
    "endcase",
    "endchecker",
    "endclass",
    "endclocking",
    "endconfig",
    "endfunction",
    "endgenerate",
    "endgroup",
    "endinterface",
    "endmodule",
    "endpackage",
    "endprimitive",
    "endprogram",
    "endproperty",
    "endspecify",
    "endsequence",
    "endtable",
    "endtask",
    "enum",
    "event",
    "eventually",
    "expect",
    "export",
    "extends",
    "extern",
    "final",
    "first_match",
    "for",
    "force",
    "foreach",
    "forever",
    "fork",
    "forkjoin",
    "function",
    "generate",
    "genvar",
    "global",
    "highz0",
    "highz1",
    "if",
    "iff",
    "ifnone",
    "ignore_bins",
    "illegal_bins",
    "implements",
    "implies",
    "import",
    "incdir",
    "include",
    "initial",
    "inout",
    "input",
    "inside",
    "instance",
    "int",
    "integer",
    "interconnect",
    "interface",
    "intersect",
    "join",
    "join_any",
    "join_none",
    "large",
    "let",
    "liblist",
    "library",
    "local",
    "localparam",
    "logic",
    "longint",
    "macromodule",
    "matches",
    "medium",
    "modport",
    "module",
    "nand",
    "negedge",
    "nettype",
    "new",
    "nexttime",
    "nmos",
    "nor",
    "noshowcancelled",
    "not",
    "notif0",
    "notif1",
    "null",
    "or",
    "output",
    "package",
    "packed",
    "parameter",
    "pmos",
    "posedge",
    "primitive",
    "priority",
    "program",
    "property",
    "protected",
    "pull0",
    "pull1",
    "pulldown",
    "pullup",
    "pulsestyle_ondetect",
    "pulsestyle_onevent",
    "pure",
    "rand",
    "randc",
    "randcase",
    "randsequence",
    "rcmos",
    "real",
    "realtime",
    "ref",
    "reg",
    "reject_on",
    "release",
    "repeat",
    "restrict",
    "return",
    "rnmos",
    "rpmos",
    "rtran",
    "rtranif0",
    "rtranif1",
    "s_always",
    "s_eventually",
    "s_nexttime",
    "s_until",
    "s_until_with",
    "scalared",
    "sequence",
    "shortint",
    "shortreal",
    "showcancelled",
    "signed",
    "small",
    "soft",
    "solve",
    "specify",
    "specparam",
    "static",
    "string",
    "strong",
    "strong0",
    "strong1",
    "struct",
    "super",
    "supply0",
    "supply1",
    "sync_accept_on",
    "sync_reject_on",
    "table",
    "tagged",
    "task",
    "this",
    "throughout",
    "time",
    "timeprecision",
    "timeunit",
    "tran",
    "tranif0",
    "tranif1",
    "tri",
    "tri0",
    "tri1",
    "triand",
    "trior",
    "trireg",
    "type",
    "typedef",
    "union",
    "unique",
    "unique0",
    "unsigned",
    "until",
    "until_with",
    "untyped",
    "use",
    "uwire",
    "var",
    "vectored",
    "virtual",
    "void",
    "wait",
    "wait_order",
    "wand",
    "weak",
    "weak0",
    "weak1",
    "while",
    "wildcard",
    "wire",
    "with",
    "within",
    "wor",
    "xnor",
    "xor",
];

/// Turns any string into a legal, non-reserved Verilog identifier; the same input
/// always gives the same output, and legal non-reserved names pass unchanged.
pub fn legal_identifier(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() {
        id = "hopfield".into();
    }
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "n_");
    }
    id.truncate(MAX_IDENTIFIER_LEN - 4);
    if is_taken(&id) {
        id.push_str("_net");
    }
    id
}

fn is_taken(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    RESERVED.contains(&lower.as_str()) || LIBRARY_MODULES.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_pass_unchanged() {
        assert_eq!(legal_identifier("digits"), "digits");
        assert_eq!(legal_identifier("Net_2"), "Net_2");
    }

    #[test]
    fn illegal_characters_and_leading_digits() {
        assert_eq!(legal_identifier("my net-v2.0"), "my_net_v2_0");
        assert_eq!(legal_identifier("2x2"), "n_2x2");
        assert_eq!(legal_identifier(""), "hopfield");
        assert_eq!(legal_identifier("ünï"), "_n_");
        assert_eq!(legal_identifier("a\"; $finish; //"), "a____finish____");
        assert_eq!(legal_identifier("$display"), "_display");
    }

    #[test]
    fn keywords_and_library_names_get_a_suffix() {
        assert_eq!(legal_identifier("module"), "module_net");
        assert_eq!(legal_identifier("logic"), "logic_net");
        assert_eq!(legal_identifier("WIRE"), "WIRE_net");
        assert_eq!(legal_identifier("hop_masked_sum"), "hop_masked_sum_net");
        assert_eq!(legal_identifier("hop_lane_sum"), "hop_lane_sum_net");
        assert_eq!(
            legal_identifier("HOP_Weight_Select"),
            "HOP_Weight_Select_net"
        );
    }

    #[test]
    fn long_names_are_cut() {
        let long = "x".repeat(200);
        assert_eq!(legal_identifier(&long).len(), MAX_IDENTIFIER_LEN - 4);
    }
}
