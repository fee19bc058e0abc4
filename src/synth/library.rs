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

/// `hop_uart_rx`: 8N1 UART receiver (board tops).
pub const UART_RX: LibraryFile = LibraryFile {
    file: "hop_uart_rx.v",
    module: "hop_uart_rx",
    text: include_str!("../../hdl/hop_uart_rx.v"),
};

/// `hop_uart_tx`: 8N1 UART transmitter (board tops).
pub const UART_TX: LibraryFile = LibraryFile {
    file: "hop_uart_tx.v",
    module: "hop_uart_tx",
    text: include_str!("../../hdl/hop_uart_tx.v"),
};

/// `hop_uart_bridge`: the framed protocol of docs/PROTOCOL.md in front of a core.
pub const UART_BRIDGE: LibraryFile = LibraryFile {
    file: "hop_uart_bridge.v",
    module: "hop_uart_bridge",
    text: include_str!("../../hdl/hop_uart_bridge.v"),
};

/// `hop_reset_sync`: power-on and button reset for board tops.
pub const RESET_SYNC: LibraryFile = LibraryFile {
    file: "hop_reset_sync.v",
    module: "hop_reset_sync",
    text: include_str!("../../hdl/hop_reset_sync.v"),
};

/// The library modules every board top uses.
pub const BOARD_LIBRARY: [LibraryFile; 4] = [RESET_SYNC, UART_RX, UART_TX, UART_BRIDGE];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verilog::names::LIBRARY_MODULES;

    #[test]
    fn every_library_module_is_a_reserved_name() {
        for lib in [MASKED_SUM, LANE_SUM, WEIGHT_SELECT]
            .iter()
            .chain(&BOARD_LIBRARY)
        {
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
