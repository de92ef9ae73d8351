/**
 * libFuzzer harness of the GICv2 distributor model (vgic/gicd_model.h),
 * linked with the real services/vgic/gicd_model.c.
 *
 * The input picks a vCPU count and then a sequence of guest accesses (any
 * vCPU number, offset and width), guest acknowledges and EOIs (the fake
 * kernel's pending/active state changing under the model) and resets. The
 * fake kernel behind struct gicd_ops keeps its own view of every interrupt's
 * configuration, built only from the irq_changed reports, as the real kernel
 * does. Checked after every access, from the header and IHI 0048B:
 *  - refused accesses (vCPU >= cpu_count, width not 1 or 4, misaligned,
 *    outside the window, a byte access to a word-only register, 4.1.4)
 *    return -1, make no ops call and change nothing;
 *  - reserved offsets and fields of interrupts >= GICD_MODEL_NR_IRQS read 0;
 *  - what the guest reads back (enable, priority, group, targets, edge) is
 *    what the kernel was told, for every interrupt an access covers, and for
 *    all of them at the end of the input: no change goes unreported;
 *  - SGIs always enabled and edge-triggered, ITARGETSR0-7 the reader's bit,
 *    SPI targets only existing vCPUs, priorities with 5 implemented bits;
 *  - every ops call names existing vCPUs and interrupts; at most one
 *    irq_changed per interrupt per access; set_pending of an SPI goes to its
 *    targets, of a PPI to the accessing vCPU, GICD_SGIR to the CPUs its
 *    filter selects (4.3.15);
 *  - the SGI source bytes (CPENDSGIR/SPENDSGIR) only name existing vCPUs,
 *    and only while the kernel reports that SGI pending.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "vgic/gicd_model.h"

#define NR_IRQS	     GICD_MODEL_NR_IRQS
#define MAX_CPUS     GICD_MODEL_MAX_CPUS
#define SGI_COUNT    16U /**< IDs 0-15 (IHI 0048B 2.2.1). */

/* Register fields written out from IHI 0048B 4.3. */
#define CTLR_MASK	    0x3U	 /**< EnableGrp0/1 (4.3.1). */
#define TYPER_CPUS_SHIFT    5U		 /**< CPUNumber [7:5] (4.3.2). */
#define IIDR_IMPLEMENTER(v) ((v)&0xfffU) /**< [11:0] (4.3.3). */
#define IIDR_ARM	    0x43bU
#define PIDR2_ARCHREV(v)    (((v) >> 4) & 0xfU) /**< 4.3.18. */
#define ICFGR_EDGE	    0x2U		/**< Int_config[1] (4.3.13). */
#define ICFGR_BIT0	    0x1U
#define PRIORITY_UNIMPL	    0x7U /**< 5 implemented bits (model). */
#define SGIR_FILTER_SHIFT   24U	 /**< TargetListFilter (4.3.15). */
#define SGIR_TARGETS_SHIFT  16U
#define SGIR_INTID_MASK	    0xfU
#define RESET_PRIORITY	    GICD_MODEL_RESET_PRIORITY

/** One register (group) of IHI 0048B table 4-1. */
struct reg_desc {
	uint32_t base;
	uint32_t size;
	uint32_t bits; /**< Bits per interrupt, 0 for single registers. */
	bool byte_ok;  /**< Byte-accessible (4.1.4). */
};

enum reg_id {
	R_CTLR,
	R_TYPER,
	R_IIDR,
	R_IGROUPR,
	R_ISENABLER,
	R_ICENABLER,
	R_ISPENDR,
	R_ICPENDR,
	R_ISACTIVER,
	R_ICACTIVER,
	R_IPRIORITYR,
	R_ITARGETSR,
	R_ICFGR,
	R_SGIR,
	R_CPENDSGIR,
	R_SPENDSGIR,
	R_ID,
	R_COUNT,
};

