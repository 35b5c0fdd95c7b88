#!/usr/bin/env python3
"""rsd_smoke.py: rsemu-rsd against tiny hand-written BGP peers on loopback
addresses (127.10.0.0/16, port 11179), no FRR, no root, no namespaces.

Proves: both instances accept sessions and send the VNet address spaces
(AS path 65515, next hop the instance) then End-of-RIB; a peer's routes are
learned (rsemu ctl learned), passed on to the other peer with 65515
prepended, only changes are resent, withdrawn when the peer's sessions
close; one session down is not a withdrawal while the other is up; unknown
peers and a wrong AS are refused; max-prefix ends the session with Cease/1
and RFC 4486 data and backs off; hold-timer expiry sends 4/0 and withdraws;
ROUTE-REFRESH resends; SIGTERM sends Cease/2 and exits 0.

Usage: rsd_smoke.py PATH/rsemu-rsd PATH/rsemu
"""
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

PORT = 11179
RS = ("127.10.254.4", "127.10.254.5")
NVA1, NVA2, NVA3, STRANGER = "127.10.1.4", "127.10.1.5", "127.10.1.6", "127.10.1.99"
SPACES = {"127.10.0.0/16", "10.1.0.0/16"}
# Next hops the peers announce: loopback ones are martians (RFC 4271 6.3).
NH1, NH3 = "10.99.1.4", "10.99.1.6"

TOPOLOGY = """\
route_server:
  name: smoke-rs
  vnet: hub
  instances: [%s, %s]
  timers: {keepalive: 1, hold: 3}
  listen: {port: %d}
  peers:
    - {name: nva1, kind: nva, ip: %s, asn: 65001}
    - {name: nva2, kind: nva, ip: %s, asn: 65002}
    - {name: nva3, kind: nva, ip: %s, asn: 65003, max_prefixes: 3}
vnets:
  - name: hub
    address_space: [127.10.0.0/16]
    subnets:
      - {name: RouteServerSubnet, prefix: 127.10.254.0/26}
      - {name: nva, prefix: 127.10.1.0/24}
  - name: spoke1
    address_space: [10.1.0.0/16]
    subnets:
      - {name: app, prefix: 10.1.0.0/24}
peerings:
  - {hub: hub, spoke: spoke1, allow_gateway_transit: true, use_remote_gateways: true}
""" % (RS[0], RS[1], PORT, NVA1, NVA2, NVA3)

OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5

# ---------------------------------------------------------------- BGP bytes


