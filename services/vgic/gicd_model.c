/**
 * The GICv2 distributor model behind vgic/gicd_model.h: a table of register
 * groups (offset, size, bits per field, access widths, field accessors) and
 * one generic accessor that turns an access of (offset, width) into the run
 * of fields, usually one per interrupt ID, that it covers.
 *
 * Register map and fields: GIC Architecture Specification v2, Arm IHI 0048B,
 * section 4.1 (table 4-1, the register map; 4.1.4, access widths) and 4.3
 * (distributor register descriptions). Choices the specification leaves to
 * the implementation:
 *
 * - SGI enable bits are RAO/WI (4.3.5, 4.3.6: IMPLEMENTATION DEFINED), as on
 *   the GIC-400 and in QEMU and KVM; SGIs are always enabled.
 * - Priorities keep their top 5 bits (mask 0xf8, 32 levels; 3.3 allows 16 to
 *   256): the most a GICH_LR Priority field carries (5.3.4), so what the
 *   guest reads back is what the kernel can inject.
 * - ICFGR of SGIs reads as edge and of PPIs as level, both read-only (4.3.13
 *   allows either for PPIs; QEMU and the GIC-400 make them read-only). For
 *   SPIs only Int_config[1] (edge) is writable; Int_config[0] reads as 0.
 * - ITARGETSR0-7 read the accessing CPU's bit even with one CPU (4.3.12
 *   allows RAZ/WI there; Linux and KVM expect the bit). With one CPU, SPIs
 *   reset to target it.
 * - The ID registers are the GIC-400's (implementer Arm, ArchRev 2).
 *
 * Pending and active state belong to the kernel (see the header); ISPENDR,
 * ISACTIVER and their clear twins read it through ops->query. For SPIs the
 * query goes to their "home" CPU: the lowest-numbered target, or the
 * accessing CPU when ITARGETSR names none.
 *
 * Freestanding: no libc, no struct copies, no memset.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vgic/gicd_model.h"

#include "abi/gicd_sgir.h"

/* Interrupt ID ranges (IHI 0048B 2.2.1, "Interrupt IDs"). */
/** IDs a per-interrupt register group spans (table 4-1; 1020 used). */
#define GIC_GROUP_SPAN_IRQS 1024U

_Static_assert(GICD_MODEL_NR_IRQS % 32 == 0 &&
		   GICD_MODEL_NR_IRQS > VGIC_PRIVATE_INTIDS &&
		   GICD_MODEL_NR_IRQS <= 1020,
	       "GICD_TYPER.ITLinesNumber describes 32 interrupts per step");
_Static_assert(GICD_MODEL_MAX_CPUS >= 1 && GICD_MODEL_MAX_CPUS <= 8,
	       "GICv2 targets at most 8 CPUs (ITARGETSR CPU targets field)");

#define BITS_PER_BYTE 8U
#define BITS_PER_WORD GICD_INTIDS_PER_WORD

/* Access widths (IHI 0048B 4.1.4): a bit set at the width in bytes. */
#define ACCESS_BYTE (1U << 1)
#define ACCESS_WORD (1U << 4)

/* GICD_CTLR without the Security Extensions (4.3.1). */
#define GICD_CTLR_MASK	      (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1)

/* GICD_TYPER (4.3.2): ITLinesNumber [4:0], CPUNumber [7:5],
 * SecurityExtn [10] (0 here), LSPI [15:11] (0 without SecurityExtn). */
#define GICD_TYPER_ITLINES_SHIFT   0U
#define GICD_TYPER_CPUNUMBER_SHIFT 5U

/* GICD_IIDR (4.3.3): ProductID [31:24], Variant [19:16], Revision [15:12],
 * Implementer [11:0] (JEP106 code 0x43B, Arm); the GIC-400's value. */
#define GICD_IIDR_PRODUCT_SHIFT	 24U
#define GICD_IIDR_REVISION_SHIFT 12U
#define GICD_IIDR_PRODUCT	 0x02U
#define GICD_IIDR_REVISION	 0x1U
#define GICD_IIDR_IMPLEMENTER	 0x43bU
#define GICD_IIDR_VALUE                                                        \
	((GICD_IIDR_PRODUCT << GICD_IIDR_PRODUCT_SHIFT) |                      \
	 (GICD_IIDR_REVISION << GICD_IIDR_REVISION_SHIFT) |                    \
	 GICD_IIDR_IMPLEMENTER)

/* GICD_ICFGR Int_config (4.3.13): bit [2n+1] set means edge-triggered. */
#define GICD_ICFGR_BITS	    2U
#define GICD_ICFGR_EDGE	    0x2U
#define GICD_ICFGR_PER_WORD (BITS_PER_WORD / GICD_ICFGR_BITS)

