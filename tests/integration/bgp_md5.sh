#!/usr/bin/env bash
# Interop: TCP MD5 (RFC 2385), lab-md5.yaml. nva1 (FRR) and nva2 (GoBGP)
# use the configured keys: they establish with both instances (which proves
# rsemu-rsd signs its segments: a peer with a key drops unsigned ones) and
# routes flow. nva3 (FRR) uses a wrong key and nva4 (FRR) a key where none
# is configured: neither ever establishes, however often they try. Nor does
# a stranger (FRR at 10.0.1.9, in no topology: unknown peers are refused).
# Usage: bgp_md5.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_md5
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_node nva3 10.0.1.6/16
lab_node nva4 10.0.1.7/16
lab_node stranger 10.0.1.9/16
lab_rsd "$(lab_topology lab-md5)" || exit 1

lab_frr nva1 65001 <<EOF || exit 1
$(frr_rs_neighbors rsemu-key-1)
  network 192.168.1.0/24
 exit-address-family
EOF
GOBGP_PASSWORD=rsemu-key-2 lab_gobgp nva2 65002 || exit 1
gobgp nva2 global rib add 192.168.2.0/24 >/dev/null
lab_frr nva3 65003 <<EOF || exit 1
$(frr_rs_neighbors wrong-key)
  network 192.168.3.0/24
 exit-address-family
EOF
lab_frr nva4 65004 <<EOF || exit 1
$(frr_rs_neighbors extra-key)
  network 192.168.4.0/24
 exit-address-family
EOF
lab_frr stranger 65009 <<EOF || exit 1
$(frr_rs_neighbors)
  network 192.168.9.0/24
 exit-address-family
EOF

check_eventually 30 "nva1 (FRR, right key) Established with both instances" established nva1
check_eventually 30 "nva2 (GoBGP, right key) Established with both instances" established nva2
check "FRR sees both instances Established" frr_established nva1 "$RS1" "$RS2"
check "GoBGP sees both instances Established" gobgp_established nva2 "$RS1" "$RS2"
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "routes flow over MD5: nva1's via $inst" \
		expect_lines "192.168.1.0/24 10.0.1.4 65001" learned nva1 "$inst"
	check_eventually 10 "routes flow over MD5: nva2's via $inst" \
		expect_lines "192.168.2.0/24 10.0.1.5 65002" learned nva2 "$inst"
	check_eventually 10 "... and back: GoBGP holds nva1's route from $inst" \
		gobgp_adj_in_has nva2 "$inst" 192.168.1.0/24
done

# Both sides retry every second or so; watch for a while.
bad_up() { # any session of nva3/nva4 Established, by either side's account
	local n
	for n in nva3 nva4; do
		not_established "$n" || { echo "$n: $(ctl peers | $LAB_JSON peer-established "$n" "$RS1" "$RS2")"; return 0; }
		frr_established "$n" "$RS1" >/dev/null && { echo "$n: FRR Established with $RS1"; return 0; }
		frr_established "$n" "$RS2" >/dev/null && { echo "$n: FRR Established with $RS2"; return 0; }
	done
	for n in "$RS1" "$RS2"; do
		frr_established stranger "$n" >/dev/null && { echo "stranger: FRR Established with $n"; return 0; }
	done
	return 1
}
check_never 8 "wrong key (nva3), unexpected key (nva4), stranger never establish" bad_up
stranger_refused() { grep -E '10\.0\.1\.9' "$LAB_DIR/rsd.log" | grep -Ei 'refus|unknown|reject'; }
check "rsemu-rsd logged refusing the stranger" stranger_refused
check "nva3 has no route learned" expect_lines "" learned nva3
check "nva4 has no route learned" expect_lines "" learned nva4
check "nva1 is still Established" established nva1
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
