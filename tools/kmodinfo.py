"""What `modinfo` reads from a Linux kernel module (.ko), without kmod:
the key=value strings of its .modinfo ELF section, and the order in which
a set of modules must be loaded (each after the modules its `depends=`
names and after those its `softdep=pre:` names, matched by name or by
`alias=`), since Debian's linux-image package has no modules.dep.

    kmodinfo.py MODULE.ko ...   prints the load order, one path a line
"""
import os
import struct
import sys

ELF_MAGIC = b'\x7fELF'
ELFCLASS64 = 2
ELFDATA2LSB = 1
# ELF64 header fields used (System V gABI, "ELF Header"): e_shoff at 0x28,
# e_shentsize, e_shnum, e_shstrndx at 0x3a.
EHDR_SHOFF = 0x28
EHDR_SHENTSIZE = 0x3A
# Section header: sh_name (4), sh_type (4), sh_flags (8), sh_addr (8),
# sh_offset (8), sh_size (8), ...
SHDR = struct.Struct('<IIQQQQ')
MODINFO_SECTION = '.modinfo'


class ModuleError(Exception):
    """A file that is not a 64-bit little-endian module, or a set of modules
    whose dependencies cannot be met; the message names the file."""


def _sections(data, path):
    if data[:4] != ELF_MAGIC or data[4] != ELFCLASS64 or data[5] != ELFDATA2LSB:
        raise ModuleError('%s: not a 64-bit little-endian ELF file' % path)
    shoff, = struct.unpack_from('<Q', data, EHDR_SHOFF)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, EHDR_SHENTSIZE)
    if shentsize < SHDR.size or shstrndx >= shnum or shoff + shnum * shentsize > len(data):
        raise ModuleError('%s: bad ELF section table' % path)
    headers = [SHDR.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    names_off, names_size = headers[shstrndx][4], headers[shstrndx][5]
    names = data[names_off:names_off + names_size]
    for name, _type, _flags, _addr, off, size in headers:
        yield names[name:names.index(b'\0', name)].decode(), data[off:off + size]


def modinfo(path):
    """{key: [values]} of the module at @path, as `modinfo -F key` lists
    them (a key may repeat: alias, softdep)."""
    with open(path, 'rb') as f:
        data = f.read()
    for name, body in _sections(data, path):
        if name == MODINFO_SECTION:
            info = {}
            for entry in body.split(b'\0'):
                key, eq, value = entry.decode(errors='replace').partition('=')
                if eq:
                    info.setdefault(key, []).append(value)
            return info
    raise ModuleError('%s: no %s section (not a kernel module?)' % (path, MODINFO_SECTION))


def _soft_pre(info):
    """Names after "pre:" in every softdep= line (modprobe.d(5) syntax)."""
    pre = []
    for line in info.get('softdep', []):
        words = line.split()
        in_pre = False
        for w in words:
            if w.endswith(':'):
                in_pre = w == 'pre:'
            elif in_pre:
                pre.append(w)
    return pre


def graph(paths):
    """({name: path}, {name: [names it loads after]}) of the modules at
    @paths: their depends= (which must all be among @paths: a module the
    kernel has built in is never listed) and those of their softdep pre:
    names that are among @paths (by name or alias; the others are built
    in or optional)."""
    mods = {}
    for path in paths:
        info = modinfo(path)
        name = (info.get('name') or [os.path.basename(path)[:-len('.ko')]])[0]
        mods[name] = (path, info)
    alias = {}
    for name, (_path, info) in mods.items():
        for a in info.get('alias', []):
            alias.setdefault(a, name)
    before = {}
    for name, (path, info) in mods.items():
        deps = [d for line in info.get('depends', []) for d in line.split(',') if d]
        missing = [d for d in deps if d not in mods]
        if missing:
            raise ModuleError('%s: depends on %s, not among the modules given'
                              % (path, ', '.join(missing)))
        soft = [s if s in mods else alias.get(s) for s in _soft_pre(info)]
        before[name] = deps + [s for s in soft if s and s != name]
    return {name: path for name, (path, _info) in mods.items()}, before


def needs(before, name):
    """@name and every module it loads after, directly or not."""
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += before[n]
    return seen


def load_order(paths):
    """@paths in an order insmod can load them: every module after those
    graph() says it needs. Ties keep the order of @paths."""
    paths_by_name, before = graph(paths)
    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == 'done':
            return
        if state.get(name) == 'busy':
            raise ModuleError('dependency loop: %s' % ' -> '.join(chain + [name]))
        state[name] = 'busy'
        for dep in before[name]:
            visit(dep, chain + [name])
        state[name] = 'done'
        order.append(paths_by_name[name])

    for name in paths_by_name:
        visit(name, [])
    return order


def main():
    try:
        for path in load_order(sys.argv[1:]):
            print(path)
    except (ModuleError, OSError) as e:
        sys.exit('error: %s' % e)


if __name__ == '__main__':
    main()
