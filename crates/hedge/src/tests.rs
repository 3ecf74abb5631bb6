//! Unit tests of the lexicon stage, on small texts written for the purpose.

use caveat_core::{
    Document, HedgeCategory, Sentence, Span, StageConfig, StageOptions, Token, TokenKind,
};

use crate::{HedgeConfig, HedgeError, HedgeMode, HedgeStage, Lexicon};

/// A tiny tokenizer for tests: words (letters with inner `'`, `’`, `-`, `.`), numbers,
/// punctuation; sentences end after `.`, `!`, `?` or at a newline.
pub(crate) fn toy_tokenize(doc: &mut Document) {
    let text = doc.text.as_str();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let mut k = 0;
    doc.tokens.clear();
    while k < chars.len() {
        let (s, c) = chars[k];
        if c.is_whitespace() {
            k += 1;
            continue;
        }
        let kind = if c.is_alphabetic() {
            TokenKind::Word
        } else if c.is_numeric() {
            TokenKind::Number
        } else {
            TokenKind::Punct
        };
        k += 1;
        if kind != TokenKind::Punct {
            while k < chars.len() {
                let c = chars[k].1;
                let inner = matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',')
                    && chars.get(k + 1).is_some_and(|n| n.1.is_alphanumeric())
                    && !(c == ',' && kind == TokenKind::Word);
                if c.is_alphanumeric() || inner {
                    k += 1;
                } else {
                    break;
                }
            }
        }
        doc.tokens.push(Token {
            span: Span::new(s, end_of(k)),
            kind,
        });
    }
    doc.sentences.clear();
    let mut start = 0;
    for i in 0..doc.tokens.len() {
        let t = doc.tokens[i].span.slice(text);
        let newline_after = doc
            .tokens
            .get(i + 1)
            .is_some_and(|n| text[doc.tokens[i].span.end..n.span.start].contains('\n'));
        if matches!(t, "." | "!" | "?") || newline_after || i + 1 == doc.tokens.len() {
            doc.sentences.push(Sentence {
                span: Span::new(doc.tokens[start].span.start, doc.tokens[i].span.end),
                tokens: start..i + 1,
                uncertain: false,
                uncertainty: 0.0,
            });
            start = i + 1;
        }
    }
}

pub(crate) fn default_lexicon_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/hedge-lexicon/lexicon.toml")
}

fn stage() -> &'static HedgeStage {
    static STAGE: std::sync::OnceLock<HedgeStage> = std::sync::OnceLock::new();
    STAGE.get_or_init(|| {
        HedgeStage::new(
            Some(Lexicon::load(default_lexicon_path()).expect("default lexicon loads")),
            None,
        )
    })
}

/// Tokenize and split with the real tokenizer (Penn Treebank clitics: `do` `n't`).
pub(crate) fn real_tokenize(doc: &mut Document) {
    caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
    caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
}

/// A stage with `lex` alone (lexicon mode), run on a tokenized text.
fn runner(lex: Lexicon) -> impl Fn(&str) -> Document {
    let stage = HedgeStage::new(Some(lex), None);
    move |text| {
        let mut doc = Document::new("t", text);
        real_tokenize(&mut doc);
        stage.annotate(&mut doc);
        doc
    }
}

fn run(text: &str) -> Document {
    let mut doc = Document::new("t", text);
    real_tokenize(&mut doc);
    stage().annotate(&mut doc);
    for h in &doc.hedges {
        assert!(doc.text.is_char_boundary(h.span.start) && doc.text.is_char_boundary(h.span.end));
        assert!(h.sentence < doc.sentences.len());
        assert!(doc.sentences[h.sentence].span.contains(h.span));
    }
    doc
}

/// (text, category, negated) of every hedge.
fn hedges(text: &str) -> Vec<(String, HedgeCategory, bool)> {
    let doc = run(text);
    doc.hedges
        .iter()
        .map(|h| (h.span.slice(&doc.text).to_string(), h.category, h.negated))
        .collect()
}

