/** Runtime pieces of the initramfs programs (see user_rt.h). */
#include "user_rt.h"

#define DEC_MAX 24

long user_syscall(long nr, long a, long b, long c, long d)
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

unsigned long user_put_dec(char *out, uint64_t v)
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

unsigned long user_put_str(char *out, const char *s)
{
	unsigned long n = 0;

	while (s[n] != '\0') {
		out[n] = s[n];
		n++;
	}
	return n;
}

uint64_t user_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t user_counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

void user_mark(void)
{
	__asm__ volatile(MARK_INSN ::: "memory");
}

void user_exit(long status)
{
	user_syscall(SYS_EXIT, status, 0, 0, 0);
	for (;;) {
	}
}
