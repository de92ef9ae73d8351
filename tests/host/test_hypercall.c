/**
 * Unit tests of SMCCC call dispatch (kernel/core/hypercall.c): the
 * immediate and conduit rules (SMCCC 1.1: our calls over HVC only, PSCI
 * and the architecture calls over both), the local calls, the console
 * calls (the real vm_console.c) on a fake guest memory, and where the
 * other calls go. IPC, the virtual GIC, PSCI and a service's power calls
 * are recorded.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/console.h"
#include "abi/hypercall.h"
#include "abi/ipc.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/hypercall.h"
#include "hyp/ipc.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"

#define ST(v) ((uint64_t)(int64_t)(v))
#define MEM_IPA 0x40000000ULL
#define MEM_BYTES 1024
/* Our fake vGIC call, and an FID nobody implements. */
#define FID_VGIC (HYP_CALL_BASE | SMCCC_64BIT | 0x30U)
#define FID_NONE (HYP_CALL_BASE | 0x7fU)
#define KEPT_IPA 0x10200000ULL

static const struct cfg_vm svc_cfg = {
	.name = "svc", .kind = CFG_VM_SERVICE, .vcpu_count = 1,
	/* The kept region between two others: only it is reported. */
	.ram = { { .ipa = 0x10000000ULL, .size = 0x200000ULL },
		 { .ipa = KEPT_IPA, .size = 0x200000ULL, .keep = true },
		 { .ipa = 0x10400000ULL, .size = 0x400000ULL } },
	.ram_count = 3,
};
static const struct cfg_vm guest_cfg = {
	.name = "a-guest-name-of-31-characters-x", .kind = CFG_VM_GUEST,
	.vcpu_count = 3,
};
static struct vm svc, guest;
static struct mmio_window win;
static uint8_t mem[MEM_BYTES];
static uint64_t readable; /* Bytes of mem the guest may read. */
static struct idle_marker { int unused; } idle;
#define IDLE ((struct vcpu *)&idle)

static struct {
	char console[8192];
	size_t console_len;
	unsigned ipc, vgic, psci, restarts, stalls, nexts, shares, stops;
	enum vm_stop_reason stop_why;
	uint32_t last_fid;
	const char *stalled;
} rec;

static const struct cfg_platform platform = { .uart_base = 0x09000000ULL };
const struct cfg_scenario scenario = { .name = "hc", .platform = &platform };

uint8_t *vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t *avail)
{
	(void)vm;
	(void)ipa;
	(void)avail;
	fail_msg("no console line is shared in these tests");
	return NULL;
}

/* --- Neighbours ------------------------------------------------------------ */

uint64_t vm_read_guest(struct vm *vm, ipaddr_t ipa, void *buf, uint64_t len)
{
	uint64_t a = ipa_addr(ipa);

	(void)vm;
	if (a < MEM_IPA || a - MEM_IPA >= readable) {
		return 0;
	}
	uint64_t n = readable - (a - MEM_IPA);

	n = n < len ? n : len;
	memcpy(buf, mem + (a - MEM_IPA), n);
	return n;
}

void log_line_begin(void)
{
}

void log_line_end(void)
{
}

void log_raw(const char *c, unsigned long len)
{
	assert_true(rec.console_len + len <= sizeof(rec.console));
	memcpy(rec.console + rec.console_len, c, len);
	rec.console_len += len;
}

