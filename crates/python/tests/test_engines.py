"""One corpus, five ways: `caveat run`, 2 shards + `caveat merge`, Ray, Spark and the Python
API all give the same records (byte-identical files)."""

import caveat
from conftest import PIPELINE, REPO, cli, expected_counts


def test_cli_shards_merge_ray_spark_and_python_agree(
    corpus, cli_output, ray_output, spark_output, pipeline, tmp_path
):
    parts, errs = [], []
    for k in range(2):
        out, err = tmp_path / f"part-{k}.jsonl", tmp_path / f"err-{k}.jsonl"
        cli("run", "-q", "-p", PIPELINE, "--shard", f"{k}/2", *corpus, "-o", out, "-e", err)
        parts.append(out)
        errs.append(err)
    # Both shards got work: the test would prove little otherwise.
    assert all(p.stat().st_size > 0 for p in parts)
    cli("merge", *parts, "-o", tmp_path / "merged.jsonl", check_codes=(0,))
    cli("merge", *errs, "-o", tmp_path / "merged.err.jsonl", check_codes=(0,))
    sharded = ((tmp_path / "merged.jsonl").read_bytes(),
               (tmp_path / "merged.err.jsonl").read_bytes())

    # The Python API on the same files (records split as the CLI reads them).
    out, err = [], []
    for source in corpus:
        recs = caveat.read_jsonl(REPO / source)
        results = pipeline.process_lines([r for _, r in recs], [n for n, _ in recs], source)
        for ok, js in results:
            (out if ok else err).append(js + "\n")
    python = ("".join(out).encode(), "".join(err).encode())

    assert (cli_output[0].count(b"\n"), cli_output[1].count(b"\n")) == expected_counts()
    for name, got in [("shards+merge", sharded), ("ray", ray_output), ("spark", spark_output),
                      ("python", python)]:
        assert got == cli_output, f"{name} differs from caveat run"
