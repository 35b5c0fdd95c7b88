#!/usr/bin/env bash
# Interop: an FRR NVA and a GoBGP NVA (and an FRR NVA with a 4-octet ASN)
# establish with BOTH Route Server instances, and what rsemu-rsd learned
# from each is exactly what it announced (prefix, next hop, AS path), per
# instance; the 4-octet AS path reaches a peer intact; announcements and
# withdrawals made later show up too; routes that come back with 65515 in
# their AS path (the NVAs pass on what they learned) are dropped.
# Usage: bgp_establish.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_establish
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_node nva3 10.0.1.6/16
lab_rsd "$(lab_topology lab-establish)" || exit 1

# nva1 (FRR, AS 65001): one plain route, one with another next hop (a load
# balancer in front of it), one prepended.
FRR_EXTRA='ip prefix-list LB seq 5 permit 192.168.10.0/24
ip prefix-list PP seq 5 permit 192.168.11.0/24
route-map OUT permit 10
 match ip address prefix-list LB
 set ip next-hop 10.0.1.100
route-map OUT permit 20
 match ip address prefix-list PP
 set as-path prepend 65001 65001
route-map OUT permit 30' lab_frr nva1 65001 <<EOF || exit 1
$(FRR_RMAP_OUT=OUT frr_rs_neighbors)
  network 192.168.1.0/24
  network 192.168.10.0/24
  network 192.168.11.0/24
 exit-address-family
EOF
# nva2 (GoBGP, AS 65002): one plain route, one with an explicit next hop
# and a longer path.
lab_gobgp nva2 65002 || exit 1
gobgp nva2 global rib add 192.168.2.0/24 >/dev/null
gobgp nva2 global rib add 192.168.20.0/24 nexthop 10.0.1.200 aspath 65200,65201 >/dev/null
# nva3 (FRR, AS 4200000003: AS_TRANS in its OPEN, 4-octet AS_PATH).
lab_frr nva3 4200000003 <<EOF || exit 1
$(frr_rs_neighbors)
  network 192.168.3.0/24
 exit-address-family
EOF

check_eventually 30 "nva1 (FRR) Established with both instances (rsemu ctl peers)" established nva1
check_eventually 30 "nva2 (GoBGP) Established with both instances (rsemu ctl peers)" established nva2
check_eventually 30 "nva3 (FRR, 4-octet AS) Established with both instances" established nva3
check "FRR sees both instances Established" frr_established nva1 "$RS1" "$RS2"
check "GoBGP sees both instances Established" gobgp_established nva2 "$RS1" "$RS2"

nva1_want="192.168.1.0/24 10.0.1.4 65001
192.168.10.0/24 10.0.1.100 65001
192.168.11.0/24 10.0.1.4 65001-65001-65001"
nva2_want="192.168.2.0/24 10.0.1.5 65002
192.168.20.0/24 10.0.1.200 65002-65200-65201"
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "learned from nva1 via $inst = what FRR announced" \
		expect_lines "$nva1_want" learned nva1 "$inst"
	check_eventually 10 "learned from nva2 via $inst = what GoBGP announced" \
		expect_lines "$nva2_want" learned nva2 "$inst"
done
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "learned from nva3 via $inst: AS path 4200000003" \
		expect_lines "192.168.3.0/24 10.0.1.6 4200000003" learned nva3 "$inst"
	check_eventually 10 "GoBGP gets nva3's route from $inst as 65515-4200000003" \
		gobgp_adj_in_is nva2 "$inst" "192.168.3.0/24 $inst 65515-4200000003"
done
check "learned from nva1: IN_0/IN_1 roles, sourcePeer, origin EBgp, weight 32768" \
	learned_fields nva1 10.0.1.4 EBgp
check "learned from nva2: IN_0/IN_1 roles, sourcePeer, origin EBgp, weight 32768" \
	learned_fields nva2 10.0.1.5 EBgp
check "the peer can be named by its IP too" \
	expect_lines "$nva1_want" learned 10.0.1.4 "$RS1"

# Loop prevention: FRR holds nva2's route from one instance and passes it on
# to the other with 65515 in the path; rsemu-rsd must drop it.
frr_sent_back() {
	frr nva1 "show bgp ipv4 unicast neighbors $RS2 advertised-routes json" |
		grep -q '"192.168.2.0/24"'
}
check_eventually 10 "FRR passes nva2's route back to the Route Server" frr_sent_back
check "... and rsemu-rsd dropped it (65515 in the AS path)" \
	expect_lines "$nva1_want" learned nva1 "$RS2"

# Changes: a withdrawal and a new route from each NVA.
frr_config nva1 "router bgp 65001" "address-family ipv4 unicast" \
	"no network 192.168.11.0/24" "network 192.168.12.0/24" >/dev/null
gobgp nva2 global rib del 192.168.20.0/24 >/dev/null
gobgp nva2 global rib add 192.168.21.0/24 >/dev/null
nva1_want="192.168.1.0/24 10.0.1.4 65001
192.168.10.0/24 10.0.1.100 65001
192.168.12.0/24 10.0.1.4 65001"
nva2_want="192.168.2.0/24 10.0.1.5 65002
192.168.21.0/24 10.0.1.5 65002"
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "FRR's withdrawal and new route reach rsemu-rsd via $inst" \
		expect_lines "$nva1_want" learned nva1 "$inst"
	check_eventually 10 "GoBGP's withdrawal and new route reach rsemu-rsd via $inst" \
		expect_lines "$nva2_want" learned nva2 "$inst"
done
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
