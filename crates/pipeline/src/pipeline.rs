use std::panic::{catch_unwind, AssertUnwindSafe};

use caveat_core::{Document, Layer, Stage, StageInfo};

use crate::config::{ConfigErrors, ConfigProblem, OutputOptions, ProblemKind};

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
/// the fields it declares it sets on other layers.
fn reset_layers(doc: &mut Document, info: &StageInfo) {
    for &layer in info.provides {
        doc.clear_layer(layer);
    }
    for &link in info.links {
        doc.clear_link(link);
    }
}

/// A stage whose needed layers no earlier stage provides.
pub(crate) struct MissingLayers {
    /// 0-based position of the stage.
    pub index: usize,
    /// Its name.
    pub name: &'static str,
    /// 1-based line in the pipeline file (0: none).
    pub line: usize,
    /// The layers it needs that nothing before it provides.
    pub missing: Vec<Layer>,
}

impl MissingLayers {
    /// The problem report, without a fix (the caller knows which stage types could help).
    pub(crate) fn problem(&self, file: &std::path::Path) -> ConfigProblem {
        let names: Vec<&str> = self.missing.iter().map(|l| l.as_str()).collect();
        ConfigProblem {
            kind: ProblemKind::Invalid,
            file: file.to_path_buf(),
            line: (self.line > 0).then_some(self.line),
            column: (self.line > 0).then_some(1),
            message: format!(
                "stage #{} (`{}`) needs the `{}` layer{}, which no earlier stage provides",
                self.index + 1,
                self.name,
                names.join("` and `"),
                if names.len() > 1 { "s" } else { "" }
            ),
            help: None,
        }
    }
}

/// The graph check, shared by pipeline files, [`PipelineSpec`](crate::config::PipelineSpec)
/// and [`Pipeline::new`]: every layer a stage needs is provided by an earlier stage.
pub(crate) fn missing_layers(stages: &[(StageInfo, usize)]) -> Vec<MissingLayers> {
    let mut provided: Vec<Layer> = Vec::new();
    let mut out = Vec::new();
    for (index, (info, line)) in stages.iter().enumerate() {
        let missing: Vec<Layer> = info
            .needs
            .iter()
            .copied()
            .filter(|n| !provided.contains(n))
            .collect();
        if !missing.is_empty() {
            out.push(MissingLayers {
                index,
                name: info.name,
                line: *line,
                missing,
            });
        }
        provided.extend_from_slice(info.provides);
    }
    out
}

impl Pipeline {
    /// A pipeline of built `stages`, checked like a pipeline file's: every layer a stage
    /// needs must be provided by an earlier stage.
    pub fn new(
        name: String,
        stages: Vec<Box<dyn Stage>>,
        output: OutputOptions,
    ) -> Result<Pipeline, ConfigErrors> {
        let infos: Vec<(StageInfo, usize)> = stages.iter().map(|s| (s.info(), 0)).collect();
        let missing = missing_layers(&infos);
        if !missing.is_empty() {
            let file = std::path::PathBuf::from(format!("<pipeline `{name}`>"));
            return Err(ConfigErrors(
                missing.iter().map(|m| m.problem(&file)).collect(),
            ));
        }
        Ok(Pipeline {
            name,
            stages,
            output,
        })
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
                            reset_layers(doc, &info);
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
    use caveat_core::{Span, StageError, Token, TokenKind};

    /// Tokenizes on spaces; fails on "fail", panics on "boom".
    struct Toy;
    impl Stage for Toy {
        fn info(&self) -> StageInfo {
            StageInfo::new("toy", &[], &[Layer::Tokens])
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
        let p = Pipeline::new("t".into(), vec![Box::new(Toy)], OutputOptions::default()).unwrap();
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

    /// Sets `Hedge::attribution` (a declared link) and panics in batch mode on "boom".
    struct Linker;
    impl Stage for Linker {
        fn info(&self) -> StageInfo {
            StageInfo::new("linker", &[Layer::Tokens], &[Layer::Attributions])
                .with_links(&[caveat_core::Link::HedgeAttribution])
        }
        fn process(&self, doc: &mut Document) -> Result<(), StageError> {
            assert!(
                doc.hedges.iter().all(|h| h.attribution.is_none()),
                "the link was not reset before the retry"
            );
            Ok(())
        }
        fn process_batch(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
            for d in docs.iter_mut() {
                for h in &mut d.hedges {
                    h.attribution = Some(7);
                }
            }
            panic!("batch failed");
        }
    }

    #[test]
    fn a_retried_stage_starts_from_reset_links() {
        let p = Pipeline::new(
            "t".into(),
            vec![Box::new(Toy), Box::new(Linker)],
            OutputOptions::default(),
        )
        .unwrap();
        let mut doc = Document::new(0, "a b");
        doc.hedges.push(caveat_core::Hedge {
            span: Span::new(0, 1),
            category: caveat_core::HedgeCategory::Epistemic,
            sentence: 0,
            score: 1.0,
            negated: false,
            attribution: None,
        });
        let mut docs = vec![doc];
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let f = p.annotate(&mut docs);
        std::panic::set_hook(prev);
        assert_eq!(f, vec![None]);
        assert_eq!(docs[0].hedges[0].attribution, None);
    }

    #[test]
    fn new_checks_the_stage_graph() {
        let err = Pipeline::new("t".into(), vec![Box::new(Linker)], OutputOptions::default())
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("stage #1 (`linker`) needs the `tokens` layer"),
            "{err}"
        );
    }
}
