#!/usr/bin/env python3
"""The include graph of the source tree, checked against the layers netmgr/ is built in.

Every `#include "..."` of every .c and .h (build output aside) is resolved to a file of the
tree; a file belongs to a room (its folder), and a room may include only itself and rooms of a
lower rank. A module is a .c with its .h (x.c and x.h in one folder): a cycle between modules is
a cycle of calls, and is refused too, wherever in the tree it is. Prints one line per offence,
naming the file and the include, and exits 1; exits 0 when the graph runs one way.

usage: layers.py SOURCE_ROOT
"""
import os
import re
import sys

# rank: a room includes only rooms of a strictly lower rank (and itself). Rooms of one rank
# are siblings and do not include each other.
ROOMS = [
    ('common', 0),
    # libraries beside the kernel layer: they sit on common/ alone
    ('birdgen', 1), ('firewall', 1), ('dnsfetch', 1),
    ('netmgr/kernel', 1),
    # WireGuard devices sit on the kernel layer; the node's plain data (its desired state, the
    # options and host context a command works on) on common/ and the fetcher's client
    ('netmgr/wireguard', 2), ('netmgr/node', 2),
    ('netmgr/bird', 3), ('netmgr/compat10', 3),
    ('netmgr/health', 4),
    ('netmgr', 5),
    ('site', 5),
    ('tests', 9), ('selftests', 9),
]

SKIP_DIRS = {'.git', 'build', 'subprojects'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def room_of(path):
    best = None
    for prefix, rank in ROOMS:
        if path == prefix or path.startswith(prefix + '/'):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, rank)
    return best


def sources(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith('build'))
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                yield os.path.relpath(os.path.join(d, f), root)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    files = list(sources(root))
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    bad = []
    edges = {}  # module -> {module: (file, include)}
    for f in files:
        with open(os.path.join(root, f), encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            near = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            if near in files:
                target = near
            else:
                cands = by_name.get(os.path.basename(inc), [])
                if not cands:
                    continue  # generated (wgm_config.h) or a system header in quotes
                if len(cands) > 1:
                    bad.append(f'{f}: #include "{inc}" is ambiguous: {", ".join(cands)}')
                    continue
                target = cands[0]
            src_room, dst_room = room_of(f), room_of(target)
            if src_room and dst_room and src_room != dst_room and \
                    dst_room[1] >= src_room[1]:
                bad.append(f'{f}: #include "{inc}": {src_room[0]}/ (layer {src_room[1]}) '
                           f'may not include {target} ({dst_room[0]}/, layer {dst_room[1]})')
            a, b = os.path.splitext(f)[0], os.path.splitext(target)[0]
            if a != b:
                edges.setdefault(a, {}).setdefault(b, (f, inc))
    # cycles between modules: a depth-first search reports each back edge once
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(edges.get(m, {})):
            if state.get(n) == 1:
                cyc = stack[stack.index(n):] + [n]
                hops = [f'{edges[x][y][0]} includes "{edges[x][y][1]}"'
                        for x, y in zip(cyc, cyc[1:])]
                bad.append('cycle: ' + '; '.join(hops))
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    sys.setrecursionlimit(10000)
    for m in sorted(edges):
        if m not in state:
            visit(m)
    for line in bad:
        print(line)
    if bad:
        print(f'layers: {len(bad)} offence(s) in {len(files)} files')
        return 1
    print(f'layers: {len(files)} files, no include upwards, no cycle')
    return 0


if __name__ == '__main__':
    sys.exit(main())
