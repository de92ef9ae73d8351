/**
 * A test-only service (configs/grant, tests/system/test_grant.py): what a
 * service reaches of memory. Window registers, 8 bytes each:
 *
 * - TRANSLATE (read): checks HYP_IPC_TRANSLATE on its own RAM (an address
 *   inside gives the PA of the region's base plus the offset, and the
 *   bytes to the region's end; the first byte past its RAM and an
 *   unmapped IPA are refused); returns the number of failed checks, each
 *   also logged.
 * - GRANT (read): the same for its one grant of the client's RAM
 *   (HYP_IPC_GRANT_INFO as the scenario says; HYP_IPC_TRANSLATE inside it,
 *   up to its end, not past it).
 * - SUM (write): the client's IPA of a BUF_SIZE buffer inside the grant:
 *   the service reads it through the grant, remembers the sum of its bytes
 *   and inverts each byte; a read returns the sum (SUM_BAD: the buffer is
 *   not inside the grant).
 * - PAST (write): reads the first byte past the grant, which is not mapped
 *   in its Stage 2: it faults, and the kernel restarts it.
 */
#include <stdint.h>

#include "ipc/ipc.h"

void service_main(void);

#define TRANSLATE_OFFSET 0x00U
#define GRANT_OFFSET 0x08U
#define SUM_OFFSET 0x10U
#define PAST_OFFSET 0x18U
#define BUF_SIZE 256U
#define SUM_BAD UINT64_MAX
/* Its RAM and its grant (configs/grant/config.c). */
#define SVC_RAM_IPA 0x20000000ULL
#define SVC_RAM_SIZE 0x200000ULL
#define GRANT_IPA 0x100000000ULL
#define GRANT_SIZE 0x10000ULL
#define GRANT_CLIENT_IPA 0x40800000ULL
/* Nothing is mapped here in this partition's IPA space. */
#define UNMAPPED_IPA 0x70000000ULL

struct grantsvc {
	struct ipc_grant grant; /**< Its grant 0 (size 0: none). */
	uint64_t sum;
};

/* One check: logged when it fails; returns 1 if it failed. */
static unsigned expect(int ok, const char *what)
{
	if (!ok) {
		ipc_log("check failed: %s\n", what);
	}
	return ok ? 0 : 1;
}

/* HYP_IPC_TRANSLATE on its own RAM: inside, past the end, unmapped. */
static unsigned translate_own_ram(void)
{
	static volatile uint64_t here;
	uint64_t base_pa = 0, pa = 0;
	uint64_t ipa = (uint64_t)(uintptr_t)&here;
	unsigned failed = 0;

	failed += expect(ipc_translate(SVC_RAM_IPA, SVC_RAM_SIZE, &base_pa) ==
				 IPC_OK,
			 "its whole RAM translates: one contiguous run");
	failed += expect(ipc_translate(ipa, sizeof(here), &pa) == IPC_OK,
			 "a variable translates");
	failed += expect(pa == base_pa + (ipa - SVC_RAM_IPA),
			 "a variable's PA is the base's plus its offset");
	failed += expect(ipc_translate(SVC_RAM_IPA, SVC_RAM_SIZE + 1, &pa) ==
				 IPC_ERR_INVALID,
			 "a range past its RAM is refused");
	failed += expect(ipc_translate(SVC_RAM_IPA + SVC_RAM_SIZE, 1, &pa) ==
				 IPC_ERR_INVALID,
			 "the byte past its RAM is refused");
	failed += expect(ipc_translate(SVC_RAM_IPA, 0, &pa) == IPC_ERR_INVALID,
			 "no bytes are refused");
	failed += expect(ipc_translate(UNMAPPED_IPA, 1, &pa) == IPC_ERR_INVALID,
			 "an unmapped IPA is refused");
	ipc_log("own RAM at IPA 0x%llx is PA 0x%llx (+0x%llx)\n",
		(unsigned long long)SVC_RAM_IPA, (unsigned long long)base_pa,
		(unsigned long long)SVC_RAM_SIZE);
	return failed;
}

