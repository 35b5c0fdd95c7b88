#!/usr/bin/env bash
# Interop: failure of an NVA (FRR, nva1) while another (GoBGP, nva2) shares
# its ECMP route.
#   1. SIGKILL of bgpd: the kernel closes its connections, rsemu-rsd notices
#      at once (no hold-timer expiry involved), withdraws nva1's routes from
#      the effective routes and from nva2.
#   2. FRR restarted: the sessions come back, so do the routes and ECMP.
#   3. nva1's wire cut (veth down): nothing tells rsemu-rsd, the routes stay
#      until the hold timer (3 s) expires, then go the same way.
#   4. wire back: the sessions and routes return.
# Order is asserted by polling (and by the log's reasons), never by timing.
# Usage: bgp_failure.sh PATH/rsemu-rsd PATH/rsemu
set -u
. "$(dirname "$0")/lib/lab.sh"
lab_args "$@"
lab_init bgp_failure
lab_need frr gobgp

lab_node nva1 10.0.1.4/16
lab_node nva2 10.0.1.5/16
lab_rsd "$(lab_topology lab-two-nvas)" || exit 1

start_frr() {
	lab_frr nva1 65001 <<EOF
$(frr_rs_neighbors)
  network 192.168.1.0/24
  network 10.100.0.0/16
 exit-address-family
EOF
}
start_frr || exit 1
lab_gobgp nva2 65002 || exit 1
gobgp nva2 global rib add 10.100.0.0/16 >/dev/null

nva1_routes="192.168.1.0/24 10.0.1.4 65001
10.100.0.0/16 10.0.1.4 65001"
both="Active VirtualNetworkGateway 10.0.1.4,10.0.1.5"
only2="Active VirtualNetworkGateway 10.0.1.5"
eff() { effective_bgp spoke1/app 10.100.0.0/16; }
# What nva2 holds of nva1's own prefix, from both instances.
nva2_has_nva1() { gobgp_adj_in nva2 "$1" | grep '^192\.168\.1\.0/24 '; }
nva2_lacks_nva1() { ! nva2_has_nva1 "$1"; }
learned_none() { expect_lines "" learned nva1; }
nva1_hold_lines() { rsd_log_since | grep -Ei 'nva1|10\.0\.1\.4' | grep -Ei 'hold'; }
no_hold_expiry() { ! nva1_hold_lines; }
nva1_down_logged() { rsd_log_since | grep -Ei 'nva1|10\.0\.1\.4' | grep -Ei 'down|clos|reset|lost|idle|eof'; }

# --- 1. kill
check_eventually 30 "[start] nva1 Established with both instances" established nva1
check_eventually 30 "[start] nva2 Established with both instances" established nva2
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[start] nva1's routes learned via $inst" \
		expect_lines "$nva1_routes" learned nva1 "$inst"
	check_eventually 10 "[start] nva2 holds nva1's route from $inst" nva2_has_nva1 "$inst"
done
check_eventually 10 "[start] 10.100.0.0/16 is ECMP over both NVAs" expect_lines "$both" eff

rsd_log_mark
lab_kill nva1.bgpd KILL
check_eventually 30 "[kill] nva1's routes withdrawn from both instances" learned_none
check "[kill] nva1 no longer Established anywhere" not_established nva1
check_eventually 10 "[kill] 10.100.0.0/16 now only via nva2" expect_lines "$only2" eff
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[kill] nva2 no longer holds nva1's route from $inst" nva2_lacks_nva1 "$inst"
done
check "[kill] the cause was the closed connection: no hold-timer expiry logged for nva1" \
	no_hold_expiry
check "[kill] rsemu-rsd logged nva1's session going down" nva1_down_logged

# --- 2. FRR back
start_frr || exit 1
check_eventually 30 "[restart] nva1 Established again with both instances" established nva1
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[restart] nva1's routes learned again via $inst" \
		expect_lines "$nva1_routes" learned nva1 "$inst"
	check_eventually 10 "[restart] nva2 holds nva1's route from $inst again" nva2_has_nva1 "$inst"
done
check_eventually 10 "[restart] ECMP again" expect_lines "$both" eff

# --- 3. cut the wire
rsd_log_mark
lab_link nva1 down
# Nothing on the wire tells rsemu-rsd: right after the cut the routes are
# still there (the hold timer is 3 s; this query takes milliseconds).
check "[cut] right after the cut, nva1's routes are still learned" \
	expect_lines "$nva1_routes" learned nva1 "$RS1"
check_eventually 30 "[cut] nva1's routes withdrawn from both instances" learned_none
check "[cut] nva1 no longer Established anywhere" not_established nva1
check_eventually 10 "[cut] 10.100.0.0/16 now only via nva2" expect_lines "$only2" eff
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[cut] nva2 no longer holds nva1's route from $inst" nva2_lacks_nva1 "$inst"
done
check "[cut] the cause was the hold timer: rsemu-rsd logged its expiry for nva1" nva1_hold_lines

# --- 4. wire back
lab_link nva1 up
check_eventually 30 "[mend] nva1 Established again with both instances" established nva1
for inst in "$RS1" "$RS2"; do
	check_eventually 10 "[mend] nva1's routes learned again via $inst" \
		expect_lines "$nva1_routes" learned nva1 "$inst"
done
check_eventually 10 "[mend] ECMP again" expect_lines "$both" eff
check "rsemu-rsd is still running" lab_alive rsd
lab_finish
