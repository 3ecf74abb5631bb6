//! The extraction algorithm: cue tagging, source choice, content span, and the links to
//! entities, hedges and cited attributions.
//!
//! Per document, every token gets a small [`Tok`] record (hashes of its lower-cased form and
//! suffix, a shape, a word class, its cue-lexicon prior, quotation state). Per sentence,
//! tokens whose word is in the cue lexicon are scored by the cue perceptron left to right
//! (the previous decision is a feature); runs of accepted tokens form one cue. For each cue,
//! the source perceptron ranks the words of the sentence (plus a "no source" option); the
//! winner is grown into a noun phrase. The content is the clause on the other side of the cue
//! (after it, or before it for quote-final and inverted cues).

use std::ops::Range;

use caveat_core::{Attribution, Document, Span, TokenKind};

use crate::lexicon::{HashIndex, Lexicon};
use crate::model::{mix, word_hash, Model};

// Shapes.
pub(crate) const SH_LOWER: u8 = 0;
pub(crate) const SH_CAP: u8 = 1;
pub(crate) const SH_UPPER: u8 = 2;
pub(crate) const SH_NUM: u8 = 3;
pub(crate) const SH_COMMA: u8 = 4;
pub(crate) const SH_FINAL: u8 = 5;
pub(crate) const SH_OPENQ: u8 = 6;
pub(crate) const SH_CLOSEQ: u8 = 7;
pub(crate) const SH_QUOTE: u8 = 8;
pub(crate) const SH_COLON: u8 = 9;
pub(crate) const SH_DASH: u8 = 10;
pub(crate) const SH_OPENB: u8 = 11;
pub(crate) const SH_CLOSEB: u8 = 12;
pub(crate) const SH_OTHER: u8 = 13;

// Word classes.
const C_PRON: u8 = 1;
const C_REL: u8 = 2;
const C_THAT: u8 = 3;
const C_DET: u8 = 4;
const C_QUANT: u8 = 5;
const C_AUX: u8 = 6;
const C_ADV: u8 = 7;
const C_PREP: u8 = 8;
const C_CONJ: u8 = 9;
const C_TITLE: u8 = 10;
const C_POSS: u8 = 11;
const C_CITE: u8 = 12;
const C_ACCORDING: u8 = 13;

const CLASS_WORDS: &[(u8, &[&str])] = &[
    (
        C_PRON,
        &[
            "he", "she", "they", "i", "we", "you", "it", "him", "them", "us", "me",
        ],
    ),
    (C_REL, &["who", "which", "whom"]),
    (C_THAT, &["that"]),
    (
        C_DET,
        &[
            "the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "our", "my",
            "your",
        ],
    ),
    (
        C_QUANT,
        &[
            "some", "many", "several", "most", "few", "all", "other", "others", "both", "each",
            "one", "two", "three",
        ],
    ),
    (
        C_AUX,
        &[
            "has", "have", "had", "is", "was", "are", "were", "be", "been", "being", "will",
            "would", "could", "should", "may", "might", "can", "did", "does", "do", "must",
        ],
    ),
    (
        C_ADV,
        &[
            "also",
            "not",
            "never",
            "later",
            "earlier",
            "previously",
            "recently",
            "repeatedly",
            "often",
            "still",
            "even",
            "already",
            "publicly",
            "privately",
            "once",
            "reportedly",
            "just",
            "then",
            "now",
            "again",
            "first",
            "has",
            "n't",
        ],
    ),
    (
        C_PREP,
        &[
            "to", "of", "in", "on", "at", "for", "with", "by", "from", "about", "during", "after",
            "before",
        ],
    ),
    (
        C_CONJ,
        &["and", "but", "or", "while", "as", "because", "if", "when"],
    ),
    (
        C_TITLE,
        &[
            "mr.",
            "mrs.",
            "ms.",
            "dr.",
            "sen.",
            "rep.",
            "gov.",
            "gen.",
            "president",
            "senator",
            "sen",
            "rep",
            "gov",
            "mr",
            "mrs",
            "ms",
            "dr",
        ],
    ),
    (C_POSS, &["'s", "'", "s"]),
    (C_CITE, &["citing", "quoting"]),
    (C_ACCORDING, &["according"]),
];

