#!/usr/bin/env bash
# Browser test of the HTML report: renders real caveat output and a synthetic 10,000-article
# corpus in headless Chromium and checks the DOM the page's script builds.
#
#   crates/report/tests/browser.sh            # from the repository root (CI calls this)
#
# Environment (all optional):
#   CAVEAT_BIN   the caveat binary            (default: target/release/caveat, built if missing)
#   REPORT_BIN   a report program `REPORT_BIN IN OUT` (default: `caveat report IN --html OUT`)
#   PIPELINE     pipeline for `caveat run`    (default: pipelines/news.toml)
#   OUT_DIR      where outputs and screenshots go (default: a new temporary directory)
#   CHROMIUM     the browser                  (default: chromium, installed with apt-get if missing)
#
# Writes $OUT_DIR/report.png (1280x2000 screenshot of the sample report) and
# $OUT_DIR/report-10k.png. Exit status 0 when every check passes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
OUT_DIR="${OUT_DIR:-$(mktemp -d -t caveat-report-XXXXXX)}"
mkdir -p "$OUT_DIR"
PIPELINE="${PIPELINE:-pipelines/news.toml}"
CHROMIUM="${CHROMIUM:-chromium}"
failures=0

log() { printf '[browser.sh] %s\n' "$*" >&2; }
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then log "ok   - $what"; else log "FAIL - $what"; failures=$((failures + 1)); fi
}

# --- tools -------------------------------------------------------------------------------
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
    log "installing chromium"
    apt-get update && apt-get install -y chromium
fi
CAVEAT_BIN="${CAVEAT_BIN:-$ROOT/target/release/caveat}"
if [[ ! -x "$CAVEAT_BIN" ]]; then
    log "building caveat"
    cargo build --release -p caveat-cli
fi
# The report is made by `caveat report IN --html OUT` unless REPORT_BIN (IN OUT) is given.
report() {
    if [[ -n "${REPORT_BIN:-}" ]]; then
        "$REPORT_BIN" "$1" "$2"
    else
        "$CAVEAT_BIN" report "$1" --html "$2"
    fi
}

browser() { # browser ARGS... URL
    timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d)" "$@" 2>/dev/null
}

# --- 1. the sample corpus through the real binary, plus an injection attempt ----------------
IN="$OUT_DIR/sample-in.jsonl"
cp tests/data/sample-news.jsonl "$IN"
# Markup in text, id and title must come out as text.
printf '%s\n' '{"id":"xss-<b>1</b>","title":"<i>evil</i>","text":"<script>document.title=\"pwned\"</script> Officials said <img src=x onerror=\"document.title=1\"> may be unsafe in Paris."}' >>"$IN"
N_IN=$(grep -c . "$IN")
log "caveat run -p $PIPELINE $IN"
"$CAVEAT_BIN" run -p "$PIPELINE" "$IN" --output "$OUT_DIR/sample.out.jsonl" --overwrite
report "$OUT_DIR/sample.out.jsonl" "$OUT_DIR/sample.html"
browser --dump-dom "file://$OUT_DIR/sample.html" >"$OUT_DIR/sample.dom.html"
browser --screenshot="$OUT_DIR/report.png" --window-size=1280,2000 "file://$OUT_DIR/sample.html" >/dev/null
DOM="$OUT_DIR/sample.dom.html"
# The rendered articles only (the DOM also holds the data and the script's source).
articles_of() { tr -d '\n' <"$1" | grep -o '<div id="articles">.*id="pager-bottom"' || true; }
ART="$OUT_DIR/sample.articles.html"
articles_of "$DOM" >"$ART"

