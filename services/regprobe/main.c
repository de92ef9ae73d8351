/**
 * A test-only service (issue 12, item 4): "what can a service see of the
 * guest it runs on top of?". Each 8-byte register of its window is one EL1
 * system register as the service itself sees it while it serves the
 * access: a read returns the value the service reads with MRS, a write
 * makes the service MSR the written value into it. The guest sets values
 * of its own first and checks (tests/system/test_service_view.py) that the
 * service reads none of them and that its writes change nothing for it.
 * The list is shared with guests/tests/svcview.c by index (REGPROBE_*).
 */
#include <stdint.h>

#include "ipc/ipc.h"

void service_main(void);

#define REG_BYTES 8U

#define MRS(reg)                                                        \
	({                                                              \
		uint64_t __v;                                           \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v));          \
		__v;                                                    \
	})
#define MSR(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)))

/* One line per register: index, register read, register written and the
 * value written there to make it read the written value (OSLSR is read
 * and OSLAR written; PMINTENSET is read and cleared through PMINTENCLR). */
#define REGPROBE_REGS(X)                                                \
	X(0, tpidr_el0, tpidr_el0, v)                                   \
	X(1, tpidrro_el0, tpidrro_el0, v)                               \
	X(2, tpidr_el1, tpidr_el1, v)                                   \
	X(3, sp_el0, sp_el0, v)                                         \
	X(4, par_el1, par_el1, v)                                       \
	X(5, cntkctl_el1, cntkctl_el1, v)                               \
	X(6, csselr_el1, csselr_el1, v)                                 \
	X(7, cntv_ctl_el0, cntv_ctl_el0, v)                             \
	X(8, cntv_cval_el0, cntv_cval_el0, v)                           \
	X(9, cpacr_el1, cpacr_el1, v)                                   \
	X(10, mdscr_el1, mdscr_el1, v)                                  \
	X(11, dbgbvr0_el1, dbgbvr0_el1, v)                              \
	X(12, dbgwvr0_el1, dbgwvr0_el1, v)                              \
	X(13, oslsr_el1, oslar_el1, v)                                  \
	X(14, pmccntr_el0, pmccntr_el0, v)                              \
	X(15, pmuserenr_el0, pmuserenr_el0, v)                          \
	X(16, pmselr_el0, pmselr_el0, v)                                \
	X(17, pmintenset_el1, pmintenclr_el1, ~v)                       \
	X(18, pmevtyper0_el0, pmevtyper0_el0, v)                        \
	X(19, pmccfiltr_el0, pmccfiltr_el0, v)

#define READ_CASE(n, rd, wr, val)                                       \
	case (n):                                                       \
		*value = MRS(rd);                                       \
		return IPC_OK;
#define WRITE_CASE(n, rd, wr, val)                                      \
	case (n):                                                       \
		MSR(wr, (val));                                         \
		__asm__ volatile("isb");                                \
		return IPC_OK;

static int probe_read(uint64_t index, uint64_t *value)
{
	switch (index) {
	REGPROBE_REGS(READ_CASE)
	default:
		return IPC_ERR_ABORT;
	}
}

static int probe_write(uint64_t index, uint64_t v)
{
	switch (index) {
	REGPROBE_REGS(WRITE_CASE)
	default:
		return IPC_ERR_ABORT;
	}
}

static int probe_mmio(void *ctx, struct ipc_mmio_access *a)
{
	(void)ctx;
	if (a->width != REG_BYTES || a->offset % REG_BYTES != 0) {
		return IPC_ERR_ABORT;
	}
	if (a->write) {
		return probe_write(a->offset / REG_BYTES, a->value);
	}
	return probe_read(a->offset / REG_BYTES, &a->value);
}

void service_main(void)
{
	static struct ipc_server srv;

	ipc_server_init(&srv);
	ipc_register_mmio(&srv, IPC_WINDOW_ALL, probe_mmio, NULL);
	ipc_serve(&srv);
}
