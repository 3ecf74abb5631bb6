use caveat_core::{Sentence, StageOptions, Token, TokenKind};
use proptest::prelude::*;

use super::*;

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize(text, &mut out);
    out
}

fn toks(text: &str) -> Vec<&str> {
    tokens(text).iter().map(|t| t.span.slice(text)).collect()
}

fn kinds(text: &str) -> Vec<(&str, TokenKind)> {
    tokens(text)
        .iter()
        .map(|t| (t.span.slice(text), t.kind))
        .collect()
}

fn sents_with<'t>(text: &'t str, config: &TokenizeConfig) -> Vec<&'t str> {
    let t = tokens(text);
    let mut s = Vec::new();
    split_sentences_with(text, &t, config, &mut s);
    s.iter().map(|s| s.span.slice(text)).collect()
}

fn sents(text: &str) -> Vec<&str> {
    sents_with(text, &TokenizeConfig::default())
}

#[test]
fn plain_words_and_final_period() {
    assert_eq!(
        toks("The cat sat on the mat."),
        ["The", "cat", "sat", "on", "the", "mat", "."]
    );
    assert_eq!(toks(""), Vec::<&str>::new());
    assert_eq!(toks(" \n\t "), Vec::<&str>::new());
}

#[test]
fn abbreviations_keep_their_period() {
    assert_eq!(
        toks("The U.S. and U.K. met Dr. Smith, Mr. Li and Mrs. Ng of Acme Inc. at 9 a.m."),
        [
            "The", "U.S.", "and", "U.K.", "met", "Dr.", "Smith", ",", "Mr.", "Li", "and", "Mrs.",
            "Ng", "of", "Acme", "Inc.", "at", "9", "a.m."
        ]
    );
    assert_eq!(
        toks("Gov. Sen. Rep. Gen. Jr. St. Corp. Jan. Feb. e.g. i.e. etc. p.m. vs. Calif. Sens. Reps."),
        [
            "Gov.", "Sen.", "Rep.", "Gen.", "Jr.", "St.", "Corp.", "Jan.", "Feb.", "e.g.", "i.e.",
            "etc.", "p.m.", "vs.", "Calif.", "Sens.", "Reps."
        ]
    );
    // `No.` only before a number; lower-case `dr.` and ordinary words are not abbreviations.
    assert_eq!(toks("No. 5"), ["No.", "5"]);
    assert_eq!(toks("He said No. Then"), ["He", "said", "No", ".", "Then"]);
    assert_eq!(toks("a dr. who"), ["a", "dr", ".", "who"]);
    assert_eq!(toks("the house."), ["the", "house", "."]);
    assert_eq!(toks("U.S.-led forces"), ["U.S.-led", "forces"]);
    assert_eq!(toks("a Ph.D. student"), ["a", "Ph.D.", "student"]);
    assert_eq!(
        toks("Burr (R-N.C.) said"),
        ["Burr", "(", "R-N.C.", ")", "said"]
    );
}

#[test]
fn initials() {
    assert_eq!(toks("J. K. Rowling"), ["J.", "K.", "Rowling"]);
    assert_eq!(toks("O.J. Simpson"), ["O.J.", "Simpson"]);
    // A lower-case single letter is not an initial.
    assert_eq!(toks("plan b."), ["plan", "b", "."]);
}

#[test]
fn hyphens_and_dashes() {
    assert_eq!(
        toks("Kim Jong-un, a well-known leader, won 2-1 on 1996-08-22."),
        [
            "Kim",
            "Jong-un",
            ",",
            "a",
            "well-known",
            "leader",
            ",",
            "won",
            "2-1",
            "on",
            "1996-08-22",
            "."
        ]
    );
    assert_eq!(toks("-DOCSTART-"), ["-", "DOCSTART", "-"]);
    assert_eq!(toks("pre- and post-war"), ["pre", "-", "and", "post-war"]);
    assert_eq!(
        toks("yes -- no — maybe – so——"),
        ["yes", "--", "no", "—", "maybe", "–", "so", "——"]
    );
    assert_eq!(toks("well\u{2010}known"), ["well\u{2010}known"]);
}