fn cue_texts(text: &str) -> Vec<String> {
    hedges(text).into_iter().map(|h| h.0).collect()
}

fn has(text: &str, cue: &str, cat: HedgeCategory) -> bool {
    hedges(text).iter().any(|h| h.0 == cue && h.1 == cat)
}

#[test]
fn each_category() {
    use HedgeCategory::*;
    assert!(has("The virus might spread further.", "might", Epistemic));
    assert!(has(
        "Officials believe the fire was set.",
        "believe",
        Doxastic
    ));
    assert!(has(
        "Police will investigate the crash.",
        "investigate",
        Investigation
    ));
    assert!(has(
        "It is unclear whether he left.",
        "whether",
        Investigation
    ));
    assert!(has("It is unclear whether he left.", "unclear", Epistemic));
    assert!(has("The deal fails if rates rise.", "if", Condition));
    assert!(has("Nothing moves unless he agrees.", "unless", Condition));
    assert!(has("He was reportedly in Paris.", "reportedly", Evidential));
    assert!(has(
        "Some experts doubt the figures.",
        "Some experts",
        Weasel
    ));
}

#[test]
fn nominal_cues_and_their_noun_senses() {
    use HedgeCategory::*;
    assert!(has("The allegations were denied.", "allegations", Doxastic));
    assert!(has("He dismissed the accusation.", "accusation", Doxastic));
    assert!(has(
        "Speculation grew about a merger.",
        "Speculation",
        Doxastic
    ));
    assert!(has("Rumours spread quickly.", "Rumours", Epistemic));
    assert!(has("A rumor spread quickly.", "rumor", Epistemic));
    assert!(has(
        "Regulators flagged potential conflicts.",
        "potential",
        Epistemic
    ));
    assert!(has("A potential buyer emerged.", "potential", Epistemic));
    assert!(has("It is potentially harmful.", "potentially", Epistemic));
    assert!(has(
        "That is not necessarily bad.",
        "not necessarily",
        Epistemic
    ));
    // The noun `potential`, trading `speculation`: no hedge.
    for text in [
        "The team reached its full potential.",
        "The technology has the potential to help.",
        "They saw the potential of the site.",
        "Its potential is clear.",
        "The electric potential rose.",
        "He made money from property speculation.",
    ] {
        assert!(cue_texts(text).is_empty(), "{text}: {:?}", hedges(text));
    }
}

/// News cues the Szeged corpora leave unmarked or rare, in the lexicon (lexicon mode here).
#[test]
fn news_cues_a_reader_marks() {
    use HedgeCategory::*;
    // Sources' hedges: reportative and vague collective sources.
    assert!(has(
        "The prime minister is understood to oppose the plan.",
        "is understood to",
        Evidential
    ));
    assert!(has(
        "Analysts estimate that the sanctions cost $20bn.",
        "Analysts estimate",
        Weasel
    ));
    assert!(has(
        "The bank could raise rates, economists predicted.",
        "economists predicted",
        Weasel
    ));
    // Attributive `suspected` is reportative; the verb is left to the doxastic cue.
    for text in [
        "The suspected gunman was arrested.",
        "Troops killed 12 suspected militants.",
        "Suspected rebels attacked the convoy.",
    ] {
        assert!(
            has(text, "suspected", Evidential) || has(text, "Suspected", Evidential),
            "{text}: {:?}",
            hedges(text)
        );
    }
    for text in ["Police suspected the driver.", "He was suspected of fraud."] {
        assert!(
            !hedges(text).iter().any(|h| h.1 == Evidential),
            "{text}: {:?}",
            hedges(text)
        );
    }
    // `a possible` stands by itself; open questions and unconfirmed claims.
    assert!(has("He mentioned a possible sale.", "possible", Epistemic));
    assert!(has("The project is in doubt.", "in doubt", Epistemic));
    assert!(has(
        "The identity has yet to be confirmed.",
        "yet to be confirmed",
        Epistemic
    ));
    assert!(has(
        "If confirmed, it would be a record.",
        "If confirmed",
        Condition
    ));
    assert!(has(
        "Police are investigating whether the attacks were linked.",
        "investigating",
        Investigation
    ));
    assert!(has(
        "Police are investigating whether the attacks were linked.",
        "whether",
        Investigation
    ));
}

