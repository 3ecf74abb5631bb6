//! Statistics and exports of a caveat output file (what `caveat stats` / `caveat export` do).
//!
//! ```sh
//! cargo run --release -p caveat-report --example export -- stats OUT.jsonl [--json] [--top N]
//! cargo run --release -p caveat-report --example export -- conll|spacy OUT.jsonl FILE [--extensions]
//! cargo run --release -p caveat-report --example export -- brat OUT.jsonl DIR
//! ```

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use caveat_report::{
    export_conll, export_spacy_json, open_jsonl, stats, BratExporter, ConllOptions, SpacyOptions,
};

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let (cmd, input) = match (args.first(), args.get(1)) {
        (Some(c), Some(i)) => (c.as_str(), i),
        _ => return Err("usage: export stats|conll|spacy|brat IN.jsonl [OUT]".into()),
    };
    let records = open_jsonl(input.as_ref())?;
    if cmd == "stats" {
        let top = args
            .iter()
            .position(|a| a == "--top")
            .and_then(|i| args.get(i + 1))
            .map(|n| n.parse())
            .transpose()?
            .unwrap_or(20);
        let s = stats(records, top)?;
        if args.iter().any(|a| a == "--json") {
            println!("{}", serde_json::to_string_pretty(&s)?);
        } else {
            print!("{s}");
        }
        return Ok(());
    }
    let output = args.get(2).ok_or("missing output")?;
    match cmd {
        "conll" | "spacy" => {
            let mut out = BufWriter::new(std::fs::File::create(output)?);
            let opts = ConllOptions::default();
            let spacy = SpacyOptions {
                extensions: args.iter().any(|a| a == "--extensions"),
            };
            for r in records {
                let r = r?;
                if cmd == "conll" {
                    export_conll(&r, &mut out, &opts)?;
                } else {
                    export_spacy_json(&r, &mut out, &spacy)?;
                }
            }
            out.flush()?;
        }
        "brat" => {
            let mut ex = BratExporter::new(output)?;
            for r in records {
                ex.write(&r?)?;
            }
            ex.finish()?;
        }
        other => return Err(format!("unknown command `{other}`").into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("export: error: {e}");
            ExitCode::FAILURE
        }
    }
}
