//! The trained tagger: weights in a compact hash table, transition scores, gazetteer, word
//! clusters, and (for the two-pass scheme) the first-pass model; loading, saving, tagging.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decode::{marginals, viterbi, ExpTransitions, Transitions};
use crate::features::{
    build_doc_ctx, doc_info, sentence_info, sentence_keys, Clusters, DocCtx, FeatureSet, GazLookup,
    Gazetteer, Scratch,
};
use crate::hash::HashedMap;
use crate::tags;
use crate::NerError;

/// Feature weights in an open-addressing hash table.
///
/// Slots are 8 bytes: the high 32 bits of the feature key (a fingerprint; the low bits pick
/// the slot) and 1 + the feature's row number; 0 marks an empty slot. Rows hold one weight
/// per tag (dense, so adding a row is a branch-free vector add; files store only the non-zero
/// weights). Two keys that share a probe chain and the fingerprint would be confused; with
/// 64-bit hashed keys that has probability ~2^-32 per lookup of an unknown feature, far
/// below any effect on accuracy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    slots: Vec<u64>,
    mask: usize,
    /// Keys in row order.
    keys: Vec<u64>,
    /// Row `r` is `weights[r * nt..(r + 1) * nt]`.
    weights: Vec<f32>,
    nt: usize,
}

