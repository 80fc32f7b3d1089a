#!/usr/bin/env bash
# Set up everything the demo and the tests need, from a fresh clone: a virtualenv (.venv) with the
# collection's and the tests' Python requirements from PyPI, and a collections path (.build/collections)
# in which this checkout is the collection wac.fleet. Safe to run again: it reinstalls only when a
# requirements file changed. Source it (". scripts/bootstrap.sh") to get the environment variables.
#
# The main .venv gets the newest ansible-core that requirements.txt allows on this Python (2.19 on Python 3.11).
# scripts/matrix.sh uses the same code for its other venvs: WAC_VENV (another folder) and WAC_ANSIBLE_CORE (a
# requirement such as "ansible-core==2.16.*", installed together with the requirements files) choose them.
set -euo pipefail
WAC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WAC_ROOT
PYTHON="${PYTHON:-python3}"
# The system packages the tests need (MIT Kerberos KDC and libraries, the OpenSSH client, sshpass): installed with
# the system's package manager when missing (root or password-less sudo), a quick check otherwise. Without them the
# Kerberos and ssh tests skip, except in CI, where the run stops here.
if ! bash "$WAC_ROOT/scripts/system-packages.sh"; then
  if [ -n "${CI:-}" ]; then
    echo "bootstrap: the system packages of scripts/system-packages.sh are missing" >&2
    return 1
  fi
  echo "bootstrap: warning: system packages missing; the Kerberos and ssh tests will skip" >&2
fi
venv="${WAC_VENV:-$WAC_ROOT/.venv}"
core_requirement="${WAC_ANSIBLE_CORE:-}"
stamp="$venv/.requirements.sha256"
want="$({ cat "$WAC_ROOT/requirements.txt" "$WAC_ROOT/tests/requirements.txt"; echo "$core_requirement"
          "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: creating $venv and installing requirements${core_requirement:+ with $core_requirement}" >&2
  "$PYTHON" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  (cd "$WAC_ROOT/tests" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt \
    ${core_requirement:+"$core_requirement"}) >&2
  echo "$want" > "$stamp"
fi
coll="$WAC_ROOT/.build/collections/ansible_collections/wac"
mkdir -p "$coll"
[ -L "$coll/fleet" ] || ln -sfn "$WAC_ROOT" "$coll/fleet"
export PATH="$venv/bin:$PATH"
export VIRTUAL_ENV="$venv"
export ANSIBLE_COLLECTIONS_PATH="$WAC_ROOT/.build/collections"
export PYTHONPATH="$WAC_ROOT/.build/collections${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

# The lint and sanity tools (tests/lint-requirements.txt), installed into .venv on first use by scripts/lint.sh
# and scripts/sanity.sh, and again only when that file changes.
wac_lint_tools() {
  local stamp="$VIRTUAL_ENV/.lint-requirements.sha256" want
  want="$(cat "$WAC_ROOT/requirements.txt" "$WAC_ROOT/tests/lint-requirements.txt" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing tests/lint-requirements.txt into $VIRTUAL_ENV" >&2
    (cd "$WAC_ROOT/tests" && python -m pip install --quiet --disable-pip-version-check -r lint-requirements.txt) >&2
    echo "$want" > "$stamp"
  fi
}
