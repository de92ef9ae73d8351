/**
 * A test-only service (built like any other, with libipc and no kernel
 * change): an "echo" device whose reads return offset ^ ECHO_PATTERN, and
 * which crashes on purpose when its client writes to CRASH_OFFSET, by
 * touching an IPA outside its RAM, and hangs (never answers) on a write to
 * HANG_OFFSET. The kernel restarts it either way and sends it the access
 * again; as that fails the same way, the access then aborts. A write to
 * BREAK_VECTORS_OFFSET points VBAR_EL1 outside its RAM and then takes an
 * exception: its vectors cannot run (the kernel must stop it without
 * them). A notification with SPIN_BIT makes it loop with no request in
 * flight (the kernel must stop it all the same).
 *
 * A write to FLAKY_OFFSET crashes it (with a BRK, which its own vectors
 * report) only the first time (a flag in its
 * kept RAM remembers): sent again, it succeeds and stores the value in kept
 * RAM, where a read of FLAKY_OFFSET finds it after the restart; a read of
 * RESTARTS_OFFSET returns how often it was restarted
 * (tests/system/test_services.py).
 *
 * A write to STALL_OFFSET stops answering, the first time, in the way its
 * value names (STALL_*: WFI, PSCI CPU_SUSPEND, CPU_OFF or SYSTEM_RESET);
 * sent again after the restart, it is stored (a read returns it) and
 * counted (STALL_WRITES_OFFSET). A read of STALL_READ_OFFSET does a PSCI
 * SYSTEM_RESET the first time and returns STALL_READ_PATTERN when sent
 * again. A notification with WFI_BIT makes it execute WFI with no request
 * in flight. A write to POWER_OFF_OFFSET makes it call PSCI SYSTEM_OFF
 * (tests/system/test_svcstop.py).
 *
 * In a scenario that gives it the physical PL011 and its interrupt, a
 * write to IRQ_ARM_OFFSET enables the UART's receive interrupt: each
 * notification of it drains the received bytes and is counted (a read of
 * IRQ_NOTES_OFFSET), and the first one does a PSCI SYSTEM_RESET before
 * acknowledging the interrupt: restarted, the service must find it
 * unmasked by the kernel, or it never hears of the next byte.
 */
#include "abi/hypercall.h"
#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "lib/pl011_hw.h"

void service_main(void);

#define ECHO_PATTERN 0x5a5aULL
#define CRASH_OFFSET 0x100U
#define HANG_OFFSET 0x200U
#define FLAKY_OFFSET 0x300U
#define RESTARTS_OFFSET 0x308U
#define BREAK_VECTORS_OFFSET 0x400U
#define SPIN_BIT 0x1ULL
#define WFI_BIT (1ULL << 62) /* not IRQ_NOTIFY_BIT(33), the UART's */
#define STALL_OFFSET 0x500U
#define STALL_WRITES_OFFSET 0x508U
#define STALL_READ_OFFSET 0x510U
#define POWER_OFF_OFFSET 0x600U
#define IRQ_ARM_OFFSET 0x700U
#define IRQ_NOTES_OFFSET 0x708U
/* The physical PL011 (QEMU virt) and its interrupt, SPI 1. */
#define UART_PHYS_IPA 0x09000000UL
#define UART_PHYS_INTID 33U
#define STALL_READ_PATTERN 0x600dULL
/* The ways a STALL_OFFSET write stops answering (its value's low byte). */
#define STALL_KIND_MASK 0xffU
#define STALL_WFI 1U
#define STALL_CPU_SUSPEND 2U
#define STALL_CPU_OFF 3U
#define STALL_SYSTEM_RESET 4U
/* Nothing is mapped here in this partition's IPA space. */
#define UNMAPPED_IPA 0x70000000UL

/** What survives a restart (in the scenario's kept RAM). */
struct echo_kept {
	uint64_t flaky_crashed;   /**< Crashed on the last FLAKY write. */
	uint64_t flaky_value;
	uint64_t stall_pending;   /**< Stalled on the last STALL access. */
	uint64_t stall_value;
	uint64_t stall_writes;
	uint64_t irq_notes;       /**< UART interrupts heard. */
	uint64_t irq_reset_done;  /**< Reset once on one, not acknowledged. */
};

struct echo_state {
	struct echo_kept *kept;   /**< NULL: the scenario keeps no RAM. */
	uint32_t restarts;
};

static void crash(void)
{
	/* Stores before the crash are made: kept RAM must see them. */
	__asm__ volatile("" ::: "memory");
	*(volatile uint64_t *)UNMAPPED_IPA = 1;
}

/* An exception taken inside the service (BRK, EL1 to EL1): its vectors
 * report it with HYP_IPC_FAULT. */
static void crash_in_vectors(void)
{
	__asm__ volatile("brk #0" ::: "memory");
}

/* No vectors: taking the BRK fetches from outside its RAM (stage 2). */
static void crash_without_vectors(void)
{
	__asm__ volatile("msr vbar_el1, %0\n"
			 "isb\n"
			 "brk #0"
			 :
			 : "r"(UNMAPPED_IPA)
			 : "memory");
}

static void spin(void)
{
	for (;;) {
		__asm__ volatile("" ::: "memory");
	}
}