/// Built-in vague source words (heads of anonymous or collective sources).
pub const DEFAULT_VAGUE: &[&str] = &[
    "some",
    "many",
    "others",
    "experts",
    "expert",
    "officials",
    "official",
    "critics",
    "sources",
    "source",
    "analysts",
    "analyst",
    "observers",
    "people",
    "insiders",
    "aides",
    "critic",
    "reports",
    "report",
    "rumors",
    "rumours",
    "someone",
    "somebody",
    "anonymous",
    "unnamed",
    "several",
    "familiar",
    "close",
    "commentators",
    "pundits",
    "strategists",
    "scientists",
    "researchers",
    "studies",
    "diplomats",
    "activists",
    "advocates",
    "opponents",
    "supporters",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "staffers",
    "allies",
    "members",
];

/// Per-token features, computed once per document.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tok {
    pub(crate) word: u64,
    pub(crate) suffix: u64,
    pub(crate) shape: u8,
    pub(crate) class: u8,
    /// Cue-lexicon prior bucket, 0 = not a cue candidate.
    pub(crate) prior: u8,
    /// Inside quotation marks.
    pub(crate) quoted: bool,
    /// Whether the word is a vague-source word.
    pub(crate) vague: bool,
}

/// What the resources know about one word (one hash lookup per token).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WordInfo {
    class: u8,
    vague: bool,
    prior: u8,
}

/// Lexical resources shared by all threads.
#[derive(Debug, Clone)]
pub(crate) struct Resources {
    pub(crate) lexicon: Lexicon,
    /// Word classes, vague-source words and cue priors by word hash.
    words: HashIndex<WordInfo>,
    pub(crate) model: Model,
    /// Whether the model has cue weights (else the rule fallback is used).
    pub(crate) learned: bool,
    /// Margin a cue token needs (logit of `min_score`).
    pub(crate) min_margin: f32,
}

impl Resources {
    pub(crate) fn new(lexicon: Lexicon, model: Model, vague: &[String], min_score: f32) -> Self {
        let mut words: HashIndex<WordInfo> = HashIndex::default();
        for (c, list) in CLASS_WORDS {
            for w in *list {
                let e = words.entry(word_hash(w)).or_default();
                if e.class == 0 {
                    e.class = *c;
                }
            }
        }
        for w in vague {
            words.entry(word_hash(w)).or_default().vague = true;
        }
        for (h, b) in lexicon.buckets() {
            words.entry(h).or_default().prior = b;
        }
        let learned = !model.cue.is_empty();
        let p = min_score.clamp(1e-4, 1.0 - 1e-4);
        Resources {
            lexicon,
            words,
            model,
            learned,
            min_margin: (p / (1.0 - p)).ln(),
        }
    }
}

fn shape_of(text: &str, kind: TokenKind) -> u8 {
    let mut chars = text.chars();
    let first = chars.next().unwrap_or(' ');
    match kind {
        TokenKind::Number => SH_NUM,
        TokenKind::Word => {
            if first.is_uppercase() {
                if text.chars().count() > 1 && text.chars().all(|c| !c.is_lowercase()) {
                    SH_UPPER
                } else {
                    SH_CAP
                }
            } else {
                SH_LOWER
            }
        }
        _ => match text {
            "," => SH_COMMA,
            "." | "!" | "?" | "..." | "…" => SH_FINAL,
            "“" | "‘" | "``" | "«" => SH_OPENQ,
            "”" | "’" | "''" | "»" => SH_CLOSEQ,
            "\"" | "'" => SH_QUOTE,
            ":" | ";" => SH_COLON,
            "—" | "–" | "-" | "--" => SH_DASH,
            "(" | "[" | "{" => SH_OPENB,
            ")" | "]" | "}" => SH_CLOSEB,
            _ if first.is_alphabetic() => {
                if first.is_uppercase() {
                    SH_CAP
                } else {
                    SH_LOWER
                }
            }
            _ => SH_OTHER,
        },
    }
}

/// The prior bucket of a word or of its stem, 0..=6.
#[inline]
pub(crate) fn strength(prior: u8) -> u8 {
    if prior > 6 {
        prior - 6
    } else {
        prior
    }
}

/// A word with a high cue prior of its own (said, says, according).
#[inline]
fn is_strong(prior: u8) -> bool {
    (5..=6).contains(&prior)
}

#[inline]
fn is_quote(shape: u8) -> bool {
    matches!(shape, SH_OPENQ | SH_CLOSEQ | SH_QUOTE)
}

