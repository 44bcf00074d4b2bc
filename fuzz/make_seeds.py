#!/usr/bin/env python3
"""Regenerates fuzz/seeds/: the examples, the bad specs of tests/bad, and hostile YAML.

Run from anywhere: `python3 fuzz/make_seeds.py`. The output is deterministic, so the
committed seeds only change when this script or the copied specs change.
"""

import pathlib
import re
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SEEDS = FUZZ / "seeds"

seeds: dict[str, bytes] = {}


def add(name: str, data) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert name not in seeds, name
    seeds[name] = data


# --- The project's own specs -------------------------------------------------------
for path in sorted((ROOT / "examples").glob("*.yaml")):
    add(f"example-{path.name}", path.read_bytes())
for path in sorted((ROOT / "tests" / "bad").glob("*.yaml")):
    add(f"bad-{path.name}", path.read_bytes())

VALID = (ROOT / "examples" / "helios-pay.yaml").read_text()


def replace(pattern: str, replacement: str, text: str = VALID, count: int = 1) -> str:
    new, n = re.subn(pattern, replacement, text, count=count, flags=re.M)
    assert n, pattern
    return new


# --- Alias and anchor expansion bombs ---------------------------------------------
def laughs(levels: int, width: int, flow: bool = True, prefix: str = "") -> str:
    lines = [prefix]
    lines.append(f"a0: &a0 [{', '.join(['lol'] * width)}]")
    for level in range(1, levels):
        items = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n"


