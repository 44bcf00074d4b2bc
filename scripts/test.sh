#!/usr/bin/env bash
# Runs every test of topoc: the Rust test suite (unit, golden, bad-spec, CLI and
# property tests), then the third-party validators (real `terraform fmt`, python-hcl2,
# checkov, parliament) on the committed golden trees and on the trees of the judged
# corpus (corpus/*.yaml, built here), and cfn-guard on the Config rules, installing pinned
# copies of them into the git-ignored .tools/ folder first.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# The Config rule tests run the real cfn-guard, so the tools come first.
echo "=== pinned third-party tools"
scripts/install-tools.sh

echo "=== cargo test"
cargo test --locked --all-targets

echo "=== vendored data reproduces from its sources"
python3 scripts/extract-iam-data.py --check
python3 scripts/extract-provider-schema.py --check
python3 scripts/extract-aws-constraints.py --check

echo "=== third-party validators on golden/"
scripts/check-goldens.sh

echo "=== third-party validators on the judged corpus (corpus/)"
scripts/check-corpus.sh
