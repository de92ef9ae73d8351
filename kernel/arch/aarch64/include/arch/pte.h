#pragma once
/**
 * Stage-2 translation table descriptors and the registers that describe the
 * table format, one named constant per field. References are to the Arm ARM
 * (DDI 0487): D8.3 "Translation table descriptor formats" for descriptors,
 * D13.2 "General system control registers" for VTCR_EL2 and VTTBR_EL2.
 * Sub-sections are named rather than numbered; their numbers move between
 * revisions of the manual.
 *
 * Pure constants: this header is shared by the kernel and the host tests.
 */

/* --- Descriptor type, bits [1:0] (D8.3, "Table descriptors", "Block --- */
/* --- descriptors", "Page descriptors") ---------------------------------- */

/** Bit 0: the descriptor is valid. */
#define S2_PTE_VALID (1ULL << 0)
/** Bit 1: table (levels 0-2) or page (level 3) rather than block. */
#define S2_PTE_TABLE (1ULL << 1)
#define S2_PTE_TYPE_MASK (S2_PTE_VALID | S2_PTE_TABLE)
/** Level 1-2 block descriptor: bits [1:0] = 0b01. */
#define S2_PTE_TYPE_BLOCK S2_PTE_VALID
/** Level 0-2 table descriptor: bits [1:0] = 0b11. */
#define S2_PTE_TYPE_TABLE (S2_PTE_VALID | S2_PTE_TABLE)
/** Level 3 page descriptor: bits [1:0] = 0b11. */
#define S2_PTE_TYPE_PAGE (S2_PTE_VALID | S2_PTE_TABLE)

/**
 * Output address (or next-level table address), bits [47:12] for the 4 KiB
 * granule with 48-bit or smaller output addresses (D8.3). A level-2 block
 * uses bits [47:21] only; bits [20:12] of a block are RES0.
 */
#define S2_PTE_OA_SHIFT 12
#define S2_PTE_OA_MASK (((1ULL << 48) - 1) & ~((1ULL << S2_PTE_OA_SHIFT) - 1))

/* --- Stage-2 block and page attributes (D8.3, "Stage 2 attributes"; --- */
/* --- D8.6, "Stage 2 memory type and Cacheability attributes") --------- */

/** MemAttr[3:0], bits [5:2]: memory type when FEAT_S2FWB is not in use. */
#define S2_PTE_MEMATTR_SHIFT 2
#define S2_PTE_MEMATTR_MASK (0xfULL << S2_PTE_MEMATTR_SHIFT)
/** MemAttr 0b1111: Normal, Outer and Inner Write-Back Cacheable. */
#define S2_MEMATTR_NORMAL_WB 0xfULL
/** MemAttr 0b0001: Device-nGnRE. */
#define S2_MEMATTR_DEVICE_nGnRE 0x1ULL
/** MemAttr 0b0101: Normal, Outer and Inner Non-cacheable. */
#define S2_MEMATTR_NORMAL_NC 0x5ULL

/** S2AP[1:0], bits [7:6]: "Stage 2 data access permissions" (D8.4).
 * S2AP bit 0 (descriptor bit 6): reads allowed. */
#define S2_PTE_S2AP_R (1ULL << 6)
/** S2AP bit 1 (descriptor bit 7): writes allowed. */
#define S2_PTE_S2AP_W (1ULL << 7)

/**
 * SH[1:0], bits [9:8]: shareability of Normal memory (D8.6). Ignored for
 * Device memory, which is always treated as Outer Shareable.
 */
#define S2_PTE_SH_SHIFT 8
#define S2_SH_INNER 0x3ULL

/** AF, bit 10: Access Flag; clear would fault on first access (D8.5). */
#define S2_PTE_AF (1ULL << 10)

/**
 * XN, bit 54: execute-never at EL1 and EL0 (D8.4, "Stage 2 instruction
 * execution permissions"). With FEAT_XNX this is
 * XN[1] of XN[1:0] at bits [54:53], and 0b10 still means execute-never at
 * both ELs, so setting bit 54 alone has the same meaning with or without it.
 */