#[inline]
fn is_wordish(shape: u8) -> bool {
    matches!(shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
}

/// Everything computed once per document.
pub(crate) struct DocFeatures {
    pub(crate) toks: Vec<Tok>,
    /// Number of comma tokens before each token (len = tokens + 1).
    commas: Vec<u32>,
    /// Number of quote tokens before each token (len = tokens + 1).
    quotes: Vec<u32>,
    /// Number of strong cue candidates (prior bucket >= 4) before each token.
    verbs: Vec<u32>,
    /// Number of word and number tokens before each token (len = tokens + 1).
    words: Vec<u32>,
    /// Index of the nearest very strong cue word (prior bucket >= 5) before / after each
    /// token (`u32::MAX` when none).
    strong_before: Vec<u32>,
    strong_after: Vec<u32>,
}

impl DocFeatures {
    pub(crate) fn new(doc: &Document, res: &Resources) -> DocFeatures {
        let n = doc.tokens.len();
        let mut toks = Vec::with_capacity(n);
        let mut commas = Vec::with_capacity(n + 1);
        let mut quotes = Vec::with_capacity(n + 1);
        let mut verbs = Vec::with_capacity(n + 1);
        let mut words = Vec::with_capacity(n + 1);
        let (mut nc, mut nq, mut nv, mut nw) = (0u32, 0u32, 0u32, 0u32);
        let mut inside = false;
        let mut prev_end = 0usize;
        let bytes = doc.text.as_bytes();
        for t in &doc.tokens {
            let (start, end) = (t.span.start.min(bytes.len()), t.span.end.min(bytes.len()));
            let text = doc.text.get(start..end).unwrap_or("");
            // A paragraph break ends any open quotation.
            if prev_end <= start && bytes[prev_end..start].contains(&b'\n') {
                inside = false;
            }
            prev_end = end.max(prev_end);
            let word = word_hash(text);
            let shape = shape_of(text, t.kind);
            let suffix = {
                let cut = text
                    .char_indices()
                    .rev()
                    .nth(2)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                mix(word_hash(&text[cut..]), 0x5f)
            };
            let info = res.words.get(&word).copied().unwrap_or_default();
            let prior = if matches!(shape, SH_COMMA | SH_FINAL | SH_OPENQ | SH_CLOSEQ | SH_QUOTE) {
                0
            } else if info.prior > 0 {
                info.prior
            } else {
                res.lexicon.stem_bucket(text)
            };
            let quoted = match shape {
                SH_OPENQ => {
                    inside = true;
                    true
                }
                SH_CLOSEQ => {
                    // `’` is also an apostrophe: it only closes when something is open.
                    let was = inside;
                    inside = false;
                    was
                }
                SH_QUOTE => {
                    inside = !inside;
                    true
                }
                _ => inside,
            };
            commas.push(nc);
            quotes.push(nq);
            verbs.push(nv);
            words.push(nw);
            nw += u32::from(is_wordish(shape));
            nc += u32::from(shape == SH_COMMA);
            nq += u32::from(is_quote(shape));
            nv += u32::from((4..=6).contains(&prior));
            toks.push(Tok {
                word,
                suffix,
                shape,
                class: info.class,
                prior,
                quoted,
                vague: info.vague,
            });
        }
        commas.push(nc);
        quotes.push(nq);
        verbs.push(nv);
        words.push(nw);
        let mut strong_before = vec![u32::MAX; n];
        let mut strong_after = vec![u32::MAX; n];
        let mut last = u32::MAX;
        for (i, t) in toks.iter().enumerate() {
            strong_before[i] = last;
            if is_strong(t.prior) {
                last = i as u32;
            }
        }
        last = u32::MAX;
        for (i, t) in toks.iter().enumerate().rev() {
            strong_after[i] = last;
            if is_strong(t.prior) {
                last = i as u32;
            }
        }
        DocFeatures {
            toks,
            commas,
            quotes,
            verbs,
            words,
            strong_before,
            strong_after,
        }
    }

    #[inline]
    fn between(prefix: &[u32], a: usize, b: usize) -> u32 {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prefix[b] - prefix[a]
    }
}

const NONE_WORD: u64 = 0x7777_1234;

#[inline]
fn f1(t: u64, a: u64) -> u64 {
    mix(t.wrapping_mul(0x100_0000_01b3), a)
}
#[inline]
fn f2(t: u64, a: u64, b: u64) -> u64 {
    mix(f1(t, a), b)
}

fn bucket(d: usize) -> u64 {
    match d {
        0..=3 => d as u64,
        4..=5 => 4,
        6..=8 => 5,
        9..=14 => 6,
        _ => 7,
    }
}

/// The features of cue candidate `i` in sentence `s` (token range).
pub(crate) fn cue_features(
    df: &DocFeatures,
    s: &Range<usize>,
    i: usize,
    prev: bool,
    last: Option<usize>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let t = &df.toks;
    let at = |k: isize| -> Tok {
        let j = i as isize + k;
        if j < s.start as isize || j >= s.end as isize {
            Tok {
                word: NONE_WORD,
                suffix: NONE_WORD,
                shape: 20,
                ..Tok::default()
            }
        } else {
            t[j as usize]
        }
    };
    let (m2, m1, c, p1, p2) = (at(-2), at(-1), t[i], at(1), at(2));
    let w = c.word;
    out.push(f1(0, 0));
    out.push(f1(1, w));
    out.push(f1(2, c.prior as u64));
    out.push(f1(3, c.suffix));
    out.push(f1(4, c.shape as u64));
    out.push(f1(5, m1.word));
    out.push(f1(6, p1.word));
    out.push(f1(7, m2.word));
    out.push(f1(8, p2.word));
    out.push(f2(9, m1.shape as u64, c.shape as u64));
    out.push(f2(10, p1.shape as u64, c.prior as u64));
    out.push(f2(11, m1.shape as u64, p1.shape as u64));
    out.push(f2(12, m1.word, w));
    out.push(f2(13, w, p1.word));
    out.push(f2(14, m1.class as u64, c.prior as u64));
    out.push(f2(15, p1.class as u64, c.prior as u64));
    out.push(f2(16, w, m1.class as u64));
    out.push(f2(17, w, p1.shape as u64));
    out.push(f2(18, c.quoted as u64, c.prior as u64));
    out.push(f2(19, w, c.quoted as u64));
    out.push(f2(20, prev as u64, c.prior as u64));
    out.push(f2(21, w, prev as u64));
    out.push(f1(22, bucket(i - s.start)));
    out.push(f1(23, bucket(s.end - 1 - i)));
    let qb = DocFeatures::between(&df.quotes, s.start, i).min(3) as u64;
    let qa = DocFeatures::between(&df.quotes, i + 1, s.end).min(3) as u64;
    out.push(f2(24, qb, qa));
    out.push(f2(25, w, qb.min(1) * 2 + qa.min(1)));
    out.push(f2(26, m1.suffix, c.suffix));
    out.push(f2(27, c.suffix, p1.word));
    out.push(f2(28, m2.shape as u64, m1.shape as u64));
    out.push(f2(29, m2.class as u64, m1.class as u64));
    out.push(f2(30, w, m2.class as u64));
    out.push(f2(31, w, p2.class as u64));
    out.push(f2(32, c.suffix, c.prior as u64));
    let vb = DocFeatures::between(&df.verbs, s.start, i).min(2) as u64;
    out.push(f2(33, vb, c.prior as u64));
    out.push(f2(34, (i == s.start) as u64, c.shape as u64));
    let (m3, p3) = (at(-3), at(3));
    out.push(f1(45, m3.word));
    out.push(f1(46, p3.word));
    out.push(f2(47, p1.suffix, c.prior as u64));
    let that_soon = [p1, p2, p3].iter().any(|x| x.class == C_THAT);
    out.push(f2(48, that_soon as u64, c.prior as u64));
    out.push(f2(49, w, that_soon as u64));
    out.push(f2(
        50,
        f1(m1.shape as u64, m1.class as u64),
        f1(p1.shape as u64, p1.class as u64),
    ));
    // An earlier cue of the sentence: its content usually holds no further cue.
    let (lb, lq) = match last {
        Some(l) if !prev => (
            1 + bucket(i - l),
            DocFeatures::between(&df.quotes, l, i).min(2) as u64,
        ),
        _ => (0, 0),
    };
    out.push(f2(35, lb, lq));
    out.push(f2(36, f1(lb, lq), c.prior as u64));
    out.push(f2(37, w, lb.min(3)));
    // The nearest strong cue word after and before (same sentence).
    let sa = df.strong_after[i] as usize;
    if sa < s.end {
        let d = bucket(sa - i);
        let cm = DocFeatures::between(&df.commas, i + 1, sa).min(2) as u64;
        out.push(f2(38, d, cm));
        out.push(f2(39, f1(d, cm), c.prior as u64));
        out.push(f2(40, t[sa].word, d.min(2)));
        out.push(f2(41, w, d.min(4)));
    } else {
        out.push(f1(38, 99));
    }
    let sb = df.strong_before[i] as usize;
    if sb < i && sb >= s.start {
        let d = bucket(i - sb);
        let cm = DocFeatures::between(&df.commas, sb + 1, i).min(2) as u64;
        out.push(f2(42, d, cm));
        out.push(f2(43, f1(d, cm), c.prior as u64));
        out.push(f2(44, w, d.min(4)));
    } else {
        out.push(f1(42, 99));
    }
}

/// A cue found in a sentence: token range, head token, margin.
#[derive(Clone, Debug)]
pub(crate) struct CueRun {
    pub(crate) tokens: Range<usize>,
    pub(crate) head: usize,
    pub(crate) margin: f32,
}

/// Tag the cues of sentence `s`.
pub(crate) fn find_cues(
    df: &DocFeatures,
    res: &Resources,
    s: &Range<usize>,
    feats: &mut Vec<u64>,
    out: &mut Vec<CueRun>,
) {
    let mut prev = false;
    let mut last = None;
    for i in s.clone() {
        let t = df.toks[i];
        if t.prior == 0 {
            prev = false;
            continue;
        }
        let margin = if res.learned {
            cue_features(df, s, i, prev, last, feats);
            res.model.cue.score(feats)
        } else if is_strong(t.prior) && !t.quoted {
            1.0
        } else {
            -1.0
        };
        let pos = margin > res.min_margin;
        if pos {
            last = Some(i);
            match out.last_mut() {
                Some(run) if prev && run.tokens.end == i => {
                    run.tokens.end = i + 1;
                    if strength(t.prior) >= strength(df.toks[run.head].prior) {
                        run.head = i;
                    }
                    run.margin = run.margin.max(margin);
                }
                _ => out.push(CueRun {
                    tokens: i..i + 1,
                    head: i,
                    margin,
                }),
            }
        }
        prev = pos;
    }
}

/// The source ranker's features for candidate `j` (None = "no source") of cue `cue`.
pub(crate) fn source_features(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &CueRun,
    j: Option<usize>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let t = &df.toks;
    let h = t[cue.head];
    let cw = h.word;
    let Some(j) = j else {
        out.push(f1(100, 0));
        out.push(f1(101, cw));
        out.push(f1(102, h.suffix));
        let before = DocFeatures::between(&df.words, s.start, cue.tokens.start) as usize;
        out.push(f1(103, bucket(before)));
        out.push(f2(104, cw, (before > 0) as u64));
        let m1 = if cue.tokens.start > s.start {
            t[cue.tokens.start - 1]
        } else {
            Tok::default()
        };
        out.push(f2(105, m1.class as u64, m1.shape as u64));
        out.push(f2(106, m1.word, 1));
        return;
    };
    let c = t[j];
    let after = j >= cue.tokens.end;
    let dir = after as u64;
    let dist = if after {
        j - cue.tokens.end
    } else {
        cue.tokens.start - 1 - j
    };
    let db = bucket(dist);
    let (lo, hi) = if after {
        (cue.tokens.end, j)
    } else {
        (j + 1, cue.tokens.start)
    };
    let commas = DocFeatures::between(&df.commas, lo, hi).min(3) as u64;
    let quotes = DocFeatures::between(&df.quotes, lo, hi).min(2) as u64;
    let verbs = DocFeatures::between(&df.verbs, lo, hi).min(2) as u64;
    let get = |k: usize| -> Tok {
        if k >= s.start && k < s.end {
            t[k]
        } else {
            Tok {
                word: NONE_WORD,
                shape: 20,
                ..Tok::default()
            }
        }
    };
    let prev = if j > 0 { get(j - 1) } else { get(usize::MAX) };
    let next = get(j + 1);
    out.push(f2(110, dir, db));
    out.push(f2(111, dir, c.shape as u64));
    out.push(f2(112, dir, c.class as u64));
    out.push(f1(113, c.word));
    out.push(f2(114, c.suffix, dir));
    out.push(f2(115, cw, dir));
    out.push(f2(116, f1(cw, dir), db));
    out.push(f2(117, dir, commas));
    out.push(f2(118, dir, quotes));
    out.push(f2(119, dir, verbs));
    out.push(f2(120, next.shape as u64, c.shape as u64));
    out.push(f2(121, next.word, dir));
    out.push(f2(122, prev.shape as u64, c.shape as u64));
    out.push(f2(123, prev.word, dir));
    out.push(f2(124, f1(dir, prev.class as u64), next.class as u64));
    out.push(f2(125, (j == s.start) as u64, c.shape as u64));
    out.push(f2(126, f1(dir, db), c.shape as u64));
    out.push(f2(127, f1(dir, db), c.class as u64));
    out.push(f2(128, h.suffix, f1(dir, c.class as u64)));
    out.push(f2(129, c.quoted as u64, dir));
    out.push(f2(130, f1(dir, commas), c.shape as u64));
    out.push(f2(131, c.prior as u64, dir));
    out.push(f2(132, f1(cw, dir), c.class as u64));
    out.push(f2(133, f1(cw, dir), c.shape as u64));
    out.push(f2(134, next.class as u64, c.shape as u64));
}

/// Added to the "no source" score: a guessed source overlaps more often than none.
const NO_SOURCE_BIAS: f32 = -2.0;

/// Token window searched for a source around a cue.
const SOURCE_WINDOW: usize = 40;

/// Candidate source tokens of a cue.
pub(crate) fn source_candidates<'a>(
    df: &'a DocFeatures,
    s: &Range<usize>,
    cue: &CueRun,
) -> impl Iterator<Item = usize> + 'a {
    let lo = cue.tokens.start.saturating_sub(SOURCE_WINDOW).max(s.start);
    let hi = (cue.tokens.end + SOURCE_WINDOW).min(s.end);
    let cue_range = cue.tokens.clone();
    (lo..hi).filter(move |&j| !cue_range.contains(&j) && is_wordish(df.toks[j].shape))
}

