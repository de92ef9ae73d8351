/**
 * libFuzzer harness of the MMIO load/store decoder (arch/mmio_decode.h) and
 * the data-abort syndrome decoder (arch/esr.h), linked with the real
 * kernel/arch/aarch64/mmio_decode.c and esr.c.
 *
 * The input is a run of 36-byte records: an instruction word, an ESR_EL2
 * value, base and index register values and a raw load value. Each record
 * is decoded both ways and every promise of the headers is checked: sizes
 * 1/2/4/8, one or two elements, register numbers up to 31, unused fields
 * zero, CONSTRAINED UNPREDICTABLE forms and SIMD&FP rejected, the output
 * untouched on rejection, and the address, writeback and value helpers
 * agreeing with the Arm ARM (DDI 0487) formulas written out here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/esr.h"
#include "arch/mmio_decode.h"
#include "fuzz.h"

/* Load/store encoding fields, Arm ARM C4.1.66, written out independently. */
#define INSN_RT(i)	((i)&0x1fU)	      /**< Rt [4:0]. */
#define INSN_RN(i)	(((i) >> 5) & 0x1fU)  /**< Rn [9:5]. */
#define INSN_RT2(i)	(((i) >> 10) & 0x1fU) /**< Rt2 [14:10], pairs. */
#define INSN_RM(i)	(((i) >> 16) & 0x1fU) /**< Rm [20:16], reg offset. */
#define INSN_SIZE(i)	((i) >> 30)	      /**< size [31:30], singles. */
#define INSN_V		(1U << 26)	      /**< SIMD&FP register form. */
#define INSN_OP0_SHIFT	27		      /**< Bits [29:27]: class. */
#define INSN_OP0_MASK	0x7U
#define INSN_OP0_SINGLE 0x7U	   /**< 111: load/store register. */
#define INSN_OP0_PAIR	0x5U	   /**< 101: load/store pair. */
#define INSN_PAIR_L	(1U << 22) /**< Pairs: load. */
#define INSN_BIT24	(1U << 24) /**< Singles: unsigned-offset form. */

/* Immediate ranges: imm12 scaled by at most 8, imm9, imm7 scaled by 8. */
#define IMM_MAX (4095 * 8)
#define IMM_MIN (-64 * 8)

/** Size of one input record in bytes. */
#define RECORD_BYTES (4 + 8 + 8 + 8 + 8)

/** One record of the input. */
struct record {
	uint32_t insn;
	uint64_t esr;
	uint64_t xn;
	uint64_t xm;
	uint64_t raw;
};