static void psci(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x2 __asm__("x2") = 0;
	register uint64_t x3 __asm__("x3") = 0;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
}

/* Stop answering as @p kind says (the kernel must not wait for ever). */
static void stall(uint64_t kind)
{
	switch (kind) {
	case STALL_WFI:
		__asm__ volatile("wfi" ::: "memory");
		break;
	case STALL_CPU_SUSPEND:
		psci(PSCI_CPU_SUSPEND_64);
		break;
	case STALL_CPU_OFF:
		psci(PSCI_CPU_OFF);
		break;
	case STALL_SYSTEM_RESET:
		psci(PSCI_SYSTEM_RESET);
		break;
	default:
		break;
	}
}

/* Stall the first time (a flag in kept RAM), complete when sent again. */
static int stalling(struct echo_state *st, struct ipc_mmio_access *a)
{
	struct echo_kept *k = st->kept;

	if (k == NULL) {
		return IPC_ERR_ABORT;
	}
	if (!k->stall_pending) {
		k->stall_pending = 1;
		stall(a->write ? a->value & STALL_KIND_MASK : STALL_SYSTEM_RESET);
	}
	k->stall_pending = 0;
	if (!a->write) {
		a->value = STALL_READ_PATTERN;
		return IPC_OK;
	}
	k->stall_value = a->value;
	k->stall_writes++;
	return IPC_OK;
}

static int flaky(struct echo_state *st, struct ipc_mmio_access *a)
{
	struct echo_kept *k = st->kept;

	if (k == NULL) {
		return IPC_ERR_ABORT;
	}
	if (!a->write) {
		a->value = k->flaky_value;
		return IPC_OK;
	}
	if (!k->flaky_crashed) {
		k->flaky_crashed = 1;
		crash_in_vectors();
	}
	k->flaky_crashed = 0;
	k->flaky_value = a->value;
	return IPC_OK;
}

static int echo_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct echo_state *st = ctx;

	if (a->offset == FLAKY_OFFSET) {
		return flaky(st, a);
	}
	if ((a->write && a->offset == STALL_OFFSET) ||
	    (!a->write && a->offset == STALL_READ_OFFSET)) {
		return stalling(st, a);
	}
	if (!a->write && st->kept != NULL && a->offset == STALL_OFFSET) {
		a->value = st->kept->stall_value;
		return IPC_OK;
	}
	if (!a->write && st->kept != NULL && a->offset == STALL_WRITES_OFFSET) {
		a->value = st->kept->stall_writes;
		return IPC_OK;
	}
	if (a->write && a->offset == IRQ_ARM_OFFSET) {
		pl011_enable_rx_irq(UART_PHYS_IPA);
		return IPC_OK;
	}
	if (!a->write && st->kept != NULL && a->offset == IRQ_NOTES_OFFSET) {
		a->value = st->kept->irq_notes;
		return IPC_OK;
	}
	if (a->write && a->offset == POWER_OFF_OFFSET) {
		psci(PSCI_SYSTEM_OFF);
	}
	if (!a->write && a->offset == RESTARTS_OFFSET) {
		a->value = st->restarts;
		return IPC_OK;
	}
	if (a->write && a->offset == CRASH_OFFSET) {
		crash();
	}
	if (a->write && a->offset == HANG_OFFSET) {
		spin();
	}
	if (a->write && a->offset == BREAK_VECTORS_OFFSET) {
		crash_without_vectors();
	}
	a->value = a->offset ^ ECHO_PATTERN;
	return IPC_OK;
}

/* The physical UART's interrupt: drain, count, and reset once unacked. */
static void uart_interrupt(struct echo_kept *k)
{
	while (pl011_rx_ready(UART_PHYS_IPA)) {
		(void)pl011_getc(UART_PHYS_IPA);
	}
	k->irq_notes++;
	if (!k->irq_reset_done) {
		k->irq_reset_done = 1;
		psci(PSCI_SYSTEM_RESET);
	}
	ipc_irq_ack(UART_PHYS_INTID);
}

static void echo_notified(void *ctx, uint64_t bits)
{
	struct echo_state *st = ctx;

	if ((bits & IRQ_NOTIFY_BIT(UART_PHYS_INTID)) && st->kept != NULL) {
		uart_interrupt(st->kept);
	}
	if (bits & SPIN_BIT) {
		spin();
	}
	if (bits & WFI_BIT) {
		__asm__ volatile("wfi" ::: "memory");
	}
}

static int echo_call(void *ctx, uint32_t badge, const uint64_t args[4],
		     uint64_t result[3])
{
	(void)ctx;
	result[0] = args[0] + badge;
	return IPC_OK;
}

void service_main(void)
{
	static struct ipc_server srv;
	static struct echo_state st;
	struct ipc_self self = { 0 };

	ipc_server_init(&srv);
	if (ipc_self_info(&self) == IPC_OK &&
	    self.kept_size >= sizeof(struct echo_kept)) {
		st.kept = self.kept;
	}
	st.restarts = self.restarts;
	ipc_register_mmio(&srv, IPC_WINDOW_ALL, echo_mmio, &st);
	ipc_on_call(&srv, echo_call, NULL);
	ipc_on_notify(&srv, echo_notified, &st);
	ipc_serve(&srv);
}
