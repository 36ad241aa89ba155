//! Output files are never seen half-written (DESIGN §8): each is written to a temp file in
//! its output directory, fsynced, verified by the caller, then renamed over the final name.
//!
//! ```text
//! <dir>/.fuse-<pid>-<random><suffix>   while writing (recognisable, hidden)
//! <dir>/<name>                         after the atomic rename
//! ```
//! A process killed mid-write (SIGKILL runs no destructor) leaves its temp file behind;
//! the next run that writes into the same directory removes temp files whose process no
//! longer exists ([`temp_in`] sweeps first), so they never pile up. Temp files of a fuse
//! still running (its pid is alive) are left alone.

use std::path::Path;

/// Every temp file fuse creates starts with this.
pub const TEMP_PREFIX: &str = ".fuse-";

/// A new temp file in `dir` named `.fuse-<pid>-<random><suffix>`, after removing the stale
/// temp files of dead fuse processes from `dir`.
pub fn temp_in(dir: &Path, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    sweep_stale(dir);
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(suffix)
        .tempfile_in(dir)
}

/// A new temp folder in `dir` named `.fuse-<pid>-<random>` (work trees, e.g. an unzipped
/// IPA), after the same sweep: a killed run's folder is removed by the next run.
pub fn temp_dir_in(dir: &Path) -> std::io::Result<tempfile::TempDir> {
    sweep_stale(dir);
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .tempdir_in(dir)
}

/// Removes `.fuse-<pid>-*` files and folders in `dir` whose process is gone. Best effort: a file that
/// cannot be removed (permissions, a race with another sweep) is left for the next run.
pub fn sweep_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            // file_type does not follow symlinks: a link is neither and is left alone.
            match entry.file_type() {
                Ok(t) if t.is_file() => {
                    let _ = std::fs::remove_file(entry.path());
                }
                Ok(t) if t.is_dir() => {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
                _ => {}
            }
        }
    }
}

/// The pid in a `.fuse-<pid>-…` name (names without a pid, as older versions wrote, are
/// not fuse's to judge and are kept).
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    let (pid, _) = rest.split_once('-')?;
    pid.parse().ok()
}

/// Whether a process with this pid exists (Linux `/proc`; elsewhere assume it does, so
/// nothing is removed that might be in use).
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_pid_and_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let t = temp_in(dir.path(), ".apk.tmp").unwrap();
        let name = t.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with(&format!(".fuse-{}-", std::process::id())),
            "{name}"
        );
        assert!(name.ends_with(".apk.tmp"));
        assert_eq!(owner_pid(&name), Some(std::process::id()));
    }

    #[test]
    fn sweep_removes_only_dead_owners() {
        let dir = tempfile::tempdir().unwrap();
        // pid 0 never names a user process; u32::MAX - 1 is above any pid_max.
        let dead = dir
            .path()
            .join(format!(".fuse-{}-abc.apk.tmp", u32::MAX - 1));
        let mine = dir
            .path()
            .join(format!(".fuse-{}-abc.apk.tmp", std::process::id()));
        let foreign = dir.path().join(".fuse-report-xyz.tmp");
        let other = dir.path().join("app.apk");
        for p in [&dead, &mine, &foreign, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        let dead_dir = dir.path().join(format!(".fuse-{}-tree", u32::MAX - 1));
        std::fs::create_dir_all(dead_dir.join("Payload")).unwrap();
        std::fs::write(dead_dir.join("Payload/x"), b"x").unwrap();
        sweep_stale(dir.path());
        assert!(!dead.exists());
        assert!(!dead_dir.exists());
        assert!(mine.exists() && foreign.exists() && other.exists());
    }
}
