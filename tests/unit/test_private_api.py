"""No private Ansible API in the collection's plugins beyond the few names docs/development.md lists with their reason.

Every attribute with a single leading underscore that the plugins read or set is collected from their source; the
ones the collection defines itself (assigned or defined in its own code and not already an attribute of Ansible's
ActionBase or CallbackBase) are its own; what remains are Ansible's, and they must be exactly the documented ones.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ansible.plugins.action import ActionBase
from ansible.plugins.callback import CallbackBase

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted((ROOT / "plugins").rglob("*.py"))
DOCUMENTED = {"_task", "_connection", "_templar", "_supports_check_mode", "_supports_async", "_requires_connection",
              "_display", "_host", "_result"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_ansible_attribute(name: str) -> bool:
    return hasattr(ActionBase, name) or hasattr(CallbackBase, name)


def ansible_private_names() -> dict[str, set[str]]:
    """Ansible's underscore attributes the plugins use, with the files that use them."""
    used: dict[str, set[str]] = {}
    own: set[str] = set()
    for path in PLUGINS:
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and is_private(node.attr):
                used.setdefault(node.attr, set()).add(where)
                if isinstance(node.ctx, ast.Store) and not is_ansible_attribute(node.attr):
                    own.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for statement in node.body:  # methods, class attributes: own unless Ansible's base classes have them
                    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names = [statement.name]
                    elif isinstance(statement, ast.Assign):
                        names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
                    elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                        names = [statement.target.id]
                    else:
                        names = []
                    for name in filter(is_private, names):
                        if is_ansible_attribute(name):
                            used.setdefault(name, set()).add(where)
                        else:
                            own.add(name)
    return {name: files for name, files in used.items() if name not in own}


def test_only_the_documented_underscore_names_of_ansible_are_used():
    assert set(ansible_private_names()) == DOCUMENTED


def test_each_one_is_listed_in_the_development_notes_with_its_reason():
    notes = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    section = notes[notes.index("## Underscore names of Ansible"):]
    section = section[:section.index("\n## ", 1)] if "\n## " in section[1:] else section
    listed = set(re.findall(r"`(?:[a-z]+\.)?(_[a-z_]+)`", section))
    assert DOCUMENTED <= listed


def test_no_import_of_a_private_ansible_module():
    private_imports = []
    for path in PLUGINS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ansible."):
                names = [node.module, *(alias.name for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.startswith("ansible.")]
            else:
                continue
            if any(is_private(part) for name in names for part in name.split(".")):
                private_imports.append((path.name, names))
    assert private_imports == []
