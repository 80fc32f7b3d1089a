"""The built collection: what `ansible-galaxy collection build` ships, and what it leaves out."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import yaml
from ansible.module_utils.compat.version import LooseVersion
from ansible.release import __version__ as ansible_version

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


def test_runtime_claims_the_ansible_core_under_test():
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    lowest = runtime["requires_ansible"].removeprefix(">=")
    assert LooseVersion(ansible_version) >= LooseVersion(lowest)
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"]) == ("wac", "fleet")
