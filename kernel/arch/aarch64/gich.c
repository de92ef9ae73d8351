/** GICH access (IHI 0048B 5.3, "GIC virtual interface control registers"). */
#include "arch/gich.h"

#include "arch/platform.h"
#include "hyp/vgic_lr.h"

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
	return *(volatile uint32_t *)(uintptr_t)(PLATFORM_GICH_BASE + off);
}

static inline void gich_write32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(PLATFORM_GICH_BASE + off) = v;
}

uint32_t gich_init(void)
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
void gich_sync(struct vgic_cpu *c)
{
	uint64_t empty = gich_read(GICH_ELRSR0);

	if (c->lr_count > GICH_ELRSR_BITS) {
		empty |= (uint64_t)gich_read(GICH_ELRSR1) << GICH_ELRSR_BITS;
	}
	for (uint32_t i = 0; i < c->lr_count; i++) {
		/* Most LRs are free: the hint keeps their loop short. */
		if (__builtin_expect(c->lr[i] == 0, 1)) {
			continue;
		}
		uint32_t lr = (empty >> i) & 1U ? 0 : gich_read(GICH_LR(i));
		uint32_t state = (lr >> GICH_LR_STATE_SHIFT) & GICH_LR_STATE_MASK;

		c->lr[i] = state == GICH_LR_STATE_INVALID ? 0 : lr;
	}
}

void gich_write(const struct vgic_cpu *c, bool underflow)
{
	/* A local: the volatile stores would make it reloaded each time. */
	uint32_t count = c->lr_count;

	for (uint32_t i = 0; i < count; i++) {
		gich_write32(GICH_LR(i), c->lr[i]);
	}
	gich_write32(GICH_HCR, GICH_HCR_EN | (underflow ? GICH_HCR_UIE : 0));
}

void gich_save_ctrl(uint32_t *vmcr, uint32_t *apr)
{
	*vmcr = gich_read(GICH_VMCR);
	*apr = gich_read(GICH_APR);
}

void gich_restore_ctrl(uint32_t vmcr, uint32_t apr)
{
	gich_write32(GICH_VMCR, vmcr);
	gich_write32(GICH_APR, apr);
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

void gich_maintenance_ack(void)
{
	eoi_lrs_free(GICH_EISR0, 0);
	eoi_lrs_free(GICH_EISR1, GICH_ELRSR_BITS);
	gich_write32(GICH_HCR, GICH_HCR_EN);
}
