#!/usr/bin/env python3
"""Extract the AWS API value constraints (enums, patterns, lengths, ranges) that topoc can check its input against.

Source: the AWS service models bundled in the PyPI wheel of botocore==1.44.8
(``botocore/data/<service>/<api-version>/service-2.json.gz``), i.e. the same
Smithy-derived JSON models that boto3 and the AWS CLI use.

What the script does:

1. Gets the wheel, either from ``--wheel PATH`` or with
   ``pip download --no-deps --only-binary=:all: botocore==1.44.8`` into a cache
   folder (default ``<repo>/.cache/aws-constraints/``; ``--cache-dir`` or the
   environment variable ``TOPOC_AWS_CONSTRAINTS_CACHE`` override it). The cache
   folder gets its own ``.gitignore`` containing ``*`` so it never shows up in git.
2. Verifies the wheel's sha256 against ``WHEEL_SHA256`` below. Any mismatch is fatal.
3. Reads each service's ``service-2.json.gz`` (or ``service-2.json``) straight out of
   the wheel (a zip); nothing is installed. For each service it takes the newest
   api-version folder (the greatest ``YYYY-MM-DD`` name, which is what botocore's own
   loader picks) and checks that the model's ``metadata.apiVersion`` names that folder.
   ``service-2.sdk-extras.json`` files are *not* merged: they are SDK-side additions
   (in this version: the s3 ``Expires`` header re-typed as timestamp, rds's presigning
   ``SourceRegion`` parameter, secretsmanager's serviceId, which the model already has),
   not API constraints.
4. Writes ``<repo>/schemas/aws-api-constraints.json`` (or ``--output PATH``): sorted
   keys, one shape per line, no timestamps, so re-running it is byte-for-byte
   reproducible. ``--check`` writes nothing and exits 1 (printing a short summary of
   the differences) if the file on disk differs from a fresh extraction.
   ``--self-test`` writes nothing: it runs unit checks on a synthetic model and then
   asserts a few known facts about the real extraction.

Which services: ``SERVICES`` below (botocore service names; ``elbv2`` is
Elastic Load Balancing v2, ``logs`` is CloudWatch Logs, ``cloudwatch`` is monitoring).
All are present in botocore 1.44.8, including ``arc-region-switch``
(``OPTIONAL_SERVICES``: if a future botocore lacks one of these, it is skipped and listed
under ``source.missing_services``; any other missing service is fatal).

Which shapes, per service:

* A shape is *constrained* if it carries one of the facts below.
* A shape is *kept* if it is constrained, or it is a list whose member is kept, a map
  whose key or value is kept, or a structure with at least one member that targets a
  kept shape (computed as a fixpoint, so nested and recursive structures are handled).
  Structures whose members target no kept shape, and lists / maps of unconstrained
  shapes without their own length limits, are therefore never written. With that rule
  the output is about 0.9 MB (7,257 shapes, 26 services), so nothing else had to be
  dropped for size.
* ``ec2`` is huge, so it is restricted to the shapes reachable (through structure
  members, list members and map keys / values) from the *input* shapes of the
  operations in ``RESTRICTED_OPERATIONS["ec2"]``; the rule above is then applied to
  that subset. Every other service keeps all its kept shapes, inputs, outputs and
  error structures alike.

Facts written per shape (documentation, deprecation, sensitivity, wire names and
``required`` lists are all dropped; only ``"type"`` is added so that ``min`` / ``max``
can be read):

* string: ``enum`` (list, in model order), ``pattern`` (regex), ``min`` / ``max``
  (length in Unicode scalar values).
* integer, long, float, double: ``min`` / ``max`` (inclusive range; floats for double).
* blob: ``min`` / ``max`` (size in bytes).
* list: ``member`` (shape name), ``min`` / ``max`` (item count).
* map: ``key`` / ``value`` (shape names), ``min`` / ``max`` (entry count).
* structure: ``members``: member name -> shape name, only for the members that target
  a kept shape. Member names are botocore's API member names (``TableName``,
  ``RoleName``), not wire ``locationName`` spellings and not Terraform argument names.

So ``(service, structure, member)`` resolves as
``services[service].shapes[structure].members[member]`` -> shape name ->
``services[service].shapes[shape name]``. A shape or member that is absent carries no
constraint in botocore.

Caveats for consumers:

* Patterns are ECMA-262 regular expressions and, per the Smithy spec, are NOT implicitly
  anchored: ``[a-zA-Z0-9_.-]+`` accepts any string that merely contains such a run.
  Some use look-around, ``\\p{L}`` classes or ``\\uD800``-style UTF-16 surrogate escapes;
  in this version Rust's ``regex`` 1.13 rejects 28 of the 583 patterns and
  ``fancy-regex`` 0.20 rejects 19, so a consumer must tolerate uncompilable patterns.
* botocore models only what AWS publishes: many documented limits are absent (for
  example elbv2 ``TargetGroupName`` / ``LoadBalancerName`` carry no length limit here,
  although the ELB docs say 32 characters), and some operations accept more than the
  shape suggests (dynamodb ``CreateTableInput.TableName`` targets ``TableArn``,
  1..1024 with no pattern, because ARNs are accepted too).

Run-time dependencies: the Python 3.11 standard library only (pip is used as a
subprocess, and only when no ``--wheel`` and no cached wheel is available).
Reading the cached wheel and extracting take well under a second (about 0.3 s here);
the first run also downloads the 17 MB wheel.

To move to a newer botocore: change ``PACKAGE_VERSION`` and ``WHEEL_SHA256`` (take the
sha256 from PyPI's file listing or ``sha256sum`` of the downloaded wheel), re-run,
run ``--self-test``, and review the diff.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import NoReturn

PACKAGE = "botocore"
PACKAGE_VERSION = "1.44.8"
WHEEL_NAME = f"{PACKAGE}-{PACKAGE_VERSION}-py3-none-any.whl"
# sha256 of botocore-1.44.8-py3-none-any.whl as downloaded from PyPI (16,884,815 bytes).
WHEEL_SHA256 = "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043"
DATA_PREFIX = "botocore/data/"

FORMAT_VERSION = 1
GENERATED_BY = "scripts/extract-aws-constraints.py"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / ".cache" / "aws-constraints"
DEFAULT_OUTPUT = REPO_ROOT / "schemas" / "aws-api-constraints.json"

# botocore service names of the AWS services topoc emits.
SERVICES = (
    "acm",
    "application-autoscaling",
    "arc-region-switch",
    "cloudfront",
    "cloudwatch",
    "config",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "elbv2",
    "events",
    "fis",
    "globalaccelerator",
    "iam",
    "kms",
    "logs",
    "organizations",
    "rds",
    "route53",
    "route53-recovery-control-config",
    "s3",
    "secretsmanager",
    "sns",
    "sts",
    "wafv2",
)
# Services that may be absent from a botocore release without that being an error.
OPTIONAL_SERVICES = frozenset({"arc-region-switch"})

# Services restricted to the shapes reachable from these operations' input shapes.
RESTRICTED_OPERATIONS: dict[str, tuple[str, ...]] = {
    "ec2": (
        "AllocateAddress",
        "AuthorizeSecurityGroupEgress",
        "AuthorizeSecurityGroupIngress",
        "CreateFlowLogs",
        "CreateInternetGateway",
        "CreateNatGateway",
        "CreateRoute",
        "CreateRouteTable",
        "CreateSecurityGroup",
        "CreateSubnet",
        "CreateTags",
        "CreateVpc",
        "CreateVpcEndpoint",
    ),
}

METADATA_KEYS = ("apiVersion", "endpointPrefix", "serviceId")

# Which constraint keys each botocore shape type may carry. A key on any other type
# (or an unknown type) is fatal: the model format changed and this script needs review.
CONSTRAINT_KEYS: dict[str, tuple[str, ...]] = {
    "string": ("enum", "max", "min", "pattern"),
    "integer": ("max", "min"),
    "long": ("max", "min"),
    "float": ("max", "min"),
    "double": ("max", "min"),
    "blob": ("max", "min"),
    "list": ("max", "min"),
    "map": ("max", "min"),
    "structure": (),
    "boolean": (),
    "timestamp": (),
}
ALL_CONSTRAINT_KEYS = ("enum", "max", "min", "pattern")

# Sanity floors: a wheel that fails these is certainly not the expected one.
MIN_SHAPES_TOTAL = 3000
REQUIRED_SHAPES = {
    "dynamodb": ("TableName", "CreateTableInput"),
    "ec2": ("CreateVpcRequest", "CreateSecurityGroupRequest"),
    "iam": ("roleNameType", "CreateRoleRequest"),
    "s3": ("ReplicationTime", "ReplicationTimeStatus"),
    "kms": ("AliasNameType",),
}

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")

NOTES = [
    "services.<service>.metadata: botocore metadata.apiVersion / endpointPrefix / serviceId of the model used.",
    "services.<service>.shapes.<Shape>: one botocore shape per line; 'type' is the botocore shape type.",
    "string: enum (model order), pattern (ECMA-262, NOT implicitly anchored), min/max = length in Unicode scalar values.",
    "integer/long/float/double: min/max = inclusive range. blob: min/max = size in bytes.",
    "list: member = item shape, min/max = item count. map: key/value shapes, min/max = entry count.",
    "structure: members = member name -> shape name, only members that target a shape written here.",
    "A shape or member not written here carries no constraint in botocore (which omits many documented limits).",
    "ec2 holds only shapes reachable from the input shapes of source.restricted_operations.ec2.",
]


def fail(msg: str) -> NoReturn:
    print(f"extract-aws-constraints: error: {msg}", file=sys.stderr)
    sys.exit(2)


def info(msg: str) -> None:
    print(f"extract-aws-constraints: {msg}", file=sys.stderr)


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
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


def download_wheel(cache: Path) -> Path:
    ensure_cache_dir(cache)
    with tempfile.TemporaryDirectory(dir=cache, prefix="dl-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
            "--dest", tmp, f"{PACKAGE}=={PACKAGE_VERSION}",
        ]
        info(" ".join(cmd[1:]))
        res = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
        if res.returncode != 0:
            fail(f"pip download failed (exit {res.returncode})")
        got = Path(tmp) / WHEEL_NAME
        if not got.is_file():
            fail(f"pip download did not produce {WHEEL_NAME}: {sorted(os.listdir(tmp))}")
        digest = sha256_of(got)
        if digest != WHEEL_SHA256:
            fail(f"downloaded {WHEEL_NAME} has sha256 {digest}, expected {WHEEL_SHA256}")
        dest = cache / WHEEL_NAME
        os.replace(got, dest)
    return dest


def obtain_wheel(args: argparse.Namespace) -> Path:
    if args.wheel is not None:
        wheel = Path(args.wheel)
        if not wheel.is_file():
            fail(f"--wheel {wheel}: no such file")
    else:
        cache = Path(args.cache_dir)
        wheel = cache / WHEEL_NAME
        if wheel.is_file() and sha256_of(wheel) == WHEEL_SHA256:
            return wheel
        if wheel.is_file():
            info(f"cached {wheel} has the wrong sha256; re-downloading")
            wheel.unlink()
        wheel = download_wheel(cache)
    digest = sha256_of(wheel)
    if digest != WHEEL_SHA256:
        fail(f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256} (pinned for {PACKAGE}=={PACKAGE_VERSION})")
    return wheel


def load_models(wheel: Path) -> tuple[dict[str, dict], list[str]]:
    """Return ({service: service-2 model of its newest api version}, [missing optional services])."""
    models: dict[str, dict] = {}
    missing: list[str] = []
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            for service in SERVICES:
                found: dict[str, str] = {}
                prefix = f"{DATA_PREFIX}{service}/"
                for n in names:
                    if not n.startswith(prefix):
                        continue
                    parts = n[len(prefix):].split("/")
                    if len(parts) == 2 and parts[1] in ("service-2.json.gz", "service-2.json"):
                        if not _API_VERSION.match(parts[0]):
                            fail(f"{n}: unexpected api-version folder name {parts[0]!r}")
                        if parts[0] in found:
                            fail(f"{service} {parts[0]} has both service-2.json and service-2.json.gz")
                        found[parts[0]] = n
                if not found:
                    if service in OPTIONAL_SERVICES:
                        info(f"service {service} is not in {WHEEL_NAME}; skipped")
                        missing.append(service)
                        continue
                    fail(f"service {service} is not in {WHEEL_NAME}")
                api_version = max(found)
                member = found[api_version]
                raw = zf.read(member)
                if member.endswith(".gz"):
                    raw = gzip.decompress(raw)
                model = json.loads(raw)
                got = (model.get("metadata") or {}).get("apiVersion")
                if got != api_version:
                    fail(f"{member}: metadata.apiVersion is {got!r}, expected {api_version!r}")
                models[service] = model
    except zipfile.BadZipFile as e:
        fail(f"cannot read {wheel}: {e}")
    return models, missing


# --------------------------------------------------------------------------------------
# Model -> constraints
# --------------------------------------------------------------------------------------

def references(shape: dict) -> list[str]:
    """Names of the shapes a shape refers to directly."""
    t = shape["type"]
    if t == "structure":
        return [m["shape"] for m in shape.get("members", {}).values()]
    if t == "list":
        return [shape["member"]["shape"]]
    if t == "map":
        return [shape["key"]["shape"], shape["value"]["shape"]]
    return []


def check_model(service: str, shapes: dict[str, dict]) -> None:
    for name, sh in shapes.items():
        t = sh.get("type")
        if t not in CONSTRAINT_KEYS:
            fail(f"{service}.{name}: unsupported shape type {t!r}")
        for k in ALL_CONSTRAINT_KEYS:
            if k in sh and k not in CONSTRAINT_KEYS[t]:
                fail(f"{service}.{name}: {t} shape carries {k!r}")
        if "enum" in sh and not (isinstance(sh["enum"], list) and all(isinstance(v, str) for v in sh["enum"])):
            fail(f"{service}.{name}: enum is not a list of strings")
        if "pattern" in sh and not isinstance(sh["pattern"], str):
            fail(f"{service}.{name}: pattern is not a string")
        for k in ("min", "max"):
            v = sh.get(k)
            if k in sh and (isinstance(v, bool) or not isinstance(v, (int, float))):
                fail(f"{service}.{name}: {k} is not a number: {v!r}")
            if isinstance(v, float) and t not in ("float", "double"):
                fail(f"{service}.{name}: non-integer {k} {v!r} on a {t} shape")
        for ref in references(sh):
            if ref not in shapes:
                fail(f"{service}.{name}: refers to unknown shape {ref!r}")


def reachable(shapes: dict[str, dict], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(references(shapes[n]))
    return seen


def extract_service(service: str, model: dict, operations: tuple[str, ...] | None = None) -> dict:
    """Return {"metadata": {...}, "shapes": {name: entry}} for one botocore model."""
    meta = model.get("metadata") or {}
    missing = [k for k in METADATA_KEYS if not isinstance(meta.get(k), str)]
    if missing:
        fail(f"{service}: metadata lacks {missing}")
    shapes: dict[str, dict] = model.get("shapes") or {}
    check_model(service, shapes)

    universe = set(shapes)
    if operations is not None:
        ops = model.get("operations") or {}
        roots = []
        for op in operations:
            if op not in ops:
                fail(f"{service}: operation {op} not in the model")
            inp = (ops[op].get("input") or {}).get("shape")
            if inp is None:
                fail(f"{service}: operation {op} has no input shape")
            if inp not in shapes:
                fail(f"{service}: operation {op} input {inp!r} is not a shape")
            roots.append(inp)
        universe = reachable(shapes, roots)

    kept = {n for n in universe if any(k in shapes[n] for k in ALL_CONSTRAINT_KEYS)}
    changed = True
    while changed:
        changed = False
        for n in universe - kept:
            if any(r in kept for r in references(shapes[n])):
                kept.add(n)
                changed = True

    out: dict[str, dict] = {}
    for n in sorted(kept):
        sh = shapes[n]
        t = sh["type"]
        entry: dict = {"type": t}
        for k in CONSTRAINT_KEYS[t]:
            if k in sh:
                entry[k] = sh[k]
        if t == "structure":
            entry["members"] = {m: ref["shape"] for m, ref in sh.get("members", {}).items() if ref["shape"] in kept}
        elif t == "list":
            entry["member"] = sh["member"]["shape"]
        elif t == "map":
            entry["key"] = sh["key"]["shape"]
            entry["value"] = sh["value"]["shape"]
        out[n] = entry
    return {"metadata": {k: meta[k] for k in METADATA_KEYS}, "shapes": out}


def convert(models: dict[str, dict], missing: list[str]) -> dict:
    services = {s: extract_service(s, m, RESTRICTED_OPERATIONS.get(s)) for s, m in sorted(models.items())}
    total = sum(len(s["shapes"]) for s in services.values())
    if total < MIN_SHAPES_TOTAL:
        fail(f"only {total} shapes kept in all services")
    for svc, names in REQUIRED_SHAPES.items():
        for n in names:
            if n not in services.get(svc, {}).get("shapes", {}):
                fail(f"shape {svc}.{n} missing from the extraction")
    return {
        "format_version": FORMAT_VERSION,
        "generated_by": GENERATED_BY,
        "notes": NOTES,
        "services": services,
        "source": {
            "missing_services": sorted(missing),
            "package": PACKAGE,
            "restricted_operations": {s: list(ops) for s, ops in RESTRICTED_OPERATIONS.items()},
            "services": sorted(services),
            "sha256": WHEEL_SHA256,
            "version": PACKAGE_VERSION,
            "wheel": WHEEL_NAME,
        },
    }


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def render(doc: dict) -> str:
    """Valid JSON, sorted keys, one top-level field per line and one shape per line."""
    lines = ["{"]
    top = sorted(doc)
    for i, key in enumerate(top):
        comma = "," if i + 1 < len(top) else ""
        if key != "services":
            lines.append(f"{_dump(key)}:{_dump(doc[key])}{comma}")
            continue
        lines.append(f"{_dump(key)}:{{")
        svcs = sorted(doc[key])
        for j, svc in enumerate(svcs):
            sdoc = doc[key][svc]
            if sorted(sdoc) != ["metadata", "shapes"]:
                fail(f"internal error: service {svc} has keys {sorted(sdoc)}")
            lines.append(f"{_dump(svc)}:{{")
            lines.append(f"{_dump('metadata')}:{_dump(sdoc['metadata'])},")
            lines.append(f"{_dump('shapes')}:{{")
            names = sorted(sdoc["shapes"])
            for k, name in enumerate(names):
                c3 = "," if k + 1 < len(names) else ""
                lines.append(f"{_dump(name)}:{_dump(sdoc['shapes'][name])}{c3}")
            lines.append("}")
            lines.append("}" + ("," if j + 1 < len(svcs) else ""))
        lines.append("}" + comma)
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if json.loads(text) != doc:  # belt and braces: the layout must not change the data
        fail("internal error: rendered JSON does not round-trip")
    return text


def diff_summary(old_text: str, new: dict, limit: int = 5) -> list[str]:
    """A few lines saying how the file on disk differs from a fresh extraction."""
    try:
        old = json.loads(old_text)
    except ValueError as e:
        return [f"the file on disk is not valid JSON ({e})"]
    if not isinstance(old, dict):
        return ["the file on disk is not a JSON object"]
    out: list[str] = []

    def names(xs: list[str]) -> str:
        return ", ".join(xs[:limit]) + (f", ... (+{len(xs) - limit})" if len(xs) > limit else "")

    for key in sorted(set(old) | set(new)):
        if key == "services" or old.get(key) == new.get(key):
            continue
        out.append(f"top-level {key!r}: {_dump(old.get(key))[:120]} -> {_dump(new.get(key))[:120]}")
    osv = old.get("services") if isinstance(old.get("services"), dict) else {}
    nsv = new["services"]
    for svc in sorted(set(osv) | set(nsv)):
        if svc not in nsv:
            out.append(f"service {svc}: only on disk")
            continue
        if svc not in osv:
            out.append(f"service {svc}: new ({len(nsv[svc]['shapes'])} shapes)")
            continue
        o, n = osv[svc], nsv[svc]
        if not isinstance(o, dict):
            out.append(f"service {svc}: malformed on disk")
            continue
        if o.get("metadata") != n["metadata"]:
            out.append(f"service {svc}: metadata {_dump(o.get('metadata'))} -> {_dump(n['metadata'])}")
        os_ = o.get("shapes") if isinstance(o.get("shapes"), dict) else {}
        ns = n["shapes"]
        added = sorted(set(ns) - set(os_))
        removed = sorted(set(os_) - set(ns))
        changed = sorted(x for x in set(os_) & set(ns) if os_[x] != ns[x])
        if added or removed or changed:
            parts = []
            if added:
                parts.append(f"{len(added)} added ({names(added)})")
            if removed:
                parts.append(f"{len(removed)} removed ({names(removed)})")
            if changed:
                parts.append(f"{len(changed)} changed ({names(changed)})")
            out.append(f"service {svc}: " + "; ".join(parts))
    if not out:
        out.append("same data, different bytes (layout or formatting)")
    return out


# --------------------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------------------

def _synthetic_model() -> dict:
    s = lambda **kw: {"type": "string", **kw}  # noqa: E731
    ref = lambda n: {"shape": n, "documentation": "<p>x</p>"}  # noqa: E731
    return {
        "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "ep", "serviceId": "Svc", "protocol": "json"},
        "operations": {
            "Op1": {"input": {"shape": "Outer"}},
            "Op2": {"input": {"shape": "Plain"}},
        },
        "shapes": {
            "Name": s(min=1, max=10, pattern="[a-z]+", documentation="<p>doc</p>", sensitive=True),
            "Free": s(),
            "Kind": s(enum=["b", "a"]),
            "Count": {"type": "integer", "min": 0},
            "Ratio": {"type": "double", "min": 0.0, "max": 100.0},
            "Flag": {"type": "boolean"},
            "Bytes": {"type": "blob", "max": 4096},
            "Names": {"type": "list", "member": ref("Name")},
            "Frees": {"type": "list", "member": ref("Free")},
            "BoundedFrees": {"type": "list", "member": ref("Free"), "max": 5},
            "Tags": {"type": "map", "key": ref("Free"), "value": ref("Name")},
            "Inner": {"type": "structure", "required": ["A"], "members": {
                "A": ref("Name"), "B": ref("Free"), "C": ref("Frees"), "D": ref("Flag")}},
            "Outer": {"type": "structure", "members": {"X": ref("Inner"), "Y": ref("Free")}},
            "Plain": {"type": "structure", "members": {"Y": ref("Free"), "Z": ref("Frees")}},
            "Loop": {"type": "structure", "members": {"Self": ref("Loop"), "V": ref("Free")}},
            "Loop2": {"type": "structure", "members": {"Self": ref("Loop2"), "V": ref("Kind")}},
            "Unused": s(max=3),
        },
    }


def self_test_synthetic() -> None:
    model = _synthetic_model()
    got = extract_service("svc", model)
    sh = got["shapes"]
    assert got["metadata"] == {"apiVersion": "2020-01-01", "endpointPrefix": "ep", "serviceId": "Svc"}, got["metadata"]
    assert sorted(sh) == sorted([
        "Bytes", "BoundedFrees", "Count", "Inner", "Kind", "Loop2", "Name", "Names", "Outer", "Ratio", "Tags",
        "Unused"]), sorted(sh)
    assert sh["Name"] == {"type": "string", "min": 1, "max": 10, "pattern": "[a-z]+"}, sh["Name"]
    assert sh["Kind"] == {"type": "string", "enum": ["b", "a"]}, "enum keeps model order"
    assert sh["Count"] == {"type": "integer", "min": 0}
    assert sh["Ratio"] == {"type": "double", "min": 0.0, "max": 100.0}
    assert sh["Bytes"] == {"type": "blob", "max": 4096}
    assert sh["Names"] == {"type": "list", "member": "Name"}
    assert sh["BoundedFrees"] == {"type": "list", "member": "Free", "max": 5}
    assert sh["Tags"] == {"type": "map", "key": "Free", "value": "Name"}
    assert sh["Inner"] == {"type": "structure", "members": {"A": "Name"}}, sh["Inner"]
    assert sh["Outer"] == {"type": "structure", "members": {"X": "Inner"}}, "kept transitively"
    assert sh["Loop2"] == {"type": "structure", "members": {"Self": "Loop2", "V": "Kind"}}, "recursion"
    # Restricted to operations: only what Op1's input reaches.
    r = extract_service("svc", model, ("Op1",))["shapes"]
    assert sorted(r) == ["Inner", "Name", "Outer"], sorted(r)
    assert extract_service("svc", model, ("Op2",))["shapes"] == {}
    # Rendering: one shape per line, round trip, deterministic.
    doc = {"format_version": 1, "notes": ["n"], "services": {"svc": got, "empty": {"metadata": {}, "shapes": {}}},
           "source": {"package": "x"}}
    text = render(doc)
    assert text == render(json.loads(text))
    assert '\n"Name":{"max":10,"min":1,"pattern":"[a-z]+","type":"string"},\n' in text, text
    assert diff_summary(text, doc) == ["same data, different bytes (layout or formatting)"]
    doc2 = json.loads(text)
    doc2["services"]["svc"]["shapes"]["Name"]["max"] = 11
    del doc2["services"]["svc"]["shapes"]["Count"]
    summary = diff_summary(text, doc2)
    assert summary == ["service svc: 1 removed (Count); 1 changed (Name)"], summary
    assert diff_summary("{", doc)[0].startswith("the file on disk is not valid JSON")


def self_test_real(doc: dict) -> None:
    sv = doc["services"]
    src = doc["source"]
    assert src["package"] == PACKAGE and src["version"] == PACKAGE_VERSION and src["sha256"] == WHEEL_SHA256
    assert src["missing_services"] == [], src["missing_services"]  # all present in 1.44.8
    assert sorted(sv) == sorted(SERVICES), sorted(sv)

    # metadata
    assert sv["elbv2"]["metadata"] == {
        "apiVersion": "2015-12-01", "endpointPrefix": "elasticloadbalancing",
        "serviceId": "Elastic Load Balancing v2"}, sv["elbv2"]["metadata"]
    assert sv["cloudwatch"]["metadata"]["endpointPrefix"] == "monitoring"
    assert sv["cloudfront"]["metadata"]["apiVersion"] == "2020-05-31", "newest of many api versions"
    assert sv["ec2"]["metadata"]["apiVersion"] == "2016-11-15"

    # dynamodb: TableName 3..255 with a pattern; CreateTable's TableName accepts an ARN too.
    dd = sv["dynamodb"]["shapes"]
    assert dd["TableName"] == {"type": "string", "min": 3, "max": 255, "pattern": "[a-zA-Z0-9_.-]+"}, dd["TableName"]
    assert dd["CreateTableInput"]["members"]["TableName"] == "TableArn"
    assert dd["TableArn"] == {"type": "string", "min": 1, "max": 1024}, dd["TableArn"]
    assert "PAY_PER_REQUEST" in dd["BillingMode"]["enum"]

    # s3: the replication-time shapes.
    s3 = sv["s3"]["shapes"]
    assert s3["ReplicationTime"] == {"type": "structure", "members": {"Status": "ReplicationTimeStatus"}}, \
        s3["ReplicationTime"]
    assert s3["ReplicationTimeStatus"] == {"type": "string", "enum": ["Enabled", "Disabled"]}
    # ReplicationTimeValue.Minutes is an unconstrained integer in botocore ("Valid value: 15" is only prose).
    assert "ReplicationTimeValue" not in s3 and "Minutes" not in s3
    assert "BucketName" not in s3, "botocore does not model bucket-name rules"

    # elbv2: botocore carries no length limit on target group / load balancer names
    # (the ELB docs say 32 characters); the validation layer must supply that itself.
    lb = sv["elbv2"]["shapes"]
    assert "TargetGroupName" not in lb and "LoadBalancerName" not in lb
    assert "Name" not in lb["CreateTargetGroupInput"]["members"]
    assert "Name" not in lb["CreateLoadBalancerInput"]["members"]
    assert lb["HealthCheckIntervalSeconds"] == {"type": "integer", "min": 5, "max": 300}, lb["HealthCheckIntervalSeconds"]
    assert lb["HealthCheckThresholdCount"] == {"type": "integer", "min": 2, "max": 10}, lb["HealthCheckThresholdCount"]

    # iam: role names.
    iam = sv["iam"]["shapes"]
    assert iam["roleNameType"] == {"type": "string", "min": 1, "max": 64, "pattern": "[\\w+=,.@-]+"}, iam["roleNameType"]
    assert iam["CreateRoleRequest"]["members"]["RoleName"] == "roleNameType"

    # ec2: restricted to the listed operations' inputs.
    ec2 = sv["ec2"]["shapes"]
    assert ec2["CreateFlowLogsRequest"]["members"]["TrafficType"] == "TrafficType"
    assert ec2["TrafficType"] == {"type": "string", "enum": ["ACCEPT", "REJECT", "ALL"]}
    assert "RunInstancesRequest" not in ec2 and "CreateFlowLogsResult" not in ec2
    assert len(ec2) < 400, len(ec2)

    # Every structure member and list / map element resolves to a written shape.
    for svc, sdoc in sv.items():
        shapes = sdoc["shapes"]
        for name, e in shapes.items():
            refs = list(e.get("members", {}).values()) + [e[k] for k in ("member", "key", "value") if k in e]
            for r in refs:
                assert r in shapes or e["type"] in ("list", "map"), f"{svc}.{name} -> {r}"
            if e["type"] == "structure":
                assert e["members"], f"{svc}.{name}: empty structure written"


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", metavar="PATH", help=f"use this local {WHEEL_NAME} instead of downloading it")
    ap.add_argument(
        "--cache-dir", metavar="DIR",
        default=os.environ.get("TOPOC_AWS_CONSTRAINTS_CACHE", str(DEFAULT_CACHE)),
        help="where the downloaded wheel is kept (default: $TOPOC_AWS_CONSTRAINTS_CACHE or <repo>/.cache/aws-constraints)",
    )
    ap.add_argument("--output", metavar="PATH", default=str(DEFAULT_OUTPUT),
                    help="file to write (default: <repo>/schemas/aws-api-constraints.json)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if the existing output file differs from a fresh extraction")
    mode.add_argument("--self-test", action="store_true",
                      help="write nothing; run the script's own tests (needs the wheel like a normal run)")
    args = ap.parse_args(argv)

    if args.self_test:
        try:
            self_test_synthetic()
        except AssertionError as e:
            fail(f"self-test (synthetic model) failed: {e!r}")
        info("self-test: synthetic model checks passed")

    wheel = obtain_wheel(args)
    started = time.monotonic()
    models, missing = load_models(wheel)
    doc = convert(models, missing)
    text = render(doc)
    elapsed = time.monotonic() - started
    info(f"extracted {sum(len(s['shapes']) for s in doc['services'].values())} shapes from "
         f"{len(doc['services'])} services in {elapsed:.1f}s")

    if args.self_test:
        try:
            self_test_real(doc)
        except AssertionError as e:
            fail(f"self-test (botocore {PACKAGE_VERSION}) failed: {e!r}")
        if render(doc) != text:
            fail("self-test: rendering is not deterministic")
        info("self-test: botocore checks passed")
        return 0

    data = text.encode("utf-8")
    out = Path(args.output)

    if args.check:
        try:
            current = out.read_bytes()
        except FileNotFoundError:
            info(f"{out} does not exist")
            return 1
        if current != data:
            info(f"{out} is out of date; run scripts/extract-aws-constraints.py")
            for line in diff_summary(current.decode("utf-8", errors="replace"), doc):
                info("  " + line)
            return 1
        info(f"{out} is up to date")
        return 0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    info(f"wrote {out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
