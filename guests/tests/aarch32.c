/**
 * System test: a guest's AArch32 EL0 code on emulated MMIO and trapped
 * instructions. The guest's EL1 (AArch64, HCR_EL2.RW) runs a few
 * hand-encoded A32/T32 instructions in AArch32 User mode (a32_run,
 * aarch32_el0.S) and checks, from the exception that brings it back
 * (an SVC or an abort), where the PC went and what the registers and
 * flags became:
 *
 *  - loads without syndrome (ESR_EL2.ISV = 0: LDRD, LDM) must abort: the
 *    kernel decodes A64 only, and an LDRD's bytes read as A64 are a valid
 *    load; an LDM on the last halfword of the first RAM region must not
 *    make the kernel read the next page (the second region, whose first
 *    halfword the guest sets so that the two halves read as A64 are a
 *    valid load);
 *  - 16-bit T32 MMIO loads advance the PC by 2 (ESR_EL2.IL = 0), 32-bit
 *    T32 and A32 ones by 4, and inside an IT block ITSTATE advances;
 *  - a trapped 16-bit WFI is skipped by 2 bytes.
 *
 * A trapped conditional instruction whose condition fails cannot be shown
 * here (QEMU checks the condition before trapping), nor a WFI inside an
 * IT block (see check_wfi); the host test tests/host/test_insn_skip.c
 * covers both.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/exception.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define FR 0x018
#define PERIPHID0 0xfe0
#define FR_TXFE_RXFE 0x90U
#define PERIPHID0_VALUE 0x11U
/* The first RAM region's end and the second region (configs/aarch32). */
#define RAM0_END 0x41000000UL
#define AARCH32_NEXT_RAM 0x48000000UL

/* AArch32 SPSR (C5.2.19): User mode, T32, A/I/F masked; the Z flag. */
#define SPSR_USR 0x10U
#define SPSR_T (1U << 5)
#define SPSR_AIF 0x1c0U
#define SPSR_Z (1ULL << 30)
/* ITSTATE: SPSR [15:10] and [26:25]. */
#define SPSR_IT_MASK ((0x3fULL << 10) | (0x3ULL << 25))
/* ID_AA64PFR0_EL1.EL0 [3:0] = 2: EL0 can run AArch32 (D13.2.64). */
#define PFR0_EL0_MASK 0xfULL
#define PFR0_EL0_AARCH32 2ULL
/* SCTLR_EL1.nTWI (bit 16): EL0 WFI not trapped to EL1, so HCR_EL2.TWI
 * takes it to the hypervisor. */
#define SCTLR_NTWI (1ULL << 16)
#define CNT_CTL_ENABLE 1ULL

#define EC_SVC32 0x11
#define EC_DABT_LOW 0x24
#define FSC_SYNC_EXTERNAL 0x10

/* T32 16-bit encodings (Arm ARM F3 "T32 instruction set encoding"). */
#define T16_LDR_R1_R0_FR 0x6981    /* ldr r1, [r0, #24] */
#define T16_SVC(n) (0xdf00 | (n))  /* svc #n */
#define T16_CMP_R0_R0 0x4280       /* cmp r0, r0 (Z = 1) */
#define T16_ITE_EQ 0xbf0c          /* ite eq */
#define T16_WFI 0xbf30             /* wfi */
#define T16_MOV_R2_7 0x2207        /* movs r2, #7 (movne inside IT) */
#define T16_MOV_R3_1 0x2301        /* movs r3, #1 (sets Z = 0 outside IT) */
#define T16_LDM_R0_R1 0xc802       /* ldmia r0!, {r1} */
/* T32 32-bit, first halfword first. */
#define T32_LDRW_R1_R0_FR_HI 0xf8d0 /* ldr.w r1, [r0, #24] */
#define T32_LDRW_R1_R0_FR_LO 0x1018
/* ldrd r11, r9, [r0, #0x100]; read as one A64 word (0xb940e9d0) it is
 * ldr w16, [x14, #0xe8]. */