static bool size_ok(uint8_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static unsigned int log2_size(uint8_t size)
{
	unsigned int n = 0;

	while ((1U << n) < size) {
		n++;
	}
	return n;
}

/** Sign-extend the low @p bytes bytes of @p v to 64 bits. */
static uint64_t sext(uint64_t v, unsigned int bytes)
{
	unsigned int bits = 8U * bytes;

	if (bytes >= 8) {
		return v;
	}
	v &= fuzz_byte_mask(bytes);
	if ((v >> (bits - 1U)) & 1U) {
		v |= ~fuzz_byte_mask(bytes);
	}
	return v;
}

/** Rm extended as the option field says (Arm ARM C6.2 "LDR (register)"). */
static uint64_t extend_rm(enum mmio_extend ext, uint64_t xm)
{
	switch (ext) {
	case MMIO_EXT_UXTW:
		return xm & UINT32_MAX;
	case MMIO_EXT_SXTW:
		return sext(xm, 4);
	default:
		return xm;
	}
}

/** Field ranges and the "unused fields are zero" promise of the header. */
static void check_fields(const struct mmio_insn *d)
{
	FUZZ_CHECK(size_ok(d->size), "size %u", d->size);
	FUZZ_CHECK(d->count == 1 || d->count == 2, "count %u", d->count);
	FUZZ_CHECK(
	    d->rt[0] <= 31 && d->rt[1] <= 31 && d->rn <= 31 && d->rm <= 31,
	    "register numbers %u %u %u %u", d->rt[0], d->rt[1], d->rn, d->rm);
	FUZZ_CHECK(d->count == 2 || d->rt[1] == MMIO_REG_ZR_OR_SP,
		   "single element with rt[1] = %u", d->rt[1]);
	FUZZ_CHECK(d->mode == MMIO_ADDR_OFFSET || d->mode == MMIO_ADDR_PRE ||
		       d->mode == MMIO_ADDR_POST,
		   "mode %d", (int)d->mode);
	FUZZ_CHECK(d->imm >= IMM_MIN && d->imm <= IMM_MAX, "imm %lld",
		   (long long)d->imm);
	if (d->reg_offset) {
		FUZZ_CHECK(d->extend == MMIO_EXT_UXTW ||
			       d->extend == MMIO_EXT_LSL ||
			       d->extend == MMIO_EXT_SXTW ||
			       d->extend == MMIO_EXT_SXTX,
			   "extend %d", (int)d->extend);
		FUZZ_CHECK(d->shift == 0 || d->shift == log2_size(d->size),
			   "shift %u for size %u", d->shift, d->size);
		FUZZ_CHECK(d->mode == MMIO_ADDR_OFFSET && d->imm == 0 &&
			       d->count == 1,
			   "register offset with mode %d imm %lld count %u",
			   (int)d->mode, (long long)d->imm, d->count);
	} else {
		FUZZ_CHECK(d->rm == 0 && d->extend == MMIO_EXT_NONE &&
			       d->shift == 0,
			   "unused rm %u extend %d shift %u", d->rm,
			   (int)d->extend, d->shift);
	}
	FUZZ_CHECK(!d->write || !d->sign_extend, "store with sign_extend");
}

/**
 * Destination width of a decoded load (C6.2 LDR, LDRB, LDRH, LDRS*,
 * LDPSW): only LDR Xt / LDP Xt is a 64-bit zero-extending load, and nothing
 * sign-extends a doubleword. (A syndrome may say anything here: SF and SSE
 * come from the hardware, so this is checked for instructions only.)
 */
static void check_load_form(const struct mmio_insn *d)
{
	if (d->write) {
		return;
	}
	if (d->sign_extend) {
		FUZZ_CHECK(d->size < 8, "sign-extending load of %u bytes",
			   d->size);
	} else {
		FUZZ_CHECK(d->dest64 == (d->size == 8),
			   "zero-extending load of %u bytes, dest64 %d",
			   d->size, d->dest64);
	}
}

/**
 * The instruction-specific promises: only general-register load/store
 * classes, fields where the encoding puts them, CONSTRAINED UNPREDICTABLE
 * forms refused (mmio_decode.h).
 */
static void check_insn_encoding(uint32_t insn, const struct mmio_insn *d)
{
	uint32_t op0 = (insn >> INSN_OP0_SHIFT) & INSN_OP0_MASK;
	bool pair = op0 == INSN_OP0_PAIR;

	FUZZ_CHECK((insn & INSN_V) == 0, "SIMD&FP form 0x%08x accepted", insn);
	FUZZ_CHECK(op0 == INSN_OP0_SINGLE || op0 == INSN_OP0_PAIR,
		   "0x%08x outside the load/store register classes", insn);
	FUZZ_CHECK(d->count == (pair ? 2 : 1), "0x%08x count %u", insn,
		   d->count);
	FUZZ_CHECK(d->rt[0] == INSN_RT(insn) && d->rn == INSN_RN(insn),
		   "0x%08x rt %u rn %u", insn, d->rt[0], d->rn);
	if (pair) {
		FUZZ_CHECK(d->rt[1] == INSN_RT2(insn), "0x%08x rt2 %u", insn,
			   d->rt[1]);
		FUZZ_CHECK(d->write == ((insn & INSN_PAIR_L) == 0),
			   "0x%08x pair direction", insn);
		FUZZ_CHECK(d->write || d->rt[0] != d->rt[1],
			   "0x%08x load pair with Rt == Rt2", insn);
		FUZZ_CHECK(d->imm % d->size == 0, "0x%08x unscaled pair imm",
			   insn);
	} else {
		FUZZ_CHECK(d->size == 1U << INSN_SIZE(insn), "0x%08x size %u",
			   insn, d->size);
	}
	if (d->reg_offset) {
		FUZZ_CHECK(d->rm == INSN_RM(insn), "0x%08x rm %u", insn, d->rm);
	}
	if (!pair && (insn & INSN_BIT24) != 0) {
		/* Unsigned offset: imm12 scaled, never negative. */
		FUZZ_CHECK(d->imm >= 0 && d->imm % d->size == 0 &&
			       d->mode == MMIO_ADDR_OFFSET,
			   "0x%08x unsigned-offset imm %lld", insn,
			   (long long)d->imm);
	}
	if (d->mode != MMIO_ADDR_OFFSET && d->rn != MMIO_REG_ZR_OR_SP) {
		FUZZ_CHECK(d->rn != d->rt[0] &&
			       (d->count == 1 || d->rn != d->rt[1]),
			   "0x%08x writeback onto a transfer register", insn);
	}
}

/** Address, writeback and new base against the Arm ARM formulas. */
static void check_address(const struct mmio_insn *d, uint64_t xn, uint64_t xm)
{
	uint64_t want;
	bool wb = d->mode != MMIO_ADDR_OFFSET;

	if (d->reg_offset) {
		want = xn + (extend_rm(d->extend, xm) << d->shift);
	} else if (d->mode == MMIO_ADDR_POST) {
		want = xn;
	} else {
		want = xn + (uint64_t)d->imm;
	}
	FUZZ_CHECK(mmio_insn_address(d, xn, xm) == want, "address");
	FUZZ_CHECK(mmio_insn_writeback(d) == wb, "writeback");
	FUZZ_CHECK(mmio_insn_new_base(d, xn) ==
		       (wb ? xn + (uint64_t)d->imm : xn),
		   "new base");
}

/** Load and store values: truncation, sign and zero extension. */
static void check_values(const struct mmio_insn *d, uint64_t raw)
{
	uint64_t got = mmio_load_value(raw, d->size, d->sign_extend, d->dest64);
	uint64_t want = raw & fuzz_byte_mask(d->size);

	if (d->sign_extend) {
		want = sext(want, d->size);
	}
	if (!d->dest64) {
		want &= UINT32_MAX;
	}
	FUZZ_CHECK(got == want, "load value 0x%llx, want 0x%llx",
		   (unsigned long long)got, (unsigned long long)want);
	FUZZ_CHECK(mmio_size_mask(d->size) == fuzz_byte_mask(d->size),
		   "store mask");
}

/** Decode one instruction word and check whatever comes out. */
static void fuzz_insn(const struct record *r)
{
	struct mmio_insn d;
	struct mmio_insn before;
	int ret;

	memset(&d, 0xa5, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	ret = mmio_decode_insn(r->insn, &d);
	FUZZ_CHECK(ret == MMIO_DECODE_OK || ret == MMIO_DECODE_UNSUPPORTED,
		   "return value %d", ret);
	if (ret != MMIO_DECODE_OK) {
		FUZZ_CHECK(memcmp(&d, &before, sizeof(d)) == 0,
			   "0x%08x rejected but output changed", r->insn);
		return;
	}
	check_fields(&d);
	check_load_form(&d);
	check_insn_encoding(r->insn, &d);
	check_address(&d, r->xn, r->xm);
	check_values(&d, r->raw);
}

/** The data-abort ISS fields, Arm ARM D13.2.37, written out here. */
static void check_dabt(uint64_t esr, const struct esr_dabt *a)
{
	bool isv = (esr >> 24) & 1U;

	FUZZ_CHECK(a->isv == isv, "isv");
	FUZZ_CHECK(a->write == ((esr >> 6) & 1U), "WnR");
	FUZZ_CHECK(a->cache_op == ((esr >> 8) & 1U), "CM");
	if (isv) {
		FUZZ_CHECK(a->size == 1U << ((esr >> 22) & 3U), "SAS");
		FUZZ_CHECK(a->reg == ((esr >> 16) & 0x1fU), "SRT");
		FUZZ_CHECK(a->reg64 == ((esr >> 15) & 1U), "SF");
	} else {
		/* SAS, SSE, SRT, SF are RES0 without ISV (esr.h). */
		FUZZ_CHECK(a->size == 0 && a->reg == 0 && !a->reg64 &&
			       !a->sign_extend,
			   "syndrome fields kept without ISV");
	}
}

/** Build an access from the syndrome and check it. */
static void fuzz_syndrome(const struct record *r)
{
	struct esr_dabt a = esr_decode_dabt(r->esr);
	struct mmio_insn d;
	struct mmio_insn before;
	int ret;

	check_dabt(r->esr, &a);
	memset(&d, 0x5a, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	ret = mmio_decode_syndrome(&a, &d);
	if (!a.isv || a.cache_op) {
		FUZZ_CHECK(ret == MMIO_DECODE_UNSUPPORTED,
			   "ISV 0 or CM accepted");
		FUZZ_CHECK(memcmp(&d, &before, sizeof(d)) == 0,
			   "rejected syndrome changed the output");
		return;
	}
	FUZZ_CHECK(ret == MMIO_DECODE_OK, "ISV syndrome rejected");
	check_fields(&d);
	FUZZ_CHECK(d.count == 1 && d.mode == MMIO_ADDR_OFFSET && d.imm == 0 &&
		       !d.reg_offset && d.rn == MMIO_REG_ZR_OR_SP,
		   "syndrome access is not a plain single access");
	FUZZ_CHECK(d.size == a.size && d.rt[0] == a.reg && d.write == a.write &&
		       d.dest64 == a.reg64,
		   "syndrome fields not carried over");
	FUZZ_CHECK(d.sign_extend == (a.sign_extend && !a.write),
		   "sign extension");
	check_address(&d, r->xn, r->xm);
}

/** The other pure ESR helpers: ranges only. */
static void fuzz_esr_misc(const struct record *r)
{
	struct esr_sysreg s = esr_decode_sysreg(r->esr);
	uint64_t vec = esr_vector_offset_sync(r->xn);

	FUZZ_CHECK(s.op0 <= 3 && s.op1 <= 7 && s.crn <= 15 && s.crm <= 15 &&
		       s.op2 <= 7 && s.reg <= 31,
		   "sysreg fields out of range");
	FUZZ_CHECK(esr_ec_name(esr_ec(r->esr)) != NULL, "no EC name");
	FUZZ_CHECK(esr_ec(r->esr) <= 0x3f && esr_iss(r->esr) <= 0x1ffffff,
		   "EC/ISS extraction");
	FUZZ_CHECK(vec == 0x000 || vec == 0x200 || vec == 0x400 || vec == 0x600,
		   "vector offset 0x%llx", (unsigned long long)vec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	do {
		struct record r = {
		    .insn = fuzz_u32(&in),
		    .esr = fuzz_u64(&in),
		    .xn = fuzz_u64(&in),
		    .xm = fuzz_u64(&in),
		    .raw = fuzz_u64(&in),
		};

		fuzz_insn(&r);
		fuzz_syndrome(&r);
		fuzz_esr_misc(&r);
	} while (!fuzz_done(&in));
	return 0;
}
