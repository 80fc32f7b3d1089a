"""Offline stand-in for the get-pip.py script that `ansible-test --venv` downloads.

ansible-test bootstraps pip in each virtual environment it makes (`python -m venv --without-pip`) by running
`~/.ansible/test/cache/get_pip_<version>.py` with pip's install arguments, e.g.
`--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel`; it downloads that script from a host that
is not a package registry, which this machine (and CI) cannot reach. scripts/sanity.sh copies this file to
that cache path. It does what get-pip.py does with the means every CPython has: `ensurepip` brings the pip
bundled with the interpreter, which then installs the requested pip through the configured package index.

wac.fleet ansible-test get-pip stand-in (scripts/sanity.sh looks for this line before replacing the file).
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py options that `pip install` does not know: they only say what get-pip.py should not add.
GET_PIP_ONLY_OPTIONS = frozenset({"--no-setuptools", "--no-wheel", "--no-pip"})


def main(argv: list[str]) -> int:
    pip_arguments = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True)
    if not pip_arguments:
        return 0
    return subprocess.run([sys.executable, "-m", "pip", "install", *pip_arguments], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
