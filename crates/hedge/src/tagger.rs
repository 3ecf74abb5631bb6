//! The trained cue tagger: an averaged perceptron that decides, per occurrence, whether a
//! candidate word is a hedge cue in its context.
//!
//! Candidates are the words that were cues in the training data (the learned cue list,
//! `cues.tsv`, with each word's cue rate) and the single-word cues of the lexicon. Each
//! candidate gets sparse features — the word, a suffix-stripped stem, its cue-rate bucket,
//! lexicon membership and category, the neighbouring words and word classes (determiner,
//! negation, *be*, modal), *that* / *to* after it, capitalisation and sentence position —
//! each both domain-independent and as a copy for the training domain closest to news
//! (frustratingly easy domain adaptation; the runtime uses the general and `wiki` copies).
//! Positive adjacent tokens merge into one cue.
//!
//! A model directory holds `model.toml` (format, threshold, provenance), `cues.tsv` (word,
//! cue count, occurrences, category) and `weights.tsv` (feature, weight).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use caveat_core::{Document, Hedge, HedgeCategory, Sentence, Span, Token, TokenKind};
use serde::{Deserialize, Serialize};

use crate::fxhash::{FxBuildHasher, FxHasher};
use crate::text::lower_into;
use crate::{HedgeError, Lexicon, LexiconMatch};

/// Name of the model description file in a model directory.
pub const MODEL_FILE: &str = "model.toml";
/// Name of the weights file in a model directory.
pub const WEIGHTS_FILE: &str = "weights.tsv";
/// Name of the learned cue list in a model directory.
pub const CUES_FILE: &str = "cues.tsv";
/// Version of the feature set; a model of another version is refused.
pub const FEATURES_VERSION: u32 = 1;

/// `model.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    /// Model name.
    pub name: String,
    /// Feature-set version ([`FEATURES_VERSION`]).
    pub features: u32,
    /// Probability from which a candidate is a cue.
    pub threshold: f64,
    /// The domain copy of the features used at run time (`wiki`).
    pub domain: String,
    /// Calibration: probability = sigmoid(scale * perceptron score + bias).
    pub scale: f64,
    /// Calibration bias.
    pub bias: f64,
    /// Free-form provenance: data, epochs, dev scores.
    #[serde(default)]
    pub training: toml::Table,
}

/// One entry of the learned cue list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CueStat {
    /// How often the word was (part of) a cue in training.
    pub cue: u32,
    /// How often it occurred.
    pub total: u32,
    /// The most frequent category of its cue uses.
    pub category: HedgeCategory,
}

impl CueStat {
    /// Cue rate with add-one smoothing towards 0.
    pub fn rate(&self) -> f32 {
        self.cue as f32 / (self.total as f32 + 1.0)
    }
}

/// The learned cue list, by lowercase word.
pub(crate) type CueMap = HashMap<Box<str>, CueStat, FxBuildHasher>;
/// Feature hash -> weight.
pub(crate) type WeightMap = HashMap<u64, f32, FxBuildHasher>;

/// A loaded cue tagger.
#[derive(Debug)]
pub struct Tagger {
    meta: ModelMeta,
    cues: HashMap<Box<str>, CueStat, FxBuildHasher>,
    weights: HashMap<u64, f32, FxBuildHasher>,
    domain: u8,
    threshold: f32,
}

/// Feature-hash domain tags: the general copy, and per training domain.
pub(crate) const DOMAIN_ALL: u8 = 0;
pub(crate) const DOMAIN_WIKI: u8 = 1;
pub(crate) const DOMAIN_BIO: u8 = 2;

pub(crate) fn domain_tag(name: &str) -> Option<u8> {
    match name {
        "*" => Some(DOMAIN_ALL),
        "wiki" => Some(DOMAIN_WIKI),
        "bio" => Some(DOMAIN_BIO),
        _ => None,
    }
}

pub(crate) fn domain_name(tag: u8) -> &'static str {
    match tag {
        DOMAIN_WIKI => "wiki",
        DOMAIN_BIO => "bio",
        _ => "*",
    }
}

/// Hash of a feature string (domain-independent part).
#[inline]
pub(crate) fn base_hash(feature: &str) -> u64 {
    let mut h: FxHasher = FxBuildHasher::default().build_hasher();
    h.write(feature.as_bytes());
    h.finish()
}

