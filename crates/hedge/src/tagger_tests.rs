//! Tests of the cue tagger: loading errors, training on a small synthetic corpus, and the
//! shipped model combined with the default lexicon.

#[cfg(feature = "train")]
use caveat_core::Stage;
use caveat_core::{BuildContext, Document, HedgeCategory};

use crate::tagger::{CUES_FILE, MODEL_FILE, WEIGHTS_FILE};
use crate::tests::{default_lexicon_path, real_tokenize};
#[cfg(feature = "train")]
use crate::train::{train, Domain, TrainOptions};
use crate::{HedgeConfig, HedgeError, HedgeMode, HedgeStage, Lexicon, Tagger};

fn model_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/hedge-tagger")
}

fn shipped() -> &'static HedgeStage {
    static S: std::sync::OnceLock<HedgeStage> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let ctx = BuildContext::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
        HedgeConfig {
            lexicon: default_lexicon_path().display().to_string(),
            model: model_dir().display().to_string(),
            mode: HedgeMode::Tagger,
            threshold: None,
            ..HedgeConfig::default()
        }
        .build(&ctx)
        .expect("shipped model and lexicon load")
    })
}

fn run(stage: &HedgeStage, text: &str) -> Document {
    let mut doc = Document::new("t", text);
    real_tokenize(&mut doc);
    stage.annotate(&mut doc);
    for h in &doc.hedges {
        assert!(h.score > 0.0 && h.score <= 1.0);
        assert!(doc.sentences[h.sentence].span.contains(h.span));
    }
    doc
}

/// The tokenizer stage training runs.
#[cfg(feature = "train")]
struct Tok;
#[cfg(feature = "train")]
impl Stage for Tok {
    fn info(&self) -> caveat_core::StageInfo {
        caveat_core::StageInfo::new(
            "tokenize",
            &[],
            &[caveat_core::Layer::Tokens, caveat_core::Layer::Sentences],
        )
    }
    fn process(&self, doc: &mut Document) -> Result<(), caveat_core::StageError> {
        real_tokenize(doc);
        Ok(())
    }
}

#[test]
fn lexicon_cues_that_must_fire_do_so_in_tagger_mode() {
    let stage = shipped();
    for (text, cue) in [
        ("The lawsuit alleges that the firm hid losses.", "alleges"),
        ("An unverified video circulated on Monday.", "unverified"),
        (
            "Analysts speculated that the bank would fail.",
            "speculated",
        ),
        ("She allegedly took the money.", "allegedly"),
        (
            "The allegations against the senator were referred to a panel.",
            "allegations",
        ),
        (
            "There was speculation that the coach would go.",
            "speculation",
        ),
        ("Rumours of a takeover lifted the shares.", "Rumours"),
        (
            "Regulators flagged potential conflicts of interest.",
            "potential",
        ),
        ("The chemical is potentially harmful.", "potentially"),
        (
            "There were unconfirmed reports of casualties.",
            "unconfirmed",
        ),
        ("The storm could reach the coast by Thursday.", "could"),
        ("The claims could not be verified.", "could not be verified"),
    ] {
        let doc = run(stage, text);
        assert!(
            doc.hedges
                .iter()
                .any(|h| h.span.slice(text) == cue && crate::is_scored(h.category)),
            "{text}: {:?}",
            doc.hedges
        );
        assert!(doc.sentences[0].uncertain);
    }
}

#[test]
fn tagger_mode_reports_nothing_on_plain_facts() {
    let stage = shipped();
    for fact in [
        "Angela Merkel met Emmanuel Macron in Berlin on Tuesday.",
        "Apple reported revenue of $89.5 billion for the quarter.",
        "The Senate passed the bill by 52 votes to 48.",
        "Theresa May and Boris Johnson spoke in London in May 2019.",
        "The match ended 2-1 after extra time at Wembley Stadium.",
        "The company was founded in 1998 and employs 4,000 people.",
    ] {
        let doc = run(stage, fact);
        assert!(doc.hedges.is_empty(), "{fact}: {:?}", doc.hedges);
    }
}

#[test]
fn shipped_model_loads_with_its_cue_list() {
    let t = Tagger::load(model_dir()).unwrap();
    assert!(t.threshold() > 0.0 && t.threshold() < 1.0);
    let may = t.cue_stat("may").expect("`may` is in the learned cue list");
    assert!(may.cue <= may.total && may.rate() > 0.5);
    assert!(t.cue_stat("the").is_none());
}

