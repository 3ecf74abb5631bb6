//! `caveat validate`, `caveat stages`, `caveat train`, `caveat eval`.

use std::path::PathBuf;

use anyhow::anyhow;
use caveat_pipeline::registry::stage_types;
use caveat_pipeline::PipelineConfig;
use clap::{Args, Subcommand};

use crate::{exit, Exit};

/// Flags of `caveat validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Pipeline files to check.
    #[arg(required = true)]
    pub pipelines: Vec<PathBuf>,
}

/// `caveat validate`: schema, graph, environment, and loading every stage.
pub fn validate(args: ValidateArgs) -> Result<u8, Exit> {
    let mut bad = 0;
    for path in &args.pipelines {
        match PipelineConfig::from_file(path).and_then(|c| c.build().map(|p| (c, p))) {
            Ok((config, pipeline)) => println!(
                "ok: {} — pipeline `{}`: {}",
                path.display(),
                config.name,
                pipeline.stage_names().join(" → ")
            ),
            Err(e) => {
                bad += 1;
                eprint!("{e}");
            }
        }
    }
    if bad > 0 {
        return Err(Exit::config(anyhow!(
            "{bad} of {} pipeline files are invalid",
            args.pipelines.len()
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
    for t in stage_types() {
        println!("[[stages]] type = \"{}\"", t.info.name);
        println!(
            "  needs: {}; provides: {}",
            layers(t.info.needs),
            layers(t.info.provides)
        );
        print_options(t.options);
        println!();
    }
    println!("[output]");
    print_options(PipelineConfig::output_options());
    Ok(exit::OK)
}

fn print_options(options: &[caveat_core::OptionDoc]) {
    for o in options {
        let default = if o.default.is_empty() {
            "none".to_string()
        } else {
            o.default.to_string()
        };
        println!("  {} ({}; default {default})", o.name, o.ty);
        println!("      {}", o.help);
    }
}

/// `caveat train ...`.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {}

/// `caveat eval ...`.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {}

/// Dispatch `caveat train`.
pub fn train(cmd: TrainCommand) -> Result<u8, Exit> {
    match cmd {}
}

/// Dispatch `caveat eval`.
pub fn eval(cmd: EvalCommand) -> Result<u8, Exit> {
    match cmd {}
}
