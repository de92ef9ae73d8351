/**
 * A QEMU TCG plugin for `scons bench` (tools/bench.py, the disk rows):
 * counts every guest instruction QEMU executes, on every CPU and at every
 * exception level, and at each execution of the marker instruction
 * MARK_ENCODING prints the count so far to QEMU's log (-d plugin -D FILE):
 *
 *     insn-mark CPU COUNT VTTBR_WRITES ERETS WFIS
 *
 * A program in the guest (guests/linux/blkrand.c) runs the marker around
 * the operation it measures; the difference of two lines is what the whole
 * machine executed in between (the guest, tinyhyp's kernel and services,
 * or bare Linux alone), unlike the virtual time of -icount, which idle
 * CPUs waiting for the disk (host time) warp forward (shared/MEASURE.md).
 *
 * With it, how often three instructions ran, to see where the time of a
 * request goes: MSR VTTBR_EL2 (each makes QEMU flush its EL1&0 TLB: the
 * switches between a VM and a service), ERET (returns from exceptions,
 * at EL2 and EL1) and WFI.
 *
 * Exact per instruction: an inline add before each one (a TB left early by
 * an exception counts only what ran). The counter is one variable for all
 * CPUs: load this plugin only with -icount, where QEMU runs the CPUs one
 * at a time in one thread (without icount, MTTCG would race on it).
 *
 * QEMU's plugin API: qemu_plugin_api.h.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qemu_plugin_api.h"

/* HINT #0x7f (Arm ARM C6.2.127: HINT is 0xd503201f | CRm:op2 << 5; an
 * unallocated hint executes as a NOP), as guests/linux/blkrand.c runs it. */
#define MARK_ENCODING 0xd5032fffu
/* MSR VTTBR_EL2, Xt (C5.2: op0 3, op1 4, CRn 2, CRm 1, op2 0; Rt in bits
 * 4:0), ERET, WFI (C6.2). */
#define MSR_VTTBR_EL2 0xd51c2100u
#define RT_MASK 0x1fu
#define ERET 0xd69f03e0u
#define WFI 0xd503207fu
#define A64_INSN_SIZE 4
#define LINE_MAX_LEN 64

EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

/* Instructions executed so far, all CPUs (one thread under icount), and
 * how many of them were each of the instructions above. */
static uint64_t executed;
static uint64_t vttbr_writes;
static uint64_t erets;
static uint64_t wfis;

static void on_mark(unsigned int cpu, void *unused)
{
	char line[LINE_MAX_LEN];

	(void)unused;
	snprintf(line, sizeof(line),
		 "insn-mark %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		 "\n",
		 cpu, executed, vttbr_writes, erets, wfis);
	qemu_plugin_outs(line);
}

/* The A64 encoding of @insn; 0 (UDF #0, never counted) if not 4 bytes. */
static uint32_t encoding(const struct qemu_plugin_insn *insn)
{
	uint32_t word = 0;

	if (qemu_plugin_insn_size(insn) == A64_INSN_SIZE) {
		memcpy(&word, qemu_plugin_insn_data(insn), sizeof(word));
	}
	return word;
}

/* The counter of the instructions like @word, or NULL. */
static uint64_t *kind_counter(uint32_t word)
{
	if ((word & ~RT_MASK) == MSR_VTTBR_EL2) {
		return &vttbr_writes;
	}
	if (word == ERET) {
		return &erets;
	}
	if (word == WFI) {
		return &wfis;
	}
	return NULL;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint32_t word = encoding(insn);
		uint64_t *kind = kind_counter(word);

		qemu_plugin_register_vcpu_insn_exec_inline(
			insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
		if (kind != NULL) {
			qemu_plugin_register_vcpu_insn_exec_inline(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, kind, 1);
		}
		if (word == MARK_ENCODING) {
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
		}
	}
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			       int argc, char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
