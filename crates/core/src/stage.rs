use crate::{Document, Layer, StageError};

/// Static facts about a stage type: its name, the layers it needs and provides.
#[derive(Clone, Copy, Debug)]
pub struct StageInfo {
    /// The stage's `type` in pipeline files.
    pub name: &'static str,
    /// Layers that an earlier stage must provide.
    pub needs: &'static [Layer],
    /// Layers this stage fills.
    pub provides: &'static [Layer],
}

/// A pipeline stage.
///
/// Stages are built once, before the first record, and shared by every worker thread, so
/// they take `&self` and must be `Send + Sync` (a backend that is not `Sync` keeps one
/// instance per worker internally). A stage adds its layers to each document; it never
/// changes the text or another stage's layer.
///
/// The runner calls [`Stage::process_batch`] with the documents of one batch. The default
/// implementation calls [`Stage::process`] per document; model stages override it to batch
/// across documents. A failure on one document is reported in that document's slot and must
/// not affect the others.
pub trait Stage: Send + Sync {
    /// Name, needed and provided layers.
    fn info(&self) -> StageInfo;

    /// Annotate one document.
    fn process(&self, doc: &mut Document) -> Result<(), StageError>;

    /// Annotate a batch of documents; returns one result per document, in order.
    fn process_batch(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
        docs.iter_mut().map(|d| self.process(d)).collect()
    }
}
