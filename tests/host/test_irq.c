/**
 * Unit tests of physical interrupt routing (kernel/core/irq.c) against a
 * fake GICv2 CPU interface: the GICC_IAR values it hands out are scripted,
 * and every GICC_EOIR/GICC_DIR write is recorded. Checked against the GICv2
 * spec (IHI 0048B): the value written to EOIR and DIR is the value read
 * from IAR (4.4.5, 4.4.15), which for an SGI carries the sending CPU in
 * [12:10]; the loop ends at the spurious INTID 1023 (4.4.4).
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/vgic.h"
#include "hyp/arch_gic.h"
#include "hyp/bitmap.h"
#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/irq.h"
#include "hyp/log.h"
#include "hyp/service_event.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"

/* GICC_IAR layout, IHI 0048B 4.4.4, written out independently. */
#define IAR(cpuid, intid) (((uint32_t)(cpuid) << 10) | (intid))
#define SPURIOUS 1023U
#define SPI_OWNED 40U
#define SPI_NOBODY 41U
#define SPI_PASSTHRU 34U
#define GIC_INTIDS 1024
#define SCRIPT_MAX 8
#define LOG_MAX 16

/* --- The fake GIC and the kernel's other neighbours ----------------------- */

static struct {
	uint32_t iar[SCRIPT_MAX];   /**< What GICC_IAR reads return. */
	unsigned acks;
	uint32_t eoir[LOG_MAX], dir[LOG_MAX];
	unsigned eoirs, dirs;
	bool enabled[GIC_INTIDS];
	uint64_t notified;          /**< Bits given to ipc_notify(). */
	bool notified_in_irq;       /**< cpu.in_irq during ipc_notify(). */
	unsigned warnings;
	unsigned ptimer_fired;      /**< vptimer_fired() calls. */
	unsigned vtimer_fired;      /**< vtimer_fired() calls. */
	struct vcpu *resampled;     /**< Last vptimer_resample() argument. */
	bool cleared_active[GIC_INTIDS]; /**< GICD_ICACTIVER writes. */
	uint32_t target[GIC_INTIDS];     /**< GICD_ITARGETSR writes. */
	bool passthru_taken;        /**< What vgic_passthru_fired() says. */
	unsigned passthru_fired;    /**< Its calls (for guest_vm). */
	unsigned timer_polls;       /**< service_timer_poll() calls. */
} gic;

static struct cpu this_cpu;
/* Partition 0, a service, owns SPI_OWNED; partition 1, a guest, has
 * SPI_PASSTHRU passed through. */
static struct vm owner_vm, guest_vm;

uint32_t gic_ack(void)
{
	return gic.acks < SCRIPT_MAX ? gic.iar[gic.acks++] : SPURIOUS;
}

void gic_eoi(uint32_t iar)
{
	assert_true(gic.eoirs < LOG_MAX);
	gic.eoir[gic.eoirs++] = iar;
}

void gic_deactivate(uint32_t iar)
{
	assert_true(gic.dirs < LOG_MAX);
	gic.dir[gic.dirs++] = iar;
}

void gic_enable(uint32_t intid)
{
	gic.enabled[intid] = true;
}

void gic_disable(uint32_t intid)
{
	gic.enabled[intid] = false;
}

void gic_clear_active(uint32_t intid)
{
	gic.cleared_active[intid] = true;
}

void gic_set_target(uint32_t intid, uint32_t cpu_mask)
{
	gic.target[intid] = cpu_mask;
}

bool vgic_passthru_fired(struct vm *vm, uint32_t intid)
{
	assert_ptr_equal(vm, &guest_vm);
	assert_int_equal(intid, SPI_PASSTHRU);
	gic.passthru_fired++;
	return gic.passthru_taken;
}

void arch_vgic_maintenance_ack(void)
{
}

void vtimer_fired(void)
{
	gic.vtimer_fired++;
}

void vptimer_fired(void)
{
	gic.ptimer_fired++;
}

void vptimer_resample(struct vcpu *v)
{
	gic.resampled = v;
}

/* service_event.c: the EL2 timer's interrupt polls service deadlines. */
uint64_t service_timer_poll(const struct cpu *cpu, bool *woke)
{
	(void)cpu;
	assert_null(woke);
	gic.timer_polls++;
	return VCPU_NO_DEADLINE;
}

void ipc_notify(struct endpoint *ep, uint64_t bits)
{
	assert_ptr_equal(ep, &owner_vm.ep);
	gic.notified |= bits;
	/* The service is woken knowing a reschedule follows (sched_wake
	 * arms no timer for it). */
	gic.notified_in_irq = cpu_this()->in_irq;
}

void log_line(enum log_level level, const char *fmt, ...)
{
	(void)fmt;
	gic.warnings += level == LOG_LEVEL_WARN;
}

struct vm *vm_get(uint32_t i)
{
	assert_true(i < 2);
	return i == 0 ? &owner_vm : &guest_vm;
}

