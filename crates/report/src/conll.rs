//! CoNLL export: one token per line with BIO tags.

use std::io::Write;

use caveat_output::Record;

use crate::text::TextIndex;
use crate::tokens::export_tokens;
use crate::ReportError;

/// Options of [`export_conll`].
#[derive(Clone, Debug)]
pub struct ConllOptions {
    /// Write a `-DOCSTART- -X- -X- O` line and a blank line before the document.
    pub docstart: bool,
    /// Add a hedge column (`B-epistemic`, `I-epistemic`, `O`) before the entity column.
    pub hedge_column: bool,
}

impl Default for ConllOptions {
    fn default() -> Self {
        ConllOptions {
            docstart: true,
            hedge_column: false,
        }
    }
}

/// Keep spans that do not overlap an earlier kept one (by start, longest first).
pub(crate) fn non_overlapping(mut spans: Vec<(usize, usize, usize)>) -> Vec<(usize, usize, usize)> {
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<(usize, usize, usize)> = Vec::with_capacity(spans.len());
    for s in spans {
        if s.0 < s.1 && !matches!(out.last(), Some(l) if l.1 > s.0) {
            out.push(s);
        }
    }
    out
}

/// BIO tag of every token for non-overlapping `(start, end, label index)` spans.
fn bio(tokens: &[(usize, usize)], spans: &[(usize, usize, usize)], labels: &[&str]) -> Vec<String> {
    let mut tags = Vec::with_capacity(tokens.len());
    let mut j = 0;
    let mut open: Option<usize> = None;
    for &(s, e) in tokens {
        while j < spans.len() && spans[j].1 <= s {
            j += 1;
        }
        match spans.get(j) {
            Some(&(a, b, l)) if a <= s && e <= b => {
                let prefix = if open == Some(j) { "I" } else { "B" };
                tags.push(format!("{prefix}-{}", labels[l]));
                open = Some(j);
            }
            _ => {
                tags.push("O".to_string());
                open = None;
            }
        }
    }
    tags
}

/// Write one record as CoNLL: a `token [hedge] entity` line per token (space-separated, the
/// entity tag last, BIO / IOB2), a blank line after every sentence, and (with
/// [`ConllOptions::docstart`]) a `-DOCSTART-` line before the document. `caveat eval ner
/// --gold` reads it back.
///
/// Tokens are those of [`crate::export_tokens`]; whitespace inside a token is written as `_`.
/// Tokens go to the sentence their start is in (a record without sentences is one
/// sentence). Overlapping entities (or hedges) keep the first (longest) one. Returns the
/// number of entities written.
pub fn export_conll<W: Write>(
    record: &Record,
    out: &mut W,
    opts: &ConllOptions,
) -> Result<usize, ReportError> {
    write_conll(record, out, opts).map_err(ReportError::output)
}