static const struct reg_desc regs[R_COUNT] = {
    [R_CTLR] = {.base = GICD_CTLR, .size = 4},
    [R_TYPER] = {.base = GICD_TYPER, .size = 4},
    [R_IIDR] = {.base = GICD_IIDR, .size = 4},
    [R_IGROUPR] = {.base = GICD_IGROUPR, .size = 0x80, .bits = 1},
    [R_ISENABLER] = {.base = GICD_ISENABLER, .size = 0x80, .bits = 1},
    [R_ICENABLER] = {.base = GICD_ICENABLER, .size = 0x80, .bits = 1},
    [R_ISPENDR] = {.base = GICD_ISPENDR, .size = 0x80, .bits = 1},
    [R_ICPENDR] = {.base = GICD_ICPENDR, .size = 0x80, .bits = 1},
    [R_ISACTIVER] = {.base = GICD_ISACTIVER, .size = 0x80, .bits = 1},
    [R_ICACTIVER] = {.base = GICD_ICACTIVER, .size = 0x80, .bits = 1},
    [R_IPRIORITYR] = {.base = GICD_IPRIORITYR,
		      .size = 0x400,
		      .bits = 8,
		      .byte_ok = true},
    [R_ITARGETSR] = {.base = GICD_ITARGETSR,
		     .size = 0x400,
		     .bits = 8,
		     .byte_ok = true},
    [R_ICFGR] = {.base = GICD_ICFGR, .size = 0x100, .bits = 2},
    [R_SGIR] = {.base = GICD_SGIR, .size = 4},
    [R_CPENDSGIR] = {.base = GICD_CPENDSGIR, .size = 0x10, .byte_ok = true},
    [R_SPENDSGIR] = {.base = GICD_SPENDSGIR, .size = 0x10, .byte_ok = true},
    /* PIDR4-7, PIDR0-3, CIDR0-3 at 0xFD0-0xFFC (4.3.17, 4.3.18). */
    [R_ID] = {.base = 0xfd0, .size = 0x30},
};

/** The configuration of one interrupt, as the kernel knows it. */
struct irq_view {
	bool enabled;
	uint8_t priority;
	uint8_t targets;
	bool group1;
	bool edge;
};

/** The fake kernel: configuration view, live state, call checks. */
struct fake_kernel {
	uint32_t cpu_count;
	struct irq_view priv[MAX_CPUS][VGIC_PRIVATE_INTIDS];
	struct irq_view spi[NR_IRQS];
	uint32_t ctlr;
	bool pending[MAX_CPUS][NR_IRQS];
	bool active[MAX_CPUS][NR_IRQS];
	/** Access number of the last irq_changed per interrupt. */
	uint64_t reported_priv[MAX_CPUS][VGIC_PRIVATE_INTIDS];
	uint64_t reported_spi[NR_IRQS];
	uint64_t access;     /**< Number of the access under way. */
	uint32_t access_cpu; /**< vCPU making it. */
	uint64_t calls;	     /**< Every ops call. */
	uint32_t set_calls;  /**< set_pending calls in this access. */
	uint32_t last_mask;  /**< Last set_pending: mask, ID, source. */
	uint32_t last_intid;
	uint32_t last_source;
};

struct harness {
	struct gicd_model m;
	struct fake_kernel k;
};

static uint32_t all_cpus(const struct fake_kernel *k)
{
	return (1U << k->cpu_count) - 1U;
}

static struct irq_view *view(struct fake_kernel *k, uint32_t cpu,
			     uint32_t intid)
{
	return intid < VGIC_PRIVATE_INTIDS ? &k->priv[cpu][intid] : &k->spi[intid];
}

/** Lowest vCPU in @p mask, or @p fallback (the model's "home" CPU). */
static uint32_t lowest(uint32_t mask, uint32_t fallback)
{
	for (uint32_t c = 0; c < MAX_CPUS; c++) {
		if (mask & (1U << c)) {
			return c;
		}
	}
	return fallback;
}

/* --- The ops the model calls --------------------------------------------- */

