//! Gold attributions in brat standoff (the PolNeAR layout: `DIR/text/*.txt` and
//! `DIR/attributions/*.ann` with `Source`, `Cue` and `Content` spans linked by events), and
//! scoring exactly like the project's held-out checks: cue F1 by one-to-one greedy overlap,
//! and for matched cues how often the source and content overlap the gold ones.

use std::path::Path;

/// A relation in byte offsets.
#[derive(Clone, Debug)]
pub struct Rel {
    /// The cue span.
    pub cue: (usize, usize),
    /// The source span, if any.
    pub source: Option<(usize, usize)>,
    /// The content span, if any.
    pub content: Option<(usize, usize)>,
}

/// A gold document.
pub struct GoldDoc {
    /// The file stem.
    pub id: String,
    /// The raw text.
    pub text: String,
    /// Gold relations.
    pub rels: Vec<Rel>,
}

/// Byte offset of each char offset (len = chars + 1).
fn char_to_byte(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    v.push(text.len());
    v
}

/// Read `root/text/*.txt` and the first `root/attributions/STEM*.ann` of each (directory
/// order, as the Python scorer does).
pub fn read(root: &Path) -> std::io::Result<Vec<GoldDoc>> {
    let tdir = root.join("text");
    let adir = root.join("attributions");
    let anns: Vec<String> = std::fs::read_dir(&adir)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    let mut names: Vec<String> = std::fs::read_dir(&tdir)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let mut docs = Vec::new();
    for name in names {
        let stem = name.trim_end_matches(".txt").to_string();
        let text = std::fs::read_to_string(tdir.join(&name))?;
        let c2b = char_to_byte(&text);
        let b = |c: usize| c2b[c.min(c2b.len() - 1)];
        let mut rels = Vec::new();
        if let Some(a) = anns.iter().find(|a| a.starts_with(&stem)) {
            let ann = std::fs::read_to_string(adir.join(a))?;
            let mut spans = std::collections::HashMap::new();
            for line in ann.lines() {
                let p: Vec<&str> = line.split('\t').collect();
                if p.len() < 2 {
                    continue;
                }
                let id = p[0];
                let ok = id.len() > 1
                    && (id.starts_with('T') || id.starts_with('E'))
                    && id[1..].bytes().all(|c| c.is_ascii_digit());
                if !ok {
                    continue;
                }
                if id.starts_with('T') {
                    let mut it = p[1].splitn(2, ' ');
                    let _kind = it.next();
                    let offs = it.next().unwrap_or("");
                    let ranges: Vec<&str> = offs.split(';').collect();
                    let first = ranges[0]
                        .split_whitespace()
                        .next()
                        .and_then(|x| x.parse().ok());
                    let last = ranges[ranges.len() - 1]
                        .split_whitespace()
                        .last()
                        .and_then(|x| x.parse().ok());
                    let (Some(s), Some(e)) = (first, last) else {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "{}: span {id} has no offsets: `{line}`",
                                adir.join(a).display()
                            ),
                        ));
                    };
                    let (s, e): (usize, usize) = (s, e);
                    spans.insert(id.to_string(), (b(s), b(e.max(s))));
                } else {
                    let role = |r: &str| {
                        p[1].split(' ')
                            .filter_map(|x| x.split_once(':'))
                            .find(|(k, _)| *k == r)
                            .and_then(|(_, t)| spans.get(t).copied())
                    };
                    let cue = role("Cue");
                    if let Some(cue) = cue {
                        rels.push(Rel {
                            cue,
                            source: role("Source"),
                            content: role("Content"),
                        });
                    }
                }
            }
        }
        docs.push(GoldDoc {
            id: stem,
            text,
            rels,
        });
    }
    Ok(docs)
}

fn ov(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.0 < b.1 && b.0 < a.1)
}