static int setup(void **unused)
{
	static const struct cfg_scenario sc = {
		.vm_count = 2,
		.vms = { { .name = "svc", .kind = CFG_VM_SERVICE,
			   .irqs = { SPI_OWNED }, .irq_count = 1 },
			 { .name = "guest", .kind = CFG_VM_GUEST,
			   .irqs = { SPI_PASSTHRU }, .irq_count = 1 } },
	};

	(void)unused;
	memset(&gic, 0, sizeof(gic));
	memset(&owner_vm, 0, sizeof(owner_vm));
	memset(&guest_vm, 0, sizeof(guest_vm));
	owner_vm.cfg = &sc.vms[0];
	guest_vm.cfg = &sc.vms[1];
	this_cpu = (struct cpu){ 0 };
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&this_cpu;
	for (unsigned i = 0; i < SCRIPT_MAX; i++) {
		gic.iar[i] = SPURIOUS;
	}
	irq_init(&sc);
	return 0;
}

/* --- Tests ------------------------------------------------------------------ */

/* Regression: EOIR/DIR used to get the INTID alone, without the SGI's
 * source CPU, which a real GICv2 then does not match to the active SGI. */
static void test_irq_handle_pending_sgi_eoi_keeps_source_cpu(void **unused)
{
	(void)unused;
	gic.iar[0] = IAR(3, GIC_INTID_KICK);
	gic.iar[1] = IAR(1, GIC_INTID_KICK);
	irq_handle_pending();
	assert_int_equal(gic.eoirs, 2);
	assert_int_equal(gic.dirs, 2);
	assert_int_equal(gic.eoir[0], IAR(3, GIC_INTID_KICK));
	assert_int_equal(gic.dir[0], IAR(3, GIC_INTID_KICK));
	assert_int_equal(gic.eoir[1], IAR(1, GIC_INTID_KICK));
	assert_int_equal(gic.dir[1], IAR(1, GIC_INTID_KICK));
	assert_true(this_cpu.kicked);
}

/* A kick for the next entry's LR refill completes like any SGI and asks
 * for no reschedule (cpu_kick_entry). */
static void test_irq_handle_pending_entry_kick_does_not_reschedule(void **unused)
{
	(void)unused;
	gic.iar[0] = IAR(2, GIC_INTID_KICK_ENTRY);
	irq_handle_pending();
	assert_int_equal(gic.eoir[0], IAR(2, GIC_INTID_KICK_ENTRY));
	assert_int_equal(gic.dir[0], IAR(2, GIC_INTID_KICK_ENTRY));
	assert_false(this_cpu.kicked);
}

static void test_irq_handle_pending_stops_at_spurious(void **unused)
{
	(void)unused;
	irq_handle_pending();
	assert_int_equal(gic.acks, 1);
	assert_int_equal(gic.eoirs, 0);
	assert_int_equal(gic.dirs, 0);
}

static void test_irq_handle_pending_owned_spi_notifies_and_masks(void **unused)
{
	(void)unused;
	assert_true(gic.enabled[SPI_OWNED]);
	gic.iar[0] = IAR(0, SPI_OWNED);
	irq_handle_pending();
	assert_int_equal(gic.notified, IRQ_NOTIFY_BIT(SPI_OWNED));
	assert_true(gic.notified_in_irq);
	assert_false(cpu_this()->in_irq);
	assert_false(gic.enabled[SPI_OWNED]);
	assert_int_equal(gic.eoir[0], SPI_OWNED);
	assert_int_equal(gic.dir[0], SPI_OWNED);
	/* The owner says it is handled: unmasked again. */
	assert_true(irq_ack_owned(&owner_vm, SPI_OWNED));
	assert_true(gic.enabled[SPI_OWNED]);
	assert_false(irq_ack_owned(&owner_vm, SPI_NOBODY));
}

static void test_irq_handle_pending_unowned_spi_is_masked_and_reported(void **unused)
{
	(void)unused;
	gic.enabled[SPI_NOBODY] = true;
	gic.iar[0] = IAR(0, SPI_NOBODY);
	irq_handle_pending();
	assert_false(gic.enabled[SPI_NOBODY]);
	assert_int_equal(gic.warnings, 1);
	assert_int_equal(gic.notified, 0);
	assert_int_equal(gic.dir[0], SPI_NOBODY);
}

static void test_irq_handle_pending_hyp_timer_ends_the_slice(void **unused)
{
	(void)unused;
	fake_sysreg_cnthp_ctl_el2 = 1;
	gic.iar[0] = IAR(0, GIC_INTID_HYP_TIMER);
	irq_handle_pending();
	assert_true(this_cpu.slice_expired);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, 0);
	assert_int_equal(gic.eoir[0], GIC_INTID_HYP_TIMER);
	/* Services whose deadline passed are woken before rescheduling. */
	assert_int_equal(gic.timer_polls, 1);
}

/* The EL1 physical timer's PPI is the loaded vCPU's emulated timer. */
static void test_irq_handle_pending_ptimer_goes_to_vptimer(void **unused)
{
	(void)unused;
	gic.iar[0] = IAR(0, GIC_INTID_PTIMER);
	irq_handle_pending();
	assert_int_equal(gic.ptimer_fired, 1);
	assert_int_equal(gic.eoir[0], GIC_INTID_PTIMER);
	assert_int_equal(gic.dir[0], GIC_INTID_PTIMER);
	assert_int_equal(gic.warnings, 0);
}

