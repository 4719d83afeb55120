//! Where the command line writes its results, and what a failed write means.
//!
//! A file output (`--jobs`, `--plot`, `sweep --out`) is written to a temporary file beside
//! it (`.NAME.PID.N.tmp` in the same folder) and renamed into place only when the whole
//! command succeeded: a run that fails (bad input, a full disk) leaves no empty or half
//! file, and an existing file keeps its old content. A target that exists and is not a
//! regular file (`/dev/stdout`, `/dev/full`, a named pipe) is written directly, never
//! replaced. `-` means standard output.
//!
//! A failed write is [`EXIT_OUTPUT`] (1) with a message naming the file (or "standard
//! output") and the operating system's reason. One exception: when standard output is a
//! pipe whose reader has gone (`batchsim run x --format json | head -c 10`), the command
//! stops quietly with exit 0, as `| head` users expect: the reader took what it wanted.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Exit code for an output that could not be written.
pub const EXIT_OUTPUT: i32 = 1;

/// Where one output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Standard output (`-`).
    Stdout,
    /// A file, given by the flag that named it.
    File {
        /// The flag (`--jobs`), for messages.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
    },
}

impl Target {
    /// The target of `flag PATH`: `-` is standard output.
    pub fn of(flag: &'static str, path: &Path) -> Target {
        if path.as_os_str() == "-" {
            Target::Stdout
        } else {
            Target::File {
                flag,
                path: path.to_owned(),
            }
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Stdout => write!(f, "standard output"),
            Target::File { flag, path } => write!(f, "{flag} {}", path.display()),
        }
    }
}

/// A write that failed: which output, and the operating system's reason.
#[derive(Debug, thiserror::Error)]
#[error("{target}: cannot write: {source}")]
pub struct OutputError {
    /// The output.
    pub target: Target,
    /// The reason.
    pub source: io::Error,
}

impl OutputError {
    /// A closed pipe on standard output: the command ends quietly (exit 0).
    pub fn is_quiet(&self) -> bool {
        self.target == Target::Stdout && self.source.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Writes `bytes` to standard output and flushes.
pub fn to_stdout(bytes: &[u8]) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|source| OutputError {
            target: Target::Stdout,
            source,
        })
}

/// A file output being written: the temporary file until [`Pending::commit`]; dropped
/// without committing, it removes the temporary file.
#[derive(Debug)]
pub struct Pending {
    target: Target,
    /// Where the content finally goes.
    path: PathBuf,
    /// The temporary file, `None` when the target is written directly.
    temp: Option<PathBuf>,
    file: Option<File>,
}

/// Tells temporary files of one process apart.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// How many taken temporary names [`Pending::create`] passes over before it gives up.
const MAX_TEMP_TRIES: u32 = 1000;

