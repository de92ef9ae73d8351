/**
 * cmocka tests of the register shadow page of a virtio-mmio window
 * (libipc/src/virtio_shadow.c, ipc/virtio.h): after random sequences of
 * register writes and device events, every 32-bit read through the
 * forwarded path (virtio_mmio_access()) equals the page's word, and the
 * page is current whenever the interrupt line is told.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_ipc_isr.h"
#include "ipc/virtio.h"

/* libipc internal (virtio_queue.h): a used-buffer interrupt. */
void virtio_raise(struct virtio_dev *d, uint32_t bits);

#define GPA_BASE 0x40000000ULL
#define MEM_SIZE 0x10000U
#define MEM_ALIGN 4096U
#define QMAX 16U
#define QCOUNT 2U
#define DEVICE_ID 2U
#define DEV_FEATURE (1ULL << 5)
#define CONFIG_SIZE 8U
/** A configuration space that ends inside a word (read by bytes). */
#define CONFIG_SIZE_TAIL 6U
#define WORD 4U
#define WORDS (VIRTIO_SHADOW_BYTES / WORD)
#define STEPS 4000U
#define SEEDS 8U
#define FILL 0xa5a5a5a5U

static uint8_t *mem;
static struct virtio_gmem gmem;
static struct virtio_state state;
static struct virtio_dev dev;
static uint32_t page[WORDS];
static uint8_t config[CONFIG_SIZE];
static unsigned int irq_checks;
static unsigned int running_steps;

static uint32_t cfg_read(void *ctx, uint32_t off, uint8_t width)
{
	uint32_t v = 0;

	(void)ctx;
	memcpy(&v, &config[off], width);
	return v;
}

static void cfg_write(void *ctx, uint32_t off, uint8_t width, uint32_t value)
{
	(void)ctx;
	memcpy(&config[off], &value, width);
}

/* The line is told only once the page shows why. */
static void set_irq(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
	if (dev.shadow != NULL) {
		assert_int_equal(page[VIRTIO_MMIO_INTERRUPT_STATUS / WORD],
				 state.interrupt_status);
		assert_int_equal(page[VIRTIO_MMIO_STATUS / WORD], state.status);
		irq_checks++;
	}
}

static struct virtio_dev_ops ops = {
	.device_id = DEVICE_ID,
	.features = DEV_FEATURE | VIRTIO_F_INDIRECT_DESC,
	.queue_count = QCOUNT,
	.queue_max = QMAX,
	.config_size = CONFIG_SIZE,
	.config_read = cfg_read,
	.config_write = cfg_write,
	.set_irq = set_irq,
};

static int setup(void **st)
{
	(void)st;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	assert_non_null(mem);
	memset(mem, 0, MEM_SIZE);
	memset(config, 0, sizeof(config));
	irq_checks = 0;
	ops.config_size = CONFIG_SIZE;
	virtio_gmem_init(&gmem);
	assert_int_equal(virtio_gmem_add(&gmem, GPA_BASE, MEM_SIZE, mem),
			 IPC_OK);
	memset(&state, 0, sizeof(state));
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	virtio_dev_reset(&dev);
	for (uint32_t i = 0; i < WORDS; i++) {
		page[i] = FILL;
	}
	virtio_dev_shadow(&dev, page);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	free(mem);
	return 0;
}

static uint64_t access(uint64_t off, uint8_t width, bool write, uint64_t value)
{
	struct ipc_mmio_access a = {
		.offset = off, .width = width, .write = write, .value = value
	};

	assert_int_equal(virtio_mmio_access(&dev, &a), IPC_OK);
	return a.value;
}

/* Every word of the page is what a forwarded 32-bit read answers; the
 * configuration bytes are what byte reads answer. */