static void k_irq_changed(void *ctx, uint32_t cpu, uint32_t intid, bool enabled,
			  uint8_t priority, uint8_t targets, bool group1,
			  bool edge)
{
	struct fake_kernel *k = ctx;
	uint64_t *seen;

	k->calls++;
	FUZZ_CHECK(intid < NR_IRQS, "irq_changed of ID %u", intid);
	if (intid < VGIC_PRIVATE_INTIDS) {
		FUZZ_CHECK(cpu < k->cpu_count && targets == 1U << cpu,
			   "irq_changed of private %u: cpu %u targets 0x%x",
			   intid, cpu, targets);
		seen = &k->reported_priv[cpu][intid];
	} else {
		FUZZ_CHECK(cpu == 0 && (targets & ~all_cpus(k)) == 0,
			   "irq_changed of SPI %u: cpu %u targets 0x%x", intid,
			   cpu, targets);
		seen = &k->reported_spi[intid];
	}
	FUZZ_CHECK(intid >= SGI_COUNT || (enabled && edge),
		   "SGI %u reported disabled or level", intid);
	FUZZ_CHECK(*seen != k->access, "ID %u reported twice in one access",
		   intid);
	*seen = k->access;
	*view(k, cpu, intid) = (struct irq_view){
	    .enabled = enabled,
	    .priority = priority,
	    .targets = targets,
	    .group1 = group1,
	    .edge = edge,
	};
}

static void k_set_pending(void *ctx, uint32_t cpu_mask, uint32_t intid,
			  uint32_t source_cpu)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	FUZZ_CHECK(cpu_mask != 0 && (cpu_mask & ~all_cpus(k)) == 0 &&
		       intid < NR_IRQS,
		   "set_pending mask 0x%x ID %u", cpu_mask, intid);
	if (intid < SGI_COUNT) {
		FUZZ_CHECK(source_cpu < k->cpu_count, "SGI source %u",
			   source_cpu);
	} else if (intid < VGIC_PRIVATE_INTIDS) {
		FUZZ_CHECK(cpu_mask == 1U << k->access_cpu,
			   "PPI %u pended on 0x%x by vCPU %u", intid, cpu_mask,
			   k->access_cpu);
	} else {
		FUZZ_CHECK(cpu_mask == k->spi[intid].targets,
			   "SPI %u pended on 0x%x, targets 0x%x", intid,
			   cpu_mask, k->spi[intid].targets);
	}
	k->set_calls++;
	k->last_mask = cpu_mask;
	k->last_intid = intid;
	k->last_source = source_cpu;
	for (uint32_t c = 0; c < k->cpu_count; c++) {
		if (cpu_mask & (1U << c)) {
			k->pending[c][intid] = true;
		}
	}
}

static void k_clear_pending(void *ctx, uint32_t cpu_mask, uint32_t intid)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	FUZZ_CHECK(cpu_mask != 0 && (cpu_mask & ~all_cpus(k)) == 0 &&
		       intid < NR_IRQS,
		   "clear_pending mask 0x%x ID %u", cpu_mask, intid);
	for (uint32_t c = 0; c < k->cpu_count; c++) {
		if (cpu_mask & (1U << c)) {
			k->pending[c][intid] = false;
		}
	}
}

static void k_set_active(void *ctx, uint32_t cpu, uint32_t intid, bool active)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	FUZZ_CHECK(cpu < k->cpu_count && intid < NR_IRQS,
		   "set_active cpu %u ID %u", cpu, intid);
	k->active[cpu][intid] = active;
}

static void k_query(void *ctx, uint32_t cpu, uint32_t intid, bool *pending,
		    bool *active)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	FUZZ_CHECK(cpu < k->cpu_count && intid < NR_IRQS, "query cpu %u ID %u",
		   cpu, intid);
	*pending = k->pending[cpu][intid];
	*active = k->active[cpu][intid];
}

static void k_ctlr_changed(void *ctx, uint32_t ctlr)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	FUZZ_CHECK((ctlr & ~CTLR_MASK) == 0 && ctlr != k->ctlr,
		   "ctlr_changed 0x%x (was 0x%x)", ctlr, k->ctlr);
	k->ctlr = ctlr;
}

