"""examples/ray_example.py gives exactly `caveat run`'s output and errors files."""

from conftest import expected_counts


def test_ray_output_is_byte_identical_to_the_cli(ray_output, cli_output):
    out, err = ray_output
    cli_out, cli_err = cli_output
    assert (out.count(b"\n"), err.count(b"\n")) == expected_counts()
    assert out == cli_out
    assert err == cli_err
