/**
 * A static Linux program for the guest's initramfs: prints the virtual
 * counter (CNTVCT_EL0, readable at EL0 under Linux) and its frequency.
 * Under QEMU -icount shift=0 the counter measures instructions since power
 * on (CNTVOFF is 0 both under tinyhyp and on bare QEMU), which is how
 * `scons bench` times the boot to the shell prompt. No libc: two syscalls.
 *
 * It also runs the marker of tools/plugins/insn_mark.c (a NOP of the hint
 * space, as guests/linux/blkrand.c runs it), so that under that plugin two
 * runs of cntvct bracket what the whole machine executed in between (the
 * network's instructions and exits per frame, docs/benchmarks.md).
 */
#include <stdint.h>

#define SYS_WRITE 64
#define SYS_EXIT 93
#define STDOUT 1
#define DEC_MAX 24
/* HINT #0x7f (Arm ARM C6.2.127: an unallocated hint executes as a NOP). */
#define MARK_INSN "hint #0x7f"

void _start(void) __attribute__((noreturn));

static long sys3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

static unsigned long put_dec(char *out, uint64_t v)
{
	char tmp[DEC_MAX];
	unsigned long n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0) {
		out[len++] = tmp[--n];
	}
	return len;
}

static unsigned long put_str(char *out, const char *s)
{
	unsigned long n = 0;

	while (s[n] != '\0') {
		out[n] = s[n];
		n++;
	}
	return n;
}

void _start(void)
{
	uint64_t cnt, freq;
	char line[96];
	unsigned long len = 0;

	__asm__ volatile(MARK_INSN ::: "memory");
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	len += put_str(line + len, "tinyhyp: counter ");
	len += put_dec(line + len, cnt);
	len += put_str(line + len, " frequency ");
	len += put_dec(line + len, freq);
	line[len++] = '\n';
	sys3(SYS_WRITE, STDOUT, (long)line, (long)len);
	sys3(SYS_EXIT, 0, 0, 0);
	for (;;) {
	}
}
