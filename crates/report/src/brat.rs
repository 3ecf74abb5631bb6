//! brat standoff export: `<id>.txt` + `<id>.ann` per record, `annotation.conf` per directory.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use caveat_output::Record;

use crate::text::TextIndex;
use crate::ReportError;

/// A brat type name: letters, digits, `_` and `-` only.
fn type_name(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "_".into()
    } else {
        t
    }
}

/// A file stem from a record id: ASCII letters, digits, `.`, `_`, `-` kept, everything else
/// `_`; no leading dot; at most 100 characters; `doc` when nothing is left.
pub(crate) fn file_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    while s.starts_with('.') {
        s.replace_range(0..1, "_");
    }
    if s.is_empty() {
        s.push_str("doc");
    }
    s
}

/// Builds the `.ann` text of one record.
struct Ann<'a> {
    index: TextIndex<'a>,
    out: String,
    t: usize,
    other: usize,
    seen: HashMap<(String, usize, usize), usize>,
}

impl<'a> Ann<'a> {
    /// A `T` line for `(type, start, end)` (reused when the same one exists). Spans that cross
    /// line breaks become fragments (`0 5;6 11`), as brat requires. `None` for empty spans.
    fn t(&mut self, ty: &str, start: usize, end: usize) -> Option<usize> {
        let key = (ty.to_string(), start, end);
        if let Some(&id) = self.seen.get(&key) {
            return Some(id);
        }
        let mut frags: Vec<(usize, usize)> = Vec::new();
        let mut frag_start: Option<usize> = None;
        let slice = self.index.slice(start, end);
        let mut cp = start;
        for c in slice.chars() {
            if c == '\n' || c == '\r' {
                if let Some(s) = frag_start.take() {
                    frags.push((s, cp));
                }
            } else if frag_start.is_none() {
                frag_start = Some(cp);
            }
            cp += 1;
        }
        if let Some(s) = frag_start {
            frags.push((s, cp));
        }
        if frags.is_empty() {
            return None;
        }
        self.t += 1;
        let id = self.t;
        let offsets: Vec<String> = frags.iter().map(|(s, e)| format!("{s} {e}")).collect();
        let texts: Vec<&str> = frags.iter().map(|&(s, e)| self.index.slice(s, e)).collect();
        let _ = writeln!(
            self.out,
            "T{id}\t{ty} {}\t{}",
            offsets.join(";"),
            texts.join(" ")
        );
        self.seen.insert(key, id);
        Some(id)
    }

    fn line(&mut self, prefix: char, body: std::fmt::Arguments<'_>) {
        self.other += 1;
        let _ = writeln!(self.out, "{prefix}{}\t{body}", self.other);
    }
}

/// The brat `.ann` annotations of one record (offsets in characters = code points):
///
/// - `T` entity lines: entities (type = label), hedge cues (`Hedge_<category>`), attribution
///   `Source` and `Content` spans, and `Cue` spans (the trigger of the attribution event);
/// - `E` lines `Cue:T.. Source:T.. Content:T..`, one per attribution with a cue (an
///   attribution without cue but with source and content becomes an `Attributed` relation);
/// - `R` lines `Cites Arg1:<source> Arg2:<cited source>`;
/// - `A` lines: `Negated` on negated hedges, `Vague` on vague sources;
/// - entity clusters of two mentions or more as brat equivalences, `*\tCoreference T1 T2 ...`
///   (the relation brat's own CoreNLP configuration uses for coreference, declared
///   `<REL-TYPE>:symmetric-transitive`): the cluster's entities, plus the `Source` of each
///   attribution resolved to the cluster (`source_cluster`) that holds none of them ("he");
///   the cluster's canonical name is an `AnnotatorNotes` note on its first mention.
///
/// Type names keep ASCII letters, digits, `-` (other characters become `_`). Identical spans
/// of one type share one `T`; spans crossing line breaks are written as fragments.
pub fn brat_annotations(record: &Record) -> String {
    let mut ann = Ann {
        index: TextIndex::new(&record.text),
        out: String::new(),
        t: 0,
        other: 0,
        seen: HashMap::new(),
    };
    for e in &record.entities {
        ann.t(&type_name(&e.label), e.start, e.end);
    }
    for h in &record.hedges {
        let ty = format!("Hedge_{}", type_name(&h.category));
        if let Some(id) = ann.t(&ty, h.start, h.end) {
            if h.negated {
                ann.line('A', format_args!("Negated T{id}"));
            }
        }
    }
    let mut sources: Vec<Option<usize>> = Vec::with_capacity(record.attributions.len());
    let mut vague_done = HashSet::new();
    for a in &record.attributions {
        let src = a
            .source
            .as_ref()
            .and_then(|p| ann.t("Source", p.start, p.end));
        let cue = a.cue.as_ref().and_then(|p| ann.t("Cue", p.start, p.end));
        let con = a
            .content
            .as_ref()
            .and_then(|p| ann.t("Content", p.start, p.end));
        sources.push(src);
        if let (Some(s), true) = (src, a.vague) {
            if vague_done.insert(s) {
                ann.line('A', format_args!("Vague T{s}"));
            }
        }
        match (cue, src, con) {
            (Some(c), _, _) => {
                let mut args = format!("Cue:T{c}");
                if let Some(s) = src {
                    let _ = write!(args, " Source:T{s}");
                }
                if let Some(k) = con {
                    let _ = write!(args, " Content:T{k}");
                }
                ann.line('E', format_args!("{args}"));
            }
            (None, Some(s), Some(k)) => {
                ann.line('R', format_args!("Attributed Arg1:T{s} Arg2:T{k}"));
            }
            _ => {}
        }
    }
    coreference(record, &mut ann, &sources);
    for (i, a) in record.attributions.iter().enumerate() {
        let cited = a.cites.and_then(|j| sources.get(j).copied().flatten());
        if let (Some(s), Some(c)) = (sources[i], cited) {
            if s != c {
                ann.line('R', format_args!("Cites Arg1:T{s} Arg2:T{c}"));
            }
        }
    }
    ann.out
}

