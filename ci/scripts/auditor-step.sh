#!/usr/bin/env bash
# The Auditor pipeline step, shared by the GitHub Action (ci/github/action.yml)
# and the GitLab template (ci/gitlab/auditor.gitlab-ci.yml).
#
# install -> collect (deployment + git) -> `auditor run`: evaluate (results.json, JUnit, SARIF,
# Markdown), the PDF reports, the signed pack holding them -> exit with the run's exit code
# (0 pass, 1 controls failing at/above fail-on, 2 bad input, 3 engine error).
#
# Inputs (environment; all optional unless noted):
#   AUDITOR_INSTALL      how to install: "source" (pip install the Auditor checkout this script
#                        lives in; default), "none" (use the auditor already on PATH), or a pip
#                        requirement such as "auditor==0.1.0"
#   AUDITOR_LIBRARY      organisation library folder(s) layered over the bundled library, separated
#                        by spaces or newlines, later on top (docs/layering.md; default: libraries: of
#                        ./auditor.yaml, else ./ itself when it has its own controls/ policies/ mappings/)
#   AUDITOR_CONTROLS     replace the bundled controls folder (then policies and mappings default to
#                        ./policies, ./mappings when present: a standalone library)
#   AUDITOR_POLICIES     replace the bundled policies folder
#   AUDITOR_MAPPINGS     replace the bundled mappings folder
#   AUDITOR_PARAMS       organisation parameter overrides (YAML)
#   AUDITOR_PROFILE      evaluate only this profile's controls (controls/profiles.yaml), the others are
#                        reported as not evaluated; the GitHub Action and GitLab template default to "ci"
#   AUDITOR_SCHEMAS      extra evidence schema folder
#   AUDITOR_EVIDENCE     extra evidence folder, copied in before collection (e.g. exported inventories)
#   AUDITOR_REPO         git repository to collect from (default: the current directory)
#   AUDITOR_FORGE        "github" to also collect pull request reviews, approvals and required checks
#                        with `auditor collect github` (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL);
#                        "gitlab" for merge request approvals, pipelines and approval rules with
#                        `auditor collect gitlab` (GITLAB_TOKEN, else CI_JOB_TOKEN; CI_PROJECT_ID,
#                        CI_API_V4_URL); default "none". The same commits collected by git and by the
#                        forge are merged into one change each when evaluated.
#   AUDITOR_BRANCH       base branch for AUDITOR_FORGE (default: CI_DEFAULT_BRANCH, else main)
#   AUDITOR_ENVIRONMENT  deployment environment recorded for this job (GitHub sets no variable for it;
#                        GitLab's CI_ENVIRONMENT_NAME is read by itself)
#   AUDITOR_FAIL_ON      low | medium | high | critical (default: high)
#   AUDITOR_FORMATS      space-separated output formats (default: "junit sarif markdown"; also oscal)
#   AUDITOR_WAIVERS      waivers.yaml (AUDITOR_EXCEPTIONS, the old name, still works)
#   AUDITOR_BASELINE     baseline.json or results.json: fail only on new violations
#   AUDITOR_CHANGED_ONLY "true" to evaluate only controls changed since AUDITOR_BASE
#   AUDITOR_BASE         revision for AUDITOR_CHANGED_ONLY
#   AUDITOR_OUT          output folder (default: auditor-out)
#   AUDITOR_SIGNING_KEY  Ed25519 private key (PEM text, from a CI secret), or the path of a file
#                        holding it (a GitLab File variable: GitLab cannot mask a PEM); or
#   AUDITOR_SIGNING_KEY_FILE  a path to it. One of the two is required to build the pack.
#   AUDITOR_LOCKER       evidence locker (git repository path) the pack is committed to
#   AUDITOR_PYTHON       python for AUDITOR_INSTALL (default: python3)
# Temporary switches while collectors and packs land (remove once merged):
#   AUDITOR_STEP_SKIP_COLLECT=1   skip `auditor collect` (evaluate AUDITOR_EVIDENCE only)
#   AUDITOR_STEP_SKIP_PACK=1      skip `auditor pack build`
# Outputs: files in AUDITOR_OUT; when $GITHUB_OUTPUT is set, results/junit/sarif/markdown/pack/exit-code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_root="$(cd "$here/../.." && pwd)"
out="${AUDITOR_OUT:-auditor-out}"
evidence="$out/evidence"
repo="${AUDITOR_REPO:-$PWD}"
python="${AUDITOR_PYTHON:-python3}"