#[test]
fn clitics_are_split_like_the_treebank() {
    assert_eq!(toks("Mikhaylov's"), ["Mikhaylov", "'s"]);
    assert_eq!(toks("Mikhaylov’s"), ["Mikhaylov", "’s"]);
    assert_eq!(toks("don't"), ["do", "n't"]);
    assert_eq!(toks("can’t"), ["ca", "n’t"]);
    assert_eq!(toks("they're"), ["they", "'re"]);
    assert_eq!(
        toks("I'm sure we've said we'll go, I'd say."),
        ["I", "'m", "sure", "we", "'ve", "said", "we", "'ll", "go", ",", "I", "'d", "say", "."]
    );
    assert_eq!(toks("IT'S"), ["IT", "'S"]);
    assert_eq!(
        toks("O'Brien d'Ivoire o'clock"),
        ["O'Brien", "d'Ivoire", "o'clock"]
    );
    assert_eq!(toks("the users' data"), ["the", "users", "'", "data"]);
    assert_eq!(
        toks("'Hello', she said"),
        ["'", "Hello", "'", ",", "she", "said"]
    );
    assert_eq!(toks("the '90s and '80s"), ["the", "'90s", "and", "'80s"]);
    assert_eq!(toks("n't"), ["n't"]);
    // Scraped pages with a straight double quote for the apostrophe; a quotation mark after
    // a word stays one.
    assert_eq!(
        toks("He didn\"t say Trump\"s \"plan\"s fine\" we\"re"),
        [
            "He", "did", "n\"t", "say", "Trump", "\"s", "\"", "plan", "\"s", "fine", "\"", "we",
            "\"re"
        ]
    );
    assert_eq!(
        toks("said\"Yes\" it\"sa"),
        ["said", "\"", "Yes", "\"", "it", "\"", "sa"]
    );
    // Already tokenised text (CoNLL joined with spaces) keeps its clitics whole.
    assert_eq!(
        kinds("Mikhaylov 's do n't they ’re 'sorry'"),
        [
            ("Mikhaylov", TokenKind::Word),
            ("'s", TokenKind::Word),
            ("do", TokenKind::Word),
            ("n't", TokenKind::Word),
            ("they", TokenKind::Word),
            ("’re", TokenKind::Word),
            ("'", TokenKind::Punct),
            ("sorry", TokenKind::Word),
            ("'", TokenKind::Punct),
        ]
    );
}

#[test]
fn numbers_and_currency() {
    assert_eq!(
        kinds("jumped 76% to $1.13bn (£600m)"),
        [
            ("jumped", TokenKind::Word),
            ("76", TokenKind::Number),
            ("%", TokenKind::Symbol),
            ("to", TokenKind::Word),
            ("$", TokenKind::Symbol),
            ("1.13bn", TokenKind::Number),
            ("(", TokenKind::Punct),
            ("£", TokenKind::Symbol),
            ("600m", TokenKind::Number),
            (")", TokenKind::Punct),
        ]
    );
    assert_eq!(
        toks("1,000.50 3rd 1990s 10:30 1/2 €5 US$ 20 +44"),
        ["1,000.50", "3rd", "1990s", "10:30", "1/2", "€", "5", "US$", "20", "+44"]
    );
    assert_eq!(toks("won 6-4."), ["won", "6-4", "."]);
    // Decimals without a leading zero; numbered list items (only at the start of a line).
    assert_eq!(toks("hit .500 (.496)"), ["hit", ".500", "(", ".496", ")"]);
    assert_eq!(
        toks("1. Steffi Graf\n  12. Li\nin 1996. Then 2."),
        ["1.", "Steffi", "Graf", "12.", "Li", "in", "1996", ".", "Then", "2", "."]
    );
    assert_eq!(
        toks("S&P and AT&T, you & me"),
        ["S&P", "and", "AT&T", ",", "you", "&", "me"]
    );
    assert_eq!(kinds("COVID-19")[0].1, TokenKind::Word);
}

