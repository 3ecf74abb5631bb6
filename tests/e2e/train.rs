//! `caveat train ner|hedge|attribution` on tiny corpora written here: training twice gives
//! the same files byte for byte, and a pipeline runs with the trained models.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::harness::*;

/// Szeged-style XML with `n` documents of a few sentences each, cues marked `<ccue>`.
fn hedge_xml(n: usize, salt: usize) -> String {
    const SENTENCES: &[&str] = &[
        "The minister <ccue type=\"speculation_modal_probable_\">may</ccue> resign before the vote.",
        "Officials <ccue type=\"speculation_hypo_doxastic _\">believe</ccue> the bridge was damaged by the flood.",
        "It is <ccue type=\"speculation_modal_possible_\">possible</ccue> that the talks will fail.",
        "The company reported higher profits in May.",
        "The council met on Tuesday and approved the budget.",
        "Researchers asked <ccue type=\"speculation_hypo_investigation _\">whether</ccue> the drug works.",
        "The results <ccue type=\"speculation_modal_probable_\">suggest</ccue> a link between the two.",
        "The team will play at home on Sunday.",
        "The storm <ccue type=\"speculation_modal_possible_\">could</ccue> reach the coast tonight.",
        "The museum opened a new wing in 2019.",
        "<ccue type=\"speculation_hypo_condition _\">If</ccue> prices rise, sales will fall.",
        "He is <ccue type=\"speculation_modal_probable_\">likely</ccue> to win the seat.",
    ];
    let mut xml = String::from("<?xml version=\"1.0\"?><Annotation><DocumentSet>");
    for d in 0..n {
        let _ = write!(
            xml,
            "<Document><DocID>doc{d}</DocID><DocumentPart type=\"Text\">"
        );
        for k in 0..4 {
            let s = SENTENCES[(d * 7 + k * 5 + salt) % SENTENCES.len()];
            let _ = write!(xml, "<Sentence id=\"S{d}.{k}\">{s}</Sentence>");
        }
        xml.push_str("</DocumentPart></Document>");
    }
    xml.push_str("</DocumentSet></Annotation>\n");
    xml
}

/// A PolNeAR-layout split (`text/*.txt`, `attributions/*.ann`) of `n` documents.
fn brat_split(dir: &Path, n: usize, salt: usize) {
    const NAMES: &[&str] = &["Smith", "The mayor", "Officials", "Ms Jones", "The police"];
    const CLAIMS: &[&str] = &[
        "the bridge would reopen next week",
        "the budget was balanced",
        "no one was hurt",
        "the talks had failed",
    ];
    std::fs::create_dir_all(dir.join("text")).unwrap();
    std::fs::create_dir_all(dir.join("attributions")).unwrap();
    for d in 0..n {
        let (mut text, mut ann, mut t) = (String::new(), String::new(), 0);
        for k in 0..5 {
            let name = NAMES[(d + k + salt) % NAMES.len()];
            let claim = CLAIMS[(d * 3 + k) % CLAIMS.len()];
            let start = text.len();
            // (source, cue, content) as byte ranges of `text` (ASCII: bytes are characters).
            let rel = match (d + k) % 4 {
                0 => {
                    let _ = write!(text, "{name} said {claim}. ");
                    let cue = start + name.len() + 1;
                    Some((
                        (start, cue - 1),
                        (cue, cue + 4),
                        (cue + 5, cue + 5 + claim.len()),
                    ))
                }
                1 => {
                    let _ = write!(text, "According to {name}, {claim}. ");
                    let src = start + 13;
                    let content = src + name.len() + 2;
                    Some((
                        (src, src + name.len()),
                        (start, start + 12),
                        (content, content + claim.len()),
                    ))
                }
                2 => {
                    let _ = write!(text, "{claim}, {name} told reporters. ");
                    let src = start + claim.len() + 2;
                    let cue = src + name.len() + 1;
                    Some((
                        (src, src + name.len()),
                        (cue, cue + 4),
                        (start, start + claim.len()),
                    ))
                }
                _ => {
                    let _ = write!(text, "{name} visited the new school on Monday. ");
                    None
                }
            };
            if let Some((s, c, x)) = rel {
                let span = |kind: &str, (a, b): (usize, usize), t: usize| {
                    format!("T{t}\t{kind} {a} {b}\t{}\n", &text[a..b])
                };
                ann.push_str(&span("Source", s, t + 1));
                ann.push_str(&span("Cue", c, t + 2));
                ann.push_str(&span("Content", x, t + 3));
                let _ = writeln!(
                    ann,
                    "E{}\tAttribution:T{} Content:T{} Cue:T{} Source:T{}",
                    t / 3 + 1,
                    t + 2,
                    t + 3,
                    t + 2,
                    t + 1
                );
                t += 3;
            }
        }
        std::fs::write(dir.join(format!("text/doc{d:02}.txt")), text).unwrap();
        std::fs::write(dir.join(format!("attributions/doc{d:02}.ann")), ann).unwrap();
    }
}

