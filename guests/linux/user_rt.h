#pragma once
/**
 * The few runtime pieces the static Linux programs of the guest's
 * initramfs share (guests/linux/cntvct.c, blkrand.c): no libc, only
 * raw syscalls, decimal output and the virtual counter.
 */
#include <stdint.h>

/* include/uapi/asm-generic/unistd.h as arm64 uses it. */
#define SYS_OPENAT 56
#define SYS_CLOSE 57
#define SYS_LSEEK 62
#define SYS_WRITE 64
#define SYS_PREAD64 67
#define SYS_EXIT 93
#define STDOUT 1
#define STDERR 2

/*
 * The marker of tools/plugins/insn_mark.c: HINT #0x7f (Arm ARM C6.2.127,
 * an unallocated hint executes as a NOP); the plugin matches its encoding.
 */
#define MARK_INSN "hint #0x7f"

/** Linux syscall @p nr with up to four arguments (x8, x0..x3: arm64 ABI). */
long user_syscall(long nr, long a, long b, long c, long d);

/** Writes @p v in decimal at @p out; returns the characters written. */
unsigned long user_put_dec(char *out, uint64_t v);

/** Copies @p s (without its NUL) to @p out; returns its length. */
unsigned long user_put_str(char *out, const char *s);

/** CNTVCT_EL0 after an ISB (readable at EL0 under Linux). */
uint64_t user_counter(void);

/** CNTFRQ_EL0. */
uint64_t user_counter_freq(void);

/** Runs the plugin's marker instruction. */
void user_mark(void);

/** Exits the process with @p status. */
void user_exit(long status) __attribute__((noreturn));
