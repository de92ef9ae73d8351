#pragma once
/**
 * Which blocks of the physical disk each client VM gets: a table compiled
 * into the service image, one image per layout (services/SConscript), so a
 * scenario picks the layout by naming the image (`vblk=vblk-ro` in its
 * scenarios line). A client is looked up by its VM name
 * (ipc_client_name()); an entry with a NULL name matches any client not
 * listed before it; a client matching no entry gets an empty disk (every
 * request VBLK_S_IOERR). Sector counts are 512-byte sectors, VBLK_TO_END
 * meaning "to the end of the disk"; a range is clipped to the disk's
 * capacity (vblk_range_clip()).
 *
 *  - default ("vblk"): every client gets the whole disk, read/write (one
 *    client per disk: two clients would share the blocks);
 *  - VBLK_LAYOUT_READ_ONLY ("vblk-ro"): the whole disk, read-only;
 *  - VBLK_LAYOUT_HALVES ("vblk-halves"): VM "test" (or "linux") the first
 *    VBLK_HALF_SECTORS sectors, VM "test2" (or "linux2") the rest:
 *    disjoint disks for two VMs on one physical disk.
 */
#include <stddef.h>

#include "vblk/vblk_req.h"

/** One client's range. */
struct vblk_layout_entry {
	const char *client; /**< VM name, or NULL: any other client. */
	struct vblk_range range;
};

/** Where the halves layout splits the disk: 1 MiB. */
#define VBLK_HALF_SECTORS 2048U

#if defined(VBLK_LAYOUT_READ_ONLY)
static const struct vblk_layout_entry vblk_layout[] = {
	{ NULL, { .first = 0, .sectors = VBLK_TO_END, .read_only = true } },
};
#elif defined(VBLK_LAYOUT_HALVES)
static const struct vblk_layout_entry vblk_layout[] = {
	{ "test", { .first = 0, .sectors = VBLK_HALF_SECTORS } },
	{ "linux", { .first = 0, .sectors = VBLK_HALF_SECTORS } },
	{ "test2", { .first = VBLK_HALF_SECTORS, .sectors = VBLK_TO_END } },
	{ "linux2", { .first = VBLK_HALF_SECTORS, .sectors = VBLK_TO_END } },
};
#else
static const struct vblk_layout_entry vblk_layout[] = {
	{ NULL, { .first = 0, .sectors = VBLK_TO_END } },
};
#endif

#define VBLK_LAYOUT_COUNT (sizeof(vblk_layout) / sizeof(vblk_layout[0]))
