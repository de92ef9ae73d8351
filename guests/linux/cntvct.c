/**
 * A static Linux program for the guest's initramfs: prints the virtual
 * counter (CNTVCT_EL0, readable at EL0 under Linux) and its frequency.
 * Under QEMU -icount shift=0 the counter measures instructions since power
 * on (CNTVOFF is 0 both under tinyhyp and on bare QEMU), which is how
 * `scons bench` times the boot to the shell prompt. No libc: two syscalls.
 *
 * It also runs the marker of tools/plugins/insn_mark.c (as
 * guests/linux/blkrand.c does), so that under that plugin two runs of
 * cntvct bracket what the whole machine executed in between (the
 * network's instructions and exits per frame, docs/benchmarks.md).
 */
#include "user_rt.h"

void _start(void) __attribute__((noreturn));

void _start(void)
{
	char line[96];
	unsigned long len = 0;

	user_mark();
	uint64_t cnt = user_counter();

	len += user_put_str(line + len, "tinyhyp: counter ");
	len += user_put_dec(line + len, cnt);
	len += user_put_str(line + len, " frequency ");
	len += user_put_dec(line + len, user_counter_freq());
	line[len++] = '\n';
	user_syscall(SYS_WRITE, STDOUT, (long)line, (long)len, 0);
	user_exit(0);
}
