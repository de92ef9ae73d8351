#!/usr/bin/env python3
"""Write the seed corpora under tests/fuzz/corpus/<harness>/.

Each seed is a meaningful input in the byte format that harness decodes
(see the comment at the top of each tests/fuzz/fuzz_*.c): real instruction
words and syndromes, a valid scenario, a driver's start-up sequence. The
files are checked in; rerun this script after changing a harness's input
format:

    python3 tests/fuzz/mkseeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# --- fuzz_mmio_decode: records of insn, ESR, Xn, Xm, raw load value --------

def dabt(iss):
    """A data abort from a lower EL (EC 0x24, IL) with the given ISS."""
    return (0x24 << 26) | (1 << 25) | iss


def dabt_iss(sas, srt, sse=0, sf=0, wnr=0):
    return (1 << 24) | (sas << 22) | (sse << 21) | (srt << 16) | \
        (sf << 15) | (wnr << 6) | 0x07


# Words assembled in tests/host/test_mmio_decode.c, family by family.
MMIO_FAMILIES = {
    'unsigned_offset': [0x39000c41, 0x39400c41, 0x39800c41, 0x39c00c41,
                        0x79000c83, 0xb9400cc5, 0xb9800cc5, 0xf9400907,
                        0xf97ffffe, 0xf900001f],
    'unscaled_unpriv': [0xb85fc041, 0xf8100083, 0x38dff041, 0x788ff041,
                        0xf8408841, 0x381ff841, 0xb8804841, 0x78dfe841],
    'pre_post_index': [0xf8408c41, 0xf85f0441, 0xb81fcc83, 0x38001483,
                       0x78dfecc5, 0xf85f0fe1, 0xf80107e1, 0xf8408fff],
    'register_offset': [0xf8636841, 0xf8637841, 0xb8634841, 0xb8635841,
                        0x7863d841, 0x3863c841, 0xf823e841, 0xb8a3d841],
    'pairs': [0x29410861, 0x29ff0861, 0x28df8861, 0xa9bf0be1, 0xa8c17bfd,
              0xa8410861, 0x283f0861, 0x69410861, 0x68c10861],
    'rejected': [0xc85f7c41, 0xc89ffc41, 0xf8210062, 0x69000861,
                 0xf9800420, 0x3dc00020, 0xad000440, 0xf8630841,
                 0xf8408c21, 0xa9400441],
}
MMIO_SYNDROMES = [dabt(dabt_iss(2, 3)),
                  dabt(dabt_iss(1, 30, sse=1, sf=1)),
                  dabt(dabt_iss(3, 31, sf=1, wnr=1)),
                  dabt((2 << 22) | 0x07),          # ISV = 0
                  dabt(dabt_iss(3, 0, wnr=1) | (1 << 8))]  # CM


def seeds_mmio_decode():
    for family, words in MMIO_FAMILIES.items():
        data = b''
        for i, insn in enumerate(words):
            esr = MMIO_SYNDROMES[i % len(MMIO_SYNDROMES)]
            data += u32(insn) + u64(esr) + u64(0x9000000 + 0x10 * i) + \
                u64(0xffffffff - i) + u64(0x8000000080008080)
        write('fuzz_mmio_decode', family, data)


# --- fuzz_ipc_args: window table, then operations ---------------------------

IPC_MMIO, IPC_CALL, IPC_NOTIFY = 0, 2, 3     # kinds[] indices in pick_msg
OP_REGISTER, OP_DISPATCH, OP_ANSWERS, OP_REBUILD = 0, 1, 4, 5


def ipc_msg(kind, window, offset, width_index, write, client, vcpu, value):
    """A message with every word in its 'close to valid' form."""
    sel = kind                      # bits 2..6 clear: no raw words
    info = width_index | (0x8 if write else 0)
    return u8(OP_DISPATCH) + u8(sel) + u8(info) + u8(window) + \
        u16(offset) + u16(client) + u16(vcpu) + u64(value)


def seeds_ipc_args():
    # Three windows: 4 KiB (raw size), 1 KiB, 16 bytes; clients 1, 2, 1.
    table = u8(3) + u8(0xff) + u64(0x1000) + u8(1) + u8(0x80) + u8(2) + \
        u8(2) + u8(1) + u8(1)
    answers = u8(OP_ANSWERS) + u8(0x1c) + u64(0x1122334455667788) + \
        u8(5) + u64(1) + u64(2) + u64(3)
    ops = u8(OP_REGISTER) + u8(0xff) + u8(1)            # all windows
    ops += answers
    ops += ipc_msg(IPC_MMIO, 0, 0x18, 1, False, 1, 0, 0)    # ldrh
    ops += ipc_msg(IPC_MMIO, 1, 0x3f8, 3, True, 2, 3, 0xcafe)  # str x
    ops += ipc_msg(IPC_MMIO, 2, 12, 3, False, 1, 0, 0)      # leaves window
    ops += ipc_msg(IPC_CALL, 4, 10, 2, False, 20, 30, 40)
    ops += ipc_msg(IPC_NOTIFY, 5, 0, 0, False, 0, 0, 0)
    write('fuzz_ipc_args', 'serve', table + ops)
    # Registration conflicts, then a rebuilt table of 64+ windows.
    ops = u8(OP_REGISTER) + u8(1) + u8(1) + u8(OP_REGISTER) + u8(0xff) + \
        u8(2) + u8(OP_REGISTER) + u8(3) + u8(1) + u8(OP_REGISTER) + \
        u8(0) + u8(0)
    big = u8(OP_REBUILD) + u8(70) + (u8(0x10) + u8(7)) * 70 + u8(0)
    write('fuzz_ipc_args', 'register', table + ops + big +
          u8(OP_REGISTER) + u8(0xff) + u8(1) +
          ipc_msg(IPC_MMIO, 63, 0x78, 3, False, 7, 0, 0))


# --- fuzz_config: the valid scenario of tests/host/test_config.c -----------

NAME = {'guest0': 0, 'uart': 1, 'vgic': 2, 'hello': 3, 'linux': 4}
DEV_PASSTHROUGH, DEV_EMULATED, DEV_GICV = 1, 2, 3


def cfg_name(n):
    return u8(NAME[n])


def addr_2m(k):
    return u8((k << 3) | 0)


def addr_4k(k):
    return u8((k << 3) | 1)


def addr_above_1g(pages):
    return u8(2) + u16(pages)


def addr_u32(v):
    return u8(6) + u32(v)


def cfg_vm(name, kind, image, image_ipa, entry_step, rams, devices, irqs,
           loads=()):
    out = u8(kind) + u8(entry_step) + cfg_name(name) + u8(1) + \
        cfg_name(image) + image_ipa
    # Each region: ipa, size, then a byte whose low 3 bits 0 mean keep.
    out += u8(len(rams)) + b''.join(
        r[0] + r[1] + u8(0 if len(r) > 2 and r[2] else 1) for r in rams)
    out += u8(len(loads)) + b''.join(cfg_name(n) + ipa for n, ipa in loads)
    out += u8(len(devices))
    for kind_, dname, ipa, size, extra in devices:
        out += u8(kind_) + cfg_name(dname) + ipa + size + extra
    out += u8(len(irqs)) + b''.join(u8(q - 30) for q in irqs)
    return out


def seeds_config():
    images = u8(3) + cfg_name('hello') + addr_4k(16) + cfg_name('uart') + \
        addr_4k(8) + cfg_name('vgic') + addr_4k(8)
    guest = cfg_vm('guest0', 0, 'hello', addr_above_1g(0x80), 0,
                   [(addr_above_1g(0), addr_2m(8))],
                   [(DEV_PASSTHROUGH, 'uart', addr_u32(0x09000000),
                     addr_4k(1), addr_u32(0x09010000)),
                    (DEV_EMULATED, 'vgic', addr_u32(0x09100000),
                     addr_4k(1), cfg_name('uart')),
                    (DEV_GICV, 'linux', addr_u32(0x08010000), addr_4k(2),
                     b'')],
                   [33])
    uart = cfg_vm('uart', 1, 'uart', addr_above_1g(0), 32,
                  [(addr_above_1g(0), addr_2m(1))],
                  [(DEV_PASSTHROUGH, 'uart', addr_u32(0x09000000),
                    addr_4k(1), addr_u32(0x09000000))],
                  [34])
    head = u8(1) + cfg_name('linux')              # QEMU virt platform
    write('fuzz_config', 'valid_two_vms', head + images + u8(2) + guest +
          uart)
    # The same with a fuzzed platform equal to QEMU virt.
    plat = cfg_name('linux') + addr_u32(0x40000000) + addr_u32(0x40000000) + \
        addr_u32(0x04000000) + addr_u32(0x08000000) + addr_u32(0x38000000) + \
        addr_u32(0x09000000) + addr_u32(0x08040000) + addr_4k(2) + \
        u16(32) + u16(1019)
    write('fuzz_config', 'valid_own_platform', u8(2) + cfg_name('linux') +
          plat + images + u8(2) + guest + uart)
    # A platform whose MMIO space and log UART sit at the top of the 64-bit
    # physical address space: windows that end at (or near) 2^64.
    def addr_top(pages):
        return u8((pages << 3) | 5)               # 2^64 - pages * 4 KiB
    top = cfg_name('linux') + addr_u32(0x40000000) + addr_u32(0x40000000) + \
        addr_u32(0x04000000) + addr_top(16) + addr_4k(16) + addr_top(1) + \
        addr_u32(0x08040000) + addr_4k(2) + u16(32) + u16(1019)
    guest_top = cfg_vm('guest0', 0, 'hello', addr_above_1g(0x80), 0,
                       [(addr_above_1g(0), addr_2m(8))],
                       [(DEV_PASSTHROUGH, 'uart', addr_u32(0x09000000),
                         addr_4k(1), addr_top(2))],
                       [33])
    svc_top = cfg_vm('uart', 1, 'uart', addr_above_1g(0), 32,
                     [(addr_above_1g(0), addr_2m(1))],
                     [(DEV_PASSTHROUGH, 'uart', addr_u32(0x09000000),
                       addr_4k(2), addr_top(4))],
                     [34])
    write('fuzz_config', 'valid_mmio_at_top', u8(2) + cfg_name('linux') +
          top + images + u8(2) + guest_top + svc_top)
    # The emulated window is a GIC distributor whose GICD_SGIR the kernel
    # handles (kind byte bit 7: kernel_sgir).
    guest_sgir = cfg_vm('guest0', 0, 'hello', addr_above_1g(0x80), 0,
                        [(addr_above_1g(0), addr_2m(8))],
                        [(0x80 | DEV_EMULATED, 'vgic', addr_u32(0x08000000),
                          addr_4k(16), cfg_name('uart'))],
                        [33])
    write('fuzz_config', 'valid_kernel_sgir', head + images + u8(2) +
          guest_sgir + uart)
    # A guest with a further load (a DTB after the image).
    loaded = cfg_vm('guest0', 0, 'hello', addr_above_1g(0x80), 0,
                    [(addr_above_1g(0), addr_2m(8))], [], [35],
                    loads=[('vgic', addr_above_1g(0x200))])
    write('fuzz_config', 'valid_loads', head + images + u8(1) + loaded)
    # A service with a RAM region kept across restarts (rule R5).
    uart_kept = cfg_vm('uart', 1, 'uart', addr_above_1g(0), 32,
                       [(addr_above_1g(0), addr_2m(1)),
                        (addr_above_1g(0x200), addr_2m(1), True)],
                       [(DEV_PASSTHROUGH, 'uart', addr_u32(0x09000000),
                         addr_4k(1), addr_u32(0x09000000))],
                       [34])
    write('fuzz_config', 'valid_kept_ram', head + images + u8(2) + guest +
          uart_kept)


# --- fuzz_pl011: register accesses as Linux's amba-pl011 makes them --------

PL011_REG = {'DR': 0, 'RSR': 1, 'FR': 2, 'IBRD': 4, 'FBRD': 5, 'LCR_H': 6,
             'CR': 7, 'IFLS': 8, 'IMSC': 9, 'RIS': 10, 'MIS': 11, 'ICR': 12,
             'PID0': 14, 'CID0': 18}
(P_WRITE, P_WRITE_ALIGNED, P_READ, P_READ_ALIGNED, P_RX, P_RX_BURST,
 P_DRAIN, P_RESET) = range(8)


def pl_w(reg, value):
    return u8(P_WRITE_ALIGNED) + u8(PL011_REG[reg]) + u32(value)


def pl_r(reg):
    return u8(P_READ_ALIGNED) + u8(PL011_REG[reg])


def seeds_pl011():
    init = pl_w('CR', 0) + pl_w('IBRD', 13) + pl_w('FBRD', 1) + \
        pl_w('LCR_H', 0x70) + pl_w('IFLS', 0x12) + pl_w('ICR', 0x7ff) + \
        pl_w('IMSC', 0x50) + pl_w('CR', 0x301)
    rx = u8(P_RX_BURST) + u8(20) + pl_r('MIS') + pl_w('ICR', 0x50) + \
        u8(P_DRAIN) + u8(20) + pl_r('FR')
    tx = pl_w('DR', 0x41) + pl_w('DR', 0x0a) + pl_r('RIS') + \
        pl_w('ICR', 0x20)
    write('fuzz_pl011', 'linux_init', init + rx + tx)
    overrun = init + u8(P_RX_BURST) + u8(39) + pl_r('RSR') + u8(P_DRAIN) + \
        u8(2) + pl_w('RSR', 0) + pl_w('LCR_H', 0x60) + u8(P_RX) + u8(0x55)
    write('fuzz_pl011', 'overrun_nofifo', overrun)
    loop = pl_w('CR', 0x381) + pl_w('DR', 0x31) + pl_w('DR', 0x32) + \
        u8(P_READ) + u8(0x20) + u8(3) + u8(P_READ) + u8(0) + u8(4) + \
        u8(P_WRITE) + u8(PL011_REG['CR'] | 0x20) + u8(3) + u32(1) + \
        u8(P_READ) + u8(0x80) + u16(0xfe0) + u8(0) + u8(P_RESET)
    write('fuzz_pl011', 'loopback_subword', loop)


# --- fuzz_gicd: a 4-vCPU Linux-like bring-up -------------------------------

G = {'CTLR': 0, 'TYPER': 1, 'IGROUPR': 3, 'ISENABLER': 4, 'ICENABLER': 5,
     'ISPENDR': 6, 'ICPENDR': 7, 'ISACTIVER': 8, 'IPRIORITYR': 10,
     'ITARGETSR': 11, 'ICFGR': 12, 'SGIR': 13, 'CPENDSGIR': 14,
     'SPENDSGIR': 15, 'ID': 16}
(G_WRITE, G_WRITE_WORD, G_READ, G_READ_WORD, G_SGIR, G_ACK, G_EOI,
 G_RESET) = range(8)


def gw(cpu, reg, within, value):
    return u8(G_WRITE_WORD) + u8(cpu) + u8(G[reg]) + u16(within) + u32(value)


def gb(cpu, reg, within, value):
    return u8(G_WRITE) + u8(cpu) + u8(G[reg]) + u16(within) + u8(3) + \
        u32(value)


def gr(cpu, reg, within):
    return u8(G_READ_WORD) + u8(cpu) + u8(G[reg]) + u16(within)


def seeds_gicd():
    boot = u8(4) + gr(0, 'TYPER', 0) + gw(0, 'CTLR', 0, 0)
    boot += gw(0, 'ICFGR', 8, 0xaaaaaaaa) + gw(0, 'ITARGETSR', 32, 0x01020408)
    boot += gw(0, 'IPRIORITYR', 32, 0xa0a0a0a0) + gw(0, 'CTLR', 0, 3)
    for cpu in range(4):
        boot += gw(cpu, 'ICENABLER', 0, 0xffff0000) + \
            gw(cpu, 'ISENABLER', 0, 0x08000000) + \
            gb(cpu, 'IPRIORITYR', 27, 0x80)
    boot += gw(1, 'ISENABLER', 4, 0xf) + gw(2, 'ISPENDR', 4, 0x3)
    boot += u8(G_SGIR) + u8(0) + u32(0x01000001)      # others, SGI 1
    boot += u8(G_SGIR) + u8(3) + u32(0x00050002)      # list 0 and 2
    boot += gr(1, 'ISPENDR', 0) + gr(1, 'CPENDSGIR', 0)
    boot += u8(G_ACK) + u8(1) + u8(1) + gr(1, 'SPENDSGIR', 0)
    boot += gw(2, 'CPENDSGIR', 0, 0x00000100) + gr(0, 'ISACTIVER', 4)
    boot += u8(G_EOI) + u8(1) + u8(1) + gr(0, 'ID', 0x18)
    write('fuzz_gicd', 'linux_boot', boot)
    # One vCPU: SPIs target it from reset; an untargeted SPI is held.
    one = u8(1) + gw(0, 'ISENABLER', 8, 0xffffffff) + \
        gw(0, 'ITARGETSR', 64, 0) + gw(0, 'ISPENDR', 8, 0x1) + \
        gr(0, 'ICPENDR', 8) + gw(0, 'ITARGETSR', 64, 0x01) + \
        gw(0, 'ICPENDR', 8, 0x1) + u8(G_RESET) + u8(0) + u8(8) + gr(7, 'TYPER', 0)
    write('fuzz_gicd', 'one_cpu_held_spi', one)


# --- fuzz_vgic_lr: interrupts through four list registers -------------------

(V_QUEUE, V_BURST, V_FLUSH, V_SYNC, V_ACK, V_EOI, V_CLEAR, V_STATE,
 V_PLACE) = range(9)


def vq(intid, prio, flags):
    return u8(V_QUEUE) + u8(intid) + u8(prio) + u8(flags)


def seeds_vgic_lr():
    hw = 1 << (27 % 64) | 1 << (33 % 64)   # the timer PPI and SPI 33 are HW
    run = u8(4) + u64(hw)
    run += vq(27, 0xa0, 8) + vq(33, 0x80, 8) + vq(1, 0xa0, 2) + \
        vq(1, 0xa0, 3) + vq(40, 0x20, 8)
    run += u8(V_FLUSH) + u8(V_ACK) + u8(V_ACK) + vq(33, 0x80, 8)
    run += u8(V_STATE) + u8(33) + u8(V_EOI) + u8(0) + u8(V_SYNC)
    run += u8(V_FLUSH) + vq(41, 0x00, 8) + u8(V_FLUSH) + u8(V_CLEAR) + u8(1)
    run += u8(V_EOI) + u8(1) + u8(V_SYNC) + u8(V_FLUSH)
    write('fuzz_vgic_lr', 'timer_and_sgis', run)
    full = u8(1) + u64(0) + u8(V_BURST) + u8(0) + u8(200) + u8(0x10) + \
        u8(V_FLUSH) + u8(V_BURST) + u8(20) + u8(40) + u8(0) + u8(V_FLUSH)
    write('fuzz_vgic_lr', 'queue_full', full)
    # The kernel's shortcut: place while nothing is queued, then refusals.
    place = u8(4) + u64(hw) + u8(V_PLACE) + u8(40) + u8(0xa0) + u8(8) + \
        u8(V_PLACE) + u8(3) + u8(0x40) + u8(1) + u8(V_PLACE) + u8(40) + \
        u8(0xa0) + u8(8) + u8(V_ACK) + u8(V_PLACE) + u8(33) + u8(0x80) + \
        u8(8) + vq(41, 0x20, 8) + u8(V_PLACE) + u8(42) + u8(0x20) + u8(8) + \
        u8(V_FLUSH) + u8(V_EOI) + u8(0) + u8(V_SYNC) + u8(V_PLACE) + \
        u8(40) + u8(0x10) + u8(0xff)
    write('fuzz_vgic_lr', 'place_shortcut', place)


# --- fuzz_journal: untrusted kept memory; UART transactions with crashes ---

J_HDR = 5 * 8 + 1024                  # struct ipc_journal_hdr
J_MEM_BELOW_HDR = 16
(JF_MAGIC, JF_LAYOUT, JF_SIZE, JF_RECORDS, JF_HUGE,
 JF_NULL) = (1, 2, 4, 8, 0x10, 0x20)
J_TRUSTED = JF_MAGIC | JF_LAYOUT | JF_SIZE | JF_RECORDS
J_LAYOUT = 0x10000000 | 0x1b0


def j_mem(mem_size):
    """The u16 that selects a memory of mem_size bytes."""
    return u16(mem_size - J_HDR + J_MEM_BELOW_HDR)


def j_untrusted(flags, mem_size, size, undo, state=b'', magic=0,
                layout=0, hsize=0, rollbacks=0):
    out = u8(0) + u8(flags) + j_mem(mem_size) + u16(size) + u64(J_LAYOUT)
    if not flags & JF_MAGIC:
        out += u64(magic)
    if not flags & JF_LAYOUT:
        out += u64(layout)
    if not flags & JF_SIZE:
        out += u64(hsize)
    return out + u64(rollbacks) + undo + state


def j_records(recs, adjust=0):
    """Records (off, len, data) inside the state, then the undo_used
    adjustment; a tuple with 'raw' first has raw 32-bit off and len."""
    out = u8(len(recs))
    for r in recs:
        if r[0] == 'raw':
            out += u8(1) + u32(r[1]) + u32(r[2]) + r[3]
        else:
            out += u8(0) + u16(r[0]) + u16(r[1]) + r[2]
    return out + u8(adjust)


def j_state(size):
    return bytes((0x30 + i) & 0xff for i in range(size))


# Part 2: opcodes, crash points, the register byte's index.
(JO_WRITE, JO_READ, JO_INPUT, JO_BURST, JO_DRAIN, JO_FOCUS) = range(6)
(JC_BEFORE_BEGIN, JC_BEFORE_CHANGE, JC_TORN, JC_AFTER_CHANGE,
 JC_AFTER_CONSOLE, JC_AFTER_EMIT) = range(6)
JREG = {'DR': 0, 'RSR': 1, 'FR': 2, 'IBRD': 3, 'FBRD': 4, 'LCR_H': 5,
        'CR': 6, 'IFLS': 7, 'IMSC': 8, 'RIS': 9, 'MIS': 10, 'ICR': 11}
J_TORN_HALF = 0x5555555555555555       # every other byte of the change


def j_crash(op, crash):
    if crash is None:
        return u8(op)
    out = u8(op | 0x80) + u8(crash)
    return out + (u64(J_TORN_HALF) if crash == JC_TORN else b'')


def jw(win, reg, value, crash=None):
    return j_crash(JO_WRITE, crash) + u8(win) + u8(JREG[reg]) + u32(value)


def jr(win, reg, crash=None):
    return j_crash(JO_READ, crash) + u8(win) + u8(JREG[reg])


def j_linux_init(win):
    return jw(win, 'CR', 0) + jw(win, 'IBRD', 13) + jw(win, 'FBRD', 1) + \
        jw(win, 'LCR_H', 0x70) + jw(win, 'IFLS', 0x12) + \
        jw(win, 'ICR', 0x7ff) + jw(win, 'IMSC', 0x50) + jw(win, 'CR', 0x301)


def seeds_journal():
    size = 64
    mem = J_HDR + size
    # Part 1: a foreign header, then one trusted with nothing to undo.
    write('fuzz_journal', 'untrusted_garbage',
          j_untrusted(0, mem, size, u16(24) + u16(4) + b'\xff' * 4,
                      j_state(size), magic=0xa5a5a5a5a5a5a5a5,
                      layout=J_LAYOUT, hsize=size))
    write('fuzz_journal', 'kept_committed',
          j_untrusted(J_TRUSTED, mem, size, j_records([]), j_state(size),
                      rollbacks=3))
    # Overlapping records (the oldest bytes win), one padded.
    recs = [(0, 16, b'\x11' * 16), (8, 16, b'\x22' * 16),
            (40, 3, b'\x33' * 3)]
    write('fuzz_journal', 'rolled_back_overlap',
          j_untrusted(J_TRUSTED, mem, size, j_records(recs),
                      j_state(size), rollbacks=1))
    # undo_used 8 bytes short of the records, and a record past the state.
    write('fuzz_journal', 'torn_undo_used',
          j_untrusted(J_TRUSTED, mem, size, j_records(recs, 0xf8),
                      j_state(size)))
    write('fuzz_journal', 'record_past_state',
          j_untrusted(J_TRUSTED, mem, size,
                      j_records([(4, 8, b'\x44' * 8),
                                 ('raw', 60, 8, b'\x55' * 8)]),
                      j_state(size)))
    # Memory 8 bytes short of the state; a size that wraps around.
    write('fuzz_journal', 'too_small',
          j_untrusted(J_TRUSTED, mem - 8, size, j_records([])))
    write('fuzz_journal', 'huge_size',
          j_untrusted(J_TRUSTED | JF_HUGE, mem, 0x10, j_records([])))
    # Part 2: Linux's set-up, then a byte sent per crash point.
    tx = j_linux_init(0)
    for i, crash in enumerate(range(JC_AFTER_EMIT + 1)):
        tx += jw(0, 'DR', 0x41 + i, crash)
    tx += jr(0, 'RIS') + jw(0, 'ICR', 0x20, JC_TORN) + jw(0, 'DR', 0x0a)
    write('fuzz_journal', 'tx_every_crash_point', u8(1) + tx)
    # Typed bytes fill the FIFO to overrun; crashes in pushes and pops.
    rx = j_linux_init(0) + j_crash(JO_BURST, JC_TORN) + u8(20) + u8(0x61)
    rx += j_crash(JO_INPUT, JC_AFTER_CHANGE) + u8(0x7a) + jr(0, 'MIS')
    rx += jw(0, 'ICR', 0x50) + j_crash(JO_DRAIN, JC_TORN) + u8(0) + u8(5)
    rx += j_crash(JO_BURST, JC_BEFORE_CHANGE) + u8(39) + u8(0x41)
    rx += jr(0, 'RSR') + jr(0, 'DR', JC_AFTER_EMIT) + jw(0, 'RSR', 0, JC_TORN)
    rx += j_crash(JO_DRAIN, JC_AFTER_CHANGE) + u8(0) + u8(33) + jr(0, 'FR')
    write('fuzz_journal', 'rx_overrun_crashes', u8(1) + rx)
    # Tagged output of two windows, the focus moved by Ctrl-] 2.
    two = j_linux_init(0) + j_linux_init(1)
    two += jw(0, 'DR', 0x30, JC_AFTER_CONSOLE) + jw(1, 'DR', 0x31, JC_TORN)
    two += jw(1, 'DR', 0x0a, JC_AFTER_EMIT) + jw(0, 'DR', 0x32)
    two += u8(JO_INPUT) + u8(0x1d) + j_crash(JO_INPUT, JC_TORN) + u8(0x32)
    two += j_crash(JO_INPUT, JC_AFTER_CHANGE) + u8(0x68)
    two += j_crash(JO_FOCUS, JC_TORN) + u8(0) + jr(1, 'DR', JC_TORN)
    write('fuzz_journal', 'tagged_two_windows', u8(3) + two)
    # Loopback: a DR write pushes into the RX FIFO.
    loop = jw(2, 'LCR_H', 0x70) + jw(2, 'CR', 0x381)
    for crash in (JC_TORN, JC_AFTER_CHANGE, JC_AFTER_EMIT):
        loop += jw(2, 'DR', 0x50 + crash, crash)
    loop += jr(2, 'DR', JC_TORN) + jr(2, 'DR', JC_AFTER_CHANGE)
    write('fuzz_journal', 'loopback_crashes', u8(1) + loop)


# --- fuzz_ipc_kernel: a world, then steps (decoded as the harness does) ----

IK_REPLY, IK_RECV, IK_OTHER = 0x00, 0xa0, 0xb0   # service step kinds
IK_MMIO, IK_HVC, IK_SMC = 0x00, 0xa0, 0xf0       # guest step kinds
IK_EVENT = 0xe0
IK_DEADLINE, IK_NOTIFY, IK_RESET_OR_TOGGLE, IK_FAULT = 0, 1, 2, 3
# Indexes in the harness's table of function IDs (fids[]).
IK_FID = {'RECV': 0, 'REPLY_RECV': 1, 'CALL': 2, 'NOTIFY': 3,
          'WINDOW_INFO': 4, 'WINDOW_COUNT': 5, 'FAULT': 6, 'SELF_INFO': 7,
          'CLIENT_NAME': 8, 'CONSOLE_WRITE': 11, 'VGIC_CONFIG': 15,
          'IRQ_LEVEL': 16, 'VGIC_PENDING': 18, 'VGIC_ACTIVE': 19,
          'VGIC_QUERY': 20, 'VGIC_CTLR': 21, 'TIMER_SET': 25}
IK_VGIC_STEP = 0xe8                                # guest: timer, LRs
IK_VGIC_TIMER, IK_VGIC_EOI = 0, 1
# Window byte flags: the VM's distributor window; a device with SPI 33.
IK_WIN_DIST, IK_WIN_SPI = 0x40, 0x80
# The harness's pick_vgic_number() table: value -> index.
IK_EDGE = {v: i for i, v in enumerate(
    [0, 1, 2, 3, 7, 8, 15, 16, 26, 27, 31, 32, 33, 63, 64, 95, 96, 127, 128,
     255, 256, 1019, 1020, 1023, 1024, 0xffffffff, 1 << 32,
     0xffffffffffffffff])}


def ik_world(services, guests, kept=(), near_limit=(), vcpus=(), windows=()):
    """services/guests counts; windows[g] = [(service, pages index)]."""
    out = u8(services - 1) + u8(guests - 1)
    for sv in range(services):
        out += u8(sv in kept) + u8(sv in near_limit)
    for g in range(guests):
        out += u8((vcpus[g] if g < len(vcpus) else 1) - 1)
        wins = windows[g] if g < len(windows) else []
        out += u8(len(wins)) + b''.join(
            u8(w[0] | (w[1] << 4) | (w[2] if len(w) > 2 else 0)) for w in wins)
    return out


def ik_regs_small():
    """30 argument registers x1..x30, each small (0)."""
    return b''.join(u8(0) + u8(0) for _ in range(30))


def ik_args(x1_ep=None, x1_addr=None, x2_small=None, x2=0):
    sel = (1 if x1_addr is not None else 0) | (2 if x2_small is not None else 0)
    out = u8(sel) + ik_regs_small()
    out += u16(x1_addr) if x1_addr is not None else u8(x1_ep or 0)
    out += u16(x2_small) if x2_small is not None else u64(x2)
    return out


def ik_service(vcpu, kind, status_ok=True, value=0, fid=None, x1=0):
    out = u8(vcpu)
    if kind == IK_REPLY:
        out += u8(IK_REPLY) + (u8(0) if status_ok else u8(0xff) + u64(1))
        return out + u64(value) + u64(0) + u64(0)
    if kind == IK_RECV:
        return out + u8(IK_RECV) + ik_args() + u8(x1)
    return out + u8(IK_OTHER) + u8(IK_FID[fid]) + ik_args() + u8(x1)


def ik_access(vcpu, window=0, offset=0, pc=0x40, sas=2, srt=1, write=False,
              sse=False, sf=False, insn=None, stage1=0):
    """A guest MMIO trap: ISV = 1 unless insn (an instruction word)."""
    sel = window | (0x80 if insn is not None else 0) | stage1
    out = u8(vcpu) + u8(IK_MMIO) + u8(sel) + u32(offset) + u8(pc) + u8(1)
    if insn is None:
        c = (1 if write else 0) | (2 if sse else 0) | (4 if sf else 0)
        out += u8(sas | (srt << 2)) + u8(c)
    else:
        out += u32(insn) + u8(1 if write else 0)
    # Registers x0..x30: near the address (fuzz_bool false), except x1.
    for r in range(31):
        out += u8(1) + u64(0x0123456789abcdef) if r == srt else u8(0)
    return out + u64(0) + u64(0) + u8(0)


def ik_hvc(vcpu, fid, smc=False, imm=0, **args):
    out = u8(vcpu) + u8(IK_SMC if smc else IK_HVC) + u8(IK_FID[fid])
    out += ik_args(**args)
    return out + (u8(0) if imm == 0 else u8(0xff) + u16(imm))


def ik_vgic(vcpu, fid, vm, x2=0, x3=0, x4=0, x5=0, enable=False):
    """A service's HYP_VGIC_* / HYP_IRQ_LEVEL call (x2..x5 from IK_EDGE)."""
    out = u8(vcpu) + u8(IK_OTHER) + u8(IK_FID[fid]) + ik_args() + u8(0)
    out += u8(vm) + b''.join(u8(IK_EDGE[x]) for x in (x2, x3, x4, x5))
    return out + (u8(1 if enable else 0) if fid == 'VGIC_CONFIG' else b'')


