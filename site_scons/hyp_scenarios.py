"""The scenarios files: configs/<dir>/scenarios names the scenarios built
from configs/<dir>/config.c and the images each one embeds, so that a new
directory is picked up without editing configs/SConscript.

One scenario per line, '#' starts a comment:

    NAME IMAGE=SOURCE ... [unchecked] [bench] [disk] [net]

NAME is what `scenario=NAME` boots; IMAGE is an image name the config.c
uses (cfg_vm.image, cfg_load.image); SOURCE is a built guest or service
image (guests/SConscript, services/SConscript) or one of LINUX_SOURCES,
or linux:dtb:VM: the device tree generated for VM VM of the directory's
config.c (linux:dtb is VM "linux"'s), for a second Linux VM.
`unchecked` links the scenario without the build-time check (cfgcheck),
for a scenario that tests the kernel's own boot check. `bench` leaves the
scenario out of a plain `scons`: a Linux VM of another size that only the
benchmark boots, built by `scons bench`, `scons test` (test_bench) and
`scenario=NAME qemu=1`. `disk` gives the scenario's qemu=1 run the root
disk (tools/hypqemu.py, disk_args(): a virtio-blk device on virtio-mmio
slot 31; the image build/disk/linux-root.img, or scons disk=PATH); a
scenario that gives no VM that device leaves it unused. `net` gives it
the network uplink (tools/hypqemu.py, net_args(): a virtio-net device on
virtio-mmio slot 23, QEMU's user network with restrict=on and the
forwarding rules of scons hostfwd= / guestfwd=) and its Linux VM's kernel
command line tinyhyp.ip= (README: The network).
"""
import os
import re

import own_guest

FILE_NAME = 'scenarios'
# Debian's kernel and the busybox initramfs, and the device tree generated
# from the directory's config.c (configs/SConscript).
LINUX_SOURCES = ('linux:Image', 'linux:initrd', 'linux:dtb')
# linux:dtb:VM, the device tree of VM VM (a partition name).
VM_DTB = re.compile(r'^linux:dtb:[A-Za-z0-9_-]+$')
UNCHECKED = 'unchecked'
BENCH = 'bench'
DISK = 'disk'
NET = 'net'
FLAGS = (UNCHECKED, BENCH, DISK, NET)
NAME = re.compile(r'^[a-z0-9][a-z0-9-]*$')
IMAGE = re.compile(r'^[A-Za-z0-9_-]+$')
# Names the build gives its own directories under build/scenarios/: the
# scenario of scons guest=PATH, and each directory's generated device tree
# (configs/SConscript, vm_dtb(DTB_PREFIX + dir)). No declared scenario may
# take one: it would share their files.
DTB_PREFIX = 'dtb-'


class ScenarioFileError(Exception):
    """A malformed scenarios file: the message names the file and line."""


class Scenario:
    def __init__(self, name, config_dir, images, unchecked, bench=False, disk=False,
                 net=False):
        self.name = name
        self.config_dir = config_dir    # directory under configs/
        self.images = images            # image name in config.c -> source
        self.unchecked = unchecked
        self.bench = bench              # not built by a plain scons
        self.disk = disk                # qemu=1 gives QEMU the root disk
        self.net = net                  # qemu=1 gives QEMU the uplink


def parse(text, config_dir, known_sources, where):
    """The scenarios of one file's @text; @where names it in errors."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split('#', 1)[0].split()
        if not words:
            continue

        def fail(msg):
            raise ScenarioFileError('%s:%d: %s' % (where, n, msg))

        name, rest = words[0], words[1:]
        if not NAME.match(name):
            fail("scenario name '%s': lower-case letters, digits and '-' only"
                 % name)
        if name == own_guest.SCENARIO:
            fail("scenario name '%s' is reserved: the scenario scons "
                 "guest=PATH builds" % name)
        if name.startswith(DTB_PREFIX):
            fail("scenario name '%s' is reserved: names starting with '%s' "
                 "are the build's device trees" % (name, DTB_PREFIX))
        flags = set()
        while rest and rest[-1] in FLAGS:
            flags.add(rest.pop())
        if not rest:
            fail("scenario '%s' names no image (IMAGE=SOURCE)" % name)
        images = {}
        for word in rest:
            image, eq, source = word.partition('=')
            if not eq or not IMAGE.match(image) or not source:
                fail("'%s': IMAGE=SOURCE expected" % word)
            if image in images:
                fail("image '%s' named twice" % image)
            if (source not in known_sources and source not in LINUX_SOURCES
                    and not VM_DTB.match(source)):
                fail("'%s': no guest or service image '%s' (known: %s)"
                     % (word, source, ', '.join(sorted(known_sources))))
            images[image] = source
        out.append(Scenario(name, config_dir, images, UNCHECKED in flags,
                            BENCH in flags, DISK in flags,
                            NET in flags))
    return out


def read_all(configs_root, known_sources):
    """Every configs/<dir>/scenarios, directories in name order."""
    found = {}
    for d in sorted(os.listdir(configs_root)):
        path = os.path.join(configs_root, d, FILE_NAME)
        if not os.path.isfile(path):
            continue
        where = os.path.join('configs', d, FILE_NAME)
        if not os.path.isfile(os.path.join(configs_root, d, 'config.c')):
            raise ScenarioFileError('%s: configs/%s/config.c is missing'
                                    % (where, d))
        with open(path) as f:
            for s in parse(f.read(), d, known_sources, where):
                if s.name in found:
                    raise ScenarioFileError(
                        "%s: scenario '%s' is also in configs/%s/%s"
                        % (where, s.name, found[s.name].config_dir, FILE_NAME))
                found[s.name] = s
    return found
