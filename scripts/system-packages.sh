#!/usr/bin/env bash
# The system packages the tests need beyond Python, installed with the system's package manager (Debian's apt):
#   MIT Kerberos KDC and tools   krb5-kdc (krb5kdc, kdb5_util), krb5-admin-server (kadmin.local),
#                                krb5-user (kinit, klist, kdestroy): the private realm of the Kerberos tests
#   libkrb5-dev, gcc             to build the gssapi and krb5 Python packages (pywinrm's Kerberos extra)
#   python3-dev                  Python.h for those builds, when the Python of the venv lacks it (Debian's python3)
#   openssh-client, sshpass      Ansible's ssh connection (sshpass for password logons)
# bindep.txt lists them too (profile "test"). Quick when everything is there: it only looks for the commands.
# Needs root (or password-less sudo) to install. Called by scripts/bootstrap.sh; safe to run again.
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin"

# command -> Debian package that brings it
declare -A wanted=(
  [krb5kdc]=krb5-kdc [kdb5_util]=krb5-kdc [kadmin.local]=krb5-admin-server
  [kinit]=krb5-user [klist]=krb5-user [kdestroy]=krb5-user
  [krb5-config]=libkrb5-dev [gcc]=gcc
  [ssh]=openssh-client [sshpass]=sshpass
)
missing=()
for command in "${!wanted[@]}"; do
  command -v "$command" > /dev/null 2>&1 || missing+=("${wanted[$command]}")
done
# The headers of the Python the venvs are made with (PYTHON, as in bootstrap.sh): Debian's python3 has them only with
# python3-dev; a Python built from source (pyenv) has them in its own prefix.
if ! "${PYTHON:-python3}" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2> /dev/null; then
  missing+=(python3-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if ! command -v apt-get > /dev/null 2>&1; then
  echo "system-packages: no apt-get here; install the equivalents of: ${missing[*]} (see bindep.txt, profile test)" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
    sudo=(sudo -n)
  else
    echo "system-packages: not root and no password-less sudo; install by hand: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "system-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# An index older than the packages it names fails to download: update first, once per install.
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
