#pragma once
/**
 * Synchronous IPC between partitions and the kernel's MMIO forwarding: the
 * register-level ABI shared by the kernel and libipc. All calls are
 * `hvc #0` with the function ID in x0 (SMCCC fast calls, vendor hypervisor
 * owner); messages are at most IPC_MSG_WORDS words and travel in registers.
 *
 * Every service partition owns one endpoint, numbered by its index in the
 * scenario. A service waits with RECV or REPLY_RECV and receives:
 *
 *   x0 = IPC_MSG_MMIO    x1 = window id       x2 = offset in the window
 *                        x3 = access info     x4 = value (writes)
 *   x0 = IPC_MSG_CALL    x1 = caller badge    x2..x5 = payload
 *   x0 = IPC_MSG_NOTIFY  x1 = notification bits (accumulated, then cleared)
 *   x0 = IPC_MSG_TIMER   x1 = the deadline that fired  x2 = CNTVCT now
 *   x0 = IPC_MSG_RESET   x1 = client VM id that reset
 *   x0 = IPC_MSG_POSTED  x1 = window id whose posted writes to take
 *   x0 = IPC_MSG_DOORBELL x1 = windows whose doorbell rang (bit = id)
 *
 * and answers with REPLY_RECV(x1 = status, x2..x4 = result words), which
 * completes the access or call and waits for the next message in one trap.
 */
#include <stdint.h>

#include "abi/hypercall.h"

#define IPC_MSG_WORDS 6

/* Function IDs. */
#define HYP_IPC_RECV (HYP_CALL_BASE | SMCCC_64BIT | 0x10U)
#define HYP_IPC_REPLY_RECV (HYP_CALL_BASE | SMCCC_64BIT | 0x11U)
/** x1 = endpoint, x2..x5 = payload; returns x0 = status, x1..x3 = result. */
#define HYP_IPC_CALL (HYP_CALL_BASE | SMCCC_64BIT | 0x12U)
/** x1 = endpoint, x2 = bits to raise. */
#define HYP_IPC_NOTIFY (HYP_CALL_BASE | SMCCC_64BIT | 0x13U)
/** x1 = window id; returns x0 = status, x1 = size, x2 = client VM id,
 * x3 = the client's vCPU count, x4 = the IPA of the window's register
 * shadow page in this service (0: none; cfg_device.shadow_ipa). */
#define HYP_IPC_WINDOW_INFO (HYP_CALL_BASE | SMCCC_64BIT | 0x14U)
/** Returns x0 = number of MMIO windows this service emulates. */
#define HYP_IPC_WINDOW_COUNT (HYP_CALL_BASE | SMCCC_64BIT | 0x15U)
/** A service reports a fault in itself: x1 = ESR_EL1, x2 = ELR_EL1,
 * x3 = FAR_EL1. The kernel stops the service and does not return. */
#define HYP_IPC_FAULT (HYP_CALL_BASE | SMCCC_64BIT | 0x16U)
/** Returns x0 = status, x1 = how often this service was restarted,
 * x2 = IPA and x3 = size of its RAM region kept across restarts (0, 0 if
 * it has none). */
#define HYP_IPC_SELF_INFO (HYP_CALL_BASE | SMCCC_64BIT | 0x17U)
/** x1 = window id; returns x0 = status, x1..x4 = the name of the window's
 * client VM, NUL padded (IPC_NAME_WORDS words). */
#define HYP_IPC_CLIENT_NAME (HYP_CALL_BASE | SMCCC_64BIT | 0x18U)
/**
 * x1 = absolute deadline in ticks of CNTVCT_EL0 as the service reads it
 * (CNTVOFF_EL2 is 0: the physical counter), 0 = cancel. One timer per
 * service: setting it replaces the previous deadline and drops a fired one
 * not yet received. At or after the deadline the service receives one
 * IPC_MSG_TIMER. Returns x0 = IPC_OK, or IPC_ERR_INVALID if the caller is
 * not a service.
 */
