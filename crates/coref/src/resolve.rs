//! Resolving attribution sources to clusters.
//!
//! In order of evidence:
//!
//! 1. A source that contains entity mentions takes the cluster of one of them: a person
//!    before an organisation before anything else, the last one on a tie ("Military expert
//!    Evgeny Mikhaylov", "a spokesman for the FBI", "FBI officials").
//! 2. A name the tagger missed ("Mikhaylov", "NIS") is looked up like a mention: same
//!    folded key, a surname of one person, an acronym of one expansion.
//! 3. "he" / "she" take the most recent person mentioned in the source's sentence (before
//!    it) or the `window` sentences before. If another person was mentioned in that same
//!    sentence, the pronoun is ambiguous and stays unresolved, unless the last person to
//!    speak (the last resolved person source) is one of them. A title ("Mr", "Mrs", "Ms"),
//!    or an earlier "she" or "he" resolved to the person, that disagrees with the pronoun
//!    rules a person out, and so does being named only inside a direct quotation. "it" takes the last organisation in the window, unless another
//!    is named in its sentence.
//! 4. A definite description ("the agency", "the ministry", "the expert") takes the most
//!    recent cluster whose name contains its head noun ("the ministry" → "Ministry of
//!    Defence"), or the person introduced with that role ("Military expert Evgeny
//!    Mikhaylov", "John Smith, a spokesman for ..."), or, for a generic organisation noun
//!    ("the company", "the agency"), the organisation "it" would take, if its name does not
//!    say it is another kind ("the company" is not the "European Commission").
//!
//! Anything else ("officials", "some experts", "they", "a source familiar with the talks")
//! stays unresolved: `source_cluster` is `null`.

use caveat_core::{Cluster, Document, Span};
use caveat_text::names;

use crate::cluster::unique;

/// Nouns that refer back to an organisation in a definite description.
const ORG_NOUNS: &[&str] = &[
    "agency",
    "alliance",
    "association",
    "authority",
    "bank",
    "body",
    "broadcaster",
    "business",
    "campaign",
    "carrier",
    "charity",
    "club",
    "coalition",
    "committee",
    "commission",
    "company",
    "corporation",
    "council",
    "court",
    "department",
    "firm",
    "force",
    "foundation",
    "group",
    "institute",
    "insurer",
    "league",
    "lender",
    "manufacturer",
    "ministry",
    "network",
    "newspaper",
    "office",
    "organisation",
    "organization",
    "outlet",
    "paper",
    "party",
    "police",
    "regulator",
    "retailer",
    "service",
    "startup",
    "team",
    "union",
    "university",
];

/// Words that make an organisation a public body: a "company" is none of these.
const PUBLIC_NOUNS: &[&str] = &[
    "agency",
    "authority",
    "commission",
    "committee",
    "council",
    "court",
    "department",
    "force",
    "government",
    "ministry",
    "office",
    "organisation",
    "organization",
    "parliament",
    "police",
    "regulator",
    "service",
];

/// Words that make an organisation a business: an "agency" is none of these.
const COMMERCIAL_NOUNS: &[&str] = &[
    "business",
    "carrier",
    "co",
    "company",
    "corp",
    "corporation",
    "firm",
    "inc",
    "insurer",
    "lender",
    "limited",
    "llc",
    "ltd",
    "manufacturer",
    "plc",
    "retailer",
    "startup",
];

/// Words that make an organisation a sports side.
const SPORT_NOUNS: &[&str] = &[
    "club", "side", "squad", "team", "fc", "united", "city", "rovers",
];

/// Which kind of organisation a word says: public body (0), business (1), sports side (2).
fn org_kind(word: &str) -> Option<u8> {
    [PUBLIC_NOUNS, COMMERCIAL_NOUNS, SPORT_NOUNS]
        .iter()
        .position(|l| l.contains(&word))
        .map(|k| k as u8)
}