/// The hash of a feature's copy in `domain`, from its [`base_hash`].
#[inline]
pub(crate) fn domain_hash(base: u64, domain: u8) -> u64 {
    (base.rotate_left(5) ^ (domain as u64 + 1)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Hash of a feature string in a domain copy.
#[inline]
pub(crate) fn feature_hash(domain: u8, feature: &str) -> u64 {
    domain_hash(base_hash(feature), domain)
}

impl Tagger {
    /// Load a model directory.
    pub fn load(dir: impl AsRef<Path>) -> Result<Tagger, HedgeError> {
        let dir = dir.as_ref();
        let read = |name: &str| -> Result<(PathBuf, String), HedgeError> {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|t| (path.clone(), t))
                .map_err(|source| HedgeError::Io { path, source })
        };
        let (mpath, mtext) = read(MODEL_FILE)?;
        let meta: ModelMeta = toml::from_str(&mtext).map_err(|e| HedgeError::Model {
            path: mpath.clone(),
            line: e
                .span()
                .map_or(0, |s| crate::lexicon::line_col(&mtext, s.start).0),
            message: e.message().to_string(),
        })?;
        if meta.features != FEATURES_VERSION {
            return Err(HedgeError::Model {
                path: mpath,
                line: 0,
                message: format!(
                    "model has feature set {}, this build of caveat-hedge uses {}; retrain it \
                     (caveat_hedge::train) or use a matching caveat version",
                    meta.features, FEATURES_VERSION
                ),
            });
        }
        let domain = domain_tag(&meta.domain).ok_or_else(|| HedgeError::Model {
            path: mpath.clone(),
            line: 0,
            message: format!(
                "unknown domain `{}`, expected `wiki`, `bio` or `*`",
                meta.domain
            ),
        })?;
        let (cpath, ctext) = read(CUES_FILE)?;
        let mut cues = HashMap::default();
        for (n, line) in ctext.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| HedgeError::Model {
                path: cpath.clone(),
                line: n + 1,
                message: format!("{what}; expected `word<TAB>cue count<TAB>count<TAB>category`"),
            };
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 4 {
                return Err(bad("wrong number of fields"));
            }
            let stat = CueStat {
                cue: f[1].parse().map_err(|_| bad("bad cue count"))?,
                total: f[2].parse().map_err(|_| bad("bad count"))?,
                category: f[3].parse().map_err(|e: String| bad(&e))?,
            };
            cues.insert(f[0].into(), stat);
        }
        let (wpath, wtext) = read(WEIGHTS_FILE)?;
        let mut weights = HashMap::default();
        for (n, line) in wtext.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| HedgeError::Model {
                path: wpath.clone(),
                line: n + 1,
                message: format!("{what}; expected `domain<TAB>feature<TAB>weight`"),
            };
            let mut f = line.splitn(3, '\t');
            let (Some(d), Some(feat), Some(w)) = (f.next(), f.next(), f.next()) else {
                return Err(bad("wrong number of fields"));
            };
            let d = domain_tag(d).ok_or_else(|| bad("unknown domain"))?;
            let w: f32 = w.parse().map_err(|_| bad("bad weight"))?;
            if d == DOMAIN_ALL || d == domain {
                weights.insert(feature_hash(d, feat), w);
            }
        }
        Ok(Tagger {
            threshold: meta.threshold as f32,
            meta,
            cues,
            weights,
            domain,
        })
    }

    /// Build from parts (used by training).
    pub(crate) fn from_parts(
        meta: ModelMeta,
        cues: HashMap<Box<str>, CueStat, FxBuildHasher>,
        weights: HashMap<u64, f32, FxBuildHasher>,
    ) -> Tagger {
        let domain = domain_tag(&meta.domain).unwrap_or(DOMAIN_WIKI);
        Tagger {
            threshold: meta.threshold as f32,
            meta,
            cues,
            weights,
            domain,
        }
    }

    pub(crate) fn into_parts(self) -> (CueMap, WeightMap) {
        (self.cues, self.weights)
    }

    /// The learned cue list.
    pub fn cue_list(&self) -> impl Iterator<Item = (&str, CueStat)> + '_ {
        self.cues.iter().map(|(w, c)| (&**w, *c))
    }

    pub(crate) fn weight_list(&self) -> impl Iterator<Item = (u64, f32)> + '_ {
        self.weights.iter().map(|(h, w)| (*h, *w))
    }

    /// The model description.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// The decision threshold in use.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Override the decision threshold.
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    /// The learned cue statistics of a lowercase word.
    pub fn cue_stat(&self, word: &str) -> Option<CueStat> {
        self.cues.get(word).copied()
    }

    /// Cue probability of every token (0 for non-candidates) of a tokenized document, given
    /// the lexicon's matches in it (features, and candidates besides the learned cue list).
    pub fn token_probs(&self, doc: &Document, lex_matches: &[LexiconMatch], out: &mut Vec<f32>) {
        out.clear();
        out.resize(doc.tokens.len(), 0.0);
        let lexcat = lexicon_token_categories(doc.tokens.len(), lex_matches);
        let mut fx = FeatureExtractor::default();
        let mut feat = String::new();
        for s in &doc.sentences {
            for i in s.tokens.clone() {
                let Some(ctx) = fx.candidate(&doc.text, &doc.tokens, s, i, &self.cues, &lexcat)
                else {
                    continue;
                };
                let mut score = 0.0f32;
                let domain = self.domain;
                features(&ctx, &mut feat, &mut |f| {
                    let b = base_hash(f);
                    score += self
                        .weights
                        .get(&domain_hash(b, DOMAIN_ALL))
                        .unwrap_or(&0.0);
                    score += self.weights.get(&domain_hash(b, domain)).unwrap_or(&0.0);
                });
                out[i] = sigmoid(self.meta.scale as f32 * score + self.meta.bias as f32);
            }
        }
    }

    /// Add the tagger's cues to `doc.hedges` (which holds the lexicon's): adjacent positive
    /// tokens form one cue; a cue overlapping a lexicon hedge of a scored category is left
    /// out (the lexicon's stands); tokens in `vetoed` (token ranges of matches a lexicon rule
    /// vetoed, from [`Lexicon::find_with_vetoed`]) are never cues. Categories come from the
    /// lexicon, else the learned list.
    pub fn add_cues(
        &self,
        doc: &mut Document,
        lexicon: Option<&Lexicon>,
        lex: &[LexiconMatch],
        vetoed: &[std::ops::Range<usize>],
    ) {
        let mut probs = Vec::new();
        self.token_probs(doc, lex, &mut probs);
        for r in vetoed {
            for p in probs.get_mut(r.clone()).into_iter().flatten() {
                *p = 0.0;
            }
        }
        let mut consumed = vec![false; probs.len()];
        let mut new = Vec::new();
        // A span is taken by an overlapping scored hedge, or by any hedge on exactly that
        // span (an evidential "reportedly" must not come out twice).
        let taken = |hs: &[Hedge], span: Span| {
            hs.iter()
                .any(|h| h.span == span || (crate::is_scored(h.category) && h.span.overlaps(span)))
        };
        // Deferred lexicon matches: the tagger decides; the match keeps its span and category.
        for m in lex.iter().filter(|m| m.defer) {
            let p = probs
                .get(m.tokens.clone())
                .map_or(0.0, |ps| ps.iter().fold(0.0f32, |a, &b| a.max(b)));
            if p < self.threshold || taken(&doc.hedges, m.span) || taken(&new, m.span) {
                continue;
            }
            for c in consumed.get_mut(m.tokens.clone()).into_iter().flatten() {
                *c = true;
            }
            new.push(Hedge {
                span: m.span,
                category: m.category,
                sentence: m.sentence,
                score: p,
                negated: m.negated,
                attribution: None,
            });
        }
        let mut buf = String::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            let end = s.tokens.end.min(probs.len());
            let mut i = s.tokens.start;
            while i < end {
                if probs[i] < self.threshold || consumed[i] {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut p = probs[i];
                while i + 1 < end && probs[i + 1] >= self.threshold && !consumed[i + 1] {
                    i += 1;
                    p = p.max(probs[i]);
                }
                let span = Span::new(doc.tokens[start].span.start, doc.tokens[i].span.end);
                i += 1;
                if taken(&doc.hedges, span) || taken(&new, span) {
                    continue;
                }
                lower_into(doc.tokens[start].span.slice(&doc.text), &mut buf);
                let category = lexicon
                    .and_then(|l| l.category_of(&buf))
                    .or_else(|| self.cues.get(buf.as_str()).map(|c| c.category))
                    .unwrap_or(HedgeCategory::Epistemic);
                new.push(Hedge {
                    span,
                    category,
                    sentence: si,
                    score: p,
                    negated: false,
                    attribution: None,
                });
            }
        }
        doc.hedges.extend(new);
    }
}

