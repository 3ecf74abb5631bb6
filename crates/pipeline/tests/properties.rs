//! Property tests of the whole default pipeline (`pipelines/news.toml`) on arbitrary text.
//!
//! For any Unicode text — news words, hedge cues, abbreviations, punctuation, quotes, emoji,
//! combining marks, CJK, right-to-left scripts, control characters, line breaks — annotating
//! never fails, every span of every layer is a valid byte range of the original text on
//! character boundaries, the cross-layer indices are in range, and the JSON output's
//! code-point offsets slice to each span's text. Documents annotated together come out as
//! if annotated alone.
//!
//! 1024 cases by default; set `PROPTEST_CASES` for more.

use std::path::Path;
use std::sync::OnceLock;

use caveat_core::{Document, Span};
use caveat_pipeline::{Pipeline, PipelineConfig};
use proptest::prelude::*;
use serde_json::Value;

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/news.toml");
        PipelineConfig::from_file(&file)
            .unwrap_or_else(|e| panic!("{e}"))
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

const WORDS: &[&str] = &[
    "North",
    "Korea",
    "may",
    "might",
    "could",
    "deploy",
    "troops",
    "to",
    "Russia",
    "alleges",
    "alleged",
    "allegedly",
    "according",
    "according to",
    "citing",
    "said",
    "says",
    "told",
    "reportedly",
    "unverified",
    "unconfirmed",
    "believe",
    "some experts",
    "critics say",
    "it is believed",
    "whether",
    "if",
    "unless",
    "not likely",
    "no doubt",
    "the",
    "The",
    "officials",
    "Officials",
    "Reuters",
    "NIS",
    "Kim Jong-un",
    "Ivan Petrov",
    "spokesman",
    "U.S.",
    "U.K.",
    "e.g.",
    "a.m.",
    "Dr.",
    "Mr.",
    "Inc.",
    "J. K.",
    "etc.",
    "vs.",
    "No.",
    "Jan.",
    "Calif.",
    "et al.",
    "3,000",
    "1,000.50",
    "10:30",
    "1/2",
    "$",
    "US$",
    "1.13bn",
    "76%",
    "'90s",
    "don't",
    "can't",
    "Mikhaylov's",
    "O'Brien",
    "COVID-19",
    "well-known",
    "https://example.com/a?b=c).",
    "www.example.org",
    "a@b.co",
    "@handle",
    "#tag",
    "S&P",
    "AT&T",
    "’s",
    "n’t",
    "…",
    "...",
    "--",
    "—",
    "–",
];

const PUNCT: &[&str] = &[
    ".", ",", ";", ":", "!", "?", "?!", "\"", "“", "”", "‘", "’", "'", "«", "»", "(", ")", "[",
    "]", "{", "}", "-", "/", "\\", "。", "！", "？", "、", "%", "&", "*", "_", "=", "~",
];

const EXOTIC: &[&str] = &[
    "👩‍👩‍👧‍👦",
    "🇺🇦",
    "👍🏽",
    "❤️",
    "🙂",
    "e\u{301}",
    "\u{301}",
    "\u{301}\u{302}\u{303}",
    "Z̷̢̛a̸l̵g̶o̴",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{200e}",
    "\u{200f}",
    "\u{202e}",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{a0}",
    "\u{3000}",
    "北京",
    "東京でも",
    "「調査中」",
    "据报道",
    "한국",
    "قالت وزارة الخارجية",
    "وفقا لمسؤولين",
    "לפי הדיווח",
    "שלום",
    "\u{0}",
    "\u{1}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\t",
    "\r",
    "\r\n",
    "\u{b}",
    "\u{c}",
    "\u{fffd}",
    "\u{10ffff}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ﬁ",
    "Ⅻ",
    "²",
    "½",
    "٣",
    "०",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(WORDS).prop_map(str::to_string),
        3 => prop::sample::select(PUNCT).prop_map(str::to_string),
        3 => prop::sample::select(EXOTIC).prop_map(str::to_string),
        2 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[a-zA-Z]{1,12}",
        1 => "[0-9.,:/-]{1,8}",
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&[" ", " ", " ", " ", "", "\n", "\n\n", "  ", "\t", " \n "][..])
}