/* HYP_IPC_GRANT_INFO and HYP_IPC_TRANSLATE on its grant. */
static unsigned check_grant(const struct ipc_grant *g, uint32_t client)
{
	struct ipc_grant none;
	uint64_t base_pa = 0, pa = 0;
	unsigned failed = 0;

	failed += expect(g->ipa == GRANT_IPA && g->size == GRANT_SIZE &&
				 g->client_ipa == GRANT_CLIENT_IPA,
			 "grant 0 is the scenario's");
	failed += expect(g->client == client, "grant 0 is of the client");
	failed += expect(ipc_grant_info(1, &none) == IPC_ERR_INVALID,
			 "there is no grant 1");
	failed +=
		expect(ipc_translate(GRANT_IPA, GRANT_SIZE, &base_pa) == IPC_OK,
		       "the grant translates, contiguous to its end");
	failed += expect(ipc_translate(GRANT_IPA + 0x10, GRANT_SIZE - 0x10,
				       &pa) == IPC_OK &&
				 pa == base_pa + 0x10,
			 "inside the grant: base PA plus offset");
	failed += expect(ipc_translate(GRANT_IPA + 0x10, GRANT_SIZE - 0xf,
				       &pa) == IPC_ERR_INVALID,
			 "a range past the grant's end is refused");
	failed += expect(ipc_translate(GRANT_IPA + GRANT_SIZE, 1, &pa) ==
				 IPC_ERR_INVALID,
			 "the byte past the grant is refused");
	ipc_log("grant of VM %u [0x%llx, +0x%llx) at IPA 0x%llx is PA 0x%llx\n",
		g->client, (unsigned long long)g->client_ipa,
		(unsigned long long)g->size, (unsigned long long)g->ipa,
		(unsigned long long)base_pa);
	return failed;
}

/* Where the service sees the client's @p gpa (+BUF_SIZE), or NULL. */
static volatile uint8_t *grant_ptr(const struct ipc_grant *g, uint64_t gpa)
{
	if (gpa < g->client_ipa || gpa - g->client_ipa > g->size ||
	    g->size - (gpa - g->client_ipa) < BUF_SIZE) {
		return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)(g->ipa + (gpa - g->client_ipa));
}

/* Sum the client's buffer at @p gpa through the grant and invert it. */
static uint64_t sum_and_invert(const struct ipc_grant *g, uint64_t gpa)
{
	volatile uint8_t *p = grant_ptr(g, gpa);
	uint64_t sum = 0;

	if (p == NULL) {
		return SUM_BAD;
	}
	for (uint32_t i = 0; i < BUF_SIZE; i++) {
		sum += p[i];
		p[i] = (uint8_t)~p[i];
	}
	return sum;
}

static int grant_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct grantsvc *st = ctx;

	if (!a->write && a->offset == TRANSLATE_OFFSET) {
		a->value = translate_own_ram();
	} else if (!a->write && a->offset == GRANT_OFFSET) {
		a->value = check_grant(&st->grant, a->client);
	} else if (a->write && a->offset == SUM_OFFSET) {
		st->sum = sum_and_invert(&st->grant, a->value);
	} else if (!a->write && a->offset == SUM_OFFSET) {
		a->value = st->sum;
	} else if (a->write && a->offset == PAST_OFFSET) {
		/* Faults: the page past the grant is not mapped. */
		a->value = *(volatile uint8_t *)(uintptr_t)(st->grant.ipa +
							    st->grant.size);
	} else {
		return IPC_ERR_ABORT;
	}
	return IPC_OK;
}

void service_main(void)
{
	static struct ipc_server srv;
	static struct grantsvc st;

	ipc_server_init(&srv);
	if (ipc_grant_info(0, &st.grant) != IPC_OK) {
		ipc_log("no grant: HYP_IPC_GRANT_INFO refused grant 0\n");
	}
	ipc_register_mmio(&srv, IPC_WINDOW_ALL, grant_mmio, &st);
	ipc_serve(&srv);
}
