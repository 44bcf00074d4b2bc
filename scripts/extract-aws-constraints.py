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
4. Writes ``<repo>/schemas/aws-api-constraints.json`` (or ``--output PATH``) in the
   layout below: sorted keys, one service and one shape per line, no timestamps, so
   re-running it is byte-for-byte reproducible. ``--check`` writes nothing and exits 1
   (printing a short summary of the differences) if the file on disk differs from a
   fresh extraction. ``--self-test`` writes nothing: it runs unit checks on a synthetic
   model, then checks the real extraction against the models (every input shape and
   all it reaches written, every entry as the model has it, see below), asserts a few
   known facts, and re-reads the text the way ``src/aws/vendored.rs`` does.

Layout (format_version 2), the flat one ``src/aws/vendored.rs`` reads lazily: top-level
scalars on one line each, and two *tables*, each opened by a ``"name":{`` line, holding
one ``"key":value`` entry per line, and closed by a line starting with ``}``; tables do
not nest::

    {
    "format_version":2,
    "generated_by":"scripts/extract-aws-constraints.py",
    "notes":[...],
    "services":{
    "acm":{"apiVersion":"2015-12-08","endpointPrefix":"acm","serviceId":"ACM"},
    ...
    },
    "shapes":{
    "dynamodb:TableName":{"max":255,"min":3,"pattern":"[a-zA-Z0-9_.-]+","type":"string"},
    ...
    },
    "source":{"missing_services":[],"package":"botocore",...}
    }

``services`` holds each service's botocore ``metadata.apiVersion`` / ``endpointPrefix`` /
``serviceId``; ``shapes`` is keyed ``<service>:<ShapeName>`` (botocore service name and
shape name; neither contains ``"`` or needs escaping); ``source`` names the wheel, its
sha256, the services and ``restricted_operations``.

Which services: ``SERVICES`` below (botocore service names; ``elbv2`` is
Elastic Load Balancing v2, ``logs`` is CloudWatch Logs, ``cloudwatch`` is monitoring).
All are present in botocore 1.44.8, including ``arc-region-switch``
(``OPTIONAL_SERVICES``: if a future botocore lacks one of these, it is skipped and listed
under ``source.missing_services``; any other missing service is fatal).

Which shapes, per service:

* A shape is *constrained* if it carries one of the constraint facts below (``enum``,
  ``pattern``, ``min``, ``max``).
* A shape *leads to a constraint* if it is constrained, or it is a list whose member
  leads to one, a map whose key or value does, or a structure with at least one member
  that does (computed as a fixpoint, so nested and recursive structures are handled).
* A shape is *input-reachable* if it is reachable (through structure members, list
  members and map keys / values) from the *input* shape of an operation of the service
  (operations without input are skipped). For the mapping from Terraform arguments to
  API members: every structure an operation takes is written whole, down to its
  unconstrained leaves.
* Written: every input-reachable shape, and every shape that leads to a constraint.
  So output and error shapes are written only when they lead to a constraint (dynamodb
  ``CreateTableOutput`` does, through ``TableName``; s3 ``GetPublicAccessBlockOutput``
  and the error structures with only a message do not).
* ``ec2`` is huge, so only the operations in ``RESTRICTED_OPERATIONS["ec2"]`` count, and
  only the shapes reachable from their inputs are considered at all: ec2 holds exactly
  the shapes input-reachable from those operations.
* With that rule the output is about 1.25 MB (about 8,600 shapes in 26 services, more
  than half of them structures), so nothing had to be dropped for size.

Facts written per shape (documentation, deprecation, sensitivity, wire names and
``required`` lists are all dropped). Every entry has ``"type"``, the botocore shape type;
an unconstrained scalar is written as just that, e.g. ``{"type":"string"}``:

* string: ``enum`` (list, in model order), ``pattern`` (regex), ``min`` / ``max``
  (length in Unicode scalar values).
* integer, long, float, double: ``min`` / ``max`` (inclusive range; floats for double).
* blob: ``min`` / ``max`` (size in bytes).
* list: ``member`` (shape name), ``min`` / ``max`` (item count).
* map: ``key`` / ``value`` (shape names), ``min`` / ``max`` (entry count).
* boolean, timestamp: nothing besides the type.
* structure: ``members``: member name -> shape name, for ALL its members, constrained
  or not (``{}`` for an input that takes no parameters). Member names are botocore's API
  member names (``TableName``, ``RoleName``), not wire ``locationName`` spellings and
  not Terraform argument names.

So ``(service, structure, member)`` resolves as
``shapes["<service>:<structure>"].members[member]`` -> shape name ->
``shapes["<service>:<shape name>"]``. For a structure that is input-reachable the
target is always written. A structure written only because it leads to a constraint
(an output or error structure) also lists its members whose target is not written:
such a target is neither constrained nor leads to a constraint, and is not reachable
from any input. A member absent from a written structure does not exist in the API.

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
subprocess, and only when no ``--wheel`` and no cached wheel is available), and
``scripts/vendored_wheel.py`` beside this script, which holds the wheel download /
cache / sha256 / zip code, the output layout and ``--check`` that the three
``extract-*.py`` scripts share.
Reading the cached wheel and extracting take well under a second (about 0.3 s here,
``--check`` about 0.4 s in all); the first run also downloads the 17 MB wheel.