static const struct gicd_ops ops = {
    .irq_changed = k_irq_changed,
    .set_pending = k_set_pending,
    .clear_pending = k_clear_pending,
    .set_active = k_set_active,
    .query = k_query,
    .ctlr_changed = k_ctlr_changed,
};

/** Model and kernel view in the reset state the header documents. */
static void reset(struct harness *h, uint32_t cpu_count)
{
	struct fake_kernel *k = &h->k;
	uint32_t n = cpu_count < 1	    ? 1
		     : cpu_count > MAX_CPUS ? MAX_CPUS
					    : cpu_count;

	memset(&h->m, 0xa5, sizeof(h->m));
	memset(k, 0, sizeof(*k));
	k->cpu_count = n;
	for (uint32_t c = 0; c < MAX_CPUS; c++) {
		for (uint32_t i = 0; i < VGIC_PRIVATE_INTIDS; i++) {
			k->priv[c][i] = (struct irq_view){
			    .enabled = i < SGI_COUNT,
			    .priority = RESET_PRIORITY,
			    .targets = (uint8_t)(1U << c),
			    .edge = i < SGI_COUNT,
			};
		}
	}
	for (uint32_t i = VGIC_PRIVATE_INTIDS; i < NR_IRQS; i++) {
		k->spi[i] = (struct irq_view){
		    .priority = RESET_PRIORITY,
		    .targets = n == 1 ? 1 : 0,
		};
	}
	gicd_model_init(&h->m, cpu_count, &ops, k);
	FUZZ_CHECK(h->m.cpu_count == n && k->calls == 0,
		   "init: cpu_count %u, %llu ops calls", h->m.cpu_count,
		   (unsigned long long)k->calls);
}

/* --- Access rules --------------------------------------------------------- */

/** The register holding @p offset, or R_COUNT for reserved space. */
static enum reg_id find(uint64_t offset)
{
	for (int r = 0; r < R_COUNT; r++) {
		if (offset >= regs[r].base &&
		    offset - regs[r].base < regs[r].size) {
			return (enum reg_id)r;
		}
	}
	return R_COUNT;
}

/** The header's access rule (IHI 0048B 4.1.4). */
static bool access_ok(const struct fake_kernel *k, uint32_t cpu,
		      uint64_t offset, unsigned int width)
{
	enum reg_id r;

	if (cpu >= k->cpu_count || (width != 1 && width != 4) ||
	    offset >= GICD_WINDOW_SIZE || offset % width != 0) {
		return false;
	}
	r = find(offset);
	return width == 4 || r == R_COUNT || regs[r].byte_ok;
}

/** Read that must succeed. */
static uint32_t peek(struct harness *h, uint32_t cpu, uint32_t offset,
		     unsigned int width)
{
	uint32_t v = 0xdeadbeefU;

	FUZZ_CHECK(gicd_model_read(&h->m, cpu, offset, width, &v) == 0,
		   "read of 0x%x by vCPU %u refused", offset, cpu);
	return v;
}

static bool peek_bit(struct harness *h, uint32_t cpu, enum reg_id r,
		     uint32_t intid)
{
	uint32_t word = peek(h, cpu, regs[r].base + intid / 32 * 4, 4);

	return (word >> (intid % 32)) & 1U;
}

/** Configuration of @p intid as vCPU @p cpu reads it back. */
static struct irq_view read_back(struct harness *h, uint32_t cpu,
				 uint32_t intid)
{
	uint32_t cfg = peek(h, cpu, GICD_ICFGR + intid / 16 * 4, 4);
	uint32_t field = (cfg >> (intid % 16 * 2)) & 0x3U;

	if (intid >= VGIC_PRIVATE_INTIDS) {
		FUZZ_CHECK((field & ICFGR_BIT0) == 0,
			   "SPI %u Int_config[0] set", intid);
	}
	return (struct irq_view){
	    .enabled = peek_bit(h, cpu, R_ISENABLER, intid),
	    .priority = (uint8_t)peek(h, cpu, GICD_IPRIORITYR + intid, 1),
	    .targets = (uint8_t)peek(h, cpu, GICD_ITARGETSR + intid, 1),
	    .group1 = peek_bit(h, cpu, R_IGROUPR, intid),
	    .edge = (field & ICFGR_EDGE) != 0,
	};
}