#[test]
fn urls_emails_handles_hashtags() {
    assert_eq!(
        kinds("See https://example.com/a?b=1&c=(2), www.bbc.co.uk. or mail john.smith@mail.example.org!"),
        [
            ("See", TokenKind::Word),
            ("https://example.com/a?b=1&c=(2)", TokenKind::Url),
            (",", TokenKind::Punct),
            ("www.bbc.co.uk", TokenKind::Url),
            (".", TokenKind::Punct),
            ("or", TokenKind::Word),
            ("mail", TokenKind::Word),
            ("john.smith@mail.example.org", TokenKind::Email),
            ("!", TokenKind::Punct),
        ]
    );
    assert_eq!(
        kinds("(http://x.org/wiki/Foo_(bar)) @BBCNews #Brexit2019 #1 a_b@c.io"),
        [
            ("(", TokenKind::Punct),
            ("http://x.org/wiki/Foo_(bar)", TokenKind::Url),
            (")", TokenKind::Punct),
            ("@BBCNews", TokenKind::Handle),
            ("#Brexit2019", TokenKind::Hashtag),
            ("#", TokenKind::Symbol),
            ("1", TokenKind::Number),
            ("a_b@c.io", TokenKind::Email),
        ]
    );
    assert_eq!(toks("http:// x"), ["http", ":", "/", "/", "x"]);
    assert_eq!(toks("a@b"), ["a", "@b"]);
    assert_eq!(toks("www.x"), ["www.x"]);
}

#[test]
fn quotes_ellipses_brackets() {
    assert_eq!(
        kinds("“Yes…” ‘no’ \"maybe\"... [sic] {x}"),
        [
            ("“", TokenKind::Punct),
            ("Yes", TokenKind::Word),
            ("…", TokenKind::Punct),
            ("”", TokenKind::Punct),
            ("‘", TokenKind::Punct),
            ("no", TokenKind::Word),
            ("’", TokenKind::Punct),
            ("\"", TokenKind::Punct),
            ("maybe", TokenKind::Word),
            ("\"", TokenKind::Punct),
            ("...", TokenKind::Punct),
            ("[", TokenKind::Punct),
            ("sic", TokenKind::Word),
            ("]", TokenKind::Punct),
            ("{", TokenKind::Punct),
            ("x", TokenKind::Word),
            ("}", TokenKind::Punct),
        ]
    );
    assert_eq!(toks("Why?! Wow!!!"), ["Why", "?", "!", "Wow", "!!!"]);
}

#[test]
fn unicode_text() {
    assert_eq!(
        kinds("Zürich’s café naïve e\u{301}t\u{e9} Москва 東京 😀👍🏽 👨‍👩‍👧 🇬🇧 ©"),
        [
            ("Zürich", TokenKind::Word),
            ("’s", TokenKind::Word),
            ("café", TokenKind::Word),
            ("naïve", TokenKind::Word),
            ("e\u{301}t\u{e9}", TokenKind::Word),
            ("Москва", TokenKind::Word),
            ("東京", TokenKind::Word),
            ("😀", TokenKind::Other),
            ("👍🏽", TokenKind::Other),
            ("👨‍👩‍👧", TokenKind::Other),
            ("🇬🇧", TokenKind::Other),
            ("©", TokenKind::Other),
        ]
    );
    // Non-breaking and ideographic spaces separate tokens; NUL and stray marks are tokens.
    assert_eq!(toks("a\u{A0}b\u{3000}c"), ["a", "b", "c"]);
    assert_eq!(
        kinds("a\0b \u{301}"),
        [
            ("a", TokenKind::Word),
            ("\0", TokenKind::Other),
            ("b", TokenKind::Word),
            ("\u{301}", TokenKind::Other),
        ]
    );
    assert_eq!(kinds("½")[0].1, TokenKind::Number);
}

