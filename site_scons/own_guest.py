"""scons guest=PATH: a scenario generated around one image, no code written.

plan() checks the options and the image (before anything is built or QEMU
starts: one GuestError line each) and lays the VM out; config_c() writes the
scenario's config.c: the vgic, UART and PL031 RTC services and one guest
partition with the devices of the Linux VM (configs/linux/partition.h), so
that one's own Linux sees the machine the linux scenario's does; tools/dtgen
generates its device tree (configs/SConscript).

Image kinds:
  * an arm64 Linux Image (Documentation/arch/arm64/booting.rst, header:
    text_offset at 0x08, image_size at 0x10, magic "ARM\\x64" at 0x38, all
    little endian): placed text_offset bytes above a 2 MiB aligned base
    (load=, default RAM + 2 MiB) with image_size bytes free;
  * an AArch64 ELF executable: its PT_LOAD segments, flattened by objcopy,
    at their physical addresses; entry from the ELF header;
  * anything else, a raw binary: at load= (default the RAM base), entered
    at its first byte.
x0 holds the DTB's address in every case; the initramfs (initrd=) and the
DTB go at the top of RAM (DTB in the first 512 MiB, as older kernels want).
"""
import os
import shlex
import struct

# The guest's RAM: where QEMU virt and every scenario put it.
RAM_BASE = 0x40000000
SZ_1M = 0x100000
SZ_2M = 0x200000
# booting.rst: "The Image must be placed text_offset bytes from a 2MB
# aligned base address"; the DTB must not exceed 2 MiB.
IMAGE_ALIGN = SZ_2M
DTB_SIZE = SZ_2M
DTB_LIMIT = 512 * SZ_1M
# Linux Image header fields (booting.rst, "Call the kernel image").
IMAGE_TEXT_OFFSET = 0x08
IMAGE_SIZE = 0x10
IMAGE_MAGIC_OFFSET = 0x38
IMAGE_MAGIC = b'ARM\x64'
IMAGE_HEADER_SIZE = 64
# ELF (System V gABI): ident, class 64, little endian, e_machine AArch64,
# PT_LOAD.
ELF_MAGIC = b'\x7fELF'
ELFCLASS64 = 2
ELFDATA2LSB = 1
EM_AARCH64 = 183
ET_EXEC = 2
PT_LOAD = 1
ELF64_EHDR = struct.Struct('<16sHHIQQQIHHHHHH')
ELF64_PHDR = struct.Struct('<IIQQQQQQ')
# hyp/config.h CFG_MAX_VCPUS.
MAX_VCPUS = 8
SIZE_SUFFIX = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}

DEFAULT_RAM = '256M'
# What the board's RAM (mem=) must hold besides the guest's, as the build's
# rule S5 counts it: the RAM of the vgic and UART services
# (configs/common/vgic_service.h, uart_service.h: 2 MiB + 2 MiB kept each)
# and the hypervisor's share (configs/platform/qemu_virt.c, hyp_reserved).
SERVICES_RAM = 2 * (2 + 2) * SZ_1M
HYP_RESERVED = 64 * SZ_1M
DEFAULT_APPEND = 'console=ttyAMA0 earlycon'
SCENARIO = 'own'
VM = 'guest'


class GuestError(Exception):
    """A guest= option that cannot work: the message is the whole line."""


def parse_size(option, text):
    """'256M', '1G', '0x10000000' -> bytes."""
    t = text.strip().upper()
    mult = 1
    if t[-1:] in SIZE_SUFFIX:
        mult, t = SIZE_SUFFIX[t[-1]], t[:-1]
    try:
        value = int(t, 0) * mult
    except ValueError:
        raise GuestError('%s=%s: not a size (e.g. 256M, 1G, 0x10000000)'
                         % (option, text))
    return value


def parse_address(option, text):
    try:
        return int(text, 0)
    except ValueError:
        raise GuestError('%s=%s: not an address (e.g. 0x40080000)' % (option, text))


def linux_header(data):
    """(text_offset, image_size) if @data starts with an arm64 Image header."""
    if len(data) < IMAGE_HEADER_SIZE or \
            data[IMAGE_MAGIC_OFFSET:IMAGE_MAGIC_OFFSET + 4] != IMAGE_MAGIC:
        return None
    text_offset, image_size = struct.unpack_from('<QQ', data, IMAGE_TEXT_OFFSET)
    return text_offset, image_size


