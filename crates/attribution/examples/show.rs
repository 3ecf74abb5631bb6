//! Print the attributions the stage finds in plain text read from standard input.
//!
//! ```text
//! echo '"We will win," she said.' | cargo run --release -p caveat-attribution --example show
//! ```

use std::io::Read;
use std::path::PathBuf;

use caveat_attribution::AttributionConfig;
use caveat_core::{BuildContext, Document, Span, Stage};

fn main() {
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/attribution");
    let config = AttributionConfig {
        cues: "cues.toml".into(),
        model: "model.txt".into(),
        ..AttributionConfig::default()
    };
    let stage = config
        .build(&BuildContext::new(models))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("read stdin");
    let mut doc = Document::new("stdin", text);
    caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
    let mut sentences = Vec::new();
    caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut sentences);
    doc.sentences = sentences;
    stage.process(&mut doc).expect("attribution");
    let show = |s: Option<Span>| s.map_or("-", |s| s.slice(&doc.text));
    for (i, a) in doc.attributions.iter().enumerate() {
        println!(
            "{i}: [{}] {} [{}]{}{} {:.2}\n    {}",
            show(a.source),
            if a.vague { "(vague)" } else { "" },
            show(a.cue),
            a.cites.map_or(String::new(), |c| format!(" cites {c}")),
            a.source_entity
                .map_or(String::new(), |e| format!(" entity {e}")),
            a.score,
            show(a.content),
        );
    }
}
