#!/usr/bin/env bash
# Validate golden Terraform trees offline. Usage: scripts/check-goldens.sh [ROOT...]
# Default ROOTs: every directory directly under golden/. Tools come from scripts/install-tools.sh
# (run first; it is a no-op when everything is installed). For each ROOT, run from the repo root:
#
#  a. fmt:        CHECKPOINT_DISABLE=1 .tools/bin/terraform fmt -check -recursive -diff -no-color ROOT
#  b. hcl2:       .tools/venv-hcl2/bin/python scripts/parse-hcl2.py ROOT
#                 (hcl2.loads(text, with_meta=True) on every *.tf, python-hcl2 7.3.1)
#  c. checkov:    BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true CKV_PARSE_ERROR_FAIL=true \
#                   .tools/venv-checkov/bin/checkov -d ROOT --framework terraform --skip-download --compact -o json
#                 (no --quiet: with it checkov's JSON drops skipped_checks and parsing_errors, which are
#                 needed here; no --skip-check, ever; a .checkov.yml/.checkov.yaml that checkov would
#                 read is an error, and the CKV_* variables that select or skip checks are unset)
#                 Fails on any failed check or parsing error. Summary: .tools/reports/checkov-<name>.json
#  d. parliament: .tools/venv-parliament/bin/parliament --json < FILE   for every *.json under
#                 ROOT/governance/policies/ (stdin, because --file breaks when stdin is not a TTY).
#                 Fails on a finding of severity MEDIUM or higher; LOW/INFO findings are printed only.
#
# Exit code: 0 when every step passed (or had nothing to check), 1 otherwise, 2 on usage errors.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

case "${1:-}" in -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;; esac