#[test]
fn sentences_at_terminators() {
    assert_eq!(
        sents("It rose 5%. Shares fell! Why? Nobody knows... 1996 was good."),
        [
            "It rose 5%.",
            "Shares fell!",
            "Why?",
            "Nobody knows...",
            "1996 was good."
        ]
    );
    // Lower-case continuation and punctuation do not start a sentence.
    assert_eq!(
        sents("\"Why?\" he asked. Wait... and then, 3.5 m. (Not really.) Fine."),
        [
            "\"Why?\" he asked.",
            "Wait... and then, 3.5 m.",
            "(Not really.)",
            "Fine."
        ]
    );
    assert_eq!(sents("One.Two. Three"), ["One.Two.", "Three"]);
    assert_eq!(
        sents("It ended. - There is more."),
        ["It ended.", "- There is more."]
    );
    assert_eq!(sents("这是。那是！"), ["这是。", "那是！"]);
}

#[test]
fn sentences_and_abbreviations() {
    assert_eq!(
        sents("Dr. Smith met Gen. Lee at 5 p.m. on Jan. 5. J. K. Rowling came too."),
        [
            "Dr. Smith met Gen. Lee at 5 p.m. on Jan. 5.",
            "J. K. Rowling came too."
        ]
    );
    assert_eq!(
        sents("It is based in the U.S. The next day, the U.S. Senate voted."),
        [
            "It is based in the U.S.",
            "The next day, the U.S. Senate voted."
        ]
    );
    assert_eq!(
        sents("He joined Acme Inc. But he left. Mr. Li stayed at St. Mary's etc. and left."),
        [
            "He joined Acme Inc.",
            "But he left.",
            "Mr. Li stayed at St. Mary's etc. and left."
        ]
    );
    assert_eq!(sents("See No. 5. It works."), ["See No. 5.", "It works."]);
}

#[test]
fn sentences_and_quotes() {
    // A quotation run on without its closing mark: the quotes after it still open and close
    // by their sides, so the next quotation's opening mark starts its sentence.
    assert_eq!(
        sents("\"We are listening. \"By making these changes we keep our word.\" The Sun disagreed. He called it \"chaos\". \"It is shocking,\" he said."),
        [
            "\"We are listening.",
            "\"By making these changes we keep our word.\"",
            "The Sun disagreed.",
            "He called it \"chaos\".",
            "\"It is shocking,\" he said."
        ]
    );
    // Already tokenised text: detached closing quotes still end the sentence.
    assert_eq!(
        sents("He said : \" No . \" Then he left .\nNo one wins . \"\nIt ends . ” And at 10 a.m. ( 0800 GMT ) ."),
        [
            "He said : \" No . \"",
            "Then he left .",
            "No one wins . \"",
            "It ends . ”",
            "And at 10 a.m. ( 0800 GMT ) ."
        ]
    );
    assert_eq!(
        sents("He left. \"Go. Now.\" She \"stayed.\" \"Why?\" Yes."),
        [
            "He left.",
            "\"Go.",
            "Now.\"",
            "She \"stayed.\"",
            "\"Why?\"",
            "Yes."
        ]
    );
    assert_eq!(
        sents("He said: “No.” Then he left. She said \"Yes!\" He nodded."),
        [
            "He said: “No.”",
            "Then he left.",
            "She said \"Yes!\"",
            "He nodded."
        ]
    );
    assert_eq!(
        sents("He left. \"Good,\" she said. 'Bye.' Done."),
        ["He left.", "\"Good,\" she said.", "'Bye.'", "Done."]
    );
}

#[test]
fn sentences_and_line_breaks() {
    let text = "Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant \
                TimeWarner jumped 76% to $1.13bn (£600m).\n\nThe firm said so";
    assert_eq!(
        sents(text),
        [
            "Ad sales boost Time Warner profit",
            "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m).",
            "The firm said so"
        ]
    );
    // CoNLL-style input: one sentence per line, whatever the punctuation.
    let conll = "EU rejects German call to boycott British lamb .\nPeter Blackburn\n\
                 BRUSSELS 1996-08-22\nthe European Commission said on Thursday it disagreed\n\
                 J. K.\nRowling";
    assert_eq!(sents(conll), conll.split('\n').collect::<Vec<_>>());
    let wrapped = "The minister said the\nplan would work. Critics\ndisagreed.\n\nNew paragraph";
    let no_newline = TokenizeConfig {
        split_on_newline: false,
        ..TokenizeConfig::default()
    };
    assert_eq!(
        sents_with(wrapped, &no_newline),
        [
            "The minister said the\nplan would work.",
            "Critics\ndisagreed.",
            "New paragraph"
        ]
    );
    assert_eq!(
        sents("- Duty cuts \r\n - Expanded tax net\r\n- Raised"),
        ["- Duty cuts", "- Expanded tax net", "- Raised"]
    );
}