/// What the resolver knows of one mention: where it is and which cluster it belongs to.
#[derive(Debug, Clone, Copy)]
struct Seen {
    start: usize,
    end: usize,
    sentence: usize,
    cluster: usize,
}

/// Resolution context of one document.
pub(crate) struct Resolver<'d> {
    doc: &'d Document,
    clusters: &'d [Cluster],
    of_entity: &'d [usize],
    /// Entity mentions in text order.
    seen: Vec<Seen>,
    /// Per entity: its folded name.
    keys: Vec<String>,
    /// Per cluster: gender from titles ('m', 'f' or ' ').
    gender: Vec<char>,
    /// Per cluster: lower-case role words introduced next to its mentions.
    roles: Vec<Vec<String>>,
    window: usize,
    pronouns: bool,
}

impl<'d> Resolver<'d> {
    pub(crate) fn new(
        doc: &'d Document,
        clusters: &'d [Cluster],
        of_entity: &'d [usize],
        window: usize,
        pronouns: bool,
    ) -> Self {
        let mut seen: Vec<Seen> = doc
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| Seen {
                start: e.span.start,
                end: e.span.end,
                sentence: sentence_of(doc, e.span.start),
                cluster: of_entity[i],
            })
            .collect();
        seen.sort_by_key(|s| s.start);
        let mut gender = vec![' '; clusters.len()];
        let mut roles = vec![Vec::new(); clusters.len()];
        for (i, e) in doc.entities.iter().enumerate() {
            let c = of_entity[i];
            let (before, after) = context_words(doc, e.tokens.clone());
            for w in &before {
                match w.as_str() {
                    "mr" | "sir" | "lord" | "king" | "prince" => gender[c] = 'm',
                    "mrs" | "ms" | "miss" | "dame" | "lady" | "queen" | "princess" => {
                        gender[c] = 'f'
                    }
                    _ => {}
                }
            }
            roles[c].extend(before);
            roles[c].extend(after);
        }
        let keys = doc
            .entities
            .iter()
            .map(|e| names::fold(e.span.slice(&doc.text)))
            .collect();
        Resolver {
            doc,
            keys,
            clusters,
            of_entity,
            seen,
            gender,
            roles,
            window,
            pronouns,
        }
    }

    /// The cluster of every attribution's source (`None` where unresolved), in the order of
    /// the attribution layer. Earlier resolved sources count as mentions for later pronouns.
    pub(crate) fn resolve_all(&self) -> Vec<Option<usize>> {
        let n = self.doc.attributions.len();
        let mut out = vec![None; n];
        // Resolve in text order so "he" can follow a speaker resolved just before.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| {
            let a = &self.doc.attributions[i];
            a.source.or(a.cue).map_or(usize::MAX, |s| s.start)
        });
        let mut speakers: Vec<Seen> = Vec::new();
        let mut gender = self.gender.clone();
        for i in order {
            let a = &self.doc.attributions[i];
            let Some(src) = a.source else { continue };
            let r = self.resolve(src, &speakers, &mut gender);
            if let Some(c) = r {
                speakers.push(Seen {
                    start: src.start,
                    end: src.end,
                    sentence: sentence_of(self.doc, src.start),
                    cluster: c,
                });
            }
            out[i] = r;
        }
        out
    }

    fn resolve(&self, src: Span, speakers: &[Seen], gender: &mut [char]) -> Option<usize> {
        // A source with an appositive ("Dr Hannah Crowley, a researcher at King's College")
        // is its head before the first comma; the appositive only names a source whose head
        // is a description ("The state's campaign chairman, Phil Lovas").
        let head = match src.slice(&self.doc.text).find(',') {
            Some(k) if k > 0 => Span::new(src.start, src.start + k),
            _ => src,
        };
        match self.by_entity(head) {
            Entity::One(c) => return Some(c),
            Entity::Group => return None,
            Entity::None if head != src => {
                if let Entity::One(c) = self.by_entity(src) {
                    return Some(c);
                }
            }
            Entity::None => {}
        }
        let src = head;
        if self
            .doc
            .entities
            .iter()
            .any(|e| e.span.start < src.end && src.start < e.span.end)
        {
            // Only a place or demonym is tagged in it ("the Ukrainian military"): not a name
            // the tagger missed.
            return None;
        }
        let text = src.slice(&self.doc.text);
        let core = names::core_words(text);
        if core.is_empty() {
            return None;
        }
        let first = core[0];
        if core.len() == 1 {
            let lower = first.to_lowercase();
            match lower.as_str() {
                "he" | "she" if self.pronouns => {
                    let female = lower == "she";
                    let c = self.person_pronoun(src, female, speakers, gender)?;
                    // "she" resolved to Andrea Keller rules her out for a later "he".
                    if gender[c] == ' ' {
                        gender[c] = if female { 'f' } else { 'm' };
                    }
                    return Some(c);
                }
                "it" if self.pronouns => return self.last_org(src, false, &|_| true),
                _ => {}
            }
        }
        if first.chars().next().is_some_and(char::is_uppercase) {
            // "Mikhaylov's comments": the possessor is the name.
            let name = match core.iter().position(|w| names::strip_possessive(w) != *w) {
                Some(p) => {
                    let mut ws: Vec<&str> = core[..=p].to_vec();
                    ws[p] = names::strip_possessive(ws[p]);
                    ws.join(" ")
                }
                None => core.join(" "),
            };
            return self.by_name(&name);
        }
        if text.trim_start().to_lowercase().starts_with("the ") && core.len() <= 3 {
            return self.description(src, core[core.len() - 1]);
        }
        None
    }

    /// Rule 1: the cluster of an entity inside the source. A place counts only when it
    /// is the whole source ("Britain said"), an other name (MISC: "Ukrainian") never:
    /// "health officials in Romania" are not Romania. Two people ("Mr Vance and Graham
    /// Ellery") are a group, no one's source.
    fn by_entity(&self, src: Span) -> Entity {
        let rank = |label: &str| match label {
            "PER" => 2,
            "ORG" => 1,
            _ => 0,
        };
        let whole = names::fold(src.slice(&self.doc.text));
        let found: Vec<(u8, usize, usize)> = self
            .doc
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.span.start < src.end && src.start < e.span.end)
            .filter(|(i, e)| {
                let label = self.clusters[self.of_entity[*i]].label.as_str();
                rank(label) > 0
                    || (label == "LOC" && names::fold(e.span.slice(&self.doc.text)) == whole)
            })
            .map(|(i, e)| {
                (
                    rank(&self.clusters[self.of_entity[i]].label),
                    e.span.start,
                    self.of_entity[i],
                )
            })
            .collect();
        let Some(&(best, _, c)) = found.iter().max_by_key(|(r, start, _)| (*r, *start)) else {
            return Entity::None;
        };
        if best == 2 && found.iter().any(|&(r, _, o)| r == 2 && o != c) {
            return Entity::Group;
        }
        Entity::One(c)
    }

    /// Rule 2: a name the tagger missed, matched against the clusters' mentions.
    fn by_name(&self, name: &str) -> Option<usize> {
        let key = names::fold(name);
        let words: Vec<&str> = key.split(' ').collect();
        let mention_keys = |c: &Cluster| -> Vec<&str> {
            c.mentions.iter().map(|&e| self.keys[e].as_str()).collect()
        };
        if let Some(c) = unique(
            self.clusters
                .iter()
                .enumerate()
                .filter(|(_, c)| mention_keys(c).contains(&key.as_str()))
                .map(|(i, _)| i),
        ) {
            return Some(c);
        }
        if names::is_acronym(name) {
            return unique(
                self.clusters
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| names::abbreviates(name, &c.name))
                    .map(|(i, _)| i),
            );
        }
        if words.len() == 1 {
            return unique(
                self.clusters
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        c.label == "PER"
                            && mention_keys(c)
                                .iter()
                                .any(|k| k.contains(' ') && k.rsplit(' ').next() == Some(words[0]))
                    })
                    .map(|(i, _)| i),
            );
        }
        None
    }

    /// The mentions (entities and resolved speakers) before `src` in its sentence and the
    /// `window` sentences before, most recent first.
    fn recent<'a>(&'a self, src: Span, speakers: &'a [Seen]) -> Vec<Seen> {
        let s = sentence_of(self.doc, src.start);
        let lo = s.saturating_sub(self.window);
        let mut v: Vec<Seen> = self
            .seen
            .iter()
            .chain(speakers)
            .filter(|m| m.start < src.start && m.sentence >= lo)
            .copied()
            .collect();
        v.sort_by_key(|m| std::cmp::Reverse(m.start));
        v
    }

    /// Rule 3 for "he" and "she".
    fn person_pronoun(
        &self,
        src: Span,
        female: bool,
        speakers: &[Seen],
        gender: &[char],
    ) -> Option<usize> {
        let ruled_out = |c: usize| match gender[c] {
            'm' => female,
            'f' => !female,
            _ => false,
        };
        // People named inside a direct quotation are not who "he added" refers to: the
        // speaker is.
        let quoted = |at: usize| {
            self.doc
                .attributions
                .iter()
                .any(|a| a.quote && a.content.is_some_and(|c| c.start <= at && at < c.end))
        };
        let persons: Vec<Seen> = self
            .recent(src, speakers)
            .into_iter()
            .filter(|m| {
                self.clusters[m.cluster].label == "PER" && !ruled_out(m.cluster) && !quoted(m.start)
            })
            .collect();
        let first = *persons.first()?;
        let rivals: Vec<usize> = persons
            .iter()
            .filter(|m| m.sentence == first.sentence && m.cluster != first.cluster)
            .map(|m| m.cluster)
            .collect();
        if rivals.is_empty() {
            return Some(first.cluster);
        }
        // People named together ("Mr Vance and Graham Ellery shared a platform. He said")
        // are equally likely: no tie-break.
        let in_sentence: Vec<&Seen> = persons
            .iter()
            .filter(|m| m.sentence == first.sentence)
            .collect();
        let coordinated = in_sentence.windows(2).any(|w| {
            let (later, earlier) = (w[0], w[1]);
            let from = earlier.end;
            from < later.start
                && self.doc.text.get(from..later.start).is_some_and(|gap| {
                    let words: Vec<&str> = gap.split_whitespace().collect();
                    words.first() == Some(&"and") && words.len() <= 3
                })
        });
        if coordinated {
            return None;
        }
        // Two people in the last sentence that names a person: the one who spoke last, if
        // the last person to speak is one of them.
        // The speaker must have spoken before that sentence, or be its subject (named before
        // any other person in it): "Mr Vance and Graham Ellery shared a platform. He said"
        // stays ambiguous.
        let subject = |s: &Seen| {
            !persons
                .iter()
                .any(|m| m.sentence == s.sentence && m.start < s.start && m.cluster != s.cluster)
        };
        let last = speakers
            .iter()
            .rev()
            .find(|s| s.start < src.start && self.clusters[s.cluster].label == "PER")
            .filter(|s| s.sentence < first.sentence || subject(s))?;
        (last.cluster == first.cluster || rivals.contains(&last.cluster)).then_some(last.cluster)
    }

    /// The organisation mentioned last before `src` (in the window, or anywhere before it
    /// with `anywhere`) that `ok` accepts, unless another organisation is named in the same
    /// sentence.
    fn last_org(&self, src: Span, anywhere: bool, ok: &dyn Fn(usize) -> bool) -> Option<usize> {
        let mentions = if anywhere {
            let mut v: Vec<Seen> = self
                .seen
                .iter()
                .filter(|m| m.start < src.start)
                .copied()
                .collect();
            v.reverse();
            v
        } else {
            self.recent(src, &[])
        };
        let orgs: Vec<Seen> = mentions
            .into_iter()
            .filter(|m| self.clusters[m.cluster].label == "ORG")
            .collect();
        let first = orgs.first()?;
        let rival = orgs
            .iter()
            .any(|m| m.sentence == first.sentence && m.cluster != first.cluster);
        (!rival && ok(first.cluster)).then_some(first.cluster)
    }

    /// Rule 4: "the <head>".
    fn description(&self, src: Span, head: &str) -> Option<usize> {
        let head = head.to_lowercase();
        let singular = head.strip_suffix('s').unwrap_or(&head);
        let before: Vec<Seen> = self
            .seen
            .iter()
            .filter(|m| m.start < src.start)
            .rev()
            .copied()
            .collect();
        let most_recent = |ok: &dyn Fn(usize) -> bool| -> Option<usize> {
            before.iter().find(|m| ok(m.cluster)).map(|m| m.cluster)
        };
        // A cluster whose name contains the noun: "the ministry" → "Ministry of Defence".
        let named = |c: usize| {
            self.clusters[c]
                .name
                .split_whitespace()
                .any(|w| w.eq_ignore_ascii_case(&head))
        };
        if let Some(c) = most_recent(&named) {
            return Some(c);
        }
        // A person introduced with the role: "Military expert Evgeny Mikhaylov".
        let role = |c: usize| {
            self.clusters[c].label == "PER"
                && self.roles[c].iter().any(|r| r == &head || r == singular)
        };
        if let Some(c) = most_recent(&role) {
            return Some(c);
        }
        if ORG_NOUNS.contains(&head.as_str()) || ORG_NOUNS.contains(&singular) {
            // Not a "company" that is named a commission, nor an "agency" named Acme Corp.
            let fits = |c: usize| {
                let mine = org_kind(singular).or(org_kind(&head));
                self.clusters[c].name.split_whitespace().all(|w| {
                    let theirs = org_kind(&w.trim_end_matches('.').to_lowercase());
                    mine.is_none() || theirs.is_none() || mine == theirs
                })
            };
            // An organisation is referred to this way long after it was named ("the force").
            return self.last_org(src, true, &fits);
        }
        None
    }
}

