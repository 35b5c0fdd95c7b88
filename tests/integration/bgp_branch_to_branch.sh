#!/usr/bin/env bash
# Interop: an NVA (FRR, eBGP) and an ExpressRoute gateway stand-in (GoBGP,
# iBGP as AS 65515). Routes pass NVA <-> gateway only with branch_to_branch
# on: first lab-b2b-off.yaml (nothing passes, though both sessions carry the
# VNet address spaces and the gateway's routes are programmed), then
# rsemu-rsd restarted on lab-b2b-on.yaml (both directions pass; 65515 is
# prepended toward the NVA only, eBGP).
# Usage: bgp_branch_to_branch.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_branch_to_branch
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node gw 10.0.255.4/16
lab_rsd "$(lab_topology lab-b2b-off)" || exit 1

lab_frr nva1 65001 <<EOF || exit 1
$(frr_rs_neighbors)
  network 192.168.1.0/24
 exit-address-family
EOF
lab_gobgp gw 65515 || exit 1
gobgp gw global rib add 172.16.0.0/16 aspath 12076,65020 >/dev/null

# What each side sees, limited to the other side's prefix (plus the hub's
# address space, which proves the session carries routes at all).
nva_sees() { frr_rib nva1 | grep -E '^(172\.16\.0\.0/16|10\.0\.0\.0/16) '; }
gw_sees() { # the next hop toward iBGP and the VNet space's path there are
	# not specified: prefix (and AS path for the NVA's route) only
	gobgp_adj_in gw "$1" | awk '$1 == "192.168.1.0/24" { print $1, $3 } $1 == "10.0.0.0/16" { print $1 }'
}
nva_sees_gw() { frr_rib nva1 | grep '^172\.16\.0\.0/16 '; }
gw_sees_nva() {
	local i
	for i in "$RS1" "$RS2"; do
		gobgp_adj_in gw "$i" | grep '^192\.168\.1\.0/24 ' && return 0
	done
	return 1
}

phase() { # phase on|off
	local p=$1
	check_eventually 30 "[$p] nva1 (FRR, eBGP) Established with both instances" established nva1
	check_eventually 30 "[$p] er-gw (GoBGP, iBGP 65515) Established with both instances" established er-gw
	check "[$p] GoBGP sees both instances Established" gobgp_established gw "$RS1" "$RS2"
	local inst
	for inst in "$RS1" "$RS2"; do
		check_eventually 10 "[$p] learned from er-gw via $inst" \
			expect_lines "172.16.0.0/16 10.0.255.4 12076-65020" learned er-gw "$inst"
		check_eventually 10 "[$p] learned from nva1 via $inst" \
			expect_lines "192.168.1.0/24 10.0.1.4 65001" learned nva1 "$inst"
	done
	check "[$p] er-gw's routes: origin IBgp, weight 32768" learned_fields er-gw 10.0.255.4 IBgp
	check "[$p] the gateway's route is programmed (spoke1/app)" \
		expect_lines "Active VirtualNetworkGateway 10.0.255.4" effective_bgp spoke1/app 172.16.0.0/16
	check "[$p] the NVA's route is programmed (spoke1/app)" \
		expect_lines "Active VirtualNetworkGateway 10.0.1.4" effective_bgp spoke1/app 192.168.1.0/24
}

phase off
check_eventually 10 "[off] FRR gets the hub's space from both instances, not the gateway's route" \
	expect_lines "10.0.0.0/16 $RS1 65515
10.0.0.0/16 $RS2 65515" nva_sees
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[off] GoBGP gets the hub's space from $inst, not the NVA's route" \
		expect_lines "10.0.0.0/16" gw_sees "$inst"
done
check_never 2 "[off] the NVA never gets the gateway's route" nva_sees_gw
check_never 1 "[off] the gateway never gets the NVA's route" gw_sees_nva
check "[off] rsemu ctl advertised nva1: no 172.16.0.0/16" \
	expect_lines "" advertised_of nva1 172.16.0.0/16
check "[off] rsemu ctl advertised er-gw: no 192.168.1.0/24" \
	expect_lines "" advertised_of er-gw 192.168.1.0/24

lab_kill rsd
lab_rsd "$(lab_topology lab-b2b-on)" || exit 1
phase on
check_eventually 10 "[on] FRR gets the gateway's route from both instances, 65515 prepended" \
	expect_lines "10.0.0.0/16 $RS1 65515
10.0.0.0/16 $RS2 65515
172.16.0.0/16 $RS1 65515-12076-65020
172.16.0.0/16 $RS2 65515-12076-65020" nva_sees
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[on] GoBGP gets the NVA's route from $inst, AS path as learned (iBGP)" \
		expect_lines "10.0.0.0/16
192.168.1.0/24 65001" gw_sees "$inst"
done
check "[on] rsemu ctl advertised nva1: 172.16.0.0/16 from both instances" \
	expect_lines "$RS1 172.16.0.0/16 $RS1 65515-12076-65020
$RS2 172.16.0.0/16 $RS2 65515-12076-65020" advertised_of nva1 172.16.0.0/16
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
