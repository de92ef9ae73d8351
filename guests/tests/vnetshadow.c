/**
 * System test (issue 16): a guest attacks the register shadow page of its
 * virtual virtio-net (configs/vnet_hostile, tests/system/test_vnet_hostile.py).
 * The window's page is mapped read-only at Stage 2 over the service's
 * shadow (kernel/core/vm.c vm_map_shadows): a store takes a permission
 * fault the kernel forwards to the service as the MMIO write it is
 * (trap.c handle_dabt, FAR translated with AT S1E1R/S1E0R). With its
 * stage-1 MMU on, the guest maps the window at other VAs (Normal
 * Non-cacheable, so that pairs, unaligned accesses, DC ZVA, exclusives
 * and atomics reach Stage 2) for EL1 and for EL0 and tries every kind of
 * store on it. Each must be forwarded as the write it is, or end in a
 * synchronous external abort (as any access the kernel cannot emulate),
 * never in a hypervisor error, a write into the page or a service crash;
 * afterwards the page still shows the device's registers.
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* The window (configs/common/vnet_service.h) and the RAM, identity. */
#define WIN_IPA 0x0a001000UL
#define RAM_IPA 0x40000000UL
#define GIB 0x40000000UL
#define PAGE 0x1000UL
/* Other VAs of the window: EL1 only, EL0 (and EL1); an EL0 alias of RAM. */
#define WIN_EL1_VA 0x80000000UL
#define WIN_EL0_VA (WIN_EL1_VA + PAGE)
#define RAM_EL0_VA 0xc0000000UL

/* VMSAv8-64 stage 1, 4 KiB granule (D8.3): descriptors. */
#define D_BLOCK 1ULL
#define D_TABLE 3ULL
#define D_PAGE 3ULL
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define D_AP_EL0_RW (1ULL << 6)
#define D_AP_RO_ALL (3ULL << 6)
#define D_SH_INNER (3ULL << 8)
#define D_AF (1ULL << 10)
#define D_PXN (1ULL << 53)
#define D_UXN (1ULL << 54)
/* MAIR_EL1 attribute indices. */
#define ATTR_DEVICE 0U
#define ATTR_WB 1U
#define ATTR_NC 2U
#define MAIR_VALUE (0x00ULL | 0xffULL << 8 | 0x44ULL << 16)
/* TCR_EL1: T0SZ 25 (39-bit VA, level 1 first), WB walks, inner shareable,
 * TTBR1 walks off (EPD1), IPS 40 bits. */
#define TCR_VALUE \
	(25ULL | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 1ULL << 23 | 2ULL << 32)
/* SCTLR_EL1: M, C, I on; A (alignment checks) off. */
#define SCTLR_M (1ULL << 0)
#define SCTLR_A (1ULL << 1)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)
#define ENTRIES 512U

#define EC_SVC64 0x15U
#define EC_DABT_LOW 0x24U
#define EC_DABT_CUR 0x25U
#define FSC_MASK 0x3fULL
#define FSC_SYNC_EXTERNAL 0x10U

/* Registers (virtio 1.2 §4.2.2) and what the device shows. */
#define F_MAC (1U << 5)
#define F_VERSION_1_HI 1U
#define VERSION_2 2U

static _Alignas(4096) uint64_t l1[ENTRIES], l2[ENTRIES], l3[ENTRIES];

uint64_t el0_call(uint64_t pc, uint64_t addr, uint64_t value);
void el0_store32(void);

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(WIN_IPA + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(WIN_IPA + off) = v;
}