say() { printf 'auditor-step: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

# --- install -----------------------------------------------------------------
# pip runs third-party build code: it gets no signing key in its environment.
pip_install() { env -u AUDITOR_SIGNING_KEY "$python" -m pip install --quiet "$@"; }
case "${AUDITOR_INSTALL:-source}" in
  none) ;;
  source)
    say "installing Auditor from $source_root"
    pip_install "$source_root" ;;
  *)
    say "installing ${AUDITOR_INSTALL}"
    pip_install "${AUDITOR_INSTALL}" ;;
esac
command -v auditor >/dev/null 2>&1 || die "the auditor command is not on PATH after installation"
say "$(auditor --version)"

require_command() {  # fail clearly, never skip silently, when this Auditor lacks a command
  if ! auditor "$@" --help >/dev/null 2>&1; then
    die "'auditor $*' is not available in this Auditor version ($(auditor --version)); " \
        "upgrade Auditor or set AUDITOR_INSTALL to a version that has it"
  fi
}

# --- evidence ------------------------------------------------------------------
rm -rf "$evidence"
mkdir -p "$evidence"
if [ -n "${AUDITOR_EVIDENCE:-}" ]; then
  [ -d "$AUDITOR_EVIDENCE" ] || die "AUDITOR_EVIDENCE: $AUDITOR_EVIDENCE is not a folder"
  cp -R "$AUDITOR_EVIDENCE"/. "$evidence"/
fi
if [ "${AUDITOR_STEP_SKIP_COLLECT:-0}" = "1" ]; then
  say "AUDITOR_STEP_SKIP_COLLECT=1: not collecting deployment and git evidence"
else
  require_command collect deployment
  require_command collect git
  say "collecting deployment evidence from the CI environment"
  deployment_args=()
  [ -n "${AUDITOR_ENVIRONMENT:-}" ] && deployment_args+=(--environment "$AUDITOR_ENVIRONMENT")
  auditor collect deployment --from-env "${deployment_args[@]}" --out "$evidence"
  say "collecting git evidence from $repo"
  auditor collect git --repo "$repo" --out "$evidence"
  branch="${AUDITOR_BRANCH:-${CI_DEFAULT_BRANCH:-main}}"
  case "${AUDITOR_FORGE:-none}" in
    none) ;;
    github)
      require_command collect github
      say "collecting pull request reviews and checks of ${GITHUB_REPOSITORY:-?} from the GitHub API"
      auditor collect github --branch "$branch" --out "$evidence" ;;
    gitlab)
      require_command collect gitlab
      say "collecting merge request approvals and pipelines of ${CI_PROJECT_PATH:-${CI_PROJECT_ID:-?}} from the GitLab API"
      auditor collect gitlab --branch "$branch" --out "$evidence" ;;
    *) die "AUDITOR_FORGE: found '${AUDITOR_FORGE}', expected github, gitlab or none" ;;
  esac
fi

# --- signing key (before anything runs: the step never signs silently with nothing) ----------
pack_args=()
if [ "${AUDITOR_STEP_SKIP_PACK:-0}" = "1" ]; then
  say "AUDITOR_STEP_SKIP_PACK=1: not building the signed pack"
  pack_args+=(--no-pack)
