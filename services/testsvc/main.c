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
 */
#include "ipc/ipc.h"

void service_main(void);

#define ECHO_PATTERN 0x5a5aULL
#define CRASH_OFFSET 0x100U
#define HANG_OFFSET 0x200U
#define FLAKY_OFFSET 0x300U
#define RESTARTS_OFFSET 0x308U
#define BREAK_VECTORS_OFFSET 0x400U
#define SPIN_BIT 0x1ULL
/* Nothing is mapped here in this partition's IPA space. */
#define UNMAPPED_IPA 0x70000000UL

/** What survives a restart (in the scenario's kept RAM). */
struct echo_kept {
	uint64_t flaky_crashed;   /**< Crashed on the last FLAKY write. */
	uint64_t flaky_value;
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

static void echo_notified(void *ctx, uint64_t bits)
{
	(void)ctx;
	if (bits & SPIN_BIT) {
		spin();
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
	ipc_on_notify(&srv, echo_notified, NULL);
	ipc_serve(&srv);
}
