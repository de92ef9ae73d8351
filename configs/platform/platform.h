#pragma once
/** Platforms a scenario can run on. */
#include "hyp/config.h"

extern const struct cfg_platform platform_qemu_virt;