/**
 * Configuration of every interrupt as vCPU @p cpu reads it back, with
 * word reads only: 80 reads instead of 5 per interrupt.
 */
static void read_back_all(struct harness *h, uint32_t cpu,
			  struct irq_view out[NR_IRQS])
{
	for (uint32_t w = 0; w < NR_IRQS / 32; w++) {
		uint32_t en = peek(h, cpu, GICD_ISENABLER + w * 4, 4);
		uint32_t grp = peek(h, cpu, GICD_IGROUPR + w * 4, 4);

		for (uint32_t b = 0; b < 32; b++) {
			out[w * 32 + b].enabled = (en >> b) & 1U;
			out[w * 32 + b].group1 = (grp >> b) & 1U;
		}
	}
	for (uint32_t w = 0; w < NR_IRQS / 4; w++) {
		uint32_t prio = peek(h, cpu, GICD_IPRIORITYR + w * 4, 4);
		uint32_t tgt = peek(h, cpu, GICD_ITARGETSR + w * 4, 4);

		for (uint32_t b = 0; b < 4; b++) {
			out[w * 4 + b].priority = (uint8_t)(prio >> (8 * b));
			out[w * 4 + b].targets = (uint8_t)(tgt >> (8 * b));
		}
	}
	for (uint32_t w = 0; w < NR_IRQS / 16; w++) {
		uint32_t cfg = peek(h, cpu, GICD_ICFGR + w * 4, 4);

		for (uint32_t b = 0; b < 16; b++) {
			uint32_t field = (cfg >> (2 * b)) & 0x3U;
			uint32_t intid = w * 16 + b;

			FUZZ_CHECK(intid < VGIC_PRIVATE_INTIDS ||
				       (field & ICFGR_BIT0) == 0,
				   "SPI %u Int_config[0] set", intid);
			out[intid].edge = (field & ICFGR_EDGE) != 0;
		}
	}
}

/** What vCPU @p cpu read of @p intid (@p got) equals the kernel's view. */
static void compare_irq(struct harness *h, uint32_t cpu, uint32_t intid,
			struct irq_view got)
{
	struct fake_kernel *k = &h->k;
	const struct irq_view *want = view(k, cpu, intid);

	FUZZ_CHECK(got.enabled == want->enabled &&
		       got.priority == want->priority &&
		       got.targets == want->targets &&
		       got.group1 == want->group1 && got.edge == want->edge,
		   "vCPU %u ID %u reads en %d prio 0x%x tgt 0x%x grp %d edge "
		   "%d; the kernel was told en %d prio 0x%x tgt 0x%x grp %d "
		   "edge %d",
		   cpu, intid, got.enabled, got.priority, got.targets,
		   got.group1, got.edge, want->enabled, want->priority,
		   want->targets, want->group1, want->edge);
	FUZZ_CHECK((got.priority & PRIORITY_UNIMPL) == 0,
		   "priority 0x%x has unimplemented bits", got.priority);
	FUZZ_CHECK(intid < VGIC_PRIVATE_INTIDS || (got.targets & ~all_cpus(k)) == 0,
		   "SPI %u targets 0x%x", intid, got.targets);
	FUZZ_CHECK(intid >= SGI_COUNT || (got.enabled && got.edge),
		   "SGI %u disabled or level", intid);
	FUZZ_CHECK(intid >= VGIC_PRIVATE_INTIDS || got.targets == 1U << cpu,
		   "ITARGETSR of %u reads 0x%x on vCPU %u", intid, got.targets,
		   cpu);
}

/** The guest's view of @p intid equals the kernel's (byte reads). */
static void check_irq(struct harness *h, uint32_t cpu, uint32_t intid)
{
	compare_irq(h, cpu, intid, read_back(h, cpu, intid));
}

