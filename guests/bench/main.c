/**
 * Benchmark guest (shared/MEASURE.md). Under QEMU -icount shift=0 the cycle
 * counter advances by exactly one per executed instruction at every
 * exception level once PMCCFILTR_EL0.NSH lets it count EL2. Each operation
 * runs BENCH_ITERATIONS times in a loop; the same loop without the
 * operation is subtracted, so a figure is every instruction from the
 * guest's operation to its next instruction: kernel, IPC and service
 * included. Results go to the debug console as
 *     BENCH <name> <cycles with op> <cycles of empty loop> <iterations>
 */
#include <stdint.h>

#include "abi/hypercall.h"
#include "guest/console.h"
#include "guest/smccc.h"
#include "guest/gic.h"
#include "guest/sysreg.h"

#define BENCH_ITERATIONS 1000
#define IRQ_ITERATIONS 100
#define UART 0x09000000UL
#define UART_DR 0x000
#define BENCH_PRINTABLE_BYTE 0x20
#define UART_FR 0x018
#define UART_CR 0x030
#define UART_IMSC 0x038
/* UARTCR as the service holds it after reset: UARTEN, TXE, RXE. */
#define UART_CR_HELD 0x301
/* Interrupt clear: a write of 0 clears nothing, but it is a write, which
 * the UART service serves only after the posted DR writes before it. */
#define UART_ICR 0x044
#define GICD_TYPER_ADDR (GUEST_GICD + GICD_TYPER)
#define GICD_IPRIORITYR0_ADDR (GUEST_GICD + GICD_IPRIORITYR)
#define VTIMER_INTID 27
#define CNT_CTL_ENABLE 1ULL

/* PMU fields (Arm ARM D13.3): PMCR_EL0.E [0], .C [2] (reset cycle
 * counter); PMCNTENSET_EL0.C [31]; PMCCFILTR_EL0.NSH [27] counts EL2. */
#define PMCR_E (1ULL << 0)
#define PMCR_C (1ULL << 2)
#define PMCNTEN_C (1ULL << 31)
#define PMCCFILTR_NSH (1ULL << 27)

static void pmu_start(void)
{
	write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH);
	write_sysreg(pmcntenset_el0, PMCNTEN_C);
	write_sysreg(pmcr_el0, PMCR_E | PMCR_C);
	isb();
}

/*
 * One loop of n iterations around @p insn, counted. x0 holds @p x0 before
 * every iteration (a function ID for calls), x1 = @p x1 (an address).
 */
#define BENCH_LOOP(insn, x0v, x1v, n)                                          \
	({                                                                     \
		uint64_t __t0, __t1;                                           \
		register uint64_t __x0 __asm__("x0");                          \
		register uint64_t __x1 __asm__("x1") = (x1v);                  \
		register uint64_t __x2 __asm__("x2") = (n);                    \
		register uint64_t __x3 __asm__("x3") = (x0v);                  \
		__asm__ volatile("isb\n"                                       \
				 "mrs %[t0], pmccntr_el0\n"                    \
				 "1: mov x0, x3\n" insn "\n"                   \
				 "subs x2, x2, #1\n"                           \
				 "b.ne 1b\n"                                   \
				 "mrs %[t1], pmccntr_el0\n"                    \
				 : [t0] "=&r"(__t0), [t1] "=&r"(__t1),         \
				   "=&r"(__x0), "+r"(__x1), "+r"(__x2)         \
				 : "r"(__x3)                                   \
				 : "x4", "x5", "x6", "x7", "memory");          \
		(void)__x0;                                                    \
		__t1 - __t0;                                                   \
	})

extern char bench_vectors[];
extern volatile uint64_t bench_irq_t1, bench_eoi_cycles, bench_irq_count;

/*
 * Virtual timer interrupt delivery: from the instruction that makes the
 * timer condition true (CNTV_CTL.ENABLE with CVAL 0) to the first
 * instruction of the guest's IRQ vector. Also the cost of the EOIR store
 * that completes it. Returns the total over @p n interrupts.
 */