/// Pick the source head token of a cue (None = no source).
pub(crate) fn choose_source(
    df: &DocFeatures,
    res: &Resources,
    s: &Range<usize>,
    cue: &CueRun,
    feats: &mut Vec<u64>,
) -> Option<usize> {
    let t = &df.toks;
    if !res.learned || res.model.source.is_empty() {
        // Rule fallback: "according to X" and "citing X" look right; else the nearest
        // pronoun, relative pronoun or capitalised word before the cue, else after it.
        let h = t[cue.head];
        if matches!(h.class, C_ACCORDING | C_CITE) {
            return (cue.tokens.end..s.end)
                .find(|&j| is_wordish(t[j].shape) && t[j].class != C_PREP);
        }
        let before = (s.start..cue.tokens.start)
            .rev()
            .take(SOURCE_WINDOW)
            .find(|&j| {
                matches!(t[j].class, C_PRON | C_REL) || matches!(t[j].shape, SH_CAP | SH_UPPER)
            });
        return before.or_else(|| {
            (cue.tokens.end..s.end)
                .take(SOURCE_WINDOW)
                .find(|&j| matches!(t[j].class, C_PRON) || matches!(t[j].shape, SH_CAP | SH_UPPER))
        });
    }
    if t[cue.head].class == C_CITE {
        // "citing X", "quoting X": the cited source follows.
        return (cue.tokens.end..s.end.min(cue.tokens.end + 6))
            .find(|&j| is_wordish(t[j].shape) && !matches!(t[j].class, C_DET | C_PREP | C_QUANT));
    }
    source_features(df, s, cue, None, feats);
    let mut best = None;
    let mut best_score = res.model.source.score(feats) + NO_SOURCE_BIAS;
    for j in source_candidates(df, s, cue) {
        source_features(df, s, cue, Some(j), feats);
        let sc = res.model.source.score(feats);
        if sc > best_score {
            best_score = sc;
            best = Some(j);
        }
    }
    best
}