impl Table {
    /// Build from `(key, weights per tag)` rows of `nt` weights; all-zero rows are dropped.
    pub(crate) fn build<'a>(nt: usize, rows: impl Iterator<Item = (u64, &'a [f32])>) -> Table {
        let mut keys = Vec::new();
        let mut weights = Vec::new();
        for (key, w) in rows {
            if w.iter().any(|&v| v != 0.0) {
                keys.push(key);
                weights.extend_from_slice(&w[..nt]);
            }
        }
        Table::from_rows(nt, keys, weights)
    }

    fn from_rows(nt: usize, keys: Vec<u64>, weights: Vec<f32>) -> Table {
        // Load factor 0.375–0.75: half the slots of a 2x table, so more of it stays in cache.
        let cap = (keys.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let mut slots = vec![0u64; cap];
        let mask = cap - 1;
        for (r, &key) in keys.iter().enumerate() {
            let mut i = (key as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (key & 0xFFFF_FFFF_0000_0000) | (r as u64 + 1);
        }
        Table {
            slots,
            mask,
            keys,
            weights,
            nt,
        }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.keys.len()
    }

    /// The row of feature `key`, or `u32::MAX`.
    #[inline]
    fn find(&self, key: u64) -> u32 {
        let fp = key & 0xFFFF_FFFF_0000_0000;
        let mut i = (key as usize) & self.mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return u32::MAX;
            }
            if s & 0xFFFF_FFFF_0000_0000 == fp {
                return s as u32 - 1;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Add the weights of row `r` to `scores`.
    #[inline]
    fn add_row(&self, r: usize, scores: &mut [f32]) {
        let w = &self.weights[r * self.nt..(r + 1) * self.nt];
        for (a, b) in scores.iter_mut().zip(w) {
            *a += b;
        }
    }

    /// Rows as key, tag mask, the non-zero weights.
    fn write(&self, out: &mut Vec<u8>) {
        put_u64(out, self.keys.len() as u64);
        for (r, &key) in self.keys.iter().enumerate() {
            let w = &self.weights[r * self.nt..(r + 1) * self.nt];
            let tags = w
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0.0)
                .fold(0u32, |m, (t, _)| m | 1 << t);
            put_u64(out, key);
            put_u32(out, tags);
            for &v in w.iter().filter(|&&v| v != 0.0) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }

    fn read(r: &mut Reader<'_>, nt: usize) -> Result<Table, String> {
        let rows = r.u64()? as usize;
        if rows > r.remaining() / 12 {
            return Err(format!(
                "weight table claims {rows} rows, more than the file holds"
            ));
        }
        let mut keys = Vec::with_capacity(rows);
        let mut weights = vec![0.0f32; rows * nt];
        for row in weights.chunks_exact_mut(nt) {
            keys.push(r.u64()?);
            let tags = r.u32()?;
            if tags == 0 || tags >> nt != 0 {
                return Err(format!("bad tag mask {tags:#x} for {nt} tags"));
            }
            let mut bits = tags;
            while bits != 0 {
                row[bits.trailing_zeros() as usize] = r.f32()?;
                bits &= bits - 1;
            }
        }
        Ok(Table::from_rows(nt, keys, weights))
    }
}

/// Training-time descriptive metadata, written to `model.toml`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelInfo {
    /// Model name.
    pub name: String,
    /// What it was trained on.
    pub trained_on: String,
    /// What it was tuned (early-stopped) on.
    pub tuned_on: String,
    /// Training parameters, for the record (`epochs`, `seed`, ...).
    pub training: BTreeMap<String, String>,
    /// Dev scores: `precision`, `recall`, `f1` overall and `<LABEL>_f1` per label, in percent.
    pub dev: BTreeMap<String, f64>,
}

/// The `model.toml` manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    kind: String,
    version: String,
    format: String,
    labels: Vec<String>,
    trained_on: String,
    #[serde(default)]
    tuned_on: String,
    /// Scale of the perceptron scores for the confidence (forward–backward marginals).
    temperature: f32,
    features: ManifestFeatures,
    files: ManifestFiles,
    #[serde(default)]
    training: BTreeMap<String, String>,
    #[serde(default)]
    dev: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFeatures {
    clusters: bool,
    gazetteer: bool,
    doc: bool,
    stack: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFiles {
    weights: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pass1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clusters: Option<String>,
}

/// The manifest `kind` of this crate's models.
pub const KIND: &str = "ner-perceptron";
const FORMAT: &str = "caveat-ner-bin-1";
const MAGIC: &[u8; 8] = b"CVNERv01";

/// A found entity: token range (indices into the document's tokens), label index, confidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// Token indices of the entity.
    pub tokens: Range<usize>,
    /// Index into [`Model::labels`].
    pub label: usize,
    /// Confidence in `[0, 1]`: the smallest posterior marginal of the entity's tags.
    pub score: f32,
}

/// Cluster table with the file it came from (copied next to the model on save).
#[derive(Debug)]
pub(crate) struct ClusterFile {
    pub(crate) table: Clusters,
    pub(crate) source: PathBuf,
}

/// One linear-chain layer: weights, transitions, features and gazetteer.
#[derive(Debug)]
pub(crate) struct Layer {
    pub(crate) feats: FeatureSet,
    pub(crate) table: Table,
    pub(crate) raw_trans: Vec<f32>,
    pub(crate) raw_start: Vec<f32>,
    pub(crate) raw_end: Vec<f32>,
    pub(crate) trans: Transitions,
    pub(crate) gaz: Gazetteer,
}

impl Layer {
    pub(crate) fn new(
        feats: FeatureSet,
        table: Table,
        nt: usize,
        trans: Vec<f32>,
        start: Vec<f32>,
        end: Vec<f32>,
        gaz: Gazetteer,
    ) -> Layer {
        let tr = Transitions::constrained(nt, &trans, &start, &end);
        Layer {
            feats,
            table,
            raw_trans: trans,
            raw_start: start,
            raw_end: end,
            trans: tr,
            gaz,
        }
    }

    /// Emission scores of the keys in `s.keys`/`s.offsets` into `s.em`.
    fn emissions(&self, nt: usize, s: &mut Scratch) {
        let n = s.offsets.len() - 1;
        s.em.clear();
        s.em.resize(n * nt, 0.0);
        // Two phases: find every key's row first (independent loads the CPU can overlap),
        // then add the rows.
        s.rows.clear();
        s.rows.extend(s.keys.iter().map(|&k| self.table.find(k)));
        for i in 0..n {
            let row = &mut s.em[i * nt..(i + 1) * nt];
            for &r in &s.rows[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
                if r != u32::MAX {
                    self.table.add_row(r as usize, row);
                }
            }
        }
    }

    fn write(&self, nt: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        put_u32(out, nt as u32);
        put_u32(out, self.feats.bits());
        for v in self
            .raw_trans
            .iter()
            .chain(&self.raw_start)
            .chain(&self.raw_end)
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for map in [&self.gaz.exact, &self.gaz.lower] {
            let mut entries: Vec<(u64, u16)> = map.iter().map(|(&k, &v)| (k, v)).collect();
            entries.sort_unstable();
            put_u64(out, entries.len() as u64);
            for (k, v) in entries {
                put_u64(out, k);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        self.table.write(out);
    }

    fn read(bytes: &[u8], nt_expected: usize) -> Result<Layer, String> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a caveat-ner weight file (bad magic)".into());
        }
        let nt = r.u32()? as usize;
        if nt != nt_expected {
            return Err(format!(
                "{nt} tags in the weights but {nt_expected} implied by the labels"
            ));
        }
        let feats = FeatureSet::from_bits(r.u32()?);
        let mut vec = |n: usize| -> Result<Vec<f32>, String> { (0..n).map(|_| r.f32()).collect() };
        let trans = vec(nt * nt)?;
        let start = vec(nt)?;
        let end = vec(nt)?;
        let mut gaz = Gazetteer::default();
        for which in 0..2 {
            let n = r.u64()? as usize;
            if n > r.remaining() / 10 {
                return Err("gazetteer size exceeds the file".into());
            }
            let map = if which == 0 {
                &mut gaz.exact
            } else {
                &mut gaz.lower
            };
            map.reserve(n);
            for _ in 0..n {
                let k = r.u64()?;
                let v = u16::from_le_bytes(r.take(2)?.try_into().expect("2 bytes"));
                map.insert(k, v);
            }
        }
        let table = Table::read(&mut r, nt)?;
        if r.remaining() != 0 {
            return Err(format!("{} trailing bytes", r.remaining()));
        }
        Ok(Layer::new(feats, table, nt, trans, start, end, gaz))
    }
}

/// A trained NER model. Immutable after loading; share it between threads with `Arc`.
#[derive(Debug)]
pub struct Model {
    pub(crate) labels: Vec<String>,
    pub(crate) layer: Layer,
    pub(crate) pass1: Option<Box<Layer>>,
    pub(crate) clusters: Option<Arc<ClusterFile>>,
    pub(crate) temperature: f32,
    pub(crate) exp_trans: ExpTransitions,
    pub(crate) info: ModelInfo,
}

impl Model {
    pub(crate) fn assemble(
        labels: Vec<String>,
        layer: Layer,
        pass1: Option<Layer>,
        clusters: Option<Arc<ClusterFile>>,
        temperature: f32,
        info: ModelInfo,
    ) -> Model {
        let exp_trans = ExpTransitions::new(&layer.trans, temperature);
        Model {
            labels,
            layer,
            pass1: pass1.map(Box::new),
            clusters,
            temperature,
            exp_trans,
            info,
        }
    }

    /// The entity labels, in tag-index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Descriptive metadata (name, training data, dev scores).
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Which feature groups the model uses.
    pub fn features(&self) -> FeatureSet {
        self.layer.feats
    }

    /// Scale applied to the perceptron scores before computing marginals for `score`.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Number of stored feature rows (both passes).
    pub fn n_features(&self) -> usize {
        self.layer.table.rows() + self.pass1.as_ref().map_or(0, |p| p.table.rows())
    }

    pub(crate) fn n_tags(&self) -> usize {
        tags::n_tags(self.labels.len())
    }

    pub(crate) fn set_temperature(&mut self, t: f32) {
        self.temperature = t;
        self.exp_trans = ExpTransitions::new(&self.layer.trans, t);
    }

    /// Tag a document given its tokens and sentences (token ranges). Tokens outside every
    /// sentence are not tagged. Entities come back in token order.
    pub fn tag<S: AsRef<str>>(&self, tokens: &[S], sentences: &[Range<usize>]) -> Vec<Tagged> {
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let mut out = Vec::new();
        self.tag_with(tokens, sentences, &mut s, &mut ctx, &mut out);
        out
    }

    pub(crate) fn tag_with<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        s: &mut Scratch,
        ctx: &mut DocCtx,
        out: &mut Vec<Tagged>,
    ) {
        out.clear();
        let sentences = self.prepare_doc(tokens, sentences, s, ctx);
        for r in &sentences {
            self.run_layer(&self.layer, r.clone(), ctx, s, true, out);
        }
    }

    /// Posterior probability of each token's IOB2 label, for combining this tagger with
    /// another: column 0 is `O`, then `B-` and `I-` of each of [`Model::labels`] in order
    /// (BILOU marginals with U folded into B and L into I). Rows of tokens outside every
    /// sentence are zero. Returns `tokens.len() * (1 + 2 * labels)` values.
    pub fn iob_marginals<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
    ) -> Vec<f32> {
        let nt = self.n_tags();
        let width = 1 + 2 * self.labels.len();
        let mut out = vec![0.0; tokens.len() * width];
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let sentences = self.prepare_doc(tokens, sentences, &mut s, &mut ctx);
        let layer = &self.layer;
        for r in &sentences {
            let n = r.len();
            if n == 0 {
                continue;
            }
            self.emissions_of(layer, r.clone(), &ctx, &mut s);
            self.marginals_into_alpha(n, &mut s);
            for i in 0..n {
                let row = &mut out[(r.start + i) * width..(r.start + i + 1) * width];
                for (t, &p) in s.alpha[i * nt..(i + 1) * nt].iter().enumerate() {
                    let col = match tags::split(t) {
                        (tags::Pos::O, _) => 0,
                        (tags::Pos::B | tags::Pos::U, l) => 1 + 2 * l,
                        (tags::Pos::I | tags::Pos::L, l) => 2 + 2 * l,
                    };
                    row[col] += p;
                }
            }
        }
        out
    }

    /// Word values and document context of a document, and the first pass when the model
    /// has one; returns the usable sentences.
    fn prepare_doc<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        s: &mut Scratch,
        ctx: &mut DocCtx,
    ) -> Vec<Range<usize>> {
        let clusters = self.clusters.as_ref().map(|c| &c.table);
        let sentences = sanitize(sentences, tokens.len());
        doc_info(tokens, clusters, s);
        build_doc_ctx(&sentences, self.layer.feats, s, ctx);
        if let Some(p1) = &self.pass1 {
            let mut first = std::mem::take(&mut s.first);
            first.clear();
            for r in &sentences {
                self.run_layer(p1, r.clone(), ctx, s, false, &mut first);
            }
            fill_stack(tokens, &first, s, ctx);
            s.first = first;
        }
        sentences
    }

    /// Emission scores of sentence `r` under `layer`, into `s.em`.
    fn emissions_of(&self, layer: &Layer, r: Range<usize>, ctx: &DocCtx, s: &mut Scratch) {
        let caps = sentence_info(r, layer.feats, &layer.gaz, ctx, s);
        s.keys.clear();
        s.offsets.clear();
        sentence_keys(layer.feats, caps, s);
        layer.emissions(self.n_tags(), s);
    }

    /// Posterior tag marginals of the `n` tokens whose emissions are in `s.em`, into
    /// `s.alpha` (`s.delta` lends its buffer as scratch).
    fn marginals_into_alpha(&self, n: usize, s: &mut Scratch) {
        let mut emx = std::mem::take(&mut s.delta);
        marginals(
            &s.em,
            n,
            self.n_tags(),
            &self.exp_trans,
            &mut s.alpha,
            &mut s.beta,
            &mut emx,
        );
        s.delta = emx;
    }

    /// Tag one sentence with `layer`, appending its entities (document token indices).
    fn run_layer(
        &self,
        layer: &Layer,
        r: Range<usize>,
        ctx: &DocCtx,
        s: &mut Scratch,
        with_scores: bool,
        out: &mut Vec<Tagged>,
    ) {
        let nt = self.n_tags();
        let n = r.len();
        if n == 0 {
            return;
        }
        self.emissions_of(layer, r.clone(), ctx, s);
        viterbi(
            &s.em,
            n,
            &layer.trans,
            &mut s.delta,
            &mut s.back,
            &mut s.tags,
        );
        let mut spans = std::mem::take(&mut s.spans);
        tags::decode(&s.tags, &mut spans);
        if !spans.is_empty() && with_scores {
            self.marginals_into_alpha(n, s);
        }
        for &(a, b, l) in &spans {
            let score = if with_scores {
                (a..b)
                    .map(|i| s.alpha[i * nt + s.tags[i] as usize])
                    .fold(1.0f32, f32::min)
                    .clamp(0.0, 1.0)
            } else {
                1.0
            };
            out.push(Tagged {
                tokens: r.start + a..r.start + b,
                label: l,
                score,
            });
        }
        s.spans = spans;
    }

    /// Per-token gold-tag log-likelihood on sentences (for fitting the temperature).
    pub(crate) fn gold_log_likelihood<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        gold_tags: &[u8],
        scales: &[f32],
        sums: &mut [f64],
    ) {
        let nt = self.n_tags();
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let sentences = self.prepare_doc(tokens, sentences, &mut s, &mut ctx);
        let exps: Vec<ExpTransitions> = scales
            .iter()
            .map(|&sc| ExpTransitions::new(&self.layer.trans, sc))
            .collect();
        for r in &sentences {
            let n = r.len();
            if n == 0 {
                continue;
            }
            self.emissions_of(&self.layer, r.clone(), &ctx, &mut s);
            for (k, ex) in exps.iter().enumerate() {
                let mut emx = Vec::new();
                marginals(&s.em, n, nt, ex, &mut s.alpha, &mut s.beta, &mut emx);
                for i in 0..n {
                    let p = s.alpha[i * nt + gold_tags[r.start + i] as usize];
                    sums[k] += (p.max(1e-6) as f64).ln();
                }
            }
        }
    }

    /// Load a model directory (`model.toml` and the files it names).
    pub fn load(dir: impl AsRef<Path>) -> Result<Model, NerError> {
        let dir = dir.as_ref();
        let mpath = dir.join("model.toml");
        let text = read_text(&mpath)?;
        let man: Manifest = toml::from_str(&text).map_err(|e| NerError::Manifest {
            path: mpath.clone(),
            message: e.to_string(),
        })?;
        if man.kind != KIND || man.format != FORMAT {
            return Err(NerError::Manifest {
                path: mpath,
                message: format!(
                    "kind `{}` / format `{}` is not `{KIND}` / `{FORMAT}`; this loader reads only \
                     caveat's perceptron models",
                    man.kind, man.format
                ),
            });
        }
        if man.labels.is_empty() || man.labels.len() > 7 {
            return Err(NerError::Manifest {
                path: mpath,
                message: format!("expected 1 to 7 labels, found {}", man.labels.len()),
            });
        }
        let nt = tags::n_tags(man.labels.len());
        let layer_at = |name: &str| -> Result<Layer, NerError> {
            let p = dir.join(name);
            let bytes = std::fs::read(&p).map_err(|source| NerError::Io {
                path: p.clone(),
                source,
            })?;
            Layer::read(&bytes, nt).map_err(|message| NerError::Format { path: p, message })
        };
        let layer = layer_at(&man.files.weights)?;
        let pass1 = man.files.pass1.as_deref().map(layer_at).transpose()?;
        if layer.feats.stack != pass1.is_some() {
            return Err(NerError::Manifest {
                path: mpath,
                message: "the weights use first-pass features but no `files.pass1` is given (or \
                          the reverse)"
                    .into(),
            });
        }
        let clusters = match &man.files.clusters {
            Some(name) => Some(Arc::new(load_clusters(&dir.join(name))?)),
            None => None,
        };
        if layer.feats.clusters && clusters.is_none() {
            return Err(NerError::Manifest {
                path: mpath,
                message: "the weights use cluster features but no `files.clusters` is given".into(),
            });
        }
        let info = ModelInfo {
            name: man.name,
            trained_on: man.trained_on,
            tuned_on: man.tuned_on,
            training: man.training,
            dev: man.dev,
        };
        Ok(Model::assemble(
            man.labels,
            layer,
            pass1,
            clusters,
            man.temperature,
            info,
        ))
    }

    /// Write the model into `dir` (created if needed): `model.toml`, `model.bin`, `pass1.bin`
    /// for two-pass models, and `clusters.tsv` (copied) when clusters are used.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), NerError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| NerError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let nt = self.n_tags();
        let write = |name: &str, bytes: &[u8]| -> Result<(), NerError> {
            let p = dir.join(name);
            std::fs::write(&p, bytes).map_err(|source| NerError::Io { path: p, source })
        };
        let mut buf = Vec::new();
        self.layer.write(nt, &mut buf);
        write("model.bin", &buf)?;
        if let Some(p1) = &self.pass1 {
            buf.clear();
            p1.write(nt, &mut buf);
            write("pass1.bin", &buf)?;
        }
        if let Some(c) = &self.clusters {
            let target = dir.join("clusters.tsv");
            let same = match (c.source.canonicalize(), target.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if !same {
                std::fs::copy(&c.source, &target).map_err(|source| NerError::Io {
                    path: c.source.clone(),
                    source,
                })?;
            }
        }
        let f = self.layer.feats;
        let man = Manifest {
            name: self.info.name.clone(),
            kind: KIND.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            format: FORMAT.into(),
            labels: self.labels.clone(),
            trained_on: self.info.trained_on.clone(),
            tuned_on: self.info.tuned_on.clone(),
            temperature: self.temperature,
            features: ManifestFeatures {
                clusters: f.clusters,
                gazetteer: f.gazetteer,
                doc: f.doc,
                stack: f.stack,
            },
            files: ManifestFiles {
                weights: "model.bin".into(),
                pass1: self.pass1.as_ref().map(|_| "pass1.bin".into()),
                clusters: self.clusters.as_ref().map(|_| "clusters.tsv".into()),
            },
            training: self.info.training.clone(),
            dev: self.info.dev.clone(),
        };
        let text = toml::to_string(&man).map_err(|e| NerError::Manifest {
            path: dir.join("model.toml"),
            message: e.to_string(),
        })?;
        write("model.toml", text.as_bytes())
    }
}

