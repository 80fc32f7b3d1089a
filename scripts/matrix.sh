#!/usr/bin/env bash
# The ansible-core matrix of wac.fleet: for every ansible-core release the collection supports, a venv with that
# release, then `ansible-test sanity`, the unit tests and the integration tests that run real playbooks against the
# emulators (register, no-op re-run, drift, check mode, unregister, faults, facts without INJECT_FACTS_AS_VARS,
# no deprecation warning).
#
#   ansible-core 2.16 2.17 2.18 2.19   Python 3.11, this machine's python3 (venvs in .build/matrix/venvs/)
#   ansible-core 2.20 2.21             Python 3.13 of a Debian 13 (trixie) root made by debootstrap and reused
#                                      (.build/matrix/trixie-<key>/), because 2.20 and later need Python 3.12+
#
# Everything installs itself: the debootstrap package (apt-get), the Debian root (from the mirror this machine's
# apt uses, read at run time), the venvs (PyPI). The root and the venvs are kept and made again only when what
# they are made from changes (debootstrap's arguments; requirements files, ansible-core release, Python).
#
# Usage: scripts/matrix.sh [VERSION...]        e.g. scripts/matrix.sh 2.16 2.21 (default: all six)
#   WAC_MATRIX_SKIP_MAIN=1   leave out the release of the main .venv, whose whole suite scripts/test.sh runs (CI)
#   WAC_MATRIX_PARTS         which parts to run, default "sanity unit integration"
#   WAC_MATRIX_JOBS          releases tested at the same time, default 2 (a host lane and a Debian-root lane)
# Logs: .build/matrix/logs/<version>/{venv,sanity,unit,integration}.log and playbooks/ (every ansible-playbook
# output of the integration tests); the summary (seconds per part) is printed and kept in .build/matrix/logs/summary.
set -euo pipefail
CHECKOUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$CHECKOUT"

ALL_VERSIONS=(2.16 2.17 2.18 2.19 2.20 2.21)
# Releases whose controller Python range (PyPI classifiers) leaves out this machine's Python 3.11.
TRIXIE_VERSIONS=" 2.20 2.21 "
# Sanity tests that depend on the ansible-core release (its plugin loader, doc and import rules, pinned linters).
# The release-independent ones (shellcheck, line endings, smart quotes, ...) run in scripts/test.sh on the main venv.
SANITY_TESTS=(action-plugin-docs ansible-doc compile empty-init ignores import pep8 pylint runtime-metadata
              validate-modules yamllint)
# Integration tests that run real ansible-playbook against the emulators, picked for what differs by release:
# connection plugin (winrm command line, encryption, TLS), facts, check mode, diff, no_log, failures and recap.
INTEGRATION_TESTS=(
  tests/integration/test_register_playbook.py::test_first_run_rerun_drift_check_mode_and_unregister
  tests/integration/test_register_playbook.py::test_check_mode_on_a_new_fleet_changes_nothing_anywhere
  tests/integration/test_register_playbook.py::test_two_gateways_down_do_not_stop_the_others_and_a_rerun_converges
  tests/integration/test_gateway_bad_input.py
  tests/integration/test_secrets.py::test_no_secret_anywhere_at_vvvv_over_winrm_https
  tests/integration/test_core_compat.py
  tests/emulators/test_fleet_ansible.py
)

DEBIAN_SUITE=trixie
DEBIAN_PACKAGES=python3,python3-venv,ca-certificates
MATRIX="$CHECKOUT/.build/matrix"
LOGS="$MATRIX/logs"

log() { echo "matrix: $*" >&2; }

# ---------------------------------------------------------------------------------------------- one release
# `matrix.sh --release V LOGDIR` runs the parts for release V in this environment (host or Debian root), in a
# checkout at the current folder, each part's output in LOGDIR, and the seconds of each part in LOGDIR/times.
release_main() {
  local version="$1" logdir="$2" parts="${WAC_MATRIX_PARTS-sanity unit integration}" status=0 part start rc
  mkdir -p "$logdir/playbooks"
  : > "$logdir/times"
  export WAC_ANSIBLE_CORE="ansible-core==$version.*"
  export WAC_VENV="${WAC_VENV:-$CHECKOUT/.build/matrix/venvs/$version}"
  export WAC_LINT_TOOLS=0
  # Each step in a subshell that is not a condition, so that `set -e` holds inside it (bootstrap.sh relies on it).
  set +e
  start=$SECONDS
  (set -e; . scripts/bootstrap.sh; python - "$version" <<'PY'
import sys

import ansible.release

want, got = sys.argv[1], ansible.release.__version__
print(f"ansible-core {got} on Python {sys.version.split()[0]}")
if not got.startswith(want + "."):
    raise SystemExit(f"matrix: the venv has ansible-core {got}, not {want}")
PY
  ) > "$logdir/venv.log" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    rm -f "$WAC_VENV/.requirements.sha256"  # made again next time
    echo "venv $((SECONDS - start)) FAILED" >> "$logdir/times"
    return 1
  fi
  echo "venv $((SECONDS - start)) ok" >> "$logdir/times"
  for part in $parts; do
    start=$SECONDS
    (set -e; . scripts/bootstrap.sh; "part_$part" "$logdir") > "$logdir/$part.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      echo "$part $((SECONDS - start)) ok" >> "$logdir/times"
    else
      echo "$part $((SECONDS - start)) FAILED" >> "$logdir/times"
      status=1
    fi
  done
  set -e
  return $status
}