/// Running totals of the score.
#[derive(Default, Debug, Clone, Copy)]
pub struct Score {
    /// Matched cues.
    pub tp: usize,
    /// Predicted cues matching no gold cue.
    pub fp: usize,
    /// Gold cues matched by no prediction.
    pub fn_: usize,
    /// Matched cues whose predicted source overlaps the gold source.
    pub src_ok: usize,
    /// Matched cues with a gold source.
    pub src_n: usize,
    /// Matched cues whose predicted content overlaps the gold content.
    pub con_ok: usize,
    /// Matched cues with a gold content.
    pub con_n: usize,
    /// False positives overlapping an already matched gold cue (split cues).
    pub dup: usize,
    /// Whole relations right (the project's strict check): the cue overlaps a gold cue and the
    /// source and the content each match the gold ones with character Dice >= 0.5 (both
    /// missing counts as a match).
    pub strict_tp: usize,
    /// Matched cues (by overlap, as in `tp`) whose source matches with Dice >= 0.5.
    pub src_dice: usize,
    /// Matched cues whose content matches with Dice >= 0.5.
    pub con_dice: usize,
}

/// Character-overlap Dice of two spans; both missing counts as a match.
pub fn dice(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> f64 {
    match (a, b) {
        (None, None) => 1.0,
        (Some(a), Some(b)) => {
            let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
            2.0 * inter as f64 / ((a.1 - a.0) + (b.1 - b.0)).max(1) as f64
        }
        _ => 0.0,
    }
}

impl Score {
    /// Add one document: predicted (cue, source, content) byte spans against the gold.
    pub fn add(&mut self, gold: &[Rel], pred: &[Rel]) {
        let mut strict_used = vec![false; gold.len()];
        for p in pred {
            let hit = (0..gold.len()).find(|&i| {
                !strict_used[i]
                    && ov(Some(p.cue), Some(gold[i].cue))
                    && dice(p.source, gold[i].source) >= 0.5
                    && dice(p.content, gold[i].content) >= 0.5
            });
            if let Some(i) = hit {
                strict_used[i] = true;
                self.strict_tp += 1;
            }
        }
        let mut used = vec![false; gold.len()];
        for p in pred {
            let hit = (0..gold.len()).find(|&i| !used[i] && ov(Some(p.cue), Some(gold[i].cue)));
            let Some(i) = hit else {
                self.fp += 1;
                if gold.iter().any(|g| ov(Some(p.cue), Some(g.cue))) {
                    self.dup += 1;
                }
                continue;
            };
            used[i] = true;
            self.tp += 1;
            let g = &gold[i];
            self.src_dice += (dice(p.source, g.source) >= 0.5) as usize;
            self.con_dice += (dice(p.content, g.content) >= 0.5) as usize;
            if g.source.is_some() {
                self.src_n += 1;
                self.src_ok += ov(p.source, g.source) as usize;
            }
            if g.content.is_some() {
                self.con_n += 1;
                self.con_ok += ov(p.content, g.content) as usize;
            }
        }
        self.fn_ += used.iter().filter(|u| !**u).count();
    }

    /// Cue precision, recall, F1.
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }

    /// Whole-relation precision, recall, F1 (see [`Score::strict_tp`]).
    pub fn strict_prf(&self) -> (f64, f64, f64) {
        let predicted = self.tp + self.fp;
        let gold = self.tp + self.fn_;
        let p = self.strict_tp as f64 / predicted.max(1) as f64;
        let r = self.strict_tp as f64 / gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }

    /// A three-line summary.
    pub fn report(&self) -> String {
        let (p, r, f) = self.prf();
        let (sp, sr, sf) = self.strict_prf();
        let matched = self.tp.max(1) as f64;
        format!(
            "cues      P {p:.3}  R {r:.3}  F1 {f:.3}   (tp {} fp {} fn {}; {} fp split a gold cue)\n\
             relations (strict, Dice >= 0.5) P {sp:.3}  R {sr:.3}  F1 {sf:.3}   (on matched cues: source {:.3}, content {:.3})\n\
             source overlap on matched cues {:.3}; content {:.3}",
            self.tp,
            self.fp,
            self.fn_,
            self.dup,
            self.src_dice as f64 / matched,
            self.con_dice as f64 / matched,
            self.src_ok as f64 / self.src_n.max(1) as f64,
            self.con_ok as f64 / self.con_n.max(1) as f64
        )
    }
}
