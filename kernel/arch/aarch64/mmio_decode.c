/**
 * Decoding of guest loads and stores that fault on an emulated MMIO window
 * (see mmio_decode.h). Encodings are from the Arm ARM (DDI 0487), C4.1.66
 * "Loads and Stores"; only general-register forms (V = 0) are accepted.
 */
#include "arch/mmio_decode.h"

/* Fields shared by the load/store encodings (C4.1.66). */
#define LS_RT_SHIFT  0
#define LS_RN_SHIFT  5
#define LS_RT2_SHIFT 10
#define LS_RM_SHIFT  16
#define LS_REG_MASK  0x1fU

/* Load/store register classes: size [31:30], opc [23:22]. */
#define LS_SIZE_SHIFT	 30
#define LS_SIZE_MASK	 0x3U
#define LS_OPC_SHIFT	 22
#define LS_OPC_MASK	 0x3U
#define LS_OPC_STORE	 0x0U /**< STR*. */
#define LS_OPC_LOAD	 0x1U /**< LDR*, zero-extending. */
#define LS_OPC_LOAD_SX_X 0x2U /**< LDRS* to Xt; PRFM when size = 3. */
#define LS_OPC_LOAD_SX_W 0x3U /**< LDRS* to Wt; unallocated for size >= 2. */
#define LS_SIZE_LOG2_W	 2U
#define LS_SIZE_LOG2_X	 3U

/* Load/store register (unsigned immediate): bits [29:24] = 111001, V = 0. */
#define LS_UIMM_CLASS_MASK 0x3f000000U
#define LS_UIMM_CLASS	   0x39000000U
#define LS_IMM12_SHIFT	   10
#define LS_IMM12_MASK	   0xfffU

/*
 * Load/store register with a 9-bit signed immediate (unscaled, unprivileged,
 * post-indexed, pre-indexed): bits [29:24] = 111000, V = 0, bit 21 = 0;
 * bits [11:10] select the class.
 */
#define LS_IMM9_CLASS_MASK 0x3f200000U
#define LS_IMM9_CLASS	   0x38000000U
#define LS_IMM9_SHIFT	   12
#define LS_IMM9_MASK	   0x1ffU
#define LS_IMM9_BITS	   9U
#define LS_IDX_SHIFT	   10
#define LS_IDX_MASK	   0x3U
#define LS_IDX_UNSCALED	   0x0U
#define LS_IDX_POST	   0x1U
#define LS_IDX_UNPRIV	   0x2U
#define LS_IDX_PRE	   0x3U

/* Load/store register (register offset): 111000, V = 0, bit 21 = 1, 10. */
#define LS_REGOFF_CLASS_MASK 0x3f200c00U
#define LS_REGOFF_CLASS	     0x38200800U
#define LS_OPTION_SHIFT	     13
#define LS_OPTION_MASK	     0x7U
#define LS_S_SHIFT	     12
#define LS_S_MASK	     0x1U

/* Load/store pair: opc [31:30], bits [29:25] = 10100 (V = 0), mode [24:23]. */
#define LSP_CLASS_MASK	 0x3e000000U
#define LSP_CLASS	 0x28000000U
#define LSP_OPC_SHIFT	 30
#define LSP_OPC_MASK	 0x3U
#define LSP_OPC_W	 0x0U /**< 32-bit STP/LDP/STNP/LDNP. */
#define LSP_OPC_SW	 0x1U /**< LDPSW (L = 1); STGP (L = 0). */
#define LSP_OPC_X	 0x2U /**< 64-bit STP/LDP/STNP/LDNP. */
#define LSP_MODE_SHIFT	 23
#define LSP_MODE_MASK	 0x3U
#define LSP_MODE_NOALLOC 0x0U /**< LDNP/STNP: signed offset, no writeback. */
#define LSP_L_SHIFT	 22
#define LSP_L_MASK	 0x1U
#define LSP_IMM7_SHIFT	 15
#define LSP_IMM7_MASK	 0x7fU
#define LSP_IMM7_BITS	 7U

/*
 * Addressing mode of the 2-bit index field, the same in the imm9 classes
 * (LS_IDX_*) and the pair classes (mode [24:23]: 0 no-allocate, 1 post,
 * 2 offset, 3 pre): an unprivileged or no-allocate access is emulated
 * like a plain one.
 */
static const enum mmio_addr_mode index_modes[] = {
    [LS_IDX_UNSCALED] = MMIO_ADDR_OFFSET,
    [LS_IDX_POST] = MMIO_ADDR_POST,
    [LS_IDX_UNPRIV] = MMIO_ADDR_OFFSET,
    [LS_IDX_PRE] = MMIO_ADDR_PRE,
};

#define REG_BYTES     8U
#define WREG_BITS     32U

/** Field of @p insn at bit @p shift, @p mask wide (mask already shifted down).
 */