/// The same words may stand in two groups with different rules: the first group whose rules
/// hold gives the match; exact duplicates are kept once.
#[test]
fn one_word_in_two_groups() {
    let lex = Lexicon::from_toml_str(
        r#"
[rules.after_a]
effect = "require"
when = [{ prev = ["a"] }]
[[cues]]
category = "epistemic"
words = ["maybe"]
rules = ["after_a"]
score = 0.9
[[cues]]
category = "epistemic"
words = ["maybe"]
score = 0.5
[[cues]]
category = "epistemic"
words = ["maybe"]
score = 0.5
"#,
        "t.toml",
    )
    .expect("lexicon");
    let run = runner(lex);
    let scores = |text: &str| run(text).hedges.iter().map(|h| h.score).collect::<Vec<_>>();
    assert_eq!(scores("It is a maybe."), vec![0.9]);
    assert_eq!(scores("It is maybe true."), vec![0.5]);
}

#[test]
fn could_of_possibility_not_of_ability() {
    use HedgeCategory::*;
    assert!(has("The storm could reach the coast.", "could", Epistemic));
    assert!(has("Prices could rise if rates fall.", "could", Condition));
    assert!(has(
        "The claims could not be verified.",
        "could not be verified",
        Epistemic
    ));
    for text in [
        "He could not walk after the crash.",
        "She could only watch as the house burned.",
        "We could hear the shots from the road.",
        "They could afford a new car.",
    ] {
        assert!(cue_texts(text).is_empty(), "{text}: {:?}", hedges(text));
    }
    // `claims` the noun is no evidential cue; the verb is.
    assert!(!cue_texts("The claims could not be verified.").contains(&"claims".to_string()));
    assert!(has("The company claims it paid.", "claims", Evidential));
}

#[test]
fn multiword_cues_and_offsets() {
    let text = "According to   the report, it is believed that critics said so.";
    let doc = run(text);
    let got: Vec<(&str, HedgeCategory)> = doc
        .hedges
        .iter()
        .map(|h| (&text[h.span.start..h.span.end], h.category))
        .collect();
    assert!(got.contains(&("According to", HedgeCategory::Evidential)));
    assert!(got.contains(&("it is believed", HedgeCategory::Weasel)));
    // The doxastic word inside the weasel phrase is kept (different category).
    assert!(got.contains(&("believed", HedgeCategory::Doxastic)));
    assert!(got.contains(&("critics said", HedgeCategory::Weasel)));
    // The longest match of one category wins ("it is thought", not also "is thought"), and
    // matches of one category that overlap ("it is thought", "thought to") are one cue.
    let t = cue_texts("It is thought to be lost.");
    assert_eq!(t, ["It is thought to"]);
    let t = cue_texts("He is thought to be lost.");
    assert_eq!(t, ["is thought to"]);
}

#[test]
fn inflections_from_lemmas() {
    for (text, cue) in [
        ("She alleges fraud.", "alleges"),
        ("The alleged fraud.", "alleged"),
        ("He allegedly stole it.", "allegedly"),
        ("They are alleging fraud.", "alleging"),
        ("Analysts speculated about a merger.", "speculated"),
        ("He speculates a lot.", "speculates"),
        ("Stop speculating now.", "speculating"),
        ("Reports implied a deal.", "implied"),
    ] {
        assert!(
            has(text, cue, HedgeCategory::Doxastic) || has(text, cue, HedgeCategory::Epistemic),
            "{text}: {:?}",
            hedges(text)
        );
    }
    assert_eq!(
        crate::verb_forms("allege"),
        ["allege", "alleges", "allegedly", "alleged", "alleging"]
    );
    assert!(crate::verb_forms("imply").contains(&"implies".to_string()));
    assert!(crate::verb_forms("admit").contains(&"admitted".to_string()));
    assert_eq!(crate::noun_forms("inquiry"), ["inquiry", "inquiries"]);
}

