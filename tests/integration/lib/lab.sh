# lab.sh: a throw-away BGP lab in network namespaces, for the interop tests.
# Source it from a test script (bash). It defines functions and LAB_* names
# only; nothing happens until lab_init.
#
# The lab: one namespace per node (the Route Server `rs`, each NVA or gateway
# stand-in), each with one veth `eth0` whose other end sits on a bridge in a
# `lab` namespace. Addresses are the topology's own (10.0.0.0/16 hub world),
# so rsemu-rsd binds the real instance IPs and connects out to the real peer
# IPs. Nothing is added to the root namespace; no packet leaves the lab.
# Namespace names carry the test's PID (rsit-PID-NODE): parallel runs do not
# clash, and a run that died is swept by the next one once its PID is gone.
#
#   lab_args "$@"                 PATH/rsemu-rsd PATH/rsemu from the test's arguments
#   lab_init NAME                 checks (exit 77 = skip), traps, lab namespace
#   lab_need frr|gobgp...         skip (77) unless installed
#   lab_node NODE ADDR/LEN...     a namespace on the bridge with these addresses
#   lab_link NODE up|down         cut or mend a node's wire
#   lab_in NODE CMD...            run CMD in NODE's namespace
#   lab_bg NODE TAG CMD...        start CMD in the background (log: $LAB_DIR/TAG.log)
#   lab_kill TAG [SIGNAL]         signal a process started by lab_bg, wait for its end
#   lab_rsd TOPOLOGY              start rsemu-rsd in `rs`, wait for its control socket
#   lab_frr NODE ASN [ROUTER_ID]  start FRR bgpd, `router bgp` body on stdin
#   lab_gobgp NODE ASN [PEER...]  start gobgpd (default peers: both RS instances)
#   ctl ARGS...                   rsemu ctl --control ... ARGS --json
#   learned/advertised/effective_bgp/established/...   what rsemu-rsd says
#   frr/frr_rib/gobgp/gobgp_adj_in/...                  what the peers say
#   check / check_eventually / check_never / lab_finish   results, one line each
#
# Polling only: every wait is wait_until with a deadline, never a fixed sleep.
# Exit codes: 0 pass, 1 fail, 77 skip (no root, no namespaces, no FRR/GoBGP).
# Knobs: LAB_KEEP=1 keeps $LAB_DIR (configs, logs); LAB_LOG_LINES=N lines of
# each log shown on failure (default 40); LAB_DEBUG=1 says more.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_TOPO_DIR=$(cd "$LAB_LIB_DIR/../topologies" && pwd)
LAB_JSON="python3 $LAB_LIB_DIR/labjson.py"
LAB_PREFIX=rsit
LAB_ID=$LAB_PREFIX-$$
LAB_DIR=
LAB_NS=()              # namespaces created by this run, lab namespace last
declare -A LAB_PID=()  # tag -> pid of a background process
LAB_PASS=0
LAB_FAIL=0
LAB_NAME=$(basename "$0" .sh)
LAB_FINISHED=0
LAB_DEBUG=${LAB_DEBUG:-0}

# The Route Server instances and the port every test topology uses.
RS1=10.0.254.4
RS2=10.0.254.5
BGP_PORT=179
FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}

# Binaries under test: set by lab_args from the test's arguments.
RSD=
RSEMU=
CTL_SOCK=

lab_log() { printf '# %s\n' "$*"; }

lab_skip() {
	echo "SKIP: $LAB_NAME: $*"
	LAB_FINISHED=1
	exit 77
}

# lab_args "$@": the test's arguments are PATH/rsemu-rsd PATH/rsemu.
lab_args() {
	RSD=${1:-}
	RSEMU=${2:-}
	if [ -z "$RSD" ] || [ -z "$RSEMU" ]; then
		echo "usage: $0 PATH/rsemu-rsd PATH/rsemu" >&2
		exit 2
	fi
	RSD=$(realpath "$RSD")
	RSEMU=$(realpath "$RSEMU")
	[ -x "$RSD" ] || lab_skip "$RSD is not built"
	[ -x "$RSEMU" ] || lab_skip "$RSEMU is not built"
}

