"""docs/gateway.md carries the table of WAC facts exactly as plugins/plugin_utils/_gateway_facts.py holds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_carry_the_fact_table():
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs_facts.py"), "--check"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_every_unconfirmed_fact_is_in_the_docs_with_its_status():
    from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_facts import FACTS, UNCONFIRMED

    doc = (ROOT / "docs" / "gateway.md").read_text(encoding="utf-8")
    for fact in FACTS.values():
        line = next(row for row in doc.splitlines() if row.startswith(f"| `{fact.id}` |"))
        status = line.split(" | ")[4]  # id, value, generations, source, status, what
        assert status == fact.status and (status == UNCONFIRMED) == (fact.status == UNCONFIRMED)
