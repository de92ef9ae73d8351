#pragma once
/**
 * The test alarm device of services/timersvc (its register list is in
 * services/timersvc/main.c): 64-bit registers, one 4 KiB window per
 * client. Shared by the service and its test guest (guests/tests/svctimer.c).
 */
#define TIMERSVC_REG_RESETS 0x00U
#define TIMERSVC_REG_BOOTS 0x08U
#define TIMERSVC_REG_NOW 0x10U
#define TIMERSVC_REG_FREQ 0x18U
#define TIMERSVC_REG_DEADLINE 0x20U
#define TIMERSVC_REG_FIRED 0x28U
#define TIMERSVC_REG_FIRED_AT 0x30U
#define TIMERSVC_REG_DELIVERED 0x38U
/** Bytes of each register. */
#define TIMERSVC_REG_WIDTH 8U
