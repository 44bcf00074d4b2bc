#!/usr/bin/env bash
# Build every spec of the judged corpus (corpus/*.yaml) with topoc and run every third-party
# judge of scripts/check-goldens.sh on each tree: real `terraform fmt -check`, python-hcl2,
# checkov (0 failed, skips only inline) and parliament (no finding of MEDIUM or higher).
# Usage: scripts/check-corpus.sh [SPEC...]   (default: every corpus/*.yaml)
#
# The trees are built here, into the git-ignored .tools/corpus/<spec>/, and not committed:
# the corpus judges topoc on shapes of topology the goldens do not have. `topoc build`
# itself refuses to write a tree that fails topoc's own validation (the SCP evaluator
# included), so a spec that no longer builds fails here too.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

case "${1:-}" in -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}"; exit 0 ;; esac

SPECS=("$@")
if [[ ${#SPECS[@]} -eq 0 ]]; then
  shopt -s nullglob
  SPECS=(corpus/*.yaml)
  shopt -u nullglob
fi
if [[ ${#SPECS[@]} -eq 0 ]]; then
  echo "check-corpus: no specs under corpus/" >&2
  exit 1
fi

# The debug build: `cargo test` (run before this in scripts/test.sh) has built it, and a
# release build would compile everything again for a few seconds of generation.
echo "=== building topoc"
cargo build --locked --quiet
TOPOC=target/debug/topoc

OUT=.tools/corpus
rm -rf "$OUT"
mkdir -p "$OUT"
TREES=()
for spec in "${SPECS[@]}"; do
  name=$(basename -- "$spec" .yaml)
  echo "=== topoc build $spec"
  # Warnings are part of some cases (a single-region class, a single registry); errors fail.
  if ! "$TOPOC" build "$spec" -o "$OUT/$name" --color never >"$OUT/$name.log" 2>&1; then
    cat "$OUT/$name.log"
    echo "check-corpus: $spec did not build" >&2
    exit 1
  fi
  tail -n 1 "$OUT/$name.log"
  TREES+=("$OUT/$name")
done

scripts/check-goldens.sh "${TREES[@]}"