#[test]
fn long_sentences_are_cut() {
    let text = "word ".repeat(25);
    let config = TokenizeConfig {
        max_sentence_tokens: 10,
        ..TokenizeConfig::default()
    };
    let t = tokens(&text);
    let mut s: Vec<Sentence> = Vec::new();
    split_sentences_with(&text, &t, &config, &mut s);
    assert_eq!(
        s.iter().map(|s| s.tokens.clone()).collect::<Vec<_>>(),
        [0..10, 10..20, 20..25]
    );
    let unlimited = TokenizeConfig {
        max_sentence_tokens: 0,
        ..TokenizeConfig::default()
    };
    split_sentences_with(&text, &t, &unlimited, &mut s);
    assert_eq!(s.len(), 1);
}

#[test]
fn stage_fills_both_layers() {
    let ctx = BuildContext::new(".");
    let config: TokenizeConfig = toml::from_str("split_on_newline = false").unwrap();
    assert!(!config.split_on_newline);
    assert_eq!(config.max_sentence_tokens, 512);
    assert!(toml::from_str::<TokenizeConfig>("split_on_newlines = false").is_err());
    let stage = config.build(&ctx).unwrap();
    assert!(config.files(&ctx).is_empty());
    let mut doc = Document::new("a", "Hi there. Bye.");
    doc.tokens.push(Token {
        span: caveat_core::Span::new(0, 1),
        kind: TokenKind::Other,
    });
    stage.process(&mut doc).unwrap();
    assert_eq!(doc.tokens.len(), 5);
    assert_eq!(doc.sentences.len(), 2);
    assert_eq!(doc.sentences[1].tokens, 3..5);
    assert_eq!(stage.info().name, "tokenize");
    let names: Vec<_> = TokenizeConfig::options().iter().map(|o| o.name).collect();
    assert_eq!(names, ["split_on_newline", "max_sentence_tokens"]);
    let round = toml::to_string(&TokenizeConfig::default()).unwrap();
    assert_eq!(
        toml::from_str::<TokenizeConfig>(&round).unwrap(),
        TokenizeConfig::default()
    );
}

/// Check every invariant of the token and sentence layers.
fn check_invariants(text: &str, config: &TokenizeConfig) {
    let t = tokens(text);
    let mut prev_end = 0;
    for tok in &t {
        let (s, e) = (tok.span.start, tok.span.end);
        assert!(s < e, "empty token {tok:?} in {text:?}");
        assert!(s >= prev_end, "overlap at {tok:?} in {text:?}");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        assert!(
            !text[s..e].chars().any(char::is_whitespace),
            "white space in {:?} of {text:?}",
            &text[s..e]
        );
        assert!(
            text[prev_end..s].chars().all(char::is_whitespace),
            "uncovered {:?} in {text:?}",
            &text[prev_end..s]
        );
        prev_end = e;
    }
    assert!(text[prev_end..].chars().all(char::is_whitespace));

    let mut s = Vec::new();
    split_sentences_with(text, &t, config, &mut s);
    let mut next = 0;
    for sent in &s {
        assert_eq!(sent.tokens.start, next, "{text:?}");
        assert!(sent.tokens.end > sent.tokens.start);
        if config.max_sentence_tokens > 0 {
            assert!(sent.tokens.len() <= config.max_sentence_tokens);
        }
        assert_eq!(sent.span.start, t[sent.tokens.start].span.start);
        assert_eq!(sent.span.end, t[sent.tokens.end - 1].span.end);
        next = sent.tokens.end;
    }
    assert_eq!(next, t.len());
}