has() { grep -qF -- "$1" "$DOM"; }
art_has() { grep -qF -- "$1" "$ART"; }
articles() { grep -oE '<article class="doc" id="doc-[0-9]+"' "$ART" | wc -l; }
check "overview rendered" has 'id="overview"'
check "most-cited sources table" has 'Most-cited sources'
check "most hedged entities table" has 'Most hedged entities'
check "PER entity marks" art_has 'class="ent ent-PER"'
check "LOC entity marks" art_has 'class="ent ent-LOC"'
check "entity label tags" art_has 'class="tag ent-PER">PER</span>'
check "epistemic hedge marks" art_has 'class="hedge h-epistemic" data-cat="epistemic"'
check "hedge tooltip" art_has 'title="hedge: epistemic'
check "attribution source marks" art_has '<span class="att-source" data-att="'
check "attribution cue marks" art_has '<span class="att-cue" data-att="'
check "attribution content marks" art_has '<span class="att-content" data-att="'
check "source -> cue -> content list" grep -qE '<li class="att-item" data-att="[0-9]+"><span class="a-src"[^>]*>[^<]+</span>.*<span class="a-cue">[^<]+</span>.*<q class="a-con">' "$ART"
check "vague sources flagged" art_has 'class="flag vague"'
# The claims-by-source view: claims under their sources, hedge cues marked inside them.
CLAIMS="$OUT_DIR/sample.claims.html"
claims_of() { tr -d '\n' <"$1" | grep -o '<div id="claims-list">.*</section><section id="articles-section"' || true; }
claims_of "$DOM" >"$CLAIMS"
cl_has() { grep -qF -- "$1" "$CLAIMS"; }
check "claims section" has '<section id="claims"'
check "claims grouped by source" cl_has '<div class="src-group" data-g="0"><h3 class="src-head">'
check "claims listed" cl_has '<li class="claim'
check "hedged claims marked" cl_has '<li class="claim hedged"'
check "hedge cues marked inside claims" grep -qE '<q class="a-con">[^<]*(<span class="hedge h-[a-z]+" data-cat="[a-z]+"[^>]*>[^<]+</span>[^<]*)+</q>' "$CLAIMS"
check "claims link to their article" cl_has 'class="go art-link" data-goto="'
check "layer switches" has 'data-layer="clusters" checked'
check "pager shows all $N_IN articles" has "$N_IN of $N_IN articles"
check "one <article> per input record" test "$(articles)" -eq "$N_IN"
for id in $(grep -o '"id": *"[^"<]*"' tests/data/sample-news.jsonl | sed 's/.*"\([^"]*\)"$/\1/'); do
    check "article $id shown" art_has "<span class=\"docid\">$id</span>"
done
check "injected <script> is text" art_has '&lt;script&gt;document.title="pwned"&lt;/script&gt;'
check "injected <img> is text" art_has '&lt;img src=x onerror="document.title=1"&gt;'
check "injected id is text" art_has '<span class="docid">xss-&lt;b&gt;1&lt;/b&gt;</span>'
check "no injected element" bash -c "! grep -qE '<img src=\"?x|<b>1</b>|<i>evil</i>' '$DOM'"
check "title not changed by injected script" bash -c "! grep -q '<title>pwned\\|<title>1<' '$DOM'"
check "screenshot written" test -s "$OUT_DIR/report.png"

