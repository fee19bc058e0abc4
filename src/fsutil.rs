//! Output files written atomically: to a temporary sibling first, then renamed, so a
//! failed run never leaves a half-written file behind.

use crate::error::Error;
use std::path::Path;

pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let fail = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| fail(std::io::Error::other("the output path names no file")))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}
