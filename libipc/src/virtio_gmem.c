/**
 * A client's memory as a service sees it (ipc/virtio.h): a few regions of
 * client GPA space, each mapped somewhere in the service, and a lookup that
 * answers only for byte ranges wholly inside one of them, whatever the
 * numbers (no sum is formed that could wrap).
 */
#include "ipc/virtio.h"

/** Ring fields are read with naturally aligned loads of up to 16 bytes'
 * alignment (descriptor table, §2.7 table "Virtqueue Part Alignment"). */
#define GMEM_ALIGN 16U

void virtio_gmem_init(struct virtio_gmem *g)
{
	*g = (struct virtio_gmem){ .count = 0 };
}

int virtio_gmem_add(struct virtio_gmem *g, uint64_t gpa, uint64_t size,
		    void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;

	if (g->count >= VIRTIO_GMEM_MAX_REGIONS || size == 0 || ptr == NULL ||
	    gpa + size < gpa || (uint64_t)p + size < (uint64_t)p ||
	    ((uint64_t)p ^ gpa) % GMEM_ALIGN != 0) {
		return IPC_ERR_INVALID;
	}
	g->region[g->count++] = (struct virtio_gmem_region){ .gpa = gpa,
							     .size = size,
							     .ptr = ptr };
	return IPC_OK;
}

void *virtio_gmem_ptr(const struct virtio_gmem *g, uint64_t gpa, uint64_t len)
{
	uint32_t n = g->count < VIRTIO_GMEM_MAX_REGIONS
			     ? g->count
			     : VIRTIO_GMEM_MAX_REGIONS;

	for (uint32_t i = 0; i < n; i++) {
		const struct virtio_gmem_region *r = &g->region[i];

		if (gpa < r->gpa) {
			continue;
		}
		uint64_t off = gpa - r->gpa;

		if (off <= r->size && len <= r->size - off) {
			return r->ptr + off;
		}
	}
	return NULL;
}
