//! Unit tests of the attribution stage on small texts written for them.

use std::path::PathBuf;

use caveat_core::{
    BuildContext, Document, Entity, Hedge, HedgeCategory, Span, Stage, StageConfig, StageOptions,
};

use crate::{AttributionConfig, AttributionError, AttributionStage, Lexicon};

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/attribution")
}

/// The shipped lexicon and model.
fn stage() -> AttributionStage {
    let config = AttributionConfig {
        cues: "cues.toml".into(),
        model: "model.txt".into(),
        ..AttributionConfig::default()
    };
    config.build(&BuildContext::new(models_dir())).unwrap()
}

fn doc(text: &str) -> Document {
    let mut d = Document::new("t", text);
    caveat_tokenize::tokenize(&d.text, &mut d.tokens);
    let mut s = Vec::new();
    caveat_tokenize::split_sentences(&d.text, &d.tokens, &mut s);
    d.sentences = s;
    d
}

fn run(text: &str) -> Document {
    let mut d = doc(text);
    stage().process(&mut d).unwrap();
    check_spans(&d);
    d
}

fn check_spans(d: &Document) {
    for a in &d.attributions {
        for s in [a.source, a.cue, a.content].into_iter().flatten() {
            assert!(s.start <= s.end && s.end <= d.text.len());
            assert!(d.text.is_char_boundary(s.start) && d.text.is_char_boundary(s.end));
        }
        assert!(a.sentence < d.sentences.len().max(1));
        assert!((0.0..=1.0).contains(&a.score));
        if let Some(c) = a.cites {
            assert!(c < d.attributions.len());
        }
    }
}

fn text(d: &Document, s: Option<Span>) -> &str {
    s.map_or("", |s| s.slice(&d.text))
}

/// The attribution whose cue contains `cue`.
fn by_cue<'d>(d: &'d Document, cue: &str) -> &'d caveat_core::Attribution {
    d.attributions
        .iter()
        .find(|a| text(d, a.cue).contains(cue))
        .unwrap_or_else(|| panic!("no cue `{cue}` in {:?}", cues(d)))
}

fn cues(d: &Document) -> Vec<&str> {
    d.attributions.iter().map(|a| text(d, a.cue)).collect()
}

#[test]
fn inverted_said_with_apposition() {
    let d = run("“The plan will fail,” said John Smith, a spokesman for the group.");
    let a = by_cue(&d, "said");
    assert!(
        text(&d, a.source).contains("John Smith"),
        "{:?}",
        text(&d, a.source)
    );
    assert!(text(&d, a.content).contains("The plan will fail"));
    assert!(!a.vague);
}