#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Per token: the category of the lexicon match covering it (scored categories first), and
/// whether that match is negated.
pub(crate) fn lexicon_token_categories(
    n: usize,
    matches: &[LexiconMatch],
) -> Vec<Option<(HedgeCategory, bool)>> {
    let mut v = vec![None; n];
    for m in matches {
        for slot in v.get_mut(m.tokens.clone()).into_iter().flatten() {
            let replace = match slot {
                None => true,
                Some((c, _)) => !crate::is_scored(*c) && crate::is_scored(m.category),
            };
            if replace {
                *slot = Some((m.category, m.negated));
            }
        }
    }
    v
}

/// The context of one candidate token.
pub(crate) struct Candidate<'a> {
    word: &'a str,
    stem: &'a str,
    prev: [&'a str; 2],
    next: [&'a str; 2],
    next_kind: &'static str,
    cap: bool,
    initial: bool,
    stat: Option<CueStat>,
    lex: Option<(HedgeCategory, bool)>,
}

/// Reusable buffers for feature extraction (no allocation per token once warm).
#[derive(Default)]
pub(crate) struct FeatureExtractor {
    word: String,
    stem: String,
    ctx: [String; 4],
}

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my",
    "your",
];
const NEGATIONS: &[&str] = &["not", "n't", "no", "never", "without", "nor", "hardly"];
const BE: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "'s", "am",
];
const MODALS: &[&str] = &[
    "may", "might", "could", "would", "will", "can", "should", "must", "shall", "'ll", "'d",
];

