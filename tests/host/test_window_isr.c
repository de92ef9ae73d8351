/**
 * Unit tests of the interrupt status registers the kernel keeps for a
 * service (kernel/core/window_isr.c, HYP_IPC_WINDOW_ISR and
 * HYP_IPC_ISR_UPDATE): what a service may declare, the write-1-to-clear
 * acknowledge a client's store completes, the word in the shadow page, and
 * the interrupt line following the word, changed only when it must.
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
#include "hyp/bitmap.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/window_isr.h"

/* virtio-mmio's registers (virtio 1.2 4.2.2), a window of 0x200 bytes. */
#define STATUS 0x060U
#define ACK 0x064U
#define WINDOW_BYTES 0x200U
#define SPI 48U
#define USED_BUFFER 0x1U
#define CONFIG_CHANGE 0x2U

static struct vm client;
static struct vm service_vm;
static struct vcpu *svc;
static struct mmio_window *win;
static volatile uint32_t *page;

/* vgic.c: the line the kernel drives. */
static unsigned line_calls;
static struct vm *line_vm;
static uint32_t line_intid;
static bool line_level;

void vgic_line_set(struct vm *vm, uint32_t intid, bool level)
{
	line_calls++;
	line_vm = vm;
	line_intid = intid;
	line_level = level;
	bitmap_assign(vm->vgic.spi_level, intid, level);
}

static int setup(void **unused)
{
	(void)unused;
	memset(&client, 0, sizeof(client));
	memset(&service_vm, 0, sizeof(service_vm));
	paddr_t pa = fake_mm_init(PAGE_SIZE);

	page = mm_va(pa);
	memset((void *)page, 0, PAGE_SIZE);
	win = &client.mmio[0];
	*win = (struct mmio_window){ .base = ipa_init(0x0a003e00ULL),
				     .size = WINDOW_BYTES,
				     .client = &client,
				     .ep = &service_vm.ep,
				     .id = 0,
				     .irq = SPI,
				     .shadow_ipa = 0x20400000ULL,
				     .shadow_pa = pa };
	client.mmio_count = 1;
	service_vm.ep.windows[0] = win;
	service_vm.ep.window_count = 1;
	svc = &service_vm.vcpus[0];
	svc->vm = &service_vm;
	line_calls = 0;
	line_vm = NULL;
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	fake_mm_fini();
	return 0;
}

static int64_t call(struct vcpu *(*fn)(struct vcpu *), uint64_t x1, uint64_t x2,
		    uint64_t x3)
{
	svc->regs.x[1] = x1;
	svc->regs.x[2] = x2;
	svc->regs.x[3] = x3;
	assert_ptr_equal(fn(svc), svc);
	return (int64_t)svc->regs.x[0];
}

static int64_t declare(uint64_t status, uint64_t ack)
{
	return call(window_isr_declare, 0, status, ack);
}

/* HYP_IPC_ISR_UPDATE; returns the word it answers. */
static uint32_t update(uint32_t set, uint32_t clear)
{
	assert_int_equal(call(window_isr_update, 0, set, clear), IPC_OK);
	return (uint32_t)svc->regs.x[1];
}

static void test_declare_checks(void **unused)
{
	(void)unused;
	/* No such window. */
	assert_int_equal(call(window_isr_declare, 1, STATUS, ACK),
			 IPC_ERR_INVALID);
	/* Unaligned, or outside the page or the window. */
	assert_int_equal(declare(STATUS + 1, ACK), IPC_ERR_INVALID);
	assert_int_equal(declare(STATUS, ACK + 2), IPC_ERR_INVALID);
	assert_int_equal(declare(PAGE_SIZE, ACK), IPC_ERR_INVALID);
	assert_int_equal(declare(STATUS, WINDOW_BYTES), IPC_ERR_INVALID);
	/* A larger window: the acknowledge must still be in the page. */
	win->size = 2 * PAGE_SIZE;
	assert_int_equal(declare(STATUS, PAGE_SIZE + ACK), IPC_ERR_INVALID);
	win->size = WINDOW_BYTES;
	assert_int_equal(declare(STATUS, IPC_ISR_NONE), IPC_ERR_INVALID);
	/* A window with no shadow page or no interrupt has nothing to keep. */
	win->shadow_ipa = 0;
	assert_int_equal(declare(STATUS, ACK), IPC_ERR_INVALID);
	win->shadow_ipa = 0x20400000ULL;
	win->irq = 0;
	assert_int_equal(declare(STATUS, ACK), IPC_ERR_INVALID);
	assert_false(win->isr_kept);
	assert_int_equal(line_calls, 0);
	/* Nothing kept: no update either. */
	assert_int_equal(call(window_isr_update, 0, USED_BUFFER, 0),
			 IPC_ERR_INVALID);
	assert_int_equal(page[STATUS / 4], 0);
}

