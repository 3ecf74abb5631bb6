//! Silver training data: documents a teacher pipeline labelled, read from caveat's own JSONL
//! output, for distilling a slow, accurate tagger (the transformer pipeline) into the fast one.
//!
//! Label a corpus with any pipeline whose output has the token layer (`[output] tokens =
//! true`), then pass the output to `caveat train ner --silver FILE`. Each record's `tokens`,
//! `sentences` and `entities` become one CoNLL-style document with IOB2 tags. The teacher's
//! entity `score` (its smallest per-word label probability) is the teacher's confidence: a
//! sentence holding an entity below [`SilverOptions::min_score`] is left out, so the student
//! learns from what the teacher is sure of. Offsets may be bytes or code points: only the
//! record's own offsets are compared, never sliced.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::conll::{ConllDoc, ConllSentence};
use crate::NerError;

/// How silver documents are read.
#[derive(Clone, Copy, Debug)]
pub struct SilverOptions {
    /// Leave out a sentence when one of its entities scores below this.
    pub min_score: f32,
}

impl Default for SilverOptions {
    fn default() -> Self {
        SilverOptions { min_score: 0.5 }
    }
}

/// What reading silver data kept and left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SilverStats {
    /// Records read as documents.
    pub documents: usize,
    /// Records skipped: error records of the teacher run, records without text.
    pub skipped_records: usize,
    /// Sentences kept.
    pub sentences: usize,
    /// Sentences left out for a low-confidence entity.
    pub low_confidence: usize,
    /// Sentences left out because an entity does not start and end on token boundaries.
    pub misaligned: usize,
    /// Tokens kept.
    pub tokens: usize,
    /// Entities kept.
    pub entities: usize,
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    tokens: Option<Vec<Token>>,
    #[serde(default)]
    sentences: Vec<Bounds>,
    #[serde(default)]
    entities: Vec<Entity>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Token {
    start: usize,
    end: usize,
    text: String,
}

#[derive(Deserialize)]
struct Bounds {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct Entity {
    start: usize,
    end: usize,
    label: String,
    #[serde(default = "one")]
    score: f32,
}

fn one() -> f32 {
    1.0
}

/// Read a teacher's JSONL output into documents (see the module docs).
pub fn read(
    path: impl AsRef<Path>,
    opts: SilverOptions,
) -> Result<(Vec<ConllDoc>, SilverStats), NerError> {
    let path = path.as_ref();
    let io = |source| NerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut docs = Vec::new();
    let mut stats = SilverStats::default();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| NerError::Conll {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let rec: Record = serde_json::from_str(&line)
            .map_err(|e| bad(format!("not a caveat output record: {e}")))?;
        if rec.error.is_some() {
            stats.skipped_records += 1;
            continue;
        }
        let Some(tokens) = rec.tokens else {
            return Err(bad(
                "the record has no `tokens`: label the corpus with `[output] tokens = true` \
                 in the teacher pipeline"
                    .into(),
            ));
        };
        match document(&tokens, &rec.sentences, &rec.entities, opts, &mut stats) {
            Some(doc) => {
                stats.documents += 1;
                docs.push(doc);
            }
            None => stats.skipped_records += 1,
        }
    }
    Ok((docs, stats))
}

/// One record as a document of the sentences worth learning from (`None` when none is).
fn document(
    tokens: &[Token],
    sentences: &[Bounds],
    entities: &[Entity],
    opts: SilverOptions,
    stats: &mut SilverStats,
) -> Option<ConllDoc> {
    let whole = [Bounds {
        start: 0,
        end: usize::MAX,
    }];
    let sentences = if sentences.is_empty() {
        &whole[..]
    } else {
        sentences
    };
    let mut doc = ConllDoc::default();
    let mut e = 0;
    let mut t = 0;
    for s in sentences {
        // Tokens and entities are in text order, like sentences.
        while t < tokens.len() && tokens[t].start < s.start {
            t += 1;
        }
        let t0 = t;
        while t < tokens.len() && tokens[t].end <= s.end {
            t += 1;
        }
        let toks = &tokens[t0..t];
        let mut tags = vec!["O".to_string(); toks.len()];
        let (mut low, mut misaligned) = (false, false);
        while e < entities.len() && entities[e].start < s.end {
            let ent = &entities[e];
            e += 1;
            let a = toks.iter().position(|k| k.start == ent.start);
            let b = toks.iter().position(|k| k.end == ent.end);
            match (a, b) {
                (Some(a), Some(b)) if a <= b => {
                    tags[a] = format!("B-{}", ent.label);
                    for tag in &mut tags[a + 1..=b] {
                        *tag = format!("I-{}", ent.label);
                    }
                }
                _ => misaligned = true,
            }
            low |= ent.score < opts.min_score;
        }
        if toks.is_empty() {
            continue;
        }
        if misaligned {
            stats.misaligned += 1;
        } else if low {
            stats.low_confidence += 1;
        } else {
            stats.sentences += 1;
            stats.tokens += toks.len();
            stats.entities += tags.iter().filter(|t| t.starts_with("B-")).count();
            let sent: ConllSentence = toks.iter().map(|k| k.text.clone()).zip(tags).collect();
            doc.sentences.push(sent);
        }
    }
    (!doc.sentences.is_empty()).then_some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(lines: &[&str]) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        for l in lines {
            writeln!(f, "{l}").unwrap();
        }
        f
    }

