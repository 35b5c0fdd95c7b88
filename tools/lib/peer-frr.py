#!/usr/bin/env python3
"""Write the FRR bgpd configuration of a stand-in peer (an NVA or a gateway)
that announces, over real BGP, what the topology says it announces.

Input (stdin): `rsemu routes --learned PEER --json` of the offline model,
which lists per Route Server instance the peer's routes with their next hop
and AS path. Output: two files, PREFIX.extra (prefix lists and the outbound
route map, before `router bgp`) and PREFIX.body (the `network` lines inside
`address-family ipv4 unicast`).

  peer-frr.py PEER_IP PEER_ASN PREFIX < learned.json

An eBGP speaker puts its own AS first: the rest of the path is prepended by
the route map. An iBGP stand-in (ASN 65515) prepends its whole path. A next
hop other than the peer's own address is set by the route map too.
Communities are not in the learned-routes shape, so they are not carried.
"""
import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: peer-frr.py PEER_IP PEER_ASN PREFIX < learned.json")
    ip, asn, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    doc = json.load(sys.stdin)
    routes = {}
    for inst_routes in doc.values():
        for r in inst_routes:
            routes[r["network"]] = r
    extra, body = [], []
    for seq, (net, r) in enumerate(sorted(routes.items()), start=1):
        path = [int(a) for a in r["asPath"].split("-") if a]
        if asn != 65515 and path and path[0] == asn:
            path = path[1:]
        sets = []
        if path:
            sets.append(" set as-path prepend " + " ".join(map(str, path)))
        if r["nextHop"] != ip:
            sets.append(" set ip next-hop " + r["nextHop"])
        body.append("  network " + net)
        if sets:
            extra.append("ip prefix-list R%d seq 5 permit %s" % (seq, net))
            extra.append("route-map OUT permit %d" % (seq * 10))
            extra.append(" match ip address prefix-list R%d" % seq)
            extra.extend(sets)
    extra.append("route-map OUT permit 65000")
    with open(out + ".extra", "w") as f:
        f.write("\n".join(extra) + "\n")
    with open(out + ".body", "w") as f:
        f.write("\n".join(body) + "\n")


if __name__ == "__main__":
    main()
