"""Build-time generators: struct offsets for assembly, image tables."""
import os
import re

_MARKER = re.compile(r'->(\w+)\s+[#$]?(-?\d+)')


def read_markers(path):
    """{NAME: value} of the '->NAME value' markers a C file compiled to
    assembly left (DEFINE() in tools/offsets.c)."""
    with open(str(path)) as f:
        values = {m.group(1): int(m.group(2)) for m in _MARKER.finditer(f.read())}
    if not values:
        raise RuntimeError('no "->NAME value" markers in %s' % path)
    return values


def offsets_header(target, source, env):
    """arch/offsets.h from the '->NAME value' markers in offsets.s."""
    lines = ['/* Generated from tools/offsets.c: do not edit. */',
             '#pragma once']
    lines += ['#define %s %d' % kv for kv in read_markers(source[0]).items()]
    with open(str(target[0]), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def gas_string(text):
    """@text as a GNU as string literal: '"' and backslash escaped, bytes
    that are not printable ASCII as octal escapes (as manual, Strings)."""
    out = ''
    for b in os.fsencode(text):
        c = chr(b)
        out += '\\' + c if c in '"\\' else c if 32 <= b < 127 else '\\%03o' % b
    return '"%s"' % out


def images_asm(target, source, env):
    """images.S: the scenario's images (incbin) and their cfg_image table."""
    names = env['IMAGE_NAMES']
    out = ['/* Generated image table for scenario %s: do not edit. */'
           % env['SCENARIO_NAME']]
    # $IMAGE_PATHS, not the sources: SCons drops a repeated source node.
    for i, (name, path) in enumerate(zip(names, env['IMAGE_PATHS'])):
        out += ['\t.section .images.%d, "a"' % i,
                '\t.balign 4096',
                'image_%d_start:' % i,
                '\t.incbin %s' % gas_string(os.path.abspath(path)),
                'image_%d_end:' % i,
                '\t.section .rodata.image_names, "a"',
                'image_%d_name:' % i,
                '\t.asciz %s' % gas_string(name)]
    out += ['\t.section .rodata.image_table, "a"',
            '\t.balign 8',
            '\t.global scenario_images',
            'scenario_images:']
    for i in range(len(names)):
        out.append('\t.quad image_%d_name, image_%d_start, '
                   'image_%d_end - image_%d_start' % (i, i, i, i))
    out += ['\t.global scenario_image_count',
            'scenario_image_count:',
            '\t.quad %d' % len(names),
            '\t.section .note.GNU-stack, "", %progbits']
    with open(str(target[0]), 'w') as f:
        f.write('\n'.join(out) + '\n')
