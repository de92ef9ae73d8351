/**
 * A test-only service (configs/grant, tests/system/test_grant.py): what a
 * service reaches of memory. A read of TRANSLATE_OFFSET makes it check
 * HYP_IPC_TRANSLATE on its own RAM (an address inside gives the PA of the
 * region's base plus the offset, and the bytes to the region's end; the
 * first byte past its RAM and an unmapped IPA are refused); the read
 * returns the number of failed checks, each also logged.
 */
#include <stdint.h>

#include "ipc/ipc.h"

void service_main(void);

#define TRANSLATE_OFFSET 0x00U
/* Its RAM (configs/grant/config.c). */
#define SVC_RAM_IPA 0x20000000ULL
#define SVC_RAM_SIZE 0x200000ULL
/* Nothing is mapped here in this partition's IPA space. */
#define UNMAPPED_IPA 0x70000000ULL

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
	uint64_t base_pa = 0, pa = 0, size = 0, n = 0;
	uint64_t ipa = (uint64_t)(uintptr_t)&here;
	unsigned failed = 0;

	failed += expect(ipc_translate(SVC_RAM_IPA, &base_pa, &size) == IPC_OK,
			 "its RAM base translates");
	failed += expect(size == SVC_RAM_SIZE, "its whole RAM is contiguous");
	failed += expect(ipc_translate(ipa, &pa, &n) == IPC_OK,
			 "a variable translates");
	failed += expect(pa == base_pa + (ipa - SVC_RAM_IPA),
			 "a variable's PA is the base's plus its offset");
	failed += expect(n == SVC_RAM_SIZE - (ipa - SVC_RAM_IPA),
			 "contiguous to the end of the region");
	failed += expect(ipc_translate(SVC_RAM_IPA + SVC_RAM_SIZE, &pa, &n) ==
				 IPC_ERR_INVALID,
			 "the byte past its RAM is refused");
	failed +=
		expect(ipc_translate(UNMAPPED_IPA, &pa, &n) == IPC_ERR_INVALID,
		       "an unmapped IPA is refused");
	ipc_log("own RAM at IPA 0x%llx is PA 0x%llx (+0x%llx)\n",
		(unsigned long long)SVC_RAM_IPA, (unsigned long long)base_pa,
		(unsigned long long)size);
	return failed;
}

static int grant_mmio(void *ctx, struct ipc_mmio_access *a)
{
	(void)ctx;
	if (!a->write && a->offset == TRANSLATE_OFFSET) {
		a->value = translate_own_ram();
		return IPC_OK;
	}
	return IPC_ERR_ABORT;
}

void service_main(void)
{
	static struct ipc_server srv;

	ipc_server_init(&srv);
	ipc_register_mmio(&srv, IPC_WINDOW_ALL, grant_mmio, NULL);
	ipc_serve(&srv);
}
