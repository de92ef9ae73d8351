/**
 * Unit tests of each partition's debug console (kernel/core/vm_console.c):
 * the line a VM builds is printed whole, tagged "[name] ", at LF (CR is
 * dropped) or when it would pass VM_CONSOLE_LINE_MAX; control characters
 * are shown in caret notation and other non-ASCII bytes as '?';
 * HYP_CALL_CONSOLE_WRITE copies guest memory in bounded chunks and stops
 * where it is unreadable; only a service with the log UART passed through
 * may share the console line. The log UART, guest memory and the shared
 * line are recorded fakes.
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
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

#define ST(v) ((uint64_t)(int64_t)(v))
#define UART_PA 0x09000000ULL
#define PAGE 0x1000ULL
#define MEM_IPA 0x40000000ULL
#define MEM_BYTES 1024
/* vm_console.c: bytes copied from guest memory per step of a write. */
#define CONSOLE_CHUNK 128
#define OUT_MAX 8192
#define READS_MAX 64

#define UART_DEV                                                             \
	{                                                                    \
		.name = "uart", .kind = CFG_DEV_PASSTHROUGH, .ipa = UART_PA, \
		.size = PAGE, .pa = UART_PA                                  \
	}
static const struct cfg_device uart_dev = UART_DEV;
/* A passthrough page just below the UART's. */
static const struct cfg_device other_dev = {
	.name = "rtc",
	.kind = CFG_DEV_PASSTHROUGH,
	.ipa = UART_PA - PAGE,
	.size = PAGE,
	.pa = UART_PA - PAGE,
};
static struct cfg_vm svc_cfg = {
	.name = "con",
	.kind = CFG_VM_SERVICE,
	.vcpu_count = 1,
	.devices = { UART_DEV },
	.device_count = 1,
};
static const struct cfg_vm guest_cfg = {
	.name = "g",
	.kind = CFG_VM_GUEST,
	.vcpu_count = 1,
	.devices = { UART_DEV },
	.device_count = 1,
};
static const struct cfg_platform platform = { .uart_base = UART_PA };
const struct cfg_scenario scenario = { .name = "con", .platform = &platform };

static struct vm svc, guest;
static uint8_t mem[MEM_BYTES] __attribute__((aligned(8)));
static uint64_t readable; /* Bytes of mem the guest may read. */

static struct {
	char out[OUT_MAX];
	size_t out_len;
	unsigned begins, ends, shares, reads;
	uint64_t read_len[READS_MAX];
	struct hyp_console_line *shared;
	const void *owner;
} rec;

/* --- Neighbours ------------------------------------------------------------ */

void log_line_begin(void)
{
	assert_int_equal(rec.begins, rec.ends);
	rec.begins++;
}

void log_line_end(void)
{
	rec.ends++;
	assert_int_equal(rec.begins, rec.ends);
}

void log_raw(const char *c, unsigned long len)
{
	assert_int_equal(rec.begins, rec.ends + 1);
	assert_true(rec.out_len + len < sizeof(rec.out));
	memcpy(rec.out + rec.out_len, c, len);
	rec.out_len += len;
}

void log_share_line(const void *owner, struct hyp_console_line *line)
{
	rec.shares++;
	rec.owner = owner;
	rec.shared = line;
}

uint8_t *vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t *avail)
{
	(void)vm;
	if (ipa < MEM_IPA || ipa - MEM_IPA >= readable) {
		return NULL;
	}
	*avail = readable - (ipa - MEM_IPA);
	return mem + (ipa - MEM_IPA);
}

