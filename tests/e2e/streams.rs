//! Outputs that are not regular files: `/dev/null`, FIFOs. They are written as they are,
//! get no progress file and cannot be resumed.

use std::path::Path;

use crate::harness::*;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn dev_null_is_accepted_as_output_and_errors_file() {
    let dir = tempfile::tempdir().unwrap();
    let news = pipeline("news.toml");
    let sample = sample();
    let (p, s) = (news.to_str().unwrap(), sample.to_str().unwrap());
    for extra in [&[][..], &["--overwrite"][..], &["-e", "/dev/null"][..]] {
        let mut args = vec!["run", "-p", p, s, "-o", "/dev/null"];
        args.extend_from_slice(extra);
        let o = caveat(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("documents"), "{}", stderr(&o));
    }
    // No progress file next to it (writing one into /dev would be wrong).
    assert!(!Path::new("/dev/null.progress.json").exists());
    // A run into a stream cannot be resumed, and says so.
    let o = caveat(
        dir.path(),
        &["run", "-p", p, s, "-o", "/dev/null", "--resume"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--resume needs a regular output file"),
        "{}",
        stderr(&o)
    );
    // A regular errors file next to a /dev/null output is still created in place.
    let o = caveat(
        dir.path(),
        &["run", "-p", p, s, "-o", "/dev/null", "-e", "err.jsonl"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("err.jsonl").is_file());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["err.jsonl"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_fifo_output_receives_what_stdout_would() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let news = pipeline("news.toml");
    let sample = sample();
    let (p, s) = (news.to_str().unwrap(), sample.to_str().unwrap());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let o = caveat(dir.path(), &["run", "-p", p, s, "-o", "out.fifo", "-q"]);
    // Should caveat not have opened the FIFO, release the reader (O_NONBLOCK: this open
    // fails at once instead of waiting when no reader is left).
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(0o4000)
            .open(&fifo);
    }
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let through_fifo = reader.join().unwrap();
    let to_stdout = caveat(dir.path(), &["run", "-p", p, s, "-q"]);
    assert_eq!(to_stdout.status.code(), Some(0), "{}", stderr(&to_stdout));
    assert!(!through_fifo.is_empty());
    assert!(
        through_fifo == to_stdout.stdout,
        "FIFO output differs from stdout"
    );
    // Only the FIFO itself is in the directory: no progress file.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["out.fifo"]);
}