static void check_page(void)
{
	const uint8_t *bytes = (const uint8_t *)page;

	for (uint32_t off = 0; off < VIRTIO_SHADOW_BYTES; off += WORD) {
		if (off >= VIRTIO_MMIO_CONFIG +
				    (ops.config_size & ~(WORD - 1U)) &&
		    off < VIRTIO_MMIO_CONFIG + ops.config_size) {
			continue; /* a partial word: its bytes below */
		}
		if (page[off / WORD] != (uint32_t)access(off, WORD, false, 0)) {
			fail_msg("shadow word at 0x%x is 0x%x, a read gives "
				 "0x%x",
				 off, page[off / WORD],
				 (uint32_t)access(off, WORD, false, 0));
		}
	}
	for (uint32_t b = 0; b < ops.config_size; b++) {
		assert_int_equal(bytes[VIRTIO_MMIO_CONFIG + b],
				 access(VIRTIO_MMIO_CONFIG + b, 1, false, 0));
	}
}

/** The registers a driver writes, and values that reach their paths. */
static const uint32_t write_regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_DRIVER_LOW,
	VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
	VIRTIO_MMIO_QUEUE_DEVICE_LOW,
	VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
	VIRTIO_MMIO_MAGIC_VALUE,
	VIRTIO_MMIO_CONFIG,
	VIRTIO_MMIO_CONFIG + WORD,
};

static uint32_t value_for(uint32_t reg)
{
	static const uint32_t status[] = {
		0,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK,
		VIRTIO_STATUS_DRIVER_OK,
	};

	switch (reg) {
	case VIRTIO_MMIO_STATUS:
		return status[(unsigned)rand() %
			      (sizeof(status) / sizeof(status[0]))];
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
		return (uint32_t)rand() % 3U;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		return rand() % 2 ? 1U : (uint32_t)DEV_FEATURE;
	case VIRTIO_MMIO_QUEUE_NUM:
		return 1U << ((unsigned)rand() % 5U);
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return rand() % 4 ? 0U : (uint32_t)rand();
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return (uint32_t)GPA_BASE + 0x1000U * ((unsigned)rand() % 4U);
	default:
		return (uint32_t)rand();
	}
}

/* A driver's initialisation (§3.1.1), the page checked after each write. */
static void driver_init(void)
{
	static const uint32_t seq[][2] = {
		{ VIRTIO_MMIO_STATUS, 0 },
		{ VIRTIO_MMIO_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER },
		{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1 },
		{ VIRTIO_MMIO_DRIVER_FEATURES, 1 }, /* VIRTIO_F_VERSION_1 */
		{ VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
					      VIRTIO_STATUS_DRIVER |
					      VIRTIO_STATUS_FEATURES_OK },
		{ VIRTIO_MMIO_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK },
	};

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		(void)access(seq[i][0], WORD, true, seq[i][1]);
		check_page();
	}
}

/* One random step: a register write (forwarded) or a device event. */
static void step(void)
{
	unsigned pick = (unsigned)rand() % 100U;

	if (pick < 5U) {
		driver_init();
	} else if (pick < 80U) {
		uint32_t reg =
			write_regs[(unsigned)rand() % (sizeof(write_regs) /
						       sizeof(write_regs[0]))];

		(void)access(reg, WORD, true, value_for(reg));
	} else if (pick < 88U) {
		virtio_raise(&dev, VIRTIO_INT_VRING);
	} else if (pick < 93U) {
		config[(unsigned)rand() % CONFIG_SIZE] = (uint8_t)rand();
		virtio_config_changed(&dev);
	} else if (pick < 95U) {
		virtio_dev_fail(&dev, VIRTIO_FAULT_RING_RANGE);
	} else {
		virtio_dev_reset(&dev); /* a client's reset */
	}
}

static void run_random(unsigned seed)
{
	srand(seed);
	for (unsigned i = 0; i < STEPS; i++) {
		step();
		check_page();
		running_steps += virtio_dev_running(&dev) ? 1U : 0U;
	}
}

static void test_virtio_shadow_attach_writes_page(void **st)
{
	(void)st;
	check_page();
	assert_int_equal(page[VIRTIO_MMIO_MAGIC_VALUE / WORD],
			 VIRTIO_MMIO_MAGIC);
	assert_int_equal(page[VIRTIO_MMIO_DEVICE_ID / WORD], DEVICE_ID);
	assert_int_equal(page[VIRTIO_MMIO_QUEUE_NUM_MAX / WORD], QMAX);
}

