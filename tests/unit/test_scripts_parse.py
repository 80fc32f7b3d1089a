"""Every shipped gateway script parses as PowerShell (tree-sitter-powershell) and follows the script contract.

Nothing here can run PowerShell, so a syntax error would only show on a real Windows host: this test rejects
any ERROR or MISSING node in the parse tree of each ``plugins/plugin_utils/scripts/*.ps1``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import (
    INLINE_INPUT,
    load_script,
    powershell_literal,
    shipped_operations,
)

SCRIPTS = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "scripts"
SHIPPED = sorted(SCRIPTS.glob("*.ps1"))  # every file, the shared _prelude.ps1 included
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def syntax_errors(source: bytes) -> list[str]:
    tree = PARSER.parse(source)
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            kind = "missing " + node.type if node.is_missing else "error"
            found.append(f"line {node.start_point[0] + 1}, column {node.start_point[1] + 1}: {kind} "
                         f"near {node.text[:40]!r}")
        stack.extend(node.children)
    if tree.root_node.has_error and not found:
        found.append("the parse tree has an error")
    return found


def test_scripts_are_shipped():
    assert {p.stem for p in SHIPPED} >= {"gateway_info", "gateway_proxy_write", "gateway_service_control",
                                         "gateway_health", "gateway_rest"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_script_parses_without_error(path):
    assert syntax_errors(path.read_bytes()) == []


@pytest.mark.parametrize("operation", shipped_operations())
def test_script_as_sent_parses_and_follows_the_contract(operation):
    inline = json.dumps({"path": "HKLM:\\SOFTWARE\\O'Brien", "names": ["a b", "\u2019x"]}, separators=(",", ":"))
    # marker line, the inline input where the operation takes it so, shared prelude, then the operation's own body
    text = load_script(operation, inline_input=inline if operation in INLINE_INPUT else None)
    assert syntax_errors(text.encode()) == []
    assert text.splitlines()[0] == f"# wac.fleet operation: {operation}"
    # each script reads its input from the one channel run_script uses for it
    if operation in INLINE_INPUT:
        assert text.splitlines()[1] == f"$inputJson = {powershell_literal(inline)}"
        # ... or, when the caller sent it on stdin (it holds credentials), from there
        assert "if (Test-Path -Path variable:inputJson) { $in = $inputJson | ConvertFrom-Json }" in text
        assert "else { $in = $input | Out-String | ConvertFrom-Json }" in text
        assert syntax_errors(load_script(operation).encode()) == []
    else:
        assert "$in = $input | Out-String | ConvertFrom-Json" in text and "$inputJson" not in text
    assert "failed = $true" in text and "exit $Code" in text
    # command_line() strips every line and drops blank ones (as Ansible's encoder did): here-strings would not survive.
    assert not re.search(r"@['\"]\s*$", text, re.MULTILINE)
    assert "Invoke-Expression" not in text and "iex " not in text


def test_inline_input_is_one_string_literal_with_the_json_text():
    inline = json.dumps({"name": "it's", "quote": "\u2018"}, separators=(",", ":"))
    tree = PARSER.parse(f"$inputJson = {powershell_literal(inline)}".encode())
    literal = [node for node in _walk(tree.root_node) if node.type == "verbatim_string_characters"]
    assert len(literal) == 1 and literal[0].text.decode().replace("''", "'")[1:-1] == inline
    with pytest.raises(ValueError):
        powershell_literal("\u2019 ends a PowerShell string")


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


@pytest.mark.parametrize("broken", [
    "if ($true) { 'x' ",                      # missing closing brace
    "$a = @{ a = 1 ",                         # unterminated hash table
    "foreach ($x in ) { }",                   # missing expression
    "function f { param([string]$a }",        # missing parenthesis
])
def test_the_check_catches_syntax_errors(broken):
    assert syntax_errors(broken.encode()) != []