fn word_class(w: &str) -> &'static str {
    if DETERMINERS.contains(&w) {
        "det"
    } else if NEGATIONS.contains(&w) {
        "neg"
    } else if BE.contains(&w) {
        "be"
    } else if MODALS.contains(&w) {
        "modal"
    } else if w.starts_with(|c: char| c.is_ascii_digit()) {
        "num"
    } else if w.chars().all(|c| !c.is_alphanumeric()) {
        "punct"
    } else {
        "w"
    }
}

/// Strip common English suffixes (a crude stem shared by inflections and derivations).
pub(crate) fn stem_into(word: &str, out: &mut String) {
    out.clear();
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "itions", "ition", "ions", "ion", "edly", "ingly", "ings", "ing", "ies",
        "ied", "ed", "es", "ly", "s", "e",
    ];
    for suf in SUFFIXES {
        if let Some(stem) = word.strip_suffix(suf) {
            if stem.len() >= 3 {
                out.push_str(stem);
                return;
            }
        }
    }
    out.push_str(word);
}

impl FeatureExtractor {
    /// The candidate at token `i` of sentence `s` (a word of the learned cue list, or inside
    /// a lexicon match), or `None` when the token is not one.
    pub(crate) fn candidate<'a>(
        &'a mut self,
        text: &str,
        tokens: &[Token],
        s: &Sentence,
        i: usize,
        cues: &CueMap,
        lexcat: &[Option<(HedgeCategory, bool)>],
    ) -> Option<Candidate<'a>> {
        let tok = tokens.get(i)?;
        if tok.kind != TokenKind::Word || tok.span.len() > 40 {
            return None;
        }
        let t = text.get(tok.span.range())?;
        lower_into(t, &mut self.word);
        let lex = lexcat.get(i).copied().flatten();
        let stat = cues.get(self.word.as_str()).copied();
        if stat.is_none() && lex.is_none() {
            return None;
        }
        stem_into(&self.word, &mut self.stem);
        let at = |j: isize, buf: &mut String| {
            buf.clear();
            if j < s.tokens.start as isize {
                buf.push_str("<s>");
            } else if j >= s.tokens.end as isize || j as usize >= tokens.len() {
                buf.push_str("</s>");
            } else {
                let tt = text.get(tokens[j as usize].span.range()).unwrap_or("");
                if tt.len() > 30 {
                    buf.push_str("<long>");
                } else {
                    lower_into(tt, buf);
                }
            }
        };
        let ii = i as isize;
        let [c0, c1, c2, c3] = &mut self.ctx;
        at(ii - 1, c0);
        at(ii - 2, c1);
        at(ii + 1, c2);
        at(ii + 2, c3);
        let next_kind = match tokens.get(i + 1) {
            Some(n) if i + 1 < s.tokens.end => match n.kind {
                TokenKind::Word => {
                    if text[n.span.range()].starts_with(char::is_uppercase) {
                        "Cap"
                    } else {
                        "w"
                    }
                }
                TokenKind::Number => "num",
                TokenKind::Punct => "punct",
                _ => "other",
            },
            _ => "end",
        };
        let initial = tokens[s.tokens.start..i]
            .iter()
            .all(|t| t.kind == TokenKind::Punct);
        Some(Candidate {
            word: &self.word,
            stem: &self.stem,
            prev: [c0, c1],
            next: [c2, c3],
            next_kind,
            cap: t.starts_with(char::is_uppercase),
            initial,
            stat,
            lex,
        })
    }
}