#[test]
fn quote_with_speaker_after() {
    let d = run("“We will win this election,” she said.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "she");
    assert!(text(&d, a.content).contains("We will win this election"));
}

#[test]
fn quote_with_speaker_before() {
    let d = run("The senator told reporters: “We will not give up on this bill.”");
    let a = by_cue(&d, "told");
    assert!(text(&d, a.source).contains("senator"));
    assert!(text(&d, a.content).contains("We will not give up"));
}

#[test]
fn said_that_clause() {
    let d = run("Mikhaylov has speculated that the election results were manipulated.");
    let a = by_cue(&d, "speculated");
    assert!(text(&d, a.source).contains("Mikhaylov"));
    assert!(text(&d, a.content).contains("the election results were manipulated"));
    assert!(!text(&d, a.content).starts_with("that"));
}

#[test]
fn according_to() {
    let d = run("According to The Guardian, the minister resigned on Tuesday.");
    let a = by_cue(&d, "According");
    assert!(
        text(&d, a.source).contains("Guardian"),
        "{:?}",
        text(&d, a.source)
    );
    assert!(text(&d, a.content).contains("the minister resigned"));
    let d = run("The minister resigned on Tuesday, according to The Guardian.");
    let a = by_cue(&d, "according");
    assert!(text(&d, a.source).contains("Guardian"));
    assert!(text(&d, a.content).contains("The minister resigned"));
}

#[test]
fn citing_chain_points_from_outer_to_inner() {
    let text_ = "Reuters, citing the National Intelligence Service of South Korea (NIS), \
                 reported that the missile launch had failed.";
    let mut d = doc(text_);
    d.entities.push(Entity {
        span: Span::new(0, 7),
        tokens: 0..1,
        label: "ORG".into(),
        score: 1.0,
        cluster: None,
    });
    stage().process(&mut d).unwrap();
    check_spans(&d);
    let outer = d
        .attributions
        .iter()
        .position(|a| text(&d, a.cue).contains("reported"))
        .unwrap_or_else(|| panic!("{:?}", cues(&d)));
    let inner = d.attributions[outer].cites.expect("outer cites inner");
    let (o, i) = (&d.attributions[outer], &d.attributions[inner]);
    assert_eq!(text(&d, i.cue), "citing");
    assert_eq!(text(&d, o.source), "Reuters");
    assert_eq!(o.source_entity, Some(0));
    assert!(text(&d, i.source).contains("National Intelligence Service"));
    assert_eq!(text(&d, i.content), "the missile launch had failed");
    assert_eq!(i.content, o.content);
    assert_eq!(i.cites, None);
}

#[test]
fn vague_sources_are_flagged() {
    for (t, cue, vague) in [
        (
            "Some experts say the economy will slow next year.",
            "say",
            true,
        ),
        ("Officials said the bridge would stay closed.", "said", true),
        (
            "A source familiar with the talks said a deal was close.",
            "said",
            true,
        ),
        ("Critics argue that the law is unfair.", "argue", true),
        (
            "Senator Warren said the economy would slow next year.",
            "said",
            false,
        ),
        ("He said the bridge would stay closed.", "said", false),
    ] {
        let d = run(t);
        let a = by_cue(&d, cue);
        assert_eq!(a.vague, vague, "{t}: source {:?}", text(&d, a.source));
    }
}

#[test]
fn hedges_point_to_their_attribution() {
    let t = "The NIS alleges that the launch may have failed. The weather may improve. \
             Some experts say the economy could slow.";
    let mut d = doc(t);
    let at = |w: &str, from: usize| {
        let s = t[from..].find(w).unwrap() + from;
        Span::new(s, s + w.len())
    };
    for (span, category) in [
        (at("alleges", 0), HedgeCategory::Doxastic),
        (at("may", 0), HedgeCategory::Epistemic),
        (at("may", 45), HedgeCategory::Epistemic),
        (at("Some experts", 0), HedgeCategory::Weasel),
    ] {
        d.hedges.push(Hedge {
            span,
            category,
            sentence: d.sentence_at(span.start).unwrap(),
            score: 1.0,
            negated: false,
            attribution: None,
        });
    }
    stage().process(&mut d).unwrap();
    let k = d
        .attributions
        .iter()
        .position(|a| text(&d, a.cue).contains("alleges"))
        .unwrap_or_else(|| panic!("{:?}", cues(&d)));
    assert!(text(&d, d.attributions[k].source).contains("NIS"));
    assert_eq!(d.hedges[0].attribution, Some(k), "the cue itself");
    assert_eq!(d.hedges[1].attribution, Some(k), "inside the content");
    assert_eq!(d.hedges[2].attribution, None, "outside any attribution");
    let experts = d.hedges[3].attribution.expect("the weasel source");
    assert_eq!(text(&d, d.attributions[experts].cue), "say");
}

#[test]
fn plain_statements_have_no_attribution() {
    let d = run("The bridge was closed on Tuesday. Traffic moved slowly through the city.");
    assert!(d.attributions.is_empty(), "{:?}", cues(&d));
}

#[test]
fn rule_fallback_without_a_model() {
    let lex = Lexicon::parse("[words]\nsaid = [95, 100]\nthe = [2, 1000]\n", "x".as_ref()).unwrap();
    let stage = AttributionStage::with_rules(lex);
    let mut d = doc("“It is over,” Smith said. The end.");
    stage.process(&mut d).unwrap();
    check_spans(&d);
    assert_eq!(d.attributions.len(), 1);
    let a = &d.attributions[0];
    assert_eq!(text(&d, a.cue), "said");
    assert_eq!(text(&d, a.source), "Smith");
    assert!(text(&d, a.content).contains("It is over"));
}

#[test]
fn empty_and_odd_inputs_do_not_panic() {
    let s = stage();
    for t in [
        "",
        "said",
        "\0\0 said \0",
        "“",
        "according to",
        "citing citing citing",
        "”said”said”",
        ",said ,",
        "Ünïcödé said “ëéè” — 😀 according to ☃.",
    ] {
        let mut d = doc(t);
        s.process(&mut d).unwrap();
        check_spans(&d);
    }
    // A layer inconsistent with the text must not panic either.
    let mut d = doc("He said so.");
    d.sentences[0].tokens = 0..100;
    s.process(&mut d).unwrap();
    // A megabyte sentence stays linear.
    let big = "Officials said that ".repeat(50_000);
    let mut d = doc(&big);
    s.process(&mut d).unwrap();
    check_spans(&d);
}

#[test]
fn reprocessing_replaces_the_layer() {
    let s = stage();
    let mut d = doc("“Yes,” she said.");
    s.process(&mut d).unwrap();
    let first = d.attributions.clone();
    s.process(&mut d).unwrap();
    assert_eq!(d.attributions, first);
}

#[test]
fn options_document_every_field() {
    let v = toml::Value::try_from(AttributionConfig::default()).unwrap();
    let mut keys: Vec<&str> = v.as_table().unwrap().keys().map(|k| k.as_str()).collect();
    let options = AttributionConfig::options();
    let mut names: Vec<&str> = options.iter().map(|o| o.name).collect();
    keys.sort();
    names.sort();
    assert_eq!(keys, names);
    // The documented defaults are the real ones, written as TOML.
    let mut table = toml::Table::new();
    for o in &options {
        let one: toml::Table = format!("{} = {}", o.name, o.default).parse().unwrap();
        table.extend(one);
    }
    let c: AttributionConfig = table.try_into().unwrap();
    assert_eq!(
        toml::Value::try_from(c).unwrap(),
        toml::Value::try_from(AttributionConfig::default()).unwrap()
    );
}

#[test]
fn config_errors_say_what_and_where() {
    let ctx = BuildContext::new(models_dir());
    let missing = AttributionConfig {
        cues: "nope.toml".into(),
        ..AttributionConfig::default()
    };
    let e = missing.build(&ctx).unwrap_err();
    assert!(matches!(e, AttributionError::Io { what: "cues", .. }));
    assert!(e.to_string().contains("nope.toml"));
    let bad = AttributionConfig {
        min_score: 1.5,
        ..AttributionConfig::default()
    };
    assert!(matches!(
        bad.build(&ctx),
        Err(AttributionError::Option {
            option: "min_score",
            ..
        })
    ));
    let unknown: Result<AttributionConfig, _> = toml::from_str("cuez = \"x\"");
    assert!(unknown.unwrap_err().to_string().contains("cuez"));
    let files = AttributionConfig::default().files(&ctx);
    assert_eq!(files.len(), 2);
    let no_model = AttributionConfig {
        model: String::new(),
        ..AttributionConfig::default()
    };
    assert_eq!(no_model.files(&ctx).len(), 1);
}

/// The token range of the first occurrence of `phrase` (whole tokens).
fn tokens_of(d: &Document, phrase: &str) -> std::ops::Range<usize> {
    let at = d
        .text
        .find(phrase)
        .unwrap_or_else(|| panic!("no `{phrase}`"));
    let first = d.tokens.iter().position(|t| t.span.start == at).unwrap();
    let last = d
        .tokens
        .iter()
        .position(|t| t.span.end == at + phrase.len())
        .unwrap();
    first..last + 1
}

fn role(
    d: &Document,
    phrase: &str,
    role: crate::tagged::Role,
    score: f32,
) -> crate::tagged::RoleSpan {
    crate::tagged::RoleSpan {
        tokens: tokens_of(d, phrase),
        role,
        score,
    }
}

#[test]
fn layout_relations_complete_the_tagged_ones() {
    use crate::tagged::Role::{Content, Cue, Source};
    let t = "“It is over for us.” ― Jane Doe\nPENCE: We will win this race.";
    // The tagger found nothing: the layout gives both.
    let mut d = doc(t);
    stage().annotate_tagged(&mut d, &[]);
    check_spans(&d);
    assert_eq!(cues(&d), ["―", ":"]);
    assert_eq!(text(&d, d.attributions[0].source), "Jane Doe");
    assert_eq!(text(&d, d.attributions[0].content), "“It is over for us.”");
    assert!(d.attributions[0].quote);
    assert_eq!(text(&d, d.attributions[1].source), "PENCE");
    assert_eq!(
        text(&d, d.attributions[1].content),
        "We will win this race."
    );
    // The tagger's own relation for a cue wins; no duplicate.
    let mut d = doc(t);
    let spans = [
        role(&d, "PENCE", Source, 0.9),
        role(&d, ":", Cue, 0.9),
        role(&d, "We will win this race", Content, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    assert_eq!(cues(&d), ["―", ":"]);
    assert_eq!(text(&d, d.attributions[1].content), "We will win this race");
}

#[test]
fn a_quoted_transcript_turn_runs_over_its_paragraphs() {
    let d = run("Partial transcript:\n\n\"WALLACE: Let's start.\n\n\"PENCE: Well, look, it is serious.\n\n\"But the truth is plain.\n\n\"WALLACE: Governor.\n\nThe studios have claimed a victory.\n\nThe campaign goes on.");
    check_spans(&d);
    let pence = d
        .attributions
        .iter()
        .find(|a| text(&d, a.source) == "PENCE")
        .expect("PENCE's turn");
    assert_eq!(
        text(&d, pence.content),
        "Well, look, it is serious.\n\n\"But the truth is plain."
    );
    for a in &d.attributions {
        assert!(!text(&d, a.content).contains("campaign"), "{:?}", cues(&d));
    }
}

#[test]
fn tagged_relations_get_the_shared_source_and_content_rules() {
    use crate::tagged::Role::{Content, Cue, Source};
    // A passive cue's subject is not its source.
    let t = "Prime Minister Haider al-Abadi has been criticised for the delay in the vote.";
    let mut d = doc(t);
    let spans = [
        role(&d, "Prime Minister Haider al-Abadi", Source, 0.9),
        role(&d, "has been criticised", Cue, 0.9),
        role(&d, "the delay in the vote", Content, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(cues(&d), ["has been criticised"]);
    assert_eq!(d.attributions[0].source, None);
    // A content the tagger left as one function word is the clause after the cue.
    let t = "The union demands a pay rise of ten percent.";
    let mut d = doc(t);
    let spans = [
        role(&d, "The union", Source, 0.9),
        role(&d, "demands", Cue, 0.9),
        crate::tagged::RoleSpan {
            tokens: 3..4, // `a`
            role: Content,
            score: 0.9,
        },
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(
        text(&d, by_cue(&d, "demands").content),
        "a pay rise of ten percent"
    );
    // A source that the tagger ran on to the colon before the quotation ends before it.
    let t = "According to Phillip Benoit, head of the market at BNP Paribas: \"Insurers are \
             looking at overseas markets.\"";
    let mut d = doc(t);
    let spans = [
        role(&d, "According to", Cue, 0.9),
        role(
            &d,
            "Phillip Benoit, head of the market at BNP Paribas:",
            Source,
            0.9,
        ),
        role(
            &d,
            "\"Insurers are looking at overseas markets.\"",
            Content,
            0.9,
        ),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(
        text(&d, by_cue(&d, "According").source),
        "Phillip Benoit, head of the market at BNP Paribas"
    );
    // A source the tagger ran on to the relative pronoun of the cue's clause ends before it.
    let t = "Premier Anna Lee, who warned the storm was a monster, said homes were hit.";
    let mut d = doc(t);
    let spans = [
        role(&d, "Premier Anna Lee, who", Source, 0.9),
        role(&d, "warned", Cue, 0.9),
        role(&d, "the storm was a monster", Content, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(text(&d, by_cue(&d, "warned").source), "Premier Anna Lee");
}

#[test]
fn tagged_spans_become_linked_attributions() {
    use crate::tagged::Role::{Content, Cue, Source};
    let t = "“The launch may have failed. Nobody knows why,” the NIS said. \
             Some experts believe the data could be wrong. The weather may improve.";
    let mut d = doc(t);
    d.entities.push(Entity {
        span: Span::new(t.find("NIS").unwrap(), t.find("NIS").unwrap() + 3),
        tokens: tokens_of(&d, "NIS"),
        label: "ORG".into(),
        score: 1.0,
        cluster: None,
    });
    for (w, from, category) in [
        ("may", 0, HedgeCategory::Epistemic),
        ("could", 0, HedgeCategory::Epistemic),
        ("may", 100, HedgeCategory::Epistemic),
    ] {
        let s = t[from..].find(w).unwrap() + from;
        let span = Span::new(s, s + w.len());
        d.hedges.push(Hedge {
            span,
            category,
            sentence: d.sentence_at(span.start).unwrap(),
            score: 1.0,
            negated: false,
            attribution: None,
        });
    }
    let spans = [
        role(
            &d,
            "The launch may have failed. Nobody knows why",
            Content,
            0.9,
        ),
        role(&d, "the NIS", Source, 0.9),
        role(&d, "said", Cue, 0.8),
        role(&d, "Some experts", Source, 0.9),
        role(&d, "believe", Cue, 0.7),
        role(&d, "the data could be wrong", Content, 0.9),
        // A cue the tagger is unsure of is dropped (min_score 0.5).
        role(&d, "improve", Cue, 0.3),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(cues(&d), ["said", "believe"]);
    let said = &d.attributions[0];
    assert_eq!(text(&d, said.source), "the NIS");
    assert_eq!(
        text(&d, said.content),
        "The launch may have failed. Nobody knows why"
    );
    assert!(said.quote && !said.vague);
    assert_eq!((said.sentence, said.source_entity), (1, Some(0)));
    assert!((said.score - 0.8).abs() < 1e-6);
    let believe = &d.attributions[1];
    assert!(believe.vague && !believe.quote);
    assert_eq!(believe.kind, caveat_core::AttributionKind::Belief);
    // Hedges in a content of two sentences are linked; one outside every content is not.
    assert_eq!(d.hedges[0].attribution, Some(0));
    assert_eq!(d.hedges[1].attribution, Some(1));
    assert_eq!(d.hedges[2].attribution, None);
    // Re-running replaces the layer.
    stage().annotate_tagged(&mut d, &spans[..3]);
    assert_eq!(d.attributions.len(), 1);
    assert_eq!(d.hedges[1].attribution, None);
}

#[test]
fn citing_cues_keep_their_own_content() {
    use crate::tagged::Role::{Content, Cue, Source};
    let t = "Reuters, citing the NIS, reported that the launch failed.";
    let mut d = doc(t);
    let spans = [
        role(&d, "Reuters", Source, 0.9),
        role(&d, "citing", Cue, 0.9),
        role(&d, "the NIS", Source, 0.9),
        role(&d, "reported", Cue, 0.9),
        role(&d, "that the launch failed", Content, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    assert_eq!(cues(&d), ["citing", "reported"]);
    // "citing" has no content of its own: it gets the outer one's, and the outer cites it.
    assert_eq!(d.attributions[1].cites, Some(0));
    assert_eq!(
        text(&d, d.attributions[0].content),
        "that the launch failed"
    );
    let t = "McCain said the party is angry, citing low growth.";
    let mut d = doc(t);
    let spans = [
        role(&d, "McCain", Source, 0.9),
        role(&d, "said", Cue, 0.9),
        role(&d, "the party is angry", Content, 0.9),
        role(&d, "citing", Cue, 0.9),
        role(&d, "low growth", Content, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    assert_eq!(text(&d, d.attributions[1].content), "low growth");
    assert_eq!(text(&d, d.attributions[1].source), "McCain");
}

#[test]
fn tagged_cues_without_a_content_are_dropped() {
    use crate::tagged::Role::{Cue, Source};
    let mut d = doc("The senator said. The NIS, citing sources, declined.");
    let spans = [
        role(&d, "The senator", Source, 0.9),
        role(&d, "said", Cue, 0.9),
        role(&d, "citing", Cue, 0.9),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    // "said" has nothing attributed; a citing cue stays (it would take the content of an
    // attribution citing it).
    assert_eq!(cues(&d), ["citing"]);
    assert_eq!(d.attributions[0].content, None);
}

#[test]
fn transformer_backends_need_the_feature_and_a_model_directory() {
    let ctx = BuildContext::new(models_dir());
    let candle: AttributionConfig =
        toml::from_str("backend = \"candle\"\nmodel = \"no-such-dir\"\ncues = \"cues.toml\"")
            .unwrap();
    assert_eq!(candle.backend, crate::AttributionBackend::Candle);
    let files = candle.files(&ctx);
    assert!(files[1].1.ends_with("no-such-dir/config.json"), "{files:?}");
    let e = candle.build(&ctx).unwrap_err();
    if cfg!(feature = "transformer") {
        assert!(matches!(e, AttributionError::ModelDir { .. }), "{e}");
        assert!(e.to_string().contains("no-such-dir"));
    } else {
        assert!(matches!(e, AttributionError::Unavailable(..)), "{e}");
        assert!(e.to_string().contains("transformer"));
    }
    let bad: Result<AttributionConfig, _> = toml::from_str("backend = \"bert\"");
    assert!(bad.is_err());
}

#[test]
fn int8_is_refused_outside_the_candle_backend() {
    let ctx = BuildContext::new(models_dir());
    let c: AttributionConfig = toml::from_str("quantize = \"int8\"\ncues = \"cues.toml\"").unwrap();
    assert_eq!(c.quantize, caveat_core::Quantize::Int8);
    let e = c.build(&ctx).unwrap_err();
    assert!(
        matches!(
            e,
            AttributionError::Option {
                option: "quantize",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("backend = \"candle\""), "{e}");
    let bad: Result<AttributionConfig, _> = toml::from_str("quantize = \"fp16\"");
    assert!(bad.is_err());
}

#[cfg(feature = "transformer")]
#[test]
fn a_directory_without_a_model_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = AttributionConfig {
        backend: crate::AttributionBackend::Candle,
        model: dir.path().to_str().unwrap().into(),
        cues: models_dir().join("cues.toml").to_str().unwrap().into(),
        ..AttributionConfig::default()
    };
    let e = config.build(&BuildContext::new(models_dir())).unwrap_err();
    assert!(matches!(e, AttributionError::Transformer(..)), "{e}");
    assert!(e.to_string().contains("config.json"), "{e}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn spans_slice_any_text(t in "(\\PC|[“”\"',:.]| said | told | according to | citing ){0,80}") {
            let mut d = doc(&t);
            stage().process(&mut d).unwrap();
            check_spans(&d);
        }
    }
}

#[cfg(feature = "train")]
#[test]
fn training_learns_cues_and_sources_from_examples() {
    use crate::training::{GoldRel, LexiconCounter, Trainer};
    let texts = [
        "Smith said the plan would work.",
        "The plan would work, Jones said.",
        "Brown said the deal was done.",
        "The road was closed on Monday.",
        "Green said the team had won.",
        "They said nothing was decided.",
        "The said document was lost on Monday.",
    ];
    let mut counter = LexiconCounter::default();
    let mut data = Vec::new();
    for t in texts {
        let d = doc(t);
        let mut in_cue = vec![false; d.tokens.len()];
        let mut rels = Vec::new();
        for (i, tok) in d.tokens.iter().enumerate() {
            let w = tok.span.slice(&d.text);
            if w == "said" && !t.starts_with("The said") {
                in_cue[i] = true;
                let src = if i > 0 && d.token_text(i - 1).chars().all(char::is_alphabetic) {
                    i - 1
                } else {
                    i + 1
                };
                rels.push(GoldRel {
                    cue: i..i + 1,
                    source: Some(src..src + 1),
                });
            }
        }
        counter.add(&d, &in_cue);
        data.push((d, in_cue, rels));
    }
    let lexicon = Lexicon::from_file(&counter.finish(2));
    assert_eq!(lexicon.len(), 1, "only `said` is a cue word");
    let mut trainer = Trainer::new(lexicon);
    for _ in 0..5 {
        for (d, in_cue, rels) in &data {
            trainer.train_doc(d, in_cue, rels);
        }
    }
    let model = crate::model::Model::parse(&trainer.model_text(), "m".as_ref()).unwrap();
    assert!(!model.cue.is_empty() && !model.source.is_empty());
    let stage = trainer.stage(0.5);
    let mut d = doc("White said the vote was close.");
    stage.process(&mut d).unwrap();
    assert_eq!(cues(&d), ["said"]);
    assert_eq!(text(&d, d.attributions[0].source), "White");
    assert!(text(&d, d.attributions[0].content).contains("the vote was close"));
}

#[test]
fn source_keeps_its_appositive() {
    let d = run("“The plan will fail,” said John Smith, a spokesman for the group.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "John Smith, a spokesman for the group");
    let d = run("Laurence Tribe, a law professor at Harvard, said the ruling was wrong.");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.source),
        "Laurence Tribe, a law professor at Harvard"
    );
    assert_eq!(text(&d, a.content), "the ruling was wrong");
    // A participle after the comma is not an appositive.
    let d = run("President Obama, speaking at the museum, said it would tell an American story.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "President Obama");
}

#[test]
fn source_is_a_whole_noun_phrase() {
    let d = run("Turnout fell sharply, according to a recent Reuters survey of voter lists.");
    let a = by_cue(&d, "according to");
    assert_eq!(text(&d, a.source), "a recent Reuters survey of voter lists");
    assert_eq!(text(&d, a.content), "Turnout fell sharply");
}

#[test]
fn source_phrases_keep_possessors_and_titles_and_stop_at_clauses() {
    // A possessive takes its possessor, even a word often inside cues ("said Friday").
    let d = run("Al Jazeera's Stefanie Dekker, reporting from Erbil, said Friday's demonstration showed Sadr has the ability to mobilise thousands of people.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "Al Jazeera's Stefanie Dekker");
    // "First" in a title; the claim before an inverted reporting clause with circumstances.
    let d = run("Russian government has no plans to privatize the state railway corporation RZD, First Deputy Prime Minister Igor Shuvalov said in an interview published by Izvestia daily.");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.source),
        "First Deputy Prime Minister Igor Shuvalov"
    );
    assert_eq!(
        text(&d, a.content),
        "Russian government has no plans to privatize the state railway corporation RZD"
    );
    // `after` starts a clause of its own: the source does not grow over it.
    let d = run("Krispy Kreme took a dunking on Wall Street after the firm revealed it would have to restate its 2004 financial reports.");
    let a = by_cue(&d, "revealed");
    assert_eq!(text(&d, a.source), "the firm");
}

#[test]
fn the_hearer_and_circumstances_before_that_are_not_the_claim() {
    let d = run("Homeland Security Secretary John Kelly told reporters in Mexico City Thursday that there would be no use of military force.");
    let a = by_cue(&d, "told");
    assert_eq!(
        text(&d, a.content),
        "there would be no use of military force"
    );
}

#[test]
fn a_hearer_with_an_appositive_is_not_the_claim() {
    let d = run("Muqtada al-Sadr has told thousands of supporters in Iraq's capital, Baghdad, that he will boycott the elections.");
    let a = by_cue(&d, "has told");
    assert_eq!(text(&d, a.content), "he will boycott the elections");
}

#[test]
fn coordinated_cues_share_the_source_and_split_the_content() {
    let d = run("A White House spokesperson said Trump did not misspeak, but clarified the President meant it as an adjective.");
    check_spans(&d);
    let said = by_cue(&d, "said");
    assert_eq!(text(&d, said.content), "Trump did not misspeak");
    let clarified = by_cue(&d, "clarified");
    assert_eq!(text(&d, clarified.source), "A White House spokesperson");
    assert_eq!(
        text(&d, clarified.content),
        "the President meant it as an adjective"
    );
    let d = run("The company said profits fell and also added that it would cut 200 jobs.");
    assert_eq!(text(&d, by_cue(&d, "said").content), "profits fell");
    assert_eq!(text(&d, by_cue(&d, "added").source), "The company");
}

#[test]
fn sources_end_before_an_auxiliary_and_participles_before_by_are_no_cues() {
    let d = run("The United Nations has backed demands for electoral reform, its envoy said.");
    for a in &d.attributions {
        assert!(!text(&d, a.source).ends_with("has"), "{:?}", cues(&d));
    }
    let d = run("The guidelines outlined by the administration do expand the number of people subject to removal.");
    assert!(d.attributions.is_empty(), "{:?}", cues(&d));
}

#[test]
fn a_passive_cue_takes_its_source_from_by() {
    let d = run("Mehmet Oz, a surgeon and television star, has been called a charlatan by fellow physicians for promoting dubious treatments.");
    let a = by_cue(&d, "has been called");
    assert_eq!(text(&d, a.source), "fellow physicians");
    // An experiencer's participle is no passive: the subject holds the belief.
    let d = run("Many economists are convinced that the bank will raise rates in June.");
    let a = by_cue(&d, "are convinced");
    assert_eq!(text(&d, a.source), "Many economists");
    let d = run("European armies train together, but they have often been criticized for being slow to move during crises.");
    for a in &d.attributions {
        assert_ne!(text(&d, a.source), "they", "{:?}", cues(&d));
    }
}

#[test]
fn according_to_the_whole_name_not_its_article() {
    for (sentence, source) in [
        ("According to the US Secretary of Homeland Security, some 40,000 Haitian migrants are working in the country.", "the US Secretary of Homeland Security"),
        ("The number of asylum requests fell in 2016, according to the Federal Office for Migration and Refugees (BAMF).", "the Federal Office for Migration and Refugees"),
        ("According to the Russian first deputy foreign minister, these issues will be discussed during the visit.", "the Russian first deputy foreign minister"),
    ] {
        let d = run(sentence);
        let a = by_cue(&d, if sentence.starts_with('A') { "According to" } else { "according to" });
        assert_eq!(text(&d, a.source), source, "{sentence}");
    }
}

#[test]
fn quotation_over_several_sentences_is_one_content() {
    let d = run("“It is heartbreaking,” Ryan said. “This country has to heal. We will.”");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "Ryan");
    assert_eq!(
        text(&d, a.content),
        "“It is heartbreaking,” Ryan said. “This country has to heal. We will.”"
    );
    let d = run("She said: “We were floored. Nobody expected it. Nobody.” Then she left.");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.content),
        "“We were floored. Nobody expected it. Nobody.”"
    );
    // A paragraph break ends the quotation.
    let d = run("“It is over,” Ryan said.\n\n“Next question.”");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.content), "“It is over,”");
}

#[test]
fn interrupted_quotation_is_one_content() {
    let d = run("“My hope,” he said, “is that I can have a little more influence.”");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "he");
    assert_eq!(
        text(&d, a.content),
        "“My hope,” he said, “is that I can have a little more influence.”"
    );
}

#[test]
fn content_ends_before_a_clause_of_its_own() {
    let d = run("The senator denounced the annexation, which the network cited as proof.");
    let a = by_cue(&d, "denounced");
    assert_eq!(text(&d, a.content), "the annexation");
}

#[test]
fn inverted_reporting_clause_keeps_the_claim_before_it() {
    let d = run("The party was fined for misreporting its expenses, an independent watchdog said this morning in a blow for the prime minister.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "an independent watchdog");
    assert_eq!(
        text(&d, a.content),
        "The party was fined for misreporting its expenses"
    );
}

#[test]
fn inverted_reporting_clause_before_a_clause_of_its_own() {
    let d = run(
        "Demand from Europe may weaken next year, some analysts warned, while others doubted it.",
    );
    let a = by_cue(&d, "warned");
    assert_eq!(text(&d, a.source), "some analysts");
    assert_eq!(
        text(&d, a.content),
        "Demand from Europe may weaken next year"
    );
}

#[test]
fn a_pronoun_object_alone_is_the_content() {
    let d = run("The claim is unverified and the Defence Ministry has not confirmed it.");
    let a = by_cue(&d, "has not confirmed");
    assert_eq!(text(&d, a.source), "the Defence Ministry");
    assert_eq!(text(&d, a.content), "it");
}

#[test]
fn an_apostrophe_opens_no_quotation() {
    let d = run("Mr Holmes said the failure \"undermined voters' confidence\". The watchdog added that the fine was too small.");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.content),
        "the failure \"undermined voters' confidence\""
    );
}

/// A quoted paragraph run on without its closing mark (newswire joins the paragraphs of one
/// quotation this way) does not turn every later quotation inside out.
#[test]
fn an_unclosed_quotation_does_not_flip_the_later_ones() {
    let d = run("\"Trust matters. It is important that we meet the spirit of our commitment as well. \"By making these changes, I hope we have shown that we are listening.\" The Sun opposed the increase. Shadow chancellor John McDonnell described the climb-down as \"chaos\". \"It's shocking and humiliating,\" he said.");
    let a = by_cue(&d, "described");
    assert_eq!(text(&d, a.content), "the climb-down as \"chaos\"");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "he");
    assert_eq!(text(&d, a.content), "\"It's shocking and humiliating,\"");
}

/// Sports pages: a surname that looks like a speech verb (`Hayley Yelling`) and a position
/// (`defender Sol Campbell`) report nothing; a lone article or adverb is no source.
#[test]
fn names_and_positions_are_no_cues() {
    let d = run("Britons Kathy Butler and Hayley Yelling were out of contention early on. Arsenal were boosted by news that defender Sol Campbell will sign a new deal.");
    assert!(
        d.attributions.is_empty(),
        "{:?}",
        d.attributions
            .iter()
            .map(|a| text(&d, a.cue))
            .collect::<Vec<_>>()
    );
}

/// A possessive apostrophe after a plural (`Directors' head`) closes no quotation: the speaker
/// before the cue stays the source.
#[test]
fn a_possessive_apostrophe_closes_no_quotation() {
    let d = run("Stephen Herring, the Institute of Directors' head of taxation, said the National Insurance was chaotic.");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.source),
        "Stephen Herring, the Institute of Directors' head of taxation"
    );
    assert_eq!(text(&d, a.content), "the National Insurance was chaotic");
}

#[test]
fn only_reporting_cues_unless_asked_for_all() {
    let sentence = "Trump has pointedly refused to endorse Ryan. The Senate voted to approve the bill, which offers relief to farmers. Critics have long opposed the plan, and the governor imposed new limits on Friday.";
    let d = run(sentence);
    assert!(
        d.attributions
            .iter()
            .all(|a| crate::extract::is_reporting_cue(text(&d, a.cue))),
        "{:?}",
        cues(&d)
    );
    let all = AttributionConfig {
        cues: "cues.toml".into(),
        model: "model.txt".into(),
        reporting_only: false,
        ..AttributionConfig::default()
    }
    .build(&BuildContext::new(models_dir()))
    .unwrap();
    let mut broad = doc(sentence);
    all.process(&mut broad).unwrap();
    // PolNeAR's broad cues come back with `reporting_only = false`.
    assert!(
        broad
            .attributions
            .iter()
            .any(|a| !crate::extract::is_reporting_cue(text(&broad, a.cue))),
        "{:?}",
        cues(&broad)
    );
}

#[test]
fn a_poll_shows_but_the_show_does_not() {
    let d = run("A new poll shows that Clinton leads in Ohio. Their shows on Radio 1 will end, and the show plays old music.");
    assert!(cues(&d).contains(&"shows"), "{:?}", cues(&d));
    let noun_cues: Vec<_> = d
        .attributions
        .iter()
        .filter(|a| a.cue.is_some_and(|c| c.start > d.text.find('.').unwrap()))
        .map(|a| text(&d, a.cue))
        .collect();
    assert!(
        noun_cues.iter().all(|c| !c.contains("show")),
        "{noun_cues:?}"
    );
}

#[test]
fn held_talks_are_a_noun() {
    let st = stage();
    let noun = |text: &str, word: &str| {
        let d = doc(text);
        let df = crate::extract::DocFeatures::new(&d, &st.res);
        let k = d
            .tokens
            .iter()
            .position(|t| t.span.slice(&d.text) == word)
            .unwrap();
        crate::extract::shows_noun(&df, &(k..k + 1))
    };
    assert!(noun(
        "The minister held talks with her counterpart.",
        "talks"
    ));
    assert!(noun("The two sides began peace talks on Monday.", "talks"));
    assert!(noun("Their shows on Radio 1 will end.", "shows"));
    assert!(!noun("She talks about the plan every week.", "talks"));
    assert!(!noun("A new poll shows that Clinton leads.", "shows"));
    // An explosion, not a rebuke.
    assert!(noun(
        "Twenty were killed in a bomb blast in Kabul.",
        "blast"
    ));
    assert!(noun("Thursday's blast is the latest attack.", "blast"));
    assert!(noun(
        "The group claimed it for blasts in the capital.",
        "blasts"
    ));
    assert!(!noun(
        "Robinson blasts officials after the defeat.",
        "blasts"
    ));
}

/// A word like a cue inside a name or a compound noun stays in the source (`The Resolution
/// Foundation`, `The think tank`); a participle that names (`the report, called As Time Goes
/// By, adds`) is no cue, and the named noun is the source.
#[test]
fn names_that_look_like_cues_stay_whole() {
    let d = run("The Resolution Foundation also says pensioners are more likely to work. The think tank says growth in pensioner incomes has been weak.");
    assert_eq!(
        text(&d, by_cue(&d, "also says").source),
        "The Resolution Foundation"
    );
    let tank = d.attributions.iter().find(|a| text(&d, a.cue) == "says");
    assert_eq!(
        text(&d, tank.expect("a `says` cue").source),
        "The think tank"
    );
    let d = run("However, the report, called As Time Goes By, adds: \"This strong growth is not the result of a boom.\"");
    assert!(d.attributions.iter().all(|a| text(&d, a.cue) != "called"));
    assert_eq!(text(&d, by_cue(&d, "adds:").source), "the report");
    // A name that is also a modal: `May` after a capitalised word is no auxiliary.
    for (s, cue, source) in [
        (
            "The talks ended. Theresa May said the deal was done.",
            "said",
            "Theresa May",
        ),
        (
            "The talks ended. Prime Minister Theresa May told MPs she would go.",
            "told",
            "Prime Minister Theresa May",
        ),
        (
            "The talks ended. Mrs May said it was final.",
            "said",
            "Mrs May",
        ),
        (
            "The talks ended. Rep. Will Hurd said the claims were false.",
            "said",
            "Rep. Will Hurd",
        ),
    ] {
        let d = run(s);
        assert_eq!(text(&d, by_cue(&d, cue).source), source, "{s}");
    }
    // A speaker's verb after an appositive stays a cue.
    let d = run("Minyon Moore, a senior adviser to the campaign, called Mr. Obama's remarks \"a true wake-up call\" to his supporters.");
    assert_eq!(
        text(&d, by_cue(&d, "called").source),
        "Minyon Moore, a senior adviser to the campaign"
    );
}

/// A time phrase at either end of a source says when, not who (`[Trump's administration] last
/// week expressed`); one inside a clause of the source stays (`who served until earlier this
/// year`).
#[test]
fn time_phrases_are_no_part_of_a_source() {
    let d = run("Trump's administration last week expressed reservations over the expansion.");
    assert_eq!(
        text(&d, by_cue(&d, "expressed").source),
        "Trump's administration"
    );
    let d = run("Trump this week also said he would consider naming Mike Lee to the court.");
    assert_eq!(text(&d, by_cue(&d, "said").source), "Trump");
    let d = run("Derek Mitchell, who served as ambassador to Burma until earlier this year, said Clinton reached out to McConnell.");
    assert_eq!(
        text(&d, by_cue(&d, "said").source),
        "Derek Mitchell, who served as ambassador to Burma until earlier this year"
    );
}

/// A tag after its claim: `..., said a spokeswoman.` names the speaker, and `..., Graham told
/// The Huffington Post.` says whom the claim was told, not what.
#[test]
fn a_tag_after_its_claim_reads_the_claim_before_the_comma() {
    let d = run("It has requested the advert be removed immediately, said a spokeswoman. Trump could embrace a clean energy policy, Graham told The Huffington Post.");
    let a = by_cue(&d, "said");
    assert_eq!(text(&d, a.source), "a spokeswoman");
    assert_eq!(
        text(&d, a.content),
        "It has requested the advert be removed immediately"
    );
    let a = by_cue(&d, "told");
    assert_eq!(text(&d, a.source), "Graham");
    assert_eq!(
        text(&d, a.content),
        "Trump could embrace a clean energy policy"
    );
    // A name after the inverted verb is the speaker, not the claim.
    let d = run("Growth will slow sharply next year, argued Smith.");
    let a = by_cue(&d, "argued");
    assert_eq!(text(&d, a.source), "Smith");
    assert_eq!(text(&d, a.content), "Growth will slow sharply next year");
}

/// The headline of a link to another article (`READ MORE: Paris police say ...`) makes no
/// claim of this one, and the sentence it was run into keeps its own source and content.
#[test]
fn link_headlines_make_no_claim() {
    let d = run("He spoke on Monday. READ MORE: Paris police say rape of black man an 'accident' He said elderly residents could relate their experiences.");
    assert!(
        d.attributions.iter().all(|a| text(&d, a.cue) != "say"),
        "{:?}",
        cues(&d)
    );
    let said = by_cue(&d, "said");
    assert_eq!(text(&d, said.source), "He");
    assert_eq!(
        text(&d, said.content),
        "elderly residents could relate their experiences"
    );
    // When nothing tells where the headline ends, the sentence keeps its claims, and the
    // label's colon is none.
    let d = run("It spoke to the prisoners. READ MORE: Report details 'inhuman' treatment in a jail Activists on the ground say that a spotlight on the practices is needed.");
    assert!(
        d.attributions.iter().all(|a| text(&d, a.cue) != ":"),
        "{:?}",
        cues(&d)
    );
    let d = run("READ MORE: Yemen - Who controls what Residents of the town said several children were orphaned.");
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "several children were orphaned"
    );
}

/// `<claim>, the report said, adding that <more>`: the tag's claim is the clause before it
/// and the participle's claim follows the participle, also after a quotation.
#[test]
fn a_participle_after_a_tag_has_the_claim_after_it() {
    let d = run("Over 50 percent of the properties were bought for school district access, the report said, adding that education is a major reason for the purchases.");
    let said = by_cue(&d, "said");
    assert_eq!(text(&d, said.source), "the report");
    assert_eq!(
        text(&d, said.content),
        "Over 50 percent of the properties were bought for school district access"
    );
    let adding = by_cue(&d, "adding");
    assert!(
        text(&d, adding.content).ends_with("education is a major reason for the purchases"),
        "{:?}",
        text(&d, adding.content)
    );
    let d = run("\"It's not a Muslim ban,\" he said, adding that \"in the airports, it's working out very nicely.\"");
    assert_eq!(
        text(&d, by_cue(&d, "adding").content),
        "that \"in the airports, it's working out very nicely.\""
    );
}

/// `X said in a statement ...` is one claim, not a second one for `a statement`.
#[test]
fn said_in_a_statement_is_one_claim() {
    for sentence in [
        "\"We hope to have an open discussion before the American people,\" the two said in a statement. The committee met on Monday.",
        "Malaysian police said in a statement Friday that tests on his face revealed the substance.",
    ] {
        let d = run(sentence);
        assert_eq!(d.attributions.len(), 1, "{sentence}: {:?}", cues(&d));
        assert!(text(&d, d.attributions[0].cue).starts_with("said"));
    }
}

#[test]
fn a_name_after_an_inverted_tag_is_the_speaker() {
    let d = run(
        "Europe's gamers could be waiting until January to hear about the launch of the \
                 handheld device, Nintendo DS, says gamesindustry.biz.",
    );
    let a = by_cue(&d, "says");
    assert_eq!(text(&d, a.source), "gamesindustry.biz");
    assert!(text(&d, a.content).starts_with("Europe's gamers could be waiting"));
    let d = run(
        "Sales of big screens will double by 2008, estimates the Consumer Electronics Association.",
    );
    let a = by_cue(&d, "estimates");
    assert_eq!(text(&d, a.source), "the Consumer Electronics Association");
    assert_eq!(
        text(&d, a.content),
        "Sales of big screens will double by 2008"
    );
    // A day is when, not who.
    let d = run("The talks will resume in the spring, the minister said Thursday.");
    assert!(d
        .attributions
        .iter()
        .all(|a| text(&d, a.source) != "Thursday"));
}

#[test]
fn of_after_a_verb_names_a_topic_not_a_claim() {
    let d = run(
        "Mr Straw said of the Tory leader: \"He is clever, fluent and tactical, but he is \
                 not wise.\" Chelsea's Damien Duff has been ruled out of Wednesday's clash with \
                 Barcelona.",
    );
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.content),
        "\"He is clever, fluent and tactical, but he is not wise.\""
    );
    assert!(
        d.attributions
            .iter()
            .all(|a| !text(&d, a.content).starts_with("of ")),
        "{:?}",
        cues(&d)
    );
    // Doubled apostrophes open a quotation too; a closing mark alone opens nothing.
    let d = run("Michael McFaul said of RT. ''Their strategy is very clear,'' he added.");
    let a = by_cue(&d, "said");
    assert!(
        text(&d, a.content).starts_with("''Their strategy"),
        "{}",
        text(&d, a.content)
    );
    assert_eq!(text(&d, a.cue), "said");
}

#[test]
fn a_claim_after_its_inner_source_and_cue_starts_after_that() {
    use crate::tagged::Role::{Content, Cue, Source};
    let t = "In an indication Washington is set to take a tougher approach, Tillerson said \
             earlier this week that the United States was growing impatient with diplomacy. \
             Big gains were made, says Travis Kalanick, founder of Red Swoosh, and soon more.";
    let mut d = doc(t);
    let spans = [
        role(
            &d,
            "Washington is set to take a tougher approach",
            Content,
            0.9,
        ),
        role(&d, "Tillerson", Source, 0.9),
        role(&d, "said earlier this week", Cue, 0.9),
        role(
            &d,
            "that the United States was growing impatient with diplomacy",
            Content,
            0.9,
        ),
        role(&d, "Big gains were made", Content, 0.9),
        role(&d, "says", Cue, 0.9),
        role(
            &d,
            "Travis Kalanick, founder of Red Swoosh, and",
            Source,
            0.9,
        ),
    ];
    stage().annotate_tagged(&mut d, &spans);
    check_spans(&d);
    let a = by_cue(&d, "said earlier");
    assert_eq!(
        text(&d, a.content).trim_end_matches('.'),
        "that the United States was growing impatient with diplomacy"
    );
    // A source cut short after a conjunction ends before it.
    let a = d
        .attributions
        .iter()
        .find(|a| text(&d, a.cue) == "says")
        .expect("the second tag");
    assert_eq!(text(&d, a.source), "Travis Kalanick, founder of Red Swoosh");
}

#[test]
fn called_that_names_a_thing_reports_nothing() {
    for sentence in [
        "Akamai offers a web-based tool called EdgeScape that lets customers find visitors.",
        "The practice is called \"podcasting\" and it is spreading fast.",
        "She started a small e-store called Mmaicco to sell street-dance wear.",
        "He hosted illegal pirate radio shows in the Netherlands.",
    ] {
        let d = run(sentence);
        assert!(
            d.attributions.is_empty(),
            "{sentence}: {:?}",
            d.attributions
                .iter()
                .map(|a| (text(&d, a.cue), text(&d, a.content)))
                .collect::<Vec<_>>()
        );
    }
    // A speaker's `called` stays: a second object, an agent.
    let d = run("Senator Marco Rubio called the statement \"offensive and outlandish.\"");
    assert_eq!(cues(&d), ["called"]);
    let d = run("He was called \"one of the biggest pirates in the UK\" by the sentencing judge.");
    assert_eq!(cues(&d), ["was called"]);
    let d = run("He ordered an inquiry into the leaks, which he has called \"illegal.\"");
    assert_eq!(cues(&d), ["has called"]);
}

#[test]
fn a_quotation_its_tag_interrupts_is_one_claim() {
    // The tag between two parts of one quotation: the claim runs over both (PolNeAR's
    // convention), whichever part the reading found.
    for (sentence, cue) in [
        (
            "\"Certainly we do not want things to get to military conflict,\" he said in Seoul, \
             but \"if they elevate the threat, we will respond.\"",
            "said",
        ),
        (
            "\"Are you going to take the tweets literally?\" Nunes said. \"If so, clearly the \
             president was wrong.\"",
            "said",
        ),
        (
            "“If he thinks that makes him smart,” the ad’s narrator says, “what does he think of \
             you?”",
            "says",
        ),
    ] {
        let d = run(sentence);
        let a = by_cue(&d, cue);
        assert_eq!(text(&d, a.content), sentence, "{sentence}");
        assert!(a.quote, "{sentence}");
    }
    // A participle in the tag that names what the words are about keeps its own claim short.
    let s = "\"If you look at the opposition party,\" Bannon said, referring to mainstream media \
             outlets, \"and how they portrayed the campaign, it's outrageous.\"";
    let d = run(s);
    assert_eq!(text(&d, by_cue(&d, "said").content), s);
    assert_eq!(
        text(&d, by_cue(&d, "referring").content),
        "mainstream media outlets"
    );
    // The second part is someone else's: a participle that passes the word on (its own
    // claim), the one asked, another sentence.
    let d = run(
        "\"He's in incredible shape mentally but he gets very tired,\" she said, adding: \"With \
         a little bit of luck he should be back soon.\"",
    );
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "\"He's in incredible shape mentally but he gets very tired,\""
    );
    assert_eq!(
        text(&d, by_cue(&d, "adding").content),
        "\"With a little bit of luck he should be back soon.\""
    );
    let d = run(
        "\"How do you know they're ISIS suspects?\" I asked one of the intelligence officers. \
         \"They're not suspects. They are ISIS.\"",
    );
    assert_eq!(
        text(&d, by_cue(&d, "asked").content),
        "\"How do you know they're ISIS suspects?\""
    );
    let d = run(
        "\"The pledged assets are with Rosneft,\" said Jamie Firestone. Tim Osborne told the \
         Reuters news agency: \"If they default, we will fight them.\"",
    );
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "\"The pledged assets are with Rosneft,\""
    );
    // A claim the next sentence's quotation goes on unless that quotation has a tag of its own
    // (another claim: `he said`, `he added`), quotation or not.
    for (claim, rest) in [
        (
            "Minsk confirms its commitment to Russia",
            ", spokesman Dmitry Mironchik said on Thursday. \"The ministry is looking forward to \
             talks,\" he said.",
        ),
        (
            "\"I realized how bad it was,\"",
            " Patterson said. \"For me, it was a pressure situation,\" he added.",
        ),
    ] {
        let d = run(&format!("{claim}{rest}"));
        let said = d
            .attributions
            .iter()
            .find(|a| text(&d, a.cue) == "said" && text(&d, a.source) != "he")
            .expect("the first tag");
        assert_eq!(text(&d, said.content), claim);
    }
    let s = "The administration may be reluctant to act, Schiff said. \"The other factor is the \
             election.\"";
    let d = run(s);
    assert_eq!(text(&d, by_cue(&d, "said").content), s);
}

#[test]
fn a_tag_inside_a_sentence_interrupts_one_claim() {
    // A tag set off by commas: the claim is the sentence around it, the tag inside (as
    // PolNeAR marks it), whichever part the reading found.
    for (sentence, cue) in [
        (
            "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt in 1999",
            "said",
        ),
        (
            "The museum, Mr. Obama said, would make visitors face uncomfortable truths",
            "said",
        ),
        (
            "The middle one-fifth paid 8.9 percent, the agency said in a June report, and those \
             in the bottom fifth of incomes paid 0.8 percent",
            "said",
        ),
        (
            "My schoolboy error, says Mr Shaw, was to let the hardware do the heavy lifting",
            "says",
        ),
    ] {
        let d = run(&format!(
            "He spoke at the opening. {sentence}. Then he left."
        ));
        assert_eq!(text(&d, by_cue(&d, cue).content), sentence);
    }
    // The claim starts after a clause boundary before the tag.
    let d = run(
        "He spoke at the opening. Mr Modi met Mr Kishida in Tokyo \u{2014} the talks, officials \
         said, focused on trade and security. Then he left.",
    );
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "the talks, officials said, focused on trade and security"
    );
    // Not a tag inside the claim: an opening phrase and a clause after the cue, a quotation
    // the tag introduces.
    let d = run(
        "In January, GM said higher healthcare costs in North America, and lower profits at its \
         finance arm would hurt earnings.",
    );
    assert!(!text(&d, by_cue(&d, "said").content).starts_with("In January"));
    let d = run(
        "Less impressed were fellow students Ryan Crabbe and Gordon Rennie, who observed, \"With \
         this band, he has clearly gone too far.\"",
    );
    assert_eq!(
        text(&d, by_cue(&d, "observed").content),
        "\"With this band, he has clearly gone too far.\""
    );
}

