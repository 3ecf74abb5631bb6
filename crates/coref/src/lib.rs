//! caveat's coref stage: who is who within an article.
//!
//! The stage groups the entity layer's mentions of one referent into a
//! [`Cluster`](caveat_core::Cluster) ("Donald Trump", "Trump", "Mr Trump"; "the National
//! Intelligence Service (NIS)", "the NIS"), names each cluster by its longest proper mention
//! and labels it by the score-weighted majority of its mentions, so a mention the tagger
//! took for a non-person in a person's cluster ("Trump" ORG) or the reverse is corrected to
//! the cluster's label (option `relabel`).
//! Then it resolves each attribution's source to a cluster (`source_cluster`): the entity
//! inside the source, a name the tagger missed, "he"/"she"/"it", or a definite description
//! ("the agency", "the expert") — only when the evidence is clear, otherwise it stays
//! `null`. The rules are in `cluster.rs` and `resolve.rs`
//! (private modules; their docs list the rules in order).
//!
//! It needs tokens, sentences and entities, and uses attributions when an earlier stage
//! made them: put it last in a pipeline. It has no model: the rules are the whole stage, and
//! its cost is linear in the number of tokens plus (entities × clusters) per document.
//!
//! What it deliberately does not do: resolve plural pronouns ("they"), first-person pronouns
//! inside quotes, or merge two people who share a surname.

mod cluster;
mod resolve;

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Layer, Link, Stage, StageConfig, StageError,
    StageInfo,
};

stage_options! {
    /// Options of the coref stage as written in a `[[stages]]` table.
    #[derive(Debug, Clone)]
    pub struct CorefConfig {
        /// Correct a mention whose label disagrees with its cluster's (the score-weighted
        /// majority of its mentions) on whether it is a person ("Trump" ORG among "Donald
        /// Trump" PER); LOC, ORG and MISC of one name are left as tagged (metonymy: "Japan"
        /// the country and the team). False keeps every label and only adds `cluster`.
        pub relabel: bool = true,
        /// How many sentences before the source's own a pronoun or description ("he", "the
        /// company") looks back for its referent.
        pub window: usize = 2,
        /// Resolve "he", "she" and "it" sources; false leaves pronoun sources unresolved.
        pub pronouns: bool = true,
    }
}

/// Errors of building the coref stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorefError {
    /// An option has an invalid value.
    #[error("coref option `{option}`: {message}")]
    Option {
        /// The option's name.
        option: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl StageConfig for CorefConfig {
    const INFO: StageInfo = StageInfo::new(
        "coref",
        &[Layer::Tokens, Layer::Sentences, Layer::Entities],
        &[Layer::Clusters],
    )
    .with_links(&[Link::EntityCluster, Link::AttributionSourceCluster]);

    fn build(&self, _ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        Ok(Box::new(CorefConfig::build(self)?))
    }
}

impl CorefConfig {
    /// Check the options and build the stage.
    pub fn build(&self) -> Result<CorefStage, CorefError> {
        if self.window > 20 {
            return Err(CorefError::Option {
                option: "window",
                message: format!(
                    "{} sentences is too far for a pronoun to reach back; use 0 to 20 (default 2)",
                    self.window
                ),
            });
        }
        Ok(CorefStage {
            config: self.clone(),
        })
    }
}

/// The built coref stage (shared by all threads).
#[derive(Debug, Clone)]
pub struct CorefStage {
    config: CorefConfig,
}

impl CorefStage {
    /// Annotate one document (the same as [`Stage::process`], infallible).
    pub fn annotate(&self, doc: &mut Document) {
        let (clusters, of_entity) = cluster::cluster(doc);
        let sources = resolve::Resolver::new(
            doc,
            &clusters,
            &of_entity,
            self.config.window,
            self.config.pronouns,
        )
        .resolve_all();
        // Everything is computed; write the links last (see `Link::EntityCluster`).
        for (e, &c) in doc.entities.iter_mut().zip(&of_entity) {
            e.cluster = Some(c);
            // Only person/non-person disagreements are errors; LOC, ORG and MISC of one
            // name are often all right (metonymy: "Japan" the country and the team).
            let person_mismatch = (e.label == "PER") != (clusters[c].label == "PER");
            if self.config.relabel && person_mismatch {
                e.label.clone_from(&clusters[c].label);
            }
        }
        for (a, c) in doc.attributions.iter_mut().zip(sources) {
            a.source_cluster = c;
        }
        doc.clusters = clusters;
    }
}

impl Stage for CorefStage {
    fn info(&self) -> StageInfo {
        <CorefConfig as StageConfig>::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.annotate(doc);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
