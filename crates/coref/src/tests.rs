use caveat_core::{Attribution, Entity, Span};
use proptest::prelude::*;

use super::*;

/// A tokenized document with entities at the given (text, label) occurrences, in order of
/// first search from the previous one's end.
fn doc(text: &str, ents: &[(&str, &str)]) -> Document {
    let mut d = Document::new("t", text);
    caveat_tokenize::tokenize(&d.text, &mut d.tokens);
    let mut sentences = Vec::new();
    caveat_tokenize::split_sentences(&d.text, &d.tokens, &mut sentences);
    d.sentences = sentences;
    let mut from = 0;
    for &(name, label) in ents {
        let start = from + d.text[from..].find(name).expect(name);
        let span = Span::new(start, start + name.len());
        let first = d
            .tokens
            .iter()
            .position(|t| t.span.start == start)
            .expect(name);
        let last = d
            .tokens
            .iter()
            .position(|t| t.span.end == span.end)
            .expect(name);
        d.entities.push(Entity {
            span,
            tokens: first..last + 1,
            label: label.into(),
            score: 0.9,
            cluster: None,
        });
        from = span.end;
    }
    d
}

/// An attribution whose source is the `nth` (0-based) occurrence of `source`.
fn attribute(d: &mut Document, source: &str, nth: usize) -> usize {
    let start = d
        .text
        .match_indices(source)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th {source}"))
        .0;
    d.attributions.push(Attribution {
        source: Some(Span::new(start, start + source.len())),
        ..Attribution::default()
    });
    d.attributions.len() - 1
}

fn run(d: &mut Document) {
    CorefConfig::default().build().unwrap().annotate(d);
    check(d);
}

/// The layer's invariants: every entity in exactly one cluster, indices in range, mentions in
/// text order, names non-empty.
fn check(d: &Document) {
    for (i, e) in d.entities.iter().enumerate() {
        let c = e.cluster.expect("every entity has a cluster");
        assert!(d.clusters[c].mentions.contains(&i));
        assert_eq!(
            e.label == "PER",
            d.clusters[c].label == "PER",
            "a person's mentions are relabelled PER, the others' not PER"
        );
    }
    let total: usize = d.clusters.iter().map(|c| c.mentions.len()).sum();
    assert_eq!(total, d.entities.len());
    for c in &d.clusters {
        assert!(!c.mentions.is_empty());
        assert!(c
            .mentions
            .windows(2)
            .all(|w| d.entities[w[0]].span.start <= d.entities[w[1]].span.start));
    }
    for a in &d.attributions {
        assert!(a.source_cluster.is_none_or(|c| c < d.clusters.len()));
    }
}

fn source_name(d: &Document, a: usize) -> Option<&str> {
    d.attributions[a]
        .source_cluster
        .map(|c| d.clusters[c].name.as_str())
}

#[test]
fn name_variants_form_one_cluster_with_the_full_name_and_the_majority_label() {
    let mut d = doc(
        "Mr Trump spoke on Monday. Donald Trump then left. President Trump's aides were silent, \
         and Trump said nothing.",
        &[
            ("Trump", "ORG"),
            ("Donald Trump", "PER"),
            ("Trump", "PER"),
            ("Trump", "PER"),
        ],
    );
    run(&mut d);
    assert_eq!(d.clusters.len(), 1);
    assert_eq!(d.clusters[0].name, "Donald Trump");
    assert_eq!(d.clusters[0].label, "PER");
    assert_eq!(d.entities[0].label, "PER", "the ORG mention is corrected");

    // relabel = false keeps the tagger's labels.
    let mut d2 = doc(
        "Mr Trump spoke. Donald Trump left.",
        &[("Trump", "ORG"), ("Donald Trump", "PER")],
    );
    CorefConfig {
        relabel: false,
        ..CorefConfig::default()
    }
    .build()
    .unwrap()
    .annotate(&mut d2);
    assert_eq!(d2.entities[0].label, "ORG");
    assert_eq!(d2.entities[0].cluster, d2.entities[1].cluster);
}