uint64_t vm_read_guest(struct vm *vm, ipaddr_t ipa, void *buf, uint64_t len)
{
	uint64_t a = ipa_addr(ipa);

	(void)vm;
	assert_true(rec.reads < READS_MAX);
	rec.read_len[rec.reads++] = len;
	if (a < MEM_IPA || a - MEM_IPA >= readable) {
		return 0;
	}
	uint64_t n = readable - (a - MEM_IPA);

	n = n < len ? n : len;
	memcpy(buf, mem + (a - MEM_IPA), n);
	return n;
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
	svc_cfg.devices[0] = uart_dev;
	svc.cfg = &svc_cfg;
	svc.vcpu_count = 1;
	svc.vcpus[0].vm = &svc;
	guest.cfg = &guest_cfg;
	guest.vcpu_count = 1;
	guest.vcpus[0].vm = &guest;
	for (size_t i = 0; i < MEM_BYTES; i++) {
		mem[i] = (uint8_t)('a' + i % 26);
	}
	readable = MEM_BYTES;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

static const char *out(void)
{
	rec.out[rec.out_len] = '\0';
	return rec.out;
}

static void put(const char *s)
{
	vm_console_write(&guest, s, strlen(s));
}

static struct vcpu *G(void)
{
	return &guest.vcpus[0];
}

static uint64_t call(struct vcpu *v, uint32_t fid, uint64_t x1, uint64_t x2)
{
	v->regs.x[0] = fid;
	v->regs.x[1] = x1;
	v->regs.x[2] = x2;
	assert_true(vm_console_call(v, fid));
	return v->regs.x[0];
}

/* --- Lines ----------------------------------------------------------------- */

static void test_vm_console_line_printed_at_lf_with_tag(void **unused)
{
	(void)unused;
	put("ab");
	put("c\r");
	assert_string_equal(out(), "");
	assert_int_equal(rec.begins, 0);
	put("\nsecond\n");
	assert_string_equal(out(), "[g] abc\n[g] second\n");
	assert_int_equal(rec.ends, 2);
	/* An empty line prints nothing. */
	put("\n\r\n");
	assert_int_equal(rec.ends, 2);
}

static void test_vm_console_flush_ends_open_line_only(void **unused)
{
	(void)unused;
	vm_console_flush(&guest);
	assert_int_equal(rec.begins, 0);
	put("half");
	vm_console_flush(&guest);
	assert_string_equal(out(), "[g] half\n");
	assert_int_equal(guest.console_len, 0);
	vm_console_flush(&guest);
	assert_int_equal(rec.ends, 1);
}

static void test_vm_console_control_and_other_bytes(void **unused)
{
	(void)unused;
	const char in[] = { 'a',	'\t',	    0x1b, '[', 0x08, 0x7f,
			    (char)0x80, (char)0xff, 0x00, 'z', '\n' };

	vm_console_write(&guest, in, sizeof(in));
	assert_string_equal(out(), "[g] a\t^[[^H^???^@z\n");
}

/* A line that would pass VM_CONSOLE_LINE_MAX is printed first: every line
 * starts with the tag and a caret pair is never split. */
static void test_vm_console_long_line_cut(void **unused)
{
	(void)unused;
	char line[VM_CONSOLE_LINE_MAX + 5];

	memset(line, 'x', sizeof(line));
	vm_console_write(&guest, line, sizeof(line));
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.out_len, strlen("[g] ") + VM_CONSOLE_LINE_MAX + 1);
	assert_int_equal(guest.console_len, 5);
	vm_console_flush(&guest);
	rec.out_len = 0;
	/* One byte short of full, then a control: the pair goes on. */
	vm_console_write(&guest, line, VM_CONSOLE_LINE_MAX - 1);
	vm_console_write(&guest, "\x01", 1);
	assert_int_equal(rec.ends, 3);
	assert_int_equal(rec.out_len, strlen("[g] ") + VM_CONSOLE_LINE_MAX);
	assert_int_equal(guest.console_len, 2);
	rec.out_len = 0;
	vm_console_flush(&guest);
	assert_string_equal(out(), "[g] ^A\n");
	/* A pair that fills the line exactly stays on it. */
	vm_console_write(&guest, line, VM_CONSOLE_LINE_MAX - 2);
	vm_console_write(&guest, "\x01", 1);
	assert_int_equal(rec.ends, 4);
	assert_int_equal(guest.console_len, VM_CONSOLE_LINE_MAX);
}

/* --- Calls ----------------------------------------------------------------- */

static void test_vm_console_putc(void **unused)
{
	(void)unused;
	assert_int_equal(call(G(), HYP_CALL_CONSOLE_PUTC, 0x100 | 'Q', 0),
			 ST(SMCCC_SUCCESS));
	call(G(), HYP_CALL_CONSOLE_PUTC, '\n', 0);
	assert_string_equal(out(), "[g] Q\n");
	/* Not a console call: not handled, x0 untouched. */
	G()->regs.x[0] = 7;
	assert_false(vm_console_call(G(), HYP_CALL_BASE | 0x7fU));
	assert_int_equal(G()->regs.x[0], 7);
}

