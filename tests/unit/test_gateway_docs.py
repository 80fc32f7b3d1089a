"""The gateway_* plugin docs render with ansible-doc, and their examples use fully qualified names."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ANSIBLE_DOC = str(Path(sys.executable).with_name("ansible-doc"))
# Their docs against their argument specs: tests/unit/test_action_docs.py (every action plugin).
MODULES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "plugins" / "action").glob("gateway_*.py"))
READ_ONLY = ("gateway_info", "gateway_doctor", "gateway_ready")  # they read the gateway themselves: no gateway_facts


@pytest.fixture(scope="module")
def docs():
    out = subprocess.run([ANSIBLE_DOC, "--json", *[f"wac.fleet.{m}" for m in MODULES]],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out)


def test_ansible_doc_renders_every_gateway_plugin(docs):
    for name in MODULES:
        doc = docs[f"wac.fleet.{name}"]
        assert doc["doc"]["short_description"] and doc["examples"] and doc["return"]
        assert "gateway_facts" in doc["doc"]["options"] or name in READ_ONLY


@pytest.mark.parametrize("name", MODULES)
def test_examples_use_fqcns_and_documented_options(name):
    module = importlib.import_module(f"ansible_collections.wac.fleet.plugins.modules.{name}")
    action = importlib.import_module(f"ansible_collections.wac.fleet.plugins.action.{name}").ActionModule
    documented = set(yaml.safe_load(module.DOCUMENTATION).get("options") or {}) | {"gateway_facts", "rest_credentials"}
    documented |= {"timeout", "delay"} if "WAIT" in module.DOCUMENTATION else set()
    assert set(action.argument_spec()) <= documented
    for task in yaml.safe_load(module.EXAMPLES):
        keys = [k for k in task if k not in ("name", "register", "when", "loop")]
        assert len(keys) == 1 and keys[0].startswith(("wac.fleet.", "ansible.builtin.")), task
        if keys[0] == f"wac.fleet.{name}":
            assert set(task[keys[0]] or {}) <= set(action.argument_spec())
