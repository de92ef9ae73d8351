"""The one unit -> sources table of the host tests and the fuzz harnesses.

A unit is the real code one test binary links: tests/host/test_<host>.c
(cmocka, tests/host/SConscript) and/or tests/fuzz/fuzz_<fuzz>.c (libFuzzer,
tests/fuzz/SConscript) are built from the same list, so a unit that gains a
source file gains it in both. Every binary also links the host fake of the
arch contract (tests/fake, FAKE); tests/fake comes first on the include
path, so kernel units see the fake arch/arch_inline.h and arch/sysreg.h.
"""

# The host fake of hyp/arch.h and of the system registers: every binary.
FAKE = ['#tests/fake/fake_arch.c']
# Only cmocka binaries: errno names, and the fake RAM (fails the test).
HOST_COMMON = ['#kernel/core/errno.c']
FAKE_MM = '#tests/fake/fake_mm.c'
FAKE_GIC = '#tests/fake/fake_gic.c'
FAKE_LOG = '#tests/fake/fake_log.c'
FAKE_BOARD = '#tests/fake/fake_board.c'
FAKE_IPC_ISR = '#tests/fake/fake_ipc_isr.c'

K = '#kernel/core/'
A = '#kernel/arch/aarch64/'


class Unit:
    """Sources of one unit and the test binaries built on them."""

    def __init__(self, sources, host=None, fuzz=None):
        self.sources = sources
        self.host = host
        self.fuzz = fuzz


