#!/usr/bin/env bash
# The live part of tools/demo: the topology's peers come to life as FRR
# bgpd processes, each in its own network namespace, announcing over real
# BGP what the topology says they announce; rsemu-rsd peers with them on
# both Route Server instances. Then rsemu ctl shows the sessions and the
# effective routes learned live, and the live answers are checked against
# the offline model (`rsemu routes`): they must be the same.
#   demo-live.sh PATH/rsemu-rsd PATH/rsemu [TOPOLOGY]
# Exit codes: 0 the live lab matched the model, 1 it did not (or a process
# failed), 77 cannot run here (not root, no namespaces, no FRR).
# Cleans up every process and namespace it started, also on failure and
# Ctrl-C (the lab library's traps).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/integration/lib/lab.sh"
LAB_PREFIX=rsdemo
LAB_ID=$LAB_PREFIX-$$
lab_args "$1" "$2"
topo_file=${3:-}
lab_init demo
lab_need frr

topo=()
[ -n "$topo_file" ] && topo=(--topology "$topo_file")
offline() { "$RSEMU" routes "${topo[@]}" "$@"; }
# rsemu-rsd needs a file: the embedded default is this one.
[ -n "$topo_file" ] || topo_file=$here/../default-topology.yaml

# Who is who: peers (name, kind, ip, asn) and the instances' addresses.
offline --peers --json >"$LAB_DIR/peers.json" || exit 2
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["name"])' "$LAB_DIR/peers.json")
offline --advertised "$first" --json >"$LAB_DIR/adv.json" || exit 2
read -r RS1 RS2 < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(d[k][0]["localAddress"] if d[k] else "" for k in
      ("RouteServiceRole_IN_0", "RouteServiceRole_IN_1")))' "$LAB_DIR/adv.json")
if [ -z "$RS1" ] || [ -z "$RS2" ]; then
	echo "demo-live: cannot tell the Route Server instances' addresses" >&2
	exit 1
fi
# One broadcast domain: a prefix length that holds every address.
plen=$(python3 -c '
import ipaddress, json, sys
ips = [int(ipaddress.ip_address(p["ip"])) for p in json.load(open(sys.argv[1]))]
ips += [int(ipaddress.ip_address(a)) for a in sys.argv[2:]]
n = 32
while n > 8 and len({i >> (32 - n) for i in ips}) > 1:
    n -= 1
print(n)' "$LAB_DIR/peers.json" "$RS1" "$RS2")

lab_log "Route Server instances $RS1 and $RS2, peers on a /$plen"
lab_node rs "$RS1/$plen" "$RS2/$plen"
lab_rsd "$topo_file" || exit 1

# Each peer: a namespace p0, p1, ... and an FRR bgpd announcing its routes.
mapfile -t peers < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1])):
    print(p["name"], p["kind"], p["ip"], p["asn"])' "$LAB_DIR/peers.json")
i=0
for line in "${peers[@]}"; do
	read -r name kind ip asn <<<"$line"
	node=p$i
	i=$((i + 1))
	lab_node "$node" "$ip/$plen"
	offline --learned "$name" --json >"$LAB_DIR/$node.learned.json" || exit 2
	python3 "$here/peer-frr.py" "$ip" "$asn" "$LAB_DIR/$node" \
		<"$LAB_DIR/$node.learned.json" || exit 1
	FRR_LOCAL_AS=$asn FRR_RMAP_OUT=OUT FRR_EXTRA=$(cat "$LAB_DIR/$node.extra") \
		lab_frr "$node" "$asn" <<EOF || exit 1
$(FRR_LOCAL_AS=$asn FRR_RMAP_OUT=OUT frr_rs_neighbors)
$(cat "$LAB_DIR/$node.body")
 exit-address-family
EOF
	lab_log "$name ($kind, AS $asn) is FRR bgpd at $ip"
done

# The live answers must equal the model's: same JSON, compared as data.
same_json() { # same_json "LIVE CMD" "OFFLINE CMD"
	python3 -c '
import json, subprocess, sys
a = json.loads(subprocess.run(sys.argv[1], shell=True, capture_output=True, text=True).stdout or "null")
b = json.loads(subprocess.run(sys.argv[2], shell=True, capture_output=True, text=True).stdout or "null")
if a != b:
    print("live:   ", json.dumps(a, sort_keys=True)[:600])
    print("offline:", json.dumps(b, sort_keys=True)[:600])
    sys.exit(1)' "$1" "$2"
}
live_cmd="$RSEMU ctl --control $CTL_SOCK"
off_cmd="$RSEMU routes ${topo[*]}"
for line in "${peers[@]}"; do
	read -r name _ <<<"$line"
	check_eventually 60 "$name: Established with both instances" established "$name"
done
for line in "${peers[@]}"; do
	read -r name _ <<<"$line"
	check_eventually 30 "$name: routes learned live = the topology's announcements" \
		same_json "$live_cmd learned $name --json" "$off_cmd --learned $name --json"
	check_eventually 30 "$name: routes advertised live = the model's" \
		same_json "$live_cmd advertised $name --json" "$off_cmd --advertised $name --json"
done
mapfile -t subnets < <("$RSEMU" routes "${topo[@]}" --all --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
items = d.items() if isinstance(d, dict) else [(e["subnet"], e) for e in d]
for k, _ in items:
    print(k)')
for s in "${subnets[@]}"; do
	check_eventually 30 "$s: effective routes live = the model's" \
		same_json "$live_cmd effective $s --json" "$off_cmd --effective $s --json"
done

echo
lab_log "rsemu ctl peers"
"$RSEMU" ctl --control "$CTL_SOCK" peers
# A spoke subnet that receives the Route Server's routes, shown live.
hub=$(printf '%s\n' "${subnets[@]}" | sed -n 's#/RouteServerSubnet$##p')
show=$(for s in "${subnets[@]}"; do
	[ "${s%%/*}" = "$hub" ] && continue
	"$RSEMU" ctl --control "$CTL_SOCK" effective "$s" --json |
		grep -q '"VirtualNetworkGateway"' && { echo "$s"; break; }
done)
if [ -n "$show" ]; then
	echo
	lab_log "rsemu ctl effective $show (learned live over BGP)"
	"$RSEMU" ctl --control "$CTL_SOCK" effective "$show"
fi
echo
lab_finish