/// Sentence ranges clipped to the token count, empty ones dropped.
fn sanitize(sentences: &[Range<usize>], n: usize) -> Vec<Range<usize>> {
    sentences
        .iter()
        .map(|r| r.start.min(n)..r.end.min(n))
        .filter(|r| r.start < r.end)
        .collect()
}

/// Record first-pass labels per lower-cased word of every entity.
pub(crate) fn fill_stack<S: AsRef<str>>(
    tokens: &[S],
    first: &[Tagged],
    s: &mut Scratch,
    ctx: &mut DocCtx,
) {
    ctx.stack.clear();
    let mut counts: HashedMap<[u16; 8]> = HashedMap::default();
    for e in first {
        let multi = e.tokens.len() > 1;
        for i in e.tokens.clone() {
            let h = crate::features::lower_hash(tokens[i].as_ref(), &mut s.lower_buf);
            let v = ctx.stack.entry(h).or_insert(0);
            *v |= 1 << e.label;
            *v |= if multi { 1 << 12 } else { 1 << 13 };
            let c = counts.entry(h).or_insert([0; 8]);
            c[e.label.min(7)] = c[e.label.min(7)].saturating_add(1);
        }
    }
    // Bits 8..12: 1 + the majority label (first-pass votes of the word's mentions).
    for (h, c) in counts {
        let (best, _) = c
            .iter()
            .enumerate()
            .fold((0, 0), |acc, (l, &n)| if n > acc.1 { (l, n) } else { acc });
        if let Some(v) = ctx.stack.get_mut(&h) {
            *v |= ((best as u16 + 1) & 0xF) << 8;
        }
    }
}

