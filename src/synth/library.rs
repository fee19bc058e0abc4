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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verilog::names::LIBRARY_MODULES;

    #[test]
    fn every_library_module_is_a_reserved_name() {
        for lib in [MASKED_SUM, LANE_SUM, WEIGHT_SELECT] {
            assert!(
                LIBRARY_MODULES.contains(&lib.module),
                "{} is not reserved",
                lib.module
            );
            assert!(lib.text.contains(&format!("module {} #(", lib.module)));
        }
        assert!(crate::sim::STREAM_TB.contains("module hop_tb_stream;"));
    }
}