part_sanity() {
  local args=() test
  for test in "${SANITY_TESTS[@]}"; do args+=(--test "$test"); done
  bash scripts/sanity.sh "${args[@]}"
}

part_unit() {
  python -m pytest -p no:cacheprovider tests/unit
}

part_integration() {
  WAC_PLAYBOOK_OUTPUT_DIR="$1/playbooks" python -m pytest -p no:cacheprovider "${INTEGRATION_TESTS[@]}"
}

if [ "${1:-}" = "--release" ]; then
  shift
  release_main "$@"
  exit
fi

# ---------------------------------------------------------------------------------------------- Debian root
# The root is made by debootstrap and kept under a name keyed by what it is made from; the mirror is the one
# this machine's apt uses (read at run time, never written into the repo).
debian_mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  if [ -r "$sources" ]; then
    # deb822: the first URI of the first "deb" stanza that is not the security archive
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; deb = 0; security = 0
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1
             if ($i ~ /^URIs:/) { split($i, f, /[ \t]+/); uri = f[2] }
             if ($i ~ /^Suites:.*-security/) security = 1
           }
           if (deb && uri != "" && !security) { print uri; exit } }' "$sources"
  elif [ -r /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $0 !~ /-security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list
  fi
}

# Mount points at or below $1 (the kernel's view, /proc/self/mountinfo; deepest first).
mounts_under() {
  awk -v root="$1" '$5 == root || index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

unmount_all_under() {
  local target
  while read -r target; do
    [ -n "$target" ] || continue
    umount "$target" 2>/dev/null || umount -l "$target"
  done < <(mounts_under "$1")
}

# Remove a root folder, never through a mount point: unmount first, then stay on this file system.
remove_root() {
  unmount_all_under "$1"
  if [ -n "$(mounts_under "$1")" ]; then
    log "cannot unmount everything under $1; not removing it"
    return 1
  fi
  rm -rf --one-file-system "$1"
}

ROOT_KEY="$(printf '%s\n' "debootstrap --variant=minbase --include=$DEBIAN_PACKAGES $DEBIAN_SUITE" "root-format 1" \
  | sha256sum | cut -c1-12)"
DEBIAN_ROOT="$MATRIX/$DEBIAN_SUITE-$ROOT_KEY"
MOUNTED=()
CA_VARIABLES="SSL_CERT_FILE PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE"

ensure_root() {
  local old mirror
  for old in "$MATRIX/$DEBIAN_SUITE"-*; do  # roots of earlier keys, and stale mounts of an interrupted run
    [ -d "$old" ] || continue
    if [ "$old" != "$DEBIAN_ROOT" ]; then
      log "removing $old (made from other arguments)"
      remove_root "$old"
    else
      unmount_all_under "$old"
    fi
  done
  if [ -f "$DEBIAN_ROOT/.wac-matrix-ready" ]; then
    return 0
  fi
  [ ! -e "$DEBIAN_ROOT" ] || remove_root "$DEBIAN_ROOT"  # half made: an interrupted debootstrap
  if ! command -v debootstrap > /dev/null; then
    log "installing debootstrap (apt-get)"
    apt-get update -qq > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null
  fi
  mirror="${WAC_DEBIAN_MIRROR:-$(debian_mirror)}"
  if [ -z "$mirror" ]; then
    log "no Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list (set WAC_DEBIAN_MIRROR)"
    return 1
  fi
  mkdir -p "$MATRIX"
  log "making the Debian $DEBIAN_SUITE root $DEBIAN_ROOT (debootstrap, minbase + $DEBIAN_PACKAGES)"
  debootstrap --variant=minbase --include="$DEBIAN_PACKAGES" "$DEBIAN_SUITE" "$DEBIAN_ROOT" "$mirror" \
    > "$LOGS/debootstrap.log" 2>&1 || { tail -20 "$LOGS/debootstrap.log" >&2; return 1; }
  # debootstrap unmounts what it mounted; make sure before the root is taken as ready
  unmount_all_under "$DEBIAN_ROOT"
  touch "$DEBIAN_ROOT/.wac-matrix-ready"
}

# /proc, /dev (with /dev/shm, which multiprocessing needs, and /dev/pts) and name resolution for pip. The root
# shares this machine's network namespace, so 127.0.0.0/8 is the same loopback as outside.
mount_root() {
  mount -t proc proc "$DEBIAN_ROOT/proc"
  MOUNTED+=("$DEBIAN_ROOT/proc")
  mount --rbind /dev "$DEBIAN_ROOT/dev"
  mount --make-rslave "$DEBIAN_ROOT/dev"
  MOUNTED+=("$DEBIAN_ROOT/dev")
  cp -L /etc/resolv.conf "$DEBIAN_ROOT/etc/resolv.conf"
  # The root trusts what this machine trusts (its CA bundle may hold a local CA, e.g. of a proxy to the package
  # index): the system bundle, and the files the CA variables of this environment name, at the same paths.
  local name file=/etc/ssl/certs/ca-certificates.crt
  [ ! -r "$file" ] || install -D -m 0644 "$file" "$DEBIAN_ROOT$file"
  for name in $CA_VARIABLES; do
    file="${!name:-}"
    [ -z "$file" ] || [ ! -f "$file" ] || install -D -m 0644 "$(readlink -f "$file")" "$DEBIAN_ROOT$file"
  done
  if ! grep -qs '^127\.0\.0\.1[[:space:]].*localhost' "$DEBIAN_ROOT/etc/hosts"; then
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >> "$DEBIAN_ROOT/etc/hosts"
  fi
}

unmount_root() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -R "${MOUNTED[$i]}" 2>/dev/null || umount -R -l "${MOUNTED[$i]}" || true
  done
  MOUNTED=()
  unmount_all_under "$DEBIAN_ROOT"
}