#define HYP_IPC_TIMER_SET (HYP_CALL_BASE | SMCCC_64BIT | 0x19U)
/**
 * x1 = grant index (0..n-1, in the order of the service's cfg_vm.grants);
 * returns x0 = status, x1 = IPA where the service sees the granted memory,
 * x2 = its size in bytes, x3 = the client VM id (as in HYP_IPC_WINDOW_INFO),
 * x4 = the base of the granted range in the client's IPA space.
 * IPC_ERR_INVALID: no such grant, or the caller is not a service.
 */
#define HYP_IPC_GRANT_INFO (HYP_CALL_BASE | SMCCC_64BIT | 0x1AU)
/**
 * x1 = an IPA of the calling service, x2 = a length in bytes (not 0): the
 * range [x1, x1 + x2) lies inside one of its RAM regions or grants, which
 * are physically contiguous; returns x0 = status, x1 = the PA of x1, for
 * DMA by a device the service drives (no IOMMU: the driver domain is
 * trusted for DMA, docs/architecture.md). A guest's RAM is zeroed a
 * HYP_RAM_ZERO_BLOCK at a time when first touched: every block of a grant
 * the range spans is made ready now, so that the device's writes are never
 * zeroed after it. A PA is good for DMA only inside the range asked.
 * IPC_ERR_INVALID: a length of 0, or the range not inside one RAM region or
 * grant; IPC_ERR_DENIED: the caller is a guest (a guest never learns a PA).
 */
#define HYP_IPC_TRANSLATE (HYP_CALL_BASE | SMCCC_64BIT | 0x1BU)
/** Granule in which a guest's RAM is zeroed when first touched. */
#define HYP_RAM_ZERO_BLOCK 0x200000ULL
/**
 * x1 = window id, x2 = IPA of a 4 KiB page of the calling service's RAM,
 * x3 = a mask: with bit i set, a read of the 32-bit register at offset
 * 4 * i of the window (i < IPC_READS_REGS) is answered by the kernel from
 * word i of that page (the bytes addressed for a narrower read), with no
 * message and no switch to the service; x4 = the narrowest load so
 * answered, in bytes (0 or 1: any; 4: words only, for a device that
 * refuses narrower accesses: those still go to the service). The service
 * keeps those words current before it replies to anything that changes
 * them, and names only registers whose reads have no side effect. x3 = 0:
 * every read is a message again. x5 = a mask of registers (i <
 * IPC_POSTED_REGS) whose writes are *posted*: a store of at most 32 bits
 * within one of them completes in the kernel, which appends it to the
 * page's ring (struct ipc_window_page) and sends nothing; the service
 * takes the ring's writes in order, before anything of that window that
 * depends on them (IPC_MSG_POSTED asks it to). Name only registers whose
 * writes return nothing to the guest but what the service's later answers
 * show. The page's ring must be empty (prod == cons) when x5 changes. A
 * restart of the service clears both masks. Returns x0 = IPC_OK, or
 * IPC_ERR_INVALID (no such window, not a page of its RAM, x4 above
 * IPC_READS_REG_BYTES, x5 naming a register past IPC_POSTED_REGS, not a
 * service).
 */
#define HYP_IPC_WINDOW_READS (HYP_CALL_BASE | SMCCC_64BIT | 0x1CU)
/**
 * An interrupt status register the kernel keeps (write 1 to clear), as
 * virtio-mmio's InterruptStatus and InterruptACK (virtio 1.2 4.2.2): x1 =
 * window id, x2 = byte offset of the status register in the window's
 * register shadow page, x3 = byte offset of its acknowledge register in the
 * window (both 4-byte aligned, in the page, x3 in the window). From then
 * on the 32-bit word
 * at x2 of the shadow page is the kernel's: a client's aligned 32-bit store
 * to x3 clears the bits it sets, in the trap (no message, no switch), and
 * the window's interrupt line (cfg_device.irq, as HYP_IRQ_LEVEL drives it)
 * is asserted exactly while the word is not 0 (an acknowledge that leaves
 * bits set makes the interrupt pending again). The service changes the word
 * only through HYP_IPC_ISR_UPDATE and must not write it in the page. x2 =
 * x3 = IPC_ISR_NONE gives the register back to the service; a restart of
 * the service does too (the word stays in the page). Returns x0 = IPC_OK,
 * or IPC_ERR_INVALID (no such window, it has no shadow page or no
 * interrupt, an offset unaligned or outside the page, not a service).
 */
