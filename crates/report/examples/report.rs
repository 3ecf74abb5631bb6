//! Write the HTML report of a caveat output file (what `caveat report` does).
//!
//! ```sh
//! cargo run --release -p caveat-report --example report -- OUT.jsonl report.html [--title T]
//! ```

use std::io::BufWriter;
use std::process::ExitCode;

use caveat_report::{open_jsonl, render_html, HtmlOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output) = match (args.first(), args.get(1)) {
        (Some(i), Some(o)) => (i, o),
        _ => {
            eprintln!("usage: report IN.jsonl OUT.html [--title TITLE]");
            return ExitCode::from(2);
        }
    };
    let mut opts = HtmlOptions::default();
    if let Some(i) = args.iter().position(|a| a == "--title") {
        if let Some(t) = args.get(i + 1) {
            opts.title = t.clone();
        }
    }
    let run = || -> Result<_, Box<dyn std::error::Error>> {
        let records = open_jsonl(input.as_ref())?;
        let mut out = BufWriter::new(std::fs::File::create(output)?);
        Ok(render_html(records, &mut out, &opts)?)
    };
    match run() {
        Ok(summary) => {
            eprintln!(
                "report: {} articles ({} skipped) -> {output}",
                summary.articles, summary.skipped
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("report: error: {e}");
            ExitCode::FAILURE
        }
    }
}
