/**
 * Unit tests of posted writes (kernel/core/posted.c): which stores are
 * posted, what goes into the ring of the window's page and when the ring
 * refuses (full, a cons the service scribbled on, another window's writes
 * waiting, a service's store), and when an exit must wait for the service
 * to take them (posted_pending, posted_take).
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/ipc.h"
#include "arch/sysreg.h"
#include "fake_mm.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/posted.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

#define FREQ 1000000ULL /* 1 MHz: a tick is a microsecond. */
#define NOW 5000ULL
#define DR 0x000U
#define FR 0x018U
#define CR 0x030U
#define POSTS_DR (1U << (DR / 4))
#define BYTE 0x41U

static struct vm vm;
static struct vm service_vm;
static struct endpoint ep;
static struct mmio_window *win;
static struct ipc_window_page *page;
static struct vcpu *v;

/* sched.c: the EL2 timer posted_write() arms. */
static uint64_t exit_by_at;
static unsigned exit_by_calls;

void sched_exit_by(uint64_t when)
{
	exit_by_at = when;
	exit_by_calls++;
}

/* ipc.c: the message posted_take() sends. */
static struct vcpu *sent_by;
static struct endpoint *sent_to;
static struct vcpu sent_result;

struct vcpu *ipc_send(struct vcpu *sender, struct endpoint *to)
{
	sent_by = sender;
	sent_to = to;
	return &sent_result;
}

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	memset(&service_vm, 0, sizeof(service_vm));
	ep = (struct endpoint){ .service = &service_vm };
	paddr_t pa = fake_mm_init(PAGE_SIZE);

	page = mm_va(pa);
	memset(page, 0, sizeof(*page));
	win = &vm.mmio[0];
	*win = (struct mmio_window){ .base = ipa_init(0x09000000ULL),
				     .size = PAGE_SIZE,
				     .client = &vm,
				     .ep = &ep,
				     .id = 3,
				     .reads_pa = pa,
				     .posted_mask = POSTS_DR };
	vm.mmio_count = 1;
	v = &vm.vcpus[1];
	v->vm = &vm;
	v->index = 1;
	fake_sysreg_cntfrq_el0 = FREQ;
	fake_sysreg_cntpct_el0 = NOW;
	exit_by_calls = 0;
	sent_by = NULL;
	sent_to = NULL;
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	fake_mm_fini();
	return 0;
}

static void test_posted_store_goes_into_the_ring(void **unused)
{
	(void)unused;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(page->ring[0].value, BYTE);
	assert_int_equal(page->ring[0].offset, DR);
	assert_int_equal(page->ring[0].width, 1);
	assert_int_equal(page->ring[0].vcpu, 1);
	assert_int_equal(page->prod, 1);
	assert_int_equal(win->posted_prod, 1);
	assert_ptr_equal(vm.posted, win);
	/* The first write arms the bound, the next ones do not again. */
	assert_int_equal(exit_by_calls, 1);
	assert_int_equal(exit_by_at, NOW + IPC_POSTED_DELAY_US);
	assert_true(posted_write(v, win, DR + 1, 1, BYTE + 1));
	assert_int_equal(page->ring[1].offset, DR + 1);
	assert_int_equal(exit_by_calls, 1);
}

/*
 * Regression (review of the WFI change): a write after the service took
 * the ring, with the VM's posted mark still set (it is cleared only at
 * an exit), armed nothing, and a lone vCPU waiting in WFI in hardware
 * left it in the ring until its next exit. A write into an empty ring
 * arms the bound again; one behind another still waiting does not.
 */
static void test_write_after_a_take_arms_again(void **unused)
{
	(void)unused;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(exit_by_calls, 1);
	page->cons = 1;   /* the service took it; vm.posted still set */
	assert_ptr_equal(vm.posted, win);
	fake_sysreg_cntpct_el0 += 7;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(exit_by_calls, 2);
	assert_int_equal(exit_by_at, NOW + 7 + IPC_POSTED_DELAY_US);
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(exit_by_calls, 2);
}