/// The `*\tCoreference` equivalences and name notes of the record's clusters (see
/// [`brat_annotations`]); `sources` holds the `T` id of each attribution's source.
fn coreference(record: &Record, ann: &mut Ann<'_>, sources: &[Option<usize>]) {
    let mut members: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); record.clusters.len()];
    for (c, cluster) in record.clusters.iter().enumerate() {
        for e in cluster
            .mentions
            .iter()
            .filter_map(|&m| record.entities.get(m))
        {
            if let Some(t) = ann.t(&type_name(&e.label), e.start, e.end) {
                members[c].push((e.start, e.end, t));
            }
        }
    }
    for (a, t) in record.attributions.iter().zip(sources) {
        let (Some(c), Some(p), Some(t)) = (a.source_cluster, a.source.as_ref(), *t) else {
            continue;
        };
        if let Some(list) = members.get_mut(c) {
            if !list.iter().any(|&(s, e, _)| p.start <= s && e <= p.end) {
                list.push((p.start, p.end, t));
            }
        }
    }
    for (cluster, mut list) in record.clusters.iter().zip(members) {
        list.sort_unstable();
        let mut ids: Vec<usize> = Vec::with_capacity(list.len());
        for (_, _, t) in list {
            if !ids.contains(&t) {
                ids.push(t);
            }
        }
        if ids.len() < 2 {
            continue;
        }
        let args: Vec<String> = ids.iter().map(|t| format!("T{t}")).collect();
        let _ = writeln!(ann.out, "*\tCoreference {}", args.join(" "));
        let name: String = cluster
            .name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if !name.trim().is_empty() {
            ann.line(
                '#',
                format_args!("AnnotatorNotes T{}\t{}", ids[0], name.trim()),
            );
        }
    }
}