else
  key_file="${AUDITOR_SIGNING_KEY_FILE:-}"
  if [ -z "$key_file" ] && [ -f "${AUDITOR_SIGNING_KEY:-}" ]; then
    key_file="$AUDITOR_SIGNING_KEY"  # a GitLab File variable holds the path of the key
  fi
  if [ -z "$key_file" ]; then
    [ -n "${AUDITOR_SIGNING_KEY:-}" ] || die "no signing key: set AUDITOR_SIGNING_KEY (a CI secret) or AUDITOR_SIGNING_KEY_FILE"
    key_dir="$(mktemp -d)"
    trap 'rm -rf "$key_dir"' EXIT
    key_file="$key_dir/signing-key.pem"
    (umask 077; printf '%s\n' "$AUDITOR_SIGNING_KEY" > "$key_file")
  fi
  pack_args+=(--key "$key_file")
  [ -n "${AUDITOR_LOCKER:-}" ] && pack_args+=(--locker "$AUDITOR_LOCKER")
fi

# --- evaluate, reports and pack: `auditor run` (results, formats, PDF reports, signed pack) ------
args=(run --evidence "$evidence" --out-dir "$out" --quiet --fail-on "${AUDITOR_FAIL_ON:-high}")
library_args=()
for library in ${AUDITOR_LIBRARY:-}; do
  [ -d "$library" ] || die "AUDITOR_LIBRARY: $library is not a folder"
  library_args+=(--library "$library")
done
[ -n "${AUDITOR_CONTROLS:-}" ] && library_args+=(--controls "$AUDITOR_CONTROLS")
[ -n "${AUDITOR_POLICIES:-}" ] && library_args+=(--policies "$AUDITOR_POLICIES")
[ -n "${AUDITOR_MAPPINGS:-}" ] && library_args+=(--mappings "$AUDITOR_MAPPINGS")
[ -n "${AUDITOR_PARAMS:-}" ] && library_args+=(--params "$AUDITOR_PARAMS")
[ -n "${AUDITOR_PROFILE:-}" ] && library_args+=(--profile "$AUDITOR_PROFILE")
args+=("${library_args[@]}")
[ -n "${AUDITOR_SCHEMAS:-}" ] && args+=(--schemas "$AUDITOR_SCHEMAS")
[ -n "${AUDITOR_WAIVERS:-}" ] && [ -n "${AUDITOR_EXCEPTIONS:-}" ] &&
  die "give AUDITOR_WAIVERS or AUDITOR_EXCEPTIONS (its old name), not both"
waivers="${AUDITOR_WAIVERS:-${AUDITOR_EXCEPTIONS:-}}"
[ -n "$waivers" ] && args+=(--waivers "$waivers")
[ -n "${AUDITOR_BASELINE:-}" ] && args+=(--baseline "$AUDITOR_BASELINE")
if [ "${AUDITOR_CHANGED_ONLY:-false}" = "true" ]; then
  args+=(--changed-only)
  [ -n "${AUDITOR_BASE:-}" ] && args+=(--base "$AUDITOR_BASE")
fi
declare -A paths=([junit]="$out/auditor.junit.xml" [sarif]="$out/auditor.sarif" [markdown]="$out/auditor.md"
                  [oscal]="$out/assessment-results.json" [json]="$out/results.json")
for format in ${AUDITOR_FORMATS:-junit sarif markdown}; do
  [ -n "${paths[$format]:-}" ] || die "AUDITOR_FORMATS: unknown format '$format' (junit, sarif, markdown, oscal, json)"
  [ "$format" = json ] || args+=(--format "$format=${paths[$format]}")
done
args+=("${pack_args[@]}")

require_command run
say "auditor ${args[*]}"
set +e
auditor "${args[@]}"
code=$?
set -e
say "auditor run exit code: $code"

emit() { [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; return 0; }
emit results "$out/results.json"
for format in junit sarif markdown oscal; do [ -f "${paths[$format]}" ] && emit "$format" "${paths[$format]}"; done
emit exit-code "$code"

if [ "$code" -ge 2 ]; then
  say "the run did not complete (exit $code); no pack built"
  exit "$code"
fi
if [ -f "$out/pack.zip" ]; then
  mv "$out/pack.zip" "$out/auditor-pack.zip"
  emit pack "$out/auditor-pack.zip"
fi

exit "$code"