/// CoNLL-2003-style data: `n` documents of a few tagged sentences.
fn conll(n: usize, salt: usize) -> String {
    const SENTENCES: &[&[(&str, &str)]] = &[
        &[
            ("John", "B-PER"),
            ("Smith", "I-PER"),
            ("visited", "O"),
            ("Paris", "B-LOC"),
            (".", "O"),
        ],
        &[
            ("Acme", "B-ORG"),
            ("Corp", "I-ORG"),
            ("hired", "O"),
            ("Mary", "B-PER"),
            (".", "O"),
        ],
        &[
            ("The", "O"),
            ("German", "B-MISC"),
            ("team", "O"),
            ("won", "O"),
            ("in", "O"),
            ("London", "B-LOC"),
            (".", "O"),
        ],
        &[
            ("Shares", "O"),
            ("of", "O"),
            ("Acme", "B-ORG"),
            ("rose", "O"),
            ("on", "O"),
            ("Monday", "O"),
            (".", "O"),
        ],
        &[
            ("Mary", "B-PER"),
            ("Jones", "I-PER"),
            ("left", "O"),
            ("Berlin", "B-LOC"),
            ("for", "O"),
            ("Rome", "B-LOC"),
            (".", "O"),
        ],
    ];
    let mut s = String::new();
    for d in 0..n {
        s.push_str("-DOCSTART- -X- -X- O\n\n");
        for k in 0..4 {
            for (w, tag) in SENTENCES[(d * 2 + k + salt) % SENTENCES.len()] {
                let _ = writeln!(s, "{w} NN I-NP {tag}");
            }
            s.push('\n');
        }
    }
    s
}

/// Every file under `dir` (relative path -> bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        assert!(p.is_file(), "{} is not a file", p.display());
        out.insert(
            p.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read(&p).unwrap(),
        );
    }
    out
}

fn train_twice(dir: &Path, args: &[&str], out: &str) -> BTreeMap<String, Vec<u8>> {
    let mut runs = Vec::new();
    for n in 1..=2 {
        let out_dir = format!("{out}{n}");
        let mut a = args.to_vec();
        a.extend(["--out", &out_dir]);
        let o = caveat(dir, &a);
        assert_eq!(
            o.status.code(),
            Some(0),
            "caveat {}\n{}",
            a.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        runs.push(files(&dir.join(&out_dir)));
    }
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&runs[0]), names(&runs[1]));
    for (name, bytes) in &runs[0] {
        assert!(!bytes.is_empty(), "{out}/{name} is empty");
        assert!(
            runs[1][name] == *bytes,
            "{out}/{name} differs between two runs"
        );
    }
    runs.swap_remove(0)
}