add("hostile-laughs-10x10.yaml", laughs(10, 10))
add("hostile-laughs-30x2.yaml", laughs(30, 2))
add("hostile-laughs-in-spec.yaml", laughs(9, 10, prefix=VALID + "\nx-extra:\n  ").replace("\na", "\n  a"))
add(
    "hostile-laughs-mappings.yaml",
    "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
    + "".join(
        f"m{level}: &m{level} {{{', '.join(f'k{index}: *m{level - 1}' for index in range(10))}}}\n"
        for level in range(1, 9)
    ),
)
# Wide but shallow: just under and just over the node limit.
add("hostile-alias-wide-under.yaml", "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 98) + "]\n")
add("hostile-alias-wide-over.yaml", "a: &a [" + ", ".join(["0"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 101) + "]\n")
# Depth through aliases: each anchor nests the previous one.
add(
    "hostile-alias-deep.yaml",
    "a0: &a0 [x]\n" + "".join(f"a{level}: &a{level} [[[[*a{level - 1}]]]]\n" for level in range(1, 40)),
)
# Aliases to scalars used as keys, anchors on keys, redefined anchors, unknown anchors.
add("hostile-alias-keys.yaml", "k: &k name\n*k : value\n&x y: *k\n*x : 2\n")
add("hostile-alias-redefined.yaml", "a: &a 1\nb: &a [*a, *a]\nc: &a {x: *a}\nd: *a\n")
add("hostile-alias-self.yaml", "a: &a [*a]\n")
add("hostile-alias-unknown.yaml", "a: *nowhere\n")
add("hostile-alias-anchor-only.yaml", "&a\n")
add("hostile-alias-empty-anchor-value.yaml", "a: &a\nb: *a\nc: [*a, *a]\n")

# --- Deep nesting ------------------------------------------------------------------
add("hostile-deep-flow-seq-5000.yaml", "[" * 5000 + "]" * 5000)
add("hostile-deep-flow-seq-unclosed.yaml", "[" * 5000)
add("hostile-deep-flow-map-5000.yaml", "{a: " * 5000 + "1" + "}" * 5000)
add("hostile-deep-flow-mixed.yaml", "[{a: " * 2500 + "1" + "}]" * 2500)
add("hostile-deep-block-seq-5000.yaml", "- " * 5000 + "x\n")
add("hostile-deep-block-map-1000.yaml", "".join("  " * depth + "a:\n" for depth in range(1000)) + "  " * 1000 + "b\n")
add("hostile-deep-block-seq-map.yaml", "".join("  " * depth + "- a:\n" for depth in range(400)))
add("hostile-deep-64.yaml", "tags: " + "[" * 63 + "]" * 63 + "\n")
add("hostile-deep-65.yaml", "tags: " + "[" * 64 + "]" * 64 + "\n")
add("hostile-deep-in-spec.yaml", replace(r"^  owner: payments-platform$", "  owner: " + "[" * 3000 + "]" * 3000))

# --- Long scalars (1 MB) -----------------------------------------------------------
MB = 1 << 20
add("hostile-long-plain-value.yaml", "topoc: 1\nname: " + "a" * MB + "\n")
add("hostile-long-double-quoted.yaml", 'description: "' + "\\u00e9\\n\\t" * (MB // 12) + '"\n')
add("hostile-long-single-quoted.yaml", "description: '" + "it''s " * (MB // 6) + "'\n")
add("hostile-long-literal.yaml", "description: |\n" + ("  " + "x" * 78 + "\n") * (MB // 81))
add("hostile-long-folded-unicode.yaml", "description: >\n" + ("  " + "é€😀" * 20 + "\n") * (MB // 180))
add("hostile-long-key.yaml", "k" * MB + ": 1\n")  # implicit keys stop at 1024 characters: a syntax error
add("hostile-long-key-explicit.yaml", "? " + "k" * MB + "\n: 1\n")
add("hostile-long-description-in-spec.yaml", replace(r"^description: .*$", "description: " + "d" * MB))
add("hostile-long-image-in-spec.yaml", replace(r"^    image: .*$", "    image: " + "i" * MB))
add("hostile-long-comment.yaml", "#" + "c" * MB + "\ntopoc: 1\n")
add("hostile-long-lines-no-newline.yaml", "x" * MB)
# A long key above many nodes: every node's JSON pointer repeats the key. Implicit keys
# are limited to 1024 characters; explicit (`? key`) ones are not.
add("hostile-long-key-wide-list.yaml", "k" * 30000 + ": [" + ",".join(["0"] * 15000) + "]\n")
add("hostile-long-key-alias-list.yaml", "a: &a [" + ",".join(["0"] * 1000) + "]\n" + "k" * 30000 + ": [" + ",".join(["*a"] * 90) + "]\n")
add("hostile-long-explicit-key-wide-list.yaml", "? " + "k" * 10000 + "\n: [" + ",".join(["0"] * 15000) + "]\n")
# (Kept well under the 2 GB limit; regressions/oom-long-key-pointers.yaml goes over.)
add("hostile-long-explicit-key-alias-list.yaml", "a: &a [" + ",".join(["0"] * 1000) + "]\n? " + "k" * 8000 + "\n: [" + ",".join(["*a"] * 90) + "]\n")
add("hostile-long-keys-nested.yaml", "".join("  " * depth + ("k" * 1000) + ":\n" for depth in range(60)) + "  " * 60 + "[" + ",".join(["0"] * 500) + "]\n")
add("hostile-long-explicit-keys-nested.yaml", "".join("  " * depth + "? " + ("k" * 1000) + "\n" + "  " * depth + ":\n" for depth in range(60)) + "  " * 60 + "[" + ",".join(["0"] * 500) + "]\n")

# --- Huge collections --------------------------------------------------------------
add("hostile-map-100k-keys.yaml", "".join(f"k{index}: {index}\n" for index in range(100_000)))
add("hostile-map-49k-keys.yaml", "".join(f"k{index}: {index}\n" for index in range(49_000)))
add("hostile-map-flow-null-values.yaml", "{" + ", ".join(f"k{index}" for index in range(45_000)) + "}\n")
add("hostile-seq-100k.yaml", "[" + ",".join(["0"] * 100_000) + "]\n")
add("hostile-seq-block-99k.yaml", "- 0\n" * 99_000)
add("hostile-map-duplicates.yaml", "k: 1\n" * 30_000)
add("hostile-regions-unknown-1000.yaml", replace(
    r"^regions:\n(?:  .*\n)+",
    "regions:\n" + "".join(f"  xx-test-{index}:\n    traffic: 0.001\n    cidr: 10.{index // 256}.{index % 256}.0/24\n" for index in range(1000)),
))

# --- Merge keys --------------------------------------------------------------------
add("hostile-merge-self.yaml", "a: &a {<<: *a}\n")
add("hostile-merge-chain.yaml", "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: &c {<<: [*b, *a], z: 3}\nd: {<<: [*c, *b, *a], x: 4}\n")
add("hostile-merge-scalar.yaml", "a: &a 1\nb: {<<: *a}\nc: {<<: [1, [2], {x: 1}]}\n")
add("hostile-merge-quoted.yaml", "a: {'<<': {x: 1}, \"<<\": {y: 2}, !!merge <<: {z: 3}, ? << : {w: 4}}\n")
add("hostile-merge-nested.yaml", "a: &a {<<: {<<: {<<: {x: 1}}}}\nb: {<<: *a, <<: *a}\n")
add("hostile-merge-as-value.yaml", "a: <<\nb: [<<, <<]\n<<: <<\n")
add("hostile-merge-duplicate-keys.yaml", "a: {<<: {x: 1, x: 2}, x: 3, x: 4}\n")
add("hostile-merge-big-inline.yaml", "a: {<<: {" + ", ".join(f"k{index}" for index in range(45_000)) + "}}\n")
add(
    "hostile-merge-big-explicit.yaml",
    "a:\n  <<: {" + ", ".join(f"m{index}" for index in range(24_000)) + "}\n"
    + "".join(f"  e{index}: 0\n" for index in range(24_000)),
)
add(
    "hostile-merge-alias-fanout.yaml",
    "a: &a {" + ", ".join(f"k{index}" for index in range(3000)) + "}\n"
    + "b: {<<: [" + ", ".join(["*a"] * 30) + "]}\n",
)
add("hostile-merge-in-spec.yaml", replace(
    r"^  dashboard:\n",
    "  dashboard:\n    <<: &svc {cpu: 512, memory: 1024}\n",
))
add("hostile-merge-regions.yaml", replace(
    r"^  eu-west-1:\n    traffic: 0.4\n",
    "  eu-west-1:\n    <<: {traffic: 0.4, cidr: 10.30.0.0/16}\n",
))

# --- Tags --------------------------------------------------------------------------
add("hostile-tags-core.yaml", "a: !!str 1\nb: !!int 0x1f\nc: !!float 1\nd: !!bool true\ne: !!null ~\nf: !!int x\ng: !!float .inf\nh: !!bool yes\ni: !!str\nj: !!float 1e999\n")
add("hostile-tags-custom.yaml", "a: !custom 1\nb: !<tag:example.com,2000:x> [1]\nc: !!binary aGVsbG8=\nd: !!set {a, b}\ne: !!omap [a: 1]\nf: !!map {x: 1}\ng: !!seq [1]\nh: !local {a: 1}\n")
add("hostile-tags-directive.yaml", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\nb: !e! 2\n")
add("hostile-tags-verbatim.yaml", "a: !<tag:yaml.org,2002:str> 1\nb: !<tag:yaml.org,2002:int> 2\nc: !<!> 3\n")
add("hostile-tags-on-keys.yaml", "!!str topoc: 1\n!!int 2: x\n!custom name: y\n")
add("hostile-tags-in-spec.yaml", replace(r"^topoc: 1$", "topoc: !!int 1"))
add("hostile-tags-in-spec-str-number.yaml", replace(r"^    port: 3000$", "    port: !!str 3000"))

# --- Documents and directives -------------------------------------------------------
add("hostile-docs-many.yaml", "---\na: 1\n" * 1000)
add("hostile-docs-end-markers.yaml", "a: 1\n...\n...\n---\n...\n")
add("hostile-docs-directives.yaml", "%YAML 1.2\n%YAML 1.1\n---\na: 1\n")
add("hostile-docs-yaml11.yaml", "%YAML 1.1\n---\na: yes\nb: 0777\nc: 1_000\n")
add("hostile-docs-empty-then-spec.yaml", "---\n---\n" + VALID)
add("hostile-docs-bom.yaml", "\ufeff" + VALID)
add("hostile-docs-bom-twice.yaml", "\ufeff\ufeff" + VALID)

# --- Numbers -----------------------------------------------------------------------
add(
    "hostile-numbers.yaml",
    "a: 1e308\nb: 1e309\nc: -1e309\nd: 99999999999999999999999\ne: 0x7fffffffffffffff\nf: 0x8000000000000000\n"
    "g: -9223372036854775808\nh: -9223372036854775809\ni: 0o777777777777777777777\nj: 1e-400\n"
    "k: 9007199254740993.0\nl: -0.0\nm: .nan\nn: -.inf\no: 0x\np: 0o\nq: +0\nr: 1.\ns: .5\nt: 1e\nu: 4.9e-324\n"
    "v: 9007199254740992.0\nw: -9007199254740992.0\nx: 1.7976931348623157e308\ny: 00001\nz: 0b101\n",
)

# --- Invalid UTF-8 and NUL ---------------------------------------------------------
add("hostile-utf8-ff.bin", b"topoc: 1\nname: \xff\xfe\n")
add("hostile-utf8-truncated.bin", b"name: caf\xc3")
add("hostile-utf8-overlong.bin", b"name: \xc0\xaf\n")
add("hostile-utf8-surrogate.bin", b"name: \xed\xa0\x80\n")
add("hostile-utf8-after-valid-spec.bin", VALID.encode() + b"\n# \x80\n")
add("hostile-nul-start.bin", b"\x00topoc: 1\n")
add("hostile-nul-in-spec.bin", VALID.encode().replace(b"helios-pay\n", b"helios\x00pay\n", 1))
add("hostile-nul-escape.yaml", 'name: "a\\0b"\ndescription: "\\x00"\n')
add("hostile-utf16le.bin", "topoc: 1\n".encode("utf-16-le"))
add("hostile-control-chars.yaml", "name: \x01\x02\x7f\u0085\u2028\u2029\n\ttab: 1\r\nx: \x1b[31m\n")
add("hostile-escapes.yaml", 'a: "\\ud800"\nb: "\\U0010ffff"\nc: "\\U00110000"\nd: "\\xzz"\ne: "\\"\n')

# --- Valid specs with one extreme value --------------------------------------------
REAL_REGIONS = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
]
REGIONS_BLOCK = r"^regions:\n(?:  .*\n)+"
add("extreme-all-regions.yaml", replace(
    REGIONS_BLOCK,
    "regions:\n" + "".join(
        f"  {code}:\n    traffic: {1 / len(REAL_REGIONS)!r}\n    cidr: 10.{index}.0.0/16\n    deploy_wave: {index % 20 + 1}\n"
        for index, code in enumerate(REAL_REGIONS)
    ),
))
add("extreme-1000-regions.yaml", replace(
    REGIONS_BLOCK,
    "regions:\n" + "".join(
        f"  {REAL_REGIONS[index % len(REAL_REGIONS)]}{'' if index < len(REAL_REGIONS) else index}:\n    traffic: 0.001\n    cidr: 10.{index % 256}.0.0/16\n"
        for index in range(1000)
    ),
))
for name, pattern, value in [
    ("traffic-1e308", r"^    traffic: 0.6$", "    traffic: 1e308"),
    ("traffic-min-positive", r"^    traffic: 0.6$", "    traffic: 4.9e-324"),
    ("traffic-one", r"^    traffic: 0.6$", "    traffic: 1"),
    ("traffic-one-both", r"^    traffic: 0.4$", "    traffic: 1"),
    ("traffic-zero", r"^    traffic: 0.6$", "    traffic: 0"),
    ("traffic-almost-one", r"^    traffic: 0.6$", "    traffic: 0.9999999999999999"),
    ("cidr-slash-0", r"^    cidr: 10.10.0.0/16$", "    cidr: 0.0.0.0/0"),
    ("cidr-slash-32", r"^    cidr: 10.10.0.0/16$", "    cidr: 10.10.0.0/32"),
    ("cidr-slash-99", r"^    cidr: 10.10.0.0/16$", "    cidr: 10.10.0.0/99"),
    ("cidr-octet-999", r"^    cidr: 10.10.0.0/16$", "    cidr: 999.999.999.999/16"),
    ("cidr-host-bits", r"^    cidr: 10.10.0.0/16$", "    cidr: 10.10.255.255/8"),
    ("cidr-top", r"^    cidr: 10.10.0.0/16$", "    cidr: 255.255.255.255/1"),
    ("cidr-same", r"^    cidr: 10.20.0.0/16$", "    cidr: 10.10.0.0/16"),
    ("peak-rps-1e308", r"^    peak_rps: 1100$", "    peak_rps: 1e308"),
    ("peak-rps-tiny", r"^    peak_rps: 1100$", "    peak_rps: 4.9e-324"),
    ("rps-per-task-tiny", r"^    rps_per_task: 40$", "    rps_per_task: 4.9e-324"),
    ("rps-per-task-1e308", r"^    rps_per_task: 40$", "    rps_per_task: 1e308"),
    ("utilization-tiny", r"^    steady_utilization: 0.35$", "    steady_utilization: 1e-308"),
    ("min-tasks-max", r"^    min_tasks: 3$", "    min_tasks: 1000"),
    ("min-tasks-huge", r"^    min_tasks: 3$", "    min_tasks: 9223372036854775807"),
    ("port-max", r"^    port: 8080$", "    port: 65535"),
    ("port-over", r"^    port: 8080$", "    port: 65536"),
    ("memory-max", r"^    memory: 2048$", "    memory: 122880"),
    ("dns-ttl-max", r"^  dns_ttl: 30$", "  dns_ttl: 86400"),
    ("dns-ttl-i64", r"^  dns_ttl: 30$", "  dns_ttl: -9223372036854775808"),
    ("deploy-wave-max", r"^    deploy_wave: 2$", "    deploy_wave: 20"),
    ("rate-limit-max", r"^    rate_limit_per_5min: 3000$", "    rate_limit_per_5min: 2000000000"),
    ("instances-huge", r"^    instances: 2$", "    instances: 4294967296"),
    ("instances-zero", r"^    instances: 2$", "    instances: 0"),
    ("version-1000", r"^topoc: 1$", "topoc: 1000"),
    ("version-float", r"^topoc: 1$", "topoc: 1.0"),
    ("version-huge", r"^topoc: 1$", "topoc: 1e300"),
    ("name-20", r"^name: helios-pay$", "name: abcdefghijklmnopqrst"),
    ("description-1000", r"^description: .*$", "description: " + "d" * 1000),
    ("zone-long-labels", r"^  zone: heliospay.example.com$", "  zone: " + ".".join(["a" * 63] * 4) + ".com"),
    ("health-path-long", r"^    path: /health/deep$", "    path: /" + "h" * 5000),
    ("scp-chars-tiny", r"^  required_tags: .*$", "  required_tags: [data-residency, owner, cost-center]\n  scp_quota:\n    characters_per_policy: 1\n    policies_per_target: 1"),
    ("scp-chars-huge", r"^  required_tags: .*$", "  required_tags: [data-residency, owner, cost-center]\n  scp_quota:\n    characters_per_policy: 9223372036854775807\n    policies_per_target: 9223372036854775807"),
    ("scp-targets-many", r"^  scp_targets: .*$", "  scp_targets: [" + ", ".join(f"ou-h3lp-{index:012d}" for index in range(200)) + "]"),
    ("deployment-roles-many", r"^  deployment_roles: .*$", "  deployment_roles: [" + ", ".join(f"Deployer{index}" for index in range(500)) + "]"),
    ("break-glass-many", r"^  break_glass_roles: .*$", "  break_glass_roles: [" + ", ".join(f"BreakGlass{index}" for index in range(500)) + "]"),
    ("failover-codes-all", r"^    failover_status_codes: .*$", "    failover_status_codes: [400, 403, 404, 416, 500, 502, 503, 504, 500]"),
    ("observability-huge", r"^  dynamodb_replication_latency_ms: 2000$", "  dynamodb_replication_latency_ms: 1e308"),
    ("tags-40", r"^tags:\n", "tags:\n" + "".join(f"  t{index}: {'v' * 256}\n" for index in range(38))),
]:
    add(f"extreme-{name}.yaml", replace(pattern, value))
add("extreme-services-500.yaml", replace(
    r"^services:\n",
    "services:\n" + "".join(
        f"  svc{index}:\n    image: repo/svc{index}\n    port: 8080\n    cpu: 256\n    memory: 512\n    path: /s{index}\n"
        f"    peak_rps: 10\n    rps_per_task: 10\n    steady_utilization: 0.5\n    data: [exports]\n"
        for index in range(500)
    ),
))
add("extreme-data-500.yaml", replace(
    r"^data:\n",
    "data:\n" + "".join(
        f"  table{index}:\n    store: dynamodb\n    description: t\n    partition_key: pk\n    conflicts: lww\n"
        for index in range(500)
    ),
))

# --- Write ---------------------------------------------------------------------------
if SEEDS.exists():
    shutil.rmtree(SEEDS)
SEEDS.mkdir()
for name, data in sorted(seeds.items()):
    (SEEDS / name).write_bytes(data)
total = sum(len(data) for data in seeds.values())
print(f"wrote {len(seeds)} seeds, {total / MB:.1f} MiB, to {SEEDS}")