def ik_guest_vgic(vcpu, what):
    return u8(vcpu) + u8(IK_VGIC_STEP) + u8(what)


def ik_event(kind, target=0, bit=0):
    out = u8(IK_EVENT) + u8(kind | (target << 2))
    return out + (u8(bit) if kind == IK_NOTIFY else b'')


def seeds_ipc_kernel():
    # One service, one guest with a window: vCPU 0 the service, 1 the guest.
    one = ik_world(1, 1, windows=[[(0, 0)]])
    fast = ik_service(0, IK_RECV)
    for sas in range(4):
        fast += ik_access(1, offset=8 * sas, sas=sas, write=True, srt=sas)
        fast += ik_service(0, IK_REPLY)
        fast += ik_access(1, offset=8 * sas, sas=sas, srt=2, sse=sas < 3,
                          sf=sas == 1)
        fast += ik_service(0, IK_REPLY, value=0x80ff80ff80ff80ff)
    write('fuzz_ipc_kernel', 'isv_fast_path_every_width', one + fast)
    # Decoded forms: LDP (a pair, two messages), STR with writeback.
    dec = ik_service(0, IK_RECV)
    # (word, elements): LDP, STR post-index, LDR, STP pre-index.
    for insn, elements in ((0x29410861, 2), (0xf8008c41, 1), (0xb9400cc5, 1),
                           (0xa9bf0861, 2)):
        dec += ik_access(1, offset=0x100, insn=insn)
        for value in (7, 9)[:elements]:
            dec += ik_service(0, IK_REPLY, value=value)
    write('fuzz_ipc_kernel', 'decoded_forms', one + dec)
    # Calls and notifications, granted and not; service questions.
    two = ik_world(2, 2, kept=(1,), windows=[[(0, 0), (1, 2)], [(1, 1)]])
    calls = ik_service(0, IK_RECV) + ik_service(1, IK_RECV)
    calls += ik_hvc(2, 'CALL', x1_ep=1) + ik_service(1, IK_REPLY, value=5)
    calls += ik_hvc(3, 'CALL', x1_ep=0)      # guest 2 has no window on svc 0
    calls += ik_hvc(3, 'NOTIFY', x1_ep=1, x2_small=0x10)
    calls += ik_hvc(3, 'NOTIFY', x1_ep=1, x2_small=0)
    calls += ik_hvc(2, 'RECV') + ik_hvc(2, 'FAULT') + ik_hvc(2, 'CALL', smc=True)
    calls += ik_hvc(2, 'CONSOLE_WRITE', x1_addr=0x40000010, x2_small=16)
    for fid in ('WINDOW_COUNT', 'WINDOW_INFO', 'SELF_INFO', 'CLIENT_NAME'):
        calls += ik_service(1, IK_OTHER, fid=fid, x1=1)
    calls += ik_event(IK_NOTIFY, target=0, bit=3)
    write('fuzz_ipc_kernel', 'calls_and_notifications', two + calls)
    # Restarts: the restarted service gets the access it died on again
    # (first) and the queued ones; one it dies on twice aborts; at the
    # limit the service stops and everything aborts.
    rs = ik_world(1, 2, near_limit=(0,), windows=[[(0, 0)], [(0, 1)]])
    rs += ik_access(1, offset=4) + ik_access(2, offset=8, write=True)
    rs += ik_service(0, IK_RECV)             # serves guest x, y queued
    rs += ik_event(IK_FAULT, target=0)       # x first in line again, then y
    rs += ik_service(0, IK_RECV)             # x's access a second time
    rs += ik_event(IK_DEADLINE, target=0)    # dies again: x aborts
    rs += ik_access(1, offset=16) + ik_service(0, IK_RECV)   # serves y
    rs += ik_event(IK_FAULT, target=0)       # at the limit: stopped
    rs += ik_access(1, offset=12)            # a dead service: abort
    write('fuzz_ipc_kernel', 'restart_resend_and_stop', rs)
    # A guest reset while its access is queued and another in flight.
    rr = ik_world(1, 1, vcpus=[2], windows=[[(0, 3)]])
    rr += ik_access(1, offset=0x20) + ik_access(2, offset=0x24)
    rr += ik_service(0, IK_RECV) + ik_event(IK_RESET_OR_TOGGLE, target=0)
    rr += ik_service(0, IK_REPLY, value=1) + ik_access(1, offset=0x28)
    write('fuzz_ipc_kernel', 'guest_reset_cancels', rr)
    # Regressions. A notification of no bits woke the waiting service
    # without a message; the fast reply left the guest's endpoint set.
    write('fuzz_ipc_kernel', 'regress_notify_zero_bits',
          one + ik_service(0, IK_RECV) +
          ik_hvc(1, 'NOTIFY', x1_ep=0, x2_small=0))
    write('fuzz_ipc_kernel', 'regress_fast_reply_left_ep',
          one + ik_service(0, IK_RECV) + ik_access(1) +
          ik_service(0, IK_REPLY))
    # The fast path kept the previous access's base, pair and writeback
    # fields (here an STP pre-index) in a syndrome access's record, which
    # the slow path's decoder resets: one decoder for both now.
    write('fuzz_ipc_kernel', 'regress_fast_record_stale',
          one + ik_service(0, IK_RECV) +
          ik_access(1, offset=0x100, insn=0xa9bf0861) +
          ik_service(0, IK_REPLY) + ik_service(0, IK_REPLY) +
          ik_access(1, offset=0x10, write=True) + ik_service(0, IK_REPLY))
    # The service timer and client resets (service_event.c): a deadline
    # 2 ms ahead fires while the service waits; a guest reset with its
    # next access queued behind the service's work is told first. The
    # byte after TIMER_SET picks the deadline: ms - 2 ms from now.
    ev = one + ik_service(0, IK_OTHER, fid='TIMER_SET') + u8(4)
    ev += ik_service(0, IK_RECV) + ik_access(1) + ik_service(0, IK_REPLY)
    ev += ik_access(1) + ik_service(0, IK_REPLY) + ik_service(0, IK_REPLY)
    ev += ik_access(1) + ik_event(IK_RESET_OR_TOGGLE, target=0)
    ev += ik_access(1) + ik_service(0, IK_REPLY) + ik_service(0, IK_REPLY)
    write('fuzz_ipc_kernel', 'service_timer_and_reset', ev)
    # A deadline set while serving an access fires at once: the fast reply
    # must not leave the service waiting with that event pending.
    write('fuzz_ipc_kernel', 'regress_fast_reply_event_pending',
          one + ik_service(0, IK_RECV) + ik_access(1) +
          ik_service(0, IK_OTHER, fid='TIMER_SET') + u8(2) +
          ik_service(0, IK_REPLY) + ik_service(0, IK_REPLY))
    # The virtual GIC: service 0 serves the guest's distributor, service 1
    # a device with SPI 33. vCPU 0 and 1 are the services, 2 the guest (VM
    # 2). The guest's timer fires (HW-linked LR), it is dropped by ICPENDR
    # (HYP_VGIC_PENDING clear): PPI 27 stayed active (regression, item 1).
    gic = ik_world(2, 1, windows=[[(0, 0, IK_WIN_DIST), (1, 1, IK_WIN_SPI)]])
    timer = (ik_vgic(0, 'VGIC_CONFIG', 2, x2=0, x3=27, enable=True) +
             ik_vgic(0, 'VGIC_CTLR', 2, x2=3) + ik_guest_vgic(2, IK_VGIC_TIMER))
    write('fuzz_ipc_kernel', 'regress_icpendr_drops_hw_timer',
          gic + timer + ik_vgic(0, 'VGIC_PENDING', 2, x2=1, x3=27))
    # A vCPU number of 32 shifted 1U by it (undefined; UBSan).
    write('fuzz_ipc_kernel', 'regress_vgic_active_shift',
          gic + ik_vgic(0, 'VGIC_ACTIVE', 2, x2=32, x3=33))
    # Ownership: the device service raises its SPI, not the timer, and
    # makes no distributor call; the guest completes its interrupts.
    own = (ik_vgic(0, 'VGIC_CONFIG', 2, x2=0, x3=33, enable=True) + timer +
           ik_vgic(1, 'IRQ_LEVEL', 2, x2=33, x3=1) +
           ik_vgic(1, 'IRQ_LEVEL', 2, x2=27, x3=0) +
           ik_vgic(1, 'VGIC_PENDING', 2, x2=1, x3=27) +
           ik_guest_vgic(2, IK_VGIC_EOI) + ik_guest_vgic(2, IK_VGIC_EOI) +
           ik_vgic(0, 'VGIC_QUERY', 2, x2=0, x3=27))
    write('fuzz_ipc_kernel', 'vgic_ownership', gic + own)


