#!/usr/bin/env bash
# Interop: two NVAs announce the same prefixes with AS paths of equal length
# -> the spoke's effective route has both NVAs as next hops (ECMP,
# active/active); one NVA prepends its AS -> only the other remains
# (active/passive); changes are made live, on GoBGP and on FRR, both ways.
# Usage: bgp_ecmp_prepend.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_ecmp_prepend
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_rsd "$(lab_topology lab-two-nvas)" || exit 1

# nva1 (FRR): a route map OUT, empty for now (permit everything).
FRR_EXTRA='route-map OUT permit 10' lab_frr nva1 65001 <<EOF || exit 1
$(FRR_RMAP_OUT=OUT frr_rs_neighbors)
  network 0.0.0.0/0
  network 10.100.0.0/16
 exit-address-family
EOF
lab_gobgp nva2 65002 || exit 1
gobgp nva2 global rib add 0.0.0.0/0 >/dev/null
gobgp nva2 global rib add 10.100.0.0/16 >/dev/null

check_eventually 30 "nva1 (FRR) Established with both instances" established nva1
check_eventually 30 "nva2 (GoBGP) Established with both instances" established nva2

both="Active VirtualNetworkGateway 10.0.1.4,10.0.1.5"
only1="Active VirtualNetworkGateway 10.0.1.4"
only2="Active VirtualNetworkGateway 10.0.1.5"
eff() { effective_bgp spoke1/app "$1"; }

check_eventually 10 "equal AS paths: 10.100.0.0/16 is ECMP over both NVAs" \
	expect_lines "$both" eff 10.100.0.0/16
check_eventually 10 "equal AS paths: 0.0.0.0/0 is ECMP over both NVAs" \
	expect_lines "$both" eff 0.0.0.0/0
check "the hub's NVA subnet gets the same ECMP route" \
	expect_lines "$both" effective_bgp hub/nva 10.100.0.0/16

# GoBGP prepends (re-announces the prefix with a longer path): nva1 wins.
gobgp nva2 global rib add 10.100.0.0/16 aspath 65002,65002 >/dev/null
check_eventually 10 "GoBGP prepends: learned path 65002-65002-65002" \
	learned_has nva2 "$RS1" "10.100.0.0/16 10.0.1.5 65002-65002-65002"
check_eventually 10 "GoBGP prepends: 10.100.0.0/16 only via nva1 (active/passive)" \
	expect_lines "$only1" eff 10.100.0.0/16
check "... while 0.0.0.0/0 stays ECMP" expect_lines "$both" eff 0.0.0.0/0

# FRR prepends more (4 ASes against GoBGP's 3): nva2 wins.
frr_config nva1 "route-map OUT permit 10" "set as-path prepend 65001 65001 65001" >/dev/null
frr nva1 "clear bgp * soft out" >/dev/null
check_eventually 10 "FRR prepends more: 10.100.0.0/16 only via nva2" \
	expect_lines "$only2" eff 10.100.0.0/16
check_eventually 10 "FRR prepends: 0.0.0.0/0 only via nva2" \
	expect_lines "$only2" eff 0.0.0.0/0

# GoBGP back to a plain path: still nva2 (1 AS against 4).
gobgp nva2 global rib add 10.100.0.0/16 >/dev/null
check_eventually 10 "GoBGP drops its prepend: learned path 65002" \
	expect_lines "10.100.0.0/16 10.0.1.5 65002
0.0.0.0/0 10.0.1.5 65002" learned nva2 "$RS2"
check "... 10.100.0.0/16 still only via nva2" expect_lines "$only2" eff 10.100.0.0/16

# FRR drops its prepend: equal again, ECMP again.
frr_config nva1 "route-map OUT permit 10" "no set as-path prepend" >/dev/null
frr nva1 "clear bgp * soft out" >/dev/null
check_eventually 10 "FRR drops its prepend: 10.100.0.0/16 is ECMP again" \
	expect_lines "$both" eff 10.100.0.0/16
check_eventually 10 "... and 0.0.0.0/0 too" expect_lines "$both" eff 0.0.0.0/0
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