def elf_layout(path, data):
    """(lowest load address, highest end, entry) of an AArch64 ELF."""
    if len(data) < ELF64_EHDR.size:
        raise GuestError('guest=%s: truncated ELF header' % path)
    (ident, e_type, machine, _, entry, phoff, _, _, _, phentsize, phnum,
     _, _, _) = ELF64_EHDR.unpack_from(data)
    if ident[4] != ELFCLASS64 or ident[5] != ELFDATA2LSB or machine != EM_AARCH64:
        raise GuestError('guest=%s: not a little-endian AArch64 ELF64 file' % path)
    if e_type != ET_EXEC:
        raise GuestError('guest=%s: not an executable ELF (e_type %d): link it '
                         'at a fixed address' % (path, e_type))
    segs = []
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + ELF64_PHDR.size > len(data):
            raise GuestError('guest=%s: truncated ELF program headers' % path)
        p_type, _, _, _, paddr, filesz, memsz, _ = ELF64_PHDR.unpack_from(data, off)
        if p_type == PT_LOAD and memsz:
            segs.append((paddr, paddr + memsz))
    if not segs:
        raise GuestError('guest=%s: the ELF file has no PT_LOAD segment' % path)
    return min(s for s, _ in segs), max(e for _, e in segs), entry


def _read(option, path):
    if not os.path.exists(path):
        raise GuestError('%s=%s: no such file' % (option, path))
    if not os.path.isfile(path):
        raise GuestError('%s=%s: not a regular file' % (option, path))
    with open(path, 'rb') as f:
        return f.read()


