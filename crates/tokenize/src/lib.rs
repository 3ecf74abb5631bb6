//! caveat's `tokenize` stage: a fast, rule-based word tokenizer and sentence splitter for
//! English news.
//!
//! The stage fills [`Document::tokens`] and [`Document::sentences`]. The two halves are also
//! usable without a [`Document`]: [`tokenize`] and [`split_sentences`] (or
//! [`split_sentences_with`] for non-default options).
//!
//! # Guarantees
//!
//! * Offsets are byte ranges into the original text, on character boundaries; the text is
//!   never modified or normalised.
//! * Tokens are non-empty, contain no white space (`char::is_whitespace`), are sorted and do
//!   not overlap, and together cover every other character of the text.
//! * Sentences are non-empty, contiguous token ranges covering all tokens in order.
//! * Any input (arbitrary Unicode, control characters, megabyte-long words) is handled in one
//!   linear pass, without panics. A property test checks all of the above.
//!
//! # Tokens
//!
//! Tokenisation follows the conventions of the CoNLL-2003 data (Penn Treebank-like), since
//! the NER model downstream was trained on it:
//!
//! * Words and numbers are runs of letters, digits and combining marks, kept whole across
//!   inner hyphens (`Jong-un`, `well-known`, `2-1`, `1996-08-22`, `COVID-19`), inner periods
//!   (`U.S.`, `a.m.`, `Amazon.com`, `1.13bn`), digit-separating `,` `:` `/`
//!   (`1,000.50`, `10:30`, `1/2`) and `&` between capitals (`S&P`, `AT&T`). Letters after
//!   digits stay (`3rd`, `1990s`, `600m`). A number is [`TokenKind::Number`](caveat_core::TokenKind::Number) when it starts
//!   with a digit (or `+` and a digit: `+44`); otherwise a word is [`TokenKind::Word`](caveat_core::TokenKind::Word).
//! * Clitics are split off as in the Penn Treebank: `Mikhaylov's` → `Mikhaylov` `'s`,
//!   `they're` → `they` `'re`, `don't` → `do` `n't`, `can't` → `ca` `n't`, also with the
//!   curly apostrophe `’`. Other inner apostrophes stay (`O'Brien`, `d'Ivoire`); a final
//!   one is punctuation (`users` `'`). `'90s` is one number. Text that is already
//!   tokenised keeps its clitics whole (`Mikhaylov 's`, `do n't`).
//! * A period stays on the word only for abbreviations: initialisms with inner periods
//!   (`U.S.`, `e.g.`, `Ph.D.`, `U.S.-led`), single capital initials (`J.` `K.` `Rowling`),
//!   and a static list (titles `Dr. Mr. Gen. Sen. Gov.`, `Inc. Corp. Ltd. Co. Jr. St.`,
//!   months `Jan.`, US states `Calif.`, `etc. vs. et al.`; `No. Vol. pp.` only before a
//!   number). A number of at most three digits at the start of a line keeps its period
//!   (numbered lists and rankings: `1. Steffi Graf`, as in CoNLL). Any other sentence-final
//!   period is a token of its own. A decimal without a leading zero is one number (`.500`).
//! * `%` is split from its number (`76` `%`), as in CoNLL; currency symbols are tokens of
//!   their own (`$` `1.13bn`, `£` `600m`), except the CoNLL-style prefixed dollars `US$`,
//!   `C$`, `HK$`.
//! * URLs (`http://`, `https://`, `ftp://`, `www.`; trailing punctuation and unbalanced
//!   closing brackets are left out), e-mail addresses, `@handles` and `#hashtags` are one
//!   token each.
//! * Punctuation is one token per character, except runs of the same character for `.`
//!   (`...`), `-` (`--`), `!`, `?`, `*`, `_`, `=`, `~` and the Unicode dashes (`——`). Curly
//!   and straight quotes, `…`, `—`, `–` and brackets are tokens of their own.
//! * Symbols (`$ £ € % & + < > ^ |`, Unicode currency, math and modifier symbols) are
//!   [`TokenKind::Symbol`](caveat_core::TokenKind::Symbol); emoji sequences (with skin tones, variation selectors, zero-width
//!   joiners, flags) and anything else (stray marks, format and control characters) are
//!   [`TokenKind::Other`](caveat_core::TokenKind::Other).
//!
//! The scanner works on bytes with a table for ASCII and decodes a character only at a
//! non-ASCII byte; general categories are looked up only off that fast path.
//!
//! # Sentences
//!
//! A sentence ends:
//!
//! * after `.` `!` `?` `…` (and `。` `！` `？`, which need no following space), together with
//!   further terminators and attached closing quotes and brackets (`He said: “No.” Then`
//!   splits after `”`), when white space follows and the next token can start a sentence:
//!   anything but a lower-case word or punctuation other than an opening quote or bracket, a
//!   dash or a bullet. Detached closers are absorbed too when they cannot open anything
//!   (`”`, `)`), or, for a straight `"`, when a quote is open on the line or the line ends
//!   after it, so that already tokenised text (`he said : " No . "`) splits the same way;
//! * after an abbreviation that often ends a sentence (`U.S.`, `a.m.`, `Inc.`, `etc.`) only
//!   when the next word is a typical sentence starter (`The`, `He`, `But`, ...) or an opening
//!   quote: `the U.S. Senate` stays whole, `in the U.S. The next` splits; never after titles
//!   and initials (`Dr. Smith`, `J. K. Rowling`);
//! * at every line break (`split_on_newline = true`, the default). News text in the corpora
//!   puts line breaks only between paragraphs, after headlines and between bullet items, and
//!   evaluation data (CoNLL) comes as one sentence per line, so a line break is a far more
//!   reliable boundary than any guess about wrapped lines. For hard-wrapped text set
//!   `split_on_newline = false`: then only blank lines (paragraph breaks) end a sentence
//!   regardless of punctuation;
//! * around the label and headline of a link to another article that a page flattened to text
//!   runs into the next sentence (`... on it. READ MORE: Israel's settlement bill 'big step
//!   towards annexation' The international community ...`): the headline ends before a
//!   typical sentence starter, a quotation mark opening a sentence, after a closing single
//!   quote before a capital, at `?` / `!` or at the end of its line; when nothing tells, the
//!   label stays in the sentence (`caveat_text::links`);
//! * after `max_sentence_tokens` tokens (default 512), so that a text without punctuation
//!   cannot produce one giant sentence for later stages.
//!
//! # Agreement with CoNLL-2003
//!
//! Fed the CoNLL-2003 training text as the evaluation does (tokens joined by spaces, one
//! sentence per line), the tokenizer reproduces 99.95% of the gold tokens (the rest are
//! oddities such as `AA-` ratings, `Tel+44` and table rulers), and the splitter ends a sentence
//! at every line and inside only 4 of the 14,041 lines.

