#!/usr/bin/env bash
# Interop: max_prefixes: 3 (lab-max-prefix.yaml). nva1 (FRR) announces 5
# prefixes: each instance drops its session with a NOTIFICATION Cease /
# Maximum Number of Prefixes Reached (6/1) carrying the RFC 4486 data
# (AFI 1, SAFI 1, bound 3), logs it, and holds none of its routes (the
# routes are not truncated to 3). nva2 (GoBGP) announces exactly 3 and keeps
# its session. Once FRR announces only 3, it is let back in (after the
# daemon's back-off) and its routes are learned.
# Usage: bgp_max_prefix.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_max_prefix
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_rsd "$(lab_topology lab-max-prefix)" || exit 1

lab_gobgp nva2 65002 || exit 1
for i in 21 22 23; do
	gobgp nva2 global rib add "192.168.$i.0/24" >/dev/null
done
check_eventually 30 "nva2 (GoBGP, 3 prefixes = the limit) Established with both instances" \
	established nva2
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "nva2's 3 routes learned via $inst" \
		expect_lines "192.168.21.0/24 10.0.1.5 65002
192.168.22.0/24 10.0.1.5 65002
192.168.23.0/24 10.0.1.5 65002" learned nva2 "$inst"
done

rsd_log_mark
lab_frr nva1 65001 <<EOF || exit 1
$(frr_rs_neighbors)
  network 192.168.1.0/24
  network 192.168.2.0/24
  network 192.168.3.0/24
  network 192.168.4.0/24
  network 192.168.5.0/24
 exit-address-family
EOF

# FRR's own account of the NOTIFICATION it received, per instance.
frr_got_cease() { frr nva1 "show bgp neighbors $1 json" | $LAB_JSON frr-last "$1" | grep '"0601"'; }
# FRR logs: %NOTIFICATION: received from neighbor X 6/1 (...) N bytes DATA
cease_data() {
	grep -E "NOTIFICATION: received from neighbor $1 6/1 " "$LAB_DIR/nva1.frr.log" |
		tail -n 1 | sed -E 's/.* ([0-9]+ bytes.*)$/\1/; s/ +$//'
}
for inst in "$RS1" "$RS2"; do
	check_eventually 30 "$inst sends FRR a NOTIFICATION Cease/Maximum Number of Prefixes Reached" \
		frr_got_cease "$inst"
	check "... with the RFC 4486 data: AFI 1, SAFI 1, upper bound 3" \
		expect_lines "7 bytes 00 01 01 00 00 00 03" cease_data "$inst"
done
maxpfx_logged() {
	rsd_log_since | grep -Ei 'nva1|10\.0\.1\.4' | grep -Ei 'max.?prefix|maximum number of prefixes'
}
check "rsemu-rsd logged the max-prefix drop of nva1" maxpfx_logged
check "FRR sent its 5 prefixes in one UPDATE (so none may be kept)" \
	grep -q 'numpfx 5' "$LAB_DIR/nva1.frr.log"
check_eventually 10 "none of nva1's routes is held" expect_lines "" learned nva1
check "none reached the effective routes" \
	expect_lines "" effective_bgp spoke1/app 192.168.1.0/24
any_learned() { [ -n "$(learned nva1)" ]; }
check_never 3 "nva1's routes are never held while it keeps announcing 5 (not truncated to 3)" \
	any_learned
check "nva2 kept its sessions meanwhile" established nva2
check "nva2's routes are untouched" \
	expect_lines "192.168.21.0/24 10.0.1.5 65002
192.168.22.0/24 10.0.1.5 65002
192.168.23.0/24 10.0.1.5 65002" learned nva2 "$RS2"

# FRR comes down to 3 prefixes: let back in after the back-off.
frr_config nva1 "router bgp 65001" "address-family ipv4 unicast" \
	"no network 192.168.4.0/24" "no network 192.168.5.0/24" >/dev/null
check_eventually 90 "with 3 prefixes nva1 is let back in (both instances)" established nva1
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "nva1's 3 routes learned via $inst" \
		expect_lines "192.168.1.0/24 10.0.1.4 65001
192.168.2.0/24 10.0.1.4 65001
192.168.3.0/24 10.0.1.4 65001" learned nva1 "$inst"
done
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