# --- fuzz_virtq: a virtio driver's start-up, rings in the client memory -----

(VQ_WRITE, VQ_READ, VQ_REG, VQ_SERVE, VQ_POKE, VQ_RESET, VQ_RESTART) = range(7)
VQ_REGS = ['DEVICE_FEATURES_SEL', 'DRIVER_FEATURES', 'DRIVER_FEATURES_SEL',
           'QUEUE_SEL', 'QUEUE_NUM', 'QUEUE_READY', 'QUEUE_NOTIFY',
           'INTERRUPT_ACK', 'STATUS', 'DESC_LOW', 'DESC_HIGH', 'DRIVER_LOW',
           'DRIVER_HIGH', 'DEVICE_LOW', 'DEVICE_HIGH', 'CONFIG']
VQ_GPA = 0x1000
VQ_MEM = 1024
VQ_DESC, VQ_AVAIL, VQ_USED, VQ_TABLE, VQ_BUF = 0x000, 0x100, 0x200, 0x280, 0x300
VQ_NUM = 8
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4


def vq_reg(name, value):
    return u8(VQ_REG) + u8(VQ_REGS.index(name)) + u32(value)


def vq_desc(mem, table, i, addr, length, flags, nxt):
    off = table + 16 * i
    mem[off:off + 16] = u64(addr) + u32(length) + u16(flags) + u16(nxt)