static void test_vm_console_write_in_chunks(void **unused)
{
	(void)unused;
	const uint64_t len = 2 * CONSOLE_CHUNK + 44;

	assert_int_equal(call(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA + 10, len),
			 len);
	assert_int_equal(rec.reads, 3);
	assert_int_equal(rec.read_len[0], CONSOLE_CHUNK);
	assert_int_equal(rec.read_len[1], CONSOLE_CHUNK);
	assert_int_equal(rec.read_len[2], 44);
	vm_console_flush(&guest);
	/* Cut into lines of VM_CONSOLE_LINE_MAX, the bytes in order. */
	assert_int_equal(rec.ends, 2);
	assert_memory_equal(out() + strlen("[g] "), mem + 10,
			    VM_CONSOLE_LINE_MAX);
}

static void test_vm_console_write_limits(void **unused)
{
	(void)unused;
	assert_int_equal(call(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA,
			      HYP_CONSOLE_WRITE_MAX + 1),
			 ST(HYP_RET_INVALID_PARAMS));
	assert_int_equal(rec.reads, 0);
	assert_int_equal(call(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA, 0), 0);
	/* Readable in part: what was written; not at all: an error. */
	readable = 200;
	assert_int_equal(call(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA, 300), 200);
	assert_int_equal(guest.console_len, 200 - VM_CONSOLE_LINE_MAX);
	assert_int_equal(call(G(), HYP_CALL_CONSOLE_WRITE, MEM_IPA + 200, 5),
			 ST(HYP_RET_INVALID_ADDRESS));
}

/* --- The shared console line ----------------------------------------------- */

static uint64_t share(struct vm *vm, uint64_t ipa)
{
	return call(&vm->vcpus[0], HYP_CALL_CONSOLE_LINE, ipa, 0);
}

static void test_vm_console_share_by_console_service(void **unused)
{
	(void)unused;
	assert_int_equal(share(&svc, MEM_IPA + 8), ST(SMCCC_SUCCESS));
	assert_int_equal(rec.shares, 1);
	assert_ptr_equal(rec.owner, &svc);
	assert_ptr_equal(rec.shared, (struct hyp_console_line *)(mem + 8));
	assert_int_equal(fake_log_count[LOG_LEVEL_INFO], 1);
	assert_string_equal(fake_log_last[LOG_LEVEL_INFO],
			    "vm 'con' shares the console line with the "
			    "kernel's log");
	/* Shared again by the restarted service: quietly. */
	svc.reset_count = 1;
	assert_int_equal(share(&svc, MEM_IPA), ST(SMCCC_SUCCESS));
	assert_int_equal(rec.shares, 2);
	assert_int_equal(fake_log_count[LOG_LEVEL_INFO], 1);
}

static void test_vm_console_share_refused(void **unused)
{
	(void)unused;
	/* A guest, even with the UART. */
	assert_int_equal(share(&guest, MEM_IPA), ST(HYP_RET_INVALID_PARAMS));
	/* Not 8-byte aligned. */
	assert_int_equal(share(&svc, MEM_IPA + 4), ST(HYP_RET_INVALID_PARAMS));
	/* Not in its RAM, or not all of it. */
	assert_int_equal(share(&svc, MEM_IPA - HYP_CONSOLE_LINE_ALIGN),
			 ST(HYP_RET_INVALID_ADDRESS));
	assert_int_equal(share(&svc,
			       MEM_IPA + MEM_BYTES - HYP_CONSOLE_LINE_ALIGN),
			 ST(HYP_RET_INVALID_ADDRESS));
	/* A service without the log UART (its neighbour page only). */
	svc_cfg.devices[0] = other_dev;
	assert_int_equal(share(&svc, MEM_IPA), ST(HYP_RET_INVALID_PARAMS));
	assert_int_equal(rec.shares, 0);
	/* The last byte of the struct in RAM: shared. */
	svc_cfg.devices[0] = uart_dev;
	assert_int_equal(share(&svc, MEM_IPA + MEM_BYTES -
					     sizeof(struct hyp_console_line)),
			 ST(SMCCC_SUCCESS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vm_console_line_printed_at_lf_with_tag),
		TEST(test_vm_console_flush_ends_open_line_only),
		TEST(test_vm_console_control_and_other_bytes),
		TEST(test_vm_console_long_line_cut),
		TEST(test_vm_console_putc),
		TEST(test_vm_console_write_in_chunks),
		TEST(test_vm_console_write_limits),
		TEST(test_vm_console_share_by_console_service),
		TEST(test_vm_console_share_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