void log_share_line(const void *owner, struct hyp_console_line *line)
{
	(void)owner;
	(void)line;
	rec.shares++;
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

bool ipc_hypercall(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	if (fid < HYP_IPC_RECV || fid > HYP_IPC_CLIENT_NAME) {
		return false;
	}
	rec.ipc++;
	*next = vcpu;
	return true;
}

bool service_psci(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	if (fid != PSCI_CPU_OFF && fid != PSCI_SYSTEM_RESET) {
		return false;
	}
	rec.stalls++;
	*next = sched_next(vcpu);
	return true;
}

bool vgic_hypercall(struct vcpu *caller, uint32_t fid, struct vcpu **next)
{
	if (fid != FID_VGIC) {
		return false;
	}
	rec.vgic++;
	*next = caller;
	return true;
}

bool psci_handle(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	if ((fid & ~SMCCC_64BIT) >> SMCCC_OWNER_SHIFT !=
	    (SMCCC_FAST_CALL | (SMCCC_OWNER_STANDARD << SMCCC_OWNER_SHIFT)) >>
		    SMCCC_OWNER_SHIFT) {
		return false;
	}
	rec.psci++;
	rec.last_fid = fid;
	*next = vcpu;
	return true;
}

void vm_stop(struct vm *vm, enum vm_stop_reason why)
{
	(void)vm;
	rec.stops++;
	rec.stop_why = why;
}

struct vcpu *sched_next(struct vcpu *current)
{
	(void)current;
	rec.nexts++;
	return IDLE;
}

/* --- Fixture --------------------------------------------------------------- */

static int setup(void **unused)
{
	(void)unused;
	memset(&svc, 0, sizeof(svc));
	memset(&guest, 0, sizeof(guest));
	memset(&rec, 0, sizeof(rec));
	fake_arch_reset();
	fake_log_reset();
	svc.cfg = &svc_cfg;
	svc.id = 0;
	svc.vcpu_count = 1;
	svc.vcpus[0].vm = &svc;
	svc.vcpus[0].is_service = true;
	guest.cfg = &guest_cfg;
	guest.id = 5;
	guest.vcpu_count = 3;
	guest.vcpus[0].vm = &guest;
	win = (struct mmio_window){ .size = 0x1000, .client = &guest };
	svc.ep.windows[0] = &win;
	svc.ep.window_count = 1;
	for (size_t i = 0; i < MEM_BYTES; i++) {
		mem[i] = (uint8_t)('a' + i % 26);
	}
	readable = MEM_BYTES;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

static struct vcpu *G(void)
{
	return &guest.vcpus[0];
}

static struct vcpu *S(void)
{
	return &svc.vcpus[0];
}

static struct vcpu *hvc(struct vcpu *v, uint32_t fid, uint64_t x1, uint64_t x2)
{
	v->regs.x[0] = fid;
	v->regs.x[1] = x1;
	v->regs.x[2] = x2;
	return hypercall_dispatch(v, 0, false);
}

static struct vcpu *smc(struct vcpu *v, uint32_t fid, uint64_t x1)
{
	v->regs.x[0] = fid;
	v->regs.x[1] = x1;
	return hypercall_dispatch(v, 0, true);
}

/* --- Tests ----------------------------------------------------------------- */

static void test_hypercall_nonzero_immediate_not_supported(void **unused)
{
	(void)unused;
	G()->regs.x[0] = HYP_CALL_VERSION;
	assert_ptr_equal(hypercall_dispatch(G(), 1, false), G());
	assert_int_equal(G()->regs.x[0], ST(SMCCC_NOT_SUPPORTED));
	G()->regs.x[0] = HYP_CALL_VERSION;
	assert_false(hypercall_local(G(), 1));
}

static void test_hypercall_local_versions(void **unused)
{
	(void)unused;
	G()->regs.x[0] = HYP_CALL_VERSION;
	assert_true(hypercall_local(G(), 0));
	assert_int_equal(G()->regs.x[0], HYP_ABI_VERSION);
	G()->regs.x[0] = SMCCC_VERSION;
	assert_true(hypercall_local(G(), 0));
	assert_int_equal(G()->regs.x[0], SMCCC_VERSION_1_1);
	G()->regs.x[0] = PSCI_VERSION;
	assert_true(hypercall_local(G(), 0));
	assert_int_equal(G()->regs.x[0], PSCI_VERSION_1_0);
	G()->regs.x[0] = HYP_IPC_RECV;
	assert_false(hypercall_local(G(), 0));
	/* Only the low 32 bits name the function (SMCCC 1.1, 2.5). */
	G()->regs.x[0] = (1ULL << 32) | HYP_CALL_VERSION;
	assert_true(hypercall_local(G(), 0));
}

static void test_hypercall_versions_and_arch_features(void **unused)
{
	(void)unused;
	hvc(G(), HYP_CALL_VERSION, 0, 0);
	assert_int_equal(G()->regs.x[0], HYP_ABI_VERSION);
	smc(G(), SMCCC_VERSION, 0);
	assert_int_equal(G()->regs.x[0], SMCCC_VERSION_1_1);
	hvc(G(), SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0);
	assert_int_equal(G()->regs.x[0], ST(SMCCC_SUCCESS));
	/* No firmware workaround (SMCCC_ARCH_WORKAROUND_1) is offered. */
	hvc(G(), SMCCC_ARCH_FEATURES, 0x80008000U, 0);
	assert_int_equal(G()->regs.x[0], ST(SMCCC_NOT_SUPPORTED));
}

static void test_hypercall_our_calls_are_hvc_only(void **unused)
{
	(void)unused;
	assert_ptr_equal(smc(G(), HYP_CALL_VERSION, 0), G());
	assert_int_equal(G()->regs.x[0], ST(SMCCC_NOT_SUPPORTED));
	smc(S(), HYP_IPC_RECV, 0);
	assert_int_equal(rec.ipc, 0);
	smc(S(), FID_VGIC, 0);
	assert_int_equal(rec.vgic, 0);
	/* PSCI over both conduits. */
	smc(G(), PSCI_CPU_OFF, 0);
	hvc(G(), PSCI_CPU_OFF, 0, 0);
	assert_int_equal(rec.psci, 2);
}

static void test_hypercall_unknown_not_supported(void **unused)
{
	(void)unused;
	assert_ptr_equal(hvc(G(), FID_NONE, 0, 0), G());
	assert_int_equal(G()->regs.x[0], ST(SMCCC_NOT_SUPPORTED));
}

/* The guest's console text so far, its line ended, without the tags. */
static const char *console_text(void)
{
	static char text[sizeof(rec.console)];
	size_t n = 0;
	bool line_start = true;

	vm_console_flush(&guest);
	for (size_t i = 0; i < rec.console_len; i++) {
		if (line_start && rec.console[i] == '[') {
			while (rec.console[i] != ' ') {
				i++;
			}
			line_start = false;
			continue;
		}
		if (rec.console[i] == '\n') {
			line_start = true;
			continue;
		}
		text[n++] = rec.console[i];
	}
	text[n] = '\0';
	return text;
}

static void test_hypercall_console_putc_and_line(void **unused)
{
	(void)unused;
	hvc(G(), HYP_CALL_CONSOLE_PUTC, 0x100 | 'Q', 0);
	assert_int_equal(G()->regs.x[0], ST(SMCCC_SUCCESS));
	vm_console_flush(&guest);
	rec.console[rec.console_len] = '\0';
	assert_string_equal(rec.console, "[a-guest-name-of-31-characters-x] Q\n");
	/* Only a service with the log UART may share the console line. */
	hvc(G(), HYP_CALL_CONSOLE_LINE, MEM_IPA, 0);
	assert_int_equal(G()->regs.x[0], ST(HYP_RET_INVALID_PARAMS));
	assert_int_equal(rec.shares, 0);
}

static void test_hypercall_console_write_in_chunks(void **unused)
{
	(void)unused;
	hvc(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA + 10, 300);
	assert_int_equal(G()->regs.x[0], 300);
	assert_int_equal(strlen(console_text()), 300);
	assert_memory_equal(console_text(), mem + 10, 300);
}

static void test_hypercall_console_write_limits(void **unused)
{
	(void)unused;
	hvc(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA, HYP_CONSOLE_WRITE_MAX + 1);
	assert_int_equal(G()->regs.x[0], ST(HYP_RET_INVALID_PARAMS));
	assert_string_equal(console_text(), "");
	/* Part readable: what was written; nothing readable: an error. */
	readable = 200;
	hvc(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA, 300);
	assert_int_equal(G()->regs.x[0], 200);
	assert_int_equal(strlen(console_text()), 200);
	hvc(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA + 200, 5);
	assert_int_equal(G()->regs.x[0], ST(HYP_RET_INVALID_ADDRESS));
	hvc(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA, 0);
	assert_int_equal(G()->regs.x[0], 0);
}

static void test_hypercall_exit_stops_the_guest_with_its_status(void **unused)
{
	(void)unused;
	assert_ptr_equal(hvc(G(), HYP_CALL_EXIT, 3, 0), IDLE);
	assert_int_equal(rec.stops, 1);
	assert_int_equal(rec.stop_why, VM_STOP_EXIT);
	assert_int_equal(guest.exit_status, 3);
	assert_int_equal(rec.nexts, 1);
}

static void test_hypercall_exit_refuses_bad_status_service_and_smc(void **unused)
{
	(void)unused;
	assert_ptr_equal(hvc(G(), HYP_CALL_EXIT, HYP_EXIT_STATUS_MAX + 1, 0), G());
	assert_int_equal(G()->regs.x[0], ST(HYP_RET_INVALID_PARAMS));
	assert_ptr_equal(hvc(G(), HYP_CALL_EXIT, 1ULL << 32, 0), G());
	assert_int_equal(G()->regs.x[0], ST(HYP_RET_INVALID_PARAMS));
	assert_ptr_equal(hvc(S(), HYP_CALL_EXIT, 0, 0), S());
	assert_int_equal(S()->regs.x[0], ST(HYP_RET_DENIED));
	assert_ptr_equal(smc(G(), HYP_CALL_EXIT, 0), G());
	assert_int_equal(G()->regs.x[0], ST(SMCCC_NOT_SUPPORTED));
	assert_int_equal(rec.stops, 0);
}

static void test_hypercall_ipc_calls_forwarded(void **unused)
{
	static const uint32_t fids[] = {
		HYP_IPC_RECV, HYP_IPC_REPLY_RECV, HYP_IPC_CALL, HYP_IPC_NOTIFY,
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		hvc(S(), fids[i], 0, 0);
	}
	assert_int_equal(rec.ipc, 4);
	hvc(S(), FID_VGIC, 0, 0);
	assert_int_equal(rec.vgic, 1);
	/* A service's power calls go to service.c first, a guest's to PSCI. */
	assert_ptr_equal(hvc(S(), PSCI_CPU_OFF, 0, 0), IDLE);
	assert_int_equal(rec.stalls, 1);
	assert_int_equal(rec.psci, 0);
	hvc(G(), PSCI_CPU_OFF, 0, 0);
	hvc(S(), PSCI_SYSTEM_OFF, 0, 0);
	assert_int_equal(rec.stalls, 1);
	assert_int_equal(rec.psci, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_hypercall_nonzero_immediate_not_supported),
		TEST(test_hypercall_local_versions),
		TEST(test_hypercall_versions_and_arch_features),
		TEST(test_hypercall_our_calls_are_hvc_only),
		TEST(test_hypercall_unknown_not_supported),
		TEST(test_hypercall_console_putc_and_line),
		TEST(test_hypercall_console_write_in_chunks),
		TEST(test_hypercall_console_write_limits),
		TEST(test_hypercall_exit_stops_the_guest_with_its_status),
		TEST(test_hypercall_exit_refuses_bad_status_service_and_smc),
		TEST(test_hypercall_ipc_calls_forwarded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