/** Every interrupt of every vCPU, and the single registers. */
static void check_all(struct harness *h)
{
	struct fake_kernel *k = &h->k;
	struct irq_view got[NR_IRQS];

	for (uint32_t c = 0; c < k->cpu_count; c++) {
		uint32_t typer = peek(h, c, GICD_TYPER, 4);

		read_back_all(h, c, got);
		for (uint32_t i = 0; i < NR_IRQS; i++) {
			if (i < VGIC_PRIVATE_INTIDS || c == 0) {
				compare_irq(h, c, i, got[i]);
			}
		}
		FUZZ_CHECK(peek(h, c, GICD_CTLR, 4) == k->ctlr, "GICD_CTLR");
		FUZZ_CHECK((typer & 0x1fU) == NR_IRQS / 32 - 1 &&
			       ((typer >> TYPER_CPUS_SHIFT) & 0x7U) ==
				   k->cpu_count - 1,
			   "GICD_TYPER 0x%x", typer);
	}
}

/* --- Reads --------------------------------------------------------------- */

/** Fields of a per-interrupt register for IDs the model lacks read 0. */
static void check_raz_fields(enum reg_id r, uint64_t offset, unsigned int width,
			     uint32_t value)
{
	uint32_t bits = regs[r].bits;
	uint32_t first = (uint32_t)(offset - regs[r].base) * 8U / bits;

	for (uint32_t i = 0; i < width * 8U / bits; i++) {
		uint32_t mask = (uint32_t)((1ULL << bits) - 1U);

		if (first + i >= NR_IRQS) {
			FUZZ_CHECK(((value >> (i * bits)) & mask) == 0,
				   "field of ID %u reads non-zero", first + i);
		}
	}
}

/** CPENDSGIR/SPENDSGIR bytes: existing sources of SGIs still pending. */
static void check_sgi_sources(struct harness *h, uint32_t cpu, uint64_t offset,
			      unsigned int width, uint32_t value)
{
	uint32_t first = (uint32_t)(offset - regs[find(offset)].base);

	for (uint32_t i = 0; i < width; i++) {
		uint32_t sources = (value >> (8U * i)) & 0xffU;

		FUZZ_CHECK((sources & ~all_cpus(&h->k)) == 0,
			   "SGI %u sources 0x%x", first + i, sources);
		FUZZ_CHECK(sources == 0 || h->k.pending[cpu][first + i],
			   "SGI %u has sources 0x%x but is not pending",
			   first + i, sources);
	}
}

/** Live state bits (ISPENDR..ICACTIVER) against the fake kernel. */
static void check_live(struct harness *h, uint32_t cpu, enum reg_id r,
		       uint64_t offset, uint32_t value)
{
	struct fake_kernel *k = &h->k;
	uint32_t first = (uint32_t)(offset - regs[r].base) * 8U;
	bool pend = r == R_ISPENDR || r == R_ICPENDR;

	for (uint32_t i = 0; i < 32 && first + i < NR_IRQS; i++) {
		uint32_t id = first + i;
		uint32_t home =
		    id < VGIC_PRIVATE_INTIDS ? cpu : lowest(k->spi[id].targets, cpu);
		bool held =
		    id >= VGIC_PRIVATE_INTIDS &&
		    (h->m.spi_pending_untargeted[id / 32] >> (id % 32)) & 1U;
		bool want =
		    pend ? k->pending[home][id] || held : k->active[home][id];

		FUZZ_CHECK(((value >> i) & 1U) == want,
			   "%s of ID %u on vCPU %u reads %u",
			   pend ? "pending" : "active", id, cpu,
			   (value >> i) & 1U);
	}
}