/* The virtual timer's PPI goes to vtimer.c, which completes it itself:
 * its priority drop comes first and its deactivation is the guest's EOI
 * through the hardware LR, so irq.c writes neither. */
static void test_irq_handle_pending_vtimer_goes_to_vtimer(void **unused)
{
	(void)unused;
	gic.iar[0] = IAR(0, GIC_INTID_VTIMER);
	irq_handle_pending();
	assert_int_equal(gic.vtimer_fired, 1);
	assert_int_equal(gic.eoirs, 0);
	assert_int_equal(gic.dirs, 0);
	assert_int_equal(gic.warnings, 0);
}

/* A maintenance interrupt (an EOI of a resampled LR among its causes)
 * lets the loaded vCPU's timer look at its level again. */
static void test_irq_handle_pending_maintenance_resamples(void **unused)
{
	static struct vcpu loaded;

	(void)unused;
	this_cpu.loaded = &loaded;
	gic.iar[0] = IAR(0, GIC_INTID_MAINTENANCE);
	irq_handle_pending();
	assert_ptr_equal(gic.resampled, &loaded);
	assert_true(loaded.vgic_dirty);
	assert_int_equal(gic.dir[0], GIC_INTID_MAINTENANCE);
}

/* A guest's SPI is passed through: masked until the guest enables it in
 * its distributor (vgic.c), and marked hardware-linked there. */
static void test_irq_init_guest_spi_is_passed_through_masked(void **unused)
{
	(void)unused;
	assert_false(gic.enabled[SPI_PASSTHRU]);
	assert_true(bitmap_test(guest_vm.vgic.spi_hw, SPI_PASSTHRU));
	assert_false(bitmap_test(owner_vm.vgic.spi_hw, SPI_OWNED));
}

/* The services' interrupts go where the scheduler says (a CPU no guest
 * calls home, sched.c); a guest's passed-through SPI follows its vCPU
 * (vgic.c), not this. */
static void test_irq_route_owned_moves_only_services_interrupts(void **unused)
{
	(void)unused;
	irq_route_owned(0x4U);
	assert_int_equal(gic.target[SPI_OWNED], 0x4U);
	assert_int_equal(gic.target[SPI_PASSTHRU], 0);
	assert_int_equal(gic.target[SPI_NOBODY], 0);
}

/* Taken by the guest: priority drop only (GICC_EOIR); the guest's
 * completion of the hardware LR deactivates it (IHI 0048B 5.3.4), so no
 * GICC_DIR here, and no notification. */
static void test_irq_handle_pending_passthru_spi_only_drops_priority(void **unused)
{
	(void)unused;
	gic.passthru_taken = true;
	gic.iar[0] = IAR(0, SPI_PASSTHRU);
	irq_handle_pending();
	assert_int_equal(gic.passthru_fired, 1);
	assert_int_equal(gic.eoirs, 1);
	assert_int_equal(gic.eoir[0], SPI_PASSTHRU);
	assert_int_equal(gic.dirs, 0);
	assert_int_equal(gic.notified, 0);
}

/* Not taken (disabled in the guest's distributor, or its vCPU's LRs on
 * another CPU): completed here, or it would stay active for ever. */
static void test_irq_handle_pending_passthru_spi_not_taken_is_deactivated(void **unused)
{
	(void)unused;
	gic.iar[0] = IAR(0, SPI_PASSTHRU);
	irq_handle_pending();
	assert_int_equal(gic.passthru_fired, 1);
	assert_int_equal(gic.eoir[0], SPI_PASSTHRU);
	assert_int_equal(gic.dir[0], SPI_PASSTHRU);
	assert_int_equal(gic.notified, 0);
}

/* A VM that stops or resets gives back its SPIs masked and inactive. */
static void test_irq_release_owned_masks_and_deactivates(void **unused)
{
	(void)unused;
	gic.enabled[SPI_PASSTHRU] = true;
	irq_release_owned(&guest_vm);
	assert_false(gic.enabled[SPI_PASSTHRU]);
	assert_true(gic.cleared_active[SPI_PASSTHRU]);
	assert_true(gic.enabled[SPI_OWNED]);
	assert_false(gic.cleared_active[SPI_OWNED]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_irq_handle_pending_sgi_eoi_keeps_source_cpu, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_entry_kick_does_not_reschedule, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_stops_at_spurious, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_owned_spi_notifies_and_masks, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_unowned_spi_is_masked_and_reported, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_hyp_timer_ends_the_slice, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_ptimer_goes_to_vptimer, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_maintenance_resamples, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_vtimer_goes_to_vtimer, setup),
		cmocka_unit_test_setup(test_irq_init_guest_spi_is_passed_through_masked, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_passthru_spi_only_drops_priority, setup),
		cmocka_unit_test_setup(test_irq_handle_pending_passthru_spi_not_taken_is_deactivated, setup),
		cmocka_unit_test_setup(test_irq_release_owned_masks_and_deactivates, setup),
		cmocka_unit_test_setup(test_irq_route_owned_moves_only_services_interrupts, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