#[test]
fn a_phrase_fronted_before_the_speaker_is_no_claim() {
    // The claim follows the cue, not the opening phrase before the speaker.
    let d = run(
        "On his first day of questioning, Mr Sullivan admitted to falsifying the company's \
         financial statements.",
    );
    assert_eq!(
        text(&d, by_cue(&d, "admitted").content),
        "to falsifying the company's financial statements"
    );
    // Where or to whom after the cue is not the claim; the opening clause stays.
    let d = run("In 2004, growth will be between 4.7% and 4.8%, the ministry said in a statement.");
    assert!(text(&d, by_cue(&d, "said").content).starts_with("In 2004, growth"));
}

#[test]
fn the_one_told_is_not_part_of_the_claim() {
    let d = run("A spokesman told Reuters the company would appeal.");
    assert_eq!(
        text(&d, by_cue(&d, "told").content),
        "the company would appeal"
    );
    let d = run(
        "The president told African-Americans this weekend he would consider it a personal \
         insult if they did not vote.",
    );
    assert_eq!(
        text(&d, by_cue(&d, "told").content),
        "he would consider it a personal insult if they did not vote"
    );
    // A question word keeps the reading: what follows it is no claim of its own.
    let d = run("He told the owner how much a product would cost to buy online.");
    assert!(!text(&d, by_cue(&d, "told").content).starts_with("a product"));
}