def check_board_memory(ram, ram_size, mem):
    """The guest's and its services' RAM fit in the board's @mem (QEMU -m,
    scons mem=) less the hypervisor's share, else GuestError: said before
    QEMU starts rather than by the kernel after."""
    board = parse_size('mem', mem)
    if ram_size + SERVICES_RAM + HYP_RESERVED > board:
        raise GuestError("ram=%s: the guest's %d MiB and its services' %d MiB "
                         "do not fit in the board's %d MiB (mem=%s) less the "
                         "%d MiB the hypervisor keeps: raise mem= or lower ram="
                         % (ram or DEFAULT_RAM, ram_size // SZ_1M,
                            SERVICES_RAM // SZ_1M, board // SZ_1M, mem,
                            HYP_RESERVED // SZ_1M))


def plan(path, mem, ram='', vcpus='', load='', initrd='', append=None):
    """The guest VM's layout as a dict, or GuestError with the reason.
    @mem: the board's RAM (scons mem=, hypqemu.MEMORY by default)."""
    ram_size = parse_size('ram', ram or DEFAULT_RAM)
    if ram_size < 2 * SZ_2M or ram_size % SZ_2M:
        raise GuestError('ram=%s: the guest RAM must be a multiple of 2 MiB, '
                         'at least 4 MiB' % ram)
    check_board_memory(ram, ram_size, mem)
    if not (vcpus or '1').isdigit() or not 1 <= int(vcpus or '1') <= MAX_VCPUS:
        raise GuestError('vcpus=%s: a VM has 1 to %d vCPUs' % (vcpus, MAX_VCPUS))
    data = _read('guest', path)
    if not data:
        raise GuestError('guest=%s: the file is empty' % path)
    ram_end = RAM_BASE + ram_size
    load_addr = parse_address('load', load) if load else None
    header = linux_header(data)
    if data[:4] == ELF_MAGIC:
        if load_addr is not None:
            raise GuestError('load=%s: an ELF image says where it goes; load= '
                             'is for raw binaries and Linux Images' % load)
        start, end, entry = elf_layout(path, data)
        kind = 'elf'
    elif header is not None:
        text_offset, image_size = header
        base = RAM_BASE + IMAGE_ALIGN if load_addr is None else load_addr
        if base % IMAGE_ALIGN:
            raise GuestError('load=%s: a Linux Image goes at a 2 MiB aligned '
                             'base (booting.rst)' % load)
        start = entry = base + text_offset
        # image_size 0: a kernel older than 3.17, no size given.
        end = start + max(image_size, len(data))
        kind = 'linux'
    else:
        start = entry = RAM_BASE if load_addr is None else load_addr
        end = start + len(data)
        kind = 'raw'
    dtb = RAM_BASE + min(ram_size, DTB_LIMIT) - DTB_SIZE
    if start < RAM_BASE or end > dtb:
        raise GuestError('guest=%s: does not fit: the image takes 0x%x-0x%x, the '
                         'guest RAM is 0x%x-0x%x (ram=%s) with its DTB at 0x%x'
                         % (path, start, end, RAM_BASE, ram_end, ram or DEFAULT_RAM,
                            dtb))
    if start % 4 or entry % 4:
        raise GuestError('guest=%s: entry 0x%x is not 4-byte aligned' % (path, entry))
    initrd_ipa = None
    if initrd:
        size = len(_read('initrd', initrd))
        initrd_ipa = (dtb - size) & ~(SZ_2M - 1)
        if initrd_ipa < end:
            raise GuestError('initrd=%s: %d MiB do not fit in ram=%s beside the '
                             'image (0x%x-0x%x) and the DTB'
                             % (initrd, (size + SZ_1M - 1) // SZ_1M,
                                ram or DEFAULT_RAM, start, end))
    return {'path': path, 'kind': kind, 'ram_size': ram_size,
            'vcpus': int(vcpus or '1'), 'image_ipa': start, 'entry': entry,
            'dtb_ipa': dtb, 'initrd': initrd or None, 'initrd_ipa': initrd_ipa,
            'append': DEFAULT_APPEND if append is None else append}


def c_comment(text):
    """@text inside a C comment: '*/' (which would end it) broken up, and
    what is not printable ASCII as its repr escape."""
    shown = ''.join(c if ' ' <= c <= '~' else repr(c)[1:-1] for c in text)
    return shown.replace('*/', '*\\/')


def config_c(p, root):
    """The generated scenario's config.c for plan @p. @root: the tree,
    relative to the directory of the config.c (C11 6.4.7: a header name
    has no escapes, so it must hold no '"', backslash or newline)."""
    if any(c in root for c in '"\\\n'):
        raise GuestError('the build directory\'s path to the tree (%r) cannot '
                         'be written in a C #include' % root)
    loads = []
    if p['initrd']:
        loads.append('{ .image = "initrd", .ipa = 0x%x },' % p['initrd_ipa'])
    loads.append('{ .image = "dtb", .ipa = 0x%x },' % p['dtb_ipa'])
    return '''/* Generated by scons guest=%(shown)s (site_scons/own_guest.py): do not edit. */
#include "%(root)s/configs/linux/partition.h"
#include "%(root)s/configs/platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "%(scenario)s",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			.name = "%(vm)s",
			.kind = CFG_VM_GUEST,
			.vcpu_count = %(vcpus)d,
			.image = "guest",
			.image_ipa = 0x%(image_ipa)x,
			.entry = 0x%(entry)x,
			.entry_arg = 0x%(dtb_ipa)x, /* x0 = DTB */
			.loads = { %(loads)s },
			.load_count = %(load_count)d,
			.ram = { { .ipa = 0x%(ram_base)x, .size = 0x%(ram_size)x } },
			.ram_count = 1,
			.devices = { LINUX_GUEST_DEVICES },
			.device_count = LINUX_GUEST_DEVICE_COUNT,
		},
	},
};
''' % dict(p, shown=c_comment(p['path']), root=root, scenario=SCENARIO, vm=VM, loads=' '.join(loads),
           load_count=len(loads), ram_base=RAM_BASE)


def gdb_hint(p, hyp_elf, port):
    """How to debug the guest with its own symbols: a shell command line
    (paths quoted for the shell, and for gdb inside its -ex argument)."""
    remote = "-ex 'target remote :%d'" % port
    hyp_elf = shlex.quote(str(hyp_elf))
    if p['kind'] == 'elf':
        # gdb splits add-symbol-file's arguments as a shell does (libiberty
        # buildargv): double quotes, backslash escapes.
        symbols = '"%s"' % p['path'].replace('\\', '\\\\').replace('"', '\\"')
        return ("gdb-multiarch %s %s -ex %s"
                % (hyp_elf, remote, shlex.quote('add-symbol-file ' + symbols)))
    if p['kind'] == 'linux':
        return ("gdb-multiarch vmlinux %s   (the Image's vmlinux with debug "
                "info; append=... nokaslr so its addresses hold)" % remote)
    return ("gdb-multiarch %s %s   (a raw image has no symbols: "
            "add-symbol-file the ELF it was made from)" % (hyp_elf, remote))
