//! Readers for cue-annotated corpora: the Szeged uncertainty corpus (`<Sentence>`,
//! `<ccue type="...">`) and BioScope (`<sentence>`, `<cue type="speculation">`).
//!
//! Reading follows the project's scorer (`tools/eval/factbank.py`) exactly: one text per
//! `<Document>`, its sentences joined by `"\n"`, tags removed, entities unescaped, and cue
//! offsets into that text. Negation cues are not hedges and are left out.

use std::path::Path;

use caveat_core::{HedgeCategory, Span};

use crate::HedgeError;

/// One gold document.
#[derive(Clone, Debug, PartialEq)]
pub struct GoldDoc {
    /// `DocID` plus `#` and the document's position in the file (as the scorer builds it).
    pub id: String,
    /// Sentences joined by `"\n"`.
    pub text: String,
    /// Byte spans of the sentences in `text`.
    pub sentences: Vec<Span>,
    /// Hedge cues (byte spans into `text`).
    pub cues: Vec<GoldCue>,
}

/// One gold cue.
#[derive(Clone, Debug, PartialEq)]
pub struct GoldCue {
    /// Where the cue is.
    pub span: Span,
    /// The annotated type (`speculation_hypo_doxastic _`, `speculation`, ...).
    pub class: String,
}

impl GoldCue {
    /// The caveat category of the cue's Szeged class (BioScope's untyped `speculation` and
    /// Szeged's `modal` classes are epistemic).
    pub fn category(&self) -> HedgeCategory {
        class_category(&self.class)
    }
}

/// The caveat category of a Szeged / BioScope cue class.
pub fn class_category(class: &str) -> HedgeCategory {
    if class.contains("doxastic") {
        HedgeCategory::Doxastic
    } else if class.contains("investigation") {
        HedgeCategory::Investigation
    } else if class.contains("condition") {
        HedgeCategory::Condition
    } else {
        HedgeCategory::Epistemic
    }
}

/// Read a Szeged or BioScope XML file.
pub fn read_xml(path: impl AsRef<Path>) -> Result<Vec<GoldDoc>, HedgeError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| HedgeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse_xml(&text))
}

/// Parse Szeged or BioScope XML text (see the module docs).
pub fn parse_xml(xml: &str) -> Vec<GoldDoc> {
    let mut docs = Vec::new();
    let mut rest = xml;
    let mut n = 0;
    while let Some(start) = find_doc_start(rest) {
        let after = &rest[start..];
        let Some(end) = after.find("</Document>") else {
            break;
        };
        let body = &after[..end + "</Document>".len()];
        docs.push(parse_doc(body, n));
        n += 1;
        rest = &after[end + "</Document>".len()..];
    }
    docs
}

fn find_doc_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = s[from..].find("<Document") {
        let at = from + p;
        match s.as_bytes().get(at + "<Document".len()) {
            Some(b' ') | Some(b'>') => return Some(at),
            _ => from = at + 1,
        }
    }
    None
}

fn between<'a>(s: &'a str, open_prefix: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open_prefix)?;
    let gt = s[a..].find('>')? + a + 1;
    let b = s[gt..].find(close)? + gt;
    Some(&s[gt..b])
}

fn parse_doc(body: &str, n: usize) -> GoldDoc {
    let id = format!(
        "{}#{n}",
        between(body, "<DocID", "</DocID>").map_or_else(|| format!("doc{n}"), str::to_string)
    );
    let mut text = String::new();
    let mut sentences = Vec::new();
    let mut cues = Vec::new();
    let mut rest = body;
    // <Sentence id="..."> or <sentence id="...">
    while let Some(p) = find_sentence_open(rest) {
        let open_end = match rest[p..].find("\">") {
            Some(q) => p + q + 2,
            None => break,
        };
        let after = &rest[open_end..];
        let close = match (after.find("</Sentence>"), after.find("</sentence>")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        let inner = &after[..close];
        if !sentences.is_empty() {
            text.push('\n');
        }
        let start = text.len();
        parse_sentence(inner, &mut text, &mut cues);
        sentences.push(Span::new(start, text.len()));
        rest = &after[close + "</Sentence>".len()..];
    }
    GoldDoc {
        id,
        text,
        sentences,
        cues,
    }
}

fn find_sentence_open(s: &str) -> Option<usize> {
    let a = s.find("<Sentence id=\"");
    let b = s.find("<sentence id=\"");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (x, y) => x.or(y),
    }
}