#[test]
fn when_it_was_said_is_no_claim() {
    // The time after a cue is left out of the claim, and a tag that says only when takes the
    // claim before it: a clause, a quotation, or one before a role read as part of the name.
    let d = run("The company said on Monday it would appeal the ruling.");
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "it would appeal the ruling"
    );
    for s in [
        "The company said on Jan. 17 it would appeal the ruling.",
        "The company said on 1 February it would appeal the ruling.",
        "The company said on 30 July, 2002 it would appeal the ruling.",
    ] {
        let d = run(s);
        assert_eq!(
            text(&d, by_cue(&d, "said").content),
            "it would appeal the ruling",
            "{s}"
        );
    }
    // A clause after the occasion stays the claim.
    let d = run("Trump said after the convention he would not accept the endorsement.");
    assert_eq!(
        text(&d, by_cue(&d, "said").content),
        "he would not accept the endorsement"
    );
    // Nor is where or after what it was said.
    for s in [
        "That is what the company said in a statement.",
        "It is what he wrote in the memo.",
        "The plan was questioned after the debate.",
        "His application was rejected after an arduous interview process.",
    ] {
        let d = run(s);
        assert!(
            d.attributions.iter().all(|a| {
                let c = text(&d, a.content);
                !c.starts_with("in ") && !c.starts_with("after ")
            }),
            "{s}: {:?}",
            cues(&d)
        );
    }
    for (s, claim, source) in [
        (
            "Foreign firms will be kept from new technologies, head of the upper house Council \
             Vyacheslav Shtyrov said on Thursday.",
            "Foreign firms will be kept from new technologies",
            "head of the upper house Council Vyacheslav Shtyrov",
        ),
        (
            "Lawmakers met on Friday. \"I will use every tool available to oppose him,\" \
             Blumenthal said this week.",
            "\"I will use every tool available to oppose him,\"",
            "Blumenthal",
        ),
        (
            "Washington has not contacted Moscow over the charges, Russian news agencies \
             reported on Wednesday, citing a source.",
            "Washington has not contacted Moscow over the charges",
            "Russian news agencies",
        ),
        // A tag that ends its sentence where scraped text lost the space (`.-`).
        (
            "The best guarantee of security is healthy relations with Russia, Grushko \
             reiterated.- Russia is reinforcing its forces in the south.",
            "The best guarantee of security is healthy relations with Russia",
            "Grushko",
        ),
    ] {
        let d = run(s);
        let a = d
            .attributions
            .iter()
            .find(|a| text(&d, a.content) == claim)
            .unwrap_or_else(|| panic!("no claim «{claim}» in {s}: {:?}", cues(&d)));
        assert_eq!(text(&d, a.source), source, "{s}");
    }
    // Nothing but the time is no claim.
    let d = run("The winner is due to be announced on Sunday night.");
    assert!(
        d.attributions
            .iter()
            .all(|a| !text(&d, a.cue).contains("announced")),
        "{:?}",
        cues(&d)
    );
}

