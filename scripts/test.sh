#!/usr/bin/env bash
# The test command of the README: sets everything up (scripts/bootstrap.sh), lints (scripts/lint.sh: ruff,
# ansible-lint, yamllint, changelog, plugin docs, docs site), runs ansible-test sanity (scripts/sanity.sh),
# then every test (unit, emulator and integration tests; the emulators are started by the tests themselves).
# Extra arguments go to pytest, e.g. scripts/test.sh -k entra_app -x
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$WAC_ROOT"
echo "== lint" >&2
bash scripts/lint.sh
echo "== sanity" >&2
bash scripts/sanity.sh
echo "== pytest" >&2
exec python -m pytest "$@"