# A copy of the checkout in the root (not a bind mount: removing the root can never reach the checkout).
copy_checkout() {
  local dest="$DEBIAN_ROOT/src/wac-fleet"
  rm -rf --one-file-system "$dest"
  mkdir -p "$dest"
  tar -C "$CHECKOUT" -cf - \
    --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./.pytest_cache --exclude=./.ruff_cache \
    --exclude=./.benchmarks --exclude=./demo-output --exclude='./*.tar.gz' --exclude=./tests/output \
    --exclude=__pycache__ . | tar -C "$dest" -xf -
}

# Run a release in the root with a clean environment (the host's pip settings name folders the root lacks).
in_root() {
  local version="$1"
  local keep=() name
  for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY CI $CA_VARIABLES; do
    [ -z "${!name:-}" ] || keep+=("$name=${!name}")
  done
  # shellcheck disable=SC2016  # $1 is expanded by the bash in the root
  chroot "$DEBIAN_ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${keep[@]}" \
    WAC_MATRIX_PARTS="${WAC_MATRIX_PARTS-sanity unit integration}" WAC_VENV="/opt/wac-matrix/venvs/$version" \
    WAC_FLEET_SECOND_OCTETS=225-249 \
    bash -c 'cd /src/wac-fleet && exec bash scripts/matrix.sh --release "$1" "/matrix-logs/$1"' _ "$version"
}

# ---------------------------------------------------------------------------------------------- the run
main_release() {  # the ansible-core release of the main .venv (what scripts/test.sh tests in full)
  [ -x "$CHECKOUT/.venv/bin/python" ] || return 0
  "$CHECKOUT/.venv/bin/python" -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))' \
    2>/dev/null || true
}

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("${ALL_VERSIONS[@]}")
if [ "${WAC_MATRIX_SKIP_MAIN:-0}" = 1 ]; then
  skip="$(main_release)"
  if [ -n "$skip" ]; then
    log "leaving out $skip: the main .venv has it and scripts/test.sh ran its whole suite"
    kept=()
    for v in "${versions[@]}"; do [ "$v" = "$skip" ] || kept+=("$v"); done
    versions=("${kept[@]}")
  fi
fi
host_versions=() root_versions=()
for v in "${versions[@]}"; do
  case " ${ALL_VERSIONS[*]} " in *" $v "*) ;; *) log "unknown release $v (known: ${ALL_VERSIONS[*]})"; exit 2 ;; esac
  if [[ "$TRIXIE_VERSIONS" == *" $v "* ]]; then root_versions+=("$v"); else host_versions+=("$v"); fi
done

mkdir -p "$MATRIX"
exec 9> "$MATRIX/.lock"
flock -n 9 || { log "another matrix run uses $MATRIX; waiting"; flock 9; }
rm -rf "$LOGS"
mkdir -p "$LOGS"
started=$SECONDS
lane_pid=""

root_pid=""