static void test_declare_makes_the_line_follow_the_word(void **unused)
{
	(void)unused;
	/* A word left set by the service before (a restart): the line is
	 * asserted to match it. */
	page[STATUS / 4] = USED_BUFFER;
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	assert_true(win->isr_kept);
	assert_int_equal(line_calls, 1);
	assert_ptr_equal(line_vm, &client);
	assert_int_equal(line_intid, SPI);
	assert_true(line_level);
	/* Given back: the kernel forgets it, the word stays. */
	assert_int_equal(declare(IPC_ISR_NONE, IPC_ISR_NONE), IPC_OK);
	assert_false(win->isr_kept);
	assert_int_equal(page[STATUS / 4], USED_BUFFER);
	assert_false(window_isr_ack(win, ACK, 4, USED_BUFFER));
	assert_int_equal(page[STATUS / 4], USED_BUFFER);
}

/* A line already up for the word is not asserted again (that would make
 * the interrupt pending again: a restarted service re-declaring). */
static void test_declare_leaves_a_matching_line(void **unused)
{
	(void)unused;
	page[STATUS / 4] = USED_BUFFER;
	bitmap_assign(client.vgic.spi_level, SPI, true);
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	assert_int_equal(line_calls, 0);
}

/* A line the service raised itself (HYP_IRQ_LEVEL) with the word 0: the
 * next change of the word brings it down, no interrupt storm. */
static void test_stray_line_follows_the_word(void **unused)
{
	(void)unused;
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	bitmap_assign(client.vgic.spi_level, SPI, true);
	assert_true(window_isr_ack(win, ACK, 4, 0));
	assert_int_equal(line_calls, 1);
	assert_false(line_level);
}

static void test_ack_clears_the_bits_it_writes(void **unused)
{
	(void)unused;
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	assert_int_equal(update(USED_BUFFER | CONFIG_CHANGE, 0),
			 USED_BUFFER | CONFIG_CHANGE);
	assert_int_equal(page[STATUS / 4], USED_BUFFER | CONFIG_CHANGE);
	assert_true(line_level);
	line_calls = 0;
	/* One bit acknowledged: the other keeps the line up, and the
	 * interrupt pending again for when the guest completes the one it
	 * handles (found by review: the word stayed set with nothing to say
	 * so). */
	assert_true(window_isr_ack(win, ACK, 4, USED_BUFFER));
	assert_int_equal(page[STATUS / 4], CONFIG_CHANGE);
	assert_int_equal(line_calls, 1);
	assert_true(line_level);
	/* Acknowledging a bit that is not set: the same. */
	assert_true(window_isr_ack(win, ACK, 4, USED_BUFFER));
	assert_int_equal(page[STATUS / 4], CONFIG_CHANGE);
	assert_int_equal(line_calls, 2);
	assert_true(line_level);
	/* The last one lowers it. */
	assert_true(window_isr_ack(win, ACK, 4, UINT64_MAX));
	assert_int_equal(page[STATUS / 4], 0);
	assert_int_equal(line_calls, 3);
	assert_false(line_level);
}

static void test_only_a_word_store_to_ack_is_kept(void **unused)
{
	(void)unused;
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	(void)update(USED_BUFFER, 0);
	/* Other registers, narrower stores: ordinary accesses. */
	assert_false(window_isr_ack(win, STATUS, 4, USED_BUFFER));
	assert_false(window_isr_ack(win, ACK, 1, USED_BUFFER));
	assert_false(window_isr_ack(win, ACK, 2, USED_BUFFER));
	assert_false(window_isr_ack(win, ACK + 4, 4, USED_BUFFER));
	assert_int_equal(page[STATUS / 4], USED_BUFFER);
}

static void test_update_sets_and_clears(void **unused)
{
	(void)unused;
	assert_int_equal(declare(STATUS, ACK), IPC_OK);
	line_calls = 0;
	/* Raising a bit asserts the line once; raising it again (the guest
	 * has not acknowledged yet) leaves it: a level interrupt stays
	 * pending while its line is up. */
	assert_int_equal(update(USED_BUFFER, 0), USED_BUFFER);
	assert_int_equal(line_calls, 1);
	assert_true(line_level);
	assert_int_equal(update(USED_BUFFER, 0), USED_BUFFER);
	assert_int_equal(line_calls, 1);
	/* Clear comes before set: a reset that raises nothing lowers it. */
	assert_int_equal(update(CONFIG_CHANGE, USED_BUFFER | CONFIG_CHANGE),
			 CONFIG_CHANGE);
	assert_int_equal(line_calls, 1);
	assert_int_equal(update(0, UINT32_MAX), 0);
	assert_int_equal(line_calls, 2);
	assert_false(line_level);
	assert_int_equal(page[STATUS / 4], 0);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_declare_checks),
		TEST(test_declare_makes_the_line_follow_the_word),
		TEST(test_declare_leaves_a_matching_line),
		TEST(test_stray_line_follows_the_word),
		TEST(test_ack_clears_the_bits_it_writes),
		TEST(test_only_a_word_store_to_ack_is_kept),
		TEST(test_update_sets_and_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