# --- 2. 10,000 synthetic articles + one 1 MB article ------------------------------------
BIG="$OUT_DIR/synthetic.out.jsonl"
log "generating 10,000 synthetic records and a 1 MB article"
awk 'BEGIN {
    # A 1 MB article first (so it is on page 1): 24,000 repetitions of one 43-character
    # sentence with an entity, a hedge and an attribution each. Printed piece by piece.
    n = 24000; s = "Officials in Paris said the plan may fail. ";
    printf "{\"id\":\"huge\",\"meta\":{\"title\":\"One megabyte\"},\"text\":\"";
    for (k = 0; k < n; k++) printf "%s", s;
    printf "\",\"sentences\":[";
    for (k = 0; k < n; k++) { o = k * 43; printf "%s{\"start\":%d,\"end\":%d,\"uncertain\":true,\"uncertainty\":1.0}", (k ? "," : ""), o, o + 42 }
    printf "],\"entities\":[";
    for (k = 0; k < n; k++) { o = k * 43; printf "%s{\"start\":%d,\"end\":%d,\"label\":\"LOC\",\"text\":\"Paris\",\"score\":1.0}", (k ? "," : ""), o + 13, o + 18 }
    printf "],\"hedges\":[";
    for (k = 0; k < n; k++) { o = k * 43; printf "%s{\"start\":%d,\"end\":%d,\"text\":\"may\",\"category\":\"epistemic\",\"sentence\":%d,\"score\":1.0,\"negated\":false,\"attribution\":%d}", (k ? "," : ""), o + 33, o + 36, k, k }
    printf "],\"attributions\":[";
    for (k = 0; k < n; k++) { o = k * 43; printf "%s{\"source\":{\"start\":%d,\"end\":%d,\"text\":\"Officials in Paris\"},\"cue\":{\"start\":%d,\"end\":%d,\"text\":\"said\"},\"content\":{\"start\":%d,\"end\":%d,\"text\":\"the plan may fail\"},\"source_entity\":%d,\"vague\":true,\"cites\":null,\"sentence\":%d,\"score\":1.0}", (k ? "," : ""), o, o + 18, o + 19, o + 23, o + 24, o + 41, k, k }
    printf "]}\n";
    # 10,000 short articles (ASCII, so awk byte positions are code points).
    for (i = 1; i <= 10000; i++) {
        name = "Ann Lee" i;
        t = "Minister " name " said the deal could collapse, according to Reuters. Markets in Tokyo rose.";
        per = index(t, name) - 1; cue = index(t, " said") ; con = index(t, "the deal") - 1;
        could = index(t, "could") - 1; reu = index(t, "Reuters") - 1; tok = index(t, "Tokyo") - 1;
        end0 = index(t, ". Markets"); mk = end0 + 1; len = length(t);
        printf "{\"id\":\"syn-%05d\",\"text\":\"%s\",\"meta\":{\"title\":\"Synthetic %d\"},", i, t, i;
        printf "\"sentences\":[{\"start\":0,\"end\":%d,\"uncertain\":true,\"uncertainty\":1.0},{\"start\":%d,\"end\":%d,\"uncertain\":false,\"uncertainty\":0.0}],", end0, mk, len;
        printf "\"entities\":[{\"start\":%d,\"end\":%d,\"label\":\"PER\",\"text\":\"%s\",\"score\":1.0},{\"start\":%d,\"end\":%d,\"label\":\"ORG\",\"text\":\"Reuters\",\"score\":1.0},{\"start\":%d,\"end\":%d,\"label\":\"LOC\",\"text\":\"Tokyo\",\"score\":1.0}],", per, per + length(name), name, reu, reu + 7, tok, tok + 5;
        printf "\"hedges\":[{\"start\":%d,\"end\":%d,\"text\":\"could\",\"category\":\"epistemic\",\"sentence\":0,\"score\":1.0,\"negated\":false,\"attribution\":0}],", could, could + 5;
        printf "\"attributions\":[{\"source\":{\"start\":0,\"end\":%d,\"text\":\"Minister %s\"},\"cue\":{\"start\":%d,\"end\":%d,\"text\":\"said\"},\"content\":{\"start\":%d,\"end\":%d,\"text\":\"the deal could collapse\"},\"source_entity\":0,\"source_cluster\":0,\"vague\":false,\"kind\":\"%s\",\"quote\":false,\"cites\":null,\"sentence\":0,\"score\":1.0}],", per + length(name), name, cue, cue + 4, con, con + 23, (i % 2 ? "statement" : "belief");
        printf "\"clusters\":[{\"name\":\"%s\",\"label\":\"PER\",\"mentions\":[0]}]}\n", name;
    }
}' >"$BIG"
N_BIG=$(wc -l <"$BIG")
ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)
report "$BIG" "$OUT_DIR/synthetic.html"
log "report of $N_BIG records ($(du -h "$BIG" | cut -f1) JSONL): $(du -h "$OUT_DIR/synthetic.html" | cut -f1) HTML in $(($(ms) - start)) ms"
start=$(ms)
browser --dump-dom "file://$OUT_DIR/synthetic.html" >"$OUT_DIR/synthetic.dom.html"
log "chromium start + load + render + DOM dump: $(($(ms) - start)) ms"
browser --screenshot="$OUT_DIR/report-10k.png" --window-size=1280,2000 "file://$OUT_DIR/synthetic.html" >/dev/null
DOM="$OUT_DIR/synthetic.dom.html"
ART="$OUT_DIR/synthetic.articles.html"
articles_of "$DOM" >"$ART"
check "page 1 is shown" has '<body data-page="1"'
check "pager counts every article" grep -qE '10.?001 of 10.?001 articles' "$DOM"
check "pager has 501 pages" has 'of 501<'
check "20 articles on the page" test "$(articles)" -eq 20
check "first synthetic articles on page 1" art_has '<span class="docid">syn-00019</span>'
check "article 20 is on page 2, not here" bash -c "! grep -qF '<span class=\"docid\">syn-00020</span>' '$ART'"
check "1 MB article rendered lazily (Show more)" art_has 'characters left)</button>'
check "1 MB article marks" art_has 'class="ent ent-LOC"'
check "attribution list capped" art_has 'Show all 24000 attributions'
rendered=$(wc -c <"$ART")
log "rendered articles of page 1: $rendered bytes of DOM"
check "rendered page stays small (< 2 MB of DOM)" test "$rendered" -lt 2000000
check "overview counts 10,001 articles" grep -qE '<div class="n">10001</div><div class="l">articles' "$DOM"