#[test]
fn model_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = model_dir();
    for f in [MODEL_FILE, CUES_FILE, WEIGHTS_FILE] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    assert!(Tagger::load(dir.path()).is_ok());
    std::fs::write(
        dir.path().join(CUES_FILE),
        "may\t1\t2\tepistemic\nmight\tx\t2\tepistemic\n",
    )
    .unwrap();
    match Tagger::load(dir.path()) {
        Err(HedgeError::Model {
            path,
            line,
            message,
        }) => {
            assert!(path.ends_with(CUES_FILE));
            assert_eq!(line, 2);
            assert!(message.contains("cue count"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let meta = std::fs::read_to_string(src.join(MODEL_FILE)).unwrap();
    std::fs::write(
        dir.path().join(MODEL_FILE),
        meta.replace(
            &format!("features = {}", crate::tagger::FEATURES_VERSION),
            "features = 99",
        ),
    )
    .unwrap();
    let err = Tagger::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("retrain"), "{err}");
    std::fs::copy(src.join(CUES_FILE), dir.path().join(CUES_FILE)).unwrap();
    std::fs::remove_file(dir.path().join(WEIGHTS_FILE)).unwrap();
    std::fs::write(dir.path().join(MODEL_FILE), meta).unwrap();
    assert!(matches!(
        Tagger::load(dir.path()),
        Err(HedgeError::Io { .. })
    ));
}

/// A synthetic corpus: `zorp` is a cue before `that` and never before `the`; `blick` is
/// always a cue. The tagger must learn the context, and the saved model must reload.
#[cfg(feature = "train")]
#[test]
fn training_learns_context_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut xml = String::from("<Annotation><DocumentSet>");
    let subjects = [
        "Officials",
        "Workers",
        "They",
        "Many",
        "Men",
        "Critics",
        "Police",
    ];
    for d in 0..60 {
        xml.push_str(&format!("<Document><DocID>d{d}</DocID>"));
        for s in 0..6 {
            let who = subjects[(d * 7 + s * 3) % subjects.len()];
            let sent = match (d + s) % 3 {
                0 => format!(
                    "{who} <ccue type=\"speculation_hypo_doxastic _\">zorp</ccue> that the plan failed."
                ),
                1 => format!("{who} zorp the boxes every day."),
                _ => "The <ccue type=\"speculation_modal_probable_\">blick</ccue> result came in."
                    .to_string(),
            };
            xml.push_str(&format!("<Sentence id=\"S{d}.{s}\">{sent}</Sentence>"));
        }
        xml.push_str("</Document>");
    }
    xml.push_str("</DocumentSet></Annotation>");
    let path = dir.path().join("toy.xml");
    std::fs::write(&path, xml).unwrap();
    let opts = TrainOptions {
        files: vec![(path, Domain::Wiki)],
        epochs: 4,
        prune: 0.0,
        ..TrainOptions::default()
    };
    let trained = train(&opts, &Tok).unwrap();
    let (_, _, tag_only, _) = &trained.report.dev[0];
    assert!(tag_only.cues.f1() > 0.95, "{tag_only}");
    let out = dir.path().join("model");
    trained.save(&out).unwrap();
    let tagger = Tagger::load(&out).unwrap();
    assert_eq!(
        tagger.cue_stat("zorp").map(|c| c.category),
        Some(HedgeCategory::Doxastic)
    );
    let stage = HedgeStage::new(None, Some(tagger));
    let text = "Critics zorp that it works. Men zorp the crates. A blick idea.";
    let doc = run(&stage, text);
    let got: Vec<&str> = doc.hedges.iter().map(|h| h.span.slice(text)).collect();
    assert_eq!(got, ["zorp", "blick"]);
    assert_eq!(doc.hedges[0].category, HedgeCategory::Doxastic);
    assert_eq!(doc.hedges[1].category, HedgeCategory::Epistemic);
    assert!(doc.sentences[0].uncertain && !doc.sentences[1].uncertain);
}

#[test]
fn deferred_lexicon_cues_are_left_to_the_tagger() {
    // Without a tagger, a deferred cue fires; with a tagger that knows nothing, it does not.
    let lex = || {
        Lexicon::from_toml_str(
            "[[cues]]\ncategory = \"epistemic\"\nwords = [\"could\"]\ndefer = true\n\n\
             [[cues]]\ncategory = \"doxastic\"\nwords = [\"alleges\"]\n",
            "inline.toml",
        )
        .unwrap()
    };
    let text = "He alleges it could rain.";
    let doc = run(&HedgeStage::new(Some(lex()), None), text);
    assert_eq!(doc.hedges.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(MODEL_FILE),
        format!(
            "name = \"empty\"\nfeatures = {}\nthreshold = 0.5\ndomain = \"wiki\"\nscale = 1.0\n\
             bias = -5.0\n",
            crate::tagger::FEATURES_VERSION
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join(CUES_FILE), "").unwrap();
    std::fs::write(dir.path().join(WEIGHTS_FILE), "").unwrap();
    let tagger = Tagger::load(dir.path()).unwrap();
    let doc = run(&HedgeStage::new(Some(lex()), Some(tagger)), text);
    let got: Vec<&str> = doc.hedges.iter().map(|h| h.span.slice(text)).collect();
    assert_eq!(got, ["alleges"]);
}

/// The shipped model and lexicon on the news check set written for the project
/// (`testdata/news_check.txt`): most of the cues a careful reader marks are found, and the
/// hedge-free sentences (*need not fear*, *said it would*, *until midnight*) stay clean.
/// `cargo test -p caveat-hedge news_check -- --nocapture` prints the misses.
#[cfg(feature = "train")]
#[test]
fn shipped_model_on_the_news_check_set() {
    use crate::eval::{parse_check_set, score_check_set, NEWS_CHECK};
    let sents = parse_check_set(NEWS_CHECK);
    let stage = shipped();
    let r = score_check_set(&sents, &Tok, &mut |d: &mut Document| stage.annotate(d));
    eprintln!(
        "news check set: {}/{} cues found, {} false positives\nmissed: {:#?}\nextra: {:#?}",
        r.counts.tp,
        r.counts.tp + r.counts.fn_,
        r.counts.fp,
        r.missed,
        r.extra
    );
    assert!(r.counts.recall() >= 0.9, "{:?}", r.missed);
    assert!(r.counts.fp <= 1, "{:?}", r.extra);
}

/// A hand-written model that takes every candidate (`zorp`, `clear`, and lexicon words)
/// as a cue.
fn always_tagger(dir: &std::path::Path) -> Tagger {
    std::fs::write(
        dir.join(MODEL_FILE),
        format!(
            "name = \"always\"\nfeatures = {}\nthreshold = 0.5\ndomain = \"wiki\"\nscale = 1.0\n\
             bias = 0.0\n",
            crate::tagger::FEATURES_VERSION
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join(CUES_FILE),
        "zorp\t9\t10\tdoxastic\nclear\t9\t10\tepistemic\nwould\t9\t10\tcondition\n",
    )
    .unwrap();
    std::fs::write(dir.join(WEIGHTS_FILE), "*\tbias\t10.0\n").unwrap();
    Tagger::load(dir).unwrap()
}

#[test]
fn tagger_cues_follow_the_lexicon_negation_rule() {
    let dir = tempfile::tempdir().unwrap();
    let lex = Lexicon::from_toml_str(
        "[rules.negation]\neffect = \"negate\"\nwhen = [\n  { prev_window = 2, prev = [\"not\", \"n't\"] },\n  \
         { prev_window = 2, prev_phrase = [\"no need to\"] },\n]\n",
        "inline.toml",
    )
    .unwrap();
    let stage = HedgeStage::new(Some(lex), Some(always_tagger(dir.path())));
    let negated = |text: &str| -> Vec<(String, bool)> {
        let doc = run(&stage, text);
        doc.hedges
            .iter()
            .map(|h| (h.span.slice(text).to_string(), h.negated))
            .collect()
    };
    let cue = |w: &str, n: bool| vec![(w.to_string(), n)];
    assert_eq!(negated("They zorp the boxes."), cue("zorp", false));
    assert_eq!(negated("They need not zorp the boxes."), cue("zorp", true));
    assert_eq!(negated("They don't zorp the boxes."), cue("zorp", true));
    assert_eq!(negated("There is no need to zorp."), cue("zorp", true));
    // Certainty words: the negation is the hedge.
    assert_eq!(negated("It is not clear."), cue("clear", false));
    let doc = run(&stage, "They need not zorp the boxes.");
    assert!(!doc.sentences[0].uncertain);
    // Without a lexicon there is no negation rule.
    let bare = HedgeStage::new(None, Some(always_tagger(dir.path())));
    let doc = run(&bare, "They need not zorp the boxes.");
    assert!(doc.hedges.iter().all(|h| !h.negated));
}

#[test]
fn a_would_that_narrates_is_never_a_cue() {
    // A model that calls every `would` a cue: one that narrates a later event or a habit
    // is still none.
    let dir = tempfile::tempdir().unwrap();
    let stage = HedgeStage::new(None, Some(always_tagger(dir.path())));
    let cue = |text: &str| {
        let doc = run(&stage, text);
        doc.hedges.iter().any(|h| h.span.slice(text) == "would")
    };
    assert!(cue("The bill would require audits."));
    for no in [
        "He would later become a judge.",
        "She would often perform for crowds.",
        "The goal would not finally be reached.",
    ] {
        assert!(!cue(no), "{no}");
    }
}

#[test]
fn would_in_news_is_a_hypothesis_unless_reported_or_past() {
    // A model that scores every candidate 0.27 (below its threshold 0.5): only the news prior
    // for `would` makes cues.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(MODEL_FILE),
        format!(
            "name = \"low\"\nfeatures = {}\nthreshold = 0.5\ndomain = \"wiki\"\nscale = 1.0\n\
             bias = -1.0\n",
            crate::tagger::FEATURES_VERSION
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join(CUES_FILE), "would\t9\t10\tcondition\n").unwrap();
    std::fs::write(dir.path().join(WEIGHTS_FILE), "").unwrap();
    let stage = HedgeStage::new(None, Some(Tagger::load(dir.path()).unwrap()));
    let cue = |text: &str| {
        let doc = run(&stage, text);
        doc.hedges.iter().any(|h| h.span.slice(text) == "would")
    };
    for yes in [
        "The bill would require platforms to verify ages.",
        "That would be a mistake.",
        "The merger would create the largest steel maker.",
    ] {
        assert!(cue(yes), "{yes}");
    }
    for no in [
        "He said the company would sell the unit.",
        "The plan would cut costs, the minister said.",
        "She hopes the situation would be resolved.",
        "He was young and would later become a judge.",
        "In 1998 the club would move to a new ground.",
        "The vote would have passed without him.",
        "I would like to thank my staff.",
        // A conditional is the tagger's to decide (here: no).
        "Prices would rise if rates fell.",
    ] {
        assert!(!cue(no), "{no}");
    }
    let doc = run(&stage, "That would be a mistake.");
    assert_eq!(doc.hedges[0].category, HedgeCategory::Epistemic);
    assert!((doc.hedges[0].score - 0.5).abs() < 1e-6);
}

#[test]
fn modal_categories_come_from_the_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let stage = HedgeStage::new(None, Some(always_tagger(dir.path())));
    let category = |text: &str| {
        let doc = run(&stage, text);
        let h = doc
            .hedges
            .iter()
            .find(|h| h.span.slice(text) == "would")
            .unwrap_or_else(|| panic!("{text}: no `would`"));
        h.category
    };
    // `would` is a condition in the learned list, but only a conditional makes it one.
    assert_eq!(
        category("She hopes the situation would be resolved."),
        HedgeCategory::Epistemic
    );
    assert_eq!(
        category("Ministers would resign if the vote were lost."),
        HedgeCategory::Condition
    );
    assert_eq!(
        category("Unless the truce holds, the aid would stop."),
        HedgeCategory::Condition
    );
    assert_eq!(
        category("It looked as if the storm would pass."),
        HedgeCategory::Epistemic
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Arbitrary text mixed with cue words: no panic, spans on char boundaries inside
        /// their sentence, uncertainty in [0, 1] and consistent with the hedges.
        #[test]
        fn any_text_gives_valid_hedges(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("may".to_string()), Just("May".to_string()), Just("could".to_string()),
                    Just("if".to_string()), Just("no doubt".to_string()), Just("alleges".to_string()),
                    Just(". ".to_string()), Just("\n".to_string()), Just("don’t".to_string()),
                    "\\PC{0,12}",
                ],
                0..40,
            )
        ) {
            let text = parts.join(" ");
            let doc = run(shipped(), &text);
            for h in &doc.hedges {
                prop_assert!(text.is_char_boundary(h.span.start) && text.is_char_boundary(h.span.end));
                prop_assert!(h.span.start < h.span.end);
            }
            for (i, s) in doc.sentences.iter().enumerate() {
                prop_assert!((0.0..=1.0).contains(&s.uncertainty));
                let any = doc.hedges.iter().any(|h| h.sentence == i && !h.negated);
                prop_assert_eq!(any, s.uncertain);
            }
        }
    }
}