    const REC: &str = r#"{"id":"a","text":"Kim Jong-un met Putin. Rain fell.","sentences":[{"start":0,"end":22},{"start":23,"end":33}],"entities":[{"start":0,"end":11,"label":"PER","text":"Kim Jong-un","score":0.9},{"start":16,"end":21,"label":"PER","text":"Putin","score":0.4}],"tokens":[{"start":0,"end":3,"text":"Kim","kind":"word"},{"start":4,"end":11,"text":"Jong-un","kind":"word"},{"start":12,"end":15,"text":"met","kind":"word"},{"start":16,"end":21,"text":"Putin","kind":"word"},{"start":21,"end":22,"text":".","kind":"punct"},{"start":23,"end":27,"text":"Rain","kind":"word"},{"start":28,"end":32,"text":"fell","kind":"word"},{"start":32,"end":33,"text":".","kind":"punct"}]}"#;

    #[test]
    fn sentences_become_iob2_and_unsure_ones_are_left_out() {
        let f = write(&[REC, r#"{"id":"b","error":{"kind":"json","message":"x"}}"#]);
        let (docs, stats) = read(f.path(), SilverOptions { min_score: 0.3 }).unwrap();
        assert_eq!(docs.len(), 1);
        let s = &docs[0].sentences[0];
        let tags: Vec<&str> = s.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(tags, ["B-PER", "I-PER", "O", "B-PER", "O"]);
        assert_eq!(s[1].0, "Jong-un");
        assert_eq!(docs[0].sentences[1].len(), 3);
        assert_eq!(stats.skipped_records, 1);
        assert_eq!((stats.sentences, stats.entities, stats.tokens), (2, 2, 8));

        // "Putin" at 0.4 makes the first sentence too unsure at 0.5.
        let (docs, stats) = read(f.path(), SilverOptions { min_score: 0.5 }).unwrap();
        assert_eq!(docs[0].sentences.len(), 1);
        assert_eq!(
            docs[0].sentences[0][0],
            ("Rain".to_string(), "O".to_string())
        );
        assert_eq!((stats.low_confidence, stats.sentences), (1, 1));
    }

    #[test]
    fn entities_off_token_boundaries_drop_their_sentence() {
        let rec = REC.replace(
            r#""start":16,"end":21,"label""#,
            r#""start":17,"end":21,"label""#,
        );
        let f = write(&[&rec]);
        let (docs, stats) = read(f.path(), SilverOptions { min_score: 0.0 }).unwrap();
        assert_eq!(stats.misaligned, 1);
        assert_eq!(docs[0].sentences.len(), 1);
    }

    #[test]
    fn records_without_tokens_say_how_to_fix_it() {
        let f = write(&[r#"{"id":"a","text":"x","entities":[]}"#]);
        let err = read(f.path(), SilverOptions::default()).unwrap_err();
        assert!(err.to_string().contains("tokens = true"), "{err}");
        assert!(err.to_string().contains(":1:"), "{err}");
    }
}