static void test_only_named_registers_within_one_are_posted(void **unused)
{
	(void)unused;
	assert_false(posted_write(v, win, CR, 4, 0));
	assert_false(posted_write(v, win, FR, 4, 0));
	/* Past the register's four bytes: an ordinary access. */
	assert_false(posted_write(v, win, DR + 2, 4, 0));
	win->posted_mask = 1U << (IPC_POSTED_REGS - 1);
	assert_false(posted_write(v, win, IPC_POSTED_REGS * 4, 4, 0));
	assert_int_equal(page->prod, 0);
	assert_null(vm.posted);
}

static void test_full_ring_refuses(void **unused)
{
	(void)unused;
	for (uint32_t i = 0; i < IPC_POSTED_SLOTS; i++) {
		assert_true(posted_write(v, win, DR, 1, i & 0xff));
	}
	assert_false(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(win->posted_prod, IPC_POSTED_SLOTS);
	/* The service took one: room for one. */
	page->cons = 1;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(page->ring[0].value, BYTE);
	assert_false(posted_write(v, win, DR, 1, BYTE));
}

static void test_scribbled_page_cannot_move_the_kernel(void **unused)
{
	(void)unused;
	/* A cons ahead of prod is no room; a prod the service wrote is not
	 * where the kernel writes. */
	page->cons = 7;
	assert_false(posted_write(v, win, DR, 1, BYTE));
	page->cons = 0;
	page->prod = 0xdeadbeef;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(page->ring[0].value, BYTE);
	assert_int_equal(page->prod, 1);
}

static void test_other_window_waiting_or_service_refuses(void **unused)
{
	(void)unused;
	struct mmio_window other = *win;

	vm.posted = &other;
	assert_false(posted_write(v, win, DR, 1, BYTE));
	vm.posted = NULL;
	v->is_service = true;
	assert_false(posted_write(v, win, DR, 1, BYTE));
	assert_int_equal(page->prod, 0);
}

static void test_exit_waits_until_the_ring_is_taken(void **unused)
{
	(void)unused;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	assert_true(posted_pending(v));
	v->regs.x[0] = 0x1234;
	assert_ptr_equal(posted_take(v), &sent_result);
	assert_ptr_equal(sent_by, v);
	assert_ptr_equal(sent_to, &ep);
	assert_int_equal(v->ipc.kind, IPC_KIND_POSTED);
	assert_int_equal(v->ipc.msg[0], IPC_MSG_POSTED);
	assert_int_equal(v->ipc.msg[1], 3);
	/* The guest's registers are left alone. */
	assert_int_equal(v->regs.x[0], 0x1234);
	/* Taken for this exit (ipc_complete): it goes on once, and is
	 * stopped again by writes still waiting after that. */
	v->ipc.posted_taken = true;
	assert_false(posted_pending(v));
	assert_true(posted_pending(v));
	/* The service took them: nothing waits any more. */
	page->cons = 1;
	assert_false(posted_pending(v));
	assert_null(vm.posted);
}

static void test_restarted_service_forgot_the_ring(void **unused)
{
	(void)unused;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	/* ipc_forget_reads(): the new instance takes the ring itself. */
	win->posted_mask = 0;
	assert_false(posted_pending(v));
	assert_null(vm.posted);
}

static void test_store_resets_taken_flag(void **unused)
{
	(void)unused;
	v->ipc.posted_taken = true;
	assert_true(posted_write(v, win, DR, 1, BYTE));
	/* A store after the take: the next exit waits for it. */
	assert_true(posted_pending(v));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_posted_store_goes_into_the_ring),
		TEST(test_write_after_a_take_arms_again),
		TEST(test_only_named_registers_within_one_are_posted),
		TEST(test_full_ring_refuses),
		TEST(test_scribbled_page_cannot_move_the_kernel),
		TEST(test_other_window_waiting_or_service_refuses),
		TEST(test_exit_waits_until_the_ring_is_taken),
		TEST(test_restarted_service_forgot_the_ring),
		TEST(test_store_resets_taken_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
