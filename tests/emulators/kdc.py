"""A private MIT Kerberos realm for the tests: the real ``krb5kdc`` of Debian's krb5-kdc package, nothing mocked.

Everything lives in one temporary folder and nothing on the machine changes: ``kdc.conf`` (found through
``KRB5_KDC_PROFILE``) keeps the database there and makes the KDC listen on one free loopback port (UDP and TCP);
``krb5.conf`` (``KRB5_CONFIG``) names that KDC for the realm and turns off every DNS lookup (``dns_lookup_kdc``,
``dns_lookup_realm``, ``rdns``, ``dns_canonicalize_hostname``), so that service names such as
``HTTP/wac-0001.fleet.wac.test`` need neither DNS nor a hosts file: clients name them through a hostname override.

    realm = Realm(tmp / "kdc").start()          # kdb5_util create -s, then krb5kdc -n as a child we own
    realm.add_user("wac-admin", "secret")       # kadmin.local addprinc
    realm.add_services(["wac-0001.fleet.wac.test"])  # HTTP/ and WSMAN/ principals, keys exported to realm.keytab
    realm.env                                   # KRB5_CONFIG, KRB5_KTNAME (the acceptors' keytab), KRB5RCACHEDIR
    realm.stop()

Service principals get ``+ok_as_delegate``: a Windows PC that receives delegated Kerberos credentials is one that
Active Directory trusts for delegation (Microsoft: "Kerberos unconstrained delegation", the computer account's
TRUSTED_FOR_DELEGATION flag shows in service tickets as OK-AS-DELEGATE, RFC 4120 2.8). A Windows computer account
answers to ``HTTP/<fqdn>`` (an alias of its HOST SPN) and the WinRM service registers ``WSMAN/<fqdn>``; pywinrm asks
for the first, pypsrp for the second by default.

The pytest fixture ``kerberos_realm`` (session scope) starts one realm for the test run and sets these variables in
the test process (the fleet emulator's acceptors run there) until the end; without the Debian packages it skips,
except under CI, where it fails (scripts/system-packages.sh installs them).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import typing as t
from pathlib import Path

import pytest

REALM = "FLEET.WAC.TEST"
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit")
SERVICE_CLASSES = ("HTTP", "WSMAN")
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def tool(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


def missing_tools() -> list[str]:
    return [name for name in TOOLS if tool(name) is None]


def _free_port(host: str) -> int:
    """A port free for both TCP and UDP on ``host`` (the KDC answers on both)."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError:
                    continue
        return port
    raise RuntimeError(f"no free TCP+UDP port on {host}")