#[test]
fn acronyms_join_their_expansion_and_resolve_sources() {
    let mut d = doc(
        "The National Intelligence Service (NIS) briefed lawmakers. The NIS alleges that Kim \
         Jong Un is ill.",
        &[
            ("National Intelligence Service", "ORG"),
            ("NIS", "ORG"),
            ("NIS", "ORG"),
            ("Kim Jong Un", "PER"),
        ],
    );
    let a = attribute(&mut d, "The NIS", 0);
    run(&mut d);
    assert_eq!(d.clusters.len(), 2);
    assert_eq!(source_name(&d, a), Some("National Intelligence Service"));
}

#[test]
fn a_missed_surname_or_acronym_in_the_source_is_looked_up() {
    let mut d = doc(
        "Military expert Evgeny Mikhaylov spoke to the World Health Organization. \
         Mikhaylov's comments were disputed. WHO officials said the risk was low.",
        &[
            ("Evgeny Mikhaylov", "PER"),
            ("World Health Organization", "ORG"),
        ],
    );
    let a = attribute(&mut d, "Mikhaylov's comments", 0);
    let b = attribute(&mut d, "WHO", 0);
    run(&mut d);
    assert_eq!(source_name(&d, a), Some("Evgeny Mikhaylov"));
    assert_eq!(source_name(&d, b), Some("World Health Organization"));
}

#[test]
fn he_takes_the_one_person_in_reach_and_stays_unresolved_between_two() {
    let mut d = doc(
        "Evgeny Mikhaylov is a military expert. He said the tanks may move. \
         Sergei Ivanov met Pavel Orlov on Friday. He said nothing.",
        &[
            ("Evgeny Mikhaylov", "PER"),
            ("Sergei Ivanov", "PER"),
            ("Pavel Orlov", "PER"),
        ],
    );
    let a = attribute(&mut d, "He", 0);
    let b = attribute(&mut d, "He", 1);
    run(&mut d);
    assert_eq!(source_name(&d, a), Some("Evgeny Mikhaylov"));
    assert_eq!(
        source_name(&d, b),
        None,
        "two men in the last sentence: ambiguous"
    );
}

#[test]
fn the_speaker_goes_on_speaking_and_titles_give_gender() {
    let mut d = doc(
        "Sergei Ivanov said the talks had failed. Ivanov met Pavel Orlov later. He said the \
         meeting was short. Ms Anna Petrova and Mr Orlov then left. She said it was over.",
        &[
            ("Sergei Ivanov", "PER"),
            ("Ivanov", "PER"),
            ("Pavel Orlov", "PER"),
            ("Anna Petrova", "PER"),
            ("Orlov", "PER"),
        ],
    );
    let first = attribute(&mut d, "Sergei Ivanov", 0);
    let he = attribute(&mut d, "He", 0);
    let she = attribute(&mut d, "She", 0);
    run(&mut d);
    assert_eq!(source_name(&d, first), Some("Sergei Ivanov"));
    assert_eq!(
        source_name(&d, he),
        Some("Sergei Ivanov"),
        "Ivanov was speaking"
    );
    assert_eq!(
        source_name(&d, she),
        Some("Anna Petrova"),
        "Mr Orlov is ruled out"
    );
}

#[test]
fn descriptions_take_a_named_cluster_a_role_or_the_one_organisation() {
    let mut d = doc(
        "Military expert Evgeny Mikhaylov and the Ministry of Defence disagreed. The ministry \
         said the drills were routine. The expert said they were not. Acme Corp cut jobs on \
         Monday. The company said sales had fallen. The official said nothing.",
        &[
            ("Evgeny Mikhaylov", "PER"),
            ("Ministry of Defence", "ORG"),
            ("Acme Corp", "ORG"),
        ],
    );
    let ministry = attribute(&mut d, "The ministry", 0);
    let expert = attribute(&mut d, "The expert", 0);
    let company = attribute(&mut d, "The company", 0);
    let official = attribute(&mut d, "The official", 0);
    run(&mut d);
    assert_eq!(source_name(&d, ministry), Some("Ministry of Defence"));
    assert_eq!(source_name(&d, expert), Some("Evgeny Mikhaylov"));
    assert_eq!(source_name(&d, company), Some("Acme Corp"));
    assert_eq!(source_name(&d, official), None);
}

