#pragma once
/**
 * ASCII classes for console output that a guest must not be able to turn
 * into terminal control (ECMA-48 / ISO 6429: C0 controls are 0x00-0x1f,
 * DEL is 0x7f, C1 controls are 0x80-0x9f). What cannot be passed is shown
 * in caret notation: ESC as "^[", DEL as "^?".
 */
#include <stdbool.h>
#include <stdint.h>

#define ASCII_NUL 0x00U
#define ASCII_BEL 0x07U
#define ASCII_BS 0x08U
#define ASCII_TAB 0x09U
#define ASCII_LF 0x0aU
#define ASCII_CR 0x0dU
#define ASCII_ESC 0x1bU
#define ASCII_DEL 0x7fU
/** First and last printable character (space and tilde). */
#define ASCII_PRINTABLE_FIRST 0x20U
#define ASCII_PRINTABLE_LAST 0x7eU
/** Caret notation: the control's code with bit 6 flipped (0x1b -> '['). */
#define ASCII_CARET '^'
#define ASCII_CARET_FLIP 0x40U
/** Shown for a byte that is not ASCII where only ASCII may pass. */
#define ASCII_NOT_SHOWN '?'

static inline bool ascii_printable(uint8_t c)
{
	return c >= ASCII_PRINTABLE_FIRST && c <= ASCII_PRINTABLE_LAST;
}

/** A C0 control or DEL: shown as ASCII_CARET, ascii_caret(c). */
static inline bool ascii_control(uint8_t c)
{
	return c < ASCII_PRINTABLE_FIRST || c == ASCII_DEL;
}

static inline char ascii_caret(uint8_t c)
{
	return (char)(c ^ ASCII_CARET_FLIP);
}
