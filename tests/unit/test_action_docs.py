"""Every action plugin, found in plugins/action (no list to keep up to date), is documented in plugins/modules, and
what ansible-doc shows of it (doc fragments included) is its argument spec: the same options with the same types,
defaults, choices, element types, required flags and suboptions."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = sorted(p.stem for p in (ROOT / "plugins" / "action").glob("*.py") if p.stem != "__init__")
ANSIBLE_DOC = str(Path(sys.executable).with_name("ansible-doc"))


@pytest.fixture(scope="module")
def docs():
    out = subprocess.run([ANSIBLE_DOC, "--json", *(f"wac.fleet.{name}" for name in ACTIONS)], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return json.loads(out)


def spec_view(spec: dict) -> dict:
    return {name: {"type": rule.get("type", "str"), "default": rule.get("default"),
                   "choices": sorted(rule.get("choices") or []), "elements": rule.get("elements"),
                   "required": bool(rule.get("required")), "options": spec_view(rule.get("options") or {})}
            for name, rule in spec.items()}


def doc_view(options: dict, spec: dict) -> dict:
    """The documented options as spec_view shows a spec. The suboptions of an item the spec declares no options for
    (entra's lists of dicts: the plugin's own ``check`` validates each item, naming it as ``gateways[3].name``) are
    documented for the reader and compared where the spec has them (gateway_ready's proxy)."""
    def view(name, doc):
        rule = spec.get(name) or {}
        suboptions = doc.get("suboptions") or {} if "options" in rule else {}
        return {"type": doc.get("type", "str"), "default": doc.get("default"),
                "choices": sorted(doc.get("choices") or []), "elements": doc.get("elements"),
                "required": bool(doc.get("required")), "options": doc_view(suboptions, rule.get("options") or {})}

    return {name: view(name, doc) for name, doc in options.items()}


def test_every_action_plugin_is_found():
    assert {"entra_app", "gateway_ready", "gateway_doctor"} <= set(ACTIONS)


@pytest.mark.parametrize("name", ACTIONS)
def test_docs_are_the_argument_spec(docs, name):
    assert (ROOT / "plugins" / "modules" / f"{name}.py").exists(), f"action plugin {name} has no documentation"
    action = importlib.import_module(f"ansible_collections.wac.fleet.plugins.action.{name}").ActionModule
    spec = action.argument_spec()
    assert doc_view(docs[f"wac.fleet.{name}"]["doc"].get("options") or {}, spec) == spec_view(spec)
