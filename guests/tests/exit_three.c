/** The HYP_CALL_EXIT test image that exits with status 3 (exit.c). */
#include <stdint.h>

const uint64_t exit_status = 3;
