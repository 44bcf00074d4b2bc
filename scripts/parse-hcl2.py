#!/usr/bin/env python3
"""Parse every *.tf file under the given roots with python-hcl2 (pinned 7.3.1).

Run with the venv from scripts/install-tools.sh:
    .tools/venv-hcl2/bin/python scripts/parse-hcl2.py ROOT [ROOT...]

Each file goes through hcl2.loads(text, with_meta=True). Any error (read, UTF-8
decode, lark parse error, anything else) is printed as `file: error` and makes
the exit code 1. Exit code 0 when every file parsed (or there was none).
"""
import sys
from pathlib import Path

import hcl2

EXPECTED_VERSION = "7.3.1"
SKIP_DIRS = {".terraform", ".git"}


def first_lines(exc: BaseException) -> str:
    """A short one-line form of an exception (lark's messages list every expected token)."""
    text = str(exc).strip() or repr(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[0] if lines else text
    prev = next((ln for ln in lines if ln.startswith("Previous tokens")), "")
    return f"{type(exc).__name__}: {head}" + (f" [{prev}]" if prev else "")


def tf_files(root: Path):
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.tf")
                  if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(root).parts))


def main(argv):
    if len(argv) < 2:
        print("usage: parse-hcl2.py ROOT [ROOT...]", file=sys.stderr)
        return 2
    try:
        from importlib.metadata import version
        got = version("python-hcl2")
    except Exception:  # pragma: no cover - metadata missing
        got = "unknown"
    if got != EXPECTED_VERSION:
        print(f"parse-hcl2: expected python-hcl2 {EXPECTED_VERSION}, found {got}", file=sys.stderr)
        return 1
    n_ok = n_err = 0
    for arg in argv[1:]:
        root = Path(arg)
        if not root.exists():
            print(f"{root}: no such file or directory")
            n_err += 1
            continue
        for path in tf_files(root):
            try:
                hcl2.loads(path.read_text(encoding="utf-8"), with_meta=True)
                n_ok += 1
            except Exception as exc:  # noqa: BLE001 - report every kind of failure
                print(f"{path}: {first_lines(exc)}")
                n_err += 1
    print(f"python-hcl2 {got}: {n_ok + n_err} file(s), {n_ok} parsed, {n_err} error(s)")
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
