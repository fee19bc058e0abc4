//! Writing a generated output directory atomically: everything goes to a temporary
//! sibling first and is renamed into place, so a failure never leaves a half-written
//! directory; a directory hopgen did not make is never replaced without `--force`.

use super::manifest::{MANIFEST_FILE, MANIFEST_FORMAT};
use crate::error::{Error, InputError, InputErrorKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The files of an output directory: relative path → contents, in a stable order.
pub type OutputFiles = BTreeMap<String, Vec<u8>>;

/// True when `dir` holds a manifest that hopgen wrote.
fn made_by_hopgen(dir: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Tag {
        format: String,
    }
    std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<Tag>(&text).ok())
        .is_some_and(|tag| tag.format == MANIFEST_FORMAT)
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `files` as the directory `dir`, replacing a previous hopgen output.
pub fn write_output_dir(dir: &Path, files: &OutputFiles, force: bool) -> Result<(), Error> {
    let tmp = stage_output_dir(dir, files, force)?;
    commit_output_dir(&tmp, dir)
}

/// Checks that `dir` may be replaced and writes `files` into a temporary sibling,
/// which the caller may add to before `commit_output_dir` renames it into place.
pub fn stage_output_dir(dir: &Path, files: &OutputFiles, force: bool) -> Result<PathBuf, Error> {
    if dir.exists() && !force && !made_by_hopgen(dir) && !is_empty_dir(dir) {
        return Err(InputError::new(
            InputErrorKind::Option,
            format!("{} exists and was not written by hopgen", dir.display()),
            "choose another -o directory, or pass --force to replace it",
        )
        .into());
    }
    let fail = |path: &Path, source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
    }
    remove_stale_siblings(dir);
    let tmp = sibling(dir, "tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    let written = write_all(&tmp, files);
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(fail(&tmp, e));
    }
    Ok(tmp)
}

/// Replaces `dir` by the staged directory `tmp` (two renames; the old one is removed).
pub fn commit_output_dir(tmp: &Path, dir: &Path) -> Result<(), Error> {
    let fail = |path: &Path, source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let old = sibling(dir, "old");
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| fail(dir, e))?;
    }
    if let Err(e) = std::fs::rename(tmp, dir) {
        let _ = std::fs::rename(&old, dir);
        let _ = std::fs::remove_dir_all(tmp);
        return Err(fail(dir, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Removes temporary siblings of `dir` left by runs that were killed (their process
/// is gone: Linux keeps /proc/<pid> for live processes).
fn remove_stale_siblings(dir: &Path) {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn write_all(root: &Path, files: &OutputFiles) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    for (name, contents) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(manifest: &str) -> OutputFiles {
        let mut f = OutputFiles::new();
        f.insert(MANIFEST_FILE.into(), manifest.as_bytes().to_vec());
        f.insert("core.v".into(), b"module core; endmodule\n".to_vec());
        f
    }

    #[test]
    fn replaces_its_own_output_but_not_foreign_directories() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("rtl");
        let ours = files(r#"{"format": "hopgen-manifest/1"}"#);
        write_output_dir(&out, &ours, false).unwrap();
        write_output_dir(&out, &ours, false).unwrap();
        assert!(out.join("core.v").exists());

        let foreign = root.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        let err = write_output_dir(&foreign, &ours, false).unwrap_err();
        assert!(
            err.to_string()
                .contains("exists and was not written by hopgen"),
            "{err}"
        );
        assert!(foreign.join("notes.txt").exists());
        write_output_dir(&foreign, &ours, true).unwrap();
        assert!(!foreign.join("notes.txt").exists());
        // A killed run's temporary sibling is cleaned up by the next run.
        let stale = root.path().join(".rtl.tmp-4000000000");
        std::fs::create_dir(&stale).unwrap();
        write_output_dir(&out, &ours, false).unwrap();
        assert!(!stale.exists());
        // No temporary or backup siblings are left behind.
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
