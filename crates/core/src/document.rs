use serde_json::{Map, Value};

use std::ops::Range;

use crate::{Attribution, Cluster, Entity, Hedge, Layer, Link, Sentence, StageError, Token};

/// An article travelling through the pipeline.
///
/// A document owns its text, an id and pass-through metadata, plus one typed layer per kind
/// of annotation. Stages add layers; none changes the text or a layer another stage made, except
/// the cross-link fields it declares ([`Link`]).
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The record's id as it appeared in the input (a JSON string or number); for inputs
    /// without one, the runner assigns the 1-based line number or the file path.
    pub id: Value,
    /// The text, exactly as read (never normalised or rewritten).
    pub text: String,
    /// Input fields other than `id` and `text`, passed through unchanged.
    pub meta: Map<String, Value>,
    /// Token layer.
    pub tokens: Vec<Token>,
    /// Sentence layer.
    pub sentences: Vec<Sentence>,
    /// Entity layer.
    pub entities: Vec<Entity>,
    /// Hedge layer.
    pub hedges: Vec<Hedge>,
    /// Attribution layer.
    pub attributions: Vec<Attribution>,
    /// Cluster layer: entity mentions grouped by referent.
    pub clusters: Vec<Cluster>,
    /// Whether `text` was cut to the configured maximum document size.
    pub truncated: bool,
}

impl Document {
    /// Empty `layer` (what a stage providing it wrote).
    pub fn clear_layer(&mut self, layer: Layer) {
        match layer {
            Layer::Tokens => self.tokens.clear(),
            Layer::Sentences => self.sentences.clear(),
            Layer::Entities => self.entities.clear(),
            Layer::Hedges => self.hedges.clear(),
            Layer::Attributions => self.attributions.clear(),
            Layer::Clusters => self.clusters.clear(),
        }
    }

    /// Reset a cross-link field to its value before any stage set it.
    pub fn clear_link(&mut self, link: Link) {
        match link {
            Link::SentenceUncertainty => {
                for s in &mut self.sentences {
                    s.uncertain = false;
                    s.uncertainty = 0.0;
                }
            }
            Link::HedgeAttribution => {
                for h in &mut self.hedges {
                    h.attribution = None;
                }
            }
            Link::EntityCluster => {
                for e in &mut self.entities {
                    e.cluster = None;
                }
            }
            Link::AttributionSourceCluster => {
                for a in &mut self.attributions {
                    a.source_cluster = None;
                }
            }
        }
    }

    /// A document with the given id and text and no annotations.
    pub fn new(id: impl Into<Value>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// The id as a display string (`"abc"` for a JSON string, `12` for a number).
    pub fn id_string(&self) -> String {
        match &self.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// The tokens as words and the sentences as token ranges (the whole document when it has
    /// no sentence layer), for stages that work on words (the transformer backends). A token
    /// whose span is outside the text or off a character boundary is an error of `stage`.
    pub fn words(&self, stage: &str) -> Result<(Vec<&str>, Vec<Range<usize>>), StageError> {
        let mut words: Vec<&str> = Vec::with_capacity(self.tokens.len());
        for (i, t) in self.tokens.iter().enumerate() {
            let w = self.text.get(t.span.range()).ok_or_else(|| {
                StageError::new(
                    stage,
                    format!(
                        "token {i} has span {}..{} outside the text or off a character \
                         boundary (text length {})",
                        t.span.start,
                        t.span.end,
                        self.text.len()
                    ),
                )
            })?;
            words.push(w);
        }
        let sentences: Vec<Range<usize>> = if self.sentences.is_empty() {
            std::iter::once(0..words.len()).collect()
        } else {
            self.sentences.iter().map(|s| s.tokens.clone()).collect()
        };
        Ok((words, sentences))
    }

    /// The text of token `i`.
    #[inline]
    pub fn token_text(&self, i: usize) -> &str {
        self.tokens[i].span.slice(&self.text)
    }

    /// Whether the layer holds anything (used by tests and validation of stage contracts).
    pub fn layer_len(&self, layer: Layer) -> usize {
        match layer {
            Layer::Tokens => self.tokens.len(),
            Layer::Sentences => self.sentences.len(),
            Layer::Entities => self.entities.len(),
            Layer::Hedges => self.hedges.len(),
            Layer::Attributions => self.attributions.len(),
            Layer::Clusters => self.clusters.len(),
        }
    }

    /// Clear every annotation layer, keeping the text (used when a stage fails half-way).
    pub fn clear_layers(&mut self) {
        self.tokens.clear();
        self.sentences.clear();
        self.entities.clear();
        self.hedges.clear();
        self.attributions.clear();
        self.clusters.clear();
    }

    /// Index of the sentence containing byte `pos`, if any (binary search).
    pub fn sentence_at(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= pos);
        (i < self.sentences.len() && self.sentences[i].span.start <= pos).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    #[test]
    fn sentence_lookup() {
        let mut d = Document::new("a", "One. Two.");
        for (s, e) in [(0, 4), (5, 9)] {
            d.sentences.push(Sentence {
                span: Span::new(s, e),
                tokens: 0..0,
                uncertain: false,
                uncertainty: 0.0,
            });
        }
        assert_eq!(d.sentence_at(0), Some(0));
        assert_eq!(d.sentence_at(4), None);
        assert_eq!(d.sentence_at(7), Some(1));
        assert_eq!(d.sentence_at(9), None);
        assert_eq!(Document::new(7, "").id_string(), "7");
    }
}