static void test_virtio_shadow_random_writes_and_events(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		run_random(seed);
	}
	/* The walk reached the interrupt line, checked each time, and a
	 * running device. */
	assert_true(irq_checks > 100U);
	assert_true(running_steps > 100U);
}

static void test_virtio_shadow_config_tail_bytes(void **st)
{
	(void)st;
	ops.config_size = CONFIG_SIZE_TAIL;
	memcpy(config, "\x01\x02\x03\x04\x05\x06", CONFIG_SIZE_TAIL);
	virtio_config_changed(&dev);
	check_page();
	assert_int_equal(page[(VIRTIO_MMIO_CONFIG + WORD) / WORD], 0x0605U);
	run_random(SEEDS + 1U);
}

/* A restarted service attaches the page again over a state kept in its
 * RAM: the whole page is rewritten, whatever it held. */
static void test_virtio_shadow_restart_rewrites_page(void **st)
{
	(void)st;
	run_random(SEEDS + 2U);
	for (uint32_t i = 0; i < WORDS; i++) {
		page[i] = (uint32_t)rand();
	}
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	assert_null(dev.shadow);
	virtio_dev_shadow(&dev, page);
	check_page();
}

static void test_virtio_shadow_placeholder(void **st)
{
	(void)st;
	virtio_shadow_placeholder(page);
	assert_int_equal(page[0], VIRTIO_MMIO_MAGIC);
	assert_int_equal(page[1], VIRTIO_MMIO_VERSION_2);
	for (uint32_t i = 2; i < WORDS; i++) {
		assert_int_equal(page[i], 0);
	}
}

