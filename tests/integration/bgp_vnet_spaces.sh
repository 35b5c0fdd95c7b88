#!/usr/bin/env bash
# Interop: every peer receives, from each instance, the address spaces of
# the hub and of the spokes peered with use_remote_gateways (not of a spoke
# without it), with AS path 65515 and next hop = that instance's IP. Learned
# routes equal to or longer than such a space are not passed on; a shorter
# supernet is, and its withdrawal too.
# Usage: bgp_vnet_spaces.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_vnet_spaces
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_rsd "$(lab_topology lab-two-nvas)" || exit 1

# nva1 (FRR): a /24 inside spoke1, spoke2's second space exactly, and the
# 10/8 supernet. nva2 (GoBGP) only listens.
lab_frr nva1 65001 <<EOF2 || exit 1
$(frr_rs_neighbors)
  network 10.1.5.0/24
  network 10.20.0.0/16
  network 10.0.0.0/8
 exit-address-family
EOF2
lab_gobgp nva2 65002 || exit 1

check_eventually 30 "nva1 (FRR) Established with both instances" established nva1
check_eventually 30 "nva2 (GoBGP) Established with both instances" established nva2
spaces() { # spaces INSTANCE
	printf '%s\n' "10.0.0.0/16 $1 65515" "10.1.0.0/16 $1 65515" \
		"10.2.0.0/16 $1 65515" "10.20.0.0/16 $1 65515"
}
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "rsemu-rsd learned nva1's three routes via $inst" \
		expect_lines "10.0.0.0/8 10.0.1.4 65001
10.1.5.0/24 10.0.1.4 65001
10.20.0.0/16 10.0.1.4 65001" learned nva1 "$inst"
	check_eventually 10 "FRR gets exactly the VNet spaces from $inst (65515, next hop $inst)" \
		expect_lines "$(spaces "$inst")" frr_rib nva1 "$inst"
	check_eventually 10 "GoBGP gets the VNet spaces and only nva1's supernet from $inst" \
		expect_lines "$(spaces "$inst")
10.0.0.0/8 $inst 65515-65001" gobgp_adj_in nva2 "$inst"
done
check "rsemu ctl advertised nva2 says the same" \
	expect_lines "$(for i in "$RS1" "$RS2"; do spaces "$i" | sed "s|^|$i |"; echo "$i 10.0.0.0/8 $i 65515-65001"; done)" \
	advertised nva2
check "advertised entries: nextHop = localAddress, origin Igp, weight 0" advertised_fields nva2

frr_config nva1 "router bgp 65001" "address-family ipv4 unicast" "no network 10.0.0.0/8" >/dev/null
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "nva1 withdraws the supernet: GoBGP's view from $inst follows" \
		expect_lines "$(spaces "$inst")" gobgp_adj_in nva2 "$inst"
done
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
