"""The collection as users get it: built, installed from the tarball, documented, and packaged for an EE.

Everything runs the real tools as subprocesses (ansible-galaxy, ansible-doc, ansible-playbook, ansible-builder)
against a copy installed from the built tarball into a temporary collections path; the checkout is hidden from
them (no PYTHONPATH, no sys.path scan), so a file left out of the tarball shows up as a failure here. Plugins
and roles are discovered from the checkout, so new ones are checked as soon as they land.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.playbook.block import Block
from ansible.playbook.task import Task

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FQCN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_.]+$")
# plugins/ folders that hold no documented plugin of their own.
UNDOCUMENTED_DIRS = {"action", "module_utils", "plugin_utils", "doc_fragments", "modules", "__pycache__"}
TASK_KEYWORDS = set(Task.fattributes) | set(Block.fattributes) | {"local_action"}


def _names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__") if folder.is_dir() else []


def _module_names() -> list[str]:
    """Every module name the collection has or announces: documented modules and action plugins."""
    return sorted(set(_names(ROOT / "plugins/modules")) | set(_names(ROOT / "plugins/action")))


def _other_plugins() -> list[tuple[str, str]]:
    return [
        (folder.name, name)
        for folder in sorted((ROOT / "plugins").iterdir())
        if folder.is_dir() and folder.name not in UNDOCUMENTED_DIRS
        for name in _names(folder)
    ]


def _roles() -> list[str]:
    return sorted(p.parent.parent.name for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def _playbooks() -> list[str]:
    return sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))


class Installed:
    """wac.fleet installed from its tarball into a collections path of its own."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.collections = base / "collections"
        self.root = self.collections / "ansible_collections" / "wac" / "fleet"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k != "PYTHONPATH"}
        self.env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.collections),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_HOME=str(base / "ansible-home"),
            ANSIBLE_LOCAL_TEMP=str(base / "ansible-tmp"),
        )
        self._docs: dict[tuple[str, tuple[str, ...]], tuple[dict, str]] = {}

    def run(self, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / argv[0]), *argv[1:]],
            env=self.env,
            cwd=cwd or self.base,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def docs(self, plugin_type: str, names: tuple[str, ...]) -> tuple[dict, str]:
        """ansible-doc of several plugins at once: (JSON by name, text rendering), run once per arguments."""
        if (plugin_type, names) not in self._docs:
            self._docs[plugin_type, names] = self._ansible_doc(plugin_type, names)
        return self._docs[plugin_type, names]

    def _ansible_doc(self, plugin_type: str, names: tuple[str, ...]) -> tuple[dict, str]:
        fqcns = [f"wac.fleet.{n}" for n in names]
        as_json = self.run("ansible-doc", "-t", plugin_type, "--json", *fqcns)
        assert as_json.returncode == 0, as_json.stderr
        as_text = self.run("ansible-doc", "-t", plugin_type, *fqcns)
        assert as_text.returncode == 0, as_text.stderr
        return json.loads(as_json.stdout), as_text.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    into = Installed(base)
    built = into.run("ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(base))
    assert built.returncode == 0, built.stderr
    (tarball,) = base.glob("wac-fleet-*.tar.gz")
    done = into.run("ansible-galaxy", "collection", "install", "--offline", "-p", str(into.collections), str(tarball))
    assert done.returncode == 0, done.stderr
    assert (into.root / "MANIFEST.json").is_file(), done.stdout
    return into


def _documented_modules(installed: Installed) -> tuple[str, ...]:
    return tuple(_names(installed.root / "plugins/modules"))


@pytest.mark.parametrize("name", _module_names())
def test_module_renders_with_ansible_doc_from_the_tarball(installed, name):
    assert (ROOT / "plugins/modules" / f"{name}.py").exists(), f"action plugin {name} is shipped without docs"
    assert (installed.root / "plugins/modules" / f"{name}.py").exists(), "documentation left out of the tarball"
    docs, text = installed.docs("module", _documented_modules(installed))
    doc = docs[f"wac.fleet.{name}"]["doc"]
    assert doc["module"] == name and doc["short_description"] and doc["description"]
    assert f"> MODULE wac.fleet.{name} ({installed.root / 'plugins/modules' / name}.py)" in text
    if (ROOT / "plugins/action" / f"{name}.py").exists():
        assert (installed.root / "plugins/action" / f"{name}.py").exists()


def _tasks(items: list, where: str):
    for task in items:
        assert isinstance(task, dict), f"{where}: a task must be a mapping, got {task!r}"
        nested = [task[k] for k in ("block", "rescue", "always") if k in task]
        if nested:
            for inner in nested:
                yield from _tasks(inner, where)
        else:
            yield task


@pytest.mark.parametrize("name", _module_names())
def test_module_examples_are_yaml_tasks_with_fqcns(installed, name):
    assert (ROOT / "plugins/modules" / f"{name}.py").exists(), f"action plugin {name} is shipped without docs"
    docs = installed.docs("module", _documented_modules(installed))[0]
    examples = docs[f"wac.fleet.{name}"]["examples"]
    assert examples and examples.strip(), "EXAMPLES is empty"
    tasks = yaml.safe_load(examples)
    assert isinstance(tasks, list) and tasks, "EXAMPLES must be a YAML list of tasks"
    for task in _tasks(tasks, name):
        actions = [k for k in task if k not in TASK_KEYWORDS and not k.startswith("with_")]
        assert len(actions) == 1, f"task {task.get('name')!r}: one action expected, found {actions}"
        assert FQCN.match(actions[0]), f"task {task.get('name')!r}: {actions[0]!r} is not a FQCN"
        assert task.get("name"), f"task using {actions[0]} has no name"


@pytest.mark.parametrize(("plugin_type", "name"), _other_plugins() or [pytest.param("-", "-", marks=pytest.mark.skip)])
def test_other_plugins_render_with_ansible_doc(installed, plugin_type, name):
    docs, text = installed.docs(plugin_type, (name,))
    doc = docs[f"wac.fleet.{name}"]["doc"]
    assert doc["short_description"] and doc["description"]
    assert f"> {plugin_type.upper()} wac.fleet.{name} ({installed.root / 'plugins' / plugin_type / name}.py)" in text


@pytest.mark.parametrize("role", _roles())
def test_role_renders_with_ansible_doc(installed, role):
    docs, text = installed.docs("role", tuple(_roles()))
    main = docs[f"wac.fleet.{role}"]["entry_points"]["main"]
    assert main["short_description"] and main["options"]
    assert f"> ROLE: *wac.fleet.{role}* ({installed.root})" in text


@pytest.mark.parametrize("playbook", _playbooks())
def test_playbook_resolves_from_the_tarball(installed, playbook):
    inventory = installed.base / "inventory.ini"
    inventory.write_text("[wac_gateways]\nwac-0001 ansible_host=127.0.1.1\n")
    listed = installed.run("ansible-playbook", f"wac.fleet.{playbook}", "-i", str(inventory), "--list-tasks")
    # Parsing resolves every role and every task's action: an unknown wac.fleet name fails here.
    assert listed.returncode == 0, listed.stderr + listed.stdout
    assert f"playbook: {installed.root / 'playbooks' / playbook}.yml" in listed.stdout
    assert "tasks:" in listed.stdout


def test_register_wac_from_the_tarball_against_the_emulators(installed, tenant, wac_fleet, tmp_path):
    """`ansible-playbook wac.fleet.register_wac`, run from the installed copy, registers every gateway."""
    fleet = wac_fleet(count=2)
    endpoints = tenant.endpoints
    admin = endpoints["identities"]["admin"]
    variables = {
        "entra_app_connection": {
            "cloud": "custom",
            "authority_host": endpoints["authority_host"],
            "graph_host": endpoints["graph_host"],
            "ca_bundle": endpoints["ca_bundle"],
            "tenant_id": endpoints["tenant_id"],
            "client_id": admin["client_id"],
            "client_secret": admin["client_secret"],
        },
    }
    extra_vars = tmp_path / "vars.json"
    extra_vars.write_text(json.dumps(variables))
    run = installed.run(
        "ansible-playbook", "wac.fleet.register_wac", "-i", str(fleet.inventory_path), "-e", f"@{extra_vars}",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    (app,) = [r.props for r in tenant.model.applications.values() if r.props.get("uniqueName") == "wac-fleet-gateways"]
    for name, pc in fleet.pcs.items():
        with pc.lock:
            registration = pc.model.registration()
        assert registration and registration["app_id"] == app["appId"], name
        assert registration["tenant_id"] == endpoints["tenant_id"], name


def _builder() -> Path:
    builder = BIN / "ansible-builder"
    if not builder.exists():
        pytest.skip("ansible-builder is not installed (tests/requirements.txt)")
    return builder


def test_execution_environment_definition_is_accepted_by_ansible_builder(installed, tmp_path):
    """`ansible-builder create` on meta/execution-environment.yml, its paths resolved from the collection root.

    Its dependency paths are relative to the collection root, because that is where ansible-builder's
    introspection resolves them when an EE installs wac.fleet; so the definition is placed there to create it.
    """
    _builder()
    root = tmp_path / "fleet"
    shutil.copytree(installed.root, root)
    shutil.copy(root / "meta/execution-environment.yml", root / "execution-environment.yml")
    context = tmp_path / "context"
    made = installed.run(
        "ansible-builder", "create", "-f", "execution-environment.yml", "-c", str(context),
        "--output-filename", "Containerfile", cwd=root,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr + made.stdout
    definition = yaml.safe_load((ROOT / "meta/execution-environment.yml").read_text())
    assert definition["version"] == 3
    containerfile = (context / "Containerfile").read_text()
    assert definition["images"]["base_image"]["name"] in containerfile
    assert definition["dependencies"]["ansible_core"]["package_pip"] in containerfile
    assert (context / "_build/requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    assert (context / "_build/bindep.txt").read_text() == (ROOT / "bindep.txt").read_text()


def test_ee_introspection_finds_the_collection_requirements(installed):
    """What ansible-builder does inside an EE build that lists wac.fleet: its introspect script, run here."""
    _builder()
    import ansible_builder

    introspect = Path(ansible_builder.__file__).parent / "_target_scripts" / "introspect.py"
    found = installed.run("python", str(introspect), "introspect", str(installed.collections))
    assert found.returncode == 0, found.stderr + found.stdout
    result = yaml.safe_load(found.stdout)
    python = [line.split("#")[0].strip() for line in result["python"]]
    wanted = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("ansible-core")
    ]
    assert python == wanted
    system = [line.split("#")[0].strip() for line in result["system"]]
    assert "krb5-devel [compile platform:rpm]" in system


def test_awx_docs_execution_environment_example_is_accepted(installed, tmp_path):
    """The example EE definition in docs/awx.md is one that `ansible-builder create` accepts."""
    _builder()
    text = (ROOT / "docs/awx.md").read_text()
    blocks = re.findall(r"```yaml\n(# execution-environment\.yml\n.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/awx.md must hold one ```yaml block starting with '# execution-environment.yml'"
    (tmp_path / "execution-environment.yml").write_text(blocks[0])
    made = installed.run(
        "ansible-builder", "create", "-f", "execution-environment.yml", "-c", str(tmp_path / "context"),
        "--output-filename", "Containerfile", cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr + made.stdout
    galaxy = yaml.safe_load((tmp_path / "context/_build/requirements.yml").read_text())
    assert any(c["name"] == "wac.fleet" for c in galaxy["collections"])
