"""Shared pytest configuration.

The checkout is the collection wac.fleet through .build/collections (made by scripts/bootstrap.sh), so tests
import it as `ansible_collections.wac.fleet...` and ansible-playbook finds it through ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".build" / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))

pytest_plugins = [
    "tests.emulators.tenant.fixture",
    "tests.emulators.fleet.fixture",
    "tests.integration.fleet_world",
]