/* Without a page nothing is written. */
static void test_virtio_shadow_none(void **st)
{
	(void)st;
	virtio_dev_shadow(&dev, NULL);
	page[VIRTIO_MMIO_STATUS / WORD] = FILL;
	(void)access(VIRTIO_MMIO_STATUS, WORD, true, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_raise(&dev, VIRTIO_INT_VRING);
	assert_int_equal(page[VIRTIO_MMIO_STATUS / WORD], FILL);
}

/* The window the kernel-kept tests give (any number the fake sees back). */
#define KEPT_WINDOW 3U
#define ISR_WORD (VIRTIO_MMIO_INTERRUPT_STATUS / WORD)

/* A (re)start that gives the kernel InterruptStatus (virtio_dev_kernel_isr),
 * the fake kernel having forgotten it as a restart does. */
static void start_kernel_isr(void)
{
	fake_isr.kept = false;
	fake_isr.page = page;
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	virtio_dev_kernel_isr(&dev, KEPT_WINDOW);
	virtio_dev_shadow(&dev, page);
}

/* The kernel keeps the word: the client's InterruptACK changes it without
 * the service, which never writes it back from its (stale) copy. */
static void test_virtio_shadow_kernel_keeps_isr(void **st)
{
	(void)st;
	fake_isr_reset();
	start_kernel_isr();
	assert_true(fake_isr.kept);
	assert_int_equal(fake_isr.window, KEPT_WINDOW);
	assert_int_equal(fake_isr.status, VIRTIO_MMIO_INTERRUPT_STATUS);
	assert_int_equal(fake_isr.ack, VIRTIO_MMIO_INTERRUPT_ACK);
	irq_checks = 0;
	virtio_raise(&dev, VIRTIO_INT_VRING);
	assert_int_equal(page[ISR_WORD], VIRTIO_INT_VRING);
	assert_true(fake_isr.line);
	/* The kernel drives the line: the device's set_irq is not told. */
	assert_int_equal(irq_checks, 0);
	fake_isr_client_ack(VIRTIO_INT_VRING);
	assert_int_equal(page[ISR_WORD], 0);
	assert_false(fake_isr.line);
	/* The state's copy still says 1: neither a full rewrite of the page
	 * nor the next interrupt's may put it back. */
	virtio_shadow_sync(&dev);
	assert_int_equal(page[ISR_WORD], 0);
	assert_int_equal(access(VIRTIO_MMIO_INTERRUPT_STATUS, WORD, false, 0), 0);
	virtio_raise(&dev, VIRTIO_INT_CONFIG);
	assert_int_equal(page[ISR_WORD], VIRTIO_INT_CONFIG);
	/* An acknowledge that still reaches the service (sent before the
	 * kernel took the register) goes to the kernel's word. */
	virtio_raise(&dev, VIRTIO_INT_VRING);
	(void)access(VIRTIO_MMIO_INTERRUPT_ACK, WORD, true, VIRTIO_INT_CONFIG);
	assert_int_equal(page[ISR_WORD], VIRTIO_INT_VRING);
	assert_true(fake_isr.line);
	/* A reset (Status 0) lowers it. */
	(void)access(VIRTIO_MMIO_STATUS, WORD, true, 0);
	assert_int_equal(page[ISR_WORD], 0);
	assert_false(fake_isr.line);
	assert_int_equal(irq_checks, 0);
}

/* A restarted service takes the word the kernel kept, not its state's. */
static void test_virtio_shadow_kernel_isr_restart(void **st)
{
	(void)st;
	fake_isr_reset();
	start_kernel_isr();
	virtio_raise(&dev, VIRTIO_INT_VRING);
	fake_isr_client_ack(VIRTIO_INT_VRING);
	assert_int_equal(state.interrupt_status, VIRTIO_INT_VRING);
	start_kernel_isr();
	assert_true(fake_isr.kept);
	assert_int_equal(state.interrupt_status, 0);
	assert_int_equal(page[ISR_WORD], 0);
	assert_false(fake_isr.line);
	/* And the other way: a word set while the state says 0. */
	page[ISR_WORD] = VIRTIO_INT_CONFIG;
	start_kernel_isr();
	assert_int_equal(state.interrupt_status, VIRTIO_INT_CONFIG);
	assert_int_equal(page[ISR_WORD], VIRTIO_INT_CONFIG);
	assert_true(fake_isr.line);
}

/* QueueNotify becomes a doorbell only with a shadow page (the kernel's
 * rule too), at its register's offset, for the window given. */
static void test_virtio_shadow_kernel_doorbell(void **st)
{
	(void)st;
	fake_isr_reset();
	fake_isr.page = page;
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	assert_int_equal(virtio_dev_kernel_doorbell(&dev, KEPT_WINDOW),
			 IPC_ERR_INVALID);
	virtio_dev_shadow(&dev, page);
	assert_int_equal(virtio_dev_kernel_doorbell(&dev, KEPT_WINDOW), IPC_OK);
	assert_int_equal(fake_isr.doorbell_window, KEPT_WINDOW);
	assert_int_equal(fake_isr.doorbell, VIRTIO_MMIO_QUEUE_NOTIFY);
	fake_isr.refuse = true;
	assert_int_equal(virtio_dev_kernel_doorbell(&dev, KEPT_WINDOW),
			 IPC_ERR_INVALID);
}

/* A kernel that refuses: the library keeps the register, as before. */
static void test_virtio_shadow_kernel_isr_refused(void **st)
{
	(void)st;
	fake_isr_reset();
	fake_isr.refuse = true;
	start_kernel_isr();
	assert_false(fake_isr.kept);
	assert_false(dev.isr_kernel);
	irq_checks = 0;
	virtio_raise(&dev, VIRTIO_INT_VRING);
	assert_int_equal(irq_checks, 1);
	assert_int_equal(page[ISR_WORD], VIRTIO_INT_VRING);
	check_page();
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_shadow_attach_writes_page),
		T(test_virtio_shadow_random_writes_and_events),
		T(test_virtio_shadow_config_tail_bytes),
		T(test_virtio_shadow_restart_rewrites_page),
		T(test_virtio_shadow_placeholder),
		T(test_virtio_shadow_none),
		T(test_virtio_shadow_kernel_keeps_isr),
		T(test_virtio_shadow_kernel_isr_restart),
		T(test_virtio_shadow_kernel_isr_refused),
		T(test_virtio_shadow_kernel_doorbell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
