# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where code lives: helpers shared by action plugins are in plugins/plugin_utils, never in another action plugin."""

from __future__ import annotations

import ast
import pathlib

ACTION_DIR = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "action"


def _imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


def test_no_action_plugin_imports_another():
    plugins = sorted(ACTION_DIR.glob("*.py"))
    assert plugins
    offenders = {path.name: sorted(m for m in _imported_modules(path) if ".plugins.action" in m or
                                   m.startswith("plugins.action")) for path in plugins}
    assert {name: found for name, found in offenders.items() if found} == {}
