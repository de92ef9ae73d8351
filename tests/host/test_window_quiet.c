/**
 * Unit tests of quiet registers (kernel/core/window_quiet.c,
 * HYP_IPC_WINDOW_QUIET): what a service may declare, and which stores
 * complete in the kernel: exactly those that write the bytes the service's
 * page holds, within one declared register, at any width.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/ipc.h"
#include "fake_mm.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"
#include "hyp/window_quiet.h"
#include "uart/pl011_model.h"

/* A PL011 (ARM DDI 0183G 3.2): CR at 0x030, FR at 0x018, DR at 0x000. */
#define CR 0x030U
#define FR 0x018U
#define DR 0x000U
#define REG(off) (1ULL << ((off) / IPC_READS_REG_BYTES))
#define CR_HELD 0x0301U
#define WINDOW_BYTES 0x1000U

static struct vm client;
static struct vm service_vm;
static struct vcpu *svc;
static struct mmio_window *win;
static volatile uint32_t *page;

static int setup(void **unused)
{
	(void)unused;
	memset(&client, 0, sizeof(client));
	memset(&service_vm, 0, sizeof(service_vm));
	paddr_t pa = fake_mm_init(PAGE_SIZE);

	page = mm_va(pa);
	memset((void *)page, 0, PAGE_SIZE);
	page[CR / IPC_READS_REG_BYTES] = CR_HELD;
	win = &client.mmio[0];
	*win = (struct mmio_window){ .base = ipa_init(0x09000000ULL),
				     .size = WINDOW_BYTES,
				     .client = &client,
				     .ep = &service_vm.ep,
				     .reads_mask = REG(FR) | REG(CR),
				     .posted_mask = (uint32_t)REG(DR),
				     .reads_pa = pa };
	client.mmio_count = 1;
	service_vm.ep.windows[0] = win;
	service_vm.ep.window_count = 1;
	svc = &service_vm.vcpus[0];
	svc->vm = &service_vm;
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	fake_mm_fini();
	return 0;
}

static int64_t declare(uint64_t window, uint64_t mask)
{
	svc->regs.x[1] = window;
	svc->regs.x[2] = mask;
	assert_ptr_equal(window_quiet_declare(svc), svc);
	return (int64_t)svc->regs.x[0];
}

/* Only registers the kernel answers reads of, and never a posted one. */
static void test_declare_checks(void **unused)
{
	(void)unused;
	assert_int_equal(declare(1, REG(CR)), IPC_ERR_INVALID);
	assert_int_equal(declare(0, REG(CR) | REG(0x038)), IPC_ERR_INVALID);
	win->reads_mask |= REG(DR);
	assert_int_equal(declare(0, REG(DR)), IPC_ERR_INVALID);
	assert_int_equal(win->quiet_mask, 0);
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	assert_int_equal(win->quiet_mask, REG(CR));
	assert_int_equal(declare(0, 0), IPC_OK);
	assert_int_equal(win->quiet_mask, 0);
}

/* The value held, at word and halfword width (Linux's PL011 driver writes
 * CR with a halfword): quiet. */
static void test_store_of_held_value_is_quiet(void **unused)
{
	(void)unused;
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	assert_true(window_quiet_store(win, CR, 4, CR_HELD));
	assert_true(window_quiet_store(win, CR, 2, CR_HELD));
	/* Bits above the width are not stored. */
	assert_true(window_quiet_store(win, CR, 2, 0xffff0000U | CR_HELD));
	/* A byte: only when the word is that byte. */
	page[CR / IPC_READS_REG_BYTES] = 0x01;
	assert_true(window_quiet_store(win, CR, 1, 0x01));
}

/* Anything else is an ordinary access: another value, other bytes,
 * another register, past the word, a register not declared. */
static void test_other_stores_go_to_the_service(void **unused)
{
	(void)unused;
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	assert_false(window_quiet_store(win, CR, 4, CR_HELD | 0x80));
	assert_false(window_quiet_store(win, CR, 4, 0x10000U | CR_HELD));
	assert_false(window_quiet_store(win, CR, 1, CR_HELD >> 8));
	/* A byte equal to the low byte: a PL011 writes it zero-extended over
	 * the whole register (found by review). */
	assert_false(window_quiet_store(win, CR, 1, CR_HELD & 0xff));
	/* Not at the register's first byte. */
	assert_false(window_quiet_store(win, CR + 1, 1, CR_HELD >> 8));
	assert_false(window_quiet_store(win, CR + 2, 2, 0));
	assert_false(window_quiet_store(win, CR + 2, 4, 0));
	assert_false(window_quiet_store(win, CR + 3, 2, 0));
	assert_false(window_quiet_store(win, CR, 8, CR_HELD));
	assert_false(window_quiet_store(win, CR, 0, 0));
	/* FR holds 0 and is answered, but not declared quiet. */
	assert_false(window_quiet_store(win, FR, 4, 0));
	assert_false(window_quiet_store(win, WINDOW_BYTES - 4, 4, 0));
	assert_false(window_quiet_store(win, UINT64_MAX - 3, 4, 0));
}

/* Narrower than the reads the page answers: a message. */
static void test_narrower_than_answered_reads(void **unused)
{
	(void)unused;
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	win->reads_min_bytes = 4;
	assert_false(window_quiet_store(win, CR, 2, CR_HELD));
	assert_true(window_quiet_store(win, CR, 4, CR_HELD));
}

/* The rule against the PL011 model the UART service runs: wherever the
 * kernel would complete a store to CR, the model, given it, accepts it and
 * leaves CR as it was (services/uart/pl011_model.c). */
static void test_agrees_with_the_pl011_model(void **unused)
{
	static const uint32_t values[] = { 0,	   0x01,       0x0301, 0x0300,
					   0x01ff, 0xffff0301, 0xffff, 0x8301 };
	static const uint32_t held[] = { 0x0301, 0x0001, 0x0000, 0xff01 };
	struct pl011_model m;
	unsigned quiet = 0;

	(void)unused;
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	for (size_t h = 0; h < sizeof(held) / sizeof(held[0]); h++) {
		for (uint64_t at = 0; at < IPC_READS_REG_BYTES; at++) {
			for (uint8_t width = 1; width <= 4; width *= 2) {
				for (size_t i = 0;
				     i < sizeof(values) / sizeof(values[0]);
				     i++) {
					pl011_model_init(&m, NULL, NULL);
					assert_int_equal(
						pl011_model_write(&m, CR, 4,
								  held[h]),
						0);
					page[CR / IPC_READS_REG_BYTES] =
						pl011_model_cr(&m);
					if (!window_quiet_store(win, CR + at,
								width,
								values[i])) {
						continue;
					}
					quiet++;
					assert_int_equal(
						pl011_model_write(&m, CR + at,
								  width,
								  values[i]),
						0);
					assert_int_equal(pl011_model_cr(&m),
							 held[h]);
				}
			}
		}
	}
	/* Some were quiet: word and halfword stores of the held value. */
	assert_true(quiet >= 8);
}

/* The page changes (the service published a write): so does the answer. */
static void test_follows_the_page(void **unused)
{
	(void)unused;
	assert_int_equal(declare(0, REG(CR)), IPC_OK);
	page[CR / IPC_READS_REG_BYTES] = 0x0101U;
	assert_false(window_quiet_store(win, CR, 4, CR_HELD));
	assert_true(window_quiet_store(win, CR, 4, 0x0101U));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_declare_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_store_of_held_value_is_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_other_stores_go_to_the_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follows_the_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_narrower_than_answered_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_agrees_with_the_pl011_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
