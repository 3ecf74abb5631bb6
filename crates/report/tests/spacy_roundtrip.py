#!/usr/bin/env python3
"""Load caveat's spaCy export with spaCy and check it against the text.

usage: spacy_roundtrip.py EXPORT.jsonl   (one Doc.to_json() object per line, as written by
       caveat export --format spacy / caveat_report::export_spacy_json)

Needs spaCy (3.8): python3 -m venv /tmp/spacy-venv && /tmp/spacy-venv/bin/pip install spacy==3.8.18
Checks for every document: Doc.from_json(Vocab(), data) succeeds; the Doc's text is the exported
text; every entity's text is text[start:end] (code points) with the exported label; sentence
starts and the span groups (hedges, attribution parts, coref_clusters_N) are there.
"""
import json
import sys

from spacy.tokens import Doc
from spacy.vocab import Vocab

EXTENSIONS = (
    "caveat_id",
    "caveat_meta",
    "caveat_uncertain_sentences",
    "caveat_hedges",
    "caveat_attributions",
    "caveat_clusters",
)


def main(path):
    # spaCy's from_json cannot register custom attributes itself (E083): do it first.
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    vocab = Vocab()
    docs = ents = spans = 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            data = json.loads(line)
            doc = Doc(vocab).from_json(data)
            text = data["text"]
            where = f"{path}:{line_no}"
            assert doc.text == text, f"{where}: text differs"
            assert len(doc.ents) == len(data["ents"]), f"{where}: entity count"
            for ent, want in zip(doc.ents, data["ents"]):
                assert ent.start_char == want["start"] and ent.end_char == want["end"], where
                assert ent.text == text[want["start"]:want["end"]], where
                assert ent.label_ == want["label"], where
                ents += 1
            for sent in data["sents"]:
                span = doc.char_span(sent["start"], sent["end"])
                assert span is not None and span[0].is_sent_start, f"{where}: sentence {sent}"
            for group, items in data["spans"].items():
                assert len(doc.spans[group]) == len(items), f"{where}: span group {group}"
                for span, want in zip(doc.spans[group], items):
                    assert span.text == text[want["start"]:want["end"]], where
                    spans += 1
            if "_" in data:
                assert doc._.caveat_id == data["_"]["caveat_id"], where
            docs += 1
    print(f"spacy round trip ok: {docs} docs, {ents} entities, {spans} spans")


if __name__ == "__main__":
    main(sys.argv[1])
