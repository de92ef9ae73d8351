#!/usr/bin/env python3
"""Lines of code of the EL2 kernel (or any tree), comments and blanks excluded.

    tools/loc.py [--goal N] [--detail] [DIR ...]      (default DIR: kernel)

A line counts when, after C comments (/* */ and //) and, in assembly, '//'
comments are removed, it holds anything but white space. Counted files:
.c .h .S (the linker script is not code). Prints one line per directory, then the total; --goal N also
prints how far the total is from N, and --check makes the exit status 1 when
the total exceeds it.
"""
import argparse
import os
import re
import sys

SUFFIXES = ('.c', '.h', '.S')
# A block comment, a line comment, or a string/char literal (kept as is so
# that "//" or "/*" inside a string does not start a comment).
TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                   re.S)


def strip_comments(text):
    def repl(m):
        s = m.group(0)
        if s.startswith('/*'):
            return '\n' * s.count('\n')
        if s.startswith('//'):
            return ''
        return s
    return TOKEN.sub(repl, text)


def count_file(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = strip_comments(f.read())
    return sum(1 for line in text.split('\n') if line.strip())


def count_tree(root):
    """{directory: lines} for every directory under root holding counted files."""
    per_dir = {}
    per_file = {}
    for d, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            if name.endswith(SUFFIXES):
                path = os.path.join(d, name)
                n = count_file(path)
                per_file[path] = n
                per_dir[d] = per_dir.get(d, 0) + n
    return per_dir, per_file


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dirs', nargs='*', default=['kernel'])
    ap.add_argument('--goal', type=int, help='report the distance to N lines')
    ap.add_argument('--check', action='store_true',
                    help='exit 1 when the total exceeds the goal')
    ap.add_argument('--detail', action='store_true', help='one line per file')
    args = ap.parse_args(argv)

    total = 0
    rows = []
    for root in args.dirs:
        if not os.path.isdir(root):
            print('loc: %s: no such directory' % root, file=sys.stderr)
            return 2
        per_dir, per_file = count_tree(root)
        rows += sorted(per_file.items() if args.detail else per_dir.items())
        total += sum(per_dir.values())
    width = max([len(r[0]) for r in rows] + [5])
    for path, n in rows:
        print('%-*s %6d' % (width, path, n))
    print('%-*s %6d' % (width, 'total', total))
    if args.goal is not None:
        verdict = 'within' if total <= args.goal else 'over'
        print('goal %d: %s by %d' % (args.goal, verdict, abs(args.goal - total)))
        if args.check and total > args.goal:
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