/// The index of the sentence containing byte `at` (the last sentence starting at or before
/// it; 0 without sentences).
/// What the entities inside a source name.
enum Entity {
    /// No person or organisation (nor a place that is the whole source).
    None,
    /// One cluster.
    One(usize),
    /// Several people: a group, not one source.
    Group,
}

fn sentence_of(doc: &Document, at: usize) -> usize {
    doc.sentences
        .partition_point(|s| s.span.start <= at)
        .saturating_sub(1)
}

/// Role words next to a mention, lower-cased: up to three words right before it that are
/// titles or lower-case ("Military *expert* Evgeny Mikhaylov", "*President* Trump"), and the
/// words of an apposition after a comma, up to the next punctuation ("John Smith, *a
/// spokesman* for the group").
fn context_words(doc: &Document, tokens: std::ops::Range<usize>) -> (Vec<String>, Vec<String>) {
    let word = |i: usize| doc.token_text(i);
    let is_word = |i: usize| {
        word(i)
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '.')
    };
    let mut before = Vec::new();
    let mut i = tokens.start;
    while i > 0 && before.len() < 3 {
        i -= 1;
        let w = word(i);
        if !is_word(i) {
            break;
        }
        before.push(w.trim_end_matches('.').to_lowercase());
    }
    let mut after = Vec::new();
    if tokens.end < doc.tokens.len() && word(tokens.end) == "," {
        let mut j = tokens.end + 1;
        while j < doc.tokens.len() && after.len() < 6 && is_word(j) {
            after.push(word(j).to_lowercase());
            j += 1;
        }
    }
    (before, after)
}