def vq_offer(mem, heads):
    for n, head in enumerate(heads):
        mem[VQ_AVAIL + 4 + 2 * n:VQ_AVAIL + 6 + 2 * n] = u16(head)
    mem[VQ_AVAIL + 2:VQ_AVAIL + 4] = u16(len(heads))


def vq_input(mem, ops, qmax=16):
    return u16(len(mem)) + bytes(mem) + u8(qmax - 1) + ops


def vq_start(features_hi=1, features_lo=0):
    ops = vq_reg('STATUS', 0) + vq_reg('STATUS', 1) + vq_reg('STATUS', 3)
    ops += vq_reg('DRIVER_FEATURES_SEL', 1) + \
        vq_reg('DRIVER_FEATURES', features_hi)
    ops += vq_reg('DRIVER_FEATURES_SEL', 0) + \
        vq_reg('DRIVER_FEATURES', features_lo)
    ops += vq_reg('STATUS', 0xb) + vq_reg('QUEUE_SEL', 0)
    ops += vq_reg('QUEUE_NUM', VQ_NUM)
    ops += vq_reg('DESC_LOW', VQ_GPA + VQ_DESC) + vq_reg('DESC_HIGH', 0)
    ops += vq_reg('DRIVER_LOW', VQ_GPA + VQ_AVAIL) + vq_reg('DRIVER_HIGH', 0)
    ops += vq_reg('DEVICE_LOW', VQ_GPA + VQ_USED) + vq_reg('DEVICE_HIGH', 0)
    ops += vq_reg('QUEUE_READY', 1) + vq_reg('STATUS', 0xf)
    return ops


