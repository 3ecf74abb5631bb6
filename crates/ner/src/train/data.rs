//! Training data: documents with BILOU gold tags and gold spans, the feature vocabulary, and
//! the documents' features as vocabulary indices.

use std::ops::Range;

use caveat_text::hash::HashedMap;

use super::gazetteer::{GazCounts, Loo, OwnKeys};
use crate::conll::ConllDoc;
use crate::eval::{spans_from_tags, LabeledSpan};
use crate::features::{
    build_doc_ctx, doc_info, sentence_info, sentence_keys, DocCtx, FeatureSet, Gazetteer, Scratch,
};
use crate::model::ClusterFile;
use crate::tags;

/// A document prepared for training: tokens, sentences, BILOU gold tags, gold spans.
pub(super) struct Doc {
    pub(super) tokens: Vec<String>,
    pub(super) sents: Vec<Range<usize>>,
    pub(super) gold: Vec<u8>,
    pub(super) spans: Vec<LabeledSpan>,
    /// How much each of the document's sentences counts in a perceptron update (1 for gold
    /// data, `silver_weight` for a teacher's).
    pub(super) weight: f32,
}

/// Tokens, sentences, gold tags and gold spans of `docs`, tags indexed by `labels`; each
/// document's updates count `weight`.
pub(super) fn prepare(docs: &[ConllDoc], labels: &[String], weight: f32) -> Vec<Doc> {
    docs.iter()
        .map(|d| {
            let mut doc = Doc {
                tokens: Vec::new(),
                sents: Vec::new(),
                gold: Vec::new(),
                spans: Vec::new(),
                weight,
            };
            for s in &d.sentences {
                let start = doc.tokens.len();
                let tags_s: Vec<&str> = s.iter().map(|(_, t)| t.as_str()).collect();
                let spans = spans_from_tags(&tags_s);
                let idx: Vec<(usize, usize, usize)> = spans
                    .iter()
                    .filter_map(|(a, b, l)| {
                        labels.iter().position(|x| x == l).map(|li| (*a, *b, li))
                    })
                    .collect();
                doc.gold.extend(tags::encode(s.len(), &idx));
                for (a, b, l) in spans {
                    doc.spans.push((start + a, start + b, l));
                }
                doc.tokens.extend(s.iter().map(|(w, _)| w.clone()));
                doc.sents.push(start..doc.tokens.len());
            }
            doc
        })
        .collect()
}

/// First-pass evidence of one document: labels of the words' mentions.
pub(super) type Stack = HashedMap<u16>;

/// Feature indices of a set of documents.
pub(super) struct Data {
    /// Feature indices, per token `idx[off[t]..off[t+1]]` (global token numbering).
    pub(super) idx: Vec<u32>,
    pub(super) off: Vec<u32>,
    /// Sentences as global token ranges, and their document.
    pub(super) sents: Vec<(Range<usize>, usize)>,
    /// Global index of each document's first token.
    pub(super) doc_start: Vec<usize>,
    pub(super) gold: Vec<u8>,
    /// Update weight of each sentence (its document's).
    pub(super) weight: Vec<f32>,
}

/// Extract feature keys of all documents (sentence by sentence).
#[allow(clippy::too_many_arguments)]
fn extract_keys(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    mut each: impl FnMut(&[u64], &[u32]),
) {
    let mut s = Scratch::default();
    let mut ctx = DocCtx::default();
    for (d, doc) in docs.iter().enumerate() {
        doc_info(&doc.tokens, clusters.map(|c| &c.table), &mut s);
        build_doc_ctx(&doc.sents, feats, &s, &mut ctx);
        if let Some(st) = stacks {
            ctx.stack = st[d].clone();
        }
        for r in &doc.sents {
            let caps = match loo {
                Some((counts, owns)) => {
                    let g = Loo {
                        counts,
                        own: &owns[d],
                        doc: d,
                    };
                    sentence_info(r.clone(), feats, &g, &ctx, &mut s)
                }
                None => sentence_info(r.clone(), feats, gaz_full, &ctx, &mut s),
            };
            s.keys.clear();
            s.offsets.clear();
            sentence_keys(feats, caps, &mut s);
            each(&s.keys, &s.offsets);
        }
    }
}

/// Map keys to indices (building the vocabulary from the training data when `vocab` is
/// being built: `grow`).
#[allow(clippy::too_many_arguments)]
pub(super) fn build_data(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    vocab: &HashedMap<u32>,
) -> Data {
    let mut data = Data {
        idx: Vec::new(),
        off: vec![0],
        sents: Vec::new(),
        doc_start: Vec::new(),
        gold: Vec::new(),
        weight: Vec::new(),
    };
    let mut tok = 0usize;
    for (d, doc) in docs.iter().enumerate() {
        data.doc_start.push(tok);
        for r in &doc.sents {
            data.sents.push((tok + r.start..tok + r.end, d));
            data.weight.push(doc.weight);
        }
        data.gold.extend_from_slice(&doc.gold);
        tok += doc.tokens.len();
    }
    extract_keys(
        docs,
        feats,
        clusters,
        gaz_full,
        loo,
        stacks,
        |keys, offs| {
            for w in offs.windows(2) {
                for &k in &keys[w[0] as usize..w[1] as usize] {
                    if let Some(&i) = vocab.get(&k) {
                        data.idx.push(i);
                    }
                }
                data.off.push(data.idx.len() as u32);
            }
        },
    );
    data
}

/// The vocabulary of the keys seen at least `min_count` times in `docs`: key -> index, and
/// the keys in index (sorted) order.
pub(super) fn build_vocab(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    min_count: u32,
) -> (HashedMap<u32>, Vec<u64>) {
    let mut counts: HashedMap<u32> = HashedMap::default();
    extract_keys(docs, feats, clusters, gaz_full, loo, stacks, |keys, _| {
        for &k in keys {
            *counts.entry(k).or_insert(0) += 1;
        }
    });
    let mut keys: Vec<u64> = counts
        .iter()
        .filter(|(_, &c)| c >= min_count)
        .map(|(&k, _)| k)
        .collect();
    keys.sort_unstable();
    let vocab = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    (vocab, keys)
}
