"""The Python API gives exactly the CLI's records."""

import json
import threading

import pytest

import caveat
from conftest import PIPELINE, REPO, TRICKY, cli


def cli_records(tmp_path, lines):
    """Output and error records of `caveat run` on these JSONL lines, in input order."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(l + b"\n" for l in lines))
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    cli("run", "-q", "-p", PIPELINE, src, "-o", out, "-e", err)
    return out.read_text().splitlines(), err.read_text().splitlines(), str(src)


def test_split_jsonl_follows_the_cli_reader():
    recs = caveat.split_jsonl(TRICKY)
    lines = [n for n, _ in recs]
    # Lines 2 and 3 are blank; the BOM and the CR are gone; the last line has no newline.
    assert lines == [1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert recs[0][1].startswith(b'{"id": "bom-1"') and recs[0][1].endswith(b"}")
    assert recs[-1][1].endswith(b"fail.\"}")
    # Over-long lines come back as their length (the CR counts, as in the CLI).
    too_long = caveat.split_jsonl(b'{"text": "a"}\r\n{"text":"b"}\n', max_line_bytes=13)
    assert too_long == [(1, 14), (2, b'{"text":"b"}')]


def test_process_lines_equals_the_cli_output_and_errors(pipeline, tmp_path):
    src = tmp_path / "tricky.jsonl"
    src.write_bytes(TRICKY)
    out, err = tmp_path / "o.jsonl", tmp_path / "e.jsonl"
    cli("run", "-q", "-p", PIPELINE, src, "-o", out, "-e", err, "--max-line-bytes", "90")
    recs = caveat.split_jsonl(TRICKY, max_line_bytes=90)
    assert any(isinstance(r, int) for _, r in recs)  # the limit makes line_too_long records
    res = pipeline.process_lines([r for _, r in recs], [n for n, _ in recs], str(src),
                                 max_line_bytes=90)
    assert len(res) == len(recs)
    assert [js for ok, js in res if ok] == out.read_text().splitlines()
    assert [js for ok, js in res if not ok] == err.read_text().splitlines()
    assert any('"kind":"line_too_long"' in js for ok, js in res if not ok)


def test_process_texts_are_records_with_only_a_text(pipeline, tmp_path):
    texts = ["North Korea may deploy troops, according to the NIS.", "",
             "\u201cKim\u201d reportedly left \U0001F680.", "Critics say it could fail."]
    want, errs, _ = cli_records(tmp_path, [json.dumps({"text": t}).encode() for t in texts])
    got = pipeline.process(texts)
    assert errs == []
    assert got == [json.loads(l) for l in want]
    assert [r["id"] for r in got] == [1, 2, 3, 4]
    for r in got:
        for e in r["entities"] + r["hedges"]:
            assert r["text"][e["start"]:e["end"]] == e["text"]  # code-point offsets


def test_process_batch_keeps_ids_meta_and_every_error(pipeline, tmp_path):
    records = [
        {"id": "a", "text": "Officials said the talks may resume.", "title": "T", "n": [1, None]},
        {"text": "No id: the position stands in."},
        {"id": "bad", "text": 5},
        {"id": 9, "title": "no text"},
        {"id": "ok2", "text": "Some experts believe it."},
    ]
    want, want_err, src = cli_records(tmp_path, [json.dumps(r).encode() for r in records])
    got = pipeline.process_batch(records, source=src)
    assert len(got) == len(records)  # never drops a record
    assert [g for g in got if "error" not in g] == [json.loads(l) for l in want]
    assert [g["error"] for g in got if "error" in g] == [json.loads(l) for l in want_err]
    assert got[1]["id"] == 2 and got[0]["meta"] == {"title": "T", "n": [1, None]}
    assert got[2]["error"]["kind"] == "text_not_string"
    # A value json.dumps cannot write becomes an error record too.
    odd = pipeline.process_batch([{"id": "o", "text": "x", "meta": object()}])
    assert odd[0]["error"]["kind"] == "invalid_json" and odd[0]["error"]["id"] == "o"


def test_arrow_and_pandas_entry_points(pipeline):
    pa = pytest.importorskip("pyarrow")
    lines = (REPO / "tests/data/sample-news.jsonl").read_bytes().splitlines()
    records = [json.loads(l) for l in lines] + [{"id": "x", "text": None, "title": "t",
                                                 "source": "s"}]
    expected = [js for ok, js in pipeline.process_lines(lines)]
    table = pa.Table.from_pylist(records)
    t = pipeline.process_arrow(table)
    assert t.column_names == list(caveat.ARROW_COLUMNS)
    assert t.num_rows == len(records)
    assert t.column("record").to_pylist()[:-1] == expected
    assert t.column("error").to_pylist()[:-1] == [None] * len(lines)
    assert json.loads(t.column("error")[-1].as_py())["kind"] == "text_not_string"
    first = json.loads(expected[0])
    assert json.loads(t.column("entities")[0].as_py()) == first["entities"]
    assert t.column("id").to_pylist()[:-1] == [json.loads(e)["id"] for e in expected]
    # A RecordBatch works too.
    assert pipeline.process_arrow(table.to_batches()[0]).num_rows == table.to_batches()[0].num_rows

    pd = pytest.importorskip("pandas")
    df = pipeline.process_pandas(pd.DataFrame(records))
    assert list(df.columns) == list(caveat.ARROW_COLUMNS)
    assert df["record"].tolist()[:-1] == expected
    # A missing value is null in meta, not an unparsable NaN.
    holes = pipeline.process_pandas(pd.DataFrame([{"id": "h1", "text": "It may rain.", "x": 1.5},
                                                  {"id": "h2", "text": "It may not."}]))
    assert holes["error"].tolist() == [None, None]
    assert json.loads(holes["meta"][1]) == {"x": None}


def test_threads_do_not_change_the_output(pipeline):
    lines = (REPO / "tests/data/sample-news.jsonl").read_bytes().splitlines() * 20
    one = caveat.Pipeline.from_toml(REPO / PIPELINE, threads=1).process_lines(lines)
    two = caveat.Pipeline.from_toml(REPO / PIPELINE, threads=2).process_lines(lines)
    assert one == two == pipeline.process_lines(lines)


def test_the_gil_is_released_while_rust_works(pipeline):
    # A Python thread keeps counting while a large batch is processed.
    lines = (REPO / "tests/data/sample-news.jsonl").read_bytes().splitlines() * 200
    ticks, done = [0], threading.Event()

    def count():
        while not done.is_set():
            ticks[0] += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        before = ticks[0]
        pipeline.process_lines(lines)
        during = ticks[0] - before
    finally:
        done.set()
        t.join()
    assert during > 1000


def test_bad_pipeline_files_raise_value_error(tmp_path):
    with pytest.raises(ValueError):
        caveat.Pipeline.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[stages]]\ntype = "hedgee"\n')
    with pytest.raises(ValueError, match="hedge"):
        caveat.Pipeline.from_toml(bad)


def test_pipeline_metadata(pipeline):
    assert pipeline.name == "news"
    assert pipeline.stages == ["tokenize", "ner", "hedge", "attribution", "coref"]
    assert "news" in repr(pipeline)