static void op_read(struct harness *h, uint32_t cpu, uint64_t offset,
		    unsigned int width)
{
	struct gicd_model before;
	bool ok = access_ok(&h->k, cpu, offset, width);
	uint64_t calls = h->k.calls;
	uint32_t value = 0;
	enum reg_id r;
	int ret;

	memcpy(&before, &h->m, sizeof(before));
	ret = gicd_model_read(&h->m, cpu, offset, width, &value);
	FUZZ_CHECK(ret == (ok ? 0 : -1), "read vCPU %u 0x%llx/%u: %d", cpu,
		   (unsigned long long)offset, width, ret);
	if (!ok) {
		FUZZ_CHECK(h->k.calls == calls &&
			       memcmp(&before, &h->m, sizeof(before)) == 0,
			   "refused read had effects");
		return;
	}
	FUZZ_CHECK(width == 4 || value <= 0xffU, "byte read 0x%x", value);
	r = find(offset);
	switch (r) {
	case R_COUNT:
	case R_SGIR:
		FUZZ_CHECK(value == 0, "reserved/WO 0x%llx reads 0x%x",
			   (unsigned long long)offset, value);
		break;
	case R_CTLR:
		FUZZ_CHECK(value == h->k.ctlr, "GICD_CTLR 0x%x", value);
		break;
	case R_IIDR:
		FUZZ_CHECK(IIDR_IMPLEMENTER(value) == IIDR_ARM,
			   "GICD_IIDR 0x%x", value);
		break;
	case R_ID:
		FUZZ_CHECK(offset != GICD_PIDR2 || PIDR2_ARCHREV(value) == 2,
			   "PIDR2 0x%x", value);
		break;
	case R_ISPENDR:
	case R_ICPENDR:
	case R_ISACTIVER:
	case R_ICACTIVER:
		check_live(h, cpu, r, offset, value);
		break;
	case R_CPENDSGIR:
	case R_SPENDSGIR:
		check_sgi_sources(h, cpu, offset, width, value);
		break;
	default:
		break;
	}
	if (r != R_COUNT && regs[r].bits != 0) {
		check_raz_fields(r, offset, width, value);
	}
}

/* --- Writes -------------------------------------------------------------- */

/** Expected targets of a GICD_SGIR write by @p cpu; 0 for none. */
static uint32_t sgir_targets(const struct fake_kernel *k, uint32_t cpu,
			     uint32_t value)
{
	switch ((value >> SGIR_FILTER_SHIFT) & 0x3U) {
	case 0:
		return (value >> SGIR_TARGETS_SHIFT) & 0xffU & all_cpus(k);
	case 1:
		return all_cpus(k) & ~(1U << cpu);
	case 2:
		return 1U << cpu;
	default:
		return 0;
	}
}

/** The interrupts a config write covers must read back as reported. */
static void check_written_irqs(struct harness *h, uint32_t cpu, enum reg_id r,
			       uint64_t offset, unsigned int width)
{
	uint32_t bits = regs[r].bits;
	uint32_t first = (uint32_t)(offset - regs[r].base) * 8U / bits;
	uint32_t count = width * 8U / bits;
	struct irq_view got[NR_IRQS];

	if (count > 4) {
		read_back_all(h, cpu, got);
	}
	for (uint32_t i = 0; i < count && first + i < NR_IRQS; i++) {
		if (count > 4) {
			compare_irq(h, cpu, first + i, got[first + i]);
		} else {
			check_irq(h, cpu, first + i);
		}
	}
}