fn write_file(path: &Path, data: &[u8]) -> Result<(), ReportError> {
    fs::write(path, data).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Write `<stem>.txt` (the text, unchanged) and `<stem>.ann` ([`brat_annotations`]) for one
/// record into `dir`, the stem being the record id made safe for a file name. Returns the
/// `.ann` path. Use [`BratExporter`] for a corpus (unique names, `annotation.conf`).
pub fn export_brat(record: &Record, dir: &Path) -> Result<PathBuf, ReportError> {
    write_pair(record, dir, &file_stem(&record.id))
}

fn write_pair(record: &Record, dir: &Path, stem: &str) -> Result<PathBuf, ReportError> {
    write_file(&dir.join(format!("{stem}.txt")), record.text.as_bytes())?;
    let ann = dir.join(format!("{stem}.ann"));
    write_file(&ann, brat_annotations(record).as_bytes())?;
    Ok(ann)
}

/// Writes a corpus as a brat collection: one `.txt`/`.ann` pair per record with unique file
/// names (`id`, `id-2`, ... when sanitised ids collide), then `annotation.conf` and
/// `visual.conf` with the types seen ([`BratExporter::finish`]).
pub struct BratExporter {
    dir: PathBuf,
    used: HashSet<String>,
    labels: BTreeSet<String>,
    categories: BTreeSet<String>,
}

impl BratExporter {
    /// Export into `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, ReportError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| ReportError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(BratExporter {
            dir,
            used: HashSet::new(),
            labels: BTreeSet::new(),
            categories: BTreeSet::new(),
        })
    }

    /// Write one record; returns its `.ann` path.
    pub fn write(&mut self, record: &Record) -> Result<PathBuf, ReportError> {
        let base = file_stem(&record.id);
        let mut stem = base.clone();
        let mut n = 1;
        while !self.used.insert(stem.to_ascii_lowercase()) {
            n += 1;
            stem = format!("{base}-{n}");
        }
        self.labels
            .extend(record.entities.iter().map(|e| type_name(&e.label)));
        self.categories
            .extend(record.hedges.iter().map(|h| type_name(&h.category)));
        write_pair(record, &self.dir, &stem)
    }

    /// Write `annotation.conf` and `visual.conf`.
    pub fn finish(self) -> Result<(), ReportError> {
        write_brat_config(&self.dir, &self.labels, &self.categories)
    }
}

