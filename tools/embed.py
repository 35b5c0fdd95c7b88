#!/usr/bin/env python3
"""Embed a file as a C byte array: embed.py INPUT OUTPUT SYMBOL.
Used for the default topology, so rsemu runs with no file at hand."""
import sys

src, dst, sym = sys.argv[1:4]
data = open(src, 'rb').read()
with open(dst, 'w') as f:
    f.write('/* generated from %s by tools/embed.py; do not edit */\n' % src.split('/')[-1])
    f.write('#include <stddef.h>\n')
    f.write('const char %s[] = {\n' % sym)
    for i in range(0, len(data), 16):
        f.write('  ' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',\n')
    f.write('  0x00\n};\n')
    f.write('const size_t %s_len = %d;\n' % (sym, len(data)))