# lab_need WHAT...: skip unless these are present (frr, gobgp).
lab_need() {
	local w
	for w in "$@"; do
		case $w in
		frr) [ -x "$FRR_BGPD" ] && command -v vtysh >/dev/null ||
			lab_skip "FRR is not installed (apt-get install frr)" ;;
		gobgp) command -v gobgpd >/dev/null && command -v gobgp >/dev/null ||
			lab_skip "GoBGP is not installed (apt-get install gobgpd)" ;;
		*) echo "lab_need: unknown $w" >&2; exit 2 ;;
		esac
	done
}

# ---------------------------------------------------------------- cleanup

# _lab_ns_kill NS: kill every process still inside a namespace, by PID.
_lab_ns_kill() {
	local ns=$1 pids p i
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	[ -z "$pids" ] && return 0
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for i in $(seq 20); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] && return 0
		sleep 0.1
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	sleep 0.1
}

# _lab_sweep: remove what an earlier run of any lab test left behind when
# that run's PID no longer exists (a crash, a SIGKILL of the test).
_lab_sweep() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$LAB_PREFIX"-*-*) ;; *) continue ;; esac
		pid=${ns#"$LAB_PREFIX"-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		[ "$pid" = "$$" ] && continue
		kill -0 "$pid" 2>/dev/null && continue
		lab_log "sweeping $ns, left by the dead run $pid"
		_lab_ns_kill "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	for d in /tmp/"$LAB_PREFIX".*; do
		[ -f "$d/owner" ] || continue
		pid=$(cat "$d/owner" 2>/dev/null)
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		rm -rf "$d"
	done
}

