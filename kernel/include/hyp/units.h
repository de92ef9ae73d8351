#pragma once
/** Size units and alignment helpers shared by kernel and host tests. */

#define SZ_4K 0x1000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

/** Translation granule: 4 KiB pages (ARM ARM D8.2, "4KB granule"). */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (uint64_t)(a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
