/**
 * A QEMU TCG plugin for tools/cross_trace.py: logs every instruction QEMU
 * executes, on every CPU and at every exception level, from the
 * @c skip + 1-th execution of the instruction at virtual address @c start
 * until the next execution of the one at @c stop, one line each to QEMU's
 * log (-d plugin -D FILE):
 *
 *     T CPU PC
 *
 * then "END". So an operation that crosses CPUs (a virtual IPI: one vCPU's
 * store, the other's handler) is seen whole, which tools/mmio_trace.py,
 * stepping one CPU with gdb, cannot show. Load it only with -icount,
 * where QEMU runs the CPUs one at a time in one thread: the lines are then
 * in the order the instructions ran, and the active flag needs no lock.
 *
 * Arguments: start=ADDR,stop=ADDR[,skip=N] (addresses in C notation).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

#define LINE_MAX_LEN 48
#define DEFAULT_SKIP 4

EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

static uint64_t start_pc, stop_pc;
static unsigned skip = DEFAULT_SKIP;
static unsigned starts_seen;
static bool active, done;

static void on_insn(unsigned int cpu, void *udata)
{
	uint64_t pc = (uint64_t)(uintptr_t)udata;
	char line[LINE_MAX_LEN];

	if (done) {
		return;
	}
	if (!active && pc == start_pc && starts_seen++ == skip) {
		active = true;
	}
	if (!active) {
		return;
	}
	snprintf(line, sizeof(line), "T %u 0x%" PRIx64 "\n", cpu, pc);
	qemu_plugin_outs(line);
	if (pc == stop_pc) {
		active = false;
		done = true;
		qemu_plugin_outs("END\n");
	}
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t pc = qemu_plugin_insn_vaddr(insn);

		qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(uintptr_t)pc);
	}
}

/* @p arg is NAME=VALUE: its value if NAME matches, else NULL. */
static const char *arg_value(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 && arg[len] == '=' ? arg + len + 1
							       : NULL;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			       int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		const char *v;

		if ((v = arg_value(argv[i], "start")) != NULL) {
			start_pc = strtoull(v, NULL, 0);
		} else if ((v = arg_value(argv[i], "stop")) != NULL) {
			stop_pc = strtoull(v, NULL, 0);
		} else if ((v = arg_value(argv[i], "skip")) != NULL) {
			skip = (unsigned)strtoul(v, NULL, 0);
		} else {
			fprintf(stderr, "insn_trace: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	if (start_pc == 0 || stop_pc == 0) {
		fprintf(stderr, "insn_trace: start= and stop= are needed\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