To move to a newer botocore: change ``PACKAGE_VERSION`` and ``WHEEL_SHA256`` (take the
sha256 from PyPI's file listing or ``sha256sum`` of the downloaded wheel), re-run,
run ``--self-test``, and review the diff.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vendored_wheel  # noqa: E402  (scripts/vendored_wheel.py)

PACKAGE = "botocore"
PACKAGE_VERSION = "1.44.8"
WHEEL_NAME = f"{PACKAGE}-{PACKAGE_VERSION}-py3-none-any.whl"
# sha256 of botocore-1.44.8-py3-none-any.whl as downloaded from PyPI (16,884,815 bytes).
WHEEL_SHA256 = "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043"
PIN = vendored_wheel.PinnedWheel(PACKAGE, PACKAGE_VERSION, WHEEL_NAME, WHEEL_SHA256)
DATA_PREFIX = "botocore/data/"

FORMAT_VERSION = 2
GENERATED_BY = "scripts/extract-aws-constraints.py"

REPO_ROOT = vendored_wheel.REPO_ROOT
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
    "ssm",
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
        # The attribute calls that carry the subnet's and VPC's boolean settings.
        "ModifySubnetAttribute",
        "ModifyVpcAttribute",
    ),
    # Only the Region switch drills' runbooks.
    "ssm": ("CreateDocument",),
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
    "services.<service>: botocore metadata.apiVersion / endpointPrefix / serviceId of the model used.",
    "shapes.<service>:<Shape>: one botocore shape per line; 'type' is the botocore shape type, "
    "alone for an unconstrained scalar.",
    "Written: every shape reachable from an operation's input shape, and every shape that is constrained "
    "or leads (through members, list items, map keys / values) to a constrained shape; "
    "other output and error shapes are left out.",
    "string: enum (model order), pattern (ECMA-262, NOT implicitly anchored), min/max = length in Unicode scalar values.",
    "integer/long/float/double: min/max = inclusive range. blob: min/max = size in bytes.",
    "list: member = item shape, min/max = item count. map: key/value shapes, min/max = entry count.",
    "structure: members = member name -> shape name, all members. A target that is not written "
    "(only from output / error structures) carries no constraint.",
    "botocore omits many documented limits: a shape without enum/pattern/min/max is unchecked, not unlimited.",
    "ec2 holds only the shapes reachable from the input shapes of source.restricted_operations.ec2.",
]


