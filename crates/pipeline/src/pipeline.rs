use std::panic::{catch_unwind, AssertUnwindSafe};

use caveat_core::{Document, Layer, Stage};

use crate::config::OutputOptions;

/// Why one document did not make it through the stages.
#[derive(Clone, Debug, PartialEq)]
pub struct DocFailure {
    /// `stage_failed` or `stage_panicked`.
    pub kind: &'static str,
    /// The stage's name.
    pub stage: String,
    /// What went wrong.
    pub message: String,
}

/// A built pipeline: stages loaded once and shared by every worker thread.
pub struct Pipeline {
    name: String,
    stages: Vec<Box<dyn Stage>>,
    output: OutputOptions,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Undo whatever a stage wrote before it panicked: empty the layers it provides and reset
/// the fields it sets on other layers.
fn reset_layers(doc: &mut Document, provides: &[Layer]) {
    for layer in provides {
        match layer {
            Layer::Tokens => doc.tokens.clear(),
            Layer::Sentences => doc.sentences.clear(),
            Layer::Entities => doc.entities.clear(),
            Layer::Hedges => {
                doc.hedges.clear();
                for s in &mut doc.sentences {
                    s.uncertain = false;
                    s.uncertainty = 0.0;
                }
            }
            Layer::Attributions => {
                doc.attributions.clear();
                for h in &mut doc.hedges {
                    h.attribution = None;
                }
            }
        }
    }
}

impl Pipeline {
    /// A pipeline of `stages` (already checked to be in a valid order).
    pub fn new(name: String, stages: Vec<Box<dyn Stage>>, output: OutputOptions) -> Pipeline {
        Pipeline {
            name,
            stages,
            output,
        }
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `[output]` options.
    pub fn output(&self) -> &OutputOptions {
        &self.output
    }

    /// The stages' names, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.info().name).collect()
    }

    /// Run every stage over `docs`. Returns one entry per document: `None` when it went
    /// through, or why it failed. A failing or panicking document is taken out of the later
    /// stages; the others are unaffected.
    pub fn annotate(&self, docs: &mut [Document]) -> Vec<Option<DocFailure>> {
        let mut failures: Vec<Option<DocFailure>> = vec![None; docs.len()];
        // Indices of the documents still alive, and a scratch batch of them.
        let mut alive: Vec<usize> = (0..docs.len()).collect();
        for stage in &self.stages {
            if alive.is_empty() {
                break;
            }
            let info = stage.info();
            // Move the live documents into a contiguous batch for `process_batch`.
            let mut batch: Vec<Document> = alive
                .iter()
                .map(|&i| std::mem::take(&mut docs[i]))
                .collect();
            let results = match catch_unwind(AssertUnwindSafe(|| stage.process_batch(&mut batch))) {
                Ok(r) if r.len() == batch.len() => r
                    .into_iter()
                    .map(|r| {
                        r.map_err(|e| DocFailure {
                            kind: "stage_failed",
                            stage: info.name.to_string(),
                            message: e.message,
                        })
                    })
                    .collect(),
                outcome => {
                    // The batch call panicked (or broke its contract): isolate the culprit by
                    // running each document on its own.
                    let batch_note = match outcome {
                        Err(p) => panic_message(&*p),
                        Ok(r) => {
                            format!("returned {} results for {} documents", r.len(), batch.len())
                        }
                    };
                    batch
                        .iter_mut()
                        .map(|doc| {
                            reset_layers(doc, info.provides);
                            match catch_unwind(AssertUnwindSafe(|| stage.process(doc))) {
                                Ok(Ok(())) => Ok(()),
                                Ok(Err(e)) => Err(DocFailure {
                                    kind: "stage_failed",
                                    stage: info.name.to_string(),
                                    message: e.message,
                                }),
                                Err(p) => Err(DocFailure {
                                    kind: "stage_panicked",
                                    stage: info.name.to_string(),
                                    message: format!(
                                        "panic: {} (batch: {batch_note})",
                                        panic_message(&*p)
                                    ),
                                }),
                            }
                        })
                        .collect::<Vec<_>>()
                }
            };
            let mut still = Vec::with_capacity(alive.len());
            for ((i, doc), result) in alive.iter().copied().zip(batch).zip(results) {
                docs[i] = doc;
                match result {
                    Ok(()) => still.push(i),
                    Err(f) => failures[i] = Some(f),
                }
            }
            alive = still;
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_core::{Span, StageError, StageInfo, Token, TokenKind};

    /// Tokenizes on spaces; fails on "fail", panics on "boom".
    struct Toy;
    impl Stage for Toy {
        fn info(&self) -> StageInfo {
            StageInfo {
                name: "toy",
                needs: &[],
                provides: &[Layer::Tokens],
            }
        }
        fn process(&self, doc: &mut Document) -> Result<(), StageError> {
            let mut pos = 0;
            for w in doc.text.split(' ') {
                doc.tokens.push(Token {
                    span: Span::new(pos, pos + w.len()),
                    kind: TokenKind::Word,
                });
                pos += w.len() + 1;
            }
            match doc.text.as_str() {
                "fail" => Err(StageError::new("toy", "cannot")),
                "boom" => panic!("kaboom"),
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn failures_and_panics_are_isolated_per_document() {
        let p = Pipeline::new("t".into(), vec![Box::new(Toy)], OutputOptions::default());
        let mut docs: Vec<Document> = ["a b", "fail", "boom", "c d e"]
            .iter()
            .map(|t| Document::new(0, *t))
            .collect();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let f = p.annotate(&mut docs);
        std::panic::set_hook(prev);
        assert_eq!(f[0], None);
        assert_eq!(f[1].as_ref().unwrap().kind, "stage_failed");
        let boom = f[2].as_ref().unwrap();
        assert_eq!((boom.kind, boom.stage.as_str()), ("stage_panicked", "toy"));
        assert!(boom.message.contains("kaboom"));
        assert_eq!(f[3], None);
        // Survivors keep their text and get exactly one pass of the stage.
        assert_eq!(docs[0].tokens.len(), 2);
        assert_eq!(docs[3].tokens.len(), 3);
        assert_eq!(docs[3].text, "c d e");
    }
}
