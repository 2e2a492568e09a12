#!/usr/bin/env bash
# The alert rules pass promtool's checker, and their cases (wgmesh-alerts.test.yml) pass
# `promtool test rules`: each alert fires on its failure after its "for:", none on a healthy
# node. The test file names the rules file by its bare name, so both are copied to one dir.
# usage: alerts.sh RULES_FILE TEST_FILE
set -eEu
trap 'echo "FAIL: alerts.sh line $LINENO: $BASH_COMMAND" >&2' ERR
command -v promtool >/dev/null || { echo "SKIP: no promtool (Debian package prometheus)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$1" "$tmp/wgmesh-alerts.yml"
cp "$2" "$tmp/wgmesh-alerts.test.yml"
cd "$tmp"
promtool check rules wgmesh-alerts.yml
promtool test rules wgmesh-alerts.test.yml
echo "ok: promtool check rules and test rules"