impl Pending {
    /// Opens the temporary file for `flag PATH` (before a long run, so a bad folder is
    /// found at once).
    pub fn create(flag: &'static str, path: &Path) -> Result<Pending, OutputError> {
        let target = Target::File {
            flag,
            path: path.to_owned(),
        };
        let fail = |source| OutputError {
            target: target.clone(),
            source,
        };
        // Through a symbolic link, the file it points to is the one replaced.
        let mut path = path.to_owned();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            path = std::fs::canonicalize(&path).map_err(fail)?;
        }
        let existing = std::fs::metadata(&path).ok();
        let names_a_folder = path.as_os_str().as_encoded_bytes().ends_with(b"/") || path.file_name().is_none();
        if existing.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(fail(io::Error::new(io::ErrorKind::IsADirectory, "is a directory")));
        }
        if names_a_folder {
            return Err(fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                "names a directory, not a file",
            )));
        }
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            // A device or a pipe: write into it, never replace it.
            let file = OpenOptions::new().write(true).open(&path).map_err(fail)?;
            return Ok(Pending {
                target,
                path,
                temp: None,
                file: Some(file),
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A name already taken (left by a run that was killed, whose process id came round
        // again) is passed over for the next: a stale file must not stop a write.
        let mut tries = 0;
        let (temp, file) = loop {
            let temp = path.with_file_name(format!(
                ".{name}.{}.{}.tmp",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => break (temp, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < MAX_TEMP_TRIES => tries += 1,
                Err(e) => return Err(fail(e)),
            }
        };
        // Keep the permissions of the file being replaced.
        if let Some(m) = existing {
            let _ = file.set_permissions(m.permissions());
        }
        Ok(Pending {
            target,
            path,
            temp: Some(temp),
            file: Some(file),
        })
    }

    /// The output this writes.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A second handle on the file, for content written while the run goes on (the job
    /// table row by row); [`Pending::commit`] still puts it in place.
    pub fn stream(&self) -> Result<File, OutputError> {
        let fail = |source| OutputError {
            target: self.target.clone(),
            source,
        };
        match self.file.as_ref() {
            Some(file) => file.try_clone().map_err(fail),
            None => Err(fail(io::Error::other("written twice"))),
        }
    }

    /// Writes the whole content (once), flushed to the file.
    pub fn write(&mut self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), OutputError> {
        let result = match self.file.as_mut() {
            Some(file) => {
                let mut out = io::BufWriter::new(file);
                write(&mut out).and_then(|()| out.flush())
            }
            None => Err(io::Error::other("written twice")),
        };
        result.map_err(|source| OutputError {
            target: self.target.clone(),
            source,
        })
    }

    /// Puts the content in place: renames the temporary file over the target.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let file = self.file.take();
        let Some(temp) = self.temp.take() else { return Ok(()) };
        let result = file
            .map_or(Ok(()), |f| f.sync_all())
            .and_then(|()| std::fs::rename(&temp, &self.path));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(|source| OutputError {
            target: self.target.clone(),
            source,
        })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.file = None;
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Writes a message and a line break on standard error, ignoring a failure (there is
/// nowhere left to report it).
pub fn note(message: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("batchsim-output-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn content_appears_only_on_commit() {
        let d = dir("commit");
        let p = d.join("out.csv");
        let mut pending = Pending::create("--jobs", &p).unwrap();
        pending.write(|w| w.write_all(b"a,b\n")).unwrap();
        assert!(!p.exists());
        pending.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n");
        assert_eq!(entries(&d), ["out.csv"]);
    }

    #[test]
    fn a_stale_temporary_file_of_a_killed_run_does_not_stop_a_write() {
        // A run killed before its commit leaves `.NAME.PID.N.tmp`; a later process with the
        // same id (ids come round) used to fail on it with "File exists" (found by the
        // value-mutation hunt, whose runs were killed at a timeout).
        let d = dir("stale");
        let p = d.join("jobs.csv");
        let next = COUNTER.load(Ordering::Relaxed);
        let stale: Vec<PathBuf> = (next..next + 50)
            .map(|n| d.join(format!(".jobs.csv.{}.{n}.tmp", std::process::id())))
            .collect();
        for s in &stale {
            std::fs::write(s, "stale").unwrap();
        }
        let mut pending = Pending::create("--jobs", &p).unwrap();
        pending.write(|w| w.write_all(b"fresh")).unwrap();
        pending.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "fresh");
        for s in &stale {
            assert_eq!(std::fs::read_to_string(s).unwrap(), "stale", "left as it was");
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dropping_leaves_nothing_and_keeps_the_old_file() {
        let d = dir("drop");
        let p = d.join("old.csv");
        std::fs::write(&p, "old").unwrap();
        let mut pending = Pending::create("--jobs", &p).unwrap();
        pending.write(|w| w.write_all(b"new")).unwrap();
        drop(pending);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(entries(&d), ["old.csv"]);
    }

    #[test]
    fn failures_name_the_flag_the_file_and_the_reason() {
        let e = Pending::create("--plot", Path::new("/nonexistent-dir/x.svg")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--plot /nonexistent-dir/x.svg: cannot write: No such file or directory (os error 2)"
        );
        let d = dir("isdir");
        let e = Pending::create("--out", &d).unwrap_err();
        assert!(e.to_string().ends_with("cannot write: is a directory"), "{e}");
        let e = Pending::create("--out", Path::new("new-folder/")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--out new-folder/: cannot write: names a directory, not a file"
        );
        assert!(!Path::new("new-folder").exists());
        assert!(!e.is_quiet());
        let mut full = Pending::create("--jobs", Path::new("/dev/full")).unwrap();
        let e = full.write(|w| w.write_all(&[b'x'; 100_000])).unwrap_err();
        assert!(e.to_string().starts_with("--jobs /dev/full: cannot write: "), "{e}");
        full.commit().unwrap();
        assert!(!Path::new("/dev/full").metadata().unwrap().file_type().is_file());
    }

    #[test]
    fn only_a_closed_stdout_is_quiet() {
        let pipe = |target| OutputError {
            target,
            source: io::Error::from(io::ErrorKind::BrokenPipe),
        };
        assert!(pipe(Target::Stdout).is_quiet());
        assert!(!pipe(Target::of("--jobs", Path::new("x"))).is_quiet());
        assert_eq!(Target::of("--jobs", Path::new("-")), Target::Stdout);
        assert_eq!(Target::Stdout.to_string(), "standard output");
    }
}