pub(crate) fn load_clusters(path: &Path) -> Result<ClusterFile, NerError> {
    let text = read_text(path)?;
    let table = Clusters::parse(&text).map_err(|(line, message)| NerError::Clusters {
        path: path.to_path_buf(),
        line,
        message,
    })?;
    Ok(ClusterFile {
        table,
        source: path.to_path_buf(),
    })
}

fn read_text(path: &Path) -> Result<String, NerError> {
    std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.b.len() - self.pos < n {
            return Err(format!("file truncated at byte {}", self.pos));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        let v = f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("non-finite weight before byte {}", self.pos))
        }
    }
}

/// A map from keys to gazetteer masks, for building [`Gazetteer`]s.
pub(crate) type GazMap = HashedMap<u16>;

impl GazLookup for (&GazMap, &GazMap) {
    fn exact(&self, key: u64) -> u16 {
        self.0.get(&key).copied().unwrap_or(0)
    }
    fn lower(&self, key: u64) -> u16 {
        self.1.get(&key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookup_adds_packed_weights() {
        let rows: Vec<(u64, Vec<f32>)> = (0..1000u64)
            .map(|k| (k * 7919, vec![k as f32, 0.0, -1.0]))
            .collect();
        let t = Table::build(3, rows.iter().map(|(k, w)| (*k, w.as_slice())));
        assert_eq!(t.rows(), 1000);
        let mut s = [0.0f32; 3];
        t.add_row(t.find(5 * 7919) as usize, &mut s);
        assert_eq!(s, [5.0, 0.0, -1.0]);
        assert_eq!(t.find(123_456_789), u32::MAX);
        let mut buf = Vec::new();
        t.write(&mut buf);
        let back = Table::read(&mut Reader { b: &buf, pos: 0 }, 3).unwrap();
        let mut s2 = [0.0f32; 3];
        back.add_row(back.find(5 * 7919) as usize, &mut s2);
        assert_eq!(s2, [5.0, 0.0, -1.0]);
        assert!(Table::read(
            &mut Reader {
                b: &buf[..buf.len() - 1],
                pos: 0
            },
            3
        )
        .is_err());
    }
}
