#!/usr/bin/env python3
"""labjson.py: turn the JSON of `rsemu ctl`, FRR's vtysh and GoBGP's CLI into
plain lines the interop tests compare, one subcommand each. JSON on stdin.

  routes [INSTANCE_IP]            rsemu learned/advertised -> "network nextHop asPath"
                                  (all instances: "localAddress network nextHop asPath")
  roles RS1 RS2                   rsemu learned: IN_0 holds RS1's routes,
                                  IN_1 RS2's, every entry has all of its fields
  roles-advertised RS1 RS2        the same for advertised (no sourcePeer needed)
  peer-state NAME INSTANCE_IP     rsemu peers -> the state of that session
  peer-established NAME IP...     exit 0 when Established with every IP
  peer-not-established NAME IP... exit 0 when Established with none of them
  peer-field NAME INSTANCE_IP     rsemu peers -> that session's object, as JSON
  effective-bgp PREFIX            rsemu effective -> "state nextHopType nh1,nh2"
                                  for the VirtualNetworkGateway entries of PREFIX
  frr-rib [PEER]                  FRR show bgp ipv4 unicast json -> "prefix nexthop aspath"
  frr-state NEIGHBOR              FRR show bgp neighbors X json -> bgpState
  frr-last NEIGHBOR               FRR show bgp neighbors X json -> its last-reset fields
  gobgp-rib                       GoBGP adj-in / global rib -j -> "prefix nexthop aspath [communities]"
  gobgp-state                     GoBGP neighbor X -j -> the session state name

AS paths of FRR and GoBGP come out in rsemu's style, "65515-65001" ("" when empty).
Exit 0 on success, 1 when the check fails, 2 when the input is not what was
expected (the reason goes to stdout, so a failing check can show it).
"""
import json
import sys


def fail(msg, code=2):
    print(msg)
    sys.exit(code)


def load():
    data = sys.stdin.read()
    try:
        return json.loads(data)
    except ValueError as e:
        fail("not JSON (%s): %s" % (e, data[:400].strip()))


ROLES = ("RouteServiceRole_IN_0", "RouteServiceRole_IN_1")
ROUTE_KEYS = ("localAddress", "network", "nextHop", "sourcePeer", "asPath",
              "origin", "weight")
# advertised entries: C6 names no sourcePeer (the offline shape has none)
ADV_KEYS = tuple(k for k in ROUTE_KEYS if k != "sourcePeer")


def routes(doc, inst=None):
    if not isinstance(doc, dict):
        fail("expected an object keyed by instance role, got %s" % type(doc).__name__)
    out = []
    for role, entries in doc.items():
        for e in entries:
            la = e.get("localAddress")
            if inst and la != inst:
                continue
            line = "%s %s %s" % (e.get("network"), e.get("nextHop"), e.get("asPath"))
            out.append(line if inst else "%s %s" % (la, line))
    return out


def roles(doc, rs1, rs2, keys=ROUTE_KEYS):
    bad = []
    if not isinstance(doc, dict) or set(doc) != set(ROLES):
        fail("keys are %s, want %s" % (sorted(doc) if isinstance(doc, dict) else doc,
                                        list(ROLES)), 1)
    for role, ip in zip(ROLES, (rs1, rs2)):
        for e in doc[role]:
            missing = [k for k in keys if k not in e]
            if missing:
                bad.append("%s entry %s lacks %s" % (role, e, missing))
            elif e["localAddress"] != ip:
                bad.append("%s entry has localAddress %s, want %s" % (role, e["localAddress"], ip))
    if bad:
        fail("\n".join(bad), 1)


def inst_matches(value, ip, index):
    """Accept the instance as its IP, its role name, or its index."""
    if value is None:
        return False
    v = str(value)
    return v in (ip, str(index), ROLES[index], ROLES[index][-4:])


def sessions(doc, name, ip, ips):
    if isinstance(doc, dict):
        for k in ("peers", "sessions"):
            if isinstance(doc.get(k), list):
                doc = doc[k]
                break
    if not isinstance(doc, list):
        fail("expected a list of sessions, got %s" % json.dumps(doc)[:400])
    index = ips.index(ip) if ip in ips else 0
    out = []
    for s in doc:
        if s.get("name") != name and s.get("ip") != name and s.get("peer") != name:
            continue
        # the instance may be named by "instance", "localAddress" or "role"
        if any(inst_matches(s.get(k), ip, index)
               for k in ("instance", "localAddress", "role")):
            out.append(s)
    return out


def state_of(doc, name, ip, ips):
    ss = sessions(doc, name, ip, ips)
    if not ss:
        return ""
    return str(ss[0].get("state", ""))