static void mmu_on(void)
{
	l1[0] = 0 | D_BLOCK | D_ATTR(ATTR_DEVICE) | D_AF | D_PXN | D_UXN;
	l1[1] = RAM_IPA | D_BLOCK | D_ATTR(ATTR_WB) | D_SH_INNER | D_AF | D_UXN;
	l1[2] = (uintptr_t)l2 | D_TABLE;
	l1[3] = RAM_IPA | D_BLOCK | D_ATTR(ATTR_WB) | D_SH_INNER | D_AF |
		D_AP_RO_ALL | D_PXN;
	l2[0] = (uintptr_t)l3 | D_TABLE;
	l3[0] = WIN_IPA | D_PAGE | D_ATTR(ATTR_NC) | D_AF | D_PXN | D_UXN;
	l3[1] = WIN_IPA | D_PAGE | D_ATTR(ATTR_NC) | D_AF | D_AP_EL0_RW |
		D_PXN | D_UXN;
	__asm__ volatile("dsb sy\n"
			 "msr mair_el1, %0\n"
			 "msr tcr_el1, %1\n"
			 "msr ttbr0_el1, %2\n"
			 "isb\n"
			 "tlbi vmalle1\n"
			 "dsb sy\n"
			 "isb\n" ::"r"(MAIR_VALUE),
			 "r"(TCR_VALUE), "r"((uintptr_t)l1)
			 : "memory");
	uint64_t sctlr;

	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr = (sctlr | SCTLR_M | SCTLR_C | SCTLR_I) & ~SCTLR_A;
	__asm__ volatile("msr sctlr_el1, %0\nisb" ::"r"(sctlr) : "memory");
}

/** The page still shows the device (magic, version, id, status). */
static void page_intact(const char *after, uint32_t status)
{
	bool ok = rd(VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC &&
		  rd(VIRTIO_MMIO_VERSION) == VERSION_2 &&
		  rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET &&
		  rd(VIRTIO_MMIO_STATUS) == status;

	if (!ok) {
		printf("vnetshadow: page wrong after %s: magic 0x%x version %u "
		       "id %u status 0x%x\n",
		       after, rd(VIRTIO_MMIO_MAGIC_VALUE),
		       rd(VIRTIO_MMIO_VERSION), rd(VIRTIO_MMIO_DEVICE_ID),
		       rd(VIRTIO_MMIO_STATUS));
	}
	CHECK(ok);
}

/** DeviceFeatures shows the word DeviceFeaturesSel selects. */
static uint32_t features_sel(void)
{
	uint32_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);

	return f == F_VERSION_1_HI ? 1U : f & F_MAC ? 0U : 0xffU;
}

/*
 * Run @p attack (an inline asm store on the EL1 mapping) and say what
 * happened: no exception (a store forwarded, checked by @p want_sel, the
 * DeviceFeaturesSel it leaves, if not 0xff), "external abort" (the
 * kernel's answer to what it cannot emulate), or anything else (fails).
 */
#define ATTACK(what, want_sel, ...)                                   \
	do {                                                          \
		const struct exception_record *r_ = exception_seen(); \
		wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);               \
		exception_expect(RESUME_NEXT_INSN);                   \
		__VA_ARGS__;                                          \
		outcome(what, r_, want_sel);                          \
	} while (0)

static void outcome(const char *what, const struct exception_record *r,
		    uint32_t want_sel)
{
	uint32_t sel = features_sel();

	if (r->count == 0) {
		printf("vnetshadow: %s: no exception, DeviceFeaturesSel %u\n",
		       what, sel);
		CHECK(want_sel == 0xffU || sel == want_sel);
	} else {
		bool sea = ESR_EC(r->esr) == EC_DABT_CUR &&
			   (r->esr & FSC_MASK) == FSC_SYNC_EXTERNAL;

		printf("vnetshadow: %s: %s (ESR 0x%llx)\n", what,
		       sea ? "external abort" : "other exception",
		       (unsigned long long)r->esr);
		CHECK(sea);
		CHECK_EQ(sel, 0);
		/* The handler is armed for one exception only. */
		exception_expect(RESUME_NEXT_INSN);
	}
	page_intact(what, 0);
}