#[test]
fn an_apposition_after_according_to_describes_the_source() {
    let d = run(
        "According to The Soufan Group, an international consultancy firm, around 1,200 \
                 Moroccans traveled to Syria.",
    );
    let a = by_cue(&d, "According");
    assert_eq!(
        text(&d, a.source),
        "The Soufan Group, an international consultancy firm"
    );
    assert_eq!(
        text(&d, a.content),
        "around 1,200 Moroccans traveled to Syria"
    );
    // A definite noun phrase after the comma is the claim's subject; so is an indefinite one
    // after an unnamed source, with a second name or a figure after it, or a verb in it.
    for (input, source) in [
        (
            "According to police, the suspect, a local man, was arrested on Monday.",
            "police",
        ),
        (
            "According to authorities, a friend dropped Elizabeth off at a restaurant in \
             Columbia, about 45 miles south of Nashville.",
            "authorities",
        ),
        (
            "According to Interfax, a journalist from the Ekho Moskvy radio station, Alexander \
             Plyushchev, was detained at the rally.",
            "Interfax",
        ),
        (
            "According to a poll by CNN, a majority, 53%, disapprove of the way he works.",
            "a poll by CNN",
        ),
    ] {
        let d = run(input);
        assert_eq!(text(&d, by_cue(&d, "According").source), source, "{input}");
    }
}