/// Texts built from news-like pieces and hostile characters, or entirely arbitrary.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec((piece(), separator()), 0..80).prop_map(|parts| {
            parts.into_iter().fold(String::new(), |mut s, (p, sep)| {
                s.push_str(&p);
                s.push_str(sep);
                s
            })
        }),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<char>(), 0..200).prop_map(|cs| cs.into_iter().collect()),
    ]
}

fn check_span(text: &str, s: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        s.start <= s.end && s.end <= text.len(),
        "{} {:?} out of 0..{}",
        what,
        s,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{} {:?} not on char boundaries",
        what,
        s
    );
    Ok(())
}

/// Every in-memory invariant of an annotated document.
fn check_document(d: &Document, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(&d.text, text, "the text changed");
    let mut prev_end = 0;
    for t in &d.tokens {
        check_span(text, t.span, "token")?;
        prop_assert!(t.span.start < t.span.end, "empty token {:?}", t.span);
        prop_assert!(
            t.span.start >= prev_end,
            "token {:?} overlaps or is out of order",
            t.span
        );
        prev_end = t.span.end;
    }
    let mut next = 0;
    for s in &d.sentences {
        check_span(text, s.span, "sentence")?;
        prop_assert!(s.tokens.start <= s.tokens.end && s.tokens.end <= d.tokens.len());
        prop_assert_eq!(s.tokens.start, next, "sentences are not contiguous");
        if !s.tokens.is_empty() {
            prop_assert!(s.span.start <= d.tokens[s.tokens.start].span.start);
            prop_assert!(s.span.end >= d.tokens[s.tokens.end - 1].span.end);
        }
        prop_assert!((0.0..=1.0).contains(&s.uncertainty), "{}", s.uncertainty);
        next = s.tokens.end;
    }
    prop_assert_eq!(next, d.tokens.len(), "sentences do not cover the tokens");
    for e in &d.entities {
        check_span(text, e.span, "entity")?;
        prop_assert!(e.span.start < e.span.end);
        prop_assert!(e.tokens.start < e.tokens.end && e.tokens.end <= d.tokens.len());
        prop_assert_eq!(e.span.start, d.tokens[e.tokens.start].span.start);
        prop_assert_eq!(e.span.end, d.tokens[e.tokens.end - 1].span.end);
        prop_assert!(!e.label.is_empty());
        prop_assert!((0.0..=1.0).contains(&e.score), "entity score {}", e.score);
    }
    for h in &d.hedges {
        check_span(text, h.span, "hedge")?;
        prop_assert!(h.span.start < h.span.end);
        prop_assert!(
            h.sentence < d.sentences.len(),
            "hedge sentence {} of {}",
            h.sentence,
            d.sentences.len()
        );
        prop_assert!(h.attribution.iter().all(|&a| a < d.attributions.len()));
        prop_assert!((0.0..=1.0).contains(&h.score), "hedge score {}", h.score);
    }
    for (i, a) in d.attributions.iter().enumerate() {
        for (part, s) in [("source", a.source), ("cue", a.cue), ("content", a.content)] {
            if let Some(s) = s {
                check_span(text, s, part)?;
            }
        }
        prop_assert!(
            a.source_entity.iter().all(|&e| e < d.entities.len()),
            "attribution {} source_entity {:?} of {}",
            i,
            a.source_entity,
            d.entities.len()
        );
        prop_assert!(
            a.cites.iter().all(|&c| c < d.attributions.len()),
            "attribution {} cites {:?} of {}",
            i,
            a.cites,
            d.attributions.len()
        );
        prop_assert!(a.sentence < d.sentences.len(), "attribution sentence");
        prop_assert!(
            (0.0..=1.0).contains(&a.score),
            "attribution score {}",
            a.score
        );
    }
    Ok(())
}

