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

#include "user_rt.h"

#define AT_FDCWD (-100)
/* include/uapi/asm-generic/fcntl.h as arm64 uses it. */
#define O_RDONLY 0
#define O_DIRECT 0200000
#define SEEK_END 2
#define BLOCK 4096
#define EXIT_USAGE 2
#define EXIT_IO 1
/* Numerical Recipes' 32-bit LCG constants (any full-period pair would do). */
#define LCG_MUL 1664525u
#define LCG_ADD 1013904223u
#define LCG_SEED 42u

/* sp -> main(argc, argv): the kernel's initial stack holds argc then the
 * argv pointers (ELF ABI). */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	b blkrand_main\n");

void blkrand_main(const long *sp) __attribute__((noreturn, used));

static uint8_t buf[BLOCK] __attribute__((aligned(BLOCK)));

static void fail(const char *why, long status)
{
	char line[96];
	unsigned long len = user_put_str(line, "blkrand: ");

	len += user_put_str(line + len, why);
	line[len++] = '\n';
	user_syscall(SYS_WRITE, STDERR, (long)line, (long)len, 0);
	user_exit(status);
}

static uint64_t parse_dec(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	return *s == '\0' ? v : 0;
}

static void report(uint64_t reads, uint64_t ticks)
{
	char line[128];
	unsigned long len = user_put_str(line, "blkrand: reads ");
	len += user_put_dec(line + len, reads);
	len += user_put_str(line + len, " bytes ");
	len += user_put_dec(line + len, reads * BLOCK);
	len += user_put_str(line + len, " ticks ");
	len += user_put_dec(line + len, ticks);
	len += user_put_str(line + len, " frequency ");
	len += user_put_dec(line + len, user_counter_freq());
	line[len++] = '\n';
	user_syscall(SYS_WRITE, STDOUT, (long)line, (long)len, 0);
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
	fd = user_syscall(SYS_OPENAT, AT_FDCWD, (long)argv[1],
			  O_RDONLY | O_DIRECT, 0);
	if (fd < 0) {
		fail("cannot open the device with O_DIRECT", EXIT_IO);
	}
	size = user_syscall(SYS_LSEEK, fd, 0, SEEK_END, 0);
	blocks = size > 0 ? (uint64_t)size / BLOCK : 0;
	if (blocks == 0) {
		fail("the device has no 4 KiB block", EXIT_IO);
	}
	start = user_counter();
	user_mark();
	for (i = 0; i < count; i++) {
		seed = seed * LCG_MUL + LCG_ADD;
		if (user_syscall(SYS_PREAD64, fd, (long)buf, BLOCK,
				 (long)((seed % blocks) * BLOCK)) != BLOCK) {
			fail("short read", EXIT_IO);
		}
		user_mark();
	}
	report(count, user_counter() - start);
	user_syscall(SYS_CLOSE, fd, 0, 0, 0);
	user_exit(0);
}