static uint64_t bench_timer_irq(uint32_t n, uint64_t *eoi_total)
{
	uint64_t total = 0;

	*eoi_total = 0;
	gic_setup(0xf0);
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(vbar_el1, (uint64_t)(uintptr_t)bench_vectors);
	isb();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t0, before = bench_irq_count;

		write_sysreg(cntv_cval_el0, 0);
		__asm__ volatile("msr daifclr, #2\n"
				 "isb\n"
				 "mrs %0, pmccntr_el0\n"
				 "msr cntv_ctl_el0, %1\n"
				 "1: ldr x9, [%2]\n"
				 "cmp x9, %3\n"
				 "b.eq 1b\n"
				 "msr daifset, #2\n"
				 : "=&r"(t0)
				 : "r"(CNT_CTL_ENABLE), "r"(&bench_irq_count),
				   "r"(before)
				 : "x9", "x10", "x11", "x12", "x13", "memory", "cc");
		/* The msr itself is the firing instruction: count from it. */
		total += bench_irq_t1 - t0 - 1;
		*eoi_total += bench_eoi_cycles;
	}
	return total;
}

static void report(const char *name, uint64_t with_op, uint64_t empty)
{
	printf("BENCH %s %llu %llu %u\n", name, (unsigned long long)with_op,
	       (unsigned long long)empty, BENCH_ITERATIONS);
}

int main_bench(void);
uint64_t bench_ipi(uint32_t n);

int main_bench(void)
{
	uint64_t empty, t;

	pmu_start();
	empty = BENCH_LOOP("nop", 0, 0, BENCH_ITERATIONS);
	printf("BENCH START\n");

	t = BENCH_LOOP("hvc #0", HYP_CALL_VERSION, 0, BENCH_ITERATIONS);
	report("hyp_call", t, empty);

	/* A printable byte (a space): the write goes through the model, the
	 * journal and the console filter all the way to the physical UART
	 * (the console drops a NUL, which would skip the filter's work). DR
	 * writes are posted (hyp/posted.h): the service takes them later, so
	 * the figure adds what one ICR write right after the loop costs
	 * beyond one with no DR write before it, which is the service taking
	 * the writes still in the ring. */
	t = BENCH_LOOP("str w3, [x1]", BENCH_PRINTABLE_BYTE, UART + UART_DR,
		       BENCH_ITERATIONS);
	uint64_t flush = BENCH_LOOP("str wzr, [x1]", 0, UART + UART_ICR, 1);
	uint64_t icr = BENCH_LOOP("str wzr, [x1]", 0, UART + UART_ICR, 1);

	report("mmio_uart_write", t + flush - icr, empty);

	/* IMSC: a read the service answers (FR and CR it publishes in a page
	 * the kernel answers from: the next row). */
	t = BENCH_LOOP("ldr w4, [x1]", 0, UART + UART_IMSC, BENCH_ITERATIONS);
	report("mmio_uart_read", t, empty);

	t = BENCH_LOOP("ldr w4, [x1]", 0, UART + UART_FR, BENCH_ITERATIONS);
	report("mmio_served_read", t, empty);

	/* CR of the value it holds: a write that changes nothing, completed
	 * in the trap (ipc_window_quiet), as Linux's console writes it twice
	 * per line. */
	t = BENCH_LOOP("str w3, [x1]", UART_CR_HELD, UART + UART_CR,
		       BENCH_ITERATIONS);
	report("mmio_quiet_write", t, empty);

	/* TYPER: the vgic service publishes it in a page the kernel answers
	 * from (ipc_window_reads); an interrupt's priority (IPRIORITYR, a
	 * byte, banked for INTID 0) is a message to it, as TYPER was. */
	t = BENCH_LOOP("ldr w4, [x1]", 0, GICD_TYPER_ADDR, BENCH_ITERATIONS);
	report("gicd_read", t, empty);

	t = BENCH_LOOP("ldrb w4, [x1]", 0, GICD_IPRIORITYR0_ADDR,
		       BENCH_ITERATIONS);
	report("gicd_read_forwarded", t, empty);

	uint64_t eoi;

	t = bench_timer_irq(IRQ_ITERATIONS, &eoi);
	/* Already per-operation totals: report against an empty loop of 0,
	 * with the iteration count, minus the +1 the tool adds. */
	printf("BENCH virq_delivery %llu %llu %u\n",
	       (unsigned long long)(t - IRQ_ITERATIONS), 0ULL, IRQ_ITERATIONS);
	/* eoi counts mrs..mrs around the str: minus the second mrs. */
	printf("BENCH virq_eoi %llu %llu %u\n",
	       (unsigned long long)(eoi - 2 * IRQ_ITERATIONS), 0ULL, IRQ_ITERATIONS);
	/* Instructions per IPI, reported like the IRQ figures above. */
	t = bench_ipi(IRQ_ITERATIONS);
	if (t != 0) {
		printf("BENCH virtual_ipi %llu %llu %u\n",
		       (unsigned long long)(t - IRQ_ITERATIONS), 0ULL,
		       IRQ_ITERATIONS);
	}
	printf("BENCH END\n");
	return 0;
}