#[test]
fn case_insensitive_whole_tokens_only() {
    assert_eq!(cue_texts("PERHAPS NOT."), ["PERHAPS"]);
    assert_eq!(cue_texts("Probably so."), ["Probably"]);
    // never inside a word
    assert!(cue_texts("The mayor of Iffley visited Mayfair.").is_empty());
    assert!(cue_texts("A couldron of beliefs-free whetherproof stuff.").is_empty());
    assert_eq!(cue_texts("The unverified video spread."), ["unverified"]);
}

#[test]
fn may_the_month_and_may_the_modal() {
    for month in [
        "The vote took place in May.",
        "The vote is on May 5.",
        "The vote was held May 2024 in Rome.",
        "Prices have risen since May.",
        "Theresa May resigned.",
        "May 5 was a Sunday.",
        "May and June were dry.",
        "The talks failed. May said Thursday that now is not the time.",
        "May spoke to EU leaders on Tuesday.",
        "May plans to trigger the exit process.",
    ] {
        assert!(cue_texts(month).is_empty(), "{month}: {:?}", hedges(month));
    }
    for modal in [
        "The vote may be delayed.",
        "May I ask a question?",
        "May we never forget.",
        "He said it may rain in May.",
        "This may take a while.",
        "The next may be worse.",
        "May this bring you peace.",
    ] {
        let h = hedges(modal);
        assert_eq!(
            h.iter().filter(|h| h.0.eq_ignore_ascii_case("may")).count(),
            1,
            "{modal}: {h:?}"
        );
    }
}

#[test]
fn names_are_not_cues_but_title_case_headlines_keep_them() {
    assert!(cue_texts("Yesterday Mark Might scored twice.").is_empty());
    assert_eq!(cue_texts("Stocks Might Fall Again"), ["Might"]);
    assert_eq!(cue_texts("Perhaps he left."), ["Perhaps"]);
}

#[test]
fn claims_as_noun_and_as_report() {
    assert!(cue_texts("Insurance claims rose by 4%.").is_empty());
    assert!(cue_texts("Weekly jobless claims fell.").is_empty());
    assert!(cue_texts("The group claimed responsibility for the attack.").is_empty());
    assert!(has(
        "He claims the vote was rigged.",
        "claims",
        HedgeCategory::Evidential
    ));
}

#[test]
fn expected_as_adjective() {
    assert!(cue_texts("The expected guests arrived.").is_empty());
    assert!(cue_texts("Sales were worse than expected.").is_empty());
    assert!(has(
        "The talks are expected to fail.",
        "expected",
        HedgeCategory::Doxastic
    ));
    assert!(cue_texts("The suspect was arrested.").is_empty());
    assert!(has(
        "Police suspect arson.",
        "suspect",
        HedgeCategory::Doxastic
    ));
}

#[test]
fn negation_is_marked_and_does_not_count() {
    let doc = run("There is no doubt about it. It is not likely to rain. Rain is likely.");
    let neg: Vec<(&str, bool)> = doc
        .hedges
        .iter()
        .map(|h| (h.span.slice(&doc.text), h.negated))
        .collect();
    assert_eq!(neg, [("doubt", true), ("likely", true), ("likely", false)]);
    assert!(!doc.sentences[0].uncertain);
    assert!(!doc.sentences[1].uncertain);
    assert_eq!(doc.sentences[0].uncertainty, 0.0);
    assert!(doc.sentences[2].uncertain);
    assert!((doc.sentences[2].uncertainty - 1.0).abs() < 1e-6);
}