#[test]
fn shared_surnames_are_not_merged() {
    let mut d = doc(
        "Joe Biden and Hunter Biden arrived. Biden said the trip was private.",
        &[
            ("Joe Biden", "PER"),
            ("Hunter Biden", "PER"),
            ("Biden", "PER"),
        ],
    );
    let a = attribute(&mut d, "Biden said", 0);
    d.attributions[a].source = Some(Span::new(
        d.attributions[a].source.unwrap().start,
        d.attributions[a].source.unwrap().start + "Biden".len(),
    ));
    run(&mut d);
    assert_eq!(d.clusters.len(), 3);
    assert_eq!(
        source_name(&d, a),
        Some("Biden"),
        "its own cluster, not a guess"
    );
}

#[test]
fn an_organisation_prefix_joins_but_a_place_does_not_join_an_organisation() {
    let mut d = doc(
        "The National Intelligence Service of South Korea met. The National Intelligence \
         Service declined. Washington Post reporters and Washington officials met.",
        &[
            ("National Intelligence Service of South Korea", "ORG"),
            ("National Intelligence Service", "ORG"),
            ("Washington Post", "ORG"),
            ("Washington", "LOC"),
        ],
    );
    run(&mut d);
    assert_eq!(d.entities[0].cluster, d.entities[1].cluster);
    assert_ne!(d.entities[2].cluster, d.entities[3].cluster);
    assert_eq!(
        d.clusters[d.entities[0].cluster.unwrap()].name,
        "National Intelligence Service of South Korea"
    );

    let mut d = doc(
        "Amnesty said the prison was closed. Amnesty International has asked for access. \
         Neil Jordan visited Jordan. Jordan said he liked it.",
        &[
            ("Amnesty", "ORG"),
            ("Amnesty International", "ORG"),
            ("Neil Jordan", "PER"),
            ("Jordan", "LOC"),
            ("Jordan", "PER"),
        ],
    );
    run(&mut d);
    assert_eq!(d.entities[0].cluster, d.entities[1].cluster);
    assert_eq!(
        d.clusters[d.entities[0].cluster.unwrap()].name,
        "Amnesty International"
    );
    assert_ne!(
        d.entities[2].cluster, d.entities[3].cluster,
        "a place is not a surname"
    );

    let mut d = doc(
        "The Ukrainian military said the drones were shot down. Ukrainian officials agreed.",
        &[("Ukrainian", "MISC"), ("Ukrainian", "MISC")],
    );
    let a = attribute(&mut d, "The Ukrainian military", 0);
    let b = attribute(&mut d, "Ukrainian officials", 0);
    run(&mut d);
    assert_eq!(source_name(&d, a), None, "a demonym is not a source");
    assert_eq!(source_name(&d, b), None);
}

#[test]
fn window_is_checked() {
    let err = CorefConfig {
        window: 50,
        ..CorefConfig::default()
    }
    .build()
    .unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
}

