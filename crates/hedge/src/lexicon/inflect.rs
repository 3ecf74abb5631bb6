//! English inflection: the noun and verb forms a cue lemma expands to (`inflect = "noun"` or
//! `"verb"` in the lexicon file).

/// Which inflection a cue group asks for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Inflect {
    Verb,
    Noun,
}

/// The forms of a cue: the inflected word is the one marked with a trailing `*`, else the last.
pub(super) fn expand(words: &[String], inflect: Option<Inflect>) -> Vec<Vec<String>> {
    let marked = words.iter().position(|w| w.ends_with('*') && w.len() > 1);
    let base: Vec<String> = words
        .iter()
        .map(|w| {
            w.strip_suffix('*')
                .filter(|s| !s.is_empty())
                .unwrap_or(w)
                .to_string()
        })
        .collect();
    let Some(kind) = inflect else {
        return vec![base];
    };
    let at = marked.unwrap_or(base.len() - 1);
    let forms = match kind {
        Inflect::Verb => verb_forms(&base[at]),
        Inflect::Noun => noun_forms(&base[at]),
    };
    forms
        .into_iter()
        .map(|f| {
            let mut v = base.clone();
            v[at] = f;
            v
        })
        .collect()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Third person, past (also `-edly` adverb) and `-ing` forms of a regular verb lemma.
///
/// Irregular forms (`think` -> `thought`) must be listed as words of their own. Spelling
/// variants that may not exist (doubled consonants) are generated too; forms that are not
/// words simply never match.
pub fn verb_forms(lemma: &str) -> Vec<String> {
    let b = lemma.as_bytes();
    let mut out = vec![lemma.to_string()];
    if b.len() < 2 || !lemma.is_ascii() {
        return out;
    }
    let last = b[b.len() - 1];
    let before = b[b.len() - 2];
    let cons_y = last == b'y' && !is_vowel(before);
    // third person
    if cons_y {
        out.push(format!("{}ies", &lemma[..lemma.len() - 1]));
    } else if lemma.ends_with(['s', 'x', 'z']) || lemma.ends_with("ch") || lemma.ends_with("sh") {
        out.push(format!("{lemma}es"));
    } else {
        out.push(format!("{lemma}s"));
    }
    // past and -ing stems
    let mut pasts = Vec::new();
    let mut ings = Vec::new();
    if cons_y {
        pasts.push(format!("{}ied", &lemma[..lemma.len() - 1]));
        ings.push(format!("{lemma}ing"));
    } else if last == b'e' {
        pasts.push(format!("{lemma}d"));
        if lemma.ends_with("ee") || lemma.ends_with("ye") || lemma.ends_with("oe") {
            ings.push(format!("{lemma}ing"));
        } else if let Some(stem) = lemma.strip_suffix("ie") {
            ings.push(format!("{stem}ying"));
        } else {
            ings.push(format!("{}ing", &lemma[..lemma.len() - 1]));
        }
    } else {
        pasts.push(format!("{lemma}ed"));
        ings.push(format!("{lemma}ing"));
        // consonant-vowel-consonant ending: also the doubled spelling (admit -> admitted)
        if b.len() >= 3
            && !is_vowel(last)
            && !matches!(last, b'w' | b'x' | b'y')
            && is_vowel(before)
            && !is_vowel(b[b.len() - 3])
        {
            let c = last as char;
            pasts.push(format!("{lemma}{c}ed"));
            ings.push(format!("{lemma}{c}ing"));
        }
    }
    for p in pasts {
        out.push(format!("{p}ly"));
        out.push(p);
    }
    out.extend(ings);
    out
}

/// Singular and plural of a regular noun.
pub fn noun_forms(lemma: &str) -> Vec<String> {
    let b = lemma.as_bytes();
    let mut out = vec![lemma.to_string()];
    if b.len() < 2 || !lemma.is_ascii() {
        return out;
    }
    if b[b.len() - 1] == b'y' && !is_vowel(b[b.len() - 2]) {
        out.push(format!("{}ies", &lemma[..lemma.len() - 1]));
    } else if lemma.ends_with(['s', 'x', 'z']) || lemma.ends_with("ch") || lemma.ends_with("sh") {
        out.push(format!("{lemma}es"));
    } else {
        out.push(format!("{lemma}s"));
    }
    out
}