LOG = vendored_wheel.Log("extract-aws-constraints")
fail = LOG.fail
info = LOG.info


# --------------------------------------------------------------------------------------
# Reading the wheel
# --------------------------------------------------------------------------------------

def load_models(wheel: Path) -> tuple[dict[str, dict], list[str]]:
    """Return ({service: service-2 model of its newest api version}, [missing optional services])."""
    models: dict[str, dict] = {}
    missing: list[str] = []
    with vendored_wheel.open_wheel(wheel, LOG) as zf:
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


def input_roots(service: str, model: dict, operations: tuple[str, ...] | None) -> list[str]:
    """The input shapes of ``operations``, or of every operation that has one if None."""
    shapes: dict[str, dict] = model.get("shapes") or {}
    ops: dict[str, dict] = model.get("operations") or {}
    roots = []
    for op in (sorted(ops) if operations is None else operations):
        if op not in ops:
            fail(f"{service}: operation {op} not in the model")
        inp = (ops[op].get("input") or {}).get("shape")
        if inp is None:
            if operations is None:
                continue  # e.g. iam GetAccountPasswordPolicy takes no parameters
            fail(f"{service}: operation {op} has no input shape")
        if inp not in shapes:
            fail(f"{service}: operation {op} input {inp!r} is not a shape")
        roots.append(inp)
    return roots


def constrained(shape: dict) -> bool:
    return any(k in shape for k in ALL_CONSTRAINT_KEYS)


def leads_to_constraint(shapes: dict[str, dict], universe: set[str]) -> set[str]:
    """The shapes of ``universe`` that are constrained, or are a list / map / structure
    referring to one of these (a fixpoint, so nesting and recursion are handled)."""
    kept = {n for n in universe if constrained(shapes[n])}
    changed = True
    while changed:
        changed = False
        for n in universe - kept:
            if any(r in kept for r in references(shapes[n])):
                kept.add(n)
                changed = True
    return kept


def entry_of(shape: dict) -> dict:
    """What is written for one shape: its type, its constraints and its references."""
    t = shape["type"]
    entry: dict = {"type": t}
    for k in CONSTRAINT_KEYS[t]:
        if k in shape:
            entry[k] = shape[k]
    if t == "structure":
        entry["members"] = {m: ref["shape"] for m, ref in shape.get("members", {}).items()}
    elif t == "list":
        entry["member"] = shape["member"]["shape"]
    elif t == "map":
        entry["key"] = shape["key"]["shape"]
        entry["value"] = shape["value"]["shape"]
    return entry


def extract_service(service: str, model: dict, operations: tuple[str, ...] | None = None) -> dict:
    """Return {"metadata": {...}, "shapes": {name: entry}} for one botocore model.

    Kept: every shape reachable from the input shape of an operation (of ``operations``
    if given, else of every operation), plus, among the shapes of the model (only those
    reachable from those inputs if ``operations`` is given), every shape that leads to
    a constraint."""
    meta = model.get("metadata") or {}
    missing = [k for k in METADATA_KEYS if not isinstance(meta.get(k), str)]
    if missing:
        fail(f"{service}: metadata lacks {missing}")
    shapes: dict[str, dict] = model.get("shapes") or {}
    check_model(service, shapes)

    inputs = reachable(shapes, input_roots(service, model, operations))
    universe = inputs if operations is not None else set(shapes)
    kept = inputs | leads_to_constraint(shapes, universe)
    out = {n: entry_of(shapes[n]) for n in sorted(kept)}
    return {"metadata": {k: meta[k] for k in METADATA_KEYS}, "shapes": out}


def shape_key(service: str, name: str) -> str:
    """The key of a shape in the ``shapes`` table."""
    return f"{service}:{name}"