/// Write brat's `annotation.conf` and `visual.conf` into `dir` for the given entity labels and
/// hedge categories (as type names).
pub fn write_brat_config(
    dir: &Path,
    labels: &BTreeSet<String>,
    categories: &BTreeSet<String>,
) -> Result<(), ReportError> {
    let mut conf = String::from("# Written by caveat export --format brat\n[entities]\n");
    for l in labels {
        let _ = writeln!(conf, "{l}");
    }
    for c in categories {
        let _ = writeln!(conf, "Hedge_{c}");
    }
    conf.push_str(
        "Source\nContent\n\n[relations]\nCites\tArg1:Source, Arg2:Source\n\
         Attributed\tArg1:Source, Arg2:Content\n\
         Coreference\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n\
         <OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>\n\n\
         [events]\nCue\tSource?:Source, Content?:Content\n\n\
         [attributes]\nNegated\tArg:<ENTITY>\nVague\tArg:Source\n",
    );
    write_file(&dir.join("annotation.conf"), conf.as_bytes())?;
    let mut visual = String::from("[labels]\n\n[drawing]\n");
    let palette = [
        "#ffccaa", "#aaccff", "#ccffaa", "#ffaaff", "#ffffaa", "#aaffff",
    ];
    for (i, l) in labels.iter().enumerate() {
        let _ = writeln!(visual, "{l}\tbgColor:{}", palette[i % palette.len()]);
    }
    for c in categories {
        let _ = writeln!(visual, "Hedge_{c}\tbgColor:#ff8888");
    }
    visual.push_str("Source\tbgColor:#99bbff\nContent\tbgColor:#e0f0e0\nCue\tbgColor:#ffe066\n");
    write_file(&dir.join("visual.conf"), visual.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    fn record() -> Record {
        Record::from_json_line(
            r#"{"id":"../a b/ç","text":"Reuters, citing the NIS 🚄, said Kim may\ngo.",
              "entities":[{"start":0,"end":7,"label":"ORG"},{"start":20,"end":23,"label":"MISC"},{"start":32,"end":35,"label":"PER"}],
              "hedges":[{"start":36,"end":39,"category":"epistemic","negated":true}],
              "attributions":[{"source":{"start":16,"end":23},"cue":{"start":9,"end":15},"content":null,"vague":true},
                              {"source":{"start":0,"end":7},"cue":{"start":27,"end":31},"content":{"start":32,"end":42},"cites":0}]}"#,
            1,
            OffsetUnit::Chars,
        )
        .unwrap()
    }

    #[test]
    fn every_t_span_slices_the_text() {
        let r = record();
        let ann = brat_annotations(&r);
        let chars: Vec<char> = r.text.chars().collect();
        let mut types = Vec::new();
        for line in ann.lines().filter(|l| l.starts_with('T')) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (ty, offsets) = cols[1].split_once(' ').unwrap();
            types.push(ty.to_string());
            let texts: Vec<String> = offsets
                .split(';')
                .map(|f| {
                    let (s, e) = f.split_once(' ').unwrap();
                    let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
                    chars[s..e].iter().collect()
                })
                .collect();
            assert_eq!(texts.join(" "), cols[2], "{line}");
        }
        for ty in [
            "ORG",
            "MISC",
            "PER",
            "Hedge_epistemic",
            "Source",
            "Cue",
            "Content",
        ] {
            assert!(types.iter().any(|t| t == ty), "{ty} missing:\n{ann}");
        }
        // The content crosses a line break: two fragments.
        assert!(ann.contains("Content 32 39;40 42\tKim may go\n"), "{ann}");
        assert!(ann.contains("\tNegated T"));
        assert!(ann.contains("\tVague T"));
        assert!(ann.lines().filter(|l| l.starts_with('E')).count() == 2);
        assert!(ann.lines().any(|l| l.contains("\tCites Arg1:T")));
        // Every referenced id exists.
        for line in ann.lines().filter(|l| !l.starts_with('T')) {
            for id in line.split(|c: char| c == ':' || c.is_whitespace()) {
                if id.starts_with('T')
                    && id[1..].chars().all(|c| c.is_ascii_digit())
                    && id.len() > 1
                {
                    assert!(ann.contains(&format!("{id}\t")), "{id} in {line}");
                }
            }
        }
    }

    #[test]
    fn clusters_are_coreference_equivalences() {
        use crate::sources::tests::{record, said, Att};
        let text = "Military expert Evgeny Mikhaylov said it. He added that in Moscow. Mikhaylov's comments said so.";
        let r = record(
            "m",
            text,
            &[
                ("Evgeny Mikhaylov", "PER"),
                ("Moscow", "LOC"),
                ("Mikhaylov#2", "PER"),
            ],
            &[
                ("Evgeny Mikhaylov", "PER", &[0, 2]),
                ("Moscow", "LOC", &[1]),
            ],
            &[
                Att {
                    cluster: Some(0),
                    ..said("Military expert Evgeny Mikhaylov", Some(0))
                },
                Att {
                    source: "He",
                    entity: None,
                    cluster: Some(0),
                    cue: "added",
                    content: "that",
                },
            ],
        );
        let ann = brat_annotations(&r);
        let text_of = |id: &str| -> String {
            let line = ann
                .lines()
                .find(|l| l.starts_with(&format!("{id}\t")))
                .unwrap_or_else(|| panic!("{id} missing:\n{ann}"));
            line.rsplit('\t').next().unwrap().to_string()
        };
        let equivs: Vec<&str> = ann.lines().filter(|l| l.starts_with("*\t")).collect();
        assert_eq!(equivs.len(), 1, "the one-mention cluster has none:\n{ann}");
        let (kind, args) = equivs[0][2..].split_once(' ').unwrap();
        assert_eq!(kind, "Coreference");
        let texts: Vec<String> = args.split(' ').map(text_of).collect();
        assert_eq!(texts, ["Evgeny Mikhaylov", "He", "Mikhaylov"]);
        let first = args.split(' ').next().unwrap();
        assert!(
            ann.contains(&format!("\tAnnotatorNotes {first}\tEvgeny Mikhaylov\n")),
            "{ann}"
        );
        let dir = tempfile::tempdir().unwrap();
        write_brat_config(dir.path(), &BTreeSet::new(), &BTreeSet::new()).unwrap();
        let conf = fs::read_to_string(dir.path().join("annotation.conf")).unwrap();
        assert!(conf.contains(
            "Coreference\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n"
        ));
    }

    #[test]
    fn exporter_writes_unique_safe_files_and_config() {
        let dir = tempfile::tempdir().unwrap();
        let mut ex = BratExporter::new(dir.path()).unwrap();
        let r = record();
        let first = ex.write(&r).unwrap();
        let second = ex.write(&r).unwrap();
        ex.finish().unwrap();
        assert_eq!(first.file_name().unwrap(), "_._a_b__.ann");
        assert_eq!(second.file_name().unwrap(), "_._a_b__-2.ann");
        let txt = fs::read_to_string(dir.path().join("_._a_b__.txt")).unwrap();
        assert_eq!(txt, r.text);
        let conf = fs::read_to_string(dir.path().join("annotation.conf")).unwrap();
        assert!(conf.contains("Hedge_epistemic") && conf.contains("[events]\nCue"));
        assert_eq!(file_stem(""), "doc");
    }
}