#define HYP_IPC_WINDOW_ISR (HYP_CALL_BASE | SMCCC_64BIT | 0x1DU)
/**
 * x1 = window id, x2 = bits to set, x3 = bits to clear (cleared first), in
 * the status word HYP_IPC_WINDOW_ISR gave the kernel, whose interrupt line
 * then follows the word; returns x0 = IPC_OK, x1 = the word now, or
 * IPC_ERR_INVALID (no such window or no such register, not a service).
 */
#define HYP_IPC_ISR_UPDATE (HYP_CALL_BASE | SMCCC_64BIT | 0x1EU)
/**
 * A doorbell register (virtio-mmio's QueueNotify, virtio 1.2 4.2.2): x1 =
 * window id, x2 = its byte offset in the window (4-byte aligned, in the
 * window's register shadow page, not the acknowledge of HYP_IPC_WINDOW_ISR).
 * From then on a client's aligned 32-bit store to x2, while the service
 * waits for work and another CPU idles, completes in the trap, its value
 * dropped, and rings the window's doorbell: the service receives
 * IPC_MSG_DOORBELL on the idle CPU, as it receives a notification (before
 * any message queued after the store), and the client goes on at once (as
 * KVM's ioeventfd). Otherwise the store is an ordinary access. A doorbell
 * told to a service that dies before it asks for its next message is told
 * to the new instance again. Name only a register whose store asks the
 * service to look at memory it can read again (a virtqueue), not one whose
 * value counts; a service that also posts writes takes the window's ring
 * first. x2 = IPC_DOORBELL_NONE: stores are messages again; a restart of
 * the service does that too. Returns x0 = IPC_OK, or IPC_ERR_INVALID (no
 * such window, it has no shadow page, an offset unaligned or outside the
 * page or the window, the kept acknowledge register, not a service).
 */
#define HYP_IPC_WINDOW_DOORBELL (HYP_CALL_BASE | SMCCC_64BIT | 0x1FU)
/**
 * x1 = window id, x2 = a mask of registers (bit i: offset 4 * i, as for
 * HYP_IPC_WINDOW_READS) whose reads the kernel answers from the window's
 * page and whose writes are not posted: from then on a client's store at
 * the first byte of one of them (ISV set, at least the narrowest answered
 * read) whose value, zero-extended to 32 bits, is the page's word completes
 * in the trap, with no message: the service declares that such a write
 * changes nothing (a control register read back as written,
 * as a PL011's CR, which Linux's console writes twice per line with the
 * value it already holds). Any other store is a message as before. A
 * restart of the service, or a HYP_IPC_WINDOW_READS that drops a register,
 * drops it here too; x2 = 0 stops it. Returns x0 = IPC_OK, or
 * IPC_ERR_INVALID (no such window, a register not answered from the page
 * or posted, not a service).
 */
#define HYP_IPC_WINDOW_QUIET (HYP_CALL_BASE | SMCCC_64BIT | 0x27U)
/** HYP_IPC_WINDOW_ISR x2 = x3 = this: the service keeps the register. */
#define IPC_ISR_NONE UINT64_MAX
/** Registers HYP_IPC_WINDOW_READS can name: offsets 0x000..0x0fc. */
#define IPC_READS_REGS 64U
/** Bytes of each register HYP_IPC_WINDOW_READS names. */
#define IPC_READS_REG_BYTES 4U
/** Registers whose writes may be posted (x5): offsets 0x000..0x07c. */
#define IPC_POSTED_REGS 32U
/** Words of a VM name in HYP_IPC_CLIENT_NAME (CFG_NAME_MAX + 1 bytes). */
#define IPC_NAME_WORDS 4

