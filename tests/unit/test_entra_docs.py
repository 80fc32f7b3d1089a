"""The entra_* plugins' docs: rendered by ansible-doc, EXAMPLES valid YAML with FQCNs, and the documented options
equal to the argument specs the action plugins validate with (names, types, defaults, choices, no_log)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.wac.fleet.plugins.doc_fragments.entra_auth import ModuleDocFragment
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import AUTH_ARGUMENT_SPEC

ROOT = Path(__file__).resolve().parents[2]
# Their docs against their argument specs: tests/unit/test_action_docs.py (every action plugin).
MODULES = tuple(sorted(p.stem for p in (ROOT / "plugins" / "action").glob("entra_*.py")))
SECRETS = {"client_secret", "certificate_password"}


def _docs(name):
    return importlib.import_module(f"ansible_collections.wac.fleet.plugins.modules.{name}")


def _spec_view(spec: dict) -> dict:
    return {k: (v.get("type", "str"), v.get("default"), sorted(v.get("choices") or []), v.get("elements"),
                bool(v.get("required"))) for k, v in spec.items()}


def _doc_view(options: dict) -> dict:
    return {k: (v.get("type", "str"), v.get("default") if v.get("default") != [] else None,
                sorted(v.get("choices") or []), v.get("elements"), bool(v.get("required"))) for k, v in options.items()}


def test_ansible_doc_renders_every_entra_plugin():
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"), "ANSIBLE_NOCOLOR": "1"}
    cli = str(Path(sys.executable).with_name("ansible-doc"))
    result = subprocess.run([cli, "--json", *(f"wac.fleet.{m}" for m in MODULES)], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr and "WARNING" not in result.stderr, result.stderr
    rendered = yaml.safe_load(result.stdout)
    for module in MODULES:
        doc = rendered[f"wac.fleet.{module}"]["doc"]
        assert doc["options"]["client_secret"]["type"] == "str"
        assert "retry_max_seconds" in doc["options"] and doc["has_action"]


def test_auth_fragment_matches_the_argument_spec():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert _doc_view(options) == _spec_view(AUTH_ARGUMENT_SPEC)
    assert {k for k, v in AUTH_ARGUMENT_SPEC.items() if v.get("no_log")} == SECRETS


@pytest.mark.parametrize("module", MODULES)
def test_module_docs_extend_the_auth_fragment_and_examples_use_fqcns(module):
    action = importlib.import_module(f"ansible_collections.wac.fleet.plugins.action.{module}").ActionModule
    docs = _docs(module)
    documented = yaml.safe_load(docs.DOCUMENTATION)
    assert documented["module"] == module
    assert "wac.fleet.entra_auth" in documented["extends_documentation_fragment"]
    assert action.TRANSFERS_FILES is False and action._requires_connection is False
    examples = yaml.safe_load(docs.EXAMPLES)
    assert isinstance(examples, list) and examples
    keywords = {"name", "register", "run_once", "module_defaults", "block", "when", "loop", "vars"}

    def modules_of(task):
        for sub in task.get("block", []):
            yield from modules_of(sub)
        yield from (k for k in task if k not in keywords)

    used = {m for task in examples for m in modules_of(task)}
    assert used and all(m.startswith(("wac.fleet.", "ansible.builtin.")) for m in used), used
    assert f"wac.fleet.{module}" in used
    yaml.safe_load(docs.RETURN)


def test_docs_files_hold_only_docs():
    """Like ansible.windows' win_reboot: the module file is docs only (the action plugin is the code), which is
    what ansible-test's validate-modules accepts without an AnsibleModule call."""
    import ast

    for module in MODULES:
        tree = ast.parse((ROOT / "plugins" / "modules" / f"{module}.py").read_text())
        assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
        assert assigned == {"DOCUMENTATION", "EXAMPLES", "RETURN"}
        assert all(isinstance(n, ast.Assign) or (isinstance(n, ast.ImportFrom) and n.module == "__future__")
                   for n in tree.body), module


def test_action_group_lists_the_entra_plugins():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert set(runtime["action_groups"]["entra"]) == set(MODULES)