static void op_write(struct harness *h, uint32_t cpu, uint64_t offset,
		     unsigned int width, uint32_t value)
{
	struct fake_kernel *k = &h->k;
	struct gicd_model before;
	bool ok = access_ok(k, cpu, offset, width);
	uint64_t calls = k->calls;
	enum reg_id r = find(offset);
	int ret;

	k->access++;
	k->access_cpu = cpu;
	k->set_calls = 0;
	memcpy(&before, &h->m, sizeof(before));
	ret = gicd_model_write(&h->m, cpu, offset, width, value);
	FUZZ_CHECK(ret == (ok ? 0 : -1), "write vCPU %u 0x%llx/%u: %d", cpu,
		   (unsigned long long)offset, width, ret);
	if (!ok || r == R_COUNT || r == R_TYPER || r == R_IIDR || r == R_ID) {
		FUZZ_CHECK(k->calls == calls &&
			       memcmp(&before, &h->m, sizeof(before)) == 0,
			   "write vCPU %u 0x%llx/%u had effects", cpu,
			   (unsigned long long)offset, width);
		return;
	}
	switch (r) {
	case R_IGROUPR:
	case R_ISENABLER:
	case R_ICENABLER:
	case R_IPRIORITYR:
	case R_ITARGETSR:
	case R_ICFGR:
		check_written_irqs(h, cpu, r, offset, width);
		break;
	case R_SGIR: {
		uint32_t targets = sgir_targets(k, cpu, value);

		FUZZ_CHECK(k->set_calls == (targets != 0 ? 1U : 0U),
			   "GICD_SGIR 0x%x: %u set_pending calls", value,
			   k->set_calls);
		FUZZ_CHECK(targets == 0 ||
			       (k->last_mask == targets &&
				k->last_intid == (value & SGIR_INTID_MASK) &&
				k->last_source == cpu),
			   "GICD_SGIR 0x%x from %u: mask 0x%x ID %u source %u",
			   value, cpu, k->last_mask, k->last_intid,
			   k->last_source);
		break;
	}
	case R_CTLR:
		FUZZ_CHECK(k->ctlr == (value & CTLR_MASK), "GICD_CTLR 0x%x",
			   value);
		break;
	default:
		break;
	}
}

/* --- Input decoding ------------------------------------------------------- */

/** Access widths to try: mostly legal ones. */
static const unsigned int widths[] = {4, 4, 4, 1, 1, 2, 8, 0};

/** An offset: mostly inside a register, sometimes anywhere. */
static uint64_t pick_offset(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	if (sel == 0xff) {
		return fuzz_u64(in);
	}
	if (sel >= 0xc0) {
		return fuzz_u16(in) & 0x1fffU;
	}
	{
		const struct reg_desc *r = &regs[sel % R_COUNT];
		uint32_t within = fuzz_u16(in) % r->size;

		return r->base + within;
	}
}

enum op {
	OP_WRITE,
	OP_WRITE_WORD,
	OP_READ,
	OP_READ_WORD,
	OP_SGIR,
	OP_GUEST_ACK,
	OP_GUEST_EOI,
	OP_RESET,
	OP_COUNT,
};

/** The guest takes or completes an interrupt behind the model's back. */
static void guest_ack(struct fake_kernel *k, uint32_t cpu, uint32_t intid,
		      bool eoi)
{
	cpu %= k->cpu_count;
	intid %= NR_IRQS;
	if (eoi) {
		k->active[cpu][intid] = false;
	} else if (k->pending[cpu][intid]) {
		k->pending[cpu][intid] = false;
		k->active[cpu][intid] = true;
	}
}

static void run_op(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	uint32_t cpu = fuzz_u8(in) % (MAX_CPUS + 2);
	uint64_t offset;
	unsigned int width;

	switch (op % OP_COUNT) {
	case OP_WRITE:
		offset = pick_offset(in);
		width = widths[fuzz_u8(in) % 8];
		op_write(h, cpu, offset, width, fuzz_u32(in));
		break;
	case OP_WRITE_WORD:
		offset = pick_offset(in) & ~3ULL;
		op_write(h, cpu, offset, 4, fuzz_u32(in));
		break;
	case OP_READ:
		offset = pick_offset(in);
		width = widths[fuzz_u8(in) % 8];
		op_read(h, cpu, offset, width);
		break;
	case OP_READ_WORD:
		op_read(h, cpu, pick_offset(in) & ~3ULL, 4);
		break;
	case OP_SGIR:
		op_write(h, cpu, GICD_SGIR, 4, fuzz_u32(in));
		break;
	case OP_GUEST_ACK:
		guest_ack(&h->k, cpu, fuzz_u8(in), false);
		break;
	case OP_GUEST_EOI:
		guest_ack(&h->k, cpu, fuzz_u8(in), true);
		break;
	default:
		reset(h, fuzz_u8(in) % (MAX_CPUS + 2));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	reset(&h, fuzz_u8(&in) % (MAX_CPUS + 2));
	while (!fuzz_done(&in)) {
		run_op(&h, &in);
	}
	check_all(&h);
	return 0;
}
