/**
 * The host fake of the board (hyp/board.h) for units that only read it:
 * the scenario's own platform, as the kernel uses before (or instead of)
 * a device tree. core/board.c itself is tested in test_board.c.
 */
#include "hyp/board.h"

const struct cfg_platform *board(void)
{
	return scenario.platform;
}
