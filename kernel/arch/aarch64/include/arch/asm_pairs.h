#pragma once
/*
 * Assembly only: storing or loading a run of registers in STP/LDP pairs,
 * register n at [BASE, #OFF + SIZE * n]:
 *
 *	reg_pairs OP, REG, A, A + 1, LAST, BASE, OFF, SIZE
 *
 * is "OP REG<A>, REG<A+1>, [BASE, #OFF + SIZE * A]", then the same for the
 * next two registers, up to REG<LAST>. E.g. "reg_pairs stp, x, 2, 3, 29,
 * x0, 0, 8" stores x2..x29 at [x0, #8 * n]. The next pair is the macro
 * again, on register numbers that .altmacro computes (%(expr)). Assembler,
 * not C: clang-format stays off.
 */
/* clang-format off */
.macro reg_pairs op, reg, a, b, last, base, off, size
	\op	\reg\a, \reg\b, [\base, #\off + \size * \a]
	.if \b < \last
	.altmacro
	reg_pairs \op, \reg, %(\a + 2), %(\b + 2), \last, \base, \off, \size
	.noaltmacro
	.endif
.endm
