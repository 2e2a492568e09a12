#!/usr/bin/env bash
# The alert rules pass promtool's checker, and their cases (wgmesh-alerts.test.yml) pass
# `promtool test rules`: each alert fires on its failure after its "for:", none on a healthy
# node. The test file names the rules file by its bare name, so both are copied to one dir.
# usage: alerts.sh RULES_FILE TEST_FILE
set -eu
. "$(dirname "$0")/../lib/assert.sh"
command -v promtool >/dev/null || { echo "SKIP: no promtool (Debian package prometheus)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$1" "$tmp/wgmesh-alerts.yml"
cp "$2" "$tmp/wgmesh-alerts.test.yml"
cd "$tmp"
expect_ok "promtool check rules" promtool check rules wgmesh-alerts.yml
expect_ok "promtool test rules" promtool test rules wgmesh-alerts.test.yml
assert_exit