static uint32_t field(uint32_t insn, unsigned int shift, uint32_t mask)
{
	return (insn >> shift) & mask;
}

/** @p value with its low @p bits bits sign-extended to 64 bits (0: as is). */
static uint64_t sign_extend_low(uint64_t value, unsigned int bits)
{
	if (bits == 0 || bits >= REG_BYTES * MMIO_BITS_PER_BYTE) {
		return value;
	}
	uint64_t sign = 1ULL << (bits - 1U);

	return ((value & ((sign << 1) - 1U)) ^ sign) - sign;
}

/** Rt, Rn and (for pairs) Rt2 of a load/store; the pair slot defaults to ZR. */
static void decode_regs(uint32_t insn, bool pair, struct mmio_insn *m)
{
	m->rt[0] = (uint8_t)field(insn, LS_RT_SHIFT, LS_REG_MASK);
	m->rt[1] = pair ? (uint8_t)field(insn, LS_RT2_SHIFT, LS_REG_MASK)
			: MMIO_REG_ZR_OR_SP;
	m->rn = (uint8_t)field(insn, LS_RN_SHIFT, LS_REG_MASK);
	m->count = pair ? 2 : 1;
}

/**
 * Size, direction and extension from size:opc of the load/store register
 * classes (C4.1.66, e.g. "Load/store register (unsigned immediate)"). PRFM,
 * PRFUM and the unallocated size = 2, opc = 3 and size = 3, opc = 3 forms are
 * rejected.
 */
static int decode_size_opc(uint32_t insn, struct mmio_insn *m)
{
	uint32_t size_log2 = field(insn, LS_SIZE_SHIFT, LS_SIZE_MASK);
	uint32_t opc = field(insn, LS_OPC_SHIFT, LS_OPC_MASK);

	if ((size_log2 == LS_SIZE_LOG2_X && opc >= LS_OPC_LOAD_SX_X) ||
	    (size_log2 == LS_SIZE_LOG2_W && opc == LS_OPC_LOAD_SX_W)) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	m->size = (uint8_t)(1U << size_log2);
	m->write = opc == LS_OPC_STORE;
	m->sign_extend = opc >= LS_OPC_LOAD_SX_X;
	/* LDRS* names its destination; the others are as wide as the access
	 * (a store's dest64 is set again by mmio_decode_insn()). */
	m->dest64 = opc == LS_OPC_LOAD_SX_X ||
		    (opc != LS_OPC_LOAD_SX_W && size_log2 == LS_SIZE_LOG2_X);
	return MMIO_DECODE_OK;
}

/**
 * True for the CONSTRAINED UNPREDICTABLE writeback forms: the base register
 * (other than SP) is also a transfer register (the CONSTRAINED
 * UNPREDICTABLE notes of LDR, STR, LDP and STP in C6.2, and Appendix K1).
 */
static bool writeback_overlaps(const struct mmio_insn *m)
{
	if (m->mode == MMIO_ADDR_OFFSET || m->rn == MMIO_REG_ZR_OR_SP) {
		return false;
	}
	return m->rn == m->rt[0] || (m->count == 2 && m->rn == m->rt[1]);
}

/**
 * C4.1.66 "Load/store register (register offset)": address = Xn +
 * (extend(Rm) << (S ? log2(size) : 0)); option x0x is unallocated.
 */
static int decode_reg_offset(uint32_t insn, struct mmio_insn *m)
{
	uint32_t option = field(insn, LS_OPTION_SHIFT, LS_OPTION_MASK);

	if (option != MMIO_EXT_UXTW && option != MMIO_EXT_LSL &&
	    option != MMIO_EXT_SXTW && option != MMIO_EXT_SXTX) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	m->reg_offset = true;
	m->rm = (uint8_t)field(insn, LS_RM_SHIFT, LS_REG_MASK);
	m->extend = (enum mmio_extend)option;
	m->shift = field(insn, LS_S_SHIFT, LS_S_MASK)
			   ? (uint8_t)field(insn, LS_SIZE_SHIFT, LS_SIZE_MASK)
			   : 0;
	return MMIO_DECODE_OK;
}

/**
 * Element size, direction and extension of a pair from opc and L (C4.1.66
 * "Load/store pair" classes). STGP (opc = 01, L = 0), LDNP/STNP with
 * opc = 01 and everything with opc = 11 are rejected.
 */
static int decode_pair_opc(uint32_t insn, struct mmio_insn *m)
{
	uint32_t opc = field(insn, LSP_OPC_SHIFT, LSP_OPC_MASK);
	uint32_t mode = field(insn, LSP_MODE_SHIFT, LSP_MODE_MASK);
	bool load = field(insn, LSP_L_SHIFT, LSP_L_MASK) != 0;

	if (opc == LSP_OPC_SW ? !load || mode == LSP_MODE_NOALLOC
			      : opc != LSP_OPC_W && opc != LSP_OPC_X) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	m->write = !load;
	m->size = opc == LSP_OPC_X ? 8 : 4;
	m->sign_extend = opc == LSP_OPC_SW;
	m->dest64 = opc != LSP_OPC_W;
	return MMIO_DECODE_OK;
}