#[test]
fn negation_phrases_before_the_cue() {
    // `no need to` is three tokens away from the cue's first word: a phrase, not a word.
    let neg = |text: &str, cue: &str| {
        let hs = hedges(text);
        hs.iter()
            .find(|h| h.0 == cue)
            .unwrap_or_else(|| panic!("{text}: no `{cue}` in {hs:?}"))
            .2
    };
    assert!(neg(
        "There is no need to speculate about the cause.",
        "speculate"
    ));
    assert!(neg("There is no reason to believe the claims.", "believe"));
    assert!(neg("You needn't speculate about it.", "speculate"));
    assert!(neg("They need not speculate about it.", "speculate"));
    assert!(!neg("Analysts need to speculate less.", "speculate"));
    assert!(!neg(
        "No one needed to speculate: the need to speculate was gone.",
        "speculate"
    ));
}

#[test]
fn prev_phrase_condition_and_window() {
    let lex = Lexicon::from_toml_str(
        r#"
[rules.r]
effect = "veto"
when = [{ prev_phrase = ["in case of", "sort of"] }]
[rules.w]
effect = "veto"
when = [{ prev_phrase = ["no way"], prev_window = 2 }]
[[cues]]
category = "epistemic"
words = ["maybe"]
rules = ["r", "w"]
"#,
        "t.toml",
    )
    .expect("lexicon");
    let run = runner(lex);
    let count = |text: &str| run(text).hedges.len();
    assert_eq!(count("It is maybe true."), 1);
    assert_eq!(count("In case of maybe rain."), 0);
    assert_eq!(count("It is sort of maybe true."), 0);
    // Default window 1: the phrase must end right before the cue.
    assert_eq!(count("In case of a maybe."), 1);
    // Window 2: one token may come between.
    assert_eq!(count("No way, maybe."), 0);
    assert_eq!(count("No way, it is maybe."), 1);
    assert_eq!(count("maybe"), 1);
    let err = lexicon_error("[rules.r]\neffect = \"veto\"\nwhen = [{ prev_phrase = [\" \"] }]\n");
    assert_eq!(err.0, 3);
    assert!(err.2.contains("empty phrase"), "{}", err.2);
}

#[test]
fn modal_categories_in_lexicon_mode() {
    use HedgeCategory::*;
    let lex = Lexicon::from_toml_str(
        "[[cues]]\ncategory = \"condition\"\nwords = [\"would\", \"if\"]\n\n\
         [[cues]]\ncategory = \"epistemic\"\nwords = [\"could\", \"may\"]\n\n\
         [[cues]]\ncategory = \"doxastic\"\nwords = [\"will\"]\n",
        "t.toml",
    )
    .expect("lexicon");
    let run = runner(lex);
    let cats = |text: &str| -> Vec<(String, HedgeCategory)> {
        run(text)
            .hedges
            .iter()
            .map(|h| (h.span.slice(text).to_string(), h.category))
            .collect()
    };
    let v = |xs: &[(&str, HedgeCategory)]| -> Vec<(String, HedgeCategory)> {
        xs.iter().map(|(w, c)| (w.to_string(), *c)).collect()
    };
    assert_eq!(
        cats("The plan would cut costs and could save jobs."),
        v(&[("would", Epistemic), ("could", Epistemic)])
    );
    assert_eq!(
        cats("If it passes, the plan would cut costs and could save jobs."),
        v(&[
            ("If", Condition),
            ("would", Condition),
            ("could", Condition)
        ])
    );
    // `may` stays epistemic in a conditional; other categories are left alone.
    assert_eq!(
        cats("If it rains, they may stay and will wait."),
        v(&[("If", Condition), ("may", Epistemic), ("will", Doxastic)])
    );
}

#[test]
fn plain_facts_and_names_have_no_hedges() {
    for fact in [
        "Angela Merkel met Emmanuel Macron in Berlin on Tuesday.",
        "Apple reported revenue of $89.5 billion for the quarter.",
        "The Senate passed the bill by 52 votes to 48.",
        "Theresa May and Boris Johnson spoke in London in May 2019.",
        "Mayor Ifeoma Okafor opened the bridge, which cost 4 million euros.",
        "The match ended 2-1 after extra time at Wembley Stadium.",
        "The coach, Mark Might, thanked John Doubt and Ann Perhaps on Friday.",
        "The risks assumed by small banks will be lower, and she assumed office in June.",
    ] {
        let doc = run(fact);
        assert!(doc.hedges.is_empty(), "{fact}: {:?}", hedges(fact));
        assert!(doc
            .sentences
            .iter()
            .all(|s| !s.uncertain && s.uncertainty == 0.0));
    }
}

