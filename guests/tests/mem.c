/**
 * System test: the guest reads and writes its RAM. All of its 16 MiB is
 * mapped (first and last byte of every page, every access size), RAM beyond
 * the image starts zeroed, and patterns survive across the whole range.
 * Also checks lib's memcpy as built for AArch64 (its LDP/STP block loop is
 * assembly; the host unit test runs only its C twin).
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"

#define RAM_BASE 0x40000000UL
#define RAM_SIZE (16UL << 20)
#define PAGE 4096UL
/* Leave the image, bss and stack (first 1 MiB) alone. */
#define FREE_BASE (RAM_BASE + (1UL << 20))

static uint64_t pattern(uint64_t addr)
{
	return addr * 0x9e3779b97f4a7c15ULL ^ 0x5a5a5a5a5a5a5a5aULL;
}

static void check_zeroed(void)
{
	unsigned nonzero = 0;

	for (uint64_t a = FREE_BASE; a < RAM_BASE + RAM_SIZE; a += PAGE) {
		nonzero += *(volatile uint64_t *)a != 0;
	}
	CHECK_EQ(nonzero, 0);
}

static void check_every_page(void)
{
	for (uint64_t a = FREE_BASE; a < RAM_BASE + RAM_SIZE; a += PAGE) {
		*(volatile uint64_t *)a = pattern(a);
		*(volatile uint64_t *)(a + PAGE - 8) = ~pattern(a);
	}
	unsigned bad = 0;

	for (uint64_t a = FREE_BASE; a < RAM_BASE + RAM_SIZE; a += PAGE) {
		bad += *(volatile uint64_t *)a != pattern(a);
		bad += *(volatile uint64_t *)(a + PAGE - 8) != ~pattern(a);
	}
	CHECK_EQ(bad, 0);
}

static void check_access_sizes(void)
{
	volatile uint8_t *b = (volatile uint8_t *)(FREE_BASE + 0x100);
	volatile uint16_t *h = (volatile uint16_t *)(FREE_BASE + 0x200);
	volatile uint32_t *w = (volatile uint32_t *)(FREE_BASE + 0x300);
	volatile uint64_t *d = (volatile uint64_t *)(FREE_BASE + 0x400);

	for (unsigned i = 0; i < 16; i++) {
		b[i] = (uint8_t)(0xa0 + i);
		h[i] = (uint16_t)(0xbeef + i);
		w[i] = 0xdeadbeef + i;
		d[i] = 0x0123456789abcdefULL + i;
	}
	for (unsigned i = 0; i < 16; i++) {
		CHECK_EQ(b[i], 0xa0 + i);
		CHECK_EQ(h[i], 0xbeef + i);
		CHECK_EQ(w[i], 0xdeadbeefULL + i);
		CHECK_EQ(d[i], 0x0123456789abcdefULL + i);
	}
	/* Bytes of a doubleword read back individually (little endian). */
	CHECK_EQ(((volatile uint8_t *)d)[0], 0xef);
	CHECK_EQ(((volatile uint8_t *)d)[7], 0x01);
}

/* Every size up to a few 64-byte blocks, at every pair of alignments; the
 * bytes around the destination keep their canary. */
static void check_memcpy(void)
{
	enum { MAX_LEN = 3 * 64 + 17, ALIGNS = 8, PAD = 16, CANARY = 0x5a };
	uint8_t *src = (uint8_t *)(FREE_BASE + 0x1000);
	uint8_t *dst = (uint8_t *)(FREE_BASE + 0x2000);
	unsigned bad = 0;

	for (unsigned i = 0; i < MAX_LEN + ALIGNS; i++) {
		src[i] = (uint8_t)(i * 7 + 3);
	}
	for (unsigned sa = 0; sa < ALIGNS; sa++) {
		for (unsigned da = 0; da < ALIGNS; da++) {
			for (unsigned n = 0; n <= MAX_LEN; n++) {
				uint8_t *d = dst + PAD + da;

				memset(dst, CANARY, MAX_LEN + ALIGNS + 2 * PAD);
				bad += memcpy(d, src + sa, n) != d;
				for (unsigned i = 0; i < MAX_LEN + ALIGNS + 2 * PAD; i++) {
					uint8_t want = dst + i >= d && dst + i < d + n
						? src[sa + (unsigned)(dst + i - d)] : CANARY;

					bad += dst[i] != want;
				}
			}
		}
	}
	CHECK_EQ(bad, 0);
}

void test_main(void)
{
	printf("mem: checking %lu MiB of guest RAM\n", RAM_SIZE >> 20);
	check_zeroed();
	check_every_page();
	check_access_sizes();
	check_memcpy();
	/* The very last byte of RAM. */
	*(volatile uint8_t *)(RAM_BASE + RAM_SIZE - 1) = 0x77;
	CHECK_EQ(*(volatile uint8_t *)(RAM_BASE + RAM_SIZE - 1), 0x77);
}