/// Fragments that exercise the special cases, glued together at random.
fn fragments() -> impl Strategy<Value = String> {
    let pieces = vec![
        "U.S.",
        "U.S",
        "Dr.",
        "No.",
        "J.",
        "a.m.",
        "etc.",
        "’s",
        "'s",
        "n't",
        "'",
        "’",
        "-",
        "--",
        ".",
        "...",
        "…",
        "!",
        "?",
        "“",
        "”",
        "\"",
        "(",
        ")",
        "http://",
        "https://x.co/(a)",
        "www.",
        "@",
        "#",
        "$",
        "US$",
        "%",
        "&",
        "+",
        "1",
        "2,5",
        "1.5",
        "/",
        ":",
        "_",
        "A",
        "a",
        "The",
        "word",
        "é",
        "\u{301}",
        "\u{200D}",
        "😀",
        "🏽",
        "🇬",
        "\u{AD}",
        "\u{2010}",
        " ",
        "\n",
        "\n\n",
        "\r",
        "\u{A0}",
        "\u{2029}",
        "\0",
        "。",
        "東",
        "\u{FEFF}",
        "x@y.com",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn invariants_hold_for_arbitrary_strings(text in any::<String>()) {
        check_invariants(&text, &TokenizeConfig::default());
    }

    #[test]
    fn invariants_hold_for_tricky_fragments(
        text in fragments(),
        split_on_newline in any::<bool>(),
        max_sentence_tokens in 0usize..6,
    ) {
        check_invariants(&text, &TokenizeConfig { split_on_newline, max_sentence_tokens });
    }
}

#[test]
fn foreign_tokens_do_not_panic() {
    let bogus = [
        Token {
            span: caveat_core::Span::new(5, 100),
            kind: TokenKind::Punct,
        },
        Token {
            span: caveat_core::Span::new(1, 2),
            kind: TokenKind::Word,
        },
        Token {
            span: caveat_core::Span::new(0, 0),
            kind: TokenKind::Punct,
        },
    ];
    let mut s = Vec::new();
    split_sentences("é. Ab", &bogus, &mut s);
    assert_eq!(s.iter().map(|s| s.tokens.len()).sum::<usize>(), 3);
}

#[test]
fn long_and_degenerate_inputs() {
    for text in [
        "a".repeat(1 << 20),
        "-".repeat(100_000),
        "1,".repeat(50_000),
        "U.".repeat(50_000),
        "http://".to_string() + &")".repeat(100_000),
        "\u{301}".repeat(10_000),
        "\u{200D}😀".repeat(10_000),
    ] {
        check_invariants(&text, &TokenizeConfig::default());
    }
}

#[test]
fn doubled_apostrophes_and_backticks_are_double_quotes() {
    // Newswire typed on ASCII keyboards (and the Penn Treebank) writes ``...'' or ''...''.
    assert_eq!(
        toks("''This isn't reform,'' said Cole. ``Yes.''"),
        [
            "''", "This", "is", "n't", "reform", ",", "''", "said", "Cole", ".", "``", "Yes", ".",
            "''"
        ]
    );
    // A single apostrophe stays what it was: a clitic, a year, a quotation mark.
    assert_eq!(toks("the '90s' music"), ["the", "'90s", "'", "music"]);
    // `''` opens a sentence as `"` does, and closes one when attached.
    assert_eq!(
        sents("''It is over,'' said Cole, an economist. ''It's anti-reform. She is layering.'' Then he left."),
        [
            "''It is over,'' said Cole, an economist.",
            "''It's anti-reform.",
            "She is layering.''",
            "Then he left."
        ]
    );
}

/// Scraped pages run their `READ MORE: <headline>` boxes into the text: the label and the
/// headline are a sentence of their own when something tells where the headline ends, and the
/// text splits as without the label when nothing does.
#[test]
fn link_headlines_run_into_the_text() {
    assert_eq!(
        sents("It refused to comment on it. READ MORE: Israel's settlement bill 'big step towards annexation' The international community views settlements as illegal."),
        [
            "It refused to comment on it.",
            "READ MORE: Israel's settlement bill 'big step towards annexation'",
            "The international community views settlements as illegal."
        ]
    );
    // A sentence starter, a quotation that opens a sentence, a question mark.
    assert_eq!(
        sents("READ MORE: MSF driver killed in attack on convoy in CAR The governor said so."),
        [
            "READ MORE: MSF driver killed in attack on convoy in CAR",
            "The governor said so."
        ]
    );
    assert_eq!(
        sents("WATCH: Donald Trump clashes with courts over immigration ban \"This is the first time,\" she said."),
        [
            "WATCH: Donald Trump clashes with courts over immigration ban",
            "\"This is the first time,\" she said."
        ]
    );
    assert_eq!(
        sents("RELATED: 'Which parts of Syria should be bombed?' Fethullah Gulen denies it."),
        [
            "RELATED: 'Which parts of Syria should be bombed?'",
            "Fethullah Gulen denies it."
        ]
    );
    // The headline's own dash does not end it before a starter; a label inside a sentence.
    assert_eq!(
        sents("It was closed.- READ MORE: Yemen - A hard winter in Sanaa The war goes on."),
        [
            "It was closed.-",
            "READ MORE: Yemen - A hard winter in Sanaa",
            "The war goes on."
        ]
    );
    // Nothing tells where `... of aid` ends: one sentence, as without the label.
    let glued = "READ MORE: Afghans expelled by Pakistan in dire need of aid Gunmen kidnapped an ICRC employee.";
    assert_eq!(sents(glued), [glued]);
    // A headline on its own line, and one that ends the text.
    assert_eq!(
        sents("READ MORE: Syria hanged 13,000 in prison\nAmnesty said so."),
        [
            "READ MORE: Syria hanged 13,000 in prison",
            "Amnesty said so."
        ]
    );
    assert_eq!(
        sents("READ MORE: Syria hanged 13,000 in prison"),
        ["READ MORE: Syria hanged 13,000 in prison"]
    );
}

/// Pages flattened to text join their paragraphs with a dash after the full stop; the dash
/// ends the sentence (it stays with it, as before a `READ MORE:` label). Not after an
/// abbreviation, and not before a lower-case word.
#[test]
fn a_dash_after_a_full_stop_ends_a_flattened_paragraph() {
    assert_eq!(
        sents("Vaccines cause autism.- \"Claims that vaccines are unsafe,\" he said. It opens Feb. 11.-The musical is set for Feb. 23.- Until then, wait. He left.--The end?- Yes."),
        [
            "Vaccines cause autism.-",
            "\"Claims that vaccines are unsafe,\" he said.",
            "It opens Feb. 11.-",
            "The musical is set for Feb. 23.-",
            "Until then, wait.",
            "He left.--",
            "The end?-",
            "Yes."
        ]
    );
    // The same pages lost the character after a closing quote to a `?`.
    assert_eq!(
        sents("It will \"strengthen our schools.\"?Before the vote, he said \"no,\"?and left."),
        [
            "It will \"strengthen our schools.\"?",
            "Before the vote, he said \"no,\"?and left."
        ]
    );
    for one in [
        "The U.S.-Mexico border and the Jan.-March figures are long.",
        "It rose by 3.-4. percent in some years.",
        "The vote was close.-and then it was over.",
        "Speeds are in km. km/h and mph are both used.",
    ] {
        assert_eq!(sents(one), [one]);
    }
}

#[test]
fn a_wire_credit_line_is_no_part_of_the_last_sentence() {
    assert_eq!(
        sents("Sales fell in 2018. hg/jd (AFP, dpa) - Law and order returned.- mb/rt (AFP, Reuters) He left. ipj/rt-(dpa, AFP)"),
        [
            "Sales fell in 2018.",
            "hg/jd (AFP, dpa) - Law and order returned.-",
            "mb/rt (AFP, Reuters) He left.",
            "ipj/rt-(dpa, AFP)"
        ]
    );
}
