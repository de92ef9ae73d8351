#pragma once
/** Size units and alignment helpers shared by kernel and host tests. */
#include <stdint.h>

#define SZ_4K UINT64_C(0x1000)
#define SZ_1M UINT64_C(0x100000)
#define SZ_2M UINT64_C(0x200000)
#define SZ_1G UINT64_C(0x40000000)

/** Translation granule: 4 KiB pages (ARM ARM D8.2, "4KB granule"). */
#define PAGE_SHIFT 12
#define PAGE_SIZE (UINT64_C(1) << PAGE_SHIFT)

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (uint64_t)(a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