_lab_dump_logs() {
	local f
	[ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ] || return 0
	for f in "$LAB_DIR"/*.log; do
		[ -s "$f" ] || continue
		echo "---- last lines of $(basename "$f") ----"
		tail -n "${LAB_LOG_LINES:-40}" "$f"
	done
}

_lab_cleanup() {
	local rc=$? tag pid i ns
	trap - EXIT INT TERM HUP
	set +e
	# Background processes first, gently, then by force.
	for tag in "${!LAB_PID[@]}"; do
		kill -TERM "${LAB_PID[$tag]}" 2>/dev/null
	done
	for i in $(seq 30); do
		pid=
		for tag in "${!LAB_PID[@]}"; do
			lab_pid_live "${LAB_PID[$tag]}" && pid=1
		done
		[ -z "$pid" ] && break
		sleep 0.1
	done
	for tag in "${!LAB_PID[@]}"; do
		kill -KILL "${LAB_PID[$tag]}" 2>/dev/null
	done
	for ns in "${LAB_NS[@]}"; do
		_lab_ns_kill "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$LAB_FINISHED" != 1 ] && [ "$rc" != 77 ]; then
		echo "ERROR: $LAB_NAME: aborted (exit $rc) after $LAB_PASS passed, $LAB_FAIL failed"
		_lab_dump_logs
		[ "$rc" = 0 ] && rc=1
	fi
	if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
		if [ "${LAB_KEEP:-0}" = 1 ]; then
			echo "# kept $LAB_DIR"
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	exit "$rc"
}

_lab_signal() {
	echo "ERROR: $LAB_NAME: interrupted by SIG$1"
	exit 1
}

# ---------------------------------------------------------------- setup

# lab_init NAME: check the environment (or exit 77), set the traps, create
# the working directory and the lab namespace with its bridge.
lab_init() {
	LAB_NAME=$1
	if [ "$(id -u)" != 0 ]; then
		lab_skip "needs root to create network namespaces"
	fi
	command -v ip >/dev/null || lab_skip "iproute2 (ip) is not installed"
	command -v python3 >/dev/null || lab_skip "python3 is not installed"
	trap _lab_cleanup EXIT
	trap '_lab_signal INT' INT
	trap '_lab_signal TERM' TERM
	trap '_lab_signal HUP' HUP
	_lab_sweep
	LAB_DIR=$(mktemp -d "/tmp/$LAB_PREFIX.XXXXXX")
	echo $$ >"$LAB_DIR/owner"
	CTL_SOCK=$LAB_DIR/ctl.sock
	local lab=$LAB_ID-lab
	if ! ip netns add "$lab" 2>"$LAB_DIR/netns.err"; then
		lab_skip "cannot create network namespaces: $(cat "$LAB_DIR/netns.err")"
	fi
	LAB_NS+=("$lab")
	if ! ip netns exec "$lab" true 2>"$LAB_DIR/netns.err"; then
		lab_skip "cannot run commands in a network namespace: $(cat "$LAB_DIR/netns.err")"
	fi
	ip -n "$lab" link set lo up
	ip -n "$lab" link add br0 type bridge
	ip -n "$lab" link set br0 up
	lab_log "lab $LAB_ID in $LAB_DIR"
}

lab_ns() { echo "$LAB_ID-$1"; }

# lab_node NODE ADDR/LEN...: a namespace joined to the bridge by a veth
# (eth0 inside, p-NODE on the bridge), with these addresses on eth0.
lab_node() {
	local node=$1 ns lab=$LAB_ID-lab a
	shift
	ns=$(lab_ns "$node")
	ip netns add "$ns" || return 1
	LAB_NS=("$ns" "${LAB_NS[@]}")
	ip -n "$ns" link set lo up
	ip -n "$lab" link add "p-$node" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$lab" link set "p-$node" master br0
	ip -n "$lab" link set "p-$node" up
	for a in "$@"; do
		ip -n "$ns" addr add "$a" dev eth0 || return 1
	done
	ip -n "$ns" link set eth0 up
}

# lab_link NODE up|down: cut or restore a node's wire (both veth ends lose
# carrier; the processes inside notice nothing but silence).
lab_link() {
	ip -n "$(lab_ns "$1")" link set eth0 "$2"
}

lab_in() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# lab_bg NODE TAG CMD...: start CMD inside NODE's namespace, stdout and
# stderr to $LAB_DIR/TAG.log; remembers its PID under TAG.
lab_bg() {
	local node=$1 tag=$2
	shift 2
	ip netns exec "$(lab_ns "$node")" "$@" >>"$LAB_DIR/$tag.log" 2>&1 &
	LAB_PID[$tag]=$!
	disown "$!" # no "Killed" job notices; lab_kill polls for the end instead
	[ -n "${LAB_RECORD:-}" ] && echo "$!" >>"$LAB_RECORD"
	[ "$LAB_DEBUG" = 1 ] && lab_log "started $tag (pid $!): $*"
	return 0
}

lab_alive() { lab_pid_live "${LAB_PID[$1]:-0}"; }

# lab_pid_live PID: the process exists and is not a zombie waiting for its
# reaper (an orphan's reaper may be slow).
lab_pid_live() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# lab_kill TAG [SIGNAL]: signal the process and wait until it is gone.
lab_kill() {
	local tag=$1 sig=${2:-TERM} pid=${LAB_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null
	if ! wait_until 10 "$tag exits" _lab_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait_until 5 "$tag exits" _lab_gone "$pid"
	fi
	unset "LAB_PID[$tag]"
	return 0
}
_lab_gone() { ! lab_pid_live "$1"; }

# ---------------------------------------------------------------- polling

# wait_until SECONDS DESC CMD...: run CMD every 0.2 s until it succeeds;
# 1 when SECONDS pass first. Never a fixed sleep.
wait_until() {
	local secs=$1 desc=$2 end
	shift 2
	end=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -ge "$end" ] && break
		sleep 0.2
	done
	[ "$LAB_DEBUG" = 1 ] && lab_log "timed out after ${secs}s: $desc"
	return 1
}

# ---------------------------------------------------------------- results

_lab_result() { # _lab_result OK DESC
	if [ "$1" = 0 ]; then
		LAB_PASS=$((LAB_PASS + 1))
		echo "ok   - $2"
	else
		LAB_FAIL=$((LAB_FAIL + 1))
		echo "FAIL - $2"
		[ -s "$LAB_DIR/why" ] && sed 's/^/       /' "$LAB_DIR/why"
	fi
	: >"$LAB_DIR/why"
	return "$1"
}

# check DESC CMD...: one check, now. A command may explain a failure by
# writing to $LAB_DIR/why (shown under the FAIL line).
check() {
	local desc=$1 rc=0
	shift
	: >"$LAB_DIR/why"
	"$@" >>"$LAB_DIR/why" 2>&1 || rc=1
	[ $rc = 0 ] && : >"$LAB_DIR/why"
	_lab_result $rc "$desc"
}

# check_eventually SECONDS DESC CMD...: CMD must succeed before the deadline
# (polled). On failure, the last attempt's output explains it.
check_eventually() {
	local secs=$1 desc=$2 rc=0 t0 t1
	shift 2
	t0=$(date +%s%N)
	wait_until "$secs" "$desc" "$@" || rc=1
	t1=$(date +%s%N)
	: >"$LAB_DIR/why"
	if [ $rc != 0 ]; then
		echo "not within ${secs}s; last attempt said:" >"$LAB_DIR/why"
		"$@" >>"$LAB_DIR/why" 2>&1
	fi
	_lab_result $rc "$desc ($(_lab_ms "$t0" "$t1") ms)"
}

# check_never SECONDS DESC CMD...: CMD must fail at every poll for SECONDS.
check_never() {
	local secs=$1 desc=$2 rc=0
	shift 2
	: >"$LAB_DIR/why"
	if wait_until "$secs" "$desc" "$@"; then
		rc=1
		echo "it happened; the command said:" >"$LAB_DIR/why"
		"$@" >>"$LAB_DIR/why" 2>&1
	fi
	_lab_result $rc "$desc (watched ${secs}s)"
}

_lab_ms() { echo $((($2 - $1) / 1000000)); }

# lab_finish: the summary line; exit 0 when nothing failed.
lab_finish() {
	echo "$LAB_PASS passed, $LAB_FAIL failed"
	LAB_FINISHED=1
	if [ "$LAB_FAIL" != 0 ]; then
		_lab_dump_logs
		exit 1
	fi
	exit 0
}

# expect_lines WANT CMD...: CMD's output, sorted, equals WANT (lines, any
# order); a diff goes to stdout (the check's explanation) when not.
expect_lines() {
	local want=$1 got
	shift
	got=$("$@" 2>&1 | sort)
	want=$(printf '%s\n' "$want" | sed '/^$/d' | sort)
	if [ "$got" = "$want" ]; then
		return 0
	fi
	echo "want:"
	printf '%s\n' "$want" | sed 's/^/  /'
	echo "got:"
	printf '%s\n' "$got" | sed 's/^/  /'
	return 1
}

# ---------------------------------------------------------------- rsemu-rsd

ctl() { "$RSEMU" ctl --control "$CTL_SOCK" "$@" --json; }

# lab_topology NAME: the path of tests/integration/topologies/NAME.yaml
lab_topology() { echo "$LAB_TOPO_DIR/$1.yaml"; }

# lab_rsd TOPOLOGY [TAG]: start rsemu-rsd in `rs` (created on first use with
# both instance IPs) and wait until its control socket answers.
lab_rsd() {
	local topo=$1 tag=${2:-rsd}
	if ! ip netns list | grep -q "^$(lab_ns rs)\b"; then
		lab_node rs "$RS1/16" "$RS2/16"
	fi
	rm -f "$CTL_SOCK"
	lab_bg rs "$tag" "$RSD" --topology "$topo" --control "$CTL_SOCK"
	if ! wait_until 10 "rsemu-rsd control socket" ctl peers; then
		echo "ERROR: rsemu-rsd did not answer on $CTL_SOCK within 10 s"
		lab_alive "$tag" || echo "ERROR: rsemu-rsd exited"
		return 1
	fi
}

# peer_state PEER INSTANCE_IP: the state ctl peers reports ("" if none).
peer_state() { ctl peers | $LAB_JSON peer-state "$1" "$2"; }

# established PEER: the peer is Established with both instances.
established() {
	ctl peers | $LAB_JSON peer-established "$1" "$RS1" "$RS2"
}

# not_established PEER: Established with neither instance.
not_established() {
	ctl peers | $LAB_JSON peer-not-established "$1" "$RS1" "$RS2"
}

# learned PEER [INSTANCE]: "network nextHop asPath" lines (one instance, or
# both instances prefixed with the instance IP).
learned() { ctl learned "$1" | $LAB_JSON routes "${2:-}"; }
advertised() { ctl advertised "$1" | $LAB_JSON routes "${2:-}"; }

# advertised_of PEER PREFIX...: advertised lines (both instances) for these.
advertised_of() {
	local peer=$1 out
	shift
	out=$(advertised "$peer") || { echo "$out"; return 1; }
	printf '%s\n' "$out" | awk -v l="$*" 'BEGIN { n = split(l, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 } ($2 in want)'
}

# learned_has PEER INSTANCE LINE: that exact "network nextHop asPath" line.
learned_has() { learned "$1" "$2" | grep -qx -- "$3"; }

# effective VNET/SUBNET PREFIX: "state nextHopType nh1,nh2" of the BGP
# (VirtualNetworkGateway) entries for PREFIX, one line each.
effective_bgp() { ctl effective "$1" | $LAB_JSON effective-bgp "$2"; }

# learned_fields PEER SOURCE_IP ORIGIN: the learned JSON is grouped by
# instance role (IN_0 = RS1, IN_1 = RS2), every entry has every field, its
# sourcePeer is SOURCE_IP, origin ORIGIN (EBgp, IBgp) and weight 32768.
learned_fields() {
	local j
	j=$(ctl learned "$1") || { echo "$j"; return 1; }
	printf '%s' "$j" | $LAB_JSON roles "$RS1" "$RS2" || return 1
	printf '%s' "$j" | python3 -c '
import json, sys
doc, src, origin = json.load(sys.stdin), sys.argv[1], sys.argv[2]
bad = [e for v in doc.values() for e in v
       if (e["sourcePeer"], e["origin"], e["weight"]) != (src, origin, 32768)]
if bad or not any(doc.values()):
    print("entries not (sourcePeer %s, origin %s, weight 32768): %s" % (src, origin, bad or "none at all"))
    sys.exit(1)' "$2" "$3"
}

# advertised_fields PEER: every advertised entry has nextHop = localAddress
# = its instance's IP, origin Igp and weight 0 (C6).
advertised_fields() {
	local j
	j=$(ctl advertised "$1") || { echo "$j"; return 1; }
	printf '%s' "$j" | $LAB_JSON roles-advertised "$RS1" "$RS2" || return 1
	printf '%s' "$j" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
bad = [e for v in doc.values() for e in v
       if e["nextHop"] != e["localAddress"] or e["origin"] != "Igp" or e["weight"] != 0]
if bad or not any(doc.values()):
    print("entries not (nextHop = localAddress, origin Igp, weight 0): %s" % (bad or "none at all"))
    sys.exit(1)'
}

# rsd_log_mark [TAG]: remember how far rsemu-rsd's log goes; rsd_log_since
# prints what came after the mark.
rsd_log_mark() { LAB_MARK=$(wc -l <"$LAB_DIR/${1:-rsd}.log"); }
rsd_log_since() { tail -n "+$((${LAB_MARK:-0} + 1))" "$LAB_DIR/${1:-rsd}.log"; }

# rsd_log_has REGEX [TAG]: rsemu-rsd's log (stderr) matches (grep -Ei).
rsd_log_has() { grep -Eiq -- "$1" "$LAB_DIR/${2:-rsd}.log"; }

# ---------------------------------------------------------------- FRR

# lab_frr NODE ASN [ROUTER_ID]: start a stand-alone FRR bgpd (no zebra) in
# NODE, listening on the node's first address, port BGP_PORT. stdin holds
# the rest of the `router bgp ASN` block; frr_rs_neighbors writes the usual
# neighbor lines for both RS instances. Other top-level config (prefix
# lists, route maps) goes in $FRR_EXTRA. The vty socket lives in
# $LAB_DIR/NODE.vty/, so frr NODE CMD works.
lab_frr() {
	local node=$1 asn=$2 rid=${3:-} conf dir addr
	dir=$LAB_DIR/$node.vty
	mkdir -p "$dir"
	addr=$(lab_in "$node" ip -4 -o addr show dev eth0 | awk '{print $4; exit}')
	addr=${addr%/*}
	[ -n "$rid" ] || rid=$addr
	conf=$LAB_DIR/$node.frr.conf
	{
		echo "hostname $node"
		echo "log file $LAB_DIR/$node.frr.log debugging"
		echo "log timestamp precision 3"
		echo "debug bgp neighbor-events"
		echo "debug bgp updates"
		printf '%s\n' "${FRR_EXTRA:-}"
		echo "router bgp $asn"
		echo " bgp router-id $rid"
		echo " no bgp ebgp-requires-policy"
		echo " no bgp network import-check"
		echo " no bgp default ipv4-unicast"
		cat
	} >"$conf"
	lab_bg "$node" "$node.bgpd" "$FRR_BGPD" -S -Z -n -f "$conf" -l "$addr" \
		-p "$BGP_PORT" -i "$LAB_DIR/$node.bgpd.pid" --vty_socket "$dir" \
		-P 0 --limit-fds 1024
	if ! wait_until 10 "bgpd $node vty" frr "$node" "show bgp summary"; then
		echo "ERROR: FRR bgpd in $node did not start; see $node.bgpd.log"
		return 1
	fi
}

# frr_rs_neighbors [PASSWORD [INSTANCES]]: neighbor statements for the RS
# instances (eBGP multihop, fast timers, connect retry 1 s), then
# `address-family ipv4 unicast` activation; close it yourself
# (` exit-address-family`) after adding networks.
frr_rs_neighbors() {
	local pw=${1:-} insts=${2:-"$RS1 $RS2"} n
	for n in $insts; do
		echo " neighbor $n remote-as ${FRR_REMOTE_AS:-65515}"
		[ "${FRR_REMOTE_AS:-65515}" = "${FRR_LOCAL_AS:-}" ] || echo " neighbor $n ebgp-multihop 255"
		echo " neighbor $n timers 1 3"
		echo " neighbor $n timers connect 1"
		echo " neighbor $n advertisement-interval 0"
		[ -n "$pw" ] && echo " neighbor $n password $pw"
	done
	echo " address-family ipv4 unicast"
	for n in $insts; do
		echo "  neighbor $n activate"
		echo "  neighbor $n soft-reconfiguration inbound"
		[ -n "${FRR_RMAP_OUT:-}" ] && echo "  neighbor $n route-map $FRR_RMAP_OUT out"
	done
	return 0
}

# frr NODE CMD...: vtysh against that bgpd only.
frr() {
	local node=$1
	shift
	local args=() c
	for c in "$@"; do args+=(-c "$c"); done
	vtysh --vty_socket "$LAB_DIR/$node.vty" -d bgpd "${args[@]}"
}

# frr_config NODE LINE...: configuration lines, applied live.
frr_config() {
	local node=$1
	shift
	frr "$node" "configure terminal" "$@" "end"
}

# frr_rib NODE [PEER]: "prefix nexthop aspath" of every path FRR holds
# (learned from PEER only, when given).
frr_rib() { frr "$1" "show bgp ipv4 unicast json" | $LAB_JSON frr-rib ${2:+"$2"}; }

# frr_state NODE NEIGHBOR: FRR's state for that neighbor.
frr_state() {
	frr "$1" "show bgp neighbors $2 json" | $LAB_JSON frr-state "$2"
}

# ---------------------------------------------------------------- GoBGP

# lab_gobgp NODE ASN [PEER[:AS[:PASSWORD]]...]: start gobgpd in NODE. Its
# gRPC API listens on 127.0.0.1:$GOBGP_API (default 50051) inside the
# namespace, invisible from outside. Peers default to both RS instances as
# AS 65515; each gets eBGP multihop (unless iBGP), connect retry 1 s, hold
# 3 s, keepalive 1 s. GOBGP_LOCAL overrides the local address (default: the
# node's first address); GOBGP_PASSWORD is the MD5 key of peers without one;
# GOBGP_AFI_EXTRA is TOML added to each peer's ipv4-unicast afi-safi.
lab_gobgp() {
	local node=$1 asn=$2 conf addr spec ip as pw api=${GOBGP_API:-50051} tag
	shift 2
	[ $# -gt 0 ] || set -- "$RS1:65515" "$RS2:65515"
	addr=${GOBGP_LOCAL:-$(lab_in "$node" ip -4 -o addr show dev eth0 | awk '{print $4; exit}')}
	addr=${addr%/*}
	tag=$node.gobgpd
	[ "$api" = 50051 ] || tag=$node.gobgpd$api
	conf=$LAB_DIR/$tag.toml
	{
		echo "[global.config]"
		echo "  as = $asn"
		echo "  router-id = \"$addr\""
		echo "  port = $BGP_PORT"
		echo "  local-address-list = [\"$addr\"]"
		for spec in "$@"; do
			IFS=: read -r ip as pw <<<"$spec"
			as=${as:-65515}
			pw=${pw:-${GOBGP_PASSWORD:-}}
			echo
			echo "[[neighbors]]"
			echo "  [neighbors.config]"
			echo "    neighbor-address = \"$ip\""
			echo "    peer-as = $as"
			[ -n "$pw" ] && echo "    auth-password = \"$pw\""
			echo "  [neighbors.timers.config]"
			echo "    connect-retry = 1"
			echo "    hold-time = 3"
			echo "    keepalive-interval = 1"
			echo "    minimum-advertisement-interval = 0"
			echo "    idle-hold-time-after-reset = 1"
			echo "  [neighbors.transport.config]"
			echo "    local-address = \"$addr\""
			if [ "$asn" != "$as" ]; then
				echo "  [neighbors.ebgp-multihop.config]"
				echo "    enabled = true"
				echo "    multihop-ttl = 255"
			fi
			echo "  [[neighbors.afi-safis]]"
			echo "    [neighbors.afi-safis.config]"
			echo "      afi-safi-name = \"ipv4-unicast\""
			[ -n "${GOBGP_AFI_EXTRA:-}" ] && printf '%s\n' "$GOBGP_AFI_EXTRA"
		done
	} >"$conf"
	lab_bg "$node" "$tag" gobgpd -f "$conf" -p -l debug \
		--api-hosts "127.0.0.1:$api" --pprof-disable
	if ! wait_until 10 "gobgpd $node API" gobgp "$node@$api" global; then
		echo "ERROR: gobgpd in $node did not start; see $tag.log"
		return 1
	fi
}

# gobgp NODE[@API_PORT] ARGS...: the GoBGP CLI against that node's daemon.
gobgp() {
	local node=${1%@*} api=50051
	case $1 in *@*) api=${1#*@} ;; esac
	shift
	lab_in "$node" gobgp -u 127.0.0.1 -p "$api" "$@"
}

# gobgp_adj_in NODE NEIGHBOR: "prefix nexthop aspath [communities]" lines.
gobgp_adj_in() { gobgp "$1" neighbor "$2" adj-in -j | $LAB_JSON gobgp-rib; }
gobgp_rib() { gobgp "$1" global rib -j | $LAB_JSON gobgp-rib; }
# gobgp_adj_in_has NODE NEIGHBOR PREFIX: a path for PREFIX is in the adj-in.
gobgp_adj_in_has() { gobgp_adj_in "$1" "$2" | grep -q "^$3 "; }
# gobgp_adj_in_is NODE NEIGHBOR LINE: the paths for LINE's prefix are LINE.
gobgp_adj_in_is() {
	local out
	out=$(gobgp_adj_in "$1" "$2") || { echo "$out"; return 1; }
	expect_lines "$3" awk -v p="${3%% *}" '$1 == p' <<<"$out"
}

# gobgp_state NODE NEIGHBOR: GoBGP's session state (e.g. "established").
gobgp_state() { gobgp "$1" neighbor "$2" -j | $LAB_JSON gobgp-state; }

# gobgp_established NODE NEIGHBOR...: every one of them is established.
gobgp_established() {
	local node=$1 n st rc=0
	shift
	for n in "$@"; do
		st=$(gobgp_state "$node" "$n")
		echo "$n=$st"
		[ "$st" = established ] || rc=1
	done
	return $rc
}

# frr_established NODE NEIGHBOR...: FRR is Established with every one.
frr_established() {
	local node=$1 n st rc=0
	shift
	for n in "$@"; do
		st=$(frr_state "$node" "$n")
		echo "$n=$st"
		[ "$st" = Established ] || rc=1
	done
	return $rc
}
