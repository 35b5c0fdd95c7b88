#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus (tests/fuzz/corpus/): a handful of real
BGP messages, spelled out byte by byte from RFC 4271, 4760, 5492, 6793.
Run it again only to change the seeds; the files are committed."""
import os
import struct
import sys


def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def attr(flags, code, value):
    if len(value) > 255 or flags & 0x10:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn +
               struct.pack("!H", len(attrs)) + attrs + nlri)


def prefix(a, b, c, d, length):
    return bytes([length]) + bytes([a, b, c, d])[: (length + 7) // 8]


def cap(code, value=b""):
    return bytes([code, len(value)]) + value


def open_msg(my_as, hold, ident, caps):
    params = bytes([2, len(caps)]) + caps if caps else b""
    return msg(1, struct.pack("!BHHIB", 4, my_as, hold, ident, len(params)) + params)


def asn4(*asns):
    return b"".join(struct.pack("!I", a) for a in asns)


def asn2(*asns):
    return b"".join(struct.pack("!H", a) for a in asns)


ORIGIN_IGP = attr(0x40, 1, b"\x00")
NH = attr(0x40, 3, bytes([192, 0, 2, 1]))

seeds = {
    "open_caps": open_msg(65001, 90, 0xC0000201,
                          cap(1, b"\x00\x01\x00\x01") + cap(1, b"\x00\x02\x00\x01") +
                          cap(2) + cap(65, asn4(65001)) + cap(64, b"\x80\x78") +
                          cap(70)),
    "open_as_trans": open_msg(23456, 180, 0x0A000001,
                              cap(1, b"\x00\x01\x00\x01") + cap(65, asn4(4200000001))),
    "open_no_caps": open_msg(65002, 3, 0x01020304, b""),
    "keepalive": msg(4, b""),
    "notification_max_prefixes": msg(3, bytes([6, 1]) + struct.pack("!HBI", 1, 1, 1000)),
    "notification_shutdown": msg(3, bytes([6, 2, 11]) + b"maintenance"),
    "notification_update_error": msg(3, bytes([3, 11])),
    "route_refresh": msg(5, struct.pack("!HBB", 1, 0, 1)),
    "eor": update(),
    "update_as4": update(
        attrs=ORIGIN_IGP + attr(0x40, 2, b"\x02\x02" + asn4(65001, 4200000000)) + NH +
        attr(0x80, 4, struct.pack("!I", 50)) +
        attr(0xC0, 8, struct.pack("!II", 0xFDE90001, 0xFFFFFF02)),
        nlri=prefix(10, 1, 2, 0, 24) + prefix(10, 2, 0, 0, 16) + prefix(192, 168, 1, 1, 32)),
    "update_as2_as4path": update(
        attrs=ORIGIN_IGP + attr(0x40, 2, b"\x02\x03" + asn2(100, 23456, 65001)) + NH +
        attr(0xC0, 7, asn2(23456) + bytes([10, 0, 0, 1])) +
        attr(0xC0, 17, b"\x02\x02" + asn4(4200000000, 65001)) +
        attr(0xC0, 18, asn4(4200000000) + bytes([10, 0, 0, 1])),
        nlri=prefix(10, 3, 0, 0, 16)),
    "update_withdraw": update(withdrawn=prefix(10, 1, 2, 0, 24) + prefix(0, 0, 0, 0, 0) +
                              prefix(172, 16, 0, 0, 12)),
    "update_mp": update(
        attrs=attr(0x80, 14, struct.pack("!HBB", 1, 1, 4) + bytes([192, 0, 2, 9, 0]) +
                   prefix(10, 9, 0, 0, 16)) +
        attr(0x80, 15, struct.pack("!HB", 1, 1) + prefix(10, 8, 0, 0, 16)) +
        ORIGIN_IGP + attr(0x40, 2, b"\x02\x01" + asn4(65001))),
    "update_mp_v6": update(
        attrs=attr(0x80, 14, struct.pack("!HBB", 2, 1, 16) + bytes(15) + b"\x01\x00" +
                   bytes([32, 0x20, 0x01, 0x0D, 0xB8])) +
        ORIGIN_IGP + attr(0x40, 2, b"")),
    "update_many_attrs": update(
        attrs=ORIGIN_IGP +
        attr(0x50, 2, b"\x01\x03" + asn4(65010, 65011, 65012) + b"\x02\x01" + asn4(65001)) +
        NH + attr(0x40, 5, struct.pack("!I", 200)) + attr(0x40, 6, b"") +
        attr(0xC0, 7, asn4(65001) + bytes([10, 0, 0, 1])) +
        attr(0xC0, 16, bytes([0, 2, 0xFD, 0xE9, 0, 0, 0, 1])) +
        attr(0xC0, 32, struct.pack("!III", 65001, 1, 2)) +
        attr(0xC0, 99, b"opaque") + attr(0x80, 98, b"dropped") +
        attr(0xE0, 97, b"partial"),
        nlri=prefix(10, 4, 0, 0, 14)),
    "update_rfc7606": update(
        attrs=attr(0x40, 1, b"\x07") + attr(0x40, 2, b"\x02\x00") +
        attr(0x40, 3, bytes([127, 0, 0, 1])) + attr(0xC0, 8, b"\x01\x02\x03"),
        nlri=prefix(10, 5, 0, 0, 16)),
    "stream": open_msg(65001, 90, 1, cap(65, asn4(65001))) + msg(4, b"") +
    update(attrs=ORIGIN_IGP + attr(0x40, 2, b"\x02\x01" + asn4(65001)) + NH,
           nlri=prefix(10, 6, 0, 0, 16)) + msg(4, b""),
}

out = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    assert len(data) <= 4096 or name == "stream"
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