stop_group() {  # a job started under `set -m`: its process group, so every process it started
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

cleanup() {
  stop_group "$lane_pid"
  stop_group "$root_pid"
  unmount_root
}
trap cleanup EXIT
trap 'exit 130' INT TERM

host_lane() {
  local v status=0
  export WAC_FLEET_SECOND_OCTETS=200-224  # fleets of the two lanes' pytest runs never share an address
  for v in "${host_versions[@]}"; do
    log "ansible-core $v (Python 3.11 venv): ${WAC_MATRIX_PARTS-sanity unit integration}"
    bash scripts/matrix.sh --release "$v" "$LOGS/$v" || status=1
    log "ansible-core $v: done"
  done
  return $status
}

root_lane() {
  local v status=0 start
  [ ${#root_versions[@]} -gt 0 ] || return 0
  start=$SECONDS
  if ! ensure_root; then
    for v in "${root_versions[@]}"; do mkdir -p "$LOGS/$v"; echo "root $((SECONDS - start)) FAILED" > "$LOGS/$v/times"; done
    return 1
  fi
  echo "root $((SECONDS - start))" > "$LOGS/root.time"
  mount_root
  copy_checkout
  mkdir -p "$DEBIAN_ROOT/matrix-logs"
  for v in "${root_versions[@]}"; do
    log "ansible-core $v (Python 3.13 in the Debian $DEBIAN_SUITE root): ${WAC_MATRIX_PARTS-sanity unit integration}"
    rm -rf "$DEBIAN_ROOT/matrix-logs/$v"
    set -m  # in its own process group, and waited for with `wait`, which a signal interrupts (cleanup stops it)
    in_root "$v" &
    root_pid=$!
    set +m
    wait "$root_pid" || status=1
    root_pid=""
    rm -rf "${LOGS:?}/$v"
    cp -a "$DEBIAN_ROOT/matrix-logs/$v" "$LOGS/$v"
    log "ansible-core $v: done"
  done
  unmount_root
  return $status
}

status=0
if [ "${WAC_MATRIX_JOBS:-2}" -ge 2 ] && [ ${#host_versions[@]} -gt 0 ] && [ ${#root_versions[@]} -gt 0 ]; then
  set -m  # the host lane in its own process group, so that cleanup can stop all of it
  host_lane &
  lane_pid=$!
  set +m
  root_lane || status=1
  wait "$lane_pid" || status=1
  lane_pid=""
else
  host_lane || status=1
  root_lane || status=1
fi

# ---------------------------------------------------------------------------------------------- summary
parts="${WAC_MATRIX_PARTS-sanity unit integration}"
cell() {  # seconds of a part of a release, "(FAILED)" after them when it failed, "-" when it did not run
  local line _part seconds result
  line="$(grep "^$2 " "$LOGS/$1/times" 2>/dev/null | tail -1)" || true
  [ -n "$line" ] || { echo -; return; }
  read -r _part seconds result <<< "$line"
  if [ "$result" = ok ]; then echo "${seconds}s"; else echo "${seconds}s(FAILED)"; fi
}
{
  printf '%-8s %-8s %-8s %-8s %-12s %-13s %s\n' release venv sanity unit integration deprecations result
  for v in "${versions[@]}"; do
    verdict=ok
    grep -qv " ok$" "$LOGS/$v/times" 2>/dev/null && verdict=FAILED
    for part in venv $parts; do grep -q "^$part .* ok$" "$LOGS/$v/times" 2>/dev/null || verdict=FAILED; done
    deprecations="$(cat "$LOGS/$v"/playbooks/*.log 2>/dev/null | grep -c "DEPRECATION WARNING" || true)"
    playbooks="$(find "$LOGS/$v/playbooks" -name '*.log' 2>/dev/null | wc -l)"
    if [[ " $parts " == *" integration "* ]] && { [ "$playbooks" -eq 0 ] || [ "$deprecations" -ne 0 ]; }; then
      verdict=FAILED
    fi
    printf '%-8s %-8s %-8s %-8s %-12s %-13s %s\n' "$v" "$(cell "$v" venv)" "$(cell "$v" sanity)" "$(cell "$v" unit)" \
      "$(cell "$v" integration)" "$deprecations/$playbooks" "$verdict"
  done
  [ ! -f "$LOGS/root.time" ] || echo "Debian $DEBIAN_SUITE root: $(cut -d' ' -f2 "$LOGS/root.time")s (made, or found ready)"
  echo "total: $((SECONDS - started))s; deprecations: DEPRECATION WARNING lines / ansible-playbook outputs read"
} > "$LOGS/summary"
cat "$LOGS/summary" >&2
if grep -q "FAILED" "$LOGS/summary" || [ "$status" -ne 0 ]; then
  log "FAILED; see the logs in $LOGS"
  exit 1
fi
log "all passed"
