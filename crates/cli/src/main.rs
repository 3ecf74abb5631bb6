//! `caveat`: run NLP pipelines over news corpora.
//!
//! The binary is a thin shell over `caveat-pipeline`: it parses flags (clap), opens files,
//! prints summaries and maps outcomes to exit codes. Only this crate knows about the
//! terminal, `anyhow` and exit codes:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every record was processed |
//! | 1 | the run failed while running (an input or output file could not be read or written) |
//! | 2 | unusable command line, pipeline config or input (nothing was processed) |
//! | 3 | the run completed, but some records went to the errors file |
//! | 130 | interrupted (SIGINT/SIGTERM) after flushing everything processed so far |

mod bench;
mod cmd_run;
mod commands;
mod merge;
mod progress;
mod report;
mod train;

use std::process::ExitCode;

/// mimalloc keeps freed memory for reuse. The transformer backends allocate and free
/// megabyte-sized activations for every layer of every batch. With glibc's allocator each of
/// those allocations was a fresh mmap, then page faults, then munmap: 20% of candle's time on
/// 2 workers (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Exit codes (see the crate docs).
pub mod exit {
    /// Every record was processed.
    pub const OK: u8 = 0;
    /// The run failed while running.
    pub const RUNTIME: u8 = 1;
    /// Unusable command line, config or input.
    pub const CONFIG: u8 = 2;
    /// Some records went to the errors file.
    pub const RECORD_ERRORS: u8 = 3;
    /// Interrupted by a signal.
    pub const INTERRUPTED: u8 = 130;
}

/// An error that should end the program with a given exit code.
#[derive(Debug)]
pub struct Exit {
    code: u8,
    error: anyhow::Error,
}

impl Exit {
    /// A config/usage error (exit 2).
    pub fn config(error: impl Into<anyhow::Error>) -> Exit {
        Exit {
            code: exit::CONFIG,
            error: error.into(),
        }
    }
    /// A runtime error (exit 1).
    pub fn runtime(error: impl Into<anyhow::Error>) -> Exit {
        Exit {
            code: exit::RUNTIME,
            error: error.into(),
        }
    }
}

#[derive(Parser)]
#[command(
    name = "caveat",
    version,
    about = "Entities, hedged claims and their sources in news, at scale"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline over a corpus (JSONL, .txt files, directories or stdin) to JSONL.
    Run(cmd_run::RunArgs),
    /// Check pipeline files: schema, stage order, files, and that every stage loads.
    Validate(commands::ValidateArgs),
    /// List the stage types with their options, types and defaults.
    Stages,
    /// Train a model.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Evaluate a pipeline against gold annotations.
    #[command(subcommand)]
    Eval(commands::EvalCommand),
    /// Join the outputs of sharded runs (`run --shard K/N`) in the order of a single run.
    Merge(merge::MergeArgs),
    /// Render a run's output as one self-contained HTML file (entities, hedges, sources).
    Report(report::ReportArgs),
    /// Corpus overview of a run's output: counts, most-cited sources, most hedged entities.
    Stats(report::StatsArgs),
    /// Convert a run's output to CoNLL, brat standoff or spaCy JSON.
    Export(report::ExportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Measure throughput and peak memory of a pipeline on a corpus, per thread count.
    Bench(bench::BenchArgs),
    /// Model directories: inspect one, or assemble a shipped delta over its base encoder (a
    /// build with the `transformer` feature).
    #[cfg(feature = "transformer")]
    #[command(subcommand)]
    Models(commands::ModelsCommand),
}

fn main() -> ExitCode {
    // caveat's parallelism is its `--threads` workers. candle (the transformer backend) also
    // has a pool of its own for element-wise ops, which competes with them: on 2 cores, one
    // thread per worker ran 2 workers 20% faster (docs/PERFORMANCE.md). Set here, before any
    // thread exists; a user's own CANDLE_NUM_THREADS wins.
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => cmd_run::run(a),
        Command::Validate(a) => commands::validate(a),
        Command::Stages => commands::stages(),
        Command::Train(t) => train::train(t),
        Command::Eval(e) => commands::eval(e),
        Command::Bench(b) => bench::bench(b),
        #[cfg(feature = "transformer")]
        Command::Models(m) => commands::models(m),
        Command::Merge(m) => merge::merge(m),
        Command::Report(a) => report::report(a),
        Command::Stats(a) => report::stats_cmd(a),
        Command::Export(a) => report::export(a),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "caveat", &mut std::io::stdout());
            Ok(exit::OK)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Exit { code, error }) => {
            eprintln!("caveat: error: {error:#}");
            ExitCode::from(code)
        }
    }
}