/// The JSON output: parses, carries the text, and every span's code-point offsets slice the
/// text to the span's `text`.
fn check_output(line: &[u8], text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(line.last(), Some(&b'\n'));
    prop_assert!(
        !line[..line.len() - 1].contains(&b'\n'),
        "a raw newline in a record"
    );
    let v: Value = serde_json::from_slice(line).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(v["text"].as_str(), Some(text));
    // Byte offset of every code point, and of the end.
    let at: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let check = |span: &Value| -> Result<(), TestCaseError> {
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        prop_assert!(
            s <= e && e < at.len(),
            "{} out of {} chars",
            span,
            at.len() - 1
        );
        if let Some(t) = span.get("text") {
            prop_assert_eq!(&text[at[s]..at[e]], t.as_str().unwrap(), "{}", span);
        }
        Ok(())
    };
    for layer in ["sentences", "entities", "hedges", "tokens"] {
        for span in v.get(layer).and_then(Value::as_array).into_iter().flatten() {
            check(span)?;
        }
    }
    for a in v["attributions"].as_array().unwrap() {
        for part in ["source", "cue", "content"] {
            if !a[part].is_null() {
                check(&a[part])?;
            }
        }
    }
    Ok(())
}

/// `PROPTEST_CASES`, or 1024 (a case takes well under a millisecond in release builds).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

fn output(d: &Document) -> Vec<u8> {
    let mut buf = Vec::new();
    caveat_pipeline::output::write_record(&mut buf, d, pipeline().output());
    buf
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Shrinking re-runs the whole pipeline; keep it bounded.
        max_shrink_iters: 2048,
        cases: cases(),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_text_annotates_to_valid_spans_and_offsets(t in text()) {
        let p = pipeline();
        let mut docs = vec![Document::new("p", t.as_str())];
        let failures = p.annotate(&mut docs);
        prop_assert_eq!(&failures[0], &None, "annotate failed");
        check_document(&docs[0], &t)?;
        check_output(&output(&docs[0]), &t)?;
    }

    #[test]
    fn documents_annotated_together_match_alone(ts in prop::collection::vec(text(), 1..5)) {
        let p = pipeline();
        let mut together: Vec<Document> =
            ts.iter().map(|t| Document::new("p", t.as_str())).collect();
        let failures = p.annotate(&mut together);
        prop_assert!(failures.iter().all(Option::is_none), "{:?}", failures);
        for (t, d) in ts.iter().zip(&together) {
            let mut alone = vec![Document::new("p", t.as_str())];
            p.annotate(&mut alone);
            prop_assert!(
                output(d) == output(&alone[0]),
                "different output in a batch than alone for {:?}",
                t
            );
        }
    }
}

/// Hand-picked hostile texts that the generator may take long to hit.
#[test]
fn hostile_texts_annotate_cleanly() {
    let long_token = "a".repeat(200_000);
    let long_sentence = "officials may say ".repeat(5_000);
    let no_spaces = "North,Korea;may.deploy!troops?".repeat(2_000);
    let quotes = "\"".repeat(5_000);
    let marks = "\u{301}".repeat(10_000);
    let mixed = "U.S. ".repeat(3_000);
    let cases: Vec<&str> = vec![
        "",
        " ",
        "\n\n\n",
        "\u{0}",
        "\u{0}\u{0}\u{0} may \u{0}",
        ".",
        "U.S.",
        "according to",
        "according to according to according to",
        "said said said, citing citing citing",
        "\"",
        "“",
        "may",
        "e\u{301}",
        "\u{301}may",
        "👩‍👩‍👧‍👦",
        "قالت وزارة الخارجية إن المفاوضات قد تستأنف، وفقا لمسؤولين.",
        "לפי הדיווח, ראש הממשלה עשוי להתפטר.",
        "北京消息。据报道，官员可能辞职！",
        "Reuters, citing the NIS, citing officials, citing sources, said it may happen.",
        &long_token,
        &long_sentence,
        &no_spaces,
        &quotes,
        &marks,
        &mixed,
    ];
    let p = pipeline();
    let mut docs: Vec<Document> = cases.iter().map(|t| Document::new("h", *t)).collect();
    let failures = p.annotate(&mut docs);
    for ((t, d), f) in cases.iter().zip(&docs).zip(&failures) {
        let short: String = t.chars().take(40).collect();
        assert_eq!(f, &None, "annotate failed on {short:?}");
        check_document(d, t).unwrap_or_else(|e| panic!("{short:?}: {e}"));
        check_output(&output(d), t).unwrap_or_else(|e| panic!("{short:?}: {e}"));
    }
}