#[test]
fn uncertainty_combines_scores() {
    let lex = Lexicon::from_toml_str(
        "[[cues]]\ncategory = \"epistemic\"\nwords = [\"maybe\"]\nscore = 0.5\n",
        "inline.toml",
    )
    .unwrap();
    let stage = HedgeStage::new(Some(lex), None);
    let mut doc = Document::new(1, "Maybe, maybe not. No.");
    toy_tokenize(&mut doc);
    stage.annotate(&mut doc);
    assert_eq!(doc.hedges.len(), 2);
    assert!((doc.sentences[0].uncertainty - 0.75).abs() < 1e-6);
    assert!(!doc.sentences[1].uncertain);
}

#[test]
fn contractions_split_or_whole() {
    let lex = Lexicon::from_toml_str(
        "[[cues]]\ncategory = \"epistemic\"\nwords = [\"don't know\"]\n",
        "inline.toml",
    )
    .unwrap();
    let stage = HedgeStage::new(Some(lex), None);
    let text = "We don’t know yet.";
    // `don’t` as one token (toy tokenizer) and split like the Penn Treebank (`do` `n’t`).
    for split in [false, true] {
        let mut doc = Document::new(1, text);
        if split {
            real_tokenize(&mut doc);
            assert_eq!(doc.token_text(2), "n’t");
        } else {
            toy_tokenize(&mut doc);
        }
        stage.annotate(&mut doc);
        assert_eq!(doc.hedges.len(), 1);
        assert_eq!(doc.hedges[0].span.slice(text), "don’t know");
    }
}

#[test]
fn odd_input_does_not_panic() {
    for text in [
        "",
        "\0\0 may \0",
        "😀 may 😀",
        &"may ".repeat(10_000),
        &"x".repeat(1 << 20),
    ] {
        let doc = run(text);
        assert!(doc.hedges.len() <= doc.tokens.len());
    }
}

fn lexicon_error(src: &str) -> (usize, usize, String) {
    match Lexicon::from_toml_str(src, "my.toml") {
        Err(HedgeError::Lexicon {
            path,
            line,
            column,
            message,
        }) => {
            assert_eq!(path, std::path::PathBuf::from("my.toml"));
            (line, column, message)
        }
        other => panic!("expected a lexicon error, got {other:?}"),
    }
}

#[test]
fn lexicon_errors_say_where_and_how() {
    let (line, col, msg) = lexicon_error("[[cues]]\nwords = [\"x\"]\ncategory = \"speculative\"\n");
    assert_eq!((line, col), (3, 12));
    assert!(msg.contains("epistemic, doxastic"), "{msg}");
    let (line, _, msg) =
        lexicon_error("[[cues]]\ncategory = \"epistemic\"\nwords = [\"x\"]\nrules = [\"nope\"]\n");
    assert_eq!(line, 4);
    assert!(msg.contains("[rules.nope]"), "{msg}");
    let (line, _, msg) = lexicon_error("[rules.a]\neffect = \"drop\"\n");
    assert_eq!(line, 2);
    assert!(msg.contains("veto"), "{msg}");
    let (line, _, msg) = lexicon_error("[[cues]]\ncategory = \"epistemic\"\nwordz = []\n");
    assert!(line >= 1 && msg.contains("wordz"), "{msg}");
    let (_, _, msg) =
        lexicon_error("[[cues]]\ncategory = \"epistemic\"\ninflect = \"adj\"\nwords = [\"a\"]\n");
    assert!(msg.contains("verb, noun"), "{msg}");
}