fn write_conll<W: Write>(
    record: &Record,
    out: &mut W,
    opts: &ConllOptions,
) -> std::io::Result<usize> {
    let index = TextIndex::new(&record.text);
    let tokens = export_tokens(record);
    let labels: Vec<&str> = record.entities.iter().map(|e| e.label.as_str()).collect();
    let ents = non_overlapping(
        record
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.start, e.end, i))
            .collect(),
    );
    let ent_tags = bio(&tokens, &ents, &labels);
    let hedge_tags = opts.hedge_column.then(|| {
        let cats: Vec<&str> = record.hedges.iter().map(|h| h.category.as_str()).collect();
        let spans = non_overlapping(
            record
                .hedges
                .iter()
                .enumerate()
                .map(|(i, h)| (h.start, h.end, i))
                .collect(),
        );
        bio(&tokens, &spans, &cats)
    });
    let written = ent_tags.iter().filter(|t| t.starts_with("B-")).count();

    if opts.docstart {
        out.write_all(b"-DOCSTART- -X- -X- O\n\n")?;
    }
    let mut sentences: Vec<(usize, usize)> =
        record.sentences.iter().map(|s| (s.start, s.end)).collect();
    sentences.sort_unstable();
    let mut sent: Option<usize> = None;
    let mut in_block = false;
    let mut word = String::new();
    for (k, &(s, e)) in tokens.iter().enumerate() {
        let mut cur = sent;
        while cur.map_or(0, |c| c + 1) < sentences.len()
            && sentences[cur.map_or(0, |c| c + 1)].0 <= s
        {
            cur = Some(cur.map_or(0, |c| c + 1));
        }
        if cur != sent && in_block {
            out.write_all(b"\n")?;
        }
        sent = cur;
        word.clear();
        word.extend(
            index
                .slice(s, e)
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c }),
        );
        match &hedge_tags {
            Some(h) => writeln!(out, "{word} {} {}", h[k], ent_tags[k])?,
            None => writeln!(out, "{word} {}", ent_tags[k])?,
        }
        in_block = true;
    }
    if in_block {
        out.write_all(b"\n")?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    /// Read CoNLL back: find every token in the text from left to right and turn BIO tags of
    /// column `col` into `(start, end, label)` code-point spans.
    fn read_back(text: &str, conll: &str, col: usize) -> (Vec<(usize, usize, String)>, usize) {
        let chars: Vec<char> = text.chars().collect();
        let mut pos = 0;
        let mut spans: Vec<(usize, usize, String)> = Vec::new();
        let mut sentences = 0;
        let mut prev_blank = true;
        for line in conll.lines() {
            if line.starts_with("-DOCSTART-") {
                continue;
            }
            if line.is_empty() {
                if !prev_blank {
                    sentences += 1;
                }
                prev_blank = true;
                continue;
            }
            prev_blank = false;
            let cols: Vec<&str> = line.split(' ').collect();
            let tok: Vec<char> = cols[0].chars().collect();
            let start = (pos..chars.len())
                .find(|&i| chars[i..].starts_with(&tok))
                .expect("token in text");
            let end = start + tok.len();
            pos = end;
            let tag = cols[col];
            if let Some(label) = tag.strip_prefix("B-") {
                spans.push((start, end, label.to_string()));
            } else if let Some(label) = tag.strip_prefix("I-") {
                let last = spans.last_mut().expect("I- after B-");
                assert_eq!(last.2, label);
                last.1 = end;
            }
        }
        (spans, sentences)
    }

    #[test]
    fn round_trip_entities_and_hedges() {
        let r = Record::from_json_line(
            r#"{"id":"x","text":"Le Monde says Zoë Ça may go.\n\nNew York Times is unsure 🚄.",
              "sentences":[{"start":0,"end":28},{"start":30,"end":57}],
              "entities":[{"start":0,"end":8,"label":"ORG"},{"start":14,"end":20,"label":"PER"},
                          {"start":15,"end":17,"label":"X"},{"start":30,"end":44,"label":"ORG"}],
              "hedges":[{"start":21,"end":24,"category":"epistemic"},{"start":48,"end":54,"category":"epistemic"}]}"#,
            1,
            OffsetUnit::Chars,
        )
        .unwrap();
        let mut out = Vec::new();
        let opts = ConllOptions {
            docstart: true,
            hedge_column: true,
        };
        assert_eq!(export_conll(&r, &mut out, &opts).unwrap(), 3);
        let conll = String::from_utf8(out).unwrap();
        assert!(conll.starts_with("-DOCSTART- -X- -X- O\n\nLe O B-ORG\nMonde O I-ORG\n"));
        let (ents, sentences) = read_back(&r.text, &conll, 2);
        assert_eq!(sentences, 2);
        let expected: Vec<(usize, usize, String)> =
            [(0, 8, "ORG"), (14, 20, "PER"), (30, 44, "ORG")]
                .into_iter()
                .map(|(s, e, l)| (s, e, l.to_string()))
                .collect();
        assert_eq!(ents, expected);
        let (hedges, _) = read_back(&r.text, &conll, 1);
        assert_eq!(hedges.len(), 2);
        assert_eq!((hedges[1].0, hedges[1].1), (48, 54));
    }

    #[test]
    fn no_sentences_no_docstart() {
        let r = Record::from_json_line(r#"{"text":"a b"}"#, 1, OffsetUnit::Chars).unwrap();
        let mut out = Vec::new();
        let opts = ConllOptions {
            docstart: false,
            hedge_column: false,
        };
        export_conll(&r, &mut out, &opts).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a O\nb O\n\n");
    }
}
