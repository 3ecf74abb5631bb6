//! Reading CoNLL-2003-style files: one `token ... tag` line per token (the tag is the last
//! column), blank lines between sentences, `-DOCSTART-` lines between documents.
//!
//! Tags may be IOB1 or IOB2 (or BIOES/BILOU); [`crate::eval::spans_from_tags`] reads all of
//! them the way conlleval does.

use std::path::Path;

use crate::NerError;

/// One sentence: its tokens and their tags, in order.
pub type ConllSentence = Vec<(String, String)>;

/// One document: the sentences between two `-DOCSTART-` lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConllDoc {
    /// The document's sentences.
    pub sentences: Vec<ConllSentence>,
}

impl ConllDoc {
    /// Number of tokens in the document.
    pub fn n_tokens(&self) -> usize {
        self.sentences.iter().map(Vec::len).sum()
    }
}

/// Read a CoNLL file into documents (a file without `-DOCSTART-` lines is one document).
pub fn read(path: impl AsRef<Path>) -> Result<Vec<ConllDoc>, NerError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|(line, message)| NerError::Conll {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Parse CoNLL text; errors carry the 1-based line number.
pub fn parse(text: &str) -> Result<Vec<ConllDoc>, (usize, String)> {
    let mut docs: Vec<ConllDoc> = Vec::new();
    let mut doc = ConllDoc::default();
    let mut sent: ConllSentence = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("-DOCSTART-") {
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            if !doc.sentences.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        if line.trim().is_empty() {
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            continue;
        }
        let mut parts = line.split_whitespace();
        let token = parts.next().unwrap_or_default();
        let tag = parts.next_back().ok_or_else(|| {
            (
                i + 1,
                format!("expected `token ... tag`, found only `{token}`"),
            )
        })?;
        let ok = tag == "O"
            || (tag.len() > 2
                && tag.as_bytes()[1] == b'-'
                && b"BIESLU".contains(&tag.as_bytes()[0]));
        if !ok {
            return Err((
                i + 1,
                format!("tag `{tag}` is not O or B-/I-/E-/S-/L-/U-<label>"),
            ));
        }
        sent.push((token.to_string(), tag.to_string()));
    }
    if !sent.is_empty() {
        doc.sentences.push(sent);
    }
    if !doc.sentences.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_sentences() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter B-PER\n\
                    \n-DOCSTART- -X- O\n\nBonn I-LOC\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0][0], ("EU".into(), "B-ORG".into()));
        assert_eq!(docs[1].sentences[0], vec![("Bonn".into(), "I-LOC".into())]);
        assert_eq!(docs[0].n_tokens(), 3);
    }

    #[test]
    fn reports_bad_lines() {
        let err = parse("a O\nlonely\n").unwrap_err();
        assert_eq!(err.0, 2);
        let err = parse("a O\nb X-PER\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(parse("").unwrap().is_empty());
    }
}