#[test]
fn config_builds_relative_to_the_pipeline_dir() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines");
    let ctx = caveat_core::BuildContext::new(&dir);
    let files = HedgeConfig::default().files(&ctx);
    assert_eq!(files.len(), 4);
    assert!(files.iter().all(|(_, f)| f.exists()), "{files:?}");
    assert!(HedgeConfig::default()
        .build(&ctx)
        .unwrap()
        .tagger()
        .is_some());
    let cfg = HedgeConfig {
        mode: HedgeMode::Lexicon,
        ..HedgeConfig::default()
    };
    let files = cfg.files(&ctx);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "lexicon");
    let stage = cfg.build(&ctx).unwrap();
    assert!(stage.lexicon().unwrap().len() > 300);
    let names: Vec<&str> = HedgeConfig::options().iter().map(|o| o.name).collect();
    let ser = toml::to_string(&HedgeConfig {
        threshold: Some(0.5),
        ..cfg
    })
    .unwrap();
    for key in ser.lines().filter_map(|l| l.split(" =").next()) {
        assert!(names.contains(&key), "{key} not in OPTIONS");
    }
    assert_eq!(names.len(), ser.lines().count());
    let bad: Result<HedgeConfig, _> = toml::from_str("lexicon = \"x\"\nmodee = \"tagger\"\n");
    assert!(bad.is_err());
    let missing = HedgeConfig {
        lexicon: "nope.toml".into(),
        mode: HedgeMode::Lexicon,
        ..HedgeConfig::default()
    };
    assert!(matches!(missing.build(&ctx), Err(HedgeError::Io { .. })));
}

#[test]
fn transformer_backend_options() {
    use crate::HedgeBackend;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines");
    let ctx = caveat_core::BuildContext::new(&dir);
    let cfg: HedgeConfig =
        toml::from_str("backend = \"candle\"\nmodel = \"../models/hedge-minilm\"\n").unwrap();
    assert_eq!(cfg.backend, HedgeBackend::Candle);
    // The model directory's config.json is the file the pipeline checks up front.
    let files = cfg.files(&ctx);
    assert!(files
        .iter()
        .any(|(what, f)| *what == "model" && f.ends_with("hedge-minilm/config.json")));
    assert_eq!(
        StageConfig::unavailable(&cfg).is_some(),
        !cfg!(feature = "transformer")
    );
    let bad: Result<HedgeConfig, _> = toml::from_str("backend = \"bert\"\n");
    assert!(bad.is_err());
    // A cue model backend with the lexicon mode is a contradiction, said as such.
    let lex = HedgeConfig {
        mode: HedgeMode::Lexicon,
        ..cfg.clone()
    };
    let err = lex.build(&ctx).unwrap_err().to_string();
    assert!(err.contains("mode = \"tagger\""), "{err}");
    // A missing model directory (with the feature) or a build without the backend.
    let missing = HedgeConfig {
        model: "no-such-model".into(),
        ..cfg.clone()
    };
    let err = missing.build(&ctx).unwrap_err();
    if cfg!(feature = "transformer") {
        assert!(matches!(err, HedgeError::ModelDir { .. }), "{err}");
        assert!(err.to_string().contains("scripts/fetch-models"));
    } else {
        assert!(matches!(err, HedgeError::Unavailable(_)), "{err}");
        assert!(err.to_string().contains("transformer"), "{err}");
    }
    // int8 runs on candle only; the perceptron tagger is refused with the fix.
    let int8 = HedgeConfig {
        backend: HedgeBackend::Perceptron,
        quantize: caveat_core::Quantize::Int8,
        ..cfg.clone()
    };
    let err = int8.build(&ctx).unwrap_err().to_string();
    assert!(
        err.contains("quantize") && err.contains("backend = \"candle\""),
        "{err}"
    );
    // A directory that is no model is an error, not a panic.
    let not_a_model = HedgeConfig {
        model: "../models/hedge-tagger".into(),
        ..cfg
    };
    assert!(not_a_model.build(&ctx).is_err());
}
