//! Helpers shared by the integration tests that run external tools.

use hopgen::tools::Tool;

/// True when every tool can be started. In CI (CI set) a missing tool fails the test;
/// elsewhere the test skips with a printed reason.
pub fn tools_present(tools: &[Tool]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|t| !t.available())
        .map(|t| t.name)
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "required tools missing in CI: {missing:?} (scripts/install-deps.sh installs them)"
    );
    eprintln!("skipping: {missing:?} not installed (run scripts/install-deps.sh)");
    false
}