/** Implemented priority bits: the top 5 (see the file comment; 3.3). */
#define GICD_PRIORITY_MASK 0xf8U

/*
 * Identification registers at 0xFD0-0xFFC (4.3.17 and 4.3.18; table 4-1
 * leaves 0xFD0-0xFE4 and 0xFEC-0xFFC IMPLEMENTATION DEFINED): PIDR4-7,
 * PIDR0-3, CIDR0-3 of the GIC-400. PIDR2 is 0x2B: ArchRev 2 in [7:4]
 * (GICv2), JEDEC-assigned [3], JEP106 identity bits [6:4] of 0x3B in [2:0].
 */
#define GICD_ID_BASE   0xfd0U
#define GICD_PIDR4_VAL 0x04U /**< JEP106 continuation code 4 (Arm). */
#define GICD_PIDR0_VAL 0x90U /**< Part number [7:0]. */
#define GICD_PIDR1_VAL 0xb4U /**< JEP106 ID [3:0], part number [11:8]. */
#define GICD_PIDR2_VAL 0x2bU
#define GICD_CIDR0_VAL 0x0dU
#define GICD_CIDR1_VAL 0xf0U
#define GICD_CIDR2_VAL 0x05U
#define GICD_CIDR3_VAL 0xb1U

/** The ID registers, one word each from GICD_ID_BASE. */
static const uint32_t gicd_id_regs[] = {
    GICD_PIDR4_VAL, /* 0xFD0 */
    0,		    /* 0xFD4 PIDR5 */
    0,		    /* 0xFD8 PIDR6 */
    0,		    /* 0xFDC PIDR7 */
    GICD_PIDR0_VAL, /* 0xFE0 */
    GICD_PIDR1_VAL, /* 0xFE4 */
    GICD_PIDR2_VAL, /* 0xFE8 */
    0,		    /* 0xFEC PIDR3 */
    GICD_CIDR0_VAL, /* 0xFF0 */
    GICD_CIDR1_VAL, /* 0xFF4 */
    GICD_CIDR2_VAL, /* 0xFF8 */
    GICD_CIDR3_VAL, /* 0xFFC */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** Reads one field (of 1, 2, 8 or 32 bits) at @p index, as @p cpu sees it. */
typedef uint32_t (*gicd_field_read_fn)(struct gicd_model *m, uint32_t cpu,
				       uint32_t index);
/** Writes one field at @p index; @p field holds only the field's bits. */
typedef void (*gicd_field_write_fn)(struct gicd_model *m, uint32_t cpu,
				    uint32_t index, uint32_t field);

/**
 * A register group: @c size bytes from @c base made of @c field_bits-wide
 * fields, field n at bit (n * field_bits) of the group. For per-interrupt
 * groups field n is interrupt ID n; for single registers field_bits is 32.
 */
struct gicd_reg {
	const char *name;	   /**< Name in IHI 0048B, for debugging. */
	uint32_t base;		   /**< Byte offset of field 0. */
	uint32_t size;		   /**< Bytes covered. */
	uint32_t field_bits;	   /**< 1, 2, 8 or 32. */
	uint32_t widths;	   /**< ACCESS_* widths allowed. */
	bool per_irq;		   /**< Fields >= NR_IRQS are RAZ/WI. */
	gicd_field_read_fn read;   /**< NULL: read as zero. */
	gicd_field_write_fn write; /**< NULL: writes ignored. */
};

/** Bytes a per-interrupt group of @p bits per interrupt spans. */
#define IRQ_GROUP_SIZE(bits) (GIC_GROUP_SPAN_IRQS * (bits) / BITS_PER_BYTE)

/** Bit of interrupt @p intid in its 32-bit bitmap word. */
static uint32_t irq_bit(uint32_t intid)
{
	return 1U << (intid % BITS_PER_WORD);
}

static bool is_sgi(uint32_t intid)
{
	return intid < VGIC_SGI_COUNT;
}

static bool is_private(uint32_t intid)
{
	return intid < VGIC_PRIVATE_INTIDS;
}

/** Mask of the CPUs that exist. */
static uint32_t all_cpus(const struct gicd_model *m)
{
	return (1U << m->cpu_count) - 1U;
}

/** The bitmap word holding @p intid: banked for 0-31, shared for SPIs. */
static uint32_t *bitmap_word(uint32_t *banked, uint32_t *spi, uint32_t cpu,
			     uint32_t intid)
{
	if (is_private(intid)) {
		return &banked[cpu];
	}
	return &spi[intid / BITS_PER_WORD];
}

/** Sets or clears @p intid's bit in @p word; true if it changed. */
static bool bitmap_put(uint32_t *word, uint32_t intid, bool value)
{
	uint32_t old = *word;

	if (value) {
		*word |= irq_bit(intid);
	} else {
		*word &= ~irq_bit(intid);
	}
	return *word != old;
}

static uint32_t *enable_word(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return bitmap_word(m->enabled_private, m->enabled_spi, cpu, intid);
}

static uint32_t *group_word(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return bitmap_word(m->group_private, m->group_spi, cpu, intid);
}

/** The priority byte of @p intid as @p cpu sees it. */
static uint8_t *priority_ref(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	if (is_private(intid)) {
		return &m->priority[cpu][intid];
	}
	return &m->priority_spi[intid];
}

/** CPUs @p intid targets: the accessing CPU for SGIs/PPIs (4.3.12). */
static uint32_t targets_of(const struct gicd_model *m, uint32_t cpu,
			   uint32_t intid)
{
	if (is_private(intid)) {
		return 1U << cpu;
	}
	return m->targets_spi[intid];
}

/** Int_config of @p intid (2 bits) as @p cpu sees it (4.3.13). */
static uint32_t config_of(const struct gicd_model *m, uint32_t cpu,
			  uint32_t intid)
{
	uint32_t shift = (intid % GICD_ICFGR_PER_WORD) * GICD_ICFGR_BITS;
	uint32_t word;

	if (is_sgi(intid)) {
		return GICD_ICFGR_EDGE;
	}
	if (is_private(intid)) {
		word = m->icfgr_ppi[cpu];
	} else {
		word = m->icfgr_spi[intid / GICD_ICFGR_PER_WORD];
	}
	return (word >> shift) & ((1U << GICD_ICFGR_BITS) - 1U);
}

/** Reports the whole state of @p intid to the kernel (ops->irq_changed). */
static void irq_notify(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	uint32_t who = is_private(intid) ? cpu : 0;

	if (m->ops->irq_changed == NULL) {
		return;
	}
	m->ops->irq_changed(m->ops_ctx, who, intid,
			    (*enable_word(m, cpu, intid) & irq_bit(intid)) != 0,
			    *priority_ref(m, cpu, intid),
			    (uint8_t)targets_of(m, cpu, intid),
			    (*group_word(m, cpu, intid) & irq_bit(intid)) != 0,
			    (config_of(m, cpu, intid) & GICD_ICFGR_EDGE) != 0);
}

/** The lowest-numbered CPU in @p mask, or @p fallback if it is empty. */
static uint32_t lowest_cpu(uint32_t mask, uint32_t fallback)
{
	uint32_t c;

	for (c = 0; c < GICD_MODEL_MAX_CPUS; c++) {
		if ((mask & (1U << c)) != 0) {
			return c;
		}
	}
	return fallback;
}

/** CPU whose live state stands for @p intid's (see the file comment). */
static uint32_t home_cpu(const struct gicd_model *m, uint32_t cpu,
			 uint32_t intid)
{
	if (is_private(intid)) {
		return cpu;
	}
	return lowest_cpu(m->targets_spi[intid], cpu);
}

/** Live pending/active state of @p intid on @p cpu; false without query. */
static void query(struct gicd_model *m, uint32_t cpu, uint32_t intid,
		  bool *pending, bool *active)
{
	*pending = false;
	*active = false;
	if (m->ops->query != NULL) {
		m->ops->query(m->ops_ctx, cpu, intid, pending, active);
	}
}

static void set_pending(struct gicd_model *m, uint32_t mask, uint32_t intid,
			uint32_t source)
{
	if (m->ops->set_pending != NULL && mask != 0) {
		m->ops->set_pending(m->ops_ctx, mask, intid, source);
	}
}

static void clear_pending(struct gicd_model *m, uint32_t mask, uint32_t intid)
{
	if (m->ops->clear_pending != NULL && mask != 0) {
		m->ops->clear_pending(m->ops_ctx, mask, intid);
	}
}

/* --- Single registers ---------------------------------------------------- */

static uint32_t read_ctlr(struct gicd_model *m, uint32_t cpu, uint32_t index)
{
	(void)cpu;
	(void)index;
	return m->ctlr;
}

/** GICD_CTLR write: keep EnableGrp0/1 and report a change (4.3.1). */
static void write_ctlr(struct gicd_model *m, uint32_t cpu, uint32_t index,
		       uint32_t field)
{
	uint32_t ctlr = field & GICD_CTLR_MASK;

	(void)cpu;
	(void)index;
	if (ctlr == m->ctlr) {
		return;
	}
	m->ctlr = ctlr;
	if (m->ops->ctlr_changed != NULL) {
		m->ops->ctlr_changed(m->ops_ctx, ctlr);
	}
}

/** GICD_TYPER (4.3.2): lines and CPUs, no Security Extensions. */
static uint32_t read_typer(struct gicd_model *m, uint32_t cpu, uint32_t index)
{
	uint32_t lines = GICD_MODEL_NR_IRQS / BITS_PER_WORD - 1U;

	(void)cpu;
	(void)index;
	return (lines << GICD_TYPER_ITLINES_SHIFT) |
	       ((m->cpu_count - 1U) << GICD_TYPER_CPUNUMBER_SHIFT);
}

static uint32_t read_iidr(struct gicd_model *m, uint32_t cpu, uint32_t index)
{
	(void)m;
	(void)cpu;
	(void)index;
	return GICD_IIDR_VALUE;
}

/** Identification register @p index from GICD_ID_BASE. */
static uint32_t read_id(struct gicd_model *m, uint32_t cpu, uint32_t index)
{
	(void)m;
	(void)cpu;
	return gicd_id_regs[index];
}

/* --- SGI pending sources ------------------------------------------------- */

/**
 * Forgets the recorded sources of @p sgi on @p cpu once the kernel reports
 * it no longer pending there (the guest acknowledged it). Without a query
 * op the record stands until CPENDSGIR.
 */
static void sgi_sources_sync(struct gicd_model *m, uint32_t cpu, uint32_t sgi)
{
	bool pending;
	bool active;

	if (m->ops->query == NULL) {
		return;
	}
	query(m, cpu, sgi, &pending, &active);
	if (!pending) {
		m->sgi_pending_sources[cpu][sgi] = 0;
	}
}

void gicd_model_sync_sgi_sources(struct gicd_model *m)
{
	uint32_t cpu, sgi;

	for (cpu = 0; cpu < m->cpu_count; cpu++) {
		uint64_t any[VGIC_SGI_COUNT / sizeof(uint64_t)];

		_Static_assert(sizeof(any) == 2 * sizeof(uint64_t),
			       "16 SGI source bytes are two words");
		/* Usually none: SGIR writes take the kernel's path. */
		memcpy(any, m->sgi_pending_sources[cpu], sizeof(any));
		if ((any[0] | any[1]) == 0) {
			continue;
		}
		for (sgi = 0; sgi < VGIC_SGI_COUNT; sgi++) {
			if (m->sgi_pending_sources[cpu][sgi] != 0) {
				sgi_sources_sync(m, cpu, sgi);
			}
		}
	}
}

/** Makes @p sgi pending on @p cpu from each CPU in @p sources. */
static void sgi_raise(struct gicd_model *m, uint32_t cpu, uint32_t sgi,
		      uint32_t sources)
{
	uint32_t s;

	sgi_sources_sync(m, cpu, sgi);
	for (s = 0; s < m->cpu_count; s++) {
		if ((sources & (1U << s)) != 0) {
			m->sgi_pending_sources[cpu][sgi] |= (uint8_t)(1U << s);
			set_pending(m, 1U << cpu, sgi, s);
		}
	}
}

/**
 * GICD_SGIR write (4.3.15): SGI SGIINTID from @p cpu to the CPUs the filter
 * selects, masked to existing CPUs; the reserved filter is ignored.
 */
static void write_sgir(struct gicd_model *m, uint32_t cpu, uint32_t index,
		       uint32_t field)
{
	uint32_t sgi, targets;
	uint32_t t;

	(void)index;
	if (!gicd_sgir_decode(field, cpu, &sgi, &targets)) {
		return;
	}
	targets &= all_cpus(m);
	if (targets == 0) {
		return;
	}
	for (t = 0; t < m->cpu_count; t++) {
		if ((targets & (1U << t)) != 0) {
			sgi_sources_sync(m, t, sgi);
			m->sgi_pending_sources[t][sgi] |= (uint8_t)(1U << cpu);
		}
	}
	set_pending(m, targets, sgi, cpu);
}

/** GICD_SPENDSGIR/CPENDSGIR byte @p sgi: its pending sources (4.3.16). */
static uint32_t read_sgi_sources(struct gicd_model *m, uint32_t cpu,
				 uint32_t sgi)
{
	sgi_sources_sync(m, cpu, sgi);
	return m->sgi_pending_sources[cpu][sgi];
}

/** GICD_SPENDSGIR write: pend @p sgi on @p cpu from each set source. */
static void write_sgi_set_pending(struct gicd_model *m, uint32_t cpu,
				  uint32_t sgi, uint32_t field)
{
	sgi_raise(m, cpu, sgi, field & all_cpus(m));
}

/**
 * GICD_CPENDSGIR write: forget the sources in @p field; the kernel keeps
 * no sources, so it is told to clear once none is left.
 */
static void write_sgi_clear_pending(struct gicd_model *m, uint32_t cpu,
				    uint32_t sgi, uint32_t field)
{
	uint8_t *sources = &m->sgi_pending_sources[cpu][sgi];

	field &= all_cpus(m);
	if (field == 0) {
		return;
	}
	sgi_sources_sync(m, cpu, sgi);
	*sources &= (uint8_t)~field;
	if (*sources == 0) {
		clear_pending(m, 1U << cpu, sgi);
	}
}

/* --- One bit per interrupt ----------------------------------------------- */

/** GICD_IGROUPR (4.3.4). */
static uint32_t read_group(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return (*group_word(m, cpu, intid) & irq_bit(intid)) != 0;
}

static void write_group(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			uint32_t field)
{
	if (bitmap_put(group_word(m, cpu, intid), intid, field != 0)) {
		irq_notify(m, cpu, intid);
	}
}

/** GICD_ISENABLER/ICENABLER (4.3.5, 4.3.6); SGIs read as one. */
static uint32_t read_enable(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return (*enable_word(m, cpu, intid) & irq_bit(intid)) != 0;
}

/** Enables or disables @p intid; SGI enables are RAO/WI. */
static void enable_put(struct gicd_model *m, uint32_t cpu, uint32_t intid,
		       bool enable)
{
	if (is_sgi(intid)) {
		return;
	}
	if (bitmap_put(enable_word(m, cpu, intid), intid, enable)) {
		irq_notify(m, cpu, intid);
	}
}

static void write_set_enable(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			     uint32_t field)
{
	if (field != 0) {
		enable_put(m, cpu, intid, true);
	}
}

static void write_clear_enable(struct gicd_model *m, uint32_t cpu,
			       uint32_t intid, uint32_t field)
{
	if (field != 0) {
		enable_put(m, cpu, intid, false);
	}
}

/** True if @p intid is an SPI pending with no target CPU. */
static bool spi_untargeted(const struct gicd_model *m, uint32_t intid)
{
	return !is_private(intid) &&
	       (m->spi_pending_untargeted[intid / BITS_PER_WORD] &
		irq_bit(intid)) != 0;
}

/** GICD_ISPENDR/ICPENDR (4.3.7, 4.3.8): the kernel's state, home CPU. */
static uint32_t read_pending(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	bool pending;
	bool active;

	query(m, home_cpu(m, cpu, intid), intid, &pending, &active);
	return pending || spi_untargeted(m, intid);
}

/**
 * GICD_ISPENDR write: pend a PPI on @p cpu, an SPI on its targets (or hold
 * it until it has some); SGI bits are WI, SPENDSGIR pends SGIs.
 */
static void write_set_pending(struct gicd_model *m, uint32_t cpu,
			      uint32_t intid, uint32_t field)
{
	uint32_t targets = targets_of(m, cpu, intid);

	if (field == 0 || is_sgi(intid)) {
		return;
	}
	if (targets == 0) {
		bitmap_put(&m->spi_pending_untargeted[intid / BITS_PER_WORD],
			   intid, true);
		return;
	}
	set_pending(m, targets, intid, 0);
}

/**
 * GICD_ICPENDR write: clear a PPI on @p cpu, an SPI everywhere (it may sit
 * on any CPU it ever targeted); SGI bits are WI, CPENDSGIR clears SGIs.
 */
static void write_clear_pending(struct gicd_model *m, uint32_t cpu,
				uint32_t intid, uint32_t field)
{
	if (field == 0 || is_sgi(intid)) {
		return;
	}
	if (is_private(intid)) {
		clear_pending(m, 1U << cpu, intid);
		return;
	}
	bitmap_put(&m->spi_pending_untargeted[intid / BITS_PER_WORD], intid,
		   false);
	clear_pending(m, all_cpus(m), intid);
}

/** GICD_ISACTIVER/ICACTIVER (4.3.9, 4.3.10): kernel state, home CPU. */
static uint32_t read_active(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	bool pending;
	bool active;

	query(m, home_cpu(m, cpu, intid), intid, &pending, &active);
	return active;
}

/** Sets or clears active on @p intid's home CPU. */
static void active_put(struct gicd_model *m, uint32_t cpu, uint32_t intid,
		       bool active)
{
	if (m->ops->set_active != NULL) {
		m->ops->set_active(m->ops_ctx, home_cpu(m, cpu, intid), intid,
				   active);
	}
}

static void write_set_active(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			     uint32_t field)
{
	if (field != 0) {
		active_put(m, cpu, intid, true);
	}
}

static void write_clear_active(struct gicd_model *m, uint32_t cpu,
			       uint32_t intid, uint32_t field)
{
	if (field != 0) {
		active_put(m, cpu, intid, false);
	}
}

/* --- Eight bits per interrupt -------------------------------------------- */

/** GICD_IPRIORITYR (4.3.11), banked for 0-31. */
static uint32_t read_priority(struct gicd_model *m, uint32_t cpu,
			      uint32_t intid)
{
	return *priority_ref(m, cpu, intid);
}

static void write_priority(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			   uint32_t field)
{
	uint8_t *prio = priority_ref(m, cpu, intid);
	uint8_t value = (uint8_t)(field & GICD_PRIORITY_MASK);

	if (*prio != value) {
		*prio = value;
		irq_notify(m, cpu, intid);
	}
}

/** GICD_ITARGETSR (4.3.12): 0-31 read the accessing CPU's bit. */
static uint32_t read_targets(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return targets_of(m, cpu, intid);
}

/**
 * ITARGETSR write of an SPI, masked to existing CPUs (0-31 are read-only).
 * An SPI pended while it had no target is forwarded to the new targets.
 */
static void write_targets(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			  uint32_t field)
{
	uint32_t targets = field & all_cpus(m);
	uint32_t *held = &m->spi_pending_untargeted[intid / BITS_PER_WORD];

	if (is_private(intid) || targets == m->targets_spi[intid]) {
		return;
	}
	m->targets_spi[intid] = (uint8_t)targets;
	irq_notify(m, cpu, intid);
	if (targets != 0 && bitmap_put(held, intid, false)) {
		set_pending(m, targets, intid, 0);
	}
}

/* --- Two bits per interrupt ---------------------------------------------- */

/** GICD_ICFGR (4.3.13). */
static uint32_t read_config(struct gicd_model *m, uint32_t cpu, uint32_t intid)
{
	return config_of(m, cpu, intid);
}

/** ICFGR write: only an SPI's edge bit is writable (see file comment). */
static void write_config(struct gicd_model *m, uint32_t cpu, uint32_t intid,
			 uint32_t field)
{
	uint32_t shift = (intid % GICD_ICFGR_PER_WORD) * GICD_ICFGR_BITS;
	uint32_t *word = &m->icfgr_spi[intid / GICD_ICFGR_PER_WORD];
	uint32_t old = *word;

	if (is_private(intid)) {
		return;
	}
	*word &= ~(GICD_ICFGR_EDGE << shift);
	*word |= (field & GICD_ICFGR_EDGE) << shift;
	if (*word != old) {
		irq_notify(m, cpu, intid);
	}
}

/* --- The register map ---------------------------------------------------- */

/** Distributor registers (IHI 0048B table 4-1); the rest is RAZ/WI.
 * Sorted by base, no two overlapping (find_reg). */
static const struct gicd_reg gicd_regs[] = {
    {
	.name = "GICD_CTLR",
	.base = GICD_CTLR,
	.size = 4,
	.field_bits = BITS_PER_WORD,
	.widths = ACCESS_WORD,
	.read = read_ctlr,
	.write = write_ctlr,
    },
    {
	.name = "GICD_TYPER",
	.base = GICD_TYPER,
	.size = 4,
	.field_bits = BITS_PER_WORD,
	.widths = ACCESS_WORD,
	.read = read_typer,
    },
    {
	.name = "GICD_IIDR",
	.base = GICD_IIDR,
	.size = 4,
	.field_bits = BITS_PER_WORD,
	.widths = ACCESS_WORD,
	.read = read_iidr,
    },
    {
	.name = "GICD_IGROUPR",
	.base = GICD_IGROUPR,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_group,
	.write = write_group,
    },
    {
	.name = "GICD_ISENABLER",
	.base = GICD_ISENABLER,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_enable,
	.write = write_set_enable,
    },
    {
	.name = "GICD_ICENABLER",
	.base = GICD_ICENABLER,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_enable,
	.write = write_clear_enable,
    },
    {
	.name = "GICD_ISPENDR",
	.base = GICD_ISPENDR,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_pending,
	.write = write_set_pending,
    },
    {
	.name = "GICD_ICPENDR",
	.base = GICD_ICPENDR,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_pending,
	.write = write_clear_pending,
    },
    {
	.name = "GICD_ISACTIVER",
	.base = GICD_ISACTIVER,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_active,
	.write = write_set_active,
    },
    {
	.name = "GICD_ICACTIVER",
	.base = GICD_ICACTIVER,
	.size = IRQ_GROUP_SIZE(1),
	.field_bits = 1,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_active,
	.write = write_clear_active,
    },
    {
	.name = "GICD_IPRIORITYR",
	.base = GICD_IPRIORITYR,
	.size = IRQ_GROUP_SIZE(8),
	.field_bits = 8,
	.widths = ACCESS_BYTE | ACCESS_WORD,
	.per_irq = true,
	.read = read_priority,
	.write = write_priority,
    },
    {
	.name = "GICD_ITARGETSR",
	.base = GICD_ITARGETSR,
	.size = IRQ_GROUP_SIZE(8),
	.field_bits = 8,
	.widths = ACCESS_BYTE | ACCESS_WORD,
	.per_irq = true,
	.read = read_targets,
	.write = write_targets,
    },
    {
	.name = "GICD_ICFGR",
	.base = GICD_ICFGR,
	.size = IRQ_GROUP_SIZE(GICD_ICFGR_BITS),
	.field_bits = GICD_ICFGR_BITS,
	.widths = ACCESS_WORD,
	.per_irq = true,
	.read = read_config,
	.write = write_config,
    },
    {
	.name = "GICD_SGIR",
	.base = GICD_SGIR,
	.size = 4,
	.field_bits = BITS_PER_WORD,
	.widths = ACCESS_WORD,
	.write = write_sgir,
    },
    {
	.name = "GICD_CPENDSGIR",
	.base = GICD_CPENDSGIR,
	.size = VGIC_SGI_COUNT,
	.field_bits = 8,
	.widths = ACCESS_BYTE | ACCESS_WORD,
	.read = read_sgi_sources,
	.write = write_sgi_clear_pending,
    },
    {
	.name = "GICD_SPENDSGIR",
	.base = GICD_SPENDSGIR,
	.size = VGIC_SGI_COUNT,
	.field_bits = 8,
	.widths = ACCESS_BYTE | ACCESS_WORD,
	.read = read_sgi_sources,
	.write = write_sgi_set_pending,
    },
    {
	.name = "GICD_PIDR/CIDR",
	.base = GICD_ID_BASE,
	.size = sizeof(gicd_id_regs),
	.field_bits = BITS_PER_WORD,
	.widths = ACCESS_WORD,
	.read = read_id,
    },
};

/* --- The generic accessor ------------------------------------------------ */

/**
 * The register group holding byte @p offset, or NULL (reserved). The
 * table is sorted by base and its groups do not overlap: the last group
 * that starts at or below @p offset is the only one that can hold it,
 * found by halving (5 steps for 17 groups; the linear scan took about 77
 * instructions to reach IPRIORITYR, the eleventh).
 */
static const struct gicd_reg *find_reg(uint32_t offset)
{
	size_t lo = 0, hi = ARRAY_SIZE(gicd_regs);

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (gicd_regs[mid].base <= offset) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	const struct gicd_reg *r = &gicd_regs[lo];

	return offset >= r->base && offset - r->base < r->size ? r : NULL;
}

/**
 * Validates an access (4.1.4): byte or word, naturally aligned, inside the
 * window, and a width the register allows (any of the two for reserved
 * space). Halfword and doubleword accesses are never allowed.
 */
static inline __attribute__((always_inline)) bool
access_ok(const struct gicd_model *m, uint32_t cpu, uint64_t offset,
	  unsigned width, const struct gicd_reg **reg)
{
	const struct gicd_reg *r;

	if (cpu >= m->cpu_count || (width != 1 && width != 4) ||
	    offset >= GICD_WINDOW_SIZE || (offset & (width - 1U)) != 0) {
		return false;
	}
	r = find_reg((uint32_t)offset);
	*reg = r;
	return r == NULL || (r->widths & (1U << width)) != 0;
}

/** First field an access at @p offset touches, and how many it spans. */
static void field_range(const struct gicd_reg *r, uint32_t offset,
			unsigned width, uint32_t *first, uint32_t *count)
{
	*first = (offset - r->base) * BITS_PER_BYTE / r->field_bits;
	*count = width * BITS_PER_BYTE / r->field_bits;
}

/** True if field @p index of @p r exists (else it is RAZ/WI). */
static bool field_exists(const struct gicd_reg *r, uint32_t index)
{
	return !r->per_irq || index < GICD_MODEL_NR_IRQS;
}

/** Mask of a @p bits-wide field. */
static uint32_t field_mask(uint32_t bits)
{
	return bits >= BITS_PER_WORD ? 0xffffffffU : (1U << bits) - 1U;
}

/** Reads the fields an access covers and packs them into one value (out
 * of line: the whole-word reads of gicd_model_read() need none of its
 * registers). */
static __attribute__((noinline)) uint32_t fields_read(struct gicd_model *m, const struct gicd_reg *r,
			    uint32_t cpu, uint32_t offset, unsigned width)
{
	uint32_t first;
	uint32_t count;
	uint32_t i;
	uint32_t value = 0;

	field_range(r, offset, width, &first, &count);
	for (i = 0; i < count && r->read != NULL; i++) {
		if (field_exists(r, first + i)) {
			value |= (r->read(m, cpu, first + i) &
				  field_mask(r->field_bits))
				 << (i * r->field_bits);
		}
	}
	return value;
}

/** Splits @p value into the fields an access covers and writes each. */
static void fields_write(struct gicd_model *m, const struct gicd_reg *r,
			 uint32_t cpu, uint32_t offset, unsigned width,
			 uint32_t value)
{
	uint32_t first;
	uint32_t count;
	uint32_t i;

	field_range(r, offset, width, &first, &count);
	for (i = 0; i < count && r->write != NULL; i++) {
		if (field_exists(r, first + i)) {
			r->write(m, cpu, first + i,
				 (value >> (i * r->field_bits)) &
				     field_mask(r->field_bits));
		}
	}
}

int gicd_model_read(struct gicd_model *m, uint32_t cpu, uint64_t offset,
		    unsigned width, uint32_t *value)
{
	const struct gicd_reg *r = NULL;

	if (!access_ok(m, cpu, offset, width, &r)) {
		return -1;
	}
	if (r != NULL && r->field_bits == BITS_PER_WORD) {
		/* A register of whole words (GICD_CTLR, TYPER, IIDR, the ID
		 * registers): access_ok() let only a word through, which is
		 * exactly one field, none per interrupt; fields_read() would
		 * find the same without its divisions and loop. */
		*value = r->read == NULL
				 ? 0
				 : r->read(m, cpu, ((uint32_t)offset - r->base) /
							   sizeof(uint32_t));
		return 0;
	}
	*value =
	    r == NULL ? 0 : fields_read(m, r, cpu, (uint32_t)offset, width);
	return 0;
}

int gicd_model_write(struct gicd_model *m, uint32_t cpu, uint64_t offset,
		     unsigned width, uint32_t value)
{
	const struct gicd_reg *r = NULL;

	if (!access_ok(m, cpu, offset, width, &r)) {
		return -1;
	}
	if (r != NULL) {
		fields_write(m, r, cpu, (uint32_t)offset, width, value);
	}
	return 0;
}

/* --- Reset --------------------------------------------------------------- */

/** Reset of the banked state of @p cpu. */
static void reset_cpu(struct gicd_model *m, uint32_t cpu)
{
	uint32_t i;

	for (i = 0; i < VGIC_PRIVATE_INTIDS; i++) {
		m->priority[cpu][i] = GICD_MODEL_RESET_PRIORITY;
	}
	for (i = 0; i < VGIC_SGI_COUNT; i++) {
		m->sgi_pending_sources[cpu][i] = 0;
	}
	m->enabled_private[cpu] = (1U << VGIC_SGI_COUNT) - 1U;
	m->group_private[cpu] = 0;
	m->icfgr_ppi[cpu] = 0;
}

/** Reset of the shared (SPI) state; @p targets for every SPI. */
static void reset_spis(struct gicd_model *m, uint8_t targets)
{
	uint32_t i;

	for (i = 0; i < GICD_MODEL_NR_IRQS; i++) {
		m->priority_spi[i] = GICD_MODEL_RESET_PRIORITY;
		m->targets_spi[i] = is_private(i) ? 0 : targets;
	}
	for (i = 0; i < GICD_MODEL_NR_IRQS / BITS_PER_WORD; i++) {
		m->enabled_spi[i] = 0;
		m->group_spi[i] = 0;
		m->spi_pending_untargeted[i] = 0;
	}
	for (i = 0; i < GICD_MODEL_NR_IRQS / GICD_ICFGR_PER_WORD; i++) {
		m->icfgr_spi[i] = 0;
	}
}

void gicd_model_init(struct gicd_model *m, uint32_t cpu_count,
		     const struct gicd_ops *ops, void *ops_ctx)
{
	uint32_t cpu;

	if (cpu_count < 1) {
		cpu_count = 1;
	} else if (cpu_count > GICD_MODEL_MAX_CPUS) {
		cpu_count = GICD_MODEL_MAX_CPUS;
	}
	m->ctlr = 0;
	m->cpu_count = cpu_count;
	m->ops = ops;
	m->ops_ctx = ops_ctx;
	for (cpu = 0; cpu < GICD_MODEL_MAX_CPUS; cpu++) {
		reset_cpu(m, cpu);
	}
	reset_spis(m, cpu_count == 1 ? 1U : 0U);
}