/// Grow a source head token into a noun phrase (token range), staying inside `s` and off
/// the cue.
pub(crate) fn grow_source(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    j: usize,
) -> Range<usize> {
    let t = &df.toks;
    if matches!(t[j].class, C_PRON | C_REL) {
        return j..j + 1;
    }
    let ok = |k: usize| s.contains(&k) && !cue.contains(&k);
    let mut lo = j;
    let mut hi = j + 1;
    let capital = |x: &Tok| matches!(x.shape, SH_CAP | SH_UPPER) || x.class == C_TITLE;
    if capital(&t[j]) {
        while hi < s.end && ok(hi) && (capital(&t[hi]) || t[hi].shape == SH_NUM) && hi - j < 6 {
            hi += 1;
        }
    }
    // Leftwards: capitalised words, adjectives and nouns up to a determiner or quantifier,
    // across at most two prepositions ("a source familiar with the talks", "the head of the
    // FBI", "officials at the Pentagon").
    let mut steps = 0;
    let mut hops = 0;
    while lo > s.start && ok(lo - 1) && steps < 8 {
        let p = &t[lo - 1];
        if matches!(p.class, C_DET | C_QUANT) {
            lo -= 1;
            // Continue only through a preposition before the determiner.
            if !(lo > s.start + 1 && ok(lo - 1) && t[lo - 1].class == C_PREP && hops < 2) {
                break;
            }
            continue;
        }
        let content_word = p.class == 0
            && matches!(p.shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
            && !(3..=6).contains(&p.prior);
        if content_word || p.class == C_TITLE || p.class == C_POSS {
            lo -= 1;
            steps += 1;
        } else if p.class == C_PREP
            && hops < 2
            && lo >= s.start + 2
            && ok(lo - 2)
            && matches!(t[lo - 2].shape, SH_LOWER | SH_CAP | SH_UPPER)
            && t[lo - 2].class == 0
            && !(3..=6).contains(&t[lo - 2].prior)
        {
            lo -= 1;
            hops += 1;
        } else {
            break;
        }
    }
    // Never start on a preposition.
    while lo < j && t[lo].class == C_PREP {
        lo += 1;
    }
    lo..hi
}

/// The content span's token range for a cue with the given source tokens.
pub(crate) fn content_range(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    head: usize,
    source: Option<&Range<usize>>,
) -> Option<Range<usize>> {
    let t = &df.toks;
    let src_after = source.is_some_and(|r| r.start >= cue.end);
    let left_edge = source.map_or(cue.start, |r| r.start.min(cue.start));
    let right_edge = match source {
        Some(r) if r.start >= cue.end => r.end,
        _ => cue.end,
    };
    let words = |r: Range<usize>| DocFeatures::between(&df.words, r.start, r.end) as usize;
    let before_words = words(s.start..left_edge);
    let after_words = words(right_edge.min(s.end)..s.end);
    let prev_shape = if left_edge > s.start {
        t[left_edge - 1].shape
    } else {
        20
    };
    let according = matches!(t[head].class, C_ACCORDING);
    let before = if according {
        before_words >= 2
    } else {
        before_words >= 2
            && (src_after
                || matches!(prev_shape, SH_CLOSEQ | SH_QUOTE)
                || (prev_shape == SH_COMMA && left_edge >= 2 && is_quote(t[left_edge - 2].shape))
                || after_words < 2)
    };
    let range = if before {
        let mut hi = left_edge;
        while hi > s.start && matches!(t[hi - 1].shape, SH_COMMA | SH_DASH | SH_COLON) {
            hi -= 1;
        }
        s.start..hi
    } else {
        let mut lo = right_edge;
        if according && source.is_some_and(|r| r.start >= cue.end) {
            // "According to X, <content>": skip to after the next comma.
            if let Some(k) = (lo..s.end.min(lo + SOURCE_WINDOW)).find(|&k| t[k].shape == SH_COMMA) {
                lo = k + 1;
            }
        }
        while lo < s.end
            && (matches!(t[lo].shape, SH_COMMA | SH_COLON | SH_DASH) || t[lo].class == C_THAT)
        {
            lo += 1;
        }
        let mut hi = s.end;
        if hi > lo && t[hi - 1].shape == SH_FINAL {
            hi -= 1;
        }
        lo..hi
    };
    (range.start < range.end).then_some(range)
}

/// Run the whole extraction over one document; appends to `doc.attributions` and links hedges.
pub(crate) fn extract(doc: &mut Document, res: &Resources) {
    let df = DocFeatures::new(doc, res);
    let n = doc.tokens.len();
    let mut feats = Vec::with_capacity(64);
    let mut runs = Vec::new();
    let mut out: Vec<Attribution> = Vec::new();
    let mut heads: Vec<usize> = Vec::new();
    for (si, sent) in doc.sentences.iter().enumerate() {
        let s = sent.tokens.start.min(n)..sent.tokens.end.min(n);
        if s.is_empty() {
            continue;
        }
        runs.clear();
        find_cues(&df, res, &s, &mut feats, &mut runs);
        for run in &runs {
            let src_head = choose_source(&df, res, &s, run, &mut feats);
            let src = src_head.map(|j| grow_source(&df, &s, &run.tokens, j));
            let content = content_range(&df, &s, &run.tokens, run.head, src.as_ref());
            let span = |r: &Range<usize>| {
                Span::new(
                    doc.tokens[r.start].span.start,
                    doc.tokens[r.end - 1].span.end,
                )
            };
            let vague = match &src {
                Some(r) => is_vague(&df, &s, r),
                // No source at all ("it is believed", "reportedly").
                None => true,
            };
            out.push(Attribution {
                source: src.as_ref().map(span),
                cue: Some(span(&run.tokens)),
                content: content.as_ref().map(span),
                source_entity: None,
                vague,
                cites: None,
                sentence: si,
                score: 1.0 / (1.0 + (-run.margin).exp()),
            });
            heads.push(run.head);
        }
    }
    link_chains(&df, &mut out, &heads);
    link_entities(doc, &mut out);
    let base = doc.attributions.len();
    doc.attributions.extend(out);
    link_hedges(doc, base);
}

/// Whether a source is vague: it (or the two words after it, for "people familiar with")
/// has a vague word, and no capitalised name follows that word ("spokesman Jason Miller").
fn is_vague(df: &DocFeatures, s: &Range<usize>, r: &Range<usize>) -> bool {
    let look = (r.end + 2).min(s.end).max(r.end);
    let toks = &df.toks[r.start..look];
    match toks.iter().position(|x| x.vague) {
        None => false,
        Some(p) => !toks[(p + 1).min(r.len())..r.len()]
            .iter()
            .any(|x| matches!(x.shape, SH_CAP | SH_UPPER)),
    }
}

/// "Reuters, citing the NIS, reported X": the citing attribution (source the NIS, cue
/// "citing") becomes the inner one; the outer attribution (Reuters ... reported) gets
/// `cites = Some(inner)`, and the inner one gets the outer one's content.
fn link_chains(df: &DocFeatures, atts: &mut [Attribution], heads: &[usize]) {
    for i in 0..atts.len() {
        if df.toks[heads[i]].class != C_CITE {
            continue;
        }
        // The nearest other attribution of the same sentence.
        let cue_i = atts[i].cue.map_or(0, |c| c.start);
        let mut best: Option<(usize, usize)> = None;
        for dk in 1..=3usize {
            for k in [i.wrapping_sub(dk), i + dk] {
                if k < atts.len()
                    && atts[k].sentence == atts[i].sentence
                    && df.toks[heads[k]].class != C_CITE
                {
                    let d = atts[k].cue.map_or(usize::MAX, |c| c.start.abs_diff(cue_i));
                    if best.is_none_or(|(_, bd)| d < bd) {
                        best = Some((k, d));
                    }
                }
            }
        }
        if let Some((k, _)) = best {
            atts[k].cites = Some(i);
            // The cited source is the source of the outer attribution's content.
            if atts[k].content.is_some() {
                atts[i].content = atts[k].content;
            }
        }
    }
}

/// Set `source_entity` to the first entity overlapping the source.
fn link_entities(doc: &Document, atts: &mut [Attribution]) {
    if doc.entities.is_empty() {
        return;
    }
    for a in atts {
        if let Some(src) = a.source {
            let k = doc.entities.partition_point(|e| e.span.end <= src.start);
            a.source_entity = doc.entities[k..]
                .iter()
                .take_while(|e| e.span.start < src.end)
                .position(|e| e.span.overlaps(src))
                .map(|p| p + k);
        }
    }
}

/// Set `Hedge.attribution` for hedges that are an attribution's cue or source, or lie in its
/// content. Sources and contents never leave their cue's sentence, so only attributions of
/// the hedge's sentence are looked at (at most [`HEDGE_WINDOW`] around the hedge, which keeps
/// pathological one-sentence documents linear).
const HEDGE_WINDOW: usize = 32;

fn link_hedges(doc: &mut Document, base: usize) {
    if doc.hedges.is_empty() || doc.attributions.len() == base {
        return;
    }
    let atts = &doc.attributions[base..];
    // Attributions are in sentence order; for each hedge look at those of nearby sentences.
    for h in doc.hedges.iter_mut() {
        let sent = doc
            .sentences
            .partition_point(|s| s.span.end <= h.span.start);
        let lo = atts.partition_point(|a| a.sentence < sent);
        let hi = atts.partition_point(|a| a.sentence <= sent);
        let at =
            lo + atts[lo..hi].partition_point(|a| a.cue.is_some_and(|c| c.start < h.span.start));
        let lo = at.saturating_sub(HEDGE_WINDOW).max(lo);
        let hi = (at + HEDGE_WINDOW).min(hi);
        // A hedge that is (part of) a cue or a source belongs to that attribution; else to
        // the one with the shortest content containing it (on a tie, the outer one of a
        // citing chain).
        let mut found = None;
        let mut best_len = usize::MAX;
        for (k, a) in atts[lo..hi].iter().enumerate() {
            if a.cue.is_some_and(|c| c.overlaps(h.span)) {
                found = Some(lo + k);
                break;
            }
            if a.source.is_some_and(|c| c.overlaps(h.span)) {
                found = Some(lo + k);
                best_len = 0;
                continue;
            }
            if let Some(c) = a.content {
                let inside = c.start <= h.span.start && h.span.end <= c.end;
                if inside && (c.len() < best_len || (c.len() == best_len && a.cites.is_some())) {
                    best_len = c.len();
                    found = Some(lo + k);
                }
            }
        }
        if let Some(k) = found {
            h.attribution = Some(base + k);
        }
    }
}
