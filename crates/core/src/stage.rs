use crate::{Document, Layer, Link, StageError};

/// Static facts about a stage type: its name, the layers it needs and provides, and the
/// fields it sets on other stages' layers.
#[derive(Clone, Copy, Debug)]
pub struct StageInfo {
    /// The stage's `type` in pipeline files.
    pub name: &'static str,
    /// Layers that an earlier stage must provide.
    pub needs: &'static [Layer],
    /// Layers this stage fills.
    pub provides: &'static [Layer],
    /// Fields of other layers this stage sets (its cross-links); the only writes a stage may
    /// make outside its own layers. The pipeline resets them with the stage's layers when it
    /// has to run the stage again on one document.
    pub links: &'static [Link],
}

impl StageInfo {
    /// A stage type that sets no fields on other layers.
    pub const fn new(
        name: &'static str,
        needs: &'static [Layer],
        provides: &'static [Layer],
    ) -> StageInfo {
        StageInfo {
            name,
            needs,
            provides,
            links: &[],
        }
    }

    /// The same, declaring the fields it sets on other layers.
    pub const fn with_links(self, links: &'static [Link]) -> StageInfo {
        StageInfo { links, ..self }
    }
}

/// A pipeline stage.
///
/// Stages are built once, before the first record, and shared by every worker thread, so
/// they take `&self` and must be `Send + Sync` (a backend that is not `Sync` keeps one
/// instance per worker internally). A stage adds its layers to each document; it never
/// changes the text or another stage's layer, except the fields it declares in
/// [`StageInfo::links`].
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