# Resolve the roots before leaving the caller's directory.
ROOTS=()
if [[ $# -gt 0 ]]; then
  for arg in "$@"; do
    [[ -d "$arg" ]] || { echo "check-goldens: not a directory: $arg" >&2; exit 2; }
    ROOTS+=("$(cd -- "$arg" && pwd -P)")
  done
else
  shopt -s nullglob
  for dir in "$REPO_ROOT"/golden/*/; do ROOTS+=("$(cd -- "$dir" && pwd -P)"); done
  shopt -u nullglob
fi
if [[ ${#ROOTS[@]} -eq 0 ]]; then
  echo "check-goldens: no golden roots (no directories under golden/): nothing to check"
  exit 0
fi

"$SCRIPT_DIR/install-tools.sh"
cd "$REPO_ROOT"

TF=.tools/bin/terraform
HCL2_PY=.tools/venv-hcl2/bin/python
CHECKOV=.tools/venv-checkov/bin/checkov
CHECKOV_PY=.tools/venv-checkov/bin/python
PARLIAMENT=.tools/venv-parliament/bin/parliament
REPORT_DIR=.tools/reports
mkdir -p "$REPORT_DIR"

# Variables through which checkov would select or skip checks, or go online.
CHECKOV_UNSET=(CKV_CHECK CKV_SKIP_CHECK CKV_FRAMEWORK CKV_POLICY_METADATA_FILTER
  CKV_POLICY_METADATA_FILTER_EXCEPTION CKV_NO_FAIL_ON_CRASH CKV_EXTERNAL_CHECKS_DIR
  CKV_VAR_FILE DOWNLOAD_EXTERNAL_MODULES BC_API_KEY PRISMA_API_URL BC_API_URL)
CHECKOV_ENV=(BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true CKV_PARSE_ERROR_FAIL=true)
CHECKOV_TIMEOUT=${CHECKOV_TIMEOUT:-900}

SUMMARY=()   # "root|step|OK/FAIL/none|detail"
FAILS=0
SKIP_TABLES=()  # report files, for the combined skipped-checks table

show() { printf '+'; printf ' %q' "$@"; printf '\n'; }
indent() { sed 's/^/    /'; }
record() {  # root step status detail
  SUMMARY+=("$1|$2|$3|$4")
  [[ $3 != FAIL ]] || FAILS=$((FAILS + 1))
}
display() { case "$1" in "$REPO_ROOT"/*) echo "${1#"$REPO_ROOT"/}" ;; *) echo "$1" ;; esac; }
report_name() { basename -- "$1" | tr -c 'A-Za-z0-9._\n-' '_'; }

step_fmt() {
  local root=$1 shown out rc=0 ntf
  shown=$(display "$root")
  ntf=$(find "$root" -name '*.tf' -type f | wc -l)
  echo "--- [fmt] $shown"
  show env CHECKPOINT_DISABLE=1 "$TF" fmt -check -recursive -diff -no-color "$shown"
  out=$(CHECKPOINT_DISABLE=1 "$TF" fmt -check -recursive -diff -no-color "$shown" 2>&1) || rc=$?
  if [[ -n "$out" ]]; then printf '%s\n' "$out" | indent; elif [[ $rc -eq 0 ]]; then echo "    ok (no changes needed)"; fi
  if [[ $rc -eq 0 ]]; then
    if [[ $ntf -eq 0 ]]; then record "$shown" fmt none "no .tf files"; else record "$shown" fmt OK "$ntf .tf files formatted"; fi
  elif [[ $rc -eq 3 ]]; then
    record "$shown" fmt FAIL "not terraform-fmt formatted (rc 3; diff above)"
  else
    record "$shown" fmt FAIL "terraform fmt error (rc $rc; e.g. syntax error, see above)"
  fi
}

step_hcl2() {
  local root=$1 shown out rc=0
  shown=$(display "$root")
  echo "--- [hcl2] $shown"
  show "$HCL2_PY" scripts/parse-hcl2.py "$shown"
  out=$("$HCL2_PY" scripts/parse-hcl2.py "$shown" 2>&1) || rc=$?
  printf '%s\n' "$out" | indent
  local last=${out##*$'\n'}
  if [[ $rc -eq 0 ]]; then
    if [[ $last == *" 0 file(s)"* ]]; then record "$shown" hcl2 none "no .tf files"; else record "$shown" hcl2 OK "$last"; fi
  else
    record "$shown" hcl2 FAIL "$last"
  fi
}

step_checkov() {
  local root=$1 shown name raw err summary rc=0 cfg
  shown=$(display "$root")
  name=$(report_name "$root")
  raw="$REPORT_DIR/checkov-$name.raw.json"
  err="$REPORT_DIR/checkov-$name.stderr"
  summary="$REPORT_DIR/checkov-$name.json"
  echo "--- [checkov] $shown"
  # checkov reads .checkov.yml/.yaml from the -d directory, the working directory and $HOME; such a
  # file could skip checks, so refuse to run with one.
  for cfg in "$root" "$REPO_ROOT" "${HOME:-/nonexistent}"; do
    if [[ -e "$cfg/.checkov.yml" || -e "$cfg/.checkov.yaml" ]]; then
      echo "    checkov config file found in $cfg (.checkov.yml/.yaml): not allowed, it could skip checks"
      record "$shown" checkov FAIL "checkov config file in $cfg"
      return
    fi
  done
  local unset_args=() v
  for v in "${CHECKOV_UNSET[@]}"; do unset_args+=(-u "$v"); done
  show env "${CHECKOV_ENV[@]}" "$CHECKOV" -d "$shown" --framework terraform --skip-download --compact -o json
  local t0
  t0=$(date +%s%N)
  env "${unset_args[@]}" "${CHECKOV_ENV[@]}" timeout --kill-after=10 "$CHECKOV_TIMEOUT" \
    "$CHECKOV" -d "$shown" --framework terraform --skip-download --compact -o json \
    > "$raw" 2> "$err" || rc=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  local secs=$((ms / 1000)).$((ms % 1000 / 100))
  if [[ -s "$err" ]]; then
    echo "    checkov wrote to stderr ($err):"
    head -n 30 "$err" | indent
  else
    rm -f "$err"
  fi
  local detail="" prc=0 verdict_file
  verdict_file=$(mktemp)
  "$CHECKOV_PY" - "$raw" "$summary" "$rc" "$shown" "$secs" "$verdict_file" <<'PY' || prc=$?
import collections, json, sys
raw, out_path, rc, root, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
verdict_path = sys.argv[6]
log = lambda s="": print("    " + s, flush=True)
problems = []
try:
    with open(raw) as f:
        data = json.load(f)
except Exception as exc:  # noqa: BLE001
    data = None
    problems.append(f"checkov output is not JSON ({exc}); rc {rc}")
# checkov prints a list of reports (one per framework), a single report, or, when there is nothing
# to scan, a bare summary object without "results".
reports = data if isinstance(data, list) else ([data] if isinstance(data, dict) else [])
totals = collections.Counter()
failed, skipped, parse_files, version = [], [], [], None
for rep in reports:
    summ = rep.get("summary", rep if "results" not in rep else {})
    for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count"):
        totals[k] += int(summ.get(k, 0) or 0)
    version = version or summ.get("checkov_version")
    res = rep.get("results", {}) or {}
    for c in res.get("failed_checks", []) or []:
        failed.append(c)
    for c in res.get("skipped_checks", []) or []:
        skipped.append(c)
    parse_files += res.get("parsing_errors", []) or []

def loc(c):
    lines = c.get("file_line_range") or []
    return f'{c.get("file_path")}:{"-".join(str(x) for x in lines)}'

if rc not in (0, 1) and not problems:
    problems.append(f"checkov exited with rc {rc} (crash or timeout)")
if rc == 1 and not totals["failed"] and not totals["parsing_errors"]:
    problems.append("checkov exited 1 but reported no failed check or parsing error")
log(f'checkov {version or "?"} ({secs}s): passed {totals["passed"]}, failed {totals["failed"]}, '
    f'skipped {totals["skipped"]}, parsing errors {totals["parsing_errors"]}, resources {totals["resource_count"]}')
for c in failed:
    log(f'  FAILED  {c["check_id"]:<12} {c.get("resource")}  {loc(c)}  ({c.get("check_name")})')
for p in parse_files:
    log(f"  PARSE ERROR  {p}")
by_id = collections.OrderedDict()
for c in sorted(skipped, key=lambda c: c["check_id"]):
    e = by_id.setdefault(c["check_id"], {"check_id": c["check_id"], "check_name": c.get("check_name"),
                                         "count": 0, "suppress_comments": [], "resources": []})
    e["count"] += 1
    comment = (c.get("check_result") or {}).get("suppress_comment")
    if comment not in e["suppress_comments"]:
        e["suppress_comments"].append(comment)
    e["resources"].append(f'{c.get("resource")} {loc(c)}')
if by_id:
    log("  skipped checks (inline #checkov:skip):")
    log(f'    {"check_id":<12} {"count":>5}  suppress_comment')
    for e in by_id.values():
        log(f'    {e["check_id"]:<12} {e["count"]:>5}  {" | ".join(repr(s) for s in e["suppress_comments"])}')
summary = {
    "root": root, "checkov_version": version, "exit_code": rc, "seconds": float(secs),
    **{k: totals[k] for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count")},
    "failed_checks": [{"check_id": c["check_id"], "check_name": c.get("check_name"),
                       "resource": c.get("resource"), "file": c.get("file_path"),
                       "lines": c.get("file_line_range")} for c in failed],
    "skipped_checks": [{"check_id": c["check_id"], "check_name": c.get("check_name"),
                        "resource": c.get("resource"), "file": c.get("file_path"),
                        "lines": c.get("file_line_range"),
                        "suppress_comment": (c.get("check_result") or {}).get("suppress_comment")}
                       for c in skipped],
    "skipped_by_check": list(by_id.values()),
    "parsing_error_files": parse_files,
    "problems": problems,
}
with open(out_path, "w") as f:
    json.dump(summary, f, indent=2)
    f.write("\n")
for p in problems:
    log("  PROBLEM  " + p)
bad = problems or totals["failed"] or totals["parsing_errors"]
detail = (f'passed {totals["passed"]}, failed {totals["failed"]}, skipped {totals["skipped"]}, '
          f'parsing errors {totals["parsing_errors"]}')
if not bad and not any(totals.values()):
    verdict = "none|nothing to scan (no Terraform resources found)"
else:
    verdict = ("FAIL" if bad else "OK") + "|" + detail
with open(verdict_path, "w") as f:
    f.write(verdict)
PY
  detail=$(<"$verdict_file")
  rm -f "$verdict_file"
  if [[ $prc -ne 0 || -z "$detail" ]]; then
    record "$shown" checkov FAIL "could not summarise checkov output (rc $prc)"
  else
    record "$shown" checkov "${detail%%|*}" "${detail#*|}"
    SKIP_TABLES+=("$summary")
  fi
  echo "    report: $summary (raw output: $raw)"
}

step_parliament() {
  local root=$1 shown pol files=() f
  shown=$(display "$root")
  pol="$root/governance/policies"
  echo "--- [parliament] $shown"
  if [[ ! -d "$pol" ]]; then
    echo "    no $(display "$pol")/ directory: nothing to check"
    record "$shown" parliament none "no governance/policies/"
    return
  fi
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$pol" -type f -name '*.json' -print0 | sort -z)
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "    no *.json under $(display "$pol")/: nothing to check"
    record "$shown" parliament none "no *.json policies"
    return
  fi
  local nfail=0 nlow=0 rc verdict outf err verdict_file
  outf=$(mktemp)
  err=$(mktemp)
  verdict_file=$(mktemp)
  for f in "${files[@]}"; do
    echo "+ $PARLIAMENT --json < $(printf '%q' "$(display "$f")")"
    rc=0
    "$PARLIAMENT" --json < "$f" > "$outf" 2> "$err" || rc=$?
    "$CHECKOV_PY" - "$rc" "$(display "$f")" "$outf" "$err" "$verdict_file" <<'PY' \
      || { echo "    could not read parliament's output"; echo "1 0" > "$verdict_file"; }
import json, sys
rc, name = int(sys.argv[1]), sys.argv[2]
out, err = open(sys.argv[3]).read(), open(sys.argv[4]).read().strip()
PRINT_ONLY = {"LOW", "INFO", "MUTE"}  # anything else (MEDIUM, HIGH, CRITICAL, unknown) fails
n_fail = n_low = 0
findings = []
for line in out.splitlines():
    if not line.strip():
        continue
    try:
        findings.append(json.loads(line))
    except ValueError:
        print(f"    unparseable parliament output: {line[:200]}")
        n_fail += 1
for fd in findings:
    sev = str(fd.get("severity", "?")).upper()
    loc = fd.get("location") or {}
    where = "%s:%s:%s" % (name, loc.get("line", "?"), loc.get("column", "?"))
    detail = fd.get("detail")
    detail = detail if isinstance(detail, str) else json.dumps(detail)
    low = sev in PRINT_ONLY
    print(f"    {'note' if low else 'FAIL'} {sev:<8} {fd.get('issue')}  {where}  {detail}")
    n_low += low
    n_fail += not low
if err:
    print("    stderr: " + err.replace("\n", "\n    stderr: "))
if not findings and rc == 0:
    print("    no findings")
if rc != 0 and not findings:
    print(f"    parliament exited {rc} without findings")
    n_fail += 1
with open(sys.argv[5], "w") as f:
    f.write(f"{n_fail} {n_low}")
PY
    verdict=$(<"$verdict_file")
    nfail=$((nfail + ${verdict% *}))
    nlow=$((nlow + ${verdict#* }))
  done
  rm -f "$outf" "$err" "$verdict_file"
  local detail="${#files[@]} policy file(s): $nfail finding(s) >= MEDIUM, $nlow LOW/INFO"
  if [[ $nfail -gt 0 ]]; then record "$shown" parliament FAIL "$detail"; else record "$shown" parliament OK "$detail"; fi
}

for root in "${ROOTS[@]}"; do
  echo "=== $(display "$root")"
  step_fmt "$root"
  step_hcl2 "$root"
  step_checkov "$root"
  step_parliament "$root"
done

if [[ ${#SKIP_TABLES[@]} -gt 1 ]]; then
  echo
  echo "=== checkov skipped checks, all roots (check_id, count, suppress_comment)"
  "$CHECKOV_PY" - "${SKIP_TABLES[@]}" <<'PY'
import collections, json, sys
agg = collections.OrderedDict()
for path in sys.argv[1:]:
    for e in json.load(open(path))["skipped_by_check"]:
        a = agg.setdefault(e["check_id"], [0, []])
        a[0] += e["count"]
        a[1] += [s for s in e["suppress_comments"] if s not in a[1]]
for cid in sorted(agg):
    print(f'    {cid:<12} {agg[cid][0]:>5}  {" | ".join(repr(s) for s in agg[cid][1])}')
if not agg:
    print("    (none)")
PY
fi

echo
echo "=== check-goldens summary"
for line in "${SUMMARY[@]}"; do
  IFS='|' read -r r s st d <<< "$line"
  printf '%-4s  %-10s  %-32s  %s\n' "$st" "$s" "$r" "$d"
done
if [[ $FAILS -gt 0 ]]; then
  echo "check-goldens: FAILED ($FAILS of ${#SUMMARY[@]} steps failed over ${#ROOTS[@]} root(s))"
  exit 1
fi
echo "check-goldens: all steps OK over ${#ROOTS[@]} root(s)"
