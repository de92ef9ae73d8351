#pragma once
/**
 * A model of the Arm PrimeCell Real Time Clock PL031 (Arm DDI 0224) as a
 * guest sees it, complete enough for Linux's rtc-pl031 driver. Pure logic
 * with no I/O and no clock of its own: every call that depends on time is
 * given "now", in whole seconds of the service's clock (struct
 * pl031_clock below). Host-tested in tests/host/test_pl031_model.c; used
 * by services/pl031.
 *
 * Behaviour:
 *  - RTCDR = now + offset (mod 2^32): a write to RTCLR loads the counter
 *    (offset = RTCLR - now) at once rather than at the next 1 Hz edge;
 *    RTCLR reads back the value last written;
 *  - the counter always runs: RTCCR.RTCStart reads 1 and writes to it are
 *    ignored (TRM 3.3.4: once started, writes have no effect until reset;
 *    the clock was started before the guest, as its time comes from the
 *    board's RTC);
 *  - a match is the second at which the counter becomes RTCMR: it sets
 *    RTCRIS (raw, whatever RTCIMSC says); the next one is 2^32 s later.
 *    Writing RTCMR or RTCLR finds the next match again; if the counter
 *    already equals RTCMR then, the match is immediate (as QEMU's model);
 *  - the interrupt line is RTCMIS = RTCRIS & RTCIMSC; a write of 1 to
 *    RTCICR clears RTCRIS;
 *  - accesses: 32-bit writes at a register boundary; reads of 1, 2 or 4
 *    bytes, naturally aligned, return the addressed bytes of the register;
 *    other accesses fail (the caller reports an external abort) without
 *    side effects. Reserved offsets (and the test registers) are RAZ/WI,
 *    as are writes to read-only registers.
 */
#include <stdbool.h>
#include <stdint.h>

#define PL031_WINDOW_SIZE 0x1000U

/* Register offsets (DDI 0224 table 3-1). */
#define PL031_DR 0x000	 /**< Data: the counter (RO). */
#define PL031_MR 0x004	 /**< Match. */
#define PL031_LR 0x008	 /**< Load. */
#define PL031_CR 0x00c	 /**< Control. */
#define PL031_IMSC 0x010 /**< Interrupt mask set/clear. */
#define PL031_RIS 0x014	 /**< Raw interrupt status (RO). */
#define PL031_MIS 0x018	 /**< Masked interrupt status (RO). */
#define PL031_ICR 0x01c	 /**< Interrupt clear (WO). */
/* PrimeCell identification (DDI 0224 3.3.10-11): one byte per word. */
#define PL031_PERIPHID0 0xfe0
#define PL031_CELLID0 0xff0
#define PL031_ID_COUNT 4U

/** RTCCR bit 0: the counter is enabled. */
#define PL031_CR_START (1U << 0)
/** RTCIMSC/RIS/MIS/ICR bit 0: the match interrupt. */
#define PL031_INT_MATCH (1U << 0)

/** A match repeats when the 32-bit counter wraps. */
#define PL031_COUNTER_PERIOD (1ULL << 32)

/**
 * State of one emulated PL031. Plain data: a copy of it is all an undo
 * record needs (services/pl031 journals the whole struct).
 */
struct pl031_model {
	uint32_t offset;   /**< Counter - now (mod 2^32). */
	uint32_t mr;	   /**< RTCMR. */
	uint32_t lr;	   /**< RTCLR as last written. */
	uint32_t imsc;	   /**< RTCIMSC. */
	uint32_t ris;	   /**< RTCRIS. */
	uint32_t reserved; /**< Zero (explicit padding). */
	uint64_t match_at; /**< Next match, in seconds of now. */
};

/** Power-on reset at @p now: the counter reads @p now (mod 2^32). */
void pl031_model_init(struct pl031_model *m, uint64_t now);

/**
 * The client was reset: every register to its reset value except the time
 * (the counter and RTCLR), as a battery-backed RTC keeps it.
 */
void pl031_model_reset(struct pl031_model *m, uint64_t now);

/**
 * Apply every match up to @p now (sets RTCRIS). Returns true if one
 * happened. Reads and writes call it first themselves.
 */
bool pl031_model_expire(struct pl031_model *m, uint64_t now);

/** Guest read of @p width bytes at @p offset. Returns 0 or -1 (abort). */
int pl031_model_read(struct pl031_model *m, uint64_t offset, unsigned width,
		     uint64_t now, uint32_t *value);

/** Guest write. Returns 0 or -1 (abort). */
int pl031_model_write(struct pl031_model *m, uint64_t offset, unsigned width,
		      uint32_t value, uint64_t now);

/** The second (of now) of the next match: when the service must wake. */
uint64_t pl031_model_next_match(const struct pl031_model *m);

/** Level of the interrupt line: RTCMIS != 0. */
bool pl031_model_irq_level(const struct pl031_model *m);

/**
 * @p m (read back from memory, e.g. after a restart) keeps the model's
 * invariants: no undefined bits in RTCIMSC and RTCRIS.
 */
bool pl031_model_valid(const struct pl031_model *m);

/**
 * The service's clock: the board's RTC read once (@c base_seconds) at
 * counter value @c base_count, then the generic timer's counter at
 * @c freq Hz.
 */
struct pl031_clock {
	uint64_t base_seconds;
	uint64_t base_count;
	uint64_t freq;
};

/** Whole seconds at counter value @p count (never before the base). */
uint64_t pl031_clock_seconds(const struct pl031_clock *c, uint64_t count);

/**
 * The counter value at which second @p seconds begins (the base's count
 * for a second at or before the base; UINT64_MAX if it lies beyond the
 * counter's range).
 */
uint64_t pl031_clock_count_at(const struct pl031_clock *c, uint64_t seconds);
