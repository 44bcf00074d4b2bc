#!/usr/bin/env python3
"""Extract the Terraform AWS provider schema subset that topoc checks its output against.

Source: the jsii assembly inside the PyPI wheel of cdktn-provider-aws==25.8.1, the
prebuilt CDK-Terrain bindings generated from hashicorp/aws 6.69.1
(``cdktn_provider_aws/_jsii/provider-aws@25.8.1.jsii.tgz`` -> ``package/.jsii``, which is
a jsii file-redirect to a gzip-compressed 155 MB JSON assembly).

What the script does:

1. Gets the wheel, either from ``--wheel PATH`` or with
   ``pip download --no-deps --only-binary=:all: cdktn-provider-aws==25.8.1`` into a
   cache folder (default ``<repo>/.cache/provider-schema/``; ``--cache-dir`` or the
   environment variable ``TOPOC_PROVIDER_SCHEMA_CACHE`` override it). The cache folder
   gets its own ``.gitignore`` containing ``*``.
2. Verifies the wheel's sha256 against ``WHEEL_SHA256`` below. Any mismatch is fatal.
3. Reads the assembly straight out of the wheel (zip -> tgz -> gzip); nothing is installed.
   This takes a few seconds and about 1 GB of memory.
4. Writes ``<repo>/schemas/aws-provider-schema.json`` (or ``--output PATH``): sorted keys,
   one resource / data source type per line, no timestamps, so re-running it is
   byte-for-byte reproducible. ``--check`` writes nothing and exits 1 if the file on
   disk differs from a fresh extraction.

Which types: every resource, data source and ephemeral resource whose Terraform type
name starts with one of ``TYPE_PREFIXES`` (plain ``str.startswith``, so ``aws_vpc`` also
takes ``aws_vpclattice_*`` and ``aws_route`` also takes ``aws_route53*``).

How each fact is derived from the assembly:

* type name: the class docs "Represents a {@link .../docs/<kind>/<x> aws_<x>}", where
  <kind> is resources, data-sources or ephemeral-resources.
* arguments: the properties of the initializer's ``config`` struct (plus the structs it
  extends from this assembly). The Terraform meta-arguments (count, for_each, provider,
  lifecycle, depends_on, connection, provisioners) come from cdktn's own
  ``TerraformMetaArguments`` interface and are therefore never included.
  Computed-only attributes (arn, id of most resources, ...) are not in the config struct.
* exact snake_case name: the ``#<name>`` anchor of the property's registry link.
* required: the property is not ``optional``. Caveat: cdktf/cdktn marks a block whose
  content it typed as ``any`` (see "opaque" below) as optional whatever the provider says.
* type: ``string`` | ``number`` | ``bool`` | ``any`` | ``list(T)`` | ``map(T)`` |
  ``object`` | ``list(object)`` | ``map(object)``. Sets are indistinguishable from lists
  in the assembly and are written as ``list(...)``.
* block vs attribute: a block's docs summary is exactly "<name> block.". A struct-typed
  property without it is an object-typed *attribute* (plugin-framework nested
  attribute); it is written as an attribute with ``"type": "object"`` /
  ``"list(object)"`` and its shape under ``attributes`` / ``blocks``.
* block nesting: a block typed as a single struct is ``"single"`` (max_items = 1), an
  array of structs is ``"list"`` (list or set, any max_items > 1 or unbounded;
  plugin-framework list blocks with a size-1 validator also show up as ``"list"``).
* opaque blocks: where the provider schema nests too deeply, the generator typed the
  block as ``any`` (e.g. ``rule.statement`` of aws_wafv2_web_acl and
  aws_wafv2_rule_group). Such a block is written as
  ``{"nesting": "list", "opaque": true, "attributes": {}, "blocks": {}}``: its name is
  known, its contents are not, and a checker must accept anything inside it.
* recursive blocks: where a struct contains itself (``statement`` inside
  ``and_statement`` / ``not_statement`` / ``or_statement`` of aws_wafv2_web_acl_rule),
  the inner block is written as ``{"nesting": ..., "recursive_ref": "statement"}``
  without ``attributes`` / ``blocks``: it has the same schema as the enclosing block
  at that dotted path of block names, counted from the type's top level.
* deprecated: written as ``"deprecated": true`` when the property's docs carry a jsii
  ``deprecated`` tag. The 25.8.1 assembly carries none, so no entry has it.

Not available from the assembly at all: list vs set, min_items, max_items > 1, enum /
regex validators, ConflictsWith / ExactlyOneOf, defaults, computed and sensitive flags.

Output shape of one type or block (only ``"required": true`` is written, never false)::

    {"attributes": {NAME: {"required": true, "type": "string"}, ...},
     "blocks": {NAME: {"required": true, "nesting": "single"|"list",
                       "attributes": {...}, "blocks": {...}}}}

Run-time dependencies: the Python 3.11 standard library only (pip is used as a
subprocess, and only when no ``--wheel`` and no cached wheel is available), and
``scripts/vendored_wheel.py`` beside this script, which holds the wheel download /
cache / sha256 / zip code, the output layout and ``--check`` that the three
``extract-*.py`` scripts share.

To move to a newer cdktn-provider-aws: change ``PACKAGE_VERSION``, ``PROVIDER_VERSION``
and ``WHEEL_SHA256`` (take the sha256 from PyPI's file listing or ``sha256sum`` of the
downloaded wheel), re-run, and review the diff.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import tarfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vendored_wheel  # noqa: E402  (scripts/vendored_wheel.py)

PACKAGE = "cdktn-provider-aws"
PACKAGE_VERSION = "25.8.1"
WHEEL_NAME = f"cdktn_provider_aws-{PACKAGE_VERSION}-py3-none-any.whl"
# sha256 of cdktn_provider_aws-25.8.1-py3-none-any.whl as published on PyPI (70,799,933 bytes).
WHEEL_SHA256 = "2ffa579cb88b063cb3a9937e43c519391e876845768f51638a848bdf2ce9f354"
PIN = vendored_wheel.PinnedWheel(PACKAGE, PACKAGE_VERSION, WHEEL_NAME, WHEEL_SHA256)
ASSEMBLY_TGZ = f"cdktn_provider_aws/_jsii/provider-aws@{PACKAGE_VERSION}.jsii.tgz"
ASSEMBLY_NAME = "@cdktn/provider-aws"

PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "6.69.1"

FORMAT_VERSION = 1
GENERATED_BY = "scripts/extract-provider-schema.py"

REPO_ROOT = vendored_wheel.REPO_ROOT
DEFAULT_CACHE = REPO_ROOT / ".cache" / "provider-schema"
DEFAULT_OUTPUT = REPO_ROOT / "schemas" / "aws-provider-schema.json"

# The types topoc emits, plus a margin. Matched with str.startswith on the Terraform type name.
TYPE_PREFIXES = (
    "aws_acm_",
    "aws_appautoscaling_",
    "aws_arcregionswitch_",
    "aws_availability_zone",
    "aws_caller_identity",
    "aws_cloudfront_",
    "aws_cloudtrail",
    "aws_cloudwatch_",
    "aws_config_",
    "aws_db_",
    "aws_default_",
    "aws_dynamodb_",
    "aws_ecr_",
    "aws_ec2_managed_prefix_list",
    "aws_ecs_",
    "aws_eip",
    "aws_elb_",
    "aws_fis_",
    "aws_flow_log",
    "aws_globalaccelerator_",
    "aws_guardduty_",
    "aws_iam_",
    "aws_internet_gateway",
    "aws_kms_",
    "aws_lb",
    "aws_nat_gateway",
    "aws_network_acl",
    "aws_organizations_",
    "aws_partition",
    "aws_rds_",
    "aws_region",
    "aws_route",
    "aws_route53",
    "aws_s3_",
    "aws_secretsmanager_",
    "aws_security_group",
    "aws_securityhub_",
    "aws_service_principal",
    "aws_servicequotas_",
    "aws_sns_",
    "aws_ssm_document",
    "aws_ssm_parameter",
    "aws_subnet",
    "aws_vpc",
    "aws_wafv2_",
)

# Sanity floors: an assembly that fails these is certainly not the expected one.
MIN_RESOURCES_IN_ASSEMBLY = 1500
MIN_DATA_SOURCES_IN_ASSEMBLY = 600
REQUIRED_TYPES = {
    "resources": (
        "aws_cloudfront_distribution", "aws_dynamodb_table", "aws_ecs_service", "aws_lb",
        "aws_rds_cluster", "aws_route53_record", "aws_s3_bucket", "aws_vpc", "aws_wafv2_web_acl",
    ),
    "data_sources": ("aws_caller_identity", "aws_iam_policy_document", "aws_partition", "aws_region"),
}

KIND_KEYS = {
    "resources": "resources",
    "data-sources": "data_sources",
    "ephemeral-resources": "ephemeral_resources",
}
CLASS_BASES = {
    "cdktn.TerraformResource": "resources",
    "cdktn.TerraformDataSource": "data-sources",
    "cdktn.TerraformEphemeralResource": "ephemeral-resources",
}
META_INTERFACES = {"cdktn.TerraformMetaArguments", "cdktn.TerraformEphemeralMetaArguments"}

_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/hashicorp/aws/(?P<version>[^/\s]+)/docs/"
    r"(?P<kind>resources|data-sources|ephemeral-resources)/(?P<page>[A-Za-z0-9_]+)"
    r"(?:#(?P<anchor>[A-Za-z0-9_]+))?\s+(?P<text>[^}]*)\}"
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


LOG = vendored_wheel.Log("extract-provider-schema")
fail = LOG.fail
info = LOG.info


# --------------------------------------------------------------------------------------
# Reading the wheel
# --------------------------------------------------------------------------------------

def load_assembly(wheel: Path) -> tuple[dict, dict]:
    """Return (assembly, package.json) from the wheel, following a jsii file-redirect."""
    tgz = vendored_wheel.read_member(wheel, ASSEMBLY_TGZ, LOG)
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tf:
        def member(name: str) -> bytes:
            f = tf.extractfile("package/" + name)
            if f is None:
                fail(f"package/{name} in {ASSEMBLY_TGZ} is not a regular file")
            return f.read()

        try:
            package_json = json.loads(member("package.json"))
            doc = json.loads(member(".jsii"))
            if doc.get("schema") == "jsii/file-redirect":
                raw = member(doc["filename"])
                if doc.get("compression") == "gzip":
                    raw = gzip.decompress(raw)
                elif doc.get("compression") is not None:
                    fail(f"unsupported jsii redirect compression {doc.get('compression')!r}")
                doc = json.loads(raw)
        except KeyError as e:
            fail(f"{ASSEMBLY_TGZ}: missing member {e}")
    if not str(doc.get("schema", "")).startswith("jsii/"):
        fail(f"not a jsii assembly (schema {doc.get('schema')!r})")
    return doc, package_json


# --------------------------------------------------------------------------------------
# Assembly -> schema
# --------------------------------------------------------------------------------------

class Extractor:
    def __init__(self, asm: dict) -> None:
        self.types: dict[str, dict] = asm["types"]
        self.tops: dict[str, dict[str, str]] = {k: {} for k in KIND_KEYS.values()}
        for fqn in sorted(self.types):
            t = self.types[fqn]
            kind = CLASS_BASES.get(t.get("base", "")) if t.get("kind") == "class" else None
            if kind is None or t.get("assembly") != ASSEMBLY_NAME:
                continue
            m = _LINK.search(t.get("docs", {}).get("summary", ""))
            if not m or m.group("kind") != kind:
                fail(f"class {fqn} ({kind}) has no registry link of that kind in its docs")
            if m.group("version") != PROVIDER_VERSION:
                fail(f"class {fqn} documents provider version {m.group('version')}, expected {PROVIDER_VERSION}")
            name = m.group("text").strip()
            if name != "aws_" + m.group("page") or not _NAME.match(name):
                fail(f"class {fqn}: odd type name {name!r} for page {m.group('page')!r}")
            table = self.tops[KIND_KEYS[kind]]
            if name in table:
                fail(f"{kind} {name} is defined by both {table[name]} and {fqn}")
            table[name] = fqn

    def config_fqn(self, class_fqn: str) -> str:
        for prm in self.types[class_fqn].get("initializer", {}).get("parameters", []):
            if prm["name"] == "config":
                return prm["type"]["fqn"]
        fail(f"class {class_fqn} has no config parameter")

    def struct_props(self, fqn: str) -> list[dict]:
        t = self.types[fqn]
        props = list(t.get("properties", []))
        for iface in t.get("interfaces", []):
            if iface in META_INTERFACES:
                continue  # count, for_each, provider, lifecycle, depends_on, ...
            it = self.types.get(iface)
            if it is None or it.get("assembly") != ASSEMBLY_NAME:
                fail(f"struct {fqn} extends unexpected interface {iface}")
            props += self.struct_props(iface)
        return props

    def type_of(self, tref: dict, where: str) -> tuple[str, str | None]:
        """Return (type string, fqn of the nested struct or None)."""
        if "union" in tref:
            alts = [x for x in tref["union"]["types"] if x.get("fqn") != "cdktn.IResolvable"]
            if len(alts) != 1:
                fail(f"{where}: unsupported union type {json.dumps(tref, sort_keys=True)}")
            return self.type_of(alts[0], where)
        if "primitive" in tref:
            prim = {"string": "string", "number": "number", "boolean": "bool", "any": "any",
                    "json": "any", "date": "string"}.get(tref["primitive"])
            if prim is None:
                fail(f"{where}: unsupported primitive {tref['primitive']!r}")
            return prim, None
        if "collection" in tref:
            c = tref["collection"]
            inner, nested = self.type_of(c["elementtype"], where)
            kind = {"array": "list", "map": "map"}.get(c["kind"])
            if kind is None:
                fail(f"{where}: unsupported collection kind {c['kind']!r}")
            return f"{kind}({inner})", nested
        fqn = tref.get("fqn", "")
        if fqn in self.types and self.types[fqn].get("datatype"):
            return "object", fqn
        fail(f"{where}: unsupported type reference {json.dumps(tref, sort_keys=True)}")

    def schema_of_struct(self, fqn: str, where: str, stack: tuple[tuple[str, str], ...] = ()) -> dict:
        """Schema of one struct. ``where`` is the dotted path from the type name down to
        this struct; ``stack`` holds (struct fqn, path) of every enclosing struct."""
        stack = stack + ((fqn, where),)
        attrs: dict[str, dict] = {}
        blocks: dict[str, dict] = {}
        for p in self.struct_props(fqn):
            docs = p.get("docs", {})
            text = (docs.get("summary") or "") + " " + (docs.get("remarks") or "")
            m = _LINK.search(text)
            if not m or not m.group("anchor"):
                fail(f"{where}: property {p['name']} of {fqn} has no registry anchor")
            name = m.group("anchor")
            if not _NAME.match(name):
                fail(f"{where}: odd attribute name {name!r}")
            if name in attrs or name in blocks:
                fail(f"{where}: duplicate attribute/block name {name!r}")
            sub = f"{where}.{name}"
            tstr, nested = self.type_of(p["type"], sub)
            is_block = (docs.get("summary") or "").strip() == f"{name} block."
            entry: dict = {}
            ancestor = next((path for f, path in stack if nested is not None and f == nested), None)
            if ancestor is not None and "." not in ancestor:
                fail(f"{sub}: refers back to the whole type {ancestor}")
            if not p.get("optional", False):
                entry["required"] = True
            if "deprecated" in docs:
                entry["deprecated"] = True
            if is_block:
                if tstr == "object":
                    entry["nesting"] = "single"
                elif tstr == "list(object)":
                    entry["nesting"] = "list"
                elif tstr == "any":
                    # Schema too deep for the generator: the block's name is known, its body is not.
                    entry["nesting"] = "list"
                    entry["opaque"] = True
                    entry.update({"attributes": {}, "blocks": {}})
                    blocks[name] = entry
                    continue
                else:
                    fail(f"{sub}: block of unsupported type {tstr}")
                if ancestor is not None:
                    entry["recursive_ref"] = ancestor.split(".", 1)[1]
                else:
                    entry.update(self.schema_of_struct(nested, sub, stack))
                blocks[name] = entry
            else:
                entry["type"] = tstr
                if ancestor is not None:
                    entry["recursive_ref"] = ancestor.split(".", 1)[1]
                elif nested is not None:
                    entry.update(self.schema_of_struct(nested, sub, stack))
                attrs[name] = entry
        return {"attributes": attrs, "blocks": blocks}

    def type_schema(self, kind_key: str, name: str) -> dict:
        return self.schema_of_struct(self.config_fqn(self.tops[kind_key][name]), name)


def wanted(name: str) -> bool:
    return name.startswith(TYPE_PREFIXES)


def convert(asm: dict, package_json: dict) -> dict:
    if asm.get("name") != ASSEMBLY_NAME or asm.get("version") != PACKAGE_VERSION:
        fail(f"assembly is {asm.get('name')}@{asm.get('version')}, expected {ASSEMBLY_NAME}@{PACKAGE_VERSION}")
    prov = (package_json.get("cdktn") or {}).get("provider") or {}
    if prov.get("name") != PROVIDER or prov.get("version") != PROVIDER_VERSION:
        fail(f"package.json names provider {prov}, expected {PROVIDER} {PROVIDER_VERSION}")

    ex = Extractor(asm)
    if len(ex.tops["resources"]) < MIN_RESOURCES_IN_ASSEMBLY:
        fail(f"only {len(ex.tops['resources'])} resources in the assembly")
    if len(ex.tops["data_sources"]) < MIN_DATA_SOURCES_IN_ASSEMBLY:
        fail(f"only {len(ex.tops['data_sources'])} data sources in the assembly")
    for kind_key, names in REQUIRED_TYPES.items():
        for n in names:
            if n not in ex.tops[kind_key]:
                fail(f"{kind_key} {n} missing from the assembly")

    doc: dict = {
        "format_version": FORMAT_VERSION,
        "generated_by": GENERATED_BY,
        "package": f"{PACKAGE}=={PACKAGE_VERSION}",
        "package_sha256": WHEEL_SHA256,
        "provider": PROVIDER,
        "provider_version": PROVIDER_VERSION,
    }
    for kind_key, table in ex.tops.items():
        selected = {n: ex.type_schema(kind_key, n) for n in sorted(table) if wanted(n)}
        if selected or kind_key != "ephemeral_resources":
            doc[kind_key] = selected
    info("assembly has " + ", ".join(f"{len(t)} {k}" for k, t in ex.tops.items()) + "; kept "
         + ", ".join(f"{len(doc.get(k, {}))} {k}" for k in ex.tops))
    return doc


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

TYPE_MAPS = ("data_sources", "ephemeral_resources", "resources")


def render(doc: dict) -> str:
    return vendored_wheel.render(doc, TYPE_MAPS, LOG)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    vendored_wheel.add_source_arguments(
        ap, PIN, cache_env="TOPOC_PROVIDER_SCHEMA_CACHE", default_cache=DEFAULT_CACHE, default_output=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true", help=vendored_wheel.CHECK_HELP)
    args = ap.parse_args(argv)

    wheel = vendored_wheel.obtain_wheel(PIN, args.wheel, args.cache_dir, LOG)
    asm, package_json = load_assembly(wheel)
    doc = convert(asm, package_json)
    del asm
    return vendored_wheel.write_or_check(
        Path(args.output), render(doc).encode("utf-8"), check=args.check, generated_by=GENERATED_BY, log=LOG)


if __name__ == "__main__":
    sys.exit(main())
