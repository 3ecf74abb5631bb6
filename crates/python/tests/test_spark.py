"""examples/spark_example.py gives exactly `caveat run`'s output and errors files."""

from conftest import expected_counts


def test_spark_output_is_byte_identical_to_the_cli(spark_output, cli_output):
    out, err = spark_output
    assert out == cli_output[0]
    assert err == cli_output[1]
    assert (out.count(b"\n"), err.count(b"\n")) == expected_counts()
