#!/usr/bin/env bash
# The test command of the README: sets everything up (scripts/bootstrap.sh), lints, then runs every
# test (unit, emulator and integration tests; the emulators are started by the tests themselves).
# Extra arguments go to pytest, e.g. scripts/test.sh -k entra_app -x
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$WAC_ROOT"
echo "== ruff" >&2
ruff check .
echo "== pytest" >&2
exec python -m pytest "$@"
