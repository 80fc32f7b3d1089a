"""The built collection: what `ansible-galaxy collection build` ships, and what it leaves out."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml
from ansible.release import __version__ as ansible_version
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = ("tests/", ".ci/", "scripts/", "benchmarks/", ".venv/", ".build/")


def build(tmp_path: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "ansible.cli.galaxy", "collection", "build", str(ROOT), "--output-path", str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    (tarball,) = tmp_path.glob("wac-fleet-*.tar.gz")
    return tarball


def test_tarball_ships_plugins_and_leaves_test_infrastructure_out(tmp_path):
    tarball = build(tmp_path)
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert "meta/runtime.yml" in names
    assert any(n.startswith("plugins/") for n in names)
    shipped_infrastructure = [n for n in names if n.startswith(LEFT_OUT)]
    assert shipped_infrastructure == []


def minor_releases(specifier: SpecifierSet) -> list[str]:
    """The ansible-core minor releases 2.10 to 2.39 a specifier admits (any of their patch releases)."""
    return [f"2.{minor}" for minor in range(10, 40) if any(f"2.{minor}.{patch}" in specifier for patch in (0, 99))]


def test_runtime_requirements_and_the_matrix_claim_the_same_releases_and_the_one_under_test():
    runtime = SpecifierSet(yaml.safe_load((ROOT / "meta/runtime.yml").read_text())["requires_ansible"])
    (core,) = [Requirement(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line.startswith("ansible-core")]
    assert minor_releases(runtime) == minor_releases(core.specifier) == matrix_releases()
    assert ansible_version in runtime and ansible_version in core.specifier
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"]) == ("wac", "fleet")


def test_the_execution_environment_carries_a_release_the_matrix_tests_on_its_python():
    definition = yaml.safe_load((ROOT / "meta/execution-environment.yml").read_text())
    core = Requirement(definition["dependencies"]["ansible_core"]["package_pip"])
    python = re.fullmatch(r"/usr/bin/python(3\.\d+)", definition["dependencies"]["python_interpreter"]["python_path"])
    matrix = (ROOT / "scripts/matrix.sh").read_text()
    in_debian_root = re.search(r'^TRIXIE_VERSIONS=" ([^"]*) "$', matrix, re.MULTILINE).group(1).split()
    (release,) = minor_releases(core.specifier)  # one release, not a range the builder resolves later
    tested_on = "3.13" if release in in_debian_root else "3.11"  # scripts/matrix.sh: Debian 13 root, or this machine
    assert release in matrix_releases() and python and python.group(1) == tested_on


def matrix_releases() -> list[str]:
    matrix = re.search(r"^ALL_VERSIONS=\(([^)]*)\)$", (ROOT / "scripts/matrix.sh").read_text(), re.MULTILINE)
    return matrix.group(1).split()
