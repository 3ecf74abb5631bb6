//! Run a pipeline file that uses the `watchlist` stage over JSONL on stdin, to JSONL on
//! stdout: `cargo run -p caveat-example-custom-stage -- examples/custom-stage/pipeline.toml`.

use std::io::{BufReader, Write};
use std::path::PathBuf;

use caveat_pipeline::input::RecordReader;
use caveat_pipeline::{PipelineConfig, RunOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: caveat-example-custom-stage PIPELINE.toml < in.jsonl > out.jsonl")?
        .into();
    let registry = caveat_example_custom_stage::registry();
    let pipeline = PipelineConfig::from_file_with(&registry, &path)?.build()?;
    let opts = RunOptions::default();
    let stdin = Box::new(BufReader::new(std::io::stdin()));
    let records =
        RecordReader::from_reader("stdin", stdin, opts.max_line_bytes, opts.max_doc_bytes);
    let mut out = std::io::stdout();
    let mut errors = std::io::stderr();
    let summary = caveat_pipeline::run(&pipeline, records, &mut out, &mut errors, &opts, &|_| {})?;
    out.flush()?;
    eprintln!("{} documents, {} errors", summary.documents, summary.errors);
    Ok(())
}
