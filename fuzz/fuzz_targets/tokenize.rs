//! Arbitrary bytes; when they are UTF-8, tokenize and split sentences (default options and
//! options derived from the first byte) and check the documented guarantees.
#![no_main]

use caveat_core::{Sentence, Token};
use caveat_tokenize::{split_sentences, split_sentences_with, tokenize, TokenizeConfig};
use libfuzzer_sys::fuzz_target;

fn check_tokens(text: &str, tokens: &[Token]) {
    let mut prev_end = 0;
    for t in tokens {
        let s = t.span;
        assert!(s.start < s.end, "empty token {s:?}");
        assert!(
            s.end <= text.len(),
            "token {s:?} past the end {}",
            text.len()
        );
        assert!(
            s.start >= prev_end,
            "token {s:?} overlaps or is out of order"
        );
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        let tok = &text[s.start..s.end];
        assert!(
            !tok.chars().any(char::is_whitespace),
            "white space in token {tok:?}"
        );
        // Everything between tokens is white space.
        let gap = &text[prev_end..s.start];
        assert!(gap.chars().all(char::is_whitespace), "uncovered {gap:?}");
        prev_end = s.end;
    }
    let tail = &text[prev_end..];
    assert!(
        tail.chars().all(char::is_whitespace),
        "uncovered tail {tail:?}"
    );
}

fn check_sentences(text: &str, tokens: &[Token], sents: &[Sentence], max: usize) {
    let mut next = 0;
    for s in sents {
        assert_eq!(s.tokens.start, next, "sentences not contiguous");
        assert!(s.tokens.start < s.tokens.end, "empty sentence");
        assert!(s.tokens.end <= tokens.len());
        if max > 0 {
            assert!(
                s.tokens.len() <= max,
                "sentence of {} tokens > {max}",
                s.tokens.len()
            );
        }
        assert_eq!(s.span.start, tokens[s.tokens.start].span.start);
        assert_eq!(s.span.end, tokens[s.tokens.end - 1].span.end);
        assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
        next = s.tokens.end;
    }
    assert_eq!(next, tokens.len(), "sentences do not cover every token");
}

fuzz_target!(|data: &[u8]| {
    let Some((&opt, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    check_tokens(text, &tokens);
    let mut sents = Vec::new();
    split_sentences(text, &tokens, &mut sents);
    check_sentences(
        text,
        &tokens,
        &sents,
        TokenizeConfig::default().max_sentence_tokens,
    );
    let config = TokenizeConfig {
        split_on_newline: opt & 1 == 1,
        max_sentence_tokens: (opt >> 1) as usize % 8,
    };
    split_sentences_with(text, &tokens, &config, &mut sents);
    check_sentences(text, &tokens, &sents, config.max_sentence_tokens);
});