def convert(models: dict[str, dict], missing: list[str]) -> dict:
    per_service = {s: extract_service(s, m, RESTRICTED_OPERATIONS.get(s)) for s, m in sorted(models.items())}
    doc = assemble(per_service, missing)
    total = len(doc["shapes"])
    if total < MIN_SHAPES_TOTAL:
        fail(f"only {total} shapes kept in all services")
    for svc, names in REQUIRED_SHAPES.items():
        for n in names:
            if shape_key(svc, n) not in doc["shapes"]:
                fail(f"shape {svc}.{n} missing from the extraction")
    return doc


def assemble(per_service: dict[str, dict], missing: list[str]) -> dict:
    """The output document: the per-service extractions flattened into two tables."""
    shapes: dict[str, dict] = {}
    for svc, sdoc in per_service.items():
        for name, entry in sdoc["shapes"].items():
            key = shape_key(svc, name)
            # src/aws/vendored.rs takes a key verbatim up to the first `":`; it must need no escaping.
            if not _TABLE_KEY.match(key):
                fail(f"shape key {key!r} is not a plain table key")
            shapes[key] = entry
    return {
        "format_version": FORMAT_VERSION,
        "generated_by": GENERATED_BY,
        "notes": NOTES,
        "services": {svc: sdoc["metadata"] for svc, sdoc in per_service.items()},
        "shapes": shapes,
        "source": {
            "missing_services": sorted(missing),
            "package": PACKAGE,
            "restricted_operations": {s: list(ops) for s, ops in RESTRICTED_OPERATIONS.items()},
            "services": sorted(per_service),
            "sha256": WHEEL_SHA256,
            "version": PACKAGE_VERSION,
            "wheel": WHEEL_NAME,
        },
    }


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

_dump = vendored_wheel.dump
TABLES = ("services", "shapes")
_TABLE_KEY = re.compile(r"^[A-Za-z0-9_.:-]+$")


def render(doc: dict) -> str:
    """Valid JSON, sorted keys, one top-level scalar per line, one service and one shape per line."""
    return vendored_wheel.render(doc, TABLES, LOG)


def split_like_vendored_rs(text: str) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """What ``VendoredJson::split`` in src/aws/vendored.rs makes of ``text``: raw scalar
    values and raw table entries (the Rust reader, transcribed; raises on a line it rejects)."""

    def split_entry(line: str) -> tuple[str, str] | None:
        if not line.startswith('"'):
            return None
        rest = line[1:]
        end = rest.find('":')
        if end < 0:
            return None
        value = rest[end + 2:]
        return rest[:end], value[:-1] if value.endswith(",") else value

    scalars: dict[str, str] = {}
    tables: dict[str, list[tuple[str, str]]] = {}
    current: str | None = None
    for line in text.split("\n"):
        if current is not None:
            if line.startswith("}"):
                current = None
                continue
            entry = split_entry(line)
            if entry is None:
                raise ValueError(f"table {current}: line is not a \"key\":value entry: {line[:80]}")
            tables[current].append(entry)
            continue
        entry = split_entry(line)
        if entry is None:
            continue
        key, value = entry
        if value == "{":
            current = key
            tables.setdefault(key, [])
        else:
            scalars[key] = value
    return scalars, tables