def aspath_gobgp(attrs):
    segs = []
    for a in attrs:
        if a.get("type") == 2:
            for s in a.get("as_paths", []):
                asns = [str(x) for x in s.get("asns", [])]
                if s.get("segment_type") == 1:  # AS_SET
                    segs.append("{%s}" % ",".join(asns))
                else:
                    segs.extend(asns)
    return "-".join(segs)


def nexthop_gobgp(attrs):
    for a in attrs:
        if a.get("type") == 3:
            return a.get("nexthop")
        if a.get("type") == 14:
            nh = a.get("nexthop") or (a.get("nexthops") or [None])[0]
            if nh:
                return nh
    return "?"


def communities_gobgp(attrs):
    out = []
    for a in attrs:
        if a.get("type") == 8:
            for c in a.get("communities", []):
                out.append("%d:%d" % (c >> 16, c & 0xffff))
    return out


def gobgp_rib(doc):
    out = []
    if doc is None:
        return out
    if isinstance(doc, dict) and "error" in doc:
        fail("gobgp: %s" % doc["error"])
    if isinstance(doc, list):  # older CLI: a list of destinations
        items = [(d.get("prefix"), d.get("paths", [])) for d in doc]
    else:
        items = list(doc.items())
    for prefix, paths in items:
        for p in paths:
            attrs = p.get("attrs", [])
            line = "%s %s %s" % (prefix, nexthop_gobgp(attrs), aspath_gobgp(attrs))
            comms = communities_gobgp(attrs)
            if comms:
                line += " " + ",".join(comms)
            out.append(line.rstrip())
    return out


GOBGP_STATES = {0: "unknown", 1: "idle", 2: "connect", 3: "active",
                4: "opensent", 5: "openconfirm", 6: "established"}


def main():
    if len(sys.argv) < 2:
        fail(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    doc = load()
    lines = None
    if cmd == "routes":
        lines = routes(doc, args[0] if args and args[0] else None)
    elif cmd == "roles":
        roles(doc, args[0], args[1])
        return
    elif cmd == "roles-advertised":
        roles(doc, args[0], args[1], ADV_KEYS)
        return
    elif cmd == "peer-state":
        print(state_of(doc, args[0], args[1], args[1:]))
        return
    elif cmd in ("peer-established", "peer-not-established"):
        name, ips = args[0], args[1:]
        states = {ip: state_of(doc, name, ip, ips) for ip in ips}
        up = [ip for ip in ips if states[ip].lower() == "established"]
        print(" ".join("%s=%s" % (ip, states[ip] or "(none)") for ip in ips))
        want_all = cmd == "peer-established"
        ok = len(up) == len(ips) if want_all else not up
        sys.exit(0 if ok else 1)
    elif cmd == "peer-field":
        ss = sessions(doc, args[0], args[1], [args[1]])
        print(json.dumps(ss[0] if ss else None, sort_keys=True))
        return
    elif cmd == "effective-bgp":
        if not isinstance(doc, list):
            fail("expected a list of routes, got %s" % json.dumps(doc)[:400])
        lines = []
        for r in doc:
            if args[0] not in (r.get("addressPrefix") or []):
                continue
            if r.get("source") != "VirtualNetworkGateway":
                continue
            nh = ",".join(sorted(r.get("nextHopIpAddress") or []))
            lines.append("%s %s %s" % (r.get("state"), r.get("nextHopType"), nh))
    elif cmd == "frr-rib":
        peer = args[0] if args else None
        lines = []
        for prefix, paths in (doc.get("routes") or {}).items():
            for p in paths:
                if peer and p.get("peerId") != peer:
                    continue
                nh = (p.get("nexthops") or [{}])[0].get("ip", "?")
                lines.append("%s %s %s" % (prefix, nh, p.get("path", "").replace(" ", "-")))
    elif cmd == "frr-state":
        print((doc.get(args[0]) or {}).get("bgpState", ""))
        return
    elif cmd == "frr-last":
        n = doc.get(args[0]) or {}
        keep = {k: v for k, v in n.items()
                if "last" in k.lower() or "reset" in k.lower() or "notif" in k.lower()}
        print(json.dumps(keep, sort_keys=True))
        return
    elif cmd == "gobgp-rib":
        lines = gobgp_rib(doc)
    elif cmd == "gobgp-state":
        if isinstance(doc, list):
            doc = doc[0] if doc else {}
        st = (doc.get("state") or {}).get("session_state", 0)
        print(GOBGP_STATES.get(st, str(st)) if isinstance(st, int) else str(st).lower())
        return
    else:
        fail("unknown subcommand %s" % cmd)
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