/// Call `f` with every feature string of a candidate (`b` is a reusable buffer).
pub(crate) fn features(c: &Candidate<'_>, b: &mut String, f: &mut dyn FnMut(&str)) {
    {
        let mut emit = |parts: &[&str]| {
            b.clear();
            for (k, p) in parts.iter().enumerate() {
                if k > 0 {
                    b.push('|');
                }
                b.push_str(p);
            }
            f(b);
        };
        let w = c.word;
        emit(&["bias"]);
        emit(&["w", w]);
        emit(&["stem", c.stem]);
        let (rate_b, count_b) = match c.stat {
            Some(s) => (
                RATE_BUCKETS[bucket(s.rate())],
                COUNT_BUCKETS[count_bucket(s.total)],
            ),
            None => ("none", "none"),
        };
        emit(&["rate", rate_b]);
        emit(&["rate", rate_b, count_b]);
        match c.lex {
            Some((cat, neg)) => {
                emit(&["lex", cat.as_str()]);
                emit(&["lexneg", if neg { "1" } else { "0" }]);
                emit(&["lex", cat.as_str(), "w", w]);
            }
            None => emit(&["lex", "none"]),
        }
        if let Some(s) = c.stat {
            emit(&["cat", s.category.as_str(), rate_b]);
        }
        let [p1, p2] = c.prev;
        let [n1, n2] = c.next;
        emit(&["p1", p1]);
        emit(&["n1", n1]);
        emit(&["p2", p2]);
        emit(&["n2", n2]);
        emit(&["w", w, "p1", p1]);
        emit(&["w", w, "n1", n1]);
        emit(&["w", w, "n1n2", n1, n2]);
        emit(&["w", w, "p2p1", p2, p1]);
        emit(&["stem", c.stem, "n1", n1]);
        emit(&["stem", c.stem, "p1", p1]);
        let pc1 = word_class(p1);
        let pc2 = word_class(p2);
        let nc1 = word_class(n1);
        emit(&["pc1", pc1]);
        emit(&["pc2", pc2]);
        emit(&["nc1", nc1]);
        emit(&["w", w, "pc1", pc1]);
        emit(&["w", w, "pc2", pc2]);
        emit(&["w", w, "nc1", nc1]);
        emit(&["w", w, "nk", c.next_kind]);
        emit(&["rate", rate_b, "pc1", pc1]);
        emit(&["rate", rate_b, "nc1", nc1]);
        let that_to = match n1 {
            "that" => "that",
            "to" => "to",
            "if" | "whether" => "if",
            _ => "",
        };
        if !that_to.is_empty() {
            emit(&["then", that_to]);
            emit(&["stem", c.stem, "then", that_to]);
        }
        emit(&[
            "cap",
            if c.cap { "1" } else { "0" },
            "init",
            if c.initial { "1" } else { "0" },
        ]);
        emit(&[
            "w",
            w,
            "cap",
            if c.cap { "1" } else { "0" },
            if c.initial { "1" } else { "0" },
        ]);
    }
}

const RATE_BUCKETS: [&str; 10] = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"];
const COUNT_BUCKETS: [&str; 5] = ["c1", "c3", "c10", "c30", "cmany"];

fn bucket(r: f32) -> usize {
    ((r * 10.0) as usize).min(9)
}

fn count_bucket(n: u32) -> usize {
    match n {
        0..=2 => 0,
        3..=9 => 1,
        10..=29 => 2,
        30..=99 => 3,
        _ => 4,
    }
}