#[test]
fn training_twice_gives_identical_files_and_the_models_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let root = root();
    let lexicon = root.join("models/hedge-lexicon/lexicon.toml");

    std::fs::write(dir.join("wiki.xml"), hedge_xml(30, 0)).unwrap();
    std::fs::write(dir.join("bio.xml"), hedge_xml(20, 3)).unwrap();
    let hedge = train_twice(
        dir,
        &[
            "train",
            "hedge",
            "--wiki",
            "wiki.xml",
            "--bio",
            "bio.xml",
            "--lexicon",
            lexicon.to_str().unwrap(),
        ],
        "hedge",
    );
    for f in ["model.toml", "cues.tsv", "weights.tsv", "README.md"] {
        assert!(hedge.contains_key(f), "no {f} in {:?}", hedge.keys());
    }
    // The learned cue list holds words annotated as cues in the corpus.
    let cues = String::from_utf8(hedge["cues.tsv"].clone()).unwrap();
    assert!(cues.lines().any(|l| l.starts_with("suggest\t")), "{cues}");

    brat_split(&dir.join("polnear/train"), 16, 0);
    brat_split(&dir.join("polnear/dev"), 4, 1);
    let attribution = train_twice(
        dir,
        &["train", "attribution", "--data", "polnear"],
        "attribution",
    );
    assert_eq!(
        attribution.keys().collect::<Vec<_>>(),
        ["cues.toml", "model.txt"]
    );
    let cue_words = String::from_utf8(attribution["cues.toml"].clone()).unwrap();
    assert!(cue_words.contains("said = ["), "{cue_words}");

    std::fs::write(dir.join("train.conll"), conll(8, 0)).unwrap();
    std::fs::write(dir.join("dev.conll"), conll(3, 1)).unwrap();
    train_twice(
        dir,
        &[
            "train",
            "ner",
            "--train",
            "train.conll",
            "--dev",
            "dev.conll",
            "--no-clusters",
        ],
        "ner",
    );

    // The written directories are models the stages load.
    std::fs::write(
        dir.join("trained.toml"),
        format!(
            "[pipeline]\nname = \"trained\"\n\n\
             [[stages]]\ntype = \"tokenize\"\n\n\
             [[stages]]\ntype = \"ner\"\nmodel = \"ner1\"\n\n\
             [[stages]]\ntype = \"hedge\"\nmode = \"tagger\"\nlexicon = {:?}\nmodel = \"hedge1\"\n\n\
             [[stages]]\ntype = \"attribution\"\ncues = \"attribution1/cues.toml\"\nmodel = \"attribution1/model.txt\"\n",
            lexicon.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = caveat_stdin(
        dir,
        &["run", "-p", "trained.toml", "-q"],
        Some(b"{\"id\": \"a\", \"text\": \"Smith said the bridge may reopen next week.\"}\n"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let recs = jsonl(&o.stdout);
    assert_eq!(recs.len(), 1);
    assert!(check_offsets(&recs[0]) > 0);
}

#[test]
fn train_commands_document_their_flags() {
    let dir = tempfile::tempdir().unwrap();
    for (cmd, flags) in [
        (
            "ner",
            &["--train", "--dev", "--out", "--clusters", "--seed"][..],
        ),
        (
            "hedge",
            &[
                "--out",
                "--wiki",
                "--bio",
                "--lexicon",
                "--epochs",
                "--min-recall",
                "--seed",
            ][..],
        ),
        (
            "attribution",
            &[
                "--data",
                "--out",
                "--epochs",
                "--source-epochs",
                "--min-cue",
            ][..],
        ),
    ] {
        let o = caveat(dir.path(), &["train", cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        let help = String::from_utf8_lossy(&o.stdout);
        for f in flags {
            assert!(
                help.contains(f),
                "`caveat train {cmd} --help` lacks {f}:\n{help}"
            );
        }
    }
}

#[test]
fn ner_distils_a_teacher_pipelines_output_with_a_gazetteer_and_calibrated_scores() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("train.conll"), conll(8, 0)).unwrap();
    std::fs::write(dir.join("dev.conll"), conll(3, 1)).unwrap();
    // The teacher: the shipped fast pipeline, writing the token layer.
    std::fs::write(
        dir.join("teacher.toml"),
        format!(
            "[pipeline]\nname = \"teacher\"\n[output]\ntokens = true\n\
             [[stages]]\ntype = \"tokenize\"\n[[stages]]\ntype = \"ner\"\nmodel = {:?}\n",
            root().join("models/ner-fast").to_str().unwrap()
        ),
    )
    .unwrap();
    let o = caveat(
        dir,
        &[
            "run",
            "-p",
            "teacher.toml",
            sample().to_str().unwrap(),
            "-o",
            "silver.jsonl",
            "-q",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(
        dir.join("gaz.tsv"),
        "# name, label, source\nSão Paulo\tLOC\tgeonames-city\nGuinea-Bissau\tLOC\tx\nKiwi\tFRUIT\tx\n",
    )
    .unwrap();
    let args = [
        "train",
        "ner",
        "--train",
        "train.conll",
        "--dev",
        "dev.conll",
        "--no-clusters",
        "--silver",
        "silver.jsonl",
        "--silver-weight",
        "0.25",
        "--gazetteer",
        "gaz.tsv",
        "--out",
    ];
    let o = caveat(dir, &[&args[..], &["m"]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("silver silver.jsonl:"), "{err}");
    let manifest = std::fs::read_to_string(dir.join("m/model.toml")).unwrap();
    for want in [
        "silver = \"silver.jsonl (min score 0.5)\"",
        "silver_weight = \"0.25\"",
        "gazetteer = \"gaz.tsv\"",
        "[calibration]",
        "ece_crossfit = ",
    ] {
        assert!(manifest.contains(want), "`{want}` not in\n{manifest}");
    }
    // Deterministic: the same flags write the same model.
    let o = caveat(dir, &[&args[..], &["m2"]].concat());
    assert_eq!(o.status.code(), Some(0));
    for f in ["model.toml", "model.bin", "pass1.bin"] {
        assert_eq!(
            std::fs::read(dir.join("m").join(f)).unwrap(),
            std::fs::read(dir.join("m2").join(f)).unwrap(),
            "{f}"
        );
    }

    // eval prints the reliability of the scores and fits a calibration file.
    std::fs::write(
        dir.join("student.toml"),
        "[pipeline]\nname = \"student\"\n[[stages]]\ntype = \"tokenize\"\n\
         [[stages]]\ntype = \"ner\"\nmodel = \"m\"\n",
    )
    .unwrap();
    let o = caveat(
        dir,
        &[
            "eval",
            "ner",
            "-p",
            "student.toml",
            "--gold",
            "dev.conll",
            "--fit-calibration",
            "cal.toml",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("| score bin | entities | mean score | right |"),
        "{out}"
    );
    assert!(
        out.contains("expected calibration error (ECE, 10 bins"),
        "{out}"
    );
    let cal = std::fs::read_to_string(dir.join("cal.toml")).unwrap();
    assert!(
        cal.contains("[calibration]") && cal.contains("probabilities = ["),
        "{cal}"
    );
    assert!(cal.contains("dev.conll"), "{cal}");
    // A perceptron carries its own calibration: the stage option is for transformers.
    std::fs::write(
        dir.join("bad.toml"),
        "[pipeline]\nname = \"bad\"\n[[stages]]\ntype = \"tokenize\"\n\
         [[stages]]\ntype = \"ner\"\nmodel = \"m\"\ncalibration = \"cal.toml\"\n",
    )
    .unwrap();
    let o = caveat(dir, &["validate", "bad.toml"]);
    let err = String::from_utf8_lossy(&o.stderr).to_string() + &String::from_utf8_lossy(&o.stdout);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("own calibration in model.toml"), "{err}");
}