mod abbrev;
mod scan;
mod sentences;

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Layer, Stage, StageConfig, StageError,
    StageInfo,
};

pub use scan::tokenize;
pub use sentences::{split_sentences, split_sentences_with};

stage_options! {
    /// Options of the `tokenize` stage as written in a `[[stages]]` table.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TokenizeConfig {
        /// Every line break ends a sentence (right for news with one paragraph per line and
        /// for one-sentence-per-line data); set false for hard-wrapped text, where only blank
        /// lines and punctuation end sentences.
        pub split_on_newline: bool = true,
        /// Cut sentences longer than this many tokens (protects later stages from
        /// unpunctuated text); 0 means no limit.
        pub max_sentence_tokens: usize = 512,
    }
}

impl TokenizeConfig {
    /// Build the stage (nothing to load).
    pub fn build(&self, _ctx: &BuildContext) -> Result<TokenizeStage, TokenizeError> {
        Ok(TokenizeStage {
            config: self.clone(),
        })
    }
}

impl StageConfig for TokenizeConfig {
    const INFO: StageInfo = StageInfo::new("tokenize", &[], &[Layer::Tokens, Layer::Sentences]);

    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        Ok(Box::new(TokenizeConfig::build(self, ctx)?))
    }
}

/// An error building the tokenize stage. The stage has no files and every option value is
/// valid, so none can occur today; the type exists for the stage convention.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenizeError {}

/// The built `tokenize` stage.
#[derive(Debug, Clone)]
pub struct TokenizeStage {
    config: TokenizeConfig,
}

impl TokenizeStage {
    /// The stage's options.
    pub fn config(&self) -> &TokenizeConfig {
        &self.config
    }
}

impl Stage for TokenizeStage {
    fn info(&self) -> StageInfo {
        <TokenizeConfig as StageConfig>::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        tokenize(&doc.text, &mut doc.tokens);
        split_sentences_with(&doc.text, &doc.tokens, &self.config, &mut doc.sentences);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
