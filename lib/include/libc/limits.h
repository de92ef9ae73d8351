#pragma once
/**
 * The integer limits of C11 5.2.4.2.1 that target code uses, from the
 * compiler's predefined macros. The compiler's own <limits.h> cannot be
 * used under -nostdinc: it includes the C library's next.
 */
#define CHAR_BIT __CHAR_BIT__
#define INT_MAX __INT_MAX__
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (INT_MAX * 2U + 1U)
#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)
