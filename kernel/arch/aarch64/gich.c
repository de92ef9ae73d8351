/** GICH access (IHI 0048B 5.3, "GIC virtual interface control registers"). */

#include "arch/platform.h"
#include "hyp/vgic_lr.h"

/* GICH_VTR.ListRegs is a 6-bit "number of LRs minus one" (IHI 0048B 5.3.2),
 * and GICH_ELRSR0/1 cover 64 LRs: no GICv2 has more. */
_Static_assert(VGIC_MAX_LRS <= 64, "GICv2 has at most 64 list registers");

#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_EISR0 0x020
#define GICH_EISR1 0x024
#define GICH_ELRSR0 0x030
#define GICH_ELRSR1 0x034
#define GICH_APR 0x0f0
#define GICH_LR(n) (0x100 + 4 * (n))
#define GICH_HCR_EN (1U << 0)
#define GICH_HCR_UIE (1U << 1)
#define GICH_VTR_LISTREGS_MASK 0x3fU
#define GICH_ELRSR_BITS 32

static inline uint32_t gich_read(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(gic_frames.gich + off);
}

static inline void gich_write32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(gic_frames.gich + off) = v;
}

uint32_t arch_vgic_init(void)
{
	uint32_t count = (gich_read(GICH_VTR) & GICH_VTR_LISTREGS_MASK) + 1;

	for (uint32_t i = 0; i < count; i++) {
		gich_write32(GICH_LR(i), 0);
	}
	gich_write32(GICH_HCR, GICH_HCR_EN);
	return count;
}

/*
 * Only an LR in use can have changed. One the GIC lists as empty
 * (GICH_ELRSR, IHI 0048B 5.3.8) or reports invalid holds no interrupt, but
 * the GIC leaves its other fields as they were (5.3.4): it is kept as 0,
 * so that the shadow shows only live interrupts and needs no
 * vgic_cpu_sync() after this. The guest does not run meanwhile, so ELRSR
 * is read once.
 */
bool arch_vgic_lrs_read(struct vgic_cpu *c)
{
	uint64_t empty = gich_read(GICH_ELRSR0);

	if (c->lr_count > GICH_ELRSR_BITS) {
		empty |= (uint64_t)gich_read(GICH_ELRSR1) << GICH_ELRSR_BITS;
	}
	/* Every LR empty (the guest completed them all: the common case on
	 * an exit to idle or on an interrupt): no LR to read. */
	uint64_t all = c->lr_count >= VGIC_MAX_LRS ? UINT64_MAX
						   : (1ULL << c->lr_count) - 1;

	if ((empty & all) == all) {
		/* Downwards: one counter is both index and test. */
		for (uint32_t i = c->lr_count; i-- > 0;) {
			c->lr[i] = 0;
		}
		return true;
	}
	for (uint32_t i = 0; i < c->lr_count; i++) {
		/* Most LRs are free: the hint keeps their loop short. */
		if (__builtin_expect(c->lr[i] == 0, 1)) {
			continue;
		}
		arch_lr_t lr = (empty >> i) & 1U ? 0 : gich_read(GICH_LR(i));
		c->lr[i] = arch_lr_state(lr) == VGIC_LR_INVALID ? 0 : lr;
	}
	return false;
}

void arch_vgic_lrs_write_first(const struct vgic_cpu *c, uint32_t count,
			       bool underflow)
{
	for (uint32_t i = 0; i < count; i++) {
		gich_write32(GICH_LR(i), c->lr[i]);
	}
	gich_write32(GICH_HCR, GICH_HCR_EN | (underflow ? GICH_HCR_UIE : 0));
}

void arch_vgic_lrs_write(const struct vgic_cpu *c, bool underflow)
{
	arch_vgic_lrs_write_first(c, c->lr_count, underflow);
}

void arch_vgic_ctx_save(struct arch_vgic_ctx *ctx)
{
	ctx->vmcr = gich_read(GICH_VMCR);
	ctx->apr = gich_read(GICH_APR);
}

void arch_vgic_ctx_restore(const struct arch_vgic_ctx *ctx)
{
	gich_write32(GICH_VMCR, ctx->vmcr);
	gich_write32(GICH_APR, ctx->apr);
}

/*
 * GICH_MISR.EOI stays set, and the maintenance interrupt asserted, while
 * any GICH_EISR bit is: an LR with the EOI bit that the guest completed
 * (IHI 0048B 5.3.4, 5.3.7). Writing such an LR clears its bit; it is
 * invalid already, so it is written as 0 (free).
 */
static void eoi_lrs_free(uint32_t eisr_off, uint32_t first)
{
	uint32_t eisr = gich_read(eisr_off);

	while (eisr != 0) {
		gich_write32(GICH_LR(first + (uint32_t)__builtin_ctz(eisr)), 0);
		eisr &= eisr - 1;
	}
}

/*
 * GICH_HCR.En = 0 (IHI 0048B 5.3.1): the virtual CPU interface signals no
 * virtual interrupt; GICH_LRn are untouched. Architecturally a virtual
 * IRQ is no WFI wake-up event at EL2, but QEMU counts any pending one as
 * work (target/arm arm_cpu_has_work()), and WFI may end for any reason
 * anyway (D1.16.2): without this the idle loop spun.
 */
uint32_t arch_vgic_quiet(void)
{
	uint32_t hcr = gich_read(GICH_HCR);

	gich_write32(GICH_HCR, 0);
	return hcr;
}

void arch_vgic_unquiet(uint32_t saved)
{
	gich_write32(GICH_HCR, saved);
}

void arch_vgic_maintenance_ack(void)
{
	eoi_lrs_free(GICH_EISR0, 0);
	eoi_lrs_free(GICH_EISR1, GICH_ELRSR_BITS);
	gich_write32(GICH_HCR, GICH_HCR_EN);
}
