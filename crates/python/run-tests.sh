#!/usr/bin/env bash
# Build and test the Python bindings, the Ray and Spark examples, against the CLI.
#
#   crates/python/run-tests.sh [PYTEST ARGS...]
#
# 1. a virtualenv (cached in $CAVEAT_PY_VENV, default ~/.cache/caveat/python-venv, outside
#    the work tree so that fresh clones reuse it) with pinned packages from PyPI (maturin,
#    pytest, pyarrow, pandas, ray[data], pyspark);
# 2. the wheel (`maturin build --release`, into target/python/wheels), installed into it;
# 3. the CLI (`cargo build --release -p caveat-cli` at the repository root), so that the
#    module and the binary come from the same sources;
# 4. pytest on crates/python/tests (Spark needs Java 17+ on PATH).
# Fails (exit != 0) if any test fails or if no test ran.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${CAVEAT_PY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/caveat/python-venv}"
# The standalone crate builds into the repository's (git-ignored) target directory.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}/python"
export PYTHONDONTWRITEBYTECODE=1
PYTHON="${PYTHON:-python3}"

# Versions known to work with Python 3.11 (and 3.9-3.12) together; pyspark 4.x asks for
# pandas < 3.
REQUIREMENTS=(
  "maturin==1.16.0"
  "pytest==9.2.0"
  "pyarrow==26.0.1"
  "pandas==2.3.3"
  "ray[data]==2.60.0"
  "pyspark==4.3.0"
)
STAMP="$VENV/.caveat-requirements"
WANT="$(printf '%s\n' "${REQUIREMENTS[@]}")"

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "== creating $VENV" >&2
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
fi
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  echo "== installing ${REQUIREMENTS[*]}" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
  printf '%s' "$WANT" > "$STAMP"
fi

echo "== building the caveat wheel (maturin build --release)" >&2
WHEELS="$CARGO_TARGET_DIR/wheels"
rm -f "$WHEELS"/caveat-*.whl
(cd "$HERE" && "$VENV/bin/maturin" build --release --quiet --interpreter "$VENV/bin/python" \
  --out "$WHEELS")
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
  --no-deps "$WHEELS"/caveat-*.whl

echo "== building the caveat CLI" >&2
(cd "$REPO" && cargo build --release --quiet -p caveat-cli)

command -v java >/dev/null || echo "warning: no java on PATH; the Spark tests will fail" >&2

echo "== pytest" >&2
cd "$HERE"
export CAVEAT_BIN="${CAVEAT_BIN:-$REPO/target/release/caveat}"
export RAY_AUTH_MODE=disabled RAY_USAGE_STATS_ENABLED=0 PYTHONWARNINGS="ignore::FutureWarning"
# -p no:cacheprovider: leave nothing behind in the work tree.
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider -q "$@" tests
code=$?
set -e
if [[ $code -eq 5 ]]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit $code
