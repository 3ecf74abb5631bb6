//! A stage type defined outside caveat: `watchlist` tags every occurrence of the names on a
//! list (a newsroom's watch list) as entities with a fixed label.
//!
//! Everything a stage type needs comes from `caveat-core`: the options are one
//! [`stage_options!`] struct (docs, types and defaults in one place), [`StageConfig`] builds
//! the stage, and [`Stage`] annotates documents. [`registry`] adds it to caveat's own stage
//! types, and the pipeline crate runs it from TOML like any built-in stage; nothing in caveat
//! had to change. See `src/main.rs` and `pipeline.toml`.

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Entity, Layer, Registry, Stage, StageConfig,
    StageError, StageInfo,
};

stage_options! {
    /// Options of the `watchlist` stage.
    #[derive(Debug, Clone)]
    pub struct WatchlistConfig {
        /// The names to find, each one or more words (matched whole-token and
        /// case-sensitively).
        pub names: Vec<String> = Vec::new(),
        /// The entity label to give them.
        pub label: String = "WATCH".to_string(),
    }
}

/// Why a watch list could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    /// The list is empty.
    #[error("`names` is empty: list at least one name to watch for")]
    Empty,
    /// A name has no words.
    #[error("name #{0} in `names` is blank")]
    Blank(usize),
}

impl StageConfig for WatchlistConfig {
    const INFO: StageInfo = StageInfo::new("watchlist", &[Layer::Tokens], &[Layer::Entities]);

    fn build(&self, _ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        if self.names.is_empty() {
            return Err(WatchlistError::Empty.into());
        }
        let mut names = Vec::new();
        for (i, n) in self.names.iter().enumerate() {
            let words: Vec<String> = n.split_whitespace().map(str::to_string).collect();
            if words.is_empty() {
                return Err(WatchlistError::Blank(i + 1).into());
            }
            names.push(words);
        }
        // Longest names first, so "National Intelligence Service" wins over a shorter name
        // that starts the same way.
        names.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Ok(Box::new(Watchlist {
            names,
            label: self.label.clone(),
        }))
    }
}

/// The built stage.
#[derive(Debug)]
pub struct Watchlist {
    names: Vec<Vec<String>>,
    label: String,
}

impl Stage for Watchlist {
    fn info(&self) -> StageInfo {
        WatchlistConfig::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let words: Vec<&str> = doc
            .tokens
            .iter()
            .map(|t| doc.text.get(t.span.range()).unwrap_or(""))
            .collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let hit = self.names.iter().find(|name| {
                words.len() - i >= name.len() && name.iter().zip(&words[i..]).all(|(a, b)| a == b)
            });
            match hit {
                Some(name) => {
                    let tokens = i..i + name.len();
                    let span = caveat_core::Span::new(
                        doc.tokens[tokens.start].span.start,
                        doc.tokens[tokens.end - 1].span.end,
                    );
                    found.push(Entity {
                        span,
                        tokens,
                        label: self.label.clone(),
                        score: 1.0,
                        cluster: None,
                    });
                    i += name.len();
                }
                None => i += 1,
            }
        }
        doc.entities = found;
        Ok(())
    }
}

/// caveat's own stage types plus `watchlist`.
pub fn registry() -> Registry {
    let mut r = caveat_pipeline::registry::builtin();
    r.register::<WatchlistConfig>();
    r
}
