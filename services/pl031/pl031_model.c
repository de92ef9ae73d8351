/**
 * The PL031 model (include/pl031/pl031_model.h): registers of DDI 0224
 * chapter 3 over a counter that is "now + offset", and the match that sets
 * the raw interrupt.
 */
#include "pl031/pl031_model.h"

/* Registers are 32 bits wide (DDI 0224 3.1). */
#define PL031_REG_BYTES 4U
#define BITS_PER_BYTE 8U

/*
 * PrimeCell peripheral ID (RTCPeriphID0-3): part number 0x031, designer
 * 0x41 (Arm), revision 1, configuration 0 (DDI 0224 3.3.10).
 */
static const uint8_t periph_id[PL031_ID_COUNT] = { 0x31, 0x10, 0x14, 0x00 };
/* PrimeCell cell ID (RTCPCellID0-3): 0xb105f00d (DDI 0224 3.3.11). */
static const uint8_t cell_id[PL031_ID_COUNT] = { 0x0d, 0xf0, 0x05, 0xb1 };

static uint32_t counter(const struct pl031_model *m, uint64_t now)
{
	return (uint32_t)now + m->offset;
}

/*
 * The second after @p now at which the counter next becomes RTCMR (2^32 s
 * away if it equals RTCMR now).
 */
static uint64_t next_match(const struct pl031_model *m, uint64_t now)
{
	uint32_t ahead = m->mr - counter(m, now);

	return now + (ahead == 0 ? PL031_COUNTER_PERIOD : ahead);
}

/* The counter or RTCMR was written: a counter equal to RTCMR matches. */
static void find_match(struct pl031_model *m, uint64_t now)
{
	if (counter(m, now) == m->mr) {
		m->ris |= PL031_INT_MATCH;
	}
	m->match_at = next_match(m, now);
}

void pl031_model_init(struct pl031_model *m, uint64_t now)
{
	*m = (struct pl031_model){ 0 };
	m->match_at = next_match(m, now);
}

void pl031_model_reset(struct pl031_model *m, uint64_t now)
{
	uint32_t offset = m->offset, lr = m->lr;

	*m = (struct pl031_model){ .offset = offset, .lr = lr };
	m->match_at = next_match(m, now);
}

bool pl031_model_expire(struct pl031_model *m, uint64_t now)
{
	if (now < m->match_at) {
		return false;
	}
	m->ris |= PL031_INT_MATCH;
	/* The next time the counter comes round to RTCMR. */
	uint64_t periods = (now - m->match_at) / PL031_COUNTER_PERIOD + 1;

	m->match_at += periods * PL031_COUNTER_PERIOD;
	return true;
}

/* The whole 32-bit register at @p reg. */
static uint32_t read_reg(const struct pl031_model *m, uint64_t reg,
			 uint64_t now)
{
	switch (reg) {
	case PL031_DR:
		return counter(m, now);
	case PL031_MR:
		return m->mr;
	case PL031_LR:
		return m->lr;
	case PL031_CR:
		return PL031_CR_START;
	case PL031_IMSC:
		return m->imsc;
	case PL031_RIS:
		return m->ris;
	case PL031_MIS:
		return m->ris & m->imsc;
	default:
		break;
	}
	if (reg >= PL031_PERIPHID0 &&
	    reg < PL031_PERIPHID0 + PL031_ID_COUNT * PL031_REG_BYTES) {
		return periph_id[(reg - PL031_PERIPHID0) / PL031_REG_BYTES];
	}
	if (reg >= PL031_CELLID0 &&
	    reg < PL031_CELLID0 + PL031_ID_COUNT * PL031_REG_BYTES) {
		return cell_id[(reg - PL031_CELLID0) / PL031_REG_BYTES];
	}
	/* Reserved, test registers and RTCICR (write-only): RAZ. */
	return 0;
}

int pl031_model_read(struct pl031_model *m, uint64_t offset, unsigned width,
		     uint64_t now, uint32_t *value)
{
	if ((width != 1 && width != 2 && width != PL031_REG_BYTES) ||
	    offset % width != 0 || offset >= PL031_WINDOW_SIZE) {
		return -1;
	}
	(void)pl031_model_expire(m, now);
	uint64_t reg = offset & ~(uint64_t)(PL031_REG_BYTES - 1);
	uint32_t shift = (uint32_t)(offset - reg) * BITS_PER_BYTE;

	*value = read_reg(m, reg, now) >> shift;
	return 0;
}

int pl031_model_write(struct pl031_model *m, uint64_t offset, unsigned width,
		      uint32_t value, uint64_t now)
{
	if (width != PL031_REG_BYTES || offset % PL031_REG_BYTES != 0 ||
	    offset >= PL031_WINDOW_SIZE) {
		return -1;
	}
	(void)pl031_model_expire(m, now);
	switch (offset) {
	case PL031_MR:
		m->mr = value;
		find_match(m, now);
		break;
	case PL031_LR:
		/* Load the counter (DDI 0224 3.3.3). */
		m->lr = value;
		m->offset = value - (uint32_t)now;
		find_match(m, now);
		break;
	case PL031_IMSC:
		m->imsc = value & PL031_INT_MATCH;
		break;
	case PL031_ICR:
		m->ris &= ~(value & PL031_INT_MATCH);
		break;
	default:
		/* RTCCR (started already), read-only and reserved: WI. */
		break;
	}
	return 0;
}

uint64_t pl031_model_next_match(const struct pl031_model *m)
{
	return m->match_at;
}

bool pl031_model_irq_level(const struct pl031_model *m)
{
	return (m->ris & m->imsc) != 0;
}

bool pl031_model_valid(const struct pl031_model *m)
{
	return (m->imsc & ~PL031_INT_MATCH) == 0 &&
	       (m->ris & ~PL031_INT_MATCH) == 0 && m->reserved == 0;
}

uint64_t pl031_clock_seconds(const struct pl031_clock *c, uint64_t count)
{
	if (count < c->base_count || c->freq == 0) {
		return c->base_seconds;
	}
	return c->base_seconds + (count - c->base_count) / c->freq;
}

uint64_t pl031_clock_count_at(const struct pl031_clock *c, uint64_t seconds)
{
	if (seconds <= c->base_seconds) {
		return c->base_count;
	}
	uint64_t delta = seconds - c->base_seconds;

	if (c->freq != 0 && delta > (UINT64_MAX - c->base_count) / c->freq) {
		return UINT64_MAX;
	}
	return c->base_count + delta * c->freq;
}
