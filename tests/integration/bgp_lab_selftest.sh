#!/usr/bin/env bash
# The interop lab checked on its own, with no rsemu-rsd: GoBGP plays both
# Route Server instances (one gobgpd per instance IP), FRR and GoBGP play
# the NVAs. Proves the helpers the bgp_*.sh tests rely on (namespaces,
# bgpd/gobgpd start-up, RIB readers, live FRR reconfiguration, MD5, kill,
# link cut) and that a lab leaves nothing behind: not after a clean run,
# and not after a run killed with SIGKILL (the next run sweeps it).
# Usage: bgp_lab_selftest.sh [ANY...]   (arguments are ignored)
set -u
. "$(dirname "$0")/lib/lab.sh"

inner() { # the lab proper, in a child process
	lab_init lab_selftest_inner
	lab_need frr gobgp
	lab_node rs "$RS1/16" "$RS2/16"
	lab_node nva1 10.0.1.4/16
	lab_node nva2 10.0.1.5/16
	lab_node nva3 10.0.1.6/16
	local api=50051 inst
	for inst in "$RS1" "$RS2"; do
		GOBGP_API=$api GOBGP_LOCAL=$inst lab_gobgp rs 65515 \
			10.0.1.4:65001:s3cret 10.0.1.5:65002 10.0.1.6:65003:right || exit 1
		api=$((api + 1))
	done
	FRR_EXTRA='ip prefix-list NOADV seq 5 permit 192.168.11.0/24
route-map OUT permit 10
 match ip address prefix-list NOADV
 set community 65535:65282 additive
route-map OUT permit 20' FRR_RMAP_OUT=OUT lab_frr nva1 65001 <<EOF || exit 1
$(FRR_RMAP_OUT=OUT frr_rs_neighbors s3cret)
  network 192.168.1.0/24
  network 192.168.11.0/24
 exit-address-family
EOF
	lab_frr nva3 65003 <<EOF || exit 1
$(frr_rs_neighbors wrong)
  network 192.168.3.0/24
 exit-address-family
EOF
	lab_gobgp nva2 65002 || exit 1
	gobgp nva2 global rib add 192.168.2.0/24 nexthop 10.0.1.200 >/dev/null

	check_eventually 30 "FRR with MD5 establishes with both instances" \
		frr_established nva1 "$RS1" "$RS2"
	check_eventually 30 "GoBGP establishes with both instances" \
		gobgp_established nva2 "$RS1" "$RS2"
	check_eventually 10 "instance 1 learned FRR's routes, NO_ADVERTISE tagged" \
		expect_lines "192.168.1.0/24 10.0.1.4 65001
192.168.11.0/24 10.0.1.4 65001 65535:65282" adj_in_own rs@50051 10.0.1.4
	check_eventually 10 "instance 2 learned GoBGP's route with its next hop" \
		expect_lines "192.168.2.0/24 10.0.1.200 65002" gobgp_adj_in rs@50052 10.0.1.5
	check_eventually 10 "GoBGP NVA got FRR's route through instance 1" \
		adj_in_has nva2 "$RS1" "192.168.1.0/24 $RS1 65515-65001"
	check_eventually 10 "FRR holds GoBGP's route from both instances" \
		expect_lines "192.168.2.0/24 $RS1 65515-65002
192.168.2.0/24 $RS2 65515-65002" frr_rib_from nva1 192.168.2.0/24
	check_never 5 "a wrong MD5 key never establishes" \
		frr_any_established nva3 "$RS1" "$RS2"

	frr_config nva1 "route-map OUT permit 20" "set as-path prepend 65001 65001" >/dev/null
	frr nva1 "clear bgp * soft out" >/dev/null
	check_eventually 10 "a live FRR prepend reaches the peer" \
		expect_lines "192.168.1.0/24 10.0.1.4 65001-65001-65001
192.168.11.0/24 10.0.1.4 65001 65535:65282" adj_in_own rs@50051 10.0.1.4

	lab_kill nva1.bgpd KILL
	check_eventually 10 "killing FRR empties its adj-in at once" \
		expect_lines "" rib_has rs@50051 192.168.1.0/24
	lab_link nva2 down
	check_eventually 15 "cutting GoBGP's link drops it at hold expiry" \
		gobgp_not_established rs@50052 10.0.1.5
	lab_finish
}

# adj_in_own NODE NEIGHBOR: what NEIGHBOR originated (FRR also passes on, with
# the RS's AS in the path, what it learned from the other instance).
adj_in_own() { gobgp_adj_in "$1" "$2" | grep -v -- '-65515-'; }
rib_has() { gobgp_rib "$1" | grep "^$2 "; }
adj_in_has() { gobgp_adj_in "$1" "$2" | grep -qx -- "$3"; }
frr_rib_from() { frr_rib "$1" | grep "^$2 "; }
frr_any_established() {
	local node=$1 n
	shift
	for n in "$@"; do
		[ "$(frr_state "$node" "$n")" = Established ] && return 0
	done
	return 1
}
gobgp_not_established() { [ "$(gobgp_state "$1" "$2")" != established ]; }

crash() { # a lab killed with SIGKILL halfway
	lab_init lab_selftest_crash
	lab_node nva1 10.0.1.4/16
	lab_gobgp nva1 65001 || exit 1
	echo "crash-ns $(lab_ns nva1)"
	kill -KILL $$
}

case ${1:-} in
inner) inner ;;
crash) crash ;;
esac

lab_init lab_selftest
lab_need frr gobgp
rec=$LAB_DIR/pids
: >"$rec"

LAB_RECORD=$rec bash "$0" inner >"$LAB_DIR/inner.out" 2>&1
rc=$?
sed 's/^/  | /' "$LAB_DIR/inner.out"
check "the lab run passes" test $rc = 0
inner_pid=$(sed -n 's/^# lab rsit-\([0-9]*\) in .*/\1/p' "$LAB_DIR/inner.out")
no_ns_of() { ! ip netns list | grep -q "^$LAB_PREFIX-$1-"; }
none_alive() {
	local p
	for p in $(cat "$1"); do
		lab_pid_live "$p" && { echo "pid $p still runs"; return 1; }
	done
	return 0
}
check "a finished lab leaves no namespace" no_ns_of "$inner_pid"
check "a finished lab leaves no process ($(wc -l <"$rec") started)" none_alive "$rec"
check "a finished lab leaves no directory" \
	bash -c "! grep -lx $inner_pid /tmp/$LAB_PREFIX.*/owner 2>/dev/null"

: >"$rec"
{ LAB_RECORD=$rec bash "$0" crash >"$LAB_DIR/crash.out" 2>&1; } 2>/dev/null
crash_pid=$(sed -n 's/^# lab rsit-\([0-9]*\) in .*/\1/p' "$LAB_DIR/crash.out")
check "a SIGKILLed lab leaves its namespaces behind (as expected)" \
	bash -c "ip netns list | grep -q '^$LAB_PREFIX-$crash_pid-'"
_lab_sweep >/dev/null
check "the next lab sweeps the dead run's namespaces" no_ns_of "$crash_pid"
check "... and its processes" none_alive "$rec"
check "... and its directory" \
	bash -c "! grep -lx $crash_pid /tmp/$LAB_PREFIX.*/owner 2>/dev/null"
lab_finish
