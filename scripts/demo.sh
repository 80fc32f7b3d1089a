#!/usr/bin/env bash
# The main job of the README on the embedded default: sets everything up (scripts/bootstrap.sh), starts the
# emulated Entra tenant and an emulated fleet of 25 Windows Admin Center gateways, and runs register_wac.yml
# against them: first run, no-op re-run, drift correction, one unregister, and the fleet report.
# Exits non-zero if any expectation fails. Output (inventory, logs, report) goes to ./demo-output.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$WAC_ROOT"
# the demo drives the emulators of tests/emulators (as modules), so the checkout is on the import path
PYTHONPATH="$WAC_ROOT:$PYTHONPATH" exec python scripts/demo.py "$@"
