"""The embedded demo: register_wac.yml against the emulated tenant and a fleet of emulated gateways.

Run through scripts/demo.sh (which sets up the environment). Every step states what it expects; the demo
exits 1 as soon as one expectation fails, after stopping the emulators.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import requests

from tests.emulators.tenant.clients import entra_connection

ROOT = Path(__file__).resolve().parents[1]
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                   r"\s+failed=(?P<failed>\d+)", re.MULTILINE)


class DemoFailed(Exception):
    pass


def start_emulator(stack: ExitStack, module: str, endpoints: Path, log: Path, *args: str) -> dict:
    endpoints.unlink(missing_ok=True)
    out = log.open("w")
    stack.callback(out.close)
    proc = subprocess.Popen([sys.executable, "-m", module, "--endpoints-file", str(endpoints), *args],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def stop():
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    deadline = time.monotonic() + 60
    while not endpoints.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise DemoFailed(f"{module} did not start; see {log}")
        time.sleep(0.1)
    return json.loads(endpoints.read_text())


def write_config(work: Path, tenant: dict) -> None:
    (work / "ansible.cfg").write_text(
        "[defaults]\ninventory = inventory.ini\ncallbacks_enabled = wac.fleet.fleet_report\nforks = 25\n"
        "host_key_checking = False\nretry_files_enabled = False\n"
    )
    group_vars = work / "group_vars"
    group_vars.mkdir(exist_ok=True)
    connection = entra_connection(tenant)
    settings = {
        "gateway_proxy_state": "present",
        "gateway_proxy_address": "http://proxy.contoso.test:3128",
        "gateway_proxy_bypass_list": ["*.contoso.test"],
        "gateway_restart_delay": 1,
        "entra_app_connection": connection,
    }
    (group_vars / "wac_gateways.yml").write_text("---\n" + json.dumps(settings, indent=2) + "\n")


def run_playbook(work: Path, name: str, playbook: str, *args: str, env: dict) -> dict:
    started = time.monotonic()
    env = dict(env, WAC_FLEET_REPORT_DIR=str(work / "reports" / name))
    proc = subprocess.run(["ansible-playbook", str(ROOT / "playbooks" / playbook), *args],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    (work / f"{name}.log").write_text(proc.stdout + proc.stderr)
    recap = {m["host"]: {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")}
             for m in RECAP.finditer(proc.stdout)}
    if not recap:
        raise DemoFailed(f"{name}: ansible-playbook gave no recap (rc {proc.returncode}); see {work / name}.log")
    changed = sorted(h for h, r in recap.items() if r["changed"])
    bad = sorted(h for h, r in recap.items() if r["failed"] or r["unreachable"])
    print(f"{name}: {wall:.1f} s, {len(recap)} hosts, changed on {len(changed)}, failed on {len(bad)}", flush=True)
    if bad:
        raise DemoFailed(f"{name}: failed on {', '.join(bad)}; see {work / name}.log")
    return {"wall_s": round(wall, 1), "changed_hosts": changed, "recap": recap}


class Counters:
    """Graph requests by method (the tenant's request log) and WinRM scripts per gateway (the fleet's logs)
    made since the last call: what each run cost."""

    def __init__(self, tenant: dict, fleet: dict) -> None:
        self.tenant, self.fleet = tenant, fleet
        self.graph_seen, self.scripts_seen = 0, {}
        self.take()

    def _get(self, url: str):
        return requests.get(url, timeout=30, verify=self.tenant["ca_bundle"]).json()

    def take(self) -> dict:
        entries = self._get(f"{self.tenant['control_url']}/requests?path_prefix=/v1.0")["value"]
        new = [e for e in entries if e["seq"] > self.graph_seen]
        self.graph_seen = max([self.graph_seen] + [e["seq"] for e in entries])
        by_method: dict[str, int] = {}
        for entry in new:
            by_method[entry["method"]] = by_method.get(entry["method"], 0) + 1
        per_host = {}
        for host in self.fleet["hosts"]:
            total = requests.get(f"{self.fleet['control_url']}/hosts/{host['name']}", timeout=30).json()["scripts"]
            per_host[host["name"]] = total - self.scripts_seen.get(host["name"], 0)
            self.scripts_seen[host["name"]] = total
        counts = sorted(per_host.values())
        return {"graph_requests": dict(sorted(by_method.items())),
                "winrm_scripts_per_gateway": {"min": counts[0], "max": counts[-1]}}


def expect(name: str, got, want) -> None:
    if got != want:
        raise DemoFailed(f"{name}: expected {want!r}, got {got!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateways", type=int, default=25)
    parser.add_argument("--output", type=Path, default=ROOT / "demo-output")
    args = parser.parse_args()
    work = args.output.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.monotonic()
    with ExitStack() as stack:
        tenant = start_emulator(stack, "tests.emulators.tenant", work / "tenant.json", work / "tenant.log")
        fleet = start_emulator(stack, "tests.emulators.fleet", work / "fleet.json", work / "fleet.log",
                               "--count", str(args.gateways), "--inventory", str(work / "inventory.ini"))
        write_config(work, tenant)
        env = dict(os.environ, ANSIBLE_CONFIG=str(work / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   AZURE_CLIENT_SECRET=tenant["identities"]["admin"]["client_secret"])
        hosts = [h["name"] for h in fleet["hosts"]]
        counters = Counters(tenant, fleet)
        runs = {}
        runs["first"] = run_playbook(work, "first", "register_wac.yml", env=env)
        runs["first"]["cost"] = counters.take()
        expect("first run changes every gateway", runs["first"]["changed_hosts"], sorted(hosts))
        runs["rerun"] = run_playbook(work, "rerun", "register_wac.yml", env=env)
        runs["rerun"]["cost"] = counters.take()
        expect("re-run changes nothing", runs["rerun"]["changed_hosts"], [])

        control = fleet["control_url"]
        proxy_drift, registration_drift = hosts[1:3], hosts[5:7]
        for name in proxy_drift:
            requests.post(f"{control}/hosts/{name}/state", timeout=10,
                          json={"proxy": {"address": "http://rogue.contoso.test:8080"}}).raise_for_status()
        for name in registration_drift:
            requests.post(f"{control}/hosts/{name}/state", timeout=10,
                          json={"registration": None}).raise_for_status()
        counters.take()
        runs["drift"] = run_playbook(work, "drift", "register_wac.yml", env=env)
        runs["drift"]["cost"] = counters.take()
        expect("drift run changes exactly the drifted gateways", runs["drift"]["changed_hosts"],
               sorted(proxy_drift + registration_drift))

        gone = hosts[-1]
        runs["unregister"] = run_playbook(work, "unregister", "unregister_wac.yml", "--limit", gone, env=env)
        runs["unregister"]["cost"] = counters.take()
        expect("unregister changes one gateway", runs["unregister"]["changed_hosts"], [gone])
        state = requests.get(f"{control}/hosts/{gone}", timeout=10).json()
        expect("the unregistered gateway has no registration", state.get("registration"), None)

        report = json.loads((work / "reports" / "drift" / "report.json").read_text())
        print((work / "reports" / "drift" / "report.md").read_text())
        print((work / "reports" / "unregister" / "report.md").read_text())
    wall = time.monotonic() - started
    summary = {"wall_s": round(wall, 1), "gateways": len(hosts),
               "changed": {k: len(v["changed_hosts"]) for k, v in runs.items()},
               "run_wall_s": {k: v["wall_s"] for k, v in runs.items()},
               "cost": {k: v["cost"] for k, v in runs.items()},
               "report_totals": report["totals"]}
    print(json.dumps(summary))
    print(f"demo passed in {wall:.0f} s; inventory, logs and report in {work}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DemoFailed as failure:
        print(f"demo FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
