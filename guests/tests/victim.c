/**
 * Hostile-guest suite, the bystander: a guest that never exits and prints
 * "victim: alive N" about every 100 ms (busy-waiting on the virtual
 * counter), while the "test" guest of the same scenario attacks the
 * hypervisor. Each heartbeat also checks what the attacker must not reach:
 * a canary in the victim's RAM at the IPA where the attacker writes its own
 * pattern (separate Stage-2 spaces), and a value the victim keeps in
 * DBGBVR1_EL1 (a debug register the attacker also writes; the EL1 state of
 * a guest must not leak into another guest sharing its CPU).
 */
#include <stdint.h>

#include "guest/sysreg.h"
#include "guest/test.h"

/* Shared with hostile.c: the attacker writes its own pattern here. */
#define CANARY_IPA 0x40800000UL
#define CANARY_WORDS 1024U
#define CANARY_PATTERN(i) (0x7a11ed0000000000ULL | (uint64_t)(i))
/* DBGBVR<n>_EL1 (D13.3.2): a VA, bits [1:0] RES0. */
#define VICTIM_DBG_SECRET 0x40c0ffecULL
#define HEARTBEATS_PER_SECOND 10U

static uint64_t now(void)
{
	return read_sysreg(cntvct_el0);
}

static void canary_fill(void)
{
	volatile uint64_t *c = (volatile uint64_t *)CANARY_IPA;

	for (uint32_t i = 0; i < CANARY_WORDS; i++) {
		c[i] = CANARY_PATTERN(i);
	}
}

/* Index of the first corrupted canary word, or CANARY_WORDS. */
static uint32_t canary_check(void)
{
	volatile uint64_t *c = (volatile uint64_t *)CANARY_IPA;

	for (uint32_t i = 0; i < CANARY_WORDS; i++) {
		if (c[i] != CANARY_PATTERN(i)) {
			return i;
		}
	}
	return CANARY_WORDS;
}

static void check_state(void)
{
	uint32_t bad = canary_check();
	uint64_t dbg = read_sysreg(dbgbvr1_el1);

	if (bad != CANARY_WORDS) {
		printf("victim: CANARY CORRUPTED at word %u: 0x%llx\n", bad,
		       (unsigned long long)((volatile uint64_t *)CANARY_IPA)[bad]);
		canary_fill();
	}
	if (dbg != VICTIM_DBG_SECRET) {
		printf("victim: DBGBVR1_EL1 CHANGED under me: 0x%llx\n",
		       (unsigned long long)dbg);
		write_sysreg(dbgbvr1_el1, VICTIM_DBG_SECRET);
		isb();
	}
}

void test_main(void)
{
	uint64_t period = read_sysreg(cntfrq_el0) / HEARTBEATS_PER_SECOND;
	uint64_t next = now() + period;

	canary_fill();
	write_sysreg(dbgbvr1_el1, VICTIM_DBG_SECRET);
	isb();
	printf("victim: started\n");
	for (uint32_t n = 1;; n++) {
		while (now() < next) {
		}
		next += period;
		if (now() > next + period) {
			next = now() + period;  /* descheduled for long: catch up */
		}
		check_state();
		printf("victim: alive %u\n", n);
	}
}