#[test]
fn a_quantity_that_declined_refused_nothing() {
    for text in [
        "Brent oil futures declined 1.92% on the London ICE to $54.71 per barrel.",
        "Oil, gas and copper prices declined in comparison to 2015, the report shows.",
        "The number of groups declined sharply to 623 last year.",
    ] {
        let d = run(text);
        assert!(
            !cues(&d).iter().any(|c| c.contains("declin")),
            "{text}: {:?}",
            cues(&d)
        );
    }
    let d = run("The minister declined to say what the plan would entail.");
    assert!(cues(&d).iter().any(|c| c.contains("declined")));
}

#[test]
fn a_claim_in_a_relative_clause_ends_before_the_main_clause() {
    let d = run(
        "Queensland Premier Annastacia Palaszczuk, who warned the storm was shaping up as \
                 a monster, said more than 30,000 homes were already without power.",
    );
    let a = by_cue(&d, "warned");
    assert_eq!(text(&d, a.content), "the storm was shaping up as a monster");
    let a = by_cue(&d, "said");
    assert_eq!(
        text(&d, a.source),
        "Queensland Premier Annastacia Palaszczuk"
    );
    assert_eq!(
        text(&d, a.content),
        "more than 30,000 homes were already without power"
    );
}

#[test]
fn a_fronted_question_ends_where_the_answer_starts() {
    let d = run(
        "He was questioned for an hour. When asked if he would like to apologise on \
                 behalf of the State agencies he replied, \"I do\".",
    );
    let a = by_cue(&d, "asked");
    assert_eq!(
        text(&d, a.content),
        "if he would like to apologise on behalf of the State agencies"
    );
}

