/**
 * A test-only service (built like any other, with libipc and no kernel
 * change): an "echo" device whose reads return offset ^ ECHO_PATTERN, and
 * which crashes on purpose when its client writes to CRASH_OFFSET, by
 * touching an IPA outside its RAM, and hangs (never answers) on a write to
 * HANG_OFFSET. The kernel restarts it either way and the access in flight
 * gets an external abort (tests/system/test_services.py).
 */
#include "ipc/ipc.h"

void service_main(void);

#define ECHO_PATTERN 0x5a5aULL
#define CRASH_OFFSET 0x100U
#define HANG_OFFSET 0x200U
/* Nothing is mapped here in this partition's IPA space. */
#define UNMAPPED_IPA 0x70000000UL

static int echo_mmio(void *ctx, struct ipc_mmio_access *a)
{
	(void)ctx;
	if (a->write && a->offset == CRASH_OFFSET) {
		*(volatile uint64_t *)UNMAPPED_IPA = 1;
	}
	if (a->write && a->offset == HANG_OFFSET) {
		for (;;) {
			__asm__ volatile("" ::: "memory");
		}
	}
	a->value = a->offset ^ ECHO_PATTERN;
	return IPC_OK;
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

	ipc_server_init(&srv);
	ipc_register_mmio(&srv, IPC_WINDOW_ALL, echo_mmio, NULL);
	ipc_on_call(&srv, echo_call, NULL);
	ipc_serve(&srv);
}
