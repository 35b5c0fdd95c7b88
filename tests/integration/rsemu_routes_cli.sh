#!/usr/bin/env bash
# `rsemu routes` from the outside: exit codes, the error format for a bad
# topology file, and the JSON and table output on the default topology.
# Usage: rsemu_routes_cli.sh PATH/TO/rsemu
set -u
rsemu=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0
check() { # check NAME COND...
	local name=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}

# 1. Default topology: effective routes as JSON, shaped like az's output.
"$rsemu" routes --effective spoke1/app --json >"$tmp/eff.json"
check "effective exit 0" test $? -eq 0
check "effective JSON" python3 - "$tmp/eff.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r, list) and r
keys = {"addressPrefix", "nextHopType", "nextHopIpAddress", "source", "state"}
assert all(keys <= set(x) for x in r)
d = [x for x in r if x["addressPrefix"] == ["0.0.0.0/0"] and x["state"] == "Active"]
assert len(d) == 1 and d[0]["nextHopType"] == "VirtualNetworkGateway", d
assert d[0]["nextHopIpAddress"] == ["10.0.1.4", "10.0.1.5"], d
PY

# 2. Learned and advertised, by peer name and by IP.
"$rsemu" routes --learned nva1 --json >"$tmp/l.json"
check "learned JSON" python3 -c '
import json,sys; r=json.load(open(sys.argv[1]))
assert set(r) == {"RouteServiceRole_IN_0","RouteServiceRole_IN_1"}
assert {x["network"] for x in r["RouteServiceRole_IN_0"]} == {"0.0.0.0/0","10.0.0.0/8"}' "$tmp/l.json"
"$rsemu" routes --advertised 10.0.1.5 >"$tmp/a.txt"
check "advertised table" grep -q '10.1.0.0/16 .*65515' "$tmp/a.txt"
"$rsemu" routes --all >"$tmp/all.txt"
check "all subnets" test "$(grep -c '^Effective routes of' "$tmp/all.txt")" -ge 6

# 3. Bad questions: exit 2.
"$rsemu" routes --effective nope/none >/dev/null 2>&1
check "unknown subnet -> 2" test $? -eq 2
"$rsemu" routes --learned nobody >/dev/null 2>&1
check "unknown peer -> 2" test $? -eq 2
"$rsemu" routes >/dev/null 2>&1
check "no question -> 2" test $? -eq 2
"$rsemu" frobnicate >/dev/null 2>&1
check "unknown command -> 2" test $? -eq 2
"$rsemu" routes --help | grep -q -- '--effective'
check "routes --help" test $? -eq 0
"$rsemu" --help | grep -q 'routes'
check "--help" test $? -eq 0

# 4. A bad topology: exit 2, FILE:LINE: FIELD: reason, nothing printed on stdout.
cat >"$tmp/lab.yaml" <<'YAML'
route_server:
  vnet: hub
  instances: [10.0.254.4, 10.0.254.5]
  peers: []
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {name: RouteServerSubnet, prefix: 10.0.254.0/26}
  - name: spoke1
    address_space:
      - 10.1.0.0/16
      - 10.0.0.0/15
    subnets: []
peerings:
  - {hub: hub, spoke: spoke1}
YAML
"$rsemu" routes --topology "$tmp/lab.yaml" --all >"$tmp/out" 2>"$tmp/err"
check "bad topology -> 2" test $? -eq 2
check "error names file, line, field" grep -q "lab.yaml:13: vnets\[1\].address_space\[1\]: " "$tmp/err"
check "no output on error" test ! -s "$tmp/out"
"$rsemu" routes --topology "$tmp/missing.yaml" --all >/dev/null 2>&1
check "missing file -> 2" test $? -eq 2

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
