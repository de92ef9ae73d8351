/**
 * A static Linux program for the guest: COUNT random 4 KiB reads of a
 * block device with O_DIRECT (each one request to the disk, no page
 * cache), the 4 KiB random-read IOPS row of `scons bench`:
 *
 *     blkrand DEVICE COUNT
 *
 * prints "blkrand: reads N bytes B ticks T frequency F" (virtual counter
 * CNTVCT_EL0 ticks around the loop: host time without icount) and runs a
 * marker instruction (MARK_INSN, a NOP of the hint space) before the first
 * read and after each, which the QEMU plugin tools/plugins/insn_mark.c
 * sees: the instructions every CPU executed for each read, under tinyhyp
 * or not (shared/MEASURE.md, I/O). The offsets come from a fixed LCG seed:
 * the same requests on every run. No libc: a few syscalls.
 */
#include <stdint.h>

#define SYS_OPENAT 56
#define SYS_CLOSE 57
#define SYS_LSEEK 62
#define SYS_PREAD64 67
#define SYS_WRITE 64
#define SYS_EXIT 93
#define AT_FDCWD (-100)
/* include/uapi/asm-generic/fcntl.h as arm64 uses it. */
#define O_RDONLY 0
#define O_DIRECT 0200000
#define SEEK_END 2
#define STDOUT 1
#define STDERR 2
#define BLOCK 4096
#define DEC_MAX 24
#define EXIT_USAGE 2
#define EXIT_IO 1
/* Numerical Recipes' 32-bit LCG constants (any full-period pair would do). */
#define LCG_MUL 1664525u
#define LCG_ADD 1013904223u
#define LCG_SEED 42u
/* The marker: HINT #0x7f (Arm ARM C6.2.127, an unallocated hint executes
 * as a NOP). tools/plugins/insn_mark.c matches its encoding. */
#define MARK_INSN "hint #0x7f"

/* sp -> main(argc, argv): the kernel's initial stack holds argc then the
 * argv pointers (ELF ABI). */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	b blkrand_main\n");

void blkrand_main(const long *sp) __attribute__((noreturn, used));

static uint8_t buf[BLOCK] __attribute__((aligned(BLOCK)));

static long sys6(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
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

static void fail(const char *why, long status)
{
	char line[96];
	unsigned long len = put_str(line, "blkrand: ");

	len += put_str(line + len, why);
	line[len++] = '\n';
	sys6(SYS_WRITE, STDERR, (long)line, (long)len, 0);
	sys6(SYS_EXIT, status, 0, 0, 0);
}

static uint64_t parse_dec(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	return *s == '\0' ? v : 0;
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static void report(uint64_t reads, uint64_t ticks)
{
	char line[128];
	unsigned long len = put_str(line, "blkrand: reads ");
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	len += put_dec(line + len, reads);
	len += put_str(line + len, " bytes ");
	len += put_dec(line + len, reads * BLOCK);
	len += put_str(line + len, " ticks ");
	len += put_dec(line + len, ticks);
	len += put_str(line + len, " frequency ");
	len += put_dec(line + len, freq);
	line[len++] = '\n';
	sys6(SYS_WRITE, STDOUT, (long)line, (long)len, 0);
}

void blkrand_main(const long *sp)
{
	const char *const *argv = (const char *const *)(sp + 1);
	uint64_t count, blocks, start, i;
	uint32_t seed = LCG_SEED;
	long fd, size;

	if (sp[0] != 3 || (count = parse_dec(argv[2])) == 0) {
		fail("usage: blkrand DEVICE COUNT", EXIT_USAGE);
	}
	fd = sys6(SYS_OPENAT, AT_FDCWD, (long)argv[1], O_RDONLY | O_DIRECT, 0);
	if (fd < 0) {
		fail("cannot open the device with O_DIRECT", EXIT_IO);
	}
	size = sys6(SYS_LSEEK, fd, 0, SEEK_END, 0);
	blocks = size > 0 ? (uint64_t)size / BLOCK : 0;
	if (blocks == 0) {
		fail("the device has no 4 KiB block", EXIT_IO);
	}
	start = counter();
	__asm__ volatile(MARK_INSN ::: "memory");
	for (i = 0; i < count; i++) {
		seed = seed * LCG_MUL + LCG_ADD;
		if (sys6(SYS_PREAD64, fd, (long)buf, BLOCK,
			 (long)((seed % blocks) * BLOCK)) != BLOCK) {
			fail("short read", EXIT_IO);
		}
		__asm__ volatile(MARK_INSN ::: "memory");
	}
	report(count, counter() - start);
	sys6(SYS_CLOSE, fd, 0, 0, 0);
	sys6(SYS_EXIT, 0, 0, 0, 0);
	for (;;) {
	}
}