/* Message kinds (x0 of a received message). */
#define IPC_MSG_MMIO 1U
#define IPC_MSG_CALL 2U
#define IPC_MSG_NOTIFY 3U
/** The deadline of HYP_IPC_TIMER_SET passed (one shot). */
#define IPC_MSG_TIMER 4U
/** A client VM reset (PSCI SYSTEM_RESET): sent to every service with a
 * window of that VM before the VM runs again. */
#define IPC_MSG_RESET 5U
/**
 * Take the posted writes of window x1 now (HYP_IPC_WINDOW_READS x5), at
 * least up to the ring's prod as read on receipt, then reply: the client's
 * vCPU waits for the reply. The kernel sends it before any other exit of a
 * client that posted (its instruction then runs again), when the ring is
 * full, and at the latest IPC_POSTED_DELAY_US after the first write.
 */
#define IPC_MSG_POSTED 6U
/** Doorbells rang: x1 has bit i set for window i (HYP_IPC_WINDOW_DOORBELL);
 * the service replies to no one. */
#define IPC_MSG_DOORBELL 7U
/** HYP_IPC_WINDOW_DOORBELL x2 = this: the register is the service's again. */
#define IPC_DOORBELL_NONE UINT64_MAX
/** The longest a posted write waits in the ring while its client runs. */
#define IPC_POSTED_DELAY_US 500U

/** A posted write: a guest's store, in the ring of its window's page. */
struct ipc_posted_write {
	uint32_t value;  /**< The stored bits (width bytes of them). */
	uint16_t offset; /**< Byte offset in the window. */
	uint8_t width;   /**< 1, 2 or 4 bytes. */
	uint8_t vcpu;    /**< The storing vCPU (low 8 bits of its index). */
};

/** Writes the ring holds; a power of two (the indexes wrap freely). */
#define IPC_POSTED_SLOTS 256U
#define IPC_PAGE_CACHE_LINE 64U

/**
 * The window page of HYP_IPC_WINDOW_READS, 4 KiB in the service's RAM. The
 * kernel writes a slot, then prod; the service reads prod, then the slots
 * up to it, and writes cons after it has taken each. Slot i of the ring is
 * ring[i % IPC_POSTED_SLOTS]; prod - cons (mod 2^32) is how many wait. The
 * kernel keeps its own prod: a service that scribbles on the page loses
 * only its own client's writes.
 */
struct ipc_window_page {
	uint32_t reads[IPC_READS_REGS]; /**< Word i: register 4 * i. */
	_Alignas(IPC_PAGE_CACHE_LINE) volatile uint32_t prod; /**< Kernel's. */
	_Alignas(IPC_PAGE_CACHE_LINE) volatile uint32_t cons; /**< Service's. */
	_Alignas(2048) struct ipc_posted_write ring[IPC_POSTED_SLOTS];
};

_Static_assert(sizeof(struct ipc_window_page) == 4096,
	       "the window page is one 4 KiB page");

/* MMIO access info word (x3): width in bytes [7:0], write flag [8],
 * client VM id [31:16], accessing vCPU [47:32]. */
#define IPC_MMIO_WIDTH_MASK 0xffULL
#define IPC_MMIO_WRITE (1ULL << 8)
#define IPC_MMIO_CLIENT_SHIFT 16
#define IPC_MMIO_CLIENT_MASK 0xffffULL
#define IPC_MMIO_VCPU_SHIFT 32
#define IPC_MMIO_VCPU_MASK 0xffffULL

/* Reply status (x1 of REPLY_RECV) and call status (x0 of CALL). */
#define IPC_OK 0
/** The access failed: the guest gets a synchronous external abort. */
#define IPC_ERR_ABORT 1
/* Errors returned by the kernel for IPC calls (x0), names of the ABI's
 * one error space (abi/hypercall.h). */
#define IPC_ERR_INVALID HYP_RET_INVALID_PARAMS /**< No such endpoint or window. */
#define IPC_ERR_DENIED HYP_RET_DENIED   /**< The caller may not use that endpoint. */
#define IPC_ERR_DEAD HYP_RET_DEAD       /**< The service is stopped. */
#define IPC_ERR_STATE HYP_RET_STATE     /**< REPLY_RECV with nothing to reply to. */
