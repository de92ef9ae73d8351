#pragma once
/**
 * Present so that third-party headers that include it compile in target
 * builds (libfdt_env.h, for libfdt's read-only functions, which need none
 * of it). The support library provides no <stdlib.h> function: code that
 * calls one (libfdt's overlay code calls strtoul) fails to link.
 */
#include <stddef.h>
