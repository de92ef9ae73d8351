#pragma once
/**
 * Decoding of a guest load/store that faulted on an emulated MMIO window.
 *
 * Two sources: the data-abort syndrome when ESR_EL2.ISV = 1 (single
 * register, no writeback), and the instruction itself when ISV = 0 (Arm ARM
 * C4.1.66 "Loads and Stores" encoding tables): LDR/STR of every size and
 * signed form with unsigned-offset, unscaled (LDUR/STUR and unprivileged
 * LDTR/STTR), pre-/post-index immediate and register-offset addressing, and
 * LDP/STP/LDPSW/LDNP/STNP. Exclusive, acquire/release, SIMD&FP, prefetch and
 * anything else are reported as MMIO_DECODE_UNSUPPORTED: the kernel then
 * injects an external abort.
 *
 * Pure functions: host-tested in tests/host/test_mmio_decode.c.
 */

#include "arch/esr.h"
#include "arch/regs.h"

#define MMIO_DECODE_OK 0
#define MMIO_DECODE_UNSUPPORTED (-1)

/** XZR/WZR as a transfer register, SP as a base register. */
#define MMIO_REG_ZR_OR_SP ZERO_REG

/** How the address of element 0 is formed and the base updated. */
enum mmio_addr_mode {
	MMIO_ADDR_OFFSET = 0, /**< [Xn, #imm] or [Xn, Xm...]: no writeback. */
	MMIO_ADDR_PRE,        /**< [Xn, #imm]!: address = Xn + imm, Xn = address. */
	MMIO_ADDR_POST,       /**< [Xn], #imm: address = Xn, then Xn += imm. */
};

/** Extension applied to Rm in register-offset addressing (option field). */
enum mmio_extend {
	MMIO_EXT_NONE = 0, /**< No index register (not register offset). */
	MMIO_EXT_UXTW = 2,
	MMIO_EXT_LSL = 3, /**< UXTX, i.e. plain LSL. */
	MMIO_EXT_SXTW = 6,
	MMIO_EXT_SXTX = 7,
};

/**
 * A decoded load/store: one or two elements of @c size bytes each. For a
 * single element rt[1] is 31.
 */
struct mmio_insn {
	uint8_t size;         /**< Bytes per element: 1, 2, 4 or 8. */
	uint8_t count;        /**< 1, or 2 for a pair. */
	bool write;           /**< Store. */
	bool sign_extend;     /**< Load: sign-extend the element. */
	bool dest64;          /**< Load: destination is Xt (else Wt, upper half 0). */
	uint8_t rt[2];        /**< Transfer registers; 31 = zero register. */
	uint8_t rn;           /**< Base register; 31 = SP. */
	enum mmio_addr_mode mode;
	int64_t imm;          /**< Byte offset (already scaled) for immediate forms. */
	bool reg_offset;      /**< Address is Xn + extend(Rm) << shift. */
	uint8_t rm;           /**< Index register (31 = XZR here). */
	enum mmio_extend extend;
	uint8_t shift;        /**< Left shift of the extended Rm (0 or log2 size). */
};

/**
 * Decode instruction word @p insn. Returns MMIO_DECODE_OK and fills @p out,
 * or MMIO_DECODE_UNSUPPORTED for anything outside the families above and for
 * CONSTRAINED UNPREDICTABLE forms (writeback with Rn == Rt and Rn != 31;
 * a load pair with Rt == Rt2). @p out is left unchanged on failure. Fields
 * that do not apply (rm, extend, shift without reg_offset) are zero,
 * MMIO_EXT_NONE and zero.
 */
int mmio_decode_insn(uint32_t insn, struct mmio_insn *out);

/**
 * Build the same description from a data-abort syndrome with ISV = 1
 * (count 1, MMIO_ADDR_OFFSET, imm 0, every other field reset). Returns
 * MMIO_DECODE_UNSUPPORTED if ISV is 0 or the access is a cache maintenance
 * operation. Inline: the MMIO fast path builds its record with it too.
 */
static inline int mmio_decode_syndrome(const struct esr_dabt *d,
				       struct mmio_insn *out)
{
	if (!d->isv || d->cache_op) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	*out = (struct mmio_insn){
	    .size = d->size,
	    .count = 1,
	    .write = d->write,
	    /* SSE on a load only (for bools, a > b is a && !b). */
	    .sign_extend = d->sign_extend > d->write,
	    .dest64 = d->reg64,
	    .rt = {d->reg, MMIO_REG_ZR_OR_SP},
	    .rn = MMIO_REG_ZR_OR_SP,
	    .mode = MMIO_ADDR_OFFSET,
	    .imm = 0,
	    .extend = MMIO_EXT_NONE,
	};
	return MMIO_DECODE_OK;
}

/**
 * Address of element 0 given the base register value @p xn and index
 * register value @p xm (ignored unless reg_offset). Element i is at
 * address + i * size.
 */
uint64_t mmio_insn_address(const struct mmio_insn *d, uint64_t xn, uint64_t xm);

/** True if the instruction writes its base register back. */
bool mmio_insn_writeback(const struct mmio_insn *d);

/** New value of the base register after the access (PRE/POST modes). */
uint64_t mmio_insn_new_base(const struct mmio_insn *d, uint64_t xn);

/**
 * Register value a load of @p size bytes returning @p raw produces, with
 * sign-extension to 32 or 64 bits and zero-extension of W destinations.
 */
uint64_t mmio_load_value(uint64_t raw, uint8_t size, bool sign_extend,
			 bool dest64);

#define MMIO_BITS_PER_BYTE 8U

/** Mask of the low @p size bytes of a register (all ones for 8 or more):
 * what a store of @p size bytes writes of its register. */
static inline uint64_t mmio_size_mask(uint64_t size)
{
	return size >= sizeof(uint64_t) ? UINT64_MAX
					: (1ULL << (size * MMIO_BITS_PER_BYTE)) - 1U;
}
