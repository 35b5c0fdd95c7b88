#!/usr/bin/env bash
# Interop: a route tagged NO_ADVERTISE (65535:65282) is learned and
# programmed but never re-advertised, checked in the other NVA's own RIB,
# both ways (FRR -> GoBGP and GoBGP -> FRR); untagged routes are passed on
# with 65515 prepended and their communities intact; tagging and untagging
# a route live withdraws and re-advertises it.
# Usage: bgp_no_advertise.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_no_advertise
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_rsd "$(lab_topology lab-two-nvas)" || exit 1

# nva1 (FRR): 192.168.1.0/24 plain, 192.168.11.0/24 NO_ADVERTISE,
# 192.168.12.0/24 with a community of its own. Tags are set on the way out
# (FRR itself would not send a route that carries NO_ADVERTISE already).
FRR_EXTRA='ip prefix-list NOADV seq 5 permit 192.168.11.0/24
ip prefix-list MINE seq 5 permit 192.168.12.0/24
route-map OUT permit 10
 match ip address prefix-list NOADV
 set community 65535:65282 additive
route-map OUT permit 20
 match ip address prefix-list MINE
 set community 65001:100 additive
route-map OUT permit 30' lab_frr nva1 65001 <<EOF || exit 1
$(FRR_RMAP_OUT=OUT frr_rs_neighbors)
  network 192.168.1.0/24
  network 192.168.11.0/24
  network 192.168.12.0/24
 exit-address-family
EOF
# nva2 (GoBGP): 192.168.2.0/24 plain, 192.168.22.0/24 NO_ADVERTISE.
lab_gobgp nva2 65002 || exit 1
gobgp nva2 global rib add 192.168.2.0/24 >/dev/null
gobgp nva2 global rib add 192.168.22.0/24 community 65535:65282 >/dev/null

check_eventually 30 "nva1 (FRR) Established with both instances" established nva1
check_eventually 30 "nva2 (GoBGP) Established with both instances" established nva2
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "rsemu-rsd learned nva1's three routes, tagged one included, via $inst" \
		expect_lines "192.168.1.0/24 10.0.1.4 65001
192.168.11.0/24 10.0.1.4 65001
192.168.12.0/24 10.0.1.4 65001" learned nva1 "$inst"
	check_eventually 10 "rsemu-rsd learned nva2's two routes via $inst" \
		expect_lines "192.168.2.0/24 10.0.1.5 65002
192.168.22.0/24 10.0.1.5 65002" learned nva2 "$inst"
done
check "the tagged routes are still programmed (effective spoke1/app)" \
	expect_lines "Active VirtualNetworkGateway 10.0.1.4" effective_bgp spoke1/app 192.168.11.0/24
check "... both of them" \
	expect_lines "Active VirtualNetworkGateway 10.0.1.5" effective_bgp spoke1/app 192.168.22.0/24

# nva2's RIB (GoBGP adj-in from each instance), nva1's prefixes only.
nva1_seen() { gobgp_adj_in nva2 "$1" | grep -E '^192\.168\.1[12]?\.0/24 '; }
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "GoBGP got nva1's plain routes from $inst (65515 prepended, community kept)" \
		expect_lines "192.168.1.0/24 $inst 65515-65001
192.168.12.0/24 $inst 65515-65001 65001:100" nva1_seen "$inst"
done
nva1_tagged_seen() {
	local i
	for i in "$RS1" "$RS2"; do
		gobgp_adj_in nva2 "$i" | grep '^192\.168\.11\.0/24 ' && return 0
	done
	return 1
}
check_never 2 "GoBGP never gets nva1's NO_ADVERTISE route" nva1_tagged_seen

# nva1's RIB (FRR), nva2's prefixes only.
nva2_seen() { frr_rib nva1 | grep -E '^192\.168\.22?\.0/24 '; }
check_eventually 10 "FRR got nva2's plain route from both instances (65515 prepended)" \
	expect_lines "192.168.2.0/24 $RS1 65515-65002
192.168.2.0/24 $RS2 65515-65002" nva2_seen
nva2_tagged_seen() { frr_rib nva1 | grep '^192\.168\.22\.0/24 '; }
check_never 2 "FRR never gets nva2's NO_ADVERTISE route" nva2_tagged_seen
check "rsemu ctl advertised nva2 agrees: 192.168.1.0/24, not 192.168.11.0/24" \
	expect_lines "$RS1 192.168.1.0/24 $RS1 65515-65001
$RS2 192.168.1.0/24 $RS2 65515-65001" advertised_of nva2 192.168.1.0/24 192.168.11.0/24
check "rsemu ctl advertised nva1 agrees: 192.168.2.0/24, not 192.168.22.0/24" \
	expect_lines "$RS1 192.168.2.0/24 $RS1 65515-65002
$RS2 192.168.2.0/24 $RS2 65515-65002" advertised_of nva1 192.168.2.0/24 192.168.22.0/24

# Live: tag 192.168.1.0/24 too, untag 192.168.11.0/24.
frr_config nva1 "no ip prefix-list NOADV seq 5 permit 192.168.11.0/24" \
	"ip prefix-list NOADV seq 5 permit 192.168.1.0/24" >/dev/null
frr nva1 "clear bgp * soft out" >/dev/null
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "tagging/untagging live: GoBGP's view from $inst follows" \
		expect_lines "192.168.11.0/24 $inst 65515-65001
192.168.12.0/24 $inst 65515-65001 65001:100" nva1_seen "$inst"
done
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