#define T32_LDRD_HI 0xe9d0
#define T32_LDRD_LO 0xb940
#define LDRD_OFFSET 0x100
#define LDRD_ADDR 0xf00
#define LDRD_AS_A64_OFFSET 0xe8
/* A64 ldr w2, [x0, #0xc8] is 0xb940c802: T16_LDM_R0_R1 below 0xb940. */
#define LDM_AS_A64_HI 0xb940
#define LDM_AS_A64_OFFSET 0xc8
/* A32 (cond AL). */
#define A32_LDR_R1_R0_FR 0xe5901018U /* ldr r1, [r0, #24] */
#define A32_SVC(n) (0xef000000U | (n))

/** AArch32 register state in and out of a32_run (aarch32_el0.S). */
struct a32_ctx {
	uint64_t r[15];
	uint64_t pc, spsr;
	uint64_t esr, elr, far, spsr_out;
};
_Static_assert(offsetof(struct a32_ctx, pc) == 120, "aarch32_el0.S CTX_PC");
_Static_assert(offsetof(struct a32_ctx, spsr_out) == 160,
	       "aarch32_el0.S CTX_SPSR_OUT");

void a32_run(struct a32_ctx *ctx);

static struct a32_ctx ctx;
static uint16_t code16[32] __attribute__((aligned(64)));
static uint32_t code32[8] __attribute__((aligned(64)));

static void sync_code(void)
{
	__asm__ volatile("dsb sy\n ic iallu\n dsb sy\n isb" ::: "memory");
}

/* Registers for the next run: R0 = the UART, the rest 0. */
static void prepare(uintptr_t pc, bool thumb)
{
	for (unsigned i = 0; i < 15; i++) {
		ctx.r[i] = 0;
	}
	ctx.r[0] = UART;
	ctx.pc = pc;
	ctx.spsr = SPSR_USR | SPSR_AIF | (thumb ? SPSR_T : 0);
}

static void enter(void)
{
	sync_code();
	a32_run(&ctx);
}

static void run(uintptr_t pc, bool thumb)
{
	prepare(pc, thumb);
	enter();
}

static void t16(const uint16_t *insns, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		code16[i] = insns[i];
	}
}

/* Came back with svc #0 preferred-returning to @p elr (the next insn). */
static void check_svc0(const char *what, uintptr_t elr)
{
	printf("%s: ESR 0x%llx ELR 0x%llx\n", what, (unsigned long long)ctx.esr,
	       (unsigned long long)ctx.elr);
	CHECK_EQ(ESR_EC(ctx.esr), EC_SVC32);
	CHECK_EQ(ESR_ISS(ctx.esr) & 0xffff, 0);
	CHECK_EQ(ctx.elr, elr);
}

static void check_abort(const char *what, uintptr_t elr, uint64_t far)
{
	printf("%s: ESR 0x%llx ELR 0x%llx FAR 0x%llx\n", what,
	       (unsigned long long)ctx.esr, (unsigned long long)ctx.elr,
	       (unsigned long long)ctx.far);
	CHECK_EQ(ESR_EC(ctx.esr), EC_DABT_LOW);
	CHECK_EQ(ctx.esr & 0x3f, FSC_SYNC_EXTERNAL);
	CHECK_EQ(ctx.elr, elr);
	CHECK_EQ(ctx.far, far);
}

/* 16-bit, 32-bit T32 and A32 loads with syndrome: PC + IL. */
static void check_isv_loads(void)
{
	const uint16_t ldr16[] = { T16_LDR_R1_R0_FR, T16_SVC(0), T16_SVC(1) };
	const uint16_t ldr32[] = { T32_LDRW_R1_R0_FR_HI, T32_LDRW_R1_R0_FR_LO,
				   T16_SVC(0), T16_SVC(1) };

	t16(ldr16, 3);
	run((uintptr_t)code16, true);
	check_svc0("t16 ldr", (uintptr_t)&code16[2]);
	CHECK_EQ(ctx.r[1], FR_TXFE_RXFE);

	t16(ldr32, 4);
	run((uintptr_t)code16, true);
	check_svc0("t32 ldr.w", (uintptr_t)&code16[3]);
	CHECK_EQ(ctx.r[1], FR_TXFE_RXFE);

	code32[0] = A32_LDR_R1_R0_FR;
	code32[1] = A32_SVC(0);
	code32[2] = A32_SVC(1);
	run((uintptr_t)code32, false);
	check_svc0("a32 ldr", (uintptr_t)&code32[2]);
	CHECK_EQ(ctx.r[1], FR_TXFE_RXFE);
}