def msg(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(asn, hold, router_id):
    caps = (b"\x01\x04\x00\x01\x00\x01"          # MP IPv4 unicast
            + b"\x02\x00"                          # route refresh
            + b"\x41\x04" + struct.pack("!I", asn))  # 4-octet AS
    params = b"\x02" + bytes([len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return msg(OPEN, struct.pack("!BHH4sB", 4, my_as, hold,
                                 socket.inet_aton(router_id), len(params)) + params)


def enc_prefix(p):
    addr, plen = p.split("/")
    plen = int(plen)
    return bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]


def update_msg(withdrawn=(), nlri=(), as_path=(), next_hop=None):
    wd = b"".join(enc_prefix(p) for p in withdrawn)
    attrs = b""
    if nlri:
        path = struct.pack("!BB", 2, len(as_path)) + b"".join(
            struct.pack("!I", a) for a in as_path) if as_path else b""
        attrs = (b"\x40\x01\x01\x00"
                 + b"\x40\x02" + bytes([len(path)]) + path
                 + b"\x40\x03\x04" + socket.inet_aton(next_hop))
    body = (struct.pack("!H", len(wd)) + wd + struct.pack("!H", len(attrs))
            + attrs + b"".join(enc_prefix(p) for p in nlri))
    return msg(UPDATE, body)


def dec_prefixes(b):
    out, i = [], 0
    while i < len(b):
        plen = b[i]
        n = (plen + 7) // 8
        addr = b[i + 1:i + 1 + n] + b"\x00" * (4 - n)
        out.append("%s/%d" % (socket.inet_ntoa(addr), plen))
        i += 1 + n
    return out


def parse_update(body):
    """-> (withdrawn, nlri, attrs dict) with attrs as_path (list),
    next_hop, local_pref, communities."""
    wlen = struct.unpack("!H", body[:2])[0]
    withdrawn = dec_prefixes(body[2:2 + wlen])
    i = 2 + wlen
    alen = struct.unpack("!H", body[i:i + 2])[0]
    a, end = i + 2, i + 2 + alen
    attrs = {}
    while a < end:
        flags, code = body[a], body[a + 1]
        if flags & 0x10:
            ln = struct.unpack("!H", body[a + 2:a + 4])[0]
            a += 4
        else:
            ln = body[a + 2]
            a += 3
        v = body[a:a + ln]
        a += ln
        if code == 2:
            path, j = [], 0
            while j < len(v):
                n = v[j + 1]
                path += [struct.unpack("!I", v[j + 2 + 4 * k:j + 6 + 4 * k])[0]
                         for k in range(n)]
                j += 2 + 4 * n
            attrs["as_path"] = path
        elif code == 3:
            attrs["next_hop"] = socket.inet_ntoa(v)
        elif code == 5:
            attrs["local_pref"] = struct.unpack("!I", v)[0]
        elif code == 8:
            attrs["communities"] = [struct.unpack("!I", v[k:k + 4])[0]
                                    for k in range(0, len(v), 4)]
    return withdrawn, dec_prefixes(body[end:]), attrs


class Peer:
    """One BGP session from a local address to a Route Server instance."""

    def __init__(self, local, remote, asn, hold=0):
        self.local, self.remote, self.asn, self.hold = local, remote, asn, hold
        self.sock = None
        self.buf = b""
        self.rib = {}        # prefix -> (next_hop, as_path)
        self.updates = []    # parsed UPDATEs, in order
        self.eor = False
        self.notification = None
        self.closed = False

    def connect(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((self.local, 0))
        s.settimeout(5)
        s.connect((self.remote, PORT))
        s.setblocking(False)
        self.sock = s

    def send(self, data):
        self.sock.setblocking(True)
        self.sock.sendall(data)
        self.sock.setblocking(False)

    def pump(self, seconds):
        """Reads what arrives for up to `seconds`; returns messages read."""
        end, got = time.time() + seconds, []
        while not self.closed:
            left = end - time.time()
            if left <= 0:
                break
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                break
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                self.closed = True
                break
            self.buf += data
            while len(self.buf) >= 19:
                ln = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) < ln:
                    break
                m, self.buf = self.buf[:ln], self.buf[ln:]
                got.append(self.handle(m[18], m[19:]))
        return got

    def handle(self, mtype, body):
        if mtype == UPDATE:
            wd, nlri, attrs = parse_update(body)
            if not wd and not nlri and not attrs:
                self.eor = True
            for p in wd:
                self.rib.pop(p, None)
            for p in nlri:
                self.rib[p] = (attrs.get("next_hop"), attrs.get("as_path"))
            self.updates.append((wd, nlri, attrs))
        elif mtype == NOTIFICATION:
            self.notification = (body[0], body[1], body[2:])
        return (mtype, body)

    def wait_for(self, cond, seconds=5.0):
        end = time.time() + seconds
        while not cond():
            if time.time() > end or self.closed:
                return cond()
            self.pump(0.05)
        return True

    def establish(self):
        self.connect()
        self.send(open_msg(self.asn, self.hold, self.local))
        msgs = []
        end = time.time() + 5
        while time.time() < end and not self.closed:
            msgs += self.pump(0.1)
            types = [t for t, _ in msgs]
            if OPEN in types and KEEPALIVE in types:
                self.send(msg(KEEPALIVE))
                return True
            if NOTIFICATION in types:
                break
        return False

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


# ---------------------------------------------------------------- the test

class Smoke:
    def __init__(self, rsd, rsemu):
        self.rsd, self.rsemu = rsd, rsemu
        self.dir = tempfile.mkdtemp(prefix="rsd_smoke.")
        self.ctl_sock = os.path.join(self.dir, "ctl.sock")
        self.topo = os.path.join(self.dir, "topo.yaml")
        self.log = os.path.join(self.dir, "rsd.log")
        with open(self.topo, "w") as f:
            f.write(TOPOLOGY)
        self.proc = None
        self.passed = self.failed = 0

    def check(self, desc, ok, why=""):
        if ok:
            self.passed += 1
            print("ok   - %s" % desc)
        else:
            self.failed += 1
            print("FAIL - %s%s" % (desc, (": %s" % why) if why else ""))
        sys.stdout.flush()
        return ok

    def ctl(self, *args):
        r = subprocess.run([self.rsemu, "ctl", "--control", self.ctl_sock]
                           + list(args) + ["--json"], capture_output=True,
                           text=True, timeout=20)
        return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else r.stderr)

    def learned(self, peer):
        rc, j = self.ctl("learned", peer)
        if rc != 0:
            return None
        return {(e["localAddress"], e["network"], e["nextHop"], e["asPath"])
                for v in j.values() for e in v}

    def session(self, name, inst):
        rc, j = self.ctl("peers")
        if rc != 0:
            return {}
        for s in j:
            if s["name"] == name and s["localAddress"] == inst:
                return s
        return {}

    def eventually(self, fn, seconds=5.0):
        end = time.time() + seconds
        while time.time() < end:
            if fn():
                return True
            time.sleep(0.05)
        return fn()

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def start(self, extra=()):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen(
            [self.rsd, "--topology", self.topo, "--control", self.ctl_sock,
             "--connect-retry", "1", "--max-prefix-backoff", "2"] + list(extra),
            stdout=self.logf, stderr=self.logf)
        return self.eventually(lambda: self.ctl("peers")[0] == 0, 10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    # ------------------------------------------------------------ steps

    def cli_contract(self):
        r = subprocess.run([self.rsemu, "ctl", "--control",
                            os.path.join(self.dir, "none.sock"), "peers"],
                           capture_output=True, text=True)
        self.check("rsemu ctl without a daemon exits 1 with a message",
                   r.returncode == 1 and "cannot reach" in r.stderr, r.stderr)
        bad = os.path.join(self.dir, "bad.yaml")
        with open(bad, "w") as f:
            f.write(TOPOLOGY.replace("asn: 65001", "asn: 65515x"))
        r = subprocess.run([self.rsd, "--topology", bad, "--control",
                            os.path.join(self.dir, "bad.sock")],
                           capture_output=True, text=True, timeout=10)
        self.check("a bad topology: exit 2, the loader names the file",
                   r.returncode == 2 and "bad.yaml" in r.stderr, r.stderr)

    def refusals(self):
        p = Peer(STRANGER, RS[0], 65099)
        p.connect()
        p.pump(2)
        self.check("a connection from an unknown address is closed", p.closed)
        self.check("... and logged", "refused a connection from %s" % STRANGER
                   in self.log_text())
        p.close()
        p = Peer(NVA2, RS[0], 65099)
        ok = p.establish()
        p.pump(1)
        self.check("a peer with the wrong AS gets OPEN error 2/2 (Bad Peer AS)",
                   not ok and p.notification is not None
                   and p.notification[:2] == (2, 2), p.notification)
        p.close()

    def establish_all(self):
        self.nva1 = [Peer(NVA1, RS[0], 65001), Peer(NVA1, RS[1], 65001)]
        self.nva2 = [Peer(NVA2, RS[0], 65002), Peer(NVA2, RS[1], 65002)]
        for i, p in enumerate(self.nva1 + self.nva2):
            self.check("%s establishes with instance %s" % (p.local, p.remote),
                       p.establish())
        for p in self.nva1 + self.nva2:
            p.wait_for(lambda p=p: p.eor)
            want = {s: (p.remote, [65515]) for s in SPACES}
            self.check("%s gets the VNet spaces from %s (AS path 65515, next "
                       "hop the instance), then End-of-RIB" % (p.local, p.remote),
                       p.eor and p.rib == want, (p.rib, p.eor))
        for name in ("nva1", "nva2"):
            for inst in RS:
                self.check("rsemu ctl peers: %s Established with %s" % (name, inst),
                           self.eventually(lambda: self.session(name, inst)
                                           .get("state") == "Established"))

    def learn_and_pass_on(self):
        routes = ["192.168.1.0/24", "192.168.2.0/24"]
        for p in self.nva1:
            p.send(update_msg(nlri=routes, as_path=[65001], next_hop=NH1))
        want = {(i, r, NH1, "65001") for i in RS for r in routes}
        self.check("rsemu ctl learned nva1: both routes via both instances",
                   self.eventually(lambda: self.learned("nva1") == want),
                   self.learned("nva1"))
        self.check("the peer can be named by its IP",
                   self.learned(NVA1) == want)
        for p in self.nva2:
            ok = p.wait_for(lambda p=p: all(r in p.rib for r in routes))
            self.check("nva2 gets nva1's routes from %s: AS path 65515 65001, "
                       "next hop the instance" % p.remote,
                       ok and all(p.rib[r] == (p.remote, [65515, 65001])
                                  for r in routes), p.rib)
        for p in self.nva1:
            p.pump(0.3)
            self.check("nva1 does not get its own routes back (%s)" % p.remote,
                       not any(r in p.rib for r in routes))
        rc, eff = self.ctl("effective", "spoke1/app")
        ok = rc == 0 and any(e["addressPrefix"] == ["192.168.1.0/24"]
                             and e["nextHopIpAddress"] == [NH1]
                             and e["state"] == "Active" for e in eff)
        self.check("rsemu ctl effective spoke1/app: 192.168.1.0/24 via nva1", ok)

    def only_changes(self):
        routes = ["192.168.1.0/24", "192.168.2.0/24"]
        for p in self.nva2:
            p.updates.clear()
        for p in self.nva1:
            p.send(update_msg(nlri=routes, as_path=[65001], next_hop=NH1))
        for p in self.nva2:
            p.pump(0.5)
        self.check("the same routes again: nothing resent to nva2",
                   all(not p.updates for p in self.nva2),
                   [p.updates for p in self.nva2])
        for p in self.nva1:
            p.send(update_msg(nlri=routes[:1], as_path=[65001, 65001],
                              next_hop=NH1))
        for p in self.nva2:
            p.wait_for(lambda p=p: p.updates)
            p.pump(0.3)
            self.check("one path changes: nva2 (%s) gets one UPDATE with only "
                       "that prefix" % p.remote,
                       len(p.updates) == 1 and p.updates[0][1] == routes[:1]
                       and p.updates[0][2].get("as_path") == [65515, 65001, 65001],
                       p.updates)
        p = self.nva2[0]
        p.updates.clear()
        p.send(msg(ROUTE_REFRESH, b"\x00\x01\x00\x01"))
        p.wait_for(lambda: sum(len(u[1]) for u in p.updates) >= 4)
        got = {n for u in p.updates for n in u[1]}
        self.check("ROUTE-REFRESH: the whole Adj-RIB-Out again",
                   got == SPACES | set(routes), got)

    def failover(self):
        routes = ["192.168.1.0/24", "192.168.2.0/24"]
        src = [i for i in RS if self.session("nva1", i).get("ribSource")]
        self.check("one of nva1's sessions feeds the RIB", len(src) == 1, src)
        first = self.nva1[RS.index(src[0])] if src else self.nva1[0]
        for p in self.nva2:
            p.updates.clear()
        first.close()
        rest = [p for p in self.nva1 if p is not first][0]
        want = {(rest.remote, routes[0], NH1, "65001-65001"),  # see only_changes
                (rest.remote, routes[1], NH1, "65001")}
        self.check("nva1's feeding session closed: the other takes over, "
                   "learned lists only the instance still up",
                   self.eventually(lambda: self.session("nva1", first.remote)
                                   .get("state") != "Established"
                                   and self.learned("nva1") == want),
                   self.learned("nva1"))
        self.check("... and feeds the RIB",
                   self.session("nva1", rest.remote).get("ribSource") is True)
        for p in self.nva2:
            p.pump(0.3)
        self.check("... and nva2 sees no withdrawal",
                   all(not u[0] for p in self.nva2 for u in p.updates),
                   [p.updates for p in self.nva2])
        rest.close()
        self.check("both nva1 sessions closed: its routes are withdrawn",
                   self.eventually(lambda: self.learned("nva1") == set()))
        for p in self.nva2:
            ok = p.wait_for(lambda p=p: not any(r in p.rib for r in routes))
            self.check("nva2 (%s) gets the withdrawals" % p.remote, ok, p.rib)
        self.check("the log says nva1 went down",
                   "nva1 %s: down: connection closed by the peer" % NVA1
                   in self.log_text())

    def max_prefix(self):
        p = Peer(NVA3, RS[0], 65003)
        self.check("nva3 establishes", p.establish())
        routes = ["192.168.30.%d/32" % i for i in range(4)]
        p.send(update_msg(nlri=routes, as_path=[65003], next_hop=NH3))
        p.wait_for(lambda: p.closed)
        n = p.notification
        self.check("4 prefixes over a limit of 3: Cease/1 with AFI 1 SAFI 1 "
                   "limit 3 (RFC 4486)",
                   n is not None and n[:2] == (6, 1)
                   and n[2] == b"\x00\x01\x01\x00\x00\x00\x03", n)
        self.check("... the session is closed", p.closed)
        self.check("... nothing of it is learned", self.learned("nva3") == set())
        self.check("... the log says max-prefix hit",
                   "max-prefix hit" in self.log_text())
        s = self.session("nva3", RS[0])
        self.check("rsemu ctl peers: Idle, last error names the Cease",
                   s.get("state") == "Idle"
                   and "Maximum Number of Prefixes" in s.get("lastError", ""), s)
        p.close()
        q = Peer(NVA3, RS[0], 65003)
        self.check("reconnecting at once is refused (back-off)",
                   not q.establish())
        q.close()
        time.sleep(2.2)
        self.nva3 = Peer(NVA3, RS[0], 65003, hold=3)
        self.check("after the back-off nva3 establishes again",
                   self.nva3.establish())

    def hold_expiry(self):
        p = self.nva3
        p.send(update_msg(nlri=["192.168.31.0/24"], as_path=[65003],
                          next_hop=NH3))
        self.check("nva3's route is learned",
                   self.eventually(lambda: self.learned("nva3") ==
                                   {(RS[0], "192.168.31.0/24", NH3, "65003")}))
        t0 = time.time()
        p.wait_for(lambda: p.closed, 8)   # silent: no KEEPALIVE sent
        n = p.notification
        self.check("nva3 silent for its 3 s hold time: NOTIFICATION 4/0",
                   n is not None and n[:2] == (4, 0), n)
        self.check("... after about 3 s (%.1f s)" % (time.time() - t0),
                   2.0 <= time.time() - t0 <= 5.0)
        self.check("... its routes are withdrawn",
                   self.eventually(lambda: self.learned("nva3") == set()))
        self.check("... and the log names the hold timer",
                   "hold timer expired" in self.log_text())
        p.close()

    def shutdown(self):
        for p in self.nva2:
            p.pump(0.1)
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(10)
        for p in self.nva2:
            p.pump(1)
            n = p.notification
            self.check("SIGTERM: nva2 (%s) gets Cease/2" % p.remote,
                       n is not None and n[:2] == (6, 2), n)
            p.close()
        self.check("SIGTERM: exit 0", rc == 0, rc)
        self.check("the control socket is removed",
                   not os.path.exists(self.ctl_sock))

    def run(self):
        try:
            self.cli_contract()
            if not self.check("rsemu-rsd starts and answers rsemu ctl peers",
                              self.start()):
                return 1
            rc, j = self.ctl("learned", "nobody")
            self.check("rsemu ctl learned nobody: exit 2", rc == 2, j)
            self.refusals()
            self.establish_all()
            self.learn_and_pass_on()
            self.only_changes()
            self.failover()
            self.max_prefix()
            self.hold_expiry()
            self.shutdown()
        except Exception as e:  # report, then clean up
            import traceback
            traceback.print_exc()
            self.check("no exception (%s)" % e, False)
        finally:
            self.stop()
            if self.failed:
                print("---- rsemu-rsd log ----")
                print(self.log_text()[-6000:])
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(Smoke(os.path.realpath(sys.argv[1]),
                   os.path.realpath(sys.argv[2])).run())
