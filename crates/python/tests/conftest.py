"""Shared fixtures: the repository, the `caveat` binary, a corpus, and the CLI's output.

Every test compares the Python entry points with `caveat run` on the same input, so the
wheel and the binary must be built from the same sources (run-tests.sh does both).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXAMPLES = HERE.parent / "examples"
PIPELINE = "pipelines/news.toml"

# Records chosen to hit every edge of the record contract: BOM + CRLF, blank and
# whitespace-only lines, a missing id (the line number stands in), numeric and object ids,
# nested meta, non-ASCII text (code-point offsets), an empty text, and one record of each
# error kind that the reader and parser produce. The last line has no newline.
TRICKY = (
    "\ufeff".encode() + b'{"id": "bom-1", "text": "Officials said the talks may resume."}\r\n'
    b"\n"
    b"   \t \n"
    b'{"text": "No id here; according to Reuters, the deal is likely.", "src": "x"}\n'
    b'{"id": 7, "text": "Some experts believe it. It is unverified.", "n": [1, 2.5, {"a": null}]}\n'
    b'{"id": "bad-json", "text": \n'
    b"[1, 2]\n"
    b'{"id": "nt", "text": 5}\n'
    b'{"id": "mt"}\n'
    + '{"id": "uni", "text": "\u201cKim\u201d said \u5317\u671d\u9bae may \u2014 reportedly \u2014 deploy \U0001F680 troops, citing the NIS."}\n'.encode()
    + b'{"id": "empty", "text": ""}\n'
    b'{"id": "latin", "text": "caf\xe9"}\n'
    b'{"id": {"x": 1}, "text": "Object id. Critics say the plan could fail."}'
)


#: Good records of TRICKY (the other 5 are error records, one per kind).
TRICKY_GOOD, TRICKY_ERRORS = 6, 5


def expected_counts() -> tuple:
    """(output records, error records) that one run over the `corpus` fixture writes."""
    sample = (REPO / "tests/data/sample-news.jsonl").read_bytes()
    good = sum(1 for l in sample.splitlines() if l.strip())
    return good + TRICKY_GOOD, TRICKY_ERRORS


def caveat_bin() -> Path:
    b = Path(os.environ.get("CAVEAT_BIN", REPO / "target" / "release" / "caveat"))
    if not b.exists():
        pytest.fail(f"{b} not found: build it with `cargo build --release -p caveat-cli`")
    return b


def cli(*args, check_codes=(0, 3)) -> subprocess.CompletedProcess:
    """Run the caveat binary from the repository root."""
    r = subprocess.run([str(caveat_bin()), *map(str, args)], cwd=REPO,
                       capture_output=True, text=True)
    if r.returncode not in check_codes:
        raise AssertionError(f"caveat {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def run_example(name: str, *args) -> subprocess.CompletedProcess:
    """Run examples/NAME.py from the repository root with this Python."""
    r = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], cwd=REPO,
                       capture_output=True, text=True, timeout=900)
    if r.returncode not in (0, 3):
        raise AssertionError(f"{name} -> {r.returncode}\n{r.stderr[-5000:]}")
    return r


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> list:
    """Input files (paths relative to the repository root where possible): the repository's
    sample corpus and a generated file of edge cases."""
    d = tmp_path_factory.mktemp("corpus")
    tricky = d / "tricky.jsonl"
    tricky.write_bytes(TRICKY)
    return ["tests/data/sample-news.jsonl", str(tricky)]


@pytest.fixture(scope="session")
def cli_output(corpus, tmp_path_factory):
    """(output lines, error lines) of one `caveat run` over the corpus."""
    d = tmp_path_factory.mktemp("cli")
    out, err = d / "out.jsonl", d / "err.jsonl"
    cli("run", "-q", "-p", PIPELINE, *corpus, "-o", out, "-e", err)
    return out.read_bytes(), err.read_bytes()


@pytest.fixture(scope="session")
def ray_output(corpus, tmp_path_factory):
    """(output, errors) bytes of examples/ray_example.py (2 actors) over the corpus."""
    d = tmp_path_factory.mktemp("ray")
    out, err = d / "out.jsonl", d / "err.jsonl"
    run_example("ray_example.py", "-p", PIPELINE, *corpus, "-o", out, "-e", err,
                "--concurrency", "2", "--num-cpus", "2")
    return out.read_bytes(), err.read_bytes()


@pytest.fixture(scope="session")
def spark_output(corpus, tmp_path_factory):
    """(output, errors) bytes of examples/spark_example.py (local[2]) over the corpus."""
    d = tmp_path_factory.mktemp("spark")
    out, err = d / "out.jsonl", d / "err.jsonl"
    run_example("spark_example.py", "-p", PIPELINE, *corpus, "-o", out, "-e", err,
                "--workers", "2")
    return out.read_bytes(), err.read_bytes()


@pytest.fixture(scope="session")
def pipeline():
    import caveat

    return caveat.Pipeline.from_toml(REPO / PIPELINE)
