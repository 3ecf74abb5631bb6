/// A failure of one stage on one document.
///
/// The runner turns it into an error record for that document (with the document's id and
/// input line) and goes on with the rest of the batch.
#[derive(Debug, thiserror::Error)]
#[error("stage `{stage}` failed: {message}")]
pub struct StageError {
    /// Name of the stage that failed.
    pub stage: String,
    /// What went wrong, for a human.
    pub message: String,
}

impl StageError {
    /// A new error of `stage`.
    pub fn new(stage: impl Into<String>, message: impl Into<String>) -> StageError {
        StageError {
            stage: stage.into(),
            message: message.into(),
        }
    }
}
