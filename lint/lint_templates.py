"""Runs cfn-lint and checkov on the synthesised templates and fails on any finding
lint/template-suppressions.yaml does not accept, or on a suppression that matches nothing.

Usage: .venv/bin/python lint/lint_templates.py TEMPLATE...
"""

import fnmatch
import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.dirname(sys.executable)


def load_suppressions():
    with open(os.path.join(HERE, "template-suppressions.yaml"), encoding="utf8") as handle:
        data = yaml.safe_load(handle)
    for tool in ("cfn-lint", "checkov"):
        for entry in data.get(tool, []):
            if not str(entry.get("reason", "")).strip():
                sys.exit(f"template-suppressions.yaml: {tool} {entry} has no reason")
    return data


def start(args, env=None):
    """One linter, started now: the two are independent processes, so they run side by side (two cores)."""
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(process):
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def start_cfn_lint(templates):
    return start([os.path.join(VENV_BIN, "cfn-lint"), "--format", "json", *templates])


def cfn_lint_findings(running):
    result = finish(running)
    # The exit code is a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
    if result.returncode == 1 or (result.returncode != 0 and not result.stdout.strip()):
        sys.exit(f"cfn-lint failed (exit {result.returncode}):\n{result.stderr}")
    if not result.stdout.strip():
        return []
    findings = []
    for match in json.loads(result.stdout):
        path = match["Location"]["Path"]
        resource = path[1] if len(path) > 1 and path[0] == "Resources" else "/".join(map(str, path))
        findings.append(("cfn-lint", match["Rule"]["Id"], resource, f'{match["Filename"]}: {match["Message"]}'))
    return findings


def start_checkov(templates):
    args = [os.path.join(VENV_BIN, "checkov"), "--framework", "cloudformation", "--output", "json", "--quiet", "--skip-download", "--soft-fail"]
    for template in templates:
        args += ["--file", template]
    # No network: no guideline download, no version check.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_VERSION_CHECK": "TRUE", "ENABLE_SECRETS_SCAN_ALL_FILES": "false"}
    return start(args, env)


def checkov_findings(running, templates):
    result = finish(running)
    if result.returncode != 0:
        sys.exit(f"checkov failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    reports = json.loads(result.stdout or "[]")
    if isinstance(reports, dict):
        reports = [reports]
    # A template checkov could not parse, or read without finding a resource, has not been checked: fail, never pass silently.
    checked = sum(report.get("summary", {}).get("resource_count", 0) for report in reports)
    unparsed = sum(report.get("summary", {}).get("parsing_errors", 0) for report in reports)
    if unparsed or checked == 0 or len(reports) == 0:
        sys.exit(f"checkov checked nothing it could trust: {unparsed} parsing errors, {checked} resources in {len(templates)} template(s)")
    findings = []
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            findings.append(("checkov", check["check_id"], check["resource"], f'{check["file_path"]}: {check["check_name"]}'))
    return findings


def main(templates):
    if not templates:
        sys.exit("usage: lint_templates.py TEMPLATE...")
    suppressions = load_suppressions()
    entries = [("cfn-lint", e["rule"], e) for e in suppressions.get("cfn-lint", [])] + [
        ("checkov", e["check"], e) for e in suppressions.get("checkov", [])
    ]
    used = set()
    unsuppressed = []
    cfn_lint, checkov = start_cfn_lint(templates), start_checkov(templates)
    try:
        findings = cfn_lint_findings(cfn_lint) + checkov_findings(checkov, templates)
    finally:
        # One linter failed (sys.exit above): the other is not left running.
        for running in (cfn_lint, checkov):
            if running.poll() is None:
                running.kill()
    for tool, rule, resource, message in findings:
        accepting = [
            index
            for index, (entry_tool, entry_rule, entry) in enumerate(entries)
            if entry_tool == tool and entry_rule == rule and any(fnmatch.fnmatchcase(resource, p) for p in entry["resources"])
        ]
        used.update(accepting)
        if not accepting:
            unsuppressed.append(f"{tool} {rule} {resource}: {message}")
    stale = [f"{tool} {rule} {entry['resources']}" for index, (tool, rule, entry) in enumerate(entries) if index not in used]
    for line in unsuppressed:
        print(f"FINDING {line}")
    for line in stale:
        print(f"STALE SUPPRESSION (matches no finding; remove it) {line}")
    if unsuppressed or stale:
        sys.exit(1)
    print(f"cfn-lint and checkov: no unsuppressed finding in {len(templates)} template(s); {len(entries)} suppressions, each with its reason (lint/template-suppressions.yaml)")


if __name__ == "__main__":
    main(sys.argv[1:])
