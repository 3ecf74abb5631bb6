//! Score the attribution stage on a PolNeAR-layout directory, like
//! the project's PolNeAR scorer does (cue F1 by overlap; source and content overlap on matched
//! cues), and measure its speed.
//!
//! ```text
//! cargo run --release -p caveat-attribution --example polnear_eval -- \
//!     --gold $DATA/dev [--models models/attribution] \
//!     [--model model.txt] [--min-score 0.5] [--rounds 20] [--errors]
//! ```
//!
//! `$DATA` is a PolNeAR directory (see models/attribution/README.md for where to get it).

use std::path::PathBuf;
use std::time::Instant;

use caveat_attribution::brat as polnear;
use caveat_attribution::training::{evaluate, prepare};
use caveat_attribution::AttributionConfig;
use caveat_core::BuildContext;
use caveat_tokenize::TokenizeConfig;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| flag(&args, name, default);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let gold = PathBuf::from(arg("--gold", ""));
    if gold.as_os_str().is_empty() {
        eprintln!(
            "usage: polnear_eval --gold DIR (a PolNeAR-layout directory of .txt + .ann files)"
        );
        std::process::exit(2);
    }
    let models = PathBuf::from(arg(
        "--models",
        &root.join("models/attribution").to_string_lossy(),
    ));
    let min_score: f32 = arg("--min-score", "0.5").parse().expect("--min-score X");
    let config = AttributionConfig {
        cues: "cues.toml".into(),
        // `--model ""` scores the rule fallback.
        model: arg("--model", "model.txt"),
        min_score,
        ..AttributionConfig::default()
    };
    let stage = config
        .build(&BuildContext::new(&models))
        .unwrap_or_else(|e| panic!("{e}"));
    let docs = polnear::read(&gold).expect("read gold");
    let tokenizer = TokenizeConfig::default()
        .build(&BuildContext::new(&models))
        .unwrap_or_else(|e| panic!("{e}"));
    let prepared: Vec<_> = docs
        .iter()
        .map(|g| prepare(g, &tokenizer).expect("tokenize"))
        .collect();
    let score = evaluate(&stage, &docs, &prepared);
    println!(
        "{} documents, {} gold attributions",
        docs.len(),
        score.tp + score.fn_
    );
    println!("{}", score.report());

    // Speed of the stage alone (tokens and sentences given).
    let tokens: usize = prepared.iter().map(|p| p.doc.tokens.len()).sum();
    let bytes: usize = prepared.iter().map(|p| p.doc.text.len()).sum();
    let mut copies: Vec<_> = prepared.iter().map(|p| p.doc.clone()).collect();
    let rounds: usize = arg("--rounds", "20").parse().expect("--rounds N");
    let t0 = Instant::now();
    let cpu0 = thread_cpu_ns();
    let mut n = 0;
    for _ in 0..rounds {
        for d in copies.iter_mut() {
            stage.annotate(d);
            n += d.attributions.len();
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    // On a busy machine wall time overstates the cost; the thread's CPU time (Linux) is
    // closer to what one core does.
    let cpu = thread_cpu_ns().zip(cpu0).map(|(b, a)| (b - a) as f64 / 1e9);
    println!(
        "speed: {:.2}M tokens/s, {:.1} MB/s wall; {} ({} attributions per round)",
        (tokens * rounds) as f64 / secs / 1e6,
        (bytes * rounds) as f64 / secs / 1e6,
        cpu.map_or("no CPU time".to_string(), |c| format!(
            "{:.2}M tokens/s, {:.1} MB/s CPU",
            (tokens * rounds) as f64 / c / 1e6,
            (bytes * rounds) as f64 / c / 1e6
        )),
        n / rounds.max(1)
    );

    if args.iter().any(|a| a == "--errors") {
        for (g, p) in docs.iter().zip(&prepared) {
            let mut d = p.doc.clone();
            stage.annotate(&mut d);
            let t = &g.text;
            let ov = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
            let ctx = |s: (usize, usize)| {
                let mut lo = s.0.saturating_sub(60);
                while !t.is_char_boundary(lo) {
                    lo -= 1;
                }
                let mut hi = (s.1 + 40).min(t.len());
                while !t.is_char_boundary(hi) {
                    hi += 1;
                }
                format!("{}[{}]{}", &t[lo..s.0], &t[s.0..s.1], &t[s.1..hi]).replace('\n', " | ")
            };
            for r in &g.rels {
                if !d
                    .attributions
                    .iter()
                    .any(|a| a.cue.is_some_and(|c| ov((c.start, c.end), r.cue)))
                {
                    println!("FN\t{}\t{}", &t[r.cue.0..r.cue.1], ctx(r.cue));
                }
            }
            for a in &d.attributions {
                let c = a.cue.unwrap();
                let c = (c.start, c.end);
                match g.rels.iter().find(|r| ov(c, r.cue)) {
                    None => {
                        let inside = g.rels.iter().any(|r| {
                            r.content.is_some_and(|x| x.0 <= c.0 && c.1 <= x.1)
                                || r.source.is_some_and(|x| x.0 <= c.0 && c.1 <= x.1)
                        });
                        let tag = if inside { "FPIN" } else { "FP" };
                        println!("{tag}\t{}\t{}", &t[c.0..c.1], ctx(c))
                    }
                    Some(r) => {
                        let show = |x: Option<(usize, usize)>| x.map_or("-", |x| &t[x.0..x.1]);
                        let ps = a.source.map(|s| (s.start, s.end));
                        if polnear::dice(ps, r.source) < 0.5 {
                            println!(
                                "SRCDICE\t{}\tgold «{}»\tpred «{}»\t{}",
                                &t[c.0..c.1],
                                show(r.source),
                                show(ps),
                                ctx(c)
                            );
                        }
                        let pc = a.content.map(|s| (s.start, s.end));
                        if polnear::dice(pc, r.content) < 0.5 {
                            println!(
                                "CONDICE\t{}\tgold «{}»\tpred «{}»",
                                &t[c.0..c.1],
                                show(r.content).replace('\n', " | "),
                                show(pc).replace('\n', " | "),
                            );
                        }
                        if let Some(gs) = r.source {
                            if !a.source.is_some_and(|s| ov((s.start, s.end), gs)) {
                                let ps = a.source.map_or("-", |s| &t[s.start..s.end]);
                                println!(
                                    "SRC\t{}\tgold {}\tpred {}\t{}",
                                    &t[c.0..c.1],
                                    &t[gs.0..gs.1],
                                    ps,
                                    ctx(c)
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The value after `--name` on the command line, or `default`.
fn flag(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// CPU time of this thread in nanoseconds (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