# Filters and paging from the URL fragment (#page=, #q=, #source=, #label=, #cat=, #unc=).
view() { # view FRAGMENT NAME: dump the DOM of synthetic.html#FRAGMENT, set $DOM and $ART
    DOM="$OUT_DIR/synthetic.$2.dom.html"; ART="$OUT_DIR/synthetic.$2.articles.html"
    browser --dump-dom "file://$OUT_DIR/synthetic.html#$1" >"$DOM"
    articles_of "$DOM" >"$ART"
}
view "page=2" page2
check "#page=2 shows page 2" has '<body data-page="2"'
check "#page=2 starts with article 20" art_has '<span class="docid">syn-00020</span>'
check "#page=2 holds 20 articles" test "$(articles)" -eq 20
view "q=ann%20LEE4242" search
check "#q= finds exactly one article" grep -qE '>1 of 10.?001 articles' "$DOM"
check "#q= shows the match" art_has '<span class="docid">syn-04242</span>'
view "source=officials%20in" source
check "#source= filters by source" grep -qE '>1 of 10.?001 articles' "$DOM"
check "#source= shows the 1 MB article" art_has '<span class="docid">huge</span>'
view "label=ORG&cat=epistemic&unc=1&page=501" combined
check "#label=ORG&cat=&unc= keeps the 10,000 short articles" grep -qE '>10.?000 of 10.?001 articles' "$DOM"
check "last page holds the last article" art_has '<span class="docid">syn-10000</span>'

# The claims view of 34,000 claims: one page of 50 rendered, filters from the fragment
# (#cs= source, #ck= kind, #cc= hedge category, #ch=1 hedged only, #cp= page).
view "" claims
claims_of "$DOM" >"$OUT_DIR/synthetic.claims.html"; CLAIMS="$OUT_DIR/synthetic.claims.html"
claims() { grep -o '<li class="claim' "$CLAIMS" | wc -l; }
check "claims pager counts every claim" grep -qE '>34.?000 of 34.?000 claims' "$DOM"
check "one page of 50 claims rendered" test "$(claims)" -eq 50
check "most-cited source first" cl_has 'data-claims-source="Officials in Paris"'
view "cs=ann%20lee4242" claims-source
claims_of "$DOM" >"$CLAIMS"
check "#cs= selects one source's claims" grep -qE '>1 of 34.?000 claims' "$DOM"
check "#cs= shows that source" cl_has 'data-claims-source="Ann Lee4242"'
view "ck=belief&cc=epistemic&ch=1&cp=100" claims-kind
claims_of "$DOM" >"$CLAIMS"
check "#ck=belief&cc=&ch= filters by kind, hedge category, hedged" grep -qE '>5.?000 of 34.?000 claims' "$DOM"
check "#cp=100 shows the last page of them" test "$(claims)" -eq 50
check "only beliefs on it" bash -c "! grep -q 'k-statement' '$CLAIMS' && grep -q 'k-belief' '$CLAIMS'"

if [[ $failures -gt 0 ]]; then
    log "$failures check(s) failed; outputs in $OUT_DIR"
    exit 1
fi
log "all checks passed; outputs and screenshots in $OUT_DIR"