def check_layout(text: str) -> None:
    """The Rust reader sees exactly what a full JSON parse sees (like vendored.rs's tests)."""
    full = json.loads(text)
    scalars, tables = split_like_vendored_rs(text)
    assert sorted(tables) == sorted(TABLES), sorted(tables)
    assert len(scalars) + len(tables) == len(full), (sorted(scalars), sorted(tables))
    for key, raw in scalars.items():
        assert json.loads(raw) == full[key], key
    for key, entries in tables.items():
        assert len(entries) == len(full[key]), key
        for name, raw in entries:
            assert json.loads(raw) == full[key][name], f"{key}.{name}"


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
        if key in TABLES or old.get(key) == new.get(key):
            continue
        out.append(f"top-level {key!r}: {_dump(old.get(key))[:120]} -> {_dump(new.get(key))[:120]}")
    if old.get("format_version") != new["format_version"]:
        out.append(f"the file on disk has another layout (format_version {_dump(old.get('format_version'))})")
        return out
    osv = old.get("services") if isinstance(old.get("services"), dict) else {}
    nsv = new["services"]
    osh = old.get("shapes") if isinstance(old.get("shapes"), dict) else {}
    nsh = new["shapes"]

    def by_service(table: dict) -> dict[str, dict[str, object]]:
        grouped: dict[str, dict[str, object]] = {}
        for key, entry in table.items():
            svc, _, name = key.partition(":")
            grouped.setdefault(svc, {})[name] = entry
        return grouped

    oby, nby = by_service(osh), by_service(nsh)
    for svc in sorted(set(osv) | set(nsv) | set(oby) | set(nby)):
        os_, ns = oby.get(svc, {}), nby.get(svc, {})
        if svc not in nsv:
            out.append(f"service {svc}: only on disk")
            continue
        if svc not in osv:
            out.append(f"service {svc}: new ({len(ns)} shapes)")
            continue
        if osv[svc] != nsv[svc]:
            out.append(f"service {svc}: metadata {_dump(osv[svc])} -> {_dump(nsv[svc])}")
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
            "Op1": {"input": {"shape": "Outer"}, "output": {"shape": "Result"}, "errors": [{"shape": "Boom"}]},
            "Op2": {"input": {"shape": "Plain"}, "output": {"shape": "Quiet"}},
            "Op3": {"input": {"shape": "Empty"}},
            "Op4": {},
        },
        "shapes": {
            "Name": s(min=1, max=10, pattern="[a-z]+", documentation="<p>doc</p>", sensitive=True),
            "Free": s(),
            "Kind": s(enum=["b", "a"]),
            "Count": {"type": "integer", "min": 0},
            "Ratio": {"type": "double", "min": 0.0, "max": 100.0},
            "Flag": {"type": "boolean"},
            "Stamp": {"type": "timestamp"},
            "Bytes": {"type": "blob", "max": 4096},
            "Names": {"type": "list", "member": ref("Name")},
            "Frees": {"type": "list", "member": ref("Free")},
            "BoundedFrees": {"type": "list", "member": ref("Free"), "max": 5},
            "Tags": {"type": "map", "key": ref("Free"), "value": ref("Name")},
            "Inner": {"type": "structure", "required": ["A"], "members": {
                "A": ref("Name"), "B": ref("Free"), "C": ref("Frees"), "D": ref("Flag")}},
            "Outer": {"type": "structure", "members": {"X": ref("Inner"), "Y": ref("Free")}},
            "Plain": {"type": "structure", "members": {"Y": ref("Free"), "Z": ref("Frees")}},
            "Empty": {"type": "structure", "members": {}},
            "Result": {"type": "structure", "members": {"K": ref("Kind"), "When": ref("Stamp")}},
            "Quiet": {"type": "structure", "members": {"When": ref("Stamp"), "Y": ref("Free")}},
            "Boom": {"type": "structure", "members": {"Message": ref("Free")}, "exception": True},
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
    # Constrained or leading to a constraint (Result is an output shape, kept for Kind) ...
    by_constraint = ["Bytes", "BoundedFrees", "Count", "Inner", "Kind", "Loop2", "Name", "Names", "Outer", "Ratio",
                     "Result", "Tags", "Unused"]
    # ... plus everything the operations' inputs reach; not Loop, Quiet (an output), Boom (an error), Stamp.
    by_input = ["Empty", "Flag", "Free", "Frees", "Inner", "Name", "Outer", "Plain"]
    assert sorted(sh) == sorted(set(by_constraint) | set(by_input)), sorted(sh)
    assert sh["Name"] == {"type": "string", "min": 1, "max": 10, "pattern": "[a-z]+"}, sh["Name"]
    assert sh["Kind"] == {"type": "string", "enum": ["b", "a"]}, "enum keeps model order"
    assert sh["Count"] == {"type": "integer", "min": 0}
    assert sh["Ratio"] == {"type": "double", "min": 0.0, "max": 100.0}
    assert sh["Bytes"] == {"type": "blob", "max": 4096}
    assert sh["Free"] == {"type": "string"}, "unconstrained scalars: the type alone"
    assert sh["Flag"] == {"type": "boolean"}
    assert sh["Names"] == {"type": "list", "member": "Name"}
    assert sh["Frees"] == {"type": "list", "member": "Free"}
    assert sh["BoundedFrees"] == {"type": "list", "member": "Free", "max": 5}
    assert sh["Tags"] == {"type": "map", "key": "Free", "value": "Name"}
    assert sh["Inner"] == {"type": "structure", "members": {"A": "Name", "B": "Free", "C": "Frees", "D": "Flag"}}, \
        "all members, constrained or not"
    assert sh["Outer"] == {"type": "structure", "members": {"X": "Inner", "Y": "Free"}}
    assert sh["Plain"] == {"type": "structure", "members": {"Y": "Free", "Z": "Frees"}}
    assert sh["Empty"] == {"type": "structure", "members": {}}
    assert sh["Result"] == {"type": "structure", "members": {"K": "Kind", "When": "Stamp"}}, \
        "all members, even one naming a shape that is not written"
    assert sh["Loop2"] == {"type": "structure", "members": {"Self": "Loop2", "V": "Kind"}}, "recursion"
    # Restricted to operations: only what their inputs reach.
    r = extract_service("svc", model, ("Op1",))["shapes"]
    assert sorted(r) == ["Flag", "Free", "Frees", "Inner", "Name", "Outer"], sorted(r)
    r = extract_service("svc", model, ("Op2",))["shapes"]
    assert sorted(r) == ["Free", "Frees", "Plain"], sorted(r)

    # Layout: flat tables, one service and one shape per line, what vendored.rs reads.
    doc = assemble({"svc": got, "empty": {"metadata": {"apiVersion": "x"}, "shapes": {}}}, [])
    assert sorted(doc) == ["format_version", "generated_by", "notes", "services", "shapes", "source"], sorted(doc)
    assert doc["services"] == {"empty": {"apiVersion": "x"}, "svc": got["metadata"]}
    assert sorted(doc["shapes"]) == sorted(f"svc:{n}" for n in sh)
    text = render(doc)
    assert text == render(json.loads(text))
    lines = text.split("\n")
    assert lines[:3] == ["{", '"format_version":2,', '"generated_by":"scripts/extract-aws-constraints.py",'], lines[:3]
    assert '"services":{' in lines and '"shapes":{' in lines
    assert '"svc:Name":{"max":10,"min":1,"pattern":"[a-z]+","type":"string"},' in lines, text
    assert '"svc:Free":{"type":"string"},' in lines, text
    assert '"svc":{"apiVersion":"2020-01-01","endpointPrefix":"ep","serviceId":"Svc"}' in lines, text
    check_layout(text)
    assert diff_summary(text, doc) == ["same data, different bytes (layout or formatting)"]
    doc2 = json.loads(text)
    doc2["shapes"]["svc:Name"]["max"] = 11
    del doc2["shapes"]["svc:Count"]
    doc2["services"]["svc"]["apiVersion"] = "2021-01-01"
    summary = diff_summary(text, doc2)
    assert summary == [
        'service svc: metadata {"apiVersion":"2020-01-01","endpointPrefix":"ep","serviceId":"Svc"} -> '
        '{"apiVersion":"2021-01-01","endpointPrefix":"ep","serviceId":"Svc"}',
        "service svc: 1 removed (Count); 1 changed (Name)"], summary
    old_layout = _dump({"format_version": 1, "services": {"svc": {"metadata": {}, "shapes": {}}}})
    assert diff_summary(old_layout, doc)[-1] == "the file on disk has another layout (format_version 1)", \
        diff_summary(old_layout, doc)
    assert diff_summary("{", doc)[0].startswith("the file on disk is not valid JSON")


def self_test_real(doc: dict, text: str, models: dict[str, dict]) -> None:
    sv = doc["services"]
    shapes = doc["shapes"]
    src = doc["source"]
    assert src["package"] == PACKAGE and src["version"] == PACKAGE_VERSION and src["sha256"] == WHEEL_SHA256
    assert src["missing_services"] == [], src["missing_services"]  # all present in 1.44.8
    assert sorted(sv) == sorted(SERVICES), sorted(sv)
    check_layout(text)

    def shape(svc: str, name: str) -> dict:
        return shapes[shape_key(svc, name)]

    def written(svc: str, name: str) -> bool:
        return shape_key(svc, name) in shapes

    # metadata
    assert sv["elbv2"] == {
        "apiVersion": "2015-12-01", "endpointPrefix": "elasticloadbalancing",
        "serviceId": "Elastic Load Balancing v2"}, sv["elbv2"]
    assert sv["cloudwatch"]["endpointPrefix"] == "monitoring"
    assert sv["cloudfront"]["apiVersion"] == "2020-05-31", "newest of many api versions"
    assert sv["ec2"]["apiVersion"] == "2016-11-15"

    # dynamodb: TableName 3..255 with a pattern; CreateTable's TableName accepts an ARN too.
    assert shape("dynamodb", "TableName") == {"type": "string", "min": 3, "max": 255, "pattern": "[a-zA-Z0-9_.-]+"}
    create_table = shape("dynamodb", "CreateTableInput")["members"]
    assert create_table["TableName"] == "TableArn"
    assert create_table["BillingMode"] == "BillingMode" and create_table["KeySchema"] == "KeySchema"
    assert create_table["DeletionProtectionEnabled"] == "DeletionProtectionEnabled", "unconstrained members too"
    assert shape("dynamodb", "DeletionProtectionEnabled") == {"type": "boolean"}
    assert shape("dynamodb", "TableArn") == {"type": "string", "min": 1, "max": 1024}
    assert "PAY_PER_REQUEST" in shape("dynamodb", "BillingMode")["enum"]

    # s3: the replication-time shapes.
    assert shape("s3", "ReplicationTime") == {
        "type": "structure", "members": {"Status": "ReplicationTimeStatus", "Time": "ReplicationTimeValue"}}
    assert shape("s3", "ReplicationTimeStatus") == {"type": "string", "enum": ["Enabled", "Disabled"]}
    # ReplicationTimeValue.Minutes is an unconstrained integer in botocore ("Valid value: 15" is only prose).
    assert shape("s3", "ReplicationTimeValue") == {"type": "structure", "members": {"Minutes": "Minutes"}}
    assert shape("s3", "Minutes") == {"type": "integer"}
    assert shape("s3", "BucketName") == {"type": "string"}, "botocore does not model bucket-name rules"

    # elbv2: botocore carries no length limit on target group / load balancer names
    # (the ELB docs say 32 characters); the validation layer must supply that itself.
    assert shape("elbv2", "CreateTargetGroupInput")["members"]["Name"] == "TargetGroupName"
    assert shape("elbv2", "CreateLoadBalancerInput")["members"]["Name"] == "LoadBalancerName"
    assert shape("elbv2", "TargetGroupName") == {"type": "string"}
    assert shape("elbv2", "LoadBalancerName") == {"type": "string"}
    assert shape("elbv2", "HealthCheckIntervalSeconds") == {"type": "integer", "min": 5, "max": 300}
    assert shape("elbv2", "HealthCheckThresholdCount") == {"type": "integer", "min": 2, "max": 10}

    # iam: role names.
    assert shape("iam", "roleNameType") == {"type": "string", "min": 1, "max": 64, "pattern": "[\\w+=,.@-]+"}
    assert shape("iam", "CreateRoleRequest")["members"]["RoleName"] == "roleNameType"

    # Outputs and errors stay out unless they lead to a constraint.
    assert written("dynamodb", "CreateTableOutput"), "leads to TableName"
    assert not written("s3", "GetPublicAccessBlockOutput") and not written("iam", "UpdateRoleResponse")
    assert not written("dynamodb", "BackupNotFoundException") and not written("s3", "NoSuchBucket")

    # ec2: restricted to the listed operations' inputs.
    assert shape("ec2", "CreateFlowLogsRequest")["members"]["TrafficType"] == "TrafficType"
    assert shape("ec2", "CreateFlowLogsRequest")["members"]["LogGroupName"] == "String"
    assert shape("ec2", "TrafficType") == {"type": "string", "enum": ["ACCEPT", "REJECT", "ALL"]}
    assert shape("ec2", "String") == {"type": "string"}
    assert not written("ec2", "RunInstancesRequest") and not written("ec2", "CreateFlowLogsResult")
    n_ec2 = sum(1 for k in shapes if k.startswith("ec2:"))
    assert n_ec2 < 400, n_ec2

    # Per service, against the model: every operation input (of the listed ec2 operations)
    # is written with everything it reaches; every structure carries all its members; a
    # reference to a shape not written (from an output or error structure) names a shape
    # that is unconstrained and leads to no constraint.
    for svc, model in models.items():
        mshapes = model["shapes"]
        inputs = reachable(mshapes, input_roots(svc, model, RESTRICTED_OPERATIONS.get(svc)))
        for name in inputs:
            assert written(svc, name), f"{svc}.{name}: reachable from an input, not written"
        own = {k.split(":", 1)[1]: e for k, e in shapes.items() if k.split(":", 1)[0] == svc}
        for name, e in own.items():
            assert e == entry_of(mshapes[name]), f"{svc}.{name}"
            for r in references(mshapes[name]):
                if r not in own:
                    assert name not in inputs, f"{svc}.{name} -> {r}"
                    assert not any(constrained(mshapes[x]) for x in reachable(mshapes, [r])), f"{svc}.{name} -> {r}"


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    vendored_wheel.add_source_arguments(
        ap, PIN, cache_env="TOPOC_AWS_CONSTRAINTS_CACHE", default_cache=DEFAULT_CACHE, default_output=DEFAULT_OUTPUT)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help=vendored_wheel.CHECK_HELP)
    mode.add_argument("--self-test", action="store_true",
                      help="write nothing; run the script's own tests (needs the wheel like a normal run)")
    args = ap.parse_args(argv)

    if args.self_test:
        try:
            self_test_synthetic()
        except AssertionError as e:
            fail(f"self-test (synthetic model) failed: {e!r}")
        info("self-test: synthetic model checks passed")

    wheel = vendored_wheel.obtain_wheel(PIN, args.wheel, args.cache_dir, LOG)
    started = time.monotonic()
    models, missing = load_models(wheel)
    doc = convert(models, missing)
    text = render(doc)
    elapsed = time.monotonic() - started
    info(f"extracted {len(doc['shapes'])} shapes from "
         f"{len(doc['services'])} services in {elapsed:.1f}s")

    if args.self_test:
        try:
            self_test_real(doc, text, models)
        except AssertionError as e:
            fail(f"self-test (botocore {PACKAGE_VERSION}) failed: {e!r}")
        if render(doc) != text:
            fail("self-test: rendering is not deterministic")
        info("self-test: botocore checks passed")
        return 0

    return vendored_wheel.write_or_check(
        Path(args.output), text.encode("utf-8"), check=args.check, generated_by=GENERATED_BY, log=LOG,
        explain=lambda old_text: diff_summary(old_text, doc))


if __name__ == "__main__":
    sys.exit(main())