class Realm:
    """One realm with its own database and KDC process. ``start()`` / ``stop()``; principals added any time."""

    def __init__(self, directory: Path, name: str = REALM, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory)
        self.name = name
        self.host = host
        self.port = 0
        self.keytab = self.directory / "services.keytab"
        self.krb5_conf = self.directory / "krb5.conf"
        self.kdc_conf = self.directory / "kdc.conf"
        self._process: subprocess.Popen | None = None
        self._users: dict[str, str] = {}
        self._services: set[str] = set()
        self._lock = threading.Lock()

    @property
    def env(self) -> dict[str, str]:
        """What a client or an acceptor of this realm needs in its environment."""
        return {
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KDC_PROFILE": str(self.kdc_conf),
            "KRB5_KTNAME": f"FILE:{self.keytab}",
            "KRB5RCACHEDIR": str(self.directory / "rcache"),
        }

    def principal(self, user: str) -> str:
        return f"{user}@{self.name}"

    def start(self, timeout: float = 30.0) -> Realm:
        missing = missing_tools()
        if missing:
            raise RuntimeError(f"MIT Kerberos tools missing: {', '.join(missing)} (bash scripts/system-packages.sh)")
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "rcache").mkdir(exist_ok=True)
        self.port = _free_port(self.host)
        self._write_configuration()
        self._run([tool("kdb5_util"), "create", "-s", "-r", self.name, "-P", secrets.token_hex(16), "-W"])
        log = (self.directory / "krb5kdc.out").open("wb")
        self._process = subprocess.Popen(
            [tool("krb5kdc"), "-n", "-r", self.name], env=self._tool_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"krb5kdc exited with {self._process.returncode}; see {self.directory}/kdc.log")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=1):
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"krb5kdc did not listen on {self.host}:{self.port} within {timeout} s")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def add_user(self, user: str, password: str) -> str:
        """The principal ``user@REALM`` with ``password`` (set again when it changed); its name."""
        with self._lock:
            known = self._users.get(user)
            if known != password:
                verb = "addprinc" if known is None else "cpw"
                self._kadmin([f'{verb} -pw "{password}" {user}'])
                self._users[user] = password
        return self.principal(user)

    def add_services(self, fqdns: t.Iterable[str]) -> None:
        """``HTTP/<fqdn>`` and ``WSMAN/<fqdn>`` for every new name, their keys added to :attr:`keytab`."""
        with self._lock:
            names = [f"{service}/{fqdn.lower()}" for fqdn in dict.fromkeys(fqdns) for service in SERVICE_CLASSES]
            new = [name for name in names if name not in self._services]
            if not new:
                return
            commands = [f"addprinc -randkey +ok_as_delegate {name}" for name in new]
            for start in range(0, len(new), 100):
                commands.append(f"ktadd -k {self.keytab} {' '.join(new[start:start + 100])}")
            self._kadmin(commands)
            self._services.update(new)

    def user_keytab(self, user: str) -> Path:
        """A keytab with ``user``'s current keys (no new keys: the password stays valid), for ``kinit -k -t``."""
        path = self.directory / f"{user}.keytab"
        path.unlink(missing_ok=True)
        self._kadmin([f"ktadd -k {path} -norandkey {user}"])
        return path

    def kinit(self, user: str, ccache: Path, *, keytab: Path | None = None, password: str | None = None,
              forwardable: bool = True) -> None:
        """Get a TGT for ``user`` into ``ccache`` with the real kinit, from a keytab or a password."""
        command = [tool("kinit"), *(["-f"] if forwardable else ["-F"]), "-c", f"FILE:{ccache}"]
        if keytab is not None:
            self._run([*command, "-k", "-t", str(keytab), self.principal(user)])
        else:
            self._run([*command, self.principal(user)], stdin=f"{password}\n")

    def _kadmin(self, commands: list[str]) -> None:
        script = "".join(f"{command}\n" for command in commands)
        output = self._run([tool("kadmin.local"), "-r", self.name], stdin=script)
        # kadmin.local reads commands from stdin and answers 0 even when one fails: check what it said.
        failures = [line for line in output.splitlines() if "error" in line.lower() or "failed" in line.lower()]
        if failures:
            raise RuntimeError("kadmin.local: " + "; ".join(failures))

    def _tool_env(self) -> dict[str, str]:
        return {"PATH": _SEARCH_PATH, **self.env}

    def _run(self, command: list[str | None], stdin: str | None = None) -> str:
        done = subprocess.run([str(part) for part in command], input=stdin, env=self._tool_env(), text=True,
                              capture_output=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(str(command[0])).name} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout + done.stderr

    def _write_configuration(self) -> None:
        folder = self.directory
        self.kdc_conf.write_text(
            "[kdcdefaults]\n"
            f" kdc_listen = {self.host}:{self.port}\n"
            f" kdc_tcp_listen = {self.host}:{self.port}\n"
            "[realms]\n"
            f" {self.name} = {{\n"
            f"  database_name = {folder}/principal\n"
            f"  key_stash_file = {folder}/stash\n"
            f"  acl_file = {folder}/kadm5.acl\n"
            "  max_life = 10h 0m 0s\n"
            "  max_renewable_life = 1d 0h 0m 0s\n"
            " }\n"
            "[logging]\n"
            f" kdc = FILE:{folder}/kdc.log\n"
        )
        (folder / "kadm5.acl").write_text("")
        self.krb5_conf.write_text(
            "[libdefaults]\n"
            f" default_realm = {self.name}\n"
            " dns_lookup_kdc = false\n"
            " dns_lookup_realm = false\n"
            " rdns = false\n"
            " dns_canonicalize_hostname = false\n"
            " forwardable = true\n"
            " udp_preference_limit = 1\n"
            "[realms]\n"
            f" {self.name} = {{\n"
            f"  kdc = {self.host}:{self.port}\n"
            " }\n"
            "[domain_realm]\n"
            f" .fleet.wac.test = {self.name}\n"
            f" fleet.wac.test = {self.name}\n"
        )


@contextlib.contextmanager
def environment(values: dict[str, str]) -> t.Iterator[None]:
    """Set ``values`` in os.environ for the block, then put back what was there."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def kerberos_realm() -> t.Iterator[Realm]:
    """The test run's realm, its variables set in this process (the emulated PCs accept Kerberos here)."""
    missing = missing_tools()
    if missing:
        message = f"MIT Kerberos tools missing: {', '.join(missing)}; run bash scripts/system-packages.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = Path(tempfile.mkdtemp(prefix="wac-kdc-"))
    realm = Realm(directory).start()
    try:
        with environment(realm.env):
            yield realm
    finally:
        realm.stop()
        shutil.rmtree(directory, ignore_errors=True)
