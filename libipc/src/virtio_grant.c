/**
 * virtio_gmem_from_grants(): a client's granted memory as regions of a
 * struct virtio_gmem, from HYP_IPC_GRANT_INFO (VIRTIO_DESIGN.md). Target
 * only: host tests build their regions with virtio_gmem_add(). Compiled
 * empty until the kernel ABI has the call.
 */
#include "ipc/virtio.h"

#ifdef HYP_IPC_GRANT_INFO

/** Grant indexes asked at most (CFG_MAX_GRANTS is 4; stop at the first
 * IPC_ERR_INVALID anyway). */
#define GRANT_INDEX_LIMIT 64U

int virtio_gmem_from_grants(struct virtio_gmem *g, uint32_t client)
{
	virtio_gmem_init(g);
	for (uint32_t i = 0; i < GRANT_INDEX_LIMIT; i++) {
		struct ipc_grant grant;

		if (ipc_grant_info(i, &grant) != IPC_OK) {
			break;
		}
		if (grant.client != client) {
			continue;
		}
		int rc = virtio_gmem_add(g, grant.client_ipa, grant.size,
					 (void *)(uintptr_t)grant.ipa);

		if (rc != IPC_OK) {
			return rc;
		}
	}
	return (int)g->count;
}

#endif