UNITS = {
    'palloc': Unit([K + 'palloc.c', FAKE_MM], host='palloc'),
    's2': Unit([A + 's2.c', K + 'palloc.c', FAKE_MM], host='s2'),
    'config': Unit(['#tools/config_validate.c', K + 'config_bounds.c',
                    '#lib/src/fmt.c'], host='config', fuzz='config'),
    'config_bounds': Unit([K + 'config_bounds.c', '#lib/src/fmt.c'],
                          host='config_bounds'),
    'esr': Unit([A + 'esr.c'], host='esr'),
    'insn_skip': Unit([A + 'insn_skip.c', A + 'esr.c'], host='insn_skip'),
    'mmio_decode': Unit([A + 'mmio_decode.c', A + 'esr.c', A + 'insn_skip.c'],
                        host='mmio_decode', fuzz='mmio_decode'),
    'fmt': Unit(['#lib/src/fmt.c'], host='fmt'),
    'libipc': Unit(['#libipc/src/server.c'], host='libipc', fuzz='ipc_args'),
    'journal': Unit(['#libipc/src/journal.c', '#services/uart/pl011_model.c'],
                    host='journal', fuzz='journal'),
    'pl011_model': Unit(['#services/uart/pl011_model.c'],
                        host='pl011_model', fuzz='pl011'),
    'virtio': Unit(['#libipc/src/virtio_mmio.c', '#libipc/src/virtq.c',
                    '#libipc/src/virtio_gmem.c',
                    '#libipc/src/virtio_shadow.c', FAKE_IPC_ISR],
                   host='virtio', fuzz='virtq'),
    'virtio_shadow': Unit(['#libipc/src/virtio_mmio.c', '#libipc/src/virtq.c',
                           '#libipc/src/virtio_gmem.c',
                           '#libipc/src/virtio_shadow.c', FAKE_IPC_ISR],
                          host='virtio_shadow'),
    'virtio_event': Unit(['#libipc/src/virtio_mmio.c', '#libipc/src/virtq.c',
                          '#libipc/src/virtio_gmem.c',
                          '#libipc/src/virtio_shadow.c', FAKE_IPC_ISR],
                         host='virtio_event'),
    'console': Unit(['#services/uart/console.c'], host='console'),
    'virtio_drv': Unit(['#libipc/src/virtio_drv.c'], host='virtio_drv'),
    'vblk_req': Unit(['#services/vblk/vblk_req.c'], host='vblk_req',
                     fuzz='vblk_req'),
    'vnet_switch': Unit(['#services/vnet/vnet_switch.c'], host='vnet_switch'),
    'pl031_model': Unit(['#services/pl031/pl031_model.c'], host='pl031_model'),
    'gicd_model': Unit(['#services/vgic/gicd_model.c'],
                       host='gicd_model', fuzz='gicd'),
    'vgic_kept': Unit(['#services/vgic/vgic_kept.c',
                       '#services/vgic/gicd_model.c',
                       '#libipc/src/journal.c'], host='vgic_kept'),
    'vgic_lr': Unit([K + 'vgic_lr.c', A + 'gic_lr.c'], host='vgic_lr',
                    fuzz='vgic_lr'),
    'irq': Unit([K + 'irq.c'], host='irq'),
    'ptimer': Unit([K + 'ptimer.c'], host='ptimer'),
    'vgic': Unit([K + 'vgic.c', K + 'vgic_lr.c', A + 'gic_lr.c',
                  K + 'vtimer.c', K + 'vm_window.c', FAKE_GIC], host='vgic'),
    'cpu': Unit([K + 'cpu.c', K + 'klock.c', FAKE_LOG], host='cpu'),
    'psci': Unit([K + 'psci.c', K + 'vcpu.c', K + 'vgic_lr.c', A + 'gic_lr.c',
                  K + 'ptimer.c', FAKE_GIC], host='psci'),
    'sched': Unit([K + 'sched.c', K + 'klock.c', FAKE_LOG], host='sched'),
    'vm': Unit([K + 'vm.c', K + 'vm_ram.c', K + 'vm_console.c', K + 'service.c',
                K + 'service_event.c',
                K + 'vm_window.c', K + 'klock.c', A + 's2.c',
                K + 'palloc.c', '#lib/src/fmt.c', FAKE_MM, FAKE_LOG,
                FAKE_BOARD], host='vm'),
    'vcpu': Unit([K + 'vcpu.c', K + 'ptimer.c', K + 'vtimer.c', K + 'vgic_lr.c',
                  A + 'gic_lr.c', FAKE_GIC], host='vcpu'),
    'vptimer': Unit([K + 'vptimer.c', K + 'ptimer.c', FAKE_LOG],
                    host='vptimer'),
    'log': Unit([K + 'log.c', '#lib/src/fmt.c'], host='log'),
    'ipc': Unit([K + 'ipc.c', K + 'service.c', K + 'service_event.c',
                 K + 'window_isr.c', K + 'window_doorbell.c', K + 'window_quiet.c', FAKE_LOG,
                 FAKE_MM], host='ipc'),
    'service_event': Unit([K + 'service_event.c', K + 'ipc.c', K + 'service.c',
                           K + 'window_isr.c', K + 'window_doorbell.c', K + 'window_quiet.c',
                           FAKE_LOG, FAKE_MM],
                          host='service_event'),
    'window_isr': Unit([K + 'window_isr.c', FAKE_MM], host='window_isr'),
    'window_quiet': Unit([K + 'window_quiet.c', '#services/uart/pl011_model.c',
                          FAKE_MM], host='window_quiet'),
    'hypercall': Unit([K + 'hypercall.c', K + 'vm_console.c', FAKE_LOG,
                       FAKE_BOARD], host='hypercall'),
    'errno': Unit([], host='errno'),
    'klock': Unit([K + 'klock.c'], host='klock'),
    'panic': Unit([K + 'panic.c', '#lib/src/fmt.c'], host='panic'),
    'vm_window': Unit([K + 'vm_window.c'], host='vm_window'),
    'vtimer': Unit([K + 'vtimer.c', K + 'vgic_lr.c', A + 'gic_lr.c',
                    FAKE_GIC], host='vtimer'),
    'vm_console': Unit([K + 'vm_console.c', FAKE_LOG, FAKE_BOARD],
                       host='vm_console'),
    'service': Unit([K + 'service.c', K + 'vm_window.c'], host='service'),
    'main': Unit([K + 'main.c', K + 'klock.c', FAKE_LOG], host='main'),
    'board': Unit([K + 'board.c', '#lib/src/fmt.c'], host='board'),
    'posted': Unit([K + 'posted.c', FAKE_MM], host='posted'),
    'ipc_kernel': Unit([K + 'ipc.c', K + 'hypercall.c', K + 'service.c',
                        K + 'posted.c', K + 'window_isr.c',
                        K + 'window_doorbell.c', K + 'window_quiet.c', K + 'service_event.c',
                        K + 'vm_console.c', K + 'vm_window.c', A + 'mmio.c',
                        A + 'fastpath.c', A + 'mmio_decode.c', A + 'esr.c',
                        A + 'insn_skip.c', K + 'vgic.c', K + 'vgic_lr.c',
                        A + 'gic_lr.c', K + 'vtimer.c', FAKE_GIC,
                        FAKE_BOARD], fuzz='ipc_kernel'),
}


def host_tests():
    """(test name, sources) of every cmocka binary, sorted."""
    return sorted((u.host, u.sources + HOST_COMMON + FAKE)
                  for u in UNITS.values() if u.host)


def fuzzers():
    """(harness name, sources) of every libFuzzer binary, sorted."""
    return sorted((u.fuzz, u.sources + FAKE)
                  for u in UNITS.values() if u.fuzz)
