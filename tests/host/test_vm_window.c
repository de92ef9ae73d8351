/**
 * Unit tests of a VM's emulated MMIO windows (kernel/core/vm_window.c):
 * which window an IPA falls in (base inclusive, base + size exclusive, no
 * wrap past the top of the address space), which endpoints the VM may
 * call, its distributor window and the SPIs its services drive.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "hyp/vm.h"

#define UART_BASE 0x09000000ULL
#define GICD_BASE 0x08000000ULL
#define PAGE 0x1000ULL
#define TOP_SIZE 0x2000ULL
#define TOP_BASE (UINT64_MAX - TOP_SIZE + 1)
#define UART_SPI 33
#define OTHER_SPI 34

static struct vm vm;
static struct endpoint uart_ep, gicd_ep, top_ep, unused_ep;

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	vm.mmio[0] = (struct mmio_window){ .base = ipa_init(UART_BASE),
					   .size = PAGE, .ep = &uart_ep,
					   .irq = UART_SPI };
	vm.mmio[1] = (struct mmio_window){ .base = ipa_init(GICD_BASE),
					   .size = PAGE, .ep = &gicd_ep,
					   .kernel_sgir = true };
	vm.mmio[2] = (struct mmio_window){ .base = ipa_init(TOP_BASE),
					   .size = TOP_SIZE, .ep = &top_ep };
	vm.mmio_count = 3;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

static void test_vm_window_lookup_by_ipa(void **unused)
{
	(void)unused;
	assert_ptr_equal(vm_find_mmio_window(&vm, UART_BASE), &vm.mmio[0]);
	assert_ptr_equal(vm_find_mmio_window(&vm, UART_BASE + 0x18),
			 &vm.mmio[0]);
	assert_ptr_equal(vm_find_mmio_window(&vm, GICD_BASE + 0xf00),
			 &vm.mmio[1]);
}

static void test_vm_window_edges(void **unused)
{
	(void)unused;
	/* First and last byte in, the bytes either side out. */
	assert_ptr_equal(vm_find_mmio_window(&vm, UART_BASE + PAGE - 1),
			 &vm.mmio[0]);
	assert_null(vm_find_mmio_window(&vm, UART_BASE - 1));
	assert_null(vm_find_mmio_window(&vm, UART_BASE + PAGE));
	assert_null(vm_find_mmio_window(&vm, 0));
	/* A window ending at the top of the address space: no wrap. */
	assert_ptr_equal(vm_find_mmio_window(&vm, TOP_BASE), &vm.mmio[2]);
	assert_ptr_equal(vm_find_mmio_window(&vm, UINT64_MAX), &vm.mmio[2]);
	assert_null(vm_find_mmio_window(&vm, TOP_BASE - 1));
}

static void test_vm_window_only_counted_windows(void **unused)
{
	(void)unused;
	vm.mmio_count = 1;
	assert_null(vm_find_mmio_window(&vm, GICD_BASE));
	assert_false(vm_uses_endpoint(&vm, &gicd_ep));
	vm.mmio_count = 0;
	assert_null(vm_find_mmio_window(&vm, UART_BASE));
	assert_false(vm_uses_endpoint(&vm, &uart_ep));
}

static void test_vm_window_uses_endpoint(void **unused)
{
	(void)unused;
	assert_true(vm_uses_endpoint(&vm, &uart_ep));
	assert_true(vm_uses_endpoint(&vm, &gicd_ep));
	assert_true(vm_uses_endpoint(&vm, &top_ep));
	assert_false(vm_uses_endpoint(&vm, &unused_ep));
}

static void test_vm_window_distributor(void **unused)
{
	(void)unused;
	assert_true(vm_window_distributor(&vm, &gicd_ep));
	assert_false(vm_window_distributor(&vm, &uart_ep));
	assert_false(vm_window_distributor(&vm, &unused_ep));
}

static void test_vm_window_irq(void **unused)
{
	(void)unused;
	assert_true(vm_window_irq(&vm, &uart_ep, UART_SPI));
	assert_false(vm_window_irq(&vm, &uart_ep, OTHER_SPI));
	/* Another endpoint's SPI, and irq 0 meaning none. */
	assert_false(vm_window_irq(&vm, &gicd_ep, UART_SPI));
	assert_false(vm_window_irq(&vm, &gicd_ep, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vm_window_lookup_by_ipa),
		TEST(test_vm_window_edges),
		TEST(test_vm_window_only_counted_windows),
		TEST(test_vm_window_uses_endpoint),
		TEST(test_vm_window_distributor),
		TEST(test_vm_window_irq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
