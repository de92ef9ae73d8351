#pragma once
/**
 * Address types. A physical address and an intermediate physical address (the
 * guest's view, translated by Stage 2) are different spaces; wrapping each in
 * a one-member struct makes passing one as the other a compile error.
 */
#include <stdint.h>

/** A physical address (output of Stage 2, input of the EL2 identity map). */
typedef struct {
	uint64_t pa;
} paddr_t;

/** An intermediate physical address: what a partition calls "physical". */
typedef struct {
	uint64_t ipa;
} ipaddr_t;

static inline paddr_t pa_init(uint64_t v)
{
	return (paddr_t){ .pa = v };
}

static inline uint64_t pa_addr(paddr_t p)
{
	return p.pa;
}

static inline paddr_t pa_add(paddr_t p, uint64_t off)
{
	return (paddr_t){ .pa = p.pa + off };
}

static inline ipaddr_t ipa_init(uint64_t v)
{
	return (ipaddr_t){ .ipa = v };
}

static inline uint64_t ipa_addr(ipaddr_t i)
{
	return i.ipa;
}