/*
 * ite eq; ldreq r1, [r0, #24]; movne r2, #7; movs r3, #1: after the
 * emulated load ITSTATE must move to the NE slot (movne not executed),
 * then end (movs sets Z = 0).
 */
static void check_it_block_load(void)
{
	const uint16_t code[] = { T16_CMP_R0_R0, T16_ITE_EQ, T16_LDR_R1_R0_FR,
				  T16_MOV_R2_7, T16_MOV_R3_1, T16_SVC(0),
				  T16_SVC(1) };

	t16(code, 7);
	run((uintptr_t)code16, true);
	check_svc0("t16 ldreq in an IT block", (uintptr_t)&code16[6]);
	CHECK_EQ(ctx.r[1], FR_TXFE_RXFE);
	CHECK_EQ(ctx.r[2], 0);
	CHECK_EQ(ctx.r[3], 1);
	CHECK_EQ(ctx.spsr_out & SPSR_Z, 0);
	CHECK_EQ(ctx.spsr_out & SPSR_IT_MASK, 0);
}

/*
 * A trapped 16-bit WFI: the PC advances by 2. Not inside an IT block:
 * QEMU 7.2 saves the ITSTATE of the instruction after a trapped T32 WFI
 * in SPSR_EL2 (seen: 0x18 instead of 0x0c for the WFIEQ of an ITE EQ),
 * not the WFI's own as the architecture does, so advancing it as the
 * architecture requires would advance it twice there. The ITSTATE
 * advance is shown on the MMIO load above and host-tested for WFI.
 */
static void check_wfi(void)
{
	const uint16_t plain[] = { T16_WFI, T16_SVC(0), T16_SVC(1) };

	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_NTWI);
	/* A virtual timer already due ends the WFI. */
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();

	t16(plain, 3);
	run((uintptr_t)code16, true);
	check_svc0("t16 wfi", (uintptr_t)&code16[2]);

	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

/* LDRD (ISV = 0) of UART + 0xf00: read as A64 it would load PeriphID0
 * through r14. */
static void check_ldrd_aborts(void)
{
	const uint16_t code[] = { T32_LDRD_HI, T32_LDRD_LO, T16_SVC(0) };
	uint64_t addr = UART + LDRD_ADDR;

	t16(code, 3);
	prepare((uintptr_t)code16, true);
	ctx.r[0] = addr - LDRD_OFFSET;
	ctx.r[14] = UART + PERIPHID0 - LDRD_AS_A64_OFFSET;
	enter();
	check_abort("t32 ldrd (no syndrome)", (uintptr_t)code16, addr);
	CHECK_EQ(ctx.r[11], 0);
}

/*
 * LDM (ISV = 0) on the last halfword of the first RAM region. The next
 * physical page is (normally) the second region, starting 0xb940: read
 * together, the two halfwords are A64 ldr w2, [x0, #0xc8].
 */
static void check_ldm_at_ram_end_aborts(void)
{
	volatile uint16_t *last = (volatile uint16_t *)(RAM0_END - 2);
	uint64_t target = UART + PERIPHID0;

	*(volatile uint16_t *)AARCH32_NEXT_RAM = LDM_AS_A64_HI;
	*last = T16_LDM_R0_R1;
	prepare((uintptr_t)last, true);
	ctx.r[0] = target - LDM_AS_A64_OFFSET;
	enter();
	check_abort("t16 ldm at the end of RAM (no syndrome)", (uintptr_t)last,
		    target - LDM_AS_A64_OFFSET);
	CHECK_EQ(ctx.r[2], 0);
}

void test_main(void)
{
	if ((read_sysreg(id_aa64pfr0_el1) & PFR0_EL0_MASK) != PFR0_EL0_AARCH32) {
		printf("this CPU has no AArch32 at EL0\n");
		CHECK(0);
		return;
	}
	check_isv_loads();
	check_it_block_load();
	check_wfi();
	check_ldrd_aborts();
	check_ldm_at_ram_end_aborts();
}