/**
 * C4.1.66 "Load/store no-allocate pair (offset)" and "Load/store register
 * pair (post-indexed)", "(offset)", "(pre-indexed)": imm7 signed, scaled by
 * the element size.
 */
static int decode_pair(uint32_t insn, struct mmio_insn *m)
{
	if (decode_pair_opc(insn, m) != MMIO_DECODE_OK) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	decode_regs(insn, true, m);
	m->mode = index_modes[field(insn, LSP_MODE_SHIFT, LSP_MODE_MASK)];
	m->imm = (int64_t)sign_extend_low(
			 field(insn, LSP_IMM7_SHIFT, LSP_IMM7_MASK), LSP_IMM7_BITS) *
		 m->size;
	if (!m->write && m->rt[0] == m->rt[1]) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	return MMIO_DECODE_OK;
}

/**
 * Dispatch on the encoding class; V = 1 and other classes never match. The
 * single-register classes share size:opc, Rt and Rn; C4.1.66 "Load/store
 * register (unsigned immediate)" scales imm12 by the size; "(unscaled
 * immediate)", "(unprivileged)", "(immediate post-indexed)" and
 * "(immediate pre-indexed)" take imm9 signed and not scaled (an
 * unprivileged access is emulated like an unscaled one).
 */
static int decode_class(uint32_t insn, struct mmio_insn *m)
{
	bool uimm = (insn & LS_UIMM_CLASS_MASK) == LS_UIMM_CLASS;
	bool imm9 = (insn & LS_IMM9_CLASS_MASK) == LS_IMM9_CLASS;
	bool regoff = (insn & LS_REGOFF_CLASS_MASK) == LS_REGOFF_CLASS;

	if ((insn & LSP_CLASS_MASK) == LSP_CLASS) {
		return decode_pair(insn, m);
	}
	if (!(uimm || imm9 || regoff) ||
	    decode_size_opc(insn, m) != MMIO_DECODE_OK) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	decode_regs(insn, false, m);
	if (uimm) {
		m->imm = (int64_t)field(insn, LS_IMM12_SHIFT, LS_IMM12_MASK) *
			 m->size;
	} else if (imm9) {
		m->mode = index_modes[field(insn, LS_IDX_SHIFT, LS_IDX_MASK)];
		m->imm = (int64_t)sign_extend_low(
			field(insn, LS_IMM9_SHIFT, LS_IMM9_MASK), LS_IMM9_BITS);
	}
	return regoff ? decode_reg_offset(insn, m) : MMIO_DECODE_OK;
}

int mmio_decode_insn(uint32_t insn, struct mmio_insn *out)
{
	struct mmio_insn m = {
	    .mode = MMIO_ADDR_OFFSET,
	    .extend = MMIO_EXT_NONE,
	};

	if (decode_class(insn, &m) != MMIO_DECODE_OK || writeback_overlaps(&m)) {
		return MMIO_DECODE_UNSUPPORTED;
	}
	if (m.write) {
		m.sign_extend = false;
		m.dest64 = m.size == REG_BYTES;
	}
	*out = m;
	return MMIO_DECODE_OK;
}

/** Rm after the extension of register-offset addressing (C6.2 "LDR
 * (register)"). */
static uint64_t extend_index(enum mmio_extend extend, uint64_t xm)
{
	return extend == MMIO_EXT_UXTW	 ? xm & UINT32_MAX
	       : extend == MMIO_EXT_SXTW ? sign_extend_low(xm, WREG_BITS)
					 : xm;
}

uint64_t mmio_insn_address(const struct mmio_insn *d, uint64_t xn, uint64_t xm)
{
	if (d->reg_offset) {
		return xn + (extend_index(d->extend, xm) << d->shift);
	}
	if (d->mode == MMIO_ADDR_POST) {
		return xn;
	}
	return xn + (uint64_t)d->imm;
}

bool mmio_insn_writeback(const struct mmio_insn *d)
{
	return d->mode != MMIO_ADDR_OFFSET;
}

uint64_t mmio_insn_new_base(const struct mmio_insn *d, uint64_t xn)
{
	return mmio_insn_writeback(d) ? xn + (uint64_t)d->imm : xn;
}

uint64_t mmio_load_value(uint64_t raw, uint8_t size, bool sign_extend,
			 bool dest64)
{
	uint64_t value = raw & mmio_size_mask(size);

	if (sign_extend) {
		value = sign_extend_low(value, size * MMIO_BITS_PER_BYTE);
	}
	if (!dest64) {
		value &= UINT32_MAX;
	}
	return value;
}