def vq_serve(queue=0, seg_max=16, written=1):
    return u8(VQ_SERVE) + u8(queue) + u8(seg_max) + u32(written)


def seeds_virtq():
    mem = bytearray(VQ_MEM)
    vq_desc(mem, VQ_DESC, 0, VQ_GPA + VQ_BUF, 16, F_NEXT, 1)
    vq_desc(mem, VQ_DESC, 1, VQ_GPA + VQ_BUF + 0x40, 1, F_WRITE, 0)
    vq_offer(mem, [0])
    ack = u8(VQ_READ) + u16(0x60) + u8(2) + vq_reg('INTERRUPT_ACK', 1)
    ops = vq_start() + vq_reg('QUEUE_NOTIFY', 0) + vq_serve() + ack
    write('fuzz_virtq', 'blk_request', vq_input(mem, ops))
    # The same request, the driver then rewrites the descriptor and offers
    # it again; the service restarts in between; a client reset at the end.
    again = u8(VQ_POKE) + u16(VQ_DESC + 8) + u8(0xff) + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 6) + u8(0) + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 2) + u8(2) + u8(VQ_RESTART) + \
        vq_serve() + u8(VQ_RESET) + vq_serve()
    write('fuzz_virtq', 'rewrite_restart', vq_input(mem, ops + again))
    ind = bytearray(VQ_MEM)
    vq_desc(ind, VQ_TABLE, 0, VQ_GPA + VQ_BUF, 16, F_NEXT, 1)
    vq_desc(ind, VQ_TABLE, 1, VQ_GPA + VQ_BUF + 0x40, 8, F_WRITE, 0)
    vq_desc(ind, VQ_DESC, 0, VQ_GPA + VQ_TABLE, 32, F_INDIRECT, 0)
    vq_offer(ind, [0])
    ops = vq_start(features_lo=1 << 28) + vq_serve()
    write('fuzz_virtq', 'indirect', vq_input(ind, ops))
    loop = bytearray(VQ_MEM)
    vq_desc(loop, VQ_DESC, 0, VQ_GPA + VQ_BUF, 16, F_NEXT, 1)
    vq_desc(loop, VQ_DESC, 1, VQ_GPA + VQ_BUF, 16, F_NEXT, 0)
    vq_offer(loop, [0])
    write('fuzz_virtq', 'loop', vq_input(loop, vq_start() + vq_serve() +
                                         vq_reg('STATUS', 0) +
                                         vq_start() + vq_serve()))
    # Found by the harness: a readable buffer after a writable one of 0
    # bytes passed the order rule (it counted bytes, not descriptors).
    order = bytearray(VQ_MEM)
    vq_desc(order, VQ_DESC, 0, VQ_GPA + VQ_BUF, 0, F_NEXT | F_WRITE, 1)
    vq_desc(order, VQ_DESC, 1, VQ_GPA + VQ_BUF, 4, 0, 0)
    vq_offer(order, [0])
    write('fuzz_virtq', 'regress_empty_writable_then_readable',
          vq_input(order, vq_start() + vq_serve()))
    # VIRTIO_F_EVENT_IDX (bit 29): used_event asks for an interrupt at
    # entry 1 (after ring[8] of the available ring); the driver offers
    # more between serves, then moves used_event behind.
    ev = bytearray(mem)
    ev[VQ_AVAIL + 4 + 2 * VQ_NUM:VQ_AVAIL + 6 + 2 * VQ_NUM] = u16(1)
    more = u8(VQ_POKE) + u16(VQ_AVAIL + 6) + u8(0) + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 2) + u8(2) + vq_serve() + ack + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 4 + 2 * VQ_NUM) + u8(0xff) + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 8) + u8(0) + \
        u8(VQ_POKE) + u16(VQ_AVAIL + 2) + u8(3) + vq_serve() + \
        u8(VQ_RESTART) + vq_serve()
    write('fuzz_virtq', 'event_idx',
          vq_input(ev, vq_start(features_lo=1 << 29) + vq_serve() + ack + more))
    cfg = u8(VQ_WRITE) + u16(0x104) + u8(2) + u32(0x1234) + \
        u8(VQ_READ) + u16(0x104) + u8(1) + u8(VQ_READ) + u16(0x0fc) + u8(2)
    write('fuzz_virtq', 'config', vq_input(bytearray(64), cfg))


