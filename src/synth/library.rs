//! hopgen's hand-written Verilog library (`hdl/`), compiled into the binary and
//! copied into every output directory that uses it.

/// `hop_masked_sum`: Σ_{j: s_j = 1} w_j over constant weights, as a balanced adder tree.
pub const MASKED_SUM: LibraryFile = LibraryFile {
    file: "hop_masked_sum.v",
    module: "hop_masked_sum",
    text: include_str!("../../hdl/hop_masked_sum.v"),
};

#[derive(Debug, Clone, Copy)]
pub struct LibraryFile {
    pub file: &'static str,
    pub module: &'static str,
    pub text: &'static str,
}

/// `hop_lane_sum`: Σ_{l: s_l = 1} w_l over L weights read from memory, as a balanced tree.
pub const LANE_SUM: LibraryFile = LibraryFile {
    file: "hop_lane_sum.v",
    module: "hop_lane_sum",
    text: include_str!("../../hdl/hop_lane_sum.v"),
};

/// `hop_weight_select`: one of N constant weights chosen at run time.
pub const WEIGHT_SELECT: LibraryFile = LibraryFile {
    file: "hop_weight_select.v",
    module: "hop_weight_select",
    text: include_str!("../../hdl/hop_weight_select.v"),
};