#define S2_PTE_XN (1ULL << 54)

/** Attribute bits of a block or page: everything but type and address. */
#define S2_PTE_ATTR_MASK (~(S2_PTE_OA_MASK | S2_PTE_TYPE_MASK))

/* --- Table geometry, 4 KiB granule (D8.2, "Translation using the 4KB --- */
/* --- granule") ----------------------------------------------------------- */

/** Each table level resolves 9 bits of address: 512 eight-byte entries. */
#define S2_LEVEL_BITS 9
#define S2_PTES_PER_TABLE (1ULL << S2_LEVEL_BITS)
#define S2_LEVEL1_SHIFT 30
#define S2_LEVEL3_SHIFT 12

/* --- VTCR_EL2, Virtualization Translation Control Register (D13.2) ---- */

/** T0SZ [5:0]: IPA size is 2^(64 - T0SZ); 24 gives 40 bits. */
#define VTCR_EL2_T0SZ_SHIFT 0
#define VTCR_EL2_T0SZ_40BIT 24ULL
/** SL0 [7:6]: starting level; with TG0 = 4 KiB, 1 means level 1. */
#define VTCR_EL2_SL0_SHIFT 6
#define VTCR_EL2_SL0_4K_LEVEL1 1ULL
/** IRGN0 [9:8]: inner cacheability of table walks; 1 = WB RA WA. */
#define VTCR_EL2_IRGN0_SHIFT 8
#define VTCR_EL2_RGN_WBWA 1ULL
/** ORGN0 [11:10]: outer cacheability of table walks; 1 = WB RA WA. */
#define VTCR_EL2_ORGN0_SHIFT 10
/** SH0 [13:12]: shareability of table walks; 3 = Inner Shareable. */
#define VTCR_EL2_SH0_SHIFT 12
#define VTCR_EL2_SH0_INNER 3ULL
/** TG0 [15:14]: granule size; 0 = 4 KiB. */
#define VTCR_EL2_TG0_SHIFT 14
#define VTCR_EL2_TG0_4K 0ULL
/** PS [18:16]: physical (output) address size; 2 = 40 bits, 1 TiB. */
#define VTCR_EL2_PS_SHIFT 16
#define VTCR_EL2_PS_40BIT 2ULL
/** Output address bits selected by VTCR_EL2_PS_40BIT. */
#define S2_PA_BITS 40
/** Bit 31 is RES1. */
#define VTCR_EL2_RES1 (1ULL << 31)

/**
 * T0SZ = @p t0sz and the walk fields of a 4 KiB granule with 40-bit output
 * addresses (Inner Shareable, Write-Back walks), which TCR_EL2 (non-VHE,
 * D13.2) has at the same places as VTCR_EL2: the EL2 stage 1 (mmu.c) uses
 * them too.
 */
#define TCR_WALK_4K_40BIT(t0sz)                        \
	(((uint64_t)(t0sz) << VTCR_EL2_T0SZ_SHIFT) |   \
	 (VTCR_EL2_RGN_WBWA << VTCR_EL2_IRGN0_SHIFT) | \
	 (VTCR_EL2_RGN_WBWA << VTCR_EL2_ORGN0_SHIFT) | \
	 (VTCR_EL2_SH0_INNER << VTCR_EL2_SH0_SHIFT) |  \
	 (VTCR_EL2_TG0_4K << VTCR_EL2_TG0_SHIFT) |     \
	 (VTCR_EL2_PS_40BIT << VTCR_EL2_PS_SHIFT))

/* --- VTTBR_EL2, Virtualization Translation Table Base Register (D13.2) - */

/** BADDR [47:1]: root table address, aligned to the concatenated size. */
#define VTTBR_EL2_BADDR_MASK (((1ULL << 48) - 1) & ~1ULL)
/** VMID [55:48] with 8-bit VMIDs (VTCR_EL2.VS = 0). */
#define VTTBR_EL2_VMID_SHIFT 48
#define VTTBR_EL2_VMID_MASK (0xffULL << VTTBR_EL2_VMID_SHIFT)
