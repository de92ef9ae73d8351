/**
 * Physical GICv2 driver (IHI 0048B). Register map in abi/gicv2.h; the
 * frames' addresses come from the board's device tree (hyp/board.h).
 */
#include "hyp/arch_gic.h"

#include "arch/platform.h"
#include "arch/sysreg.h"
#include "hyp/board.h"

/* Every priority passes the mask; kernel interrupts at a middle priority. */
#define GIC_PMR_ALLOW_ALL 0xffU
#define GIC_PRIO_KERNEL 0x80U
#define GIC_TARGET_CPU0 0x01U
#define GIC_TARGET_BYTE_MASK 0xffU

struct gic_frames gic_frames;

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

/* Disable, unpend and deactivate the 32 interrupts from @p first on
 * (GICD_ICENABLERn 4.3.6, GICD_ICPENDRn 4.3.8, GICD_ICACTIVERn 4.3.10). */
static void gicd_clear_word(uint32_t first)
{
	uintptr_t gicd = gic_frames.gicd;

	mmio_write32(gicd + GICD_BIT_WORD(GICD_ICENABLER, first), UINT32_MAX);
	mmio_write32(gicd + GICD_BIT_WORD(GICD_ICPENDR, first), UINT32_MAX);
	mmio_write32(gicd + GICD_BIT_WORD(GICD_ICACTIVER, first), UINT32_MAX);
}

void gic_init(void)
{
	const struct cfg_platform *plat = board();

	gic_frames = (struct gic_frames){ .gicd = plat->gicd_base,
					  .gicc = plat->gicc_base,
					  .gich = plat->gich_base };

	uintptr_t gicd = gic_frames.gicd;
	/* GICD_TYPER.ITLinesNumber: 32 * (N + 1) interrupt lines (4.3.2). */
	uint32_t typer = mmio_read32(gicd + GICD_TYPER);
	uint32_t lines =
		((typer & GICD_TYPER_ITLINES_MASK) + 1) * GICD_INTIDS_PER_WORD;

	mmio_write32(gicd + GICD_CTLR, 0);
	/* Every SPI off, inactive, not pending, middle priority, CPU 0. The
	 * SGIs and PPIs are each CPU's own: gic_cpu_init(), which the boot
	 * CPU runs next (cpu_init). */
	for (uint32_t id = VGIC_SPI_FIRST; id < lines;
	     id += GICD_INTIDS_PER_WORD) {
		gicd_clear_word(id);
	}
	for (uint32_t id = VGIC_SPI_FIRST; id < lines; id++) {
		mmio_write8(gicd + GICD_IPRIORITYR + id, GIC_PRIO_KERNEL);
		mmio_write8(gicd + GICD_ITARGETSR + id, GIC_TARGET_CPU0);
	}
	mmio_write32(gicd + GICD_CTLR,
		     GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
}

uint32_t gic_cpu_init(void)
{
	uintptr_t gicd = gic_frames.gicd;
	uintptr_t gicc = gic_frames.gicc;

	/* SGIs and PPIs are banked per CPU (4.3.5, 4.3.11): each CPU sets
	 * its own copy. */
	gicd_clear_word(0);
	for (uint32_t id = 0; id < VGIC_PRIVATE_INTIDS; id++) {
		mmio_write8(gicd + GICD_IPRIORITYR + id, GIC_PRIO_KERNEL);
	}
	mmio_write32(gicc + GICC_PMR, GIC_PMR_ALLOW_ALL);
	mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 |
					       GICC_CTLR_ENABLE_GRP1 |
					       GICC_CTLR_EOIMODE);
	gic_enable(GIC_INTID_HYP_TIMER);
	gic_enable(GIC_INTID_KICK);
	gic_enable(GIC_INTID_KICK_ENTRY);
	gic_enable(GIC_INTID_MAINTENANCE);
	gic_enable(GIC_INTID_VTIMER);
	gic_enable(GIC_INTID_PTIMER);
	/* ITARGETSR0-7 read as the reading CPU's own interface (4.3.12):
	 * the low byte of the word is INTID 0's. */
	return mmio_read32(gicd + GICD_ITARGETSR) & GIC_TARGET_BYTE_MASK;
}

void gic_send_sgi(uint32_t sgi, uint32_t cpu_mask)
{
	/* Stores made before a kick must be visible to the CPU it wakes:
	 * the SGIR write is a Device access, ordered after them by a DSB. */
	dsb_ishst();
	mmio_write32(gic_frames.gicd + GICD_SGIR,
		     (cpu_mask << GICD_SGIR_TARGETS_SHIFT) |
			     (sgi & GICD_SGIR_INTID_MASK));
}

uint32_t gic_ack(void)
{
	return mmio_read32(gic_frames.gicc + GICC_IAR);
}

void gic_eoi(uint32_t iar)
{
	mmio_write32(gic_frames.gicc + GICC_EOIR, iar);
}

uint32_t gic_highest_pending(void)
{
	return gic_iar_intid(mmio_read32(gic_frames.gicc + GICC_HPPIR));
}

void gic_deactivate(uint32_t iar)
{
	mmio_write32(gic_frames.gicc + GICC_DIR, iar);
}

/* Write 1 to @p intid's bit of a set/clear register array (4.3.5-4.3.10):
 * the other interrupts are not touched. */
static void gicd_write_bit(uint32_t reg, uint32_t intid)
{
	mmio_write32(gic_frames.gicd + GICD_BIT_WORD(reg, intid),
		     1U << (intid % GICD_INTIDS_PER_WORD));
}

void gic_set_active(uint32_t intid)
{
	gicd_write_bit(GICD_ISACTIVER, intid);
}

void gic_enable(uint32_t intid)
{
	gicd_write_bit(GICD_ISENABLER, intid);
}

void gic_disable(uint32_t intid)
{
	gicd_write_bit(GICD_ICENABLER, intid);
}

void gic_clear_active(uint32_t intid)
{
	gicd_write_bit(GICD_ICACTIVER, intid);
}

void gic_set_target(uint32_t intid, uint32_t cpu_mask)
{
	/* GICD_ITARGETSRn: one byte per INTID, a CPU interface mask (4.3.12). */
	mmio_write8(gic_frames.gicd + GICD_ITARGETSR + intid,
		    (uint8_t)(cpu_mask & GIC_TARGET_BYTE_MASK));
}