# fuzz_vblk_req: range, capacity, flags, then the chain.
VB_RO = 1
VB_FLUSH = 2


def vb_seg(gpa, length, write, hdr=b''):
    return u64(gpa) + u32(length) + u8(1 if write else 0) + hdr


def vb_hdr(rtype, sector):
    return u32(rtype) + u32(0) + u64(sector)


def vb_input(first, sectors, capacity, flags, segs):
    return u64(first) + u64(sectors) + u64(capacity) + u8(flags) + \
        u8(len(segs)) + b''.join(segs)


def seeds_vblk_req():
    """A Linux-like read, write, flush and GET_ID on the halves layout's
    second half, a request past its end, and a write to a read-only disk."""
    base = 0x40000000
    hdr = lambda t, s: vb_seg(base, 16, False, vb_hdr(t, s))  # noqa: E731
    status = vb_seg(base + 0x100, 1, True)
    half = 2048
    write('fuzz_vblk_req', 'read', vb_input(
        half, 2 ** 64 - 1, 8192, VB_FLUSH,
        [hdr(0, 8), vb_seg(base + 0x1000, 4096, True),
         vb_seg(base + 0x3000, 512, True), status]))
    write('fuzz_vblk_req', 'write', vb_input(
        half, 2 ** 64 - 1, 8192, VB_FLUSH,
        [hdr(1, 0), vb_seg(base + 0x2000, 4096, False), status]))
    write('fuzz_vblk_req', 'flush', vb_input(
        0, half, 8192, VB_FLUSH, [hdr(4, 0), status]))
    write('fuzz_vblk_req', 'get_id', vb_input(
        0, half, 8192, 0, [hdr(8, 0), vb_seg(base + 0x1000, 20, True), status]))
    write('fuzz_vblk_req', 'past_end', vb_input(
        0, half, 8192, 0,
        [hdr(0, half - 1), vb_seg(base + 0x1000, 1024, True), status]))
    write('fuzz_vblk_req', 'read_only', vb_input(
        0, 2 ** 64 - 1, 8192, VB_RO,
        [hdr(1, 5), vb_seg(base + 0x1000, 512, False), status]))
    # 16 segments of 256 MiB: 4 GiB, which a 32-bit sum wrapped to 0
    # sectors, passing the range check at the range's end (fails before
    # the fix in vblk_req.c add_seg).
    write('fuzz_vblk_req', 'regress_data_sum_4g', vb_input(
        0, half, 8192, VB_FLUSH,
        [hdr(1, half)] + [vb_seg(base, 256 << 20, False)] * 16 + [status]))


def main():
    seeds_mmio_decode()
    seeds_ipc_args()
    seeds_config()
    seeds_pl011()
    seeds_gicd()
    seeds_vgic_lr()
    seeds_journal()
    seeds_ipc_kernel()
    seeds_virtq()
    seeds_vblk_req()


if __name__ == '__main__':
    main()
