#!/usr/bin/env bash
# Lint the collection wac.fleet as Galaxy / Automation Hub reviewers would, from a fresh clone:
#   ruff                              Python style and bugs (pyproject.toml)
#   ansible-lint, production profile  roles/, playbooks/, galaxy.yml, meta/, changelogs/ (.ansible-lint)
#   yamllint                          every YAML file, including those ansible-lint does not read (.yamllint)
#   antsibull-changelog lint          changelog fragments (changelogs/config.yaml)
#   antsibull-docs lint-collection-docs --plugin-docs   plugin and role docs: schema, markup, references
#   docs site                         antsibull-docs sphinx-init + sphinx-build in a temp dir; warnings fail,
#                                     except the offline ones (intersphinx, labels of the Ansible docs)
# Its tools (tests/lint-requirements.txt, bounded versions) are installed into .venv on first use and again
# only when that file changes. Run all steps: scripts/lint.sh; some: scripts/lint.sh ruff ansible-lint.
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$WAC_ROOT"

wac_lint_tools

work="$(mktemp -d "${TMPDIR:-/tmp}/wac-fleet-lint.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The collection as ansible-doc and antsibull-docs find it (scripts/bootstrap.sh links the checkout there).
collection="$WAC_ROOT/.build/collections/ansible_collections/wac/fleet"

step_ruff() { ruff check .; }
step_ansible_lint() { ansible-lint --nocolor; }
step_yamllint() { yamllint --strict .; }
step_changelog() { antsibull-changelog lint; }
step_docs_lint() { antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent "$collection"; }
# Steps run inside `if`, where bash ignores `set -e`: every command that can fail ends with `|| return`.
step_docs_site() {
  local site="$work/docsite"
  mkdir -m 0700 "$site" "$site/rst" || return
  antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" wac.fleet > /dev/null || return
  antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --cleanup everything --fail-on-error \
    --use-current --dest-dir "$site/rst" wac.fleet || return
  sphinx-build -M html "$site/rst" "$site/build" -c "$site" -q -w "$site/warnings.txt" || return
  # Every Sphinx warning fails the step except those of an offline build: the intersphinx inventories
  # (docs.ansible.com, docs.python.org) cannot be fetched, so labels of the Ansible docs (action_plugins,
  # common_return_values, ...) stay undefined. Labels of this collection (ansible_collections.wac.fleet.*) must
  # resolve, and antsibull-docs lint-collection-docs has checked every reference before.
  local unexpected
  unexpected="$(grep -v -E "failed to reach any of the inventories|^intersphinx inventory " "$site/warnings.txt" \
    | grep -v -P "undefined label: '(?!ansible_collections\.)" || true)"
  if [ -n "$unexpected" ]; then
    printf '%s\n' "$unexpected" >&2
    return 1
  fi
  echo "docs site built: $(find "$site/build/html" -name '*.html' | wc -l) pages" >&2
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(ruff ansible-lint yamllint changelog docs-lint docs-site)
failed=()
for step in "${steps[@]}"; do
  fn="step_${step//-/_}"
  if ! declare -F "$fn" > /dev/null; then
    echo "lint: unknown step $step (known: ruff ansible-lint yamllint changelog docs-lint docs-site)" >&2
    exit 2
  fi
  echo "== $step" >&2
  start=$SECONDS
  if "$fn"; then
    echo "== $step: ok ($((SECONDS - start)) s)" >&2
  else
    echo "== $step: FAILED ($((SECONDS - start)) s)" >&2
    failed+=("$step")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all passed" >&2
