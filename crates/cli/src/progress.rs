//! Progress of long runs on standard error: a bar when it is a terminal (indicatif), plain
//! log lines every few seconds when it is not, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use caveat_pipeline::Summary;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often plain progress lines are written when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Reports a run's progress.
pub enum Progress {
    /// `--quiet`.
    Silent,
    /// An interactive bar.
    Bar(ProgressBar),
    /// Periodic lines.
    Log(Mutex<Instant>),
}

fn message(s: &Summary) -> String {
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    format!(
        "{} docs, {} errors, {:.0} docs/s, {:.1} MB/s",
        s.documents,
        s.errors,
        s.documents as f64 / secs,
        s.input_bytes as f64 / 1e6 / secs
    )
}

impl Progress {
    /// A reporter for a run over `total_bytes` of input (when known).
    pub fn new(quiet: bool, total_bytes: Option<u64>) -> Progress {
        if quiet {
            return Progress::Silent;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Log(Mutex::new(Instant::now()));
        }
        let bar = match total_bytes {
            Some(n) => {
                let bar =
                    ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr_with_hz(4));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg} (ETA {eta})",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar =
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
                bar.set_style(
                    ProgressStyle::with_template("{elapsed_precise} {spinner} {bytes} {msg}")
                        .expect("valid template"),
                );
                bar
            }
        };
        Progress::Bar(bar)
    }

    /// Called after every written batch.
    pub fn update(&self, s: &Summary) {
        match self {
            Progress::Silent => {}
            Progress::Bar(bar) => {
                bar.set_position(s.input_bytes);
                bar.set_message(message(s));
            }
            Progress::Log(last) => {
                let mut last = last.lock().expect("not poisoned");
                if last.elapsed() >= LOG_EVERY {
                    *last = Instant::now();
                    eprintln!(
                        "caveat: progress: {} ({:.0} s)",
                        message(s),
                        s.elapsed.as_secs_f64()
                    );
                }
            }
        }
    }

    /// Remove the bar before the summary line.
    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