static void attacks(void)
{
	volatile uint8_t *w = (volatile uint8_t *)WIN_EL1_VA;
	uint64_t tmp = 0, one = 1;

	/* A plain store through the EL1 mapping: forwarded at its offset. */
	ATTACK("store through the EL1 mapping", 1U,
	       *(volatile uint32_t *)(w + VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1);
	/* STP: DeviceFeatures (read-only, ignored), DeviceFeaturesSel. */
	ATTACK("STP of two words", 1U,
	       __asm__ volatile("stp %w1, %w2, [%0]" ::"r"(
					w + VIRTIO_MMIO_DEVICE_FEATURES),
				"r"(0), "r"(1)
				: "memory"));
	/* A 64-bit store crossing the page's end (into the EL0 mapping). */
	ATTACK("store crossing the page end", 0xffU,
	       __asm__ volatile("str %1, [%0]" ::"r"(w + PAGE - 4U), "r"(one)
				: "memory"));
	/* Forwarded as it is; the service ignores a control register write
	 * that is not 32-bit aligned (§4.2.2.2). */
	ATTACK("unaligned store", 0U,
	       __asm__ volatile("str %w1, [%0]" ::"r"(
					w + VIRTIO_MMIO_DEVICE_FEATURES_SEL +
					1U),
				"r"(1)
				: "memory"));
	/* DC ZVA writes: the kernel does not emulate it. DC CIVAC needs no
	 * write permission; DC IVAC at EL1 with Stage 2 on is a clean and
	 * invalidate (D7.5.9.3): neither faults on the read-only page. */
	ATTACK("DC ZVA", 0U,
	       __asm__ volatile("dc zva, %0" ::"r"(w)
				: "memory"));
	ATTACK("DC CIVAC", 0U,
	       __asm__ volatile("dc civac, %0" ::"r"(w)
				: "memory"));
	ATTACK("DC IVAC", 0U,
	       __asm__ volatile("dc ivac, %0" ::"r"(w)
				: "memory"));
	uint32_t st;

	ATTACK("LDXR/STXR", 0xffU,
	       __asm__ volatile("ldxr %w0, [%2]\n"
				"stxr %w1, %w3, [%2]"
				: "=&r"(tmp), "=&r"(st)
				: "r"(w + VIRTIO_MMIO_DEVICE_FEATURES_SEL),
				  "r"(1)
				: "memory"));
	ATTACK("LDADD", 0xffU,
	       __asm__ volatile(".arch_extension lse\n"
				"ldadd %w1, %w0, [%2]"
				: "=&r"(tmp)
				: "r"(1),
				  "r"(w + VIRTIO_MMIO_DEVICE_FEATURES_SEL)
				: "memory"));
	ATTACK("CAS", 0xffU,
	       __asm__ volatile(".arch_extension lse\n"
				"cas %w0, %w1, [%2]"
				: "+&r"(tmp)
				: "r"(1),
				  "r"(w + VIRTIO_MMIO_DEVICE_FEATURES_SEL)
				: "memory"));
	ATTACK("SWP", 0xffU,
	       __asm__ volatile(".arch_extension lse\n"
				"swp %w1, %w0, [%2]"
				: "=&r"(tmp)
				: "r"(1),
				  "r"(w + VIRTIO_MMIO_DEVICE_FEATURES_SEL)
				: "memory"));
}

/* A store from EL0 through its own mapping of the window. */
static void el0_attack(void)
{
	uint64_t pc = RAM_EL0_VA + ((uintptr_t)el0_store32 - RAM_IPA);

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t esr =
		el0_call(pc, WIN_EL0_VA + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);

	printf("vnetshadow: store from EL0: %s, DeviceFeaturesSel %u\n",
	       ESR_EC(esr) == EC_SVC64 ? "forwarded" : "exception",
	       features_sel());
	CHECK_EQ(ESR_EC(esr), EC_SVC64);
	CHECK_EQ(features_sel(), 1);
	page_intact("the EL0 store", 0);
}

void test_main(void)
{
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	wr(VIRTIO_MMIO_STATUS, 0);
	mmu_on();
	printf("vnetshadow: MMU on, window at 0x%lx (EL1) and 0x%lx (EL0)\n",
	       WIN_EL1_VA, WIN_EL0_VA);
	attacks();
	el0_attack();
	/* The store that leaves the window behind it: sure no write landed
	 * in the page, whatever came before. */
	page_intact("all attacks", 0);
	printf("vnetshadow: done\n");
}