fn parse_sentence(inner: &str, out: &mut String, cues: &mut Vec<GoldCue>) {
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        match rest.find('<') {
            None => {
                unescape_into(rest, out);
                break;
            }
            Some(p) => {
                unescape_into(&rest[..p], out);
                let Some(q) = rest[p..].find('>') else {
                    unescape_into(&rest[p..], out);
                    break;
                };
                let tag = &rest[p..p + q + 1];
                if tag.starts_with("<cue ")
                    || tag.starts_with("<ccue ")
                    || tag == "<cue>"
                    || tag == "<ccue>"
                {
                    let ty = tag
                        .find("type=\"")
                        .and_then(|a| {
                            let v = &tag[a + 6..];
                            v.find('"').map(|b| v[..b].trim().to_string())
                        })
                        .unwrap_or_default();
                    stack.push((out.len(), ty));
                } else if tag == "</ccue>" || tag == "</cue>" {
                    if let Some((start, ty)) = stack.pop() {
                        if !ty.contains("negation") {
                            cues.push(GoldCue {
                                span: Span::new(start, out.len()),
                                class: ty,
                            });
                        }
                    }
                }
                rest = &rest[p + q + 1..];
            }
        }
    }
}

/// Append `s` with XML/HTML character references resolved.
fn unescape_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let semi = tail.bytes().take(12).position(|b| b == b';');
        let ent = semi.map(|e| &tail[1..e]);
        let ch = ent.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                let num = e.strip_prefix('#')?;
                let v = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => num.parse().ok()?,
                };
                char::from_u32(v)
            }
        });
        match (ch, semi) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_szeged_and_bioscope_layouts() {
        let xml = r#"<Annotation><DocumentSet><Document type="x"><DocID type="a">Doc A</DocID>
<DocumentPart><Sentence id="S1.1">It <ccue type="speculation_modal_probable_">may</ccue> rain &amp; <ccue type="speculation_hypo_doxastic _">is <ccue type="x">thought</ccue></ccue>.</Sentence>
<Sentence id="S1.2">Plain.</Sentence></DocumentPart></Document>
<Documents/><Document><DocID>B</DocID><sentence id="S2.1"><xcope id="X"><cue type="speculation" ref="X">suggest</cue> <cue type="negation" ref="Y">not</cue></xcope></sentence></Document></DocumentSet></Annotation>"#;
        let docs = parse_xml(xml);
        assert_eq!(docs.len(), 2);
        let a = &docs[0];
        assert_eq!(a.id, "Doc A#0");
        assert_eq!(a.text, "It may rain & is thought.\nPlain.");
        assert_eq!(a.sentences, [Span::new(0, 25), Span::new(26, 32)]);
        let cues: Vec<(&str, HedgeCategory)> = a
            .cues
            .iter()
            .map(|c| (c.span.slice(&a.text), c.category()))
            .collect();
        assert_eq!(
            cues,
            [
                ("may", HedgeCategory::Epistemic),
                ("thought", HedgeCategory::Epistemic),
                ("is thought", HedgeCategory::Doxastic)
            ]
        );
        let b = &docs[1];
        assert_eq!(b.id, "B#1");
        assert_eq!(b.text, "suggest not");
        assert_eq!(b.cues.len(), 1);
        assert_eq!(b.cues[0].span.slice(&b.text), "suggest");
    }
}