proptest! {
    /// Any entities over any text: no panic, every entity in exactly one cluster.
    #[test]
    fn any_entities_keep_the_invariants(
        words in prop::collection::vec(
            prop::sample::select(vec!["Trump", "Mr", "he", "said", "NIS", "The", "the",
                "agency", "Donald", "National", "Service", "Intelligence", "It", ".", ",",
                "Biden", "’s", "it", "she", "Ms", "(", ")"]),
            1..60),
        picks in prop::collection::vec((0usize..60, 1usize..4, 0usize..4), 0..12),
        sources in prop::collection::vec((0usize..60, 1usize..3), 0..6),
    ) {
        let text = words.join(" ");
        let mut d = Document::new("p", text.as_str());
        caveat_tokenize::tokenize(&d.text, &mut d.tokens);
        let mut s = Vec::new();
        caveat_tokenize::split_sentences(&d.text, &d.tokens, &mut s);
        d.sentences = s;
        let n = d.tokens.len();
        let labels = ["PER", "ORG", "LOC", "MISC"];
        let mut last_end = 0;
        let mut picks = picks;
        picks.sort();
        for (start, len, l) in picks {
            if start < last_end || start + len > n { continue; }
            let span = Span::new(d.tokens[start].span.start, d.tokens[start + len - 1].span.end);
            d.entities.push(Entity { span, tokens: start..start + len, label: labels[l].into(), score: 0.5, cluster: None });
            last_end = start + len;
        }
        for (start, len) in sources {
            if start + len > n { continue; }
            let span = Span::new(d.tokens[start].span.start, d.tokens[start + len - 1].span.end);
            d.attributions.push(Attribution { source: Some(span), ..Attribution::default() });
        }
        run(&mut d);
    }
}

#[test]
fn parenthesised_acronyms_head_nouns_family_names_and_learned_gender() {
    let mut d = doc(
        "The Federal Office for the Environment (FOEN) said glaciers shrank. FOEN said more. \
         The European Commission fined the firm. The Commission said it was final. \
         Park Ji-hoon, an analyst, spoke. Park told reporters the risk was low. \
         Andrea Keller spoke first. She said the ice was thin. \
         Keller's colleague, Jonas Weber, said it was worse. He warned of floods.",
        &[
            ("Federal Office for the Environment", "ORG"),
            ("FOEN", "ORG"),
            ("FOEN", "ORG"),
            ("European Commission", "ORG"),
            ("Commission", "ORG"),
            ("Park Ji-hoon", "PER"),
            ("Park", "PER"),
            ("Andrea Keller", "PER"),
            ("Keller", "PER"),
            ("Jonas Weber", "PER"),
        ],
    );
    let foen = attribute(&mut d, "FOEN said more", 0);
    d.attributions[foen].source = Some(d.entities[2].span);
    let park = attribute(&mut d, "Park told", 0);
    d.attributions[park].source = Some(d.entities[6].span);
    let she = attribute(&mut d, "She", 0);
    let weber = attribute(&mut d, "Jonas Weber", 0);
    let he = attribute(&mut d, "He warned", 0);
    d.attributions[he].source = Some(Span::new(
        d.attributions[he].source.unwrap().start,
        d.attributions[he].source.unwrap().start + 2,
    ));
    run(&mut d);
    assert_eq!(
        source_name(&d, foen),
        Some("Federal Office for the Environment")
    );
    assert_eq!(
        d.entities[3].cluster, d.entities[4].cluster,
        "the Commission"
    );
    assert_eq!(source_name(&d, park), Some("Park Ji-hoon"));
    assert_eq!(source_name(&d, she), Some("Andrea Keller"));
    assert_eq!(source_name(&d, weber), Some("Jonas Weber"));
    assert_eq!(
        source_name(&d, he),
        Some("Jonas Weber"),
        "Keller is 'she', and Weber spoke last"
    );
}

#[test]
fn people_named_inside_a_quotation_are_not_the_speaker() {
    let mut d = doc(
        "Ali Khamenei said: \"The world sees the truth. We thank Donald Trump.\" He added that more \
         was to come.",
        &[("Ali Khamenei", "PER"), ("Donald Trump", "PER")],
    );
    let said = attribute(&mut d, "Ali Khamenei", 0);
    let q = d.text.find("The world").unwrap();
    d.attributions[said].content = Some(Span::new(
        q,
        q + "The world sees the truth. We thank Donald Trump.".len(),
    ));
    d.attributions[said].quote = true;
    let he = attribute(&mut d, "He", 0);
    run(&mut d);
    assert_eq!(source_name(&d, he), Some("Ali Khamenei"));
}