#[test]
fn a_fronted_participle_has_its_claim_before_the_comma() {
    let d = run(
        "Describing him as an emotional man, Judge Barry Hickson said the software had \
                 been instrumental in this case.",
    );
    let a = by_cue(&d, "Describing");
    assert_eq!(text(&d, a.content), "him as an emotional man");
    assert_eq!(text(&d, a.source), "Judge Barry Hickson");
    let d = run(
        "While commenting on the situation in Hama, where fighting goes on, he said that \
                 \"we have discussed it with the delegation.\"",
    );
    let a = by_cue(&d, "commenting");
    assert_eq!(
        text(&d, a.content),
        "the situation in Hama, where fighting goes on"
    );
}

#[test]
fn a_gerund_inside_a_source_noun_phrase_stays_in_it() {
    let d = run(
        "Projects will bring more jobs for locals, the region's top economic planning \
                 official says.",
    );
    let a = by_cue(&d, "says");
    assert_eq!(
        text(&d, a.source),
        "the region's top economic planning official"
    );
    assert_eq!(
        text(&d, a.content),
        "Projects will bring more jobs for locals"
    );
}

#[test]
fn a_cue_in_a_fronted_phrase_has_its_claim_before_the_comma() {
    let d = run(
        "Amid mounting international criticism of the committee's delays, Rajoub \
                 remained confident that the message would be heard.",
    );
    let a = by_cue(&d, "criticism");
    assert_eq!(text(&d, a.content), "of the committee's delays");
    assert!(
        !text(&d, a.source).to_lowercase().starts_with("amid"),
        "{:?}",
        text(&d, a.source)
    );
}
