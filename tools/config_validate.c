/**
 * Scenario validation at build time: tools/cfgcheck runs it on the host
 * against the images as built, and the build refuses a scenario it rejects.
 * The kernel does not run it: at boot it only checks what keeps its own
 * array indexing safe and what only the running machine can tell
 * (kernel/core/config_bounds.c). Messages are formatted by lib/fmt.
 *
 * Scenario rules
 * ==============
 * Scenario
 *   S1. The scenario has a non-empty name.
 *   S2. The scenario names a platform.
 *   S3. It lists 1..CFG_MAX_VMS partitions.
 *   S4. At least one partition is a guest (CFG_VM_GUEST).
 *   S5. The RAM of all partitions together fits in the board's RAM that the
 *       hypervisor leaves over: ram_size - hyp_reserved (ram_size: the
 *       platform's, or the board's RAM cfgcheck is given, scons mem=; the
 *       kernel checks again against the board it boots on).
 * Partitions
 *   P1. The name is 1..CFG_NAME_MAX characters of [a-z0-9_-] and unique.
 *   P2. The kind is CFG_VM_GUEST or CFG_VM_SERVICE.
 *   P3. vcpu_count is 1..CFG_MAX_VCPUS, ram_count 1..CFG_MAX_RAM,
 *       device_count at most CFG_MAX_DEVICES, irq_count at most CFG_MAX_IRQS.
 *       A service partition has exactly one vCPU (the kernel runs only
 *       vCPU 0 of a service; another would never run).
 * RAM regions
 *   R1. The size is not zero.
 *   R2. ipa and size are multiples of 2 MiB, so Stage 2 can map the region
 *       with level 2 blocks (ARM ARM D8.2, 4KB granule).
 *   R3. The region ends at or below 1 << 40: the 40-bit IPA space that
 *       VTCR_EL2.T0SZ = 24 gives (ARM ARM D8.1.5).
 *   R4. No two windows of one partition (RAM regions and device windows)
 *       overlap in its IPA space.
 *   R5. A region marked keep (not reset when a service restarts) belongs
 *       to a service partition, which has at most one.
 * Image
 *   I1. The partition names an image and the image table holds it.
 *   I2. [image_ipa, image_ipa + size) lies inside one RAM region that is
 *       not kept (R5).
 *   I3. entry lies inside [image_ipa, image_ipa + size).
 *   I4. Each further load (load_count <= CFG_MAX_LOADS) names an image in
 *       the table that fits inside one RAM region (not kept) at its ipa,
 *       and no two
 *       loaded images (the main one included) overlap.
 * Device windows
 *   D1. The name is not empty and the kind is PASSTHROUGH or EMULATED.
 *   D2. ipa and size are 4 KiB page multiples, size is not zero and the
 *       window ends at or below 1 << 40.
 *   D3. PASSTHROUGH: pa is page aligned and [pa, pa + size) lies inside the
 *       platform's MMIO space [mmio_base, mmio_base + mmio_size).
 *   D4. PASSTHROUGH: only a service partition (the console service) may be
 *       granted the kernel's log UART page [uart_base, uart_base + 4 KiB);
 *       it shares the UART with the kernel log. A guest never gets it.
 *   D5. PASSTHROUGH: a physical frame is granted once: the window overlaps no
 *       other passthrough window, of this partition or of another.
 *   D6. EMULATED: service names a partition of kind CFG_VM_SERVICE that is not
 *       the partition itself.
 *   D7. A service partition has no EMULATED windows (services do not chain).
 *   D8. GICV: only in a guest, size equal to the platform's gicv_size, and
 *       the platform has one; it is not a grant of frames (D5 does not
 *       apply): every guest may map the banked virtual CPU interface.
 *   D9. irq is 0, or a virtual SPI [VGIC_SPI_FIRST, VGIC_INTIDS - 1] on
 *       no other window of the partition, set on an EMULATED window (the
 *       guest SPI its service drives) or on a PASSTHROUGH window (the
 *       device's SPI, written into the guest's device tree by dtgen): then
 *       it is also one of the partition's irqs, passed through (Q3).
 *   D10. PASSTHROUGH: the window overlaps none of the frames the kernel
 *       itself uses: of the platform's PCIe, bus 0's ECAM
 *       [pci_ecam_base, + CFG_PCI_ECAM_BUS_SIZE) and the pvpanic BAR page
 *       [pci_mmio_base, + CFG_PCI_BAR_SIZE); the GIC's distributor, CPU
 *       and hypervisor control interfaces [gic_base, + gic_size) (each
 *       when not 0).
 * IRQs
 *   Q1. Each IRQ lies in the platform's grantable SPIs [spi_first, spi_last]
 *       and among those a service can be notified of [VGIC_SPI_FIRST,
 *       IRQ_OWNED_SPI_LAST] (abi/vgic.h).
 *   Q2. Each IRQ is listed once in the whole scenario: one partition owns it,
 *       and lists it once.
 *   Q3. A guest's IRQs are passed through to it, each as the virtual SPI of
 *       the same INTID (Q1 keeps them inside its virtual distributor's
 *       SPIs, [VGIC_SPI_FIRST, VGIC_INTIDS - 1]): a guest that owns one has
 *       a virtual distributor window (EMULATED, kernel_sgir).
 *   Q4. A guest's IRQ is not also the irq (D9) of one of its emulated
 *       windows: one virtual SPI, one source (a passthrough window may
 *       name it: that is the device the SPI comes from).
 * Grants (guest RAM a service reaches: its CPU accesses reach only its own
 * RAM, its windows, and granted RAM of guests it serves)
 *   G1. Only a service partition has grants, at most CFG_MAX_GRANTS.
 *   G2. client names a guest partition (CFG_VM_GUEST) with an EMULATED
 *       window served by this service.
 *   G3. client_ipa, size and ipa are 4 KiB page multiples and size is not
 *       zero.
 *   G4. [client_ipa, client_ipa + size) lies inside one RAM region of the
 *       client (no wrap around).
 *   G5. [ipa, ipa + size) ends at or below 1 << 40 (Stage 2's IPA space,
 *       as R3) and overlaps none of the service's RAM regions, device
 *       windows or other grants.
 * Register shadow pages (an emulated window's registers read without an
 * exit; the service writes them, cfg_device.shadow_ipa)
 *   H1. shadow_ipa is set only on an EMULATED window without kernel_sgir.
 *   H2. That window is exactly one 4 KiB page.
 *   H3. shadow_ipa is 4 KiB page aligned and the page ends at or below
 *       1 << 40 (Stage 2's IPA space).
 *   H4. In its service's IPA space the page overlaps none of the service's
 *       RAM regions, device windows, grants or other shadow pages.
 *
 * Rules that need the platform (S5, D3, D4, Q1) are skipped when S2 fails.
 * Counts beyond the array bounds (S3, P3) are reported and then clamped, so
 * the remaining checks never read past an array. Windows that are empty or
 * leave the address space (R1, R3, D2) are reported once and left out of the
 * overlap checks, whose answers would be meaningless for them. Physical
 * windows are compared by their last byte, so one that ends exactly at 2^64
 * gets D4 and D5 like any other; one that wraps around to 0 breaks D3.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "abi/vgic.h"
#include "config_validate.h"
#include "hyp/units.h"
#include "lib/fmt.h"

/** First IPA beyond the 40-bit IPA space (rules R3, D2). */
#define CFG_IPA_LIMIT (1ULL << 40)
/** Size of the kernel's log UART window (one page; rule D4). */
#define CFG_UART_SIZE SZ_4K
/** Longest message, including the terminating NUL; longer ones are cut. */
#define CFG_MSG_MAX 256
/** Longest name quoted in a message; longer ones end in "...". */
#define CFG_QUOTE_MAX 40
/** Room for one label: "vm '<name>': device '<name>'" or a range. */
#define CFG_LABEL_MAX 128

/** Half-open range "[base, end)" for fmt: pass base and base + size. */
#define RANGE "[0x%" PRIx64 ", 0x%" PRIx64 ")"
/** Hexadecimal as the messages print it: "0x" and lower-case digits. */
#define HEX "0x%" PRIx64

/** True if [a, a+alen) and [b, b+blen) share at least one byte. */
static bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b,
				  uint64_t blen)
{
	return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

/** True if [inner, inner+ilen) lies entirely inside [outer, outer+olen). */
static bool range_contains(uint64_t outer, uint64_t olen, uint64_t inner,
				  uint64_t ilen)
{
	return inner >= outer && ilen <= olen && inner - outer <= olen - ilen;
}

/** State of one cfg_validate() run. */
struct check {
	const struct cfg_scenario *sc;
	const struct cfg_platform *plat; /**< NULL if the scenario has none. */
	const struct cfg_image *images;
	size_t image_count;
	size_t vm_count;                 /**< sc->vm_count, clamped. */
	cfg_report_fn report;
	void *ctx;
	size_t problems;
};

/** An address window of one partition, for the overlap checks. */
struct window {
	bool is_ram;
	size_t index;  /**< Index into ram[] or devices[]. */
	uint64_t base;
	uint64_t size;
};

/**
 * A piece of a message (a name, a window), returned by value so that it
 * can be formatted inline: its array lives until the end of the call's
 * full expression (C11 6.2.4p8).
 */
struct label {
	char s[CFG_LABEL_MAX];
};

/* --- Messages ------------------------------------------------------------ */

/** True if @p s is NULL or "". */
static bool str_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/** Count a problem and hand its message, formatted from @p fmt, on. */
static __attribute__((format(printf, 2, 3))) void
problem(struct check *chk, const char *fmt, ...)
{
	char msg[CFG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	chk->problems++;
	if (chk->report != NULL) {
		chk->report(chk->ctx, msg);
	}
}

/** @p s in single quotes, shortened to CFG_QUOTE_MAX characters. */
static struct label quoted(const char *s)
{
	struct label l;
	char head[CFG_QUOTE_MAX + 1];
	size_t len = strnlen(s, CFG_QUOTE_MAX + 1);

	/* lib/fmt has no precision: cut the name here. */
	memcpy(head, s, len > CFG_QUOTE_MAX ? CFG_QUOTE_MAX : len);
	head[len > CFG_QUOTE_MAX ? CFG_QUOTE_MAX : len] = '\0';
	fmt_snprintf(l.s, sizeof(l.s), "'%s%s'", head,
		     len > CFG_QUOTE_MAX ? "..." : "");
	return l;
}

/** "scenario 'name'", or "unnamed scenario". */
static struct label scenario_label(const struct check *chk)
{
	struct label l;

	if (str_empty(chk->sc->name)) {
		fmt_snprintf(l.s, sizeof(l.s), "unnamed scenario");
	} else {
		fmt_snprintf(l.s, sizeof(l.s), "scenario %s",
			     quoted(chk->sc->name).s);
	}
	return l;
}

/** Partition @p i: "vm 'name'", or "vm #i" if it has no name. */
static struct label vm_label(const struct check *chk, size_t i)
{
	const char *name = chk->sc->vms[i].name;
	struct label l;

	if (str_empty(name)) {
		fmt_snprintf(l.s, sizeof(l.s), "vm #%zu", i);
	} else {
		fmt_snprintf(l.s, sizeof(l.s), "vm %s", quoted(name).s);
	}
	return l;
}

/** Device @p j: "device 'name'", or "device #j" if it has no name. */
static struct label dev_label(const struct cfg_device *dev, size_t j)
{
	struct label l;

	if (str_empty(dev->name)) {
		fmt_snprintf(l.s, sizeof(l.s), "device #%zu", j);
	} else {
		fmt_snprintf(l.s, sizeof(l.s), "device %s", quoted(dev->name).s);
	}
	return l;
}

/** Device @p j of partition @p i: "vm 'name': device 'name'". */
static struct label vm_dev_label(const struct check *chk, size_t i, size_t j)
{
	struct label l;

	fmt_snprintf(l.s, sizeof(l.s), "%s: %s", vm_label(chk, i).s,
		     dev_label(&chk->sc->vms[i].devices[j], j).s);
	return l;
}

/* --- Helpers ------------------------------------------------------------- */

/** True if [base, base + size) is non-empty and inside the IPA space. */
static bool ipa_window_ok(uint64_t base, uint64_t size)
{
	return size != 0 && range_contains(0, CFG_IPA_LIMIT, base, size);
}

/**
 * True if [base, base + size) is non-empty and does not wrap around: it may
 * end exactly at 2^64, the top of the physical address space.
 */
static bool pa_window_ok(uint64_t base, uint64_t size)
{
	return size != 0 && size - 1 <= UINT64_MAX - base;
}

/** Last byte of a window pa_window_ok() accepts (base + size may be 0). */
static uint64_t pa_last(uint64_t base, uint64_t size)
{
	return base + (size - 1);
}

/**
 * True if two windows that pa_window_ok() accepts share a byte. Last bytes,
 * not ends: range_overlaps() wraps for a window ending at 2^64 and would
 * miss the overlap (D4, D5).
 */
static bool pa_windows_overlap(uint64_t a, uint64_t alen, uint64_t b,
			       uint64_t blen)
{
	return a <= pa_last(b, blen) && b <= pa_last(a, alen);
}

/** Bytes of the log UART page below 2^64 (all of it unless at the top; D4). */
static uint64_t uart_window_size(uint64_t uart_base)
{
	if (uart_base > UINT64_MAX - (CFG_UART_SIZE - 1)) {
		return UINT64_MAX - uart_base + 1;
	}
	return CFG_UART_SIZE;
}

/** Clamp @p count to @p max. */
static size_t clamp(size_t count, size_t max)
{
	return count < max ? count : max;
}

/* --- Scenario and partition rules (S, P) --------------------------------- */

/** Report a count outside [@p min, @p max] (P3). */
static void check_count(struct check *chk, size_t i, const char *what,
			uint64_t count, uint64_t min, uint64_t max)
{
	if (count >= min && count <= max) {
		return;
	}
	if (min == 0) {
		problem(chk, "%s: %s is %" PRIu64 "; at most %" PRIu64
			" are allowed", vm_label(chk, i).s, what, count, max);
	} else {
		problem(chk, "%s: %s is %" PRIu64 "; it must be %" PRIu64
			"..%" PRIu64, vm_label(chk, i).s, what, count, min, max);
	}
}

/** P1: the name's characters: a-z, 0-9, '_' and '-'. */
static void check_name_chars(struct check *chk, size_t i, const char *name,
			     size_t len)
{
	for (size_t k = 0; k < len; k++) {
		char c = name[k];
		struct label shown;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-') {
			continue;
		}
		if (c >= ' ' && c <= '~') {
			const char one[] = {c, '\0'};

			fmt_snprintf(shown.s, sizeof(shown.s), "'%s'", one);
		} else {
			fmt_snprintf(shown.s, sizeof(shown.s), "0x%x",
				     (unsigned)(uint8_t)c);
		}
		problem(chk, "%s: name has the invalid character %s at position "
			"%zu; only a-z, 0-9, '_' and '-' are allowed",
			vm_label(chk, i).s, shown.s, k);
		return;
	}
}

/** P1: the name's length and characters, and that no earlier vm has it. */
static void check_vm_name(struct check *chk, size_t i)
{
	const char *name = chk->sc->vms[i].name;
	size_t len;

	if (str_empty(name)) {
		problem(chk, "%s has no name", vm_label(chk, i).s);
		return;
	}
	len = strnlen(name, CFG_NAME_MAX + 1);
	if (len > CFG_NAME_MAX) {
		problem(chk, "%s: name is longer than %d characters",
			vm_label(chk, i).s, CFG_NAME_MAX);
	}
	check_name_chars(chk, i, name, len);
	for (size_t k = 0; k < i; k++) {
		const char *other = chk->sc->vms[k].name;

		if (other != NULL && strcmp(name, other) == 0) {
			problem(chk, "%s: the name is already used by partition "
				"#%zu (names must be unique)",
				vm_label(chk, i).s, k);
			break;
		}
	}
}

/** P1, P2, P3 for partition @p i. */
static void check_vm_basics(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];

	check_vm_name(chk, i);
	if (vm->kind != CFG_VM_GUEST && vm->kind != CFG_VM_SERVICE) {
		problem(chk, "%s: kind %u is neither CFG_VM_GUEST nor "
			"CFG_VM_SERVICE", vm_label(chk, i).s,
			(unsigned)vm->kind);
	}
	check_count(chk, i, "vcpu_count", vm->vcpu_count, 1, CFG_MAX_VCPUS);
	if (vm->kind == CFG_VM_SERVICE && vm->vcpu_count > 1 &&
	    vm->vcpu_count <= CFG_MAX_VCPUS) {
		problem(chk, "%s: a service has exactly 1 vCPU, not %" PRIu32
			" (only vCPU 0 of a service runs)", vm_label(chk, i).s,
			vm->vcpu_count);
	}
	check_count(chk, i, "ram_count", vm->ram_count, 1, CFG_MAX_RAM);
	check_count(chk, i, "device_count", vm->device_count, 0,
		    CFG_MAX_DEVICES);
	check_count(chk, i, "irq_count", vm->irq_count, 0, CFG_MAX_IRQS);
}

/* --- RAM and image rules (R, I) ------------------------------------------ */

/** R1, R2, R3 for RAM region @p r of partition @p i. */
static void check_ram(struct check *chk, size_t i, size_t r)
{
	const struct cfg_ram *ram = &chk->sc->vms[i].ram[r];
	uint64_t end = ram->ipa + ram->size;

	if (ram->size == 0) {
		problem(chk, "%s: ram region %zu at " HEX " has size 0",
			vm_label(chk, i).s, r, ram->ipa);
		return;
	}
	if (!IS_ALIGNED(ram->ipa, SZ_2M) || !IS_ALIGNED(ram->size, SZ_2M)) {
		problem(chk, "%s: ram region %zu " RANGE " is not 2 MiB aligned "
			"(ipa and size must be multiples of 0x200000)",
			vm_label(chk, i).s, r, ram->ipa, end);
	}
	if (!ipa_window_ok(ram->ipa, ram->size)) {
		problem(chk, "%s: ram region %zu " RANGE " ends beyond the "
			"40-bit IPA space (" HEX ")", vm_label(chk, i).s, r,
			ram->ipa, end, (uint64_t)CFG_IPA_LIMIT);
	}
}

/** R5 for partition @p i. */
static void check_kept_ram(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t kept = 0;

	for (size_t r = 0; r < clamp(vm->ram_count, CFG_MAX_RAM); r++) {
		kept += vm->ram[r].keep ? 1 : 0;
	}
	if (kept > 0 && vm->kind != CFG_VM_SERVICE) {
		problem(chk, "%s: is not a service but keeps a ram region "
			"across restarts (keep is for service partitions)",
			vm_label(chk, i).s);
	} else if (kept > 1) {
		problem(chk, "%s: keeps %zu ram regions across restarts; at "
			"most one may be kept", vm_label(chk, i).s, kept);
	}
}

/**
 * I1/I2 for image @p name loaded at @p ipa in partition @p i: returns its
 * table entry, or NULL (reported) if it is missing.
 */
static const struct cfg_image *check_load(struct check *chk, size_t i,
					  const char *name, uint64_t ipa)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t ram_count = clamp(vm->ram_count, CFG_MAX_RAM);
	const struct cfg_image *img;
	bool fits = false;

	img = cfg_find_image(chk->images, chk->image_count, name);
	if (img == NULL) {
		problem(chk, "%s: image %s is missing (not built or not listed)",
			vm_label(chk, i).s, quoted(name).s);
		return NULL;
	}
	for (size_t r = 0; r < ram_count; r++) {
		if (!vm->ram[r].keep &&
		    range_contains(vm->ram[r].ipa, vm->ram[r].size, ipa,
				   img->size)) {
			fits = true;
		}
	}
	/* With no RAM at all, P3 has already reported the problem. */
	if (!fits && ram_count > 0) {
		problem(chk, "%s: image %s " RANGE " does not fit inside one ram "
			"region that is not kept", vm_label(chk, i).s,
			quoted(name).s, ipa, ipa + img->size);
	}
	return img;
}

/** I4: further loads fit and no two loaded images overlap. */
static void check_loads(struct check *chk, size_t i,
			const struct cfg_image *main_img)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_image *img[CFG_MAX_LOADS + 1] = { main_img };
	uint64_t at[CFG_MAX_LOADS + 1] = { vm->image_ipa };
	const char *names[CFG_MAX_LOADS + 1] = { vm->image };
	size_t n = 1;

	if (vm->load_count > CFG_MAX_LOADS) {
		problem(chk, "%s: lists %zu further images, more than "
			"CFG_MAX_LOADS (%d)", vm_label(chk, i).s,
			vm->load_count, CFG_MAX_LOADS);
	}
	for (size_t k = 0; k < clamp(vm->load_count, CFG_MAX_LOADS); k++) {
		const struct cfg_load *l = &vm->loads[k];

		if (l->image == NULL) {
			problem(chk, "%s: load %zu names no image",
				vm_label(chk, i).s, k);
			continue;
		}
		img[n] = check_load(chk, i, l->image, l->ipa);
		at[n] = l->ipa;
		names[n] = l->image;
		n++;
	}
	for (size_t a = 0; a < n; a++) {
		for (size_t b = a + 1; b < n; b++) {
			if (img[a] == NULL || img[b] == NULL ||
			    !range_overlaps(at[a], img[a]->size, at[b],
					    img[b]->size)) {
				continue;
			}
			problem(chk, "%s: image %s " RANGE " overlaps image %s "
				RANGE, vm_label(chk, i).s, quoted(names[a]).s,
				at[a], at[a] + img[a]->size, quoted(names[b]).s,
				at[b], at[b] + img[b]->size);
		}
	}
}

/** I1, I2, I3, I4 for partition @p i. */
static void check_image(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_image *img;

	if (vm->image == NULL) {
		problem(chk, "%s: names no image", vm_label(chk, i).s);
		return;
	}
	img = check_load(chk, i, vm->image, vm->image_ipa);
	if (img == NULL) {
		return;
	}
	check_loads(chk, i, img);
	if (!range_contains(vm->image_ipa, img->size, vm->entry, 1)) {
		problem(chk, "%s: entry " HEX " lies outside image %s " RANGE,
			vm_label(chk, i).s, vm->entry, quoted(vm->image).s,
			vm->image_ipa, vm->image_ipa + img->size);
	}
}

/* --- Device rules (D) ---------------------------------------------------- */

/** D3, D4 for passthrough device @p j of partition @p i. */
static void check_passthrough(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	const struct cfg_platform *plat = chk->plat;
	uint64_t end = dev->pa + dev->size;

	if (!IS_ALIGNED(dev->pa, SZ_4K)) {
		problem(chk, "%s pa " HEX " is not 4 KiB page aligned",
			vm_dev_label(chk, i, j).s, dev->pa);
	}
	if (plat == NULL || dev->size == 0) {
		return;
	}
	/* A window that wraps around to 0 lies inside no MMIO space, even
	 * one that mmio_size claims to extend past 2^64 (D3). */
	if (!pa_window_ok(dev->pa, dev->size) ||
	    !range_contains(plat->mmio_base, plat->mmio_size, dev->pa,
			    dev->size)) {
		problem(chk, "%s pa " RANGE " lies outside the platform MMIO "
			"space " RANGE, vm_dev_label(chk, i, j).s, dev->pa, end,
			plat->mmio_base, plat->mmio_base + plat->mmio_size);
	}
	if (pa_window_ok(dev->pa, dev->size) &&
	    chk->sc->vms[i].kind != CFG_VM_SERVICE &&
	    pa_windows_overlap(dev->pa, dev->size, plat->uart_base,
			       uart_window_size(plat->uart_base))) {
		problem(chk, "%s pa " RANGE " would grant the kernel's log UART "
			"page " RANGE " to a guest (only a service may share "
			"it)", vm_dev_label(chk, i, j).s, dev->pa, end,
			plat->uart_base, (uint64_t)(plat->uart_base + CFG_UART_SIZE));
	}
}

/* Does [@p pa, + @p size) overlap the platform's frame [@p base, + @p len)
 * that the kernel uses (0: the platform has none)? */
static bool overlaps_kernel_frame(uint64_t pa, uint64_t size, uint64_t base,
				  uint64_t len)
{
	return base != 0 && base <= UINT64_MAX - (len - 1) &&
	       pa_windows_overlap(pa, size, base, len);
}

/** D10 for passthrough device @p j of partition @p i. */
static void check_kernel_frames(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	const struct cfg_platform *plat = chk->plat;

	if (plat == NULL || dev->size == 0 || !pa_window_ok(dev->pa, dev->size)) {
		return;
	}
	if (overlaps_kernel_frame(dev->pa, dev->size, plat->pci_ecam_base,
				  CFG_PCI_ECAM_BUS_SIZE) ||
	    overlaps_kernel_frame(dev->pa, dev->size, plat->pci_mmio_base,
				  CFG_PCI_BAR_SIZE)) {
		problem(chk, "%s pa " RANGE " would grant PCIe frames the kernel "
			"uses (ECAM bus 0 or the pvpanic BAR)",
			vm_dev_label(chk, i, j).s, dev->pa, dev->pa + dev->size);
	}
	/* The list registers, every CPU's SGIs and SPIs: the kernel's. */
	if (plat->gic_size != 0 &&
	    overlaps_kernel_frame(dev->pa, dev->size, plat->gic_base,
				  plat->gic_size)) {
		problem(chk, "%s pa " RANGE " would grant the kernel's GIC "
			"frames " RANGE " (distributor, CPU and hypervisor "
			"interfaces)", vm_dev_label(chk, i, j).s, dev->pa,
			dev->pa + dev->size, plat->gic_base,
			plat->gic_base + plat->gic_size);
	}
}

/** D6, D7 for emulated device @p j of partition @p i. */
static void check_emulated(struct check *chk, size_t i, size_t j)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_device *dev = &vm->devices[j];
	const char *why;
	int svc;

	if (vm->kind == CFG_VM_SERVICE) {
		problem(chk, "%s is emulated, but a service partition may not "
			"use emulated windows (no chaining)",
			vm_dev_label(chk, i, j).s);
		return;
	}
	if (str_empty(dev->service)) {
		problem(chk, "%s is emulated but names no service",
			vm_dev_label(chk, i, j).s);
		return;
	}
	svc = cfg_find_vm(chk->sc, dev->service);
	if (svc < 0) {
		why = ", which is not a partition of this scenario";
	} else if ((size_t)svc == i) {
		why = ", the partition itself";
	} else if (chk->sc->vms[svc].kind != CFG_VM_SERVICE) {
		why = ", which is not a service partition";
	} else {
		return;
	}
	problem(chk, "%s is served by %s%s", vm_dev_label(chk, i, j).s,
		quoted(dev->service).s, why);
}

/** True if @p irq is one of @p vm's irqs (rule D9, a passthrough window). */
static bool owns_irq(const struct cfg_vm *vm, uint32_t irq)
{
	for (size_t q = 0; q < clamp(vm->irq_count, CFG_MAX_IRQS); q++) {
		if (vm->irqs[q] == irq) {
			return true;
		}
	}
	return false;
}

/** D9 for device @p j of partition @p i. */
static void check_window_irq(struct check *chk, size_t i, size_t j)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_device *dev = &vm->devices[j];

	if (dev->irq == 0) {
		return;
	}
	if (dev->kind != CFG_DEV_EMULATED &&
	    dev->kind != CFG_DEV_PASSTHROUGH) {
		problem(chk, "%s has irq %" PRIu32 " but is neither an "
			"emulated nor a passthrough window",
			vm_dev_label(chk, i, j).s, dev->irq);
		return;
	}
	if (dev->irq < VGIC_SPI_FIRST || dev->irq >= VGIC_INTIDS) {
		problem(chk, "%s has irq %" PRIu32 ", not a virtual SPI [%u, %u]",
			vm_dev_label(chk, i, j).s, dev->irq,
			(unsigned)VGIC_SPI_FIRST, (unsigned)(VGIC_INTIDS - 1));
		return;
	}
	if (dev->kind == CFG_DEV_PASSTHROUGH && !owns_irq(vm, dev->irq)) {
		problem(chk, "%s is a passthrough window with irq %" PRIu32
			", which is not one of the partition's irqs (pass the "
			"SPI through in .irqs too)",
			vm_dev_label(chk, i, j).s, dev->irq);
		return;
	}
	for (size_t k = 0; k < j; k++) {
		if (vm->devices[k].irq == dev->irq) {
			problem(chk, "%s has irq %" PRIu32 ", already that of %s",
				vm_dev_label(chk, i, j).s, dev->irq,
				dev_label(&vm->devices[k], k).s);
			return;
		}
	}
}

/** D8 for GICV device @p j of partition @p i. */
static void check_gicv(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];

	if (chk->sc->vms[i].kind != CFG_VM_GUEST) {
		problem(chk, "%s is a GICV window, which only a guest may have",
			vm_dev_label(chk, i, j).s);
	}
	if (chk->plat == NULL) {
		return;
	}
	if (chk->plat->gicv_size == 0) {
		problem(chk, "%s is a GICV window but the platform has no GICV",
			vm_dev_label(chk, i, j).s);
	} else if (dev->size != chk->plat->gicv_size) {
		problem(chk, "%s size " HEX " differs from the platform's GICV "
			"size " HEX, vm_dev_label(chk, i, j).s, dev->size,
			chk->plat->gicv_size);
	}
}

/** D2: alignment and the IPA space, for a device with a size. */
static void check_device_ipa(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	uint64_t end = dev->ipa + dev->size;

	if (!IS_ALIGNED(dev->ipa, SZ_4K) || !IS_ALIGNED(dev->size, SZ_4K)) {
		problem(chk, "%s " RANGE " is not 4 KiB page aligned (ipa and "
			"size must be multiples of 0x1000)",
			vm_dev_label(chk, i, j).s, dev->ipa, end);
	}
	if (!ipa_window_ok(dev->ipa, dev->size)) {
		problem(chk, "%s " RANGE " ends beyond the 40-bit IPA space ("
			HEX ")", vm_dev_label(chk, i, j).s, dev->ipa, end,
			(uint64_t)CFG_IPA_LIMIT);
	}
}

/** D1, D2 and the kind-specific rules for device @p j of partition @p i. */
static void check_device(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];

	if (str_empty(dev->name)) {
		problem(chk, "%s has no name", vm_dev_label(chk, i, j).s);
	}
	if (dev->size == 0) {
		problem(chk, "%s at " HEX " has size 0",
			vm_dev_label(chk, i, j).s, dev->ipa);
	} else {
		check_device_ipa(chk, i, j);
	}
	switch (dev->kind) {
	case CFG_DEV_PASSTHROUGH:
		check_passthrough(chk, i, j);
		check_kernel_frames(chk, i, j);
		break;
	case CFG_DEV_EMULATED:
		check_emulated(chk, i, j);
		break;
	case CFG_DEV_GICV:
		check_gicv(chk, i, j);
		break;
	default:
		problem(chk, "%s has kind %u, not CFG_DEV_PASSTHROUGH, "
			"CFG_DEV_EMULATED nor CFG_DEV_GICV",
			vm_dev_label(chk, i, j).s, (unsigned)dev->kind);
		break;
	}
	check_window_irq(chk, i, j);
	if (dev->kernel_sgir && (dev->kind != CFG_DEV_EMULATED ||
				 dev->size < GICD_SGIR + sizeof(uint32_t))) {
		problem(chk, "%s sets kernel_sgir but is not an emulated window "
			"holding GICD_SGIR (offset 0xf00)",
			vm_dev_label(chk, i, j).s);
	}
}

/** A window: "ram region 1 [a, b)" or "device 'x' [a, b)". */
static struct label window_label(const struct cfg_vm *vm,
				 const struct window *w)
{
	struct label l;

	if (w->is_ram) {
		fmt_snprintf(l.s, sizeof(l.s), "ram region %zu " RANGE,
			     w->index, w->base, w->base + w->size);
	} else {
		fmt_snprintf(l.s, sizeof(l.s), "%s " RANGE,
			     dev_label(&vm->devices[w->index], w->index).s,
			     w->base, w->base + w->size);
	}
	return l;
}

/** R4: no two windows of partition @p i overlap in its IPA space. */
static void check_ipa_overlaps(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t ram_count = clamp(vm->ram_count, CFG_MAX_RAM);
	size_t device_count = clamp(vm->device_count, CFG_MAX_DEVICES);
	struct window win[CFG_MAX_RAM + CFG_MAX_DEVICES];
	size_t n = 0;

	for (size_t a = 0; a < ram_count + device_count; a++) {
		bool is_ram = a < ram_count;
		size_t index = is_ram ? a : a - ram_count;
		uint64_t base = is_ram ? vm->ram[index].ipa :
					 vm->devices[index].ipa;
		uint64_t size = is_ram ? vm->ram[index].size :
					 vm->devices[index].size;

		if (ipa_window_ok(base, size)) {
			win[n++] = (struct window){ is_ram, index, base, size };
		}
	}
	for (size_t a = 0; a < n; a++) {
		for (size_t b = a + 1; b < n; b++) {
			if (!range_overlaps(win[a].base, win[a].size,
					    win[b].base, win[b].size)) {
				continue;
			}
			problem(chk, "%s: %s overlaps %s", vm_label(chk, i).s,
				window_label(vm, &win[a]).s,
				window_label(vm, &win[b]).s);
		}
	}
}

/** True if device @p j of partition @p i is a passthrough window to check. */
static bool is_granted(const struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];

	return dev->kind == CFG_DEV_PASSTHROUGH &&
	       pa_window_ok(dev->pa, dev->size);
}

/**
 * D5: passthrough device @p j of partition @p i overlaps no passthrough
 * window listed before it (earlier partitions, then earlier devices of its
 * own), so each overlapping pair is reported once.
 */
static void check_granted_once(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];

	for (size_t k = 0; k <= i; k++) {
		const struct cfg_vm *other = &chk->sc->vms[k];
		size_t count = k == i ? j :
			       clamp(other->device_count, CFG_MAX_DEVICES);

		for (size_t l = 0; l < count; l++) {
			const struct cfg_device *o = &other->devices[l];

			if (!is_granted(chk, k, l) ||
			    !pa_windows_overlap(dev->pa, dev->size, o->pa,
						o->size)) {
				continue;
			}
			problem(chk, "%s pa " RANGE " overlaps frames already "
				"granted to %s pa " RANGE " of %s",
				vm_dev_label(chk, i, j).s, dev->pa,
				dev->pa + dev->size, dev_label(o, l).s, o->pa,
				o->pa + o->size, vm_label(chk, k).s);
		}
	}
}

/* --- IRQ rules (Q) ------------------------------------------------------- */

/** Q1: IRQ @p irq of partition @p i is grantable and has a notification bit. */
static void check_irq_range(struct check *chk, size_t i, uint32_t irq)
{
	const struct cfg_platform *plat = chk->plat;

	if (plat != NULL && (irq < plat->spi_first || irq > plat->spi_last)) {
		problem(chk, "%s: irq %" PRIu32 " lies outside the platform's "
			"grantable SPIs [%" PRIu32 ", %" PRIu32 "]",
			vm_label(chk, i).s, irq, plat->spi_first,
			plat->spi_last);
	} else if (irq < VGIC_SPI_FIRST || irq > IRQ_OWNED_SPI_LAST) {
		problem(chk, "%s: irq %" PRIu32 " lies outside the SPIs a "
			"partition can be notified of [%u, %u]",
			vm_label(chk, i).s, irq, (unsigned)VGIC_SPI_FIRST,
			(unsigned)IRQ_OWNED_SPI_LAST);
	}
}

_Static_assert(IRQ_OWNED_SPI_LAST < VGIC_INTIDS,
	       "a passed-through SPI is a virtual SPI of the same INTID (Q3)");

/** Q3, Q4: IRQ @p irq of guest @p i is passed through to it. */
static void check_passthrough_irq(struct check *chk, size_t i, uint32_t irq)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	bool has_distributor = false;

	for (size_t j = 0; j < clamp(vm->device_count, CFG_MAX_DEVICES); j++) {
		const struct cfg_device *dev = &vm->devices[j];

		has_distributor |= dev->kind == CFG_DEV_EMULATED && dev->kernel_sgir;
		if (dev->kind == CFG_DEV_EMULATED && dev->irq == irq) {
			problem(chk, "%s: irq %" PRIu32 " is passed through to it "
				"and also the SPI of %s: a virtual SPI has one "
				"source", vm_label(chk, i).s, irq,
				dev_label(dev, j).s);
		}
	}
	if (!has_distributor) {
		problem(chk, "%s: irq %" PRIu32 " is passed through to it but "
			"it has no virtual GIC distributor (an emulated window "
			"with kernel_sgir) to deliver it", vm_label(chk, i).s,
			irq);
	}
}

/** Q1, Q2 (and Q3, Q4 for a guest) for IRQ @p q of partition @p i. */
static void check_irq(struct check *chk, size_t i, size_t q)
{
	uint32_t irq = chk->sc->vms[i].irqs[q];

	check_irq_range(chk, i, irq);
	if (chk->sc->vms[i].kind == CFG_VM_GUEST) {
		check_passthrough_irq(chk, i, irq);
	}
	for (size_t k = 0; k <= i; k++) {
		const struct cfg_vm *other = &chk->sc->vms[k];
		size_t count = k == i ? q : clamp(other->irq_count,
						  CFG_MAX_IRQS);

		for (size_t l = 0; l < count; l++) {
			if (other->irqs[l] != irq) {
				continue;
			}
			if (k == i) {
				problem(chk, "%s: irq %" PRIu32 " is listed twice",
					vm_label(chk, i).s, irq);
			} else {
				problem(chk, "%s: irq %" PRIu32 " is already "
					"owned by %s", vm_label(chk, i).s, irq,
					vm_label(chk, k).s);
			}
			return;
		}
	}
}

/* --- Grant rules (G) ---------------------------------------------------- */

/** True if @p client has an emulated window served by @p service (G2). */
static bool serves(const struct cfg_vm *client, const char *service)
{
	for (size_t j = 0; j < clamp(client->device_count, CFG_MAX_DEVICES);
	     j++) {
		const struct cfg_device *dev = &client->devices[j];

		if (dev->kind == CFG_DEV_EMULATED && !str_empty(dev->service) &&
		    !str_empty(service) && strcmp(dev->service, service) == 0) {
			return true;
		}
	}
	return false;
}

/** G2: the client of grant @p g of service @p i, or NULL (reported). */
static const struct cfg_vm *grant_client(struct check *chk, size_t i,
					 size_t g)
{
	const struct cfg_vm *svc = &chk->sc->vms[i];
	const char *name = svc->grants[g].client;
	int c = cfg_find_vm(chk->sc, name);

	if (str_empty(name)) {
		problem(chk, "%s: grant %zu names no client", vm_label(chk, i).s,
			g);
	} else if (c < 0) {
		problem(chk, "%s: grant %zu names client %s, which is not a "
			"partition of this scenario", vm_label(chk, i).s, g,
			quoted(name).s);
	} else if (chk->sc->vms[c].kind != CFG_VM_GUEST) {
		problem(chk, "%s: grant %zu names client %s, which is not a "
			"guest", vm_label(chk, i).s, g, quoted(name).s);
	} else if (!serves(&chk->sc->vms[c], svc->name)) {
		problem(chk, "%s: grant %zu names client %s, which has no "
			"window served by this service (a service reaches "
			"only RAM of guests it serves)", vm_label(chk, i).s, g,
			quoted(name).s);
	} else {
		return &chk->sc->vms[c];
	}
	return NULL;
}

/** G4: grant @p g of service @p i lies inside one RAM region of @p client. */
static void check_grant_in_client(struct check *chk, size_t i, size_t g,
				  const struct cfg_vm *client)
{
	const struct cfg_grant *gr = &chk->sc->vms[i].grants[g];

	for (size_t r = 0; r < clamp(client->ram_count, CFG_MAX_RAM); r++) {
		if (range_contains(client->ram[r].ipa, client->ram[r].size,
				   gr->client_ipa, gr->size)) {
			return;
		}
	}
	problem(chk, "%s: grant %zu " RANGE " is not inside one ram region of "
		"%s", vm_label(chk, i).s, g, gr->client_ipa,
		gr->client_ipa + gr->size, quoted(client->name).s);
}

/** G5: where grant @p g of service @p i appears in the service. */
static void check_grant_ipa(struct check *chk, size_t i, size_t g)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_grant *gr = &vm->grants[g];
	size_t ram_count = clamp(vm->ram_count, CFG_MAX_RAM);
	size_t device_count = clamp(vm->device_count, CFG_MAX_DEVICES);

	if (!ipa_window_ok(gr->ipa, gr->size)) {
		problem(chk, "%s: grant %zu at ipa " HEX " (size " HEX ") "
			"leaves the 40-bit IPA space of Stage 2",
			vm_label(chk, i).s, g, gr->ipa, gr->size);
		return;
	}
	for (size_t a = 0; a < ram_count + device_count; a++) {
		bool is_ram = a < ram_count;
		size_t index = is_ram ? a : a - ram_count;
		struct window w = {
			is_ram, index,
			is_ram ? vm->ram[index].ipa : vm->devices[index].ipa,
			is_ram ? vm->ram[index].size : vm->devices[index].size
		};

		if (range_overlaps(gr->ipa, gr->size, w.base, w.size)) {
			problem(chk, "%s: grant %zu " RANGE " overlaps %s",
				vm_label(chk, i).s, g, gr->ipa,
				gr->ipa + gr->size, window_label(vm, &w).s);
		}
	}
	for (size_t o = 0; o < g; o++) {
		if (range_overlaps(gr->ipa, gr->size, vm->grants[o].ipa,
				   vm->grants[o].size)) {
			problem(chk, "%s: grant %zu " RANGE " overlaps grant %zu",
				vm_label(chk, i).s, g, gr->ipa,
				gr->ipa + gr->size, o);
		}
	}
}

/** G1-G5 for the grants of partition @p i. */
static void check_grants(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];

	if (vm->grant_count == 0) {
		return;
	}
	if (vm->kind != CFG_VM_SERVICE) {
		problem(chk, "%s: has %zu grant(s), but only a service partition "
			"may be granted guest RAM", vm_label(chk, i).s,
			vm->grant_count);
		return;
	}
	check_count(chk, i, "grant_count", vm->grant_count, 0, CFG_MAX_GRANTS);
	for (size_t g = 0; g < clamp(vm->grant_count, CFG_MAX_GRANTS); g++) {
		const struct cfg_grant *gr = &vm->grants[g];
		const struct cfg_vm *client = grant_client(chk, i, g);

		if (gr->size == 0) {
			problem(chk, "%s: grant %zu: size is 0",
				vm_label(chk, i).s, g);
			continue;
		}
		if ((gr->client_ipa | gr->size | gr->ipa) % SZ_4K != 0) {
			problem(chk, "%s: grant %zu: client_ipa " HEX ", size "
				HEX " and ipa " HEX " must be 4 KiB page "
				"multiples", vm_label(chk, i).s, g,
				gr->client_ipa, gr->size, gr->ipa);
			continue;
		}
		if (client != NULL) {
			check_grant_in_client(chk, i, g, client);
		}
		check_grant_ipa(chk, i, g);
	}
}

/* --- Register shadow pages (H1-H4) ---------------------------------------- */

/** H4: the shadow page at @p ipa overlaps nothing else of service @p svc;
 * other shadows only those listed before device @p j of partition @p i. */
static void check_shadow_space(struct check *chk, size_t i, size_t j,
			       size_t svc, uint64_t ipa)
{
	const struct cfg_vm *s = &chk->sc->vms[svc];
	size_t ram_count = clamp(s->ram_count, CFG_MAX_RAM);
	size_t device_count = clamp(s->device_count, CFG_MAX_DEVICES);
	struct label what = vm_dev_label(chk, i, j);

	for (size_t a = 0; a < ram_count + device_count; a++) {
		bool is_ram = a < ram_count;
		size_t index = is_ram ? a : a - ram_count;
		struct window w = {
			is_ram, index,
			is_ram ? s->ram[index].ipa : s->devices[index].ipa,
			is_ram ? s->ram[index].size : s->devices[index].size
		};

		if (range_overlaps(ipa, SZ_4K, w.base, w.size)) {
			problem(chk, "%s: shadow page at " HEX " overlaps %s "
				"of %s", what.s, ipa, window_label(s, &w).s,
				quoted(s->name).s);
		}
	}
	for (size_t g = 0; g < clamp(s->grant_count, CFG_MAX_GRANTS); g++) {
		if (range_overlaps(ipa, SZ_4K, s->grants[g].ipa,
				   s->grants[g].size)) {
			problem(chk, "%s: shadow page at " HEX " overlaps grant "
				"%zu of %s", what.s, ipa, g, quoted(s->name).s);
		}
	}
	for (size_t k = 0; k <= i; k++) {
		const struct cfg_vm *o = &chk->sc->vms[k];
		size_t count = k == i ? j : clamp(o->device_count,
						  CFG_MAX_DEVICES);

		for (size_t l = 0; l < count; l++) {
			const struct cfg_device *d = &o->devices[l];

			if (d->kind == CFG_DEV_EMULATED && d->shadow_ipa != 0 &&
			    !str_empty(d->service) &&
			    strcmp(d->service, s->name) == 0 &&
			    range_overlaps(ipa, SZ_4K, d->shadow_ipa, SZ_4K)) {
				problem(chk, "%s: shadow page at " HEX
					" overlaps the shadow page of %s",
					what.s, ipa, vm_dev_label(chk, k, l).s);
			}
		}
	}
}

/** H1-H4 for device @p j of partition @p i. */
static void check_shadow(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	struct label what = vm_dev_label(chk, i, j);
	int svc;

	if (dev->shadow_ipa == 0) {
		return;
	}
	if (dev->kind != CFG_DEV_EMULATED || dev->kernel_sgir) {
		problem(chk, "%s has a shadow page, but only an emulated window "
			"without kernel_sgir may have one", what.s);
		return;
	}
	if (dev->size != SZ_4K) {
		problem(chk, "%s has a shadow page, but its size is " HEX
			", not one 4 KiB page", what.s, dev->size);
	}
	if (!IS_ALIGNED(dev->shadow_ipa, SZ_4K) ||
	    !ipa_window_ok(dev->shadow_ipa, SZ_4K)) {
		problem(chk, "%s: shadow page at " HEX " is not 4 KiB page "
			"aligned inside the 40-bit IPA space", what.s,
			dev->shadow_ipa);
		return;
	}
	svc = str_empty(dev->service) ? -1 : cfg_find_vm(chk->sc, dev->service);
	if (svc >= 0 && chk->sc->vms[svc].kind == CFG_VM_SERVICE) {
		check_shadow_space(chk, i, j, (size_t)svc, dev->shadow_ipa);
	}
}

/* --- Whole scenario ------------------------------------------------------ */

/** All rules for partition @p i. */
static void check_vm(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t n;

	check_vm_basics(chk, i);
	for (n = 0; n < clamp(vm->ram_count, CFG_MAX_RAM); n++) {
		check_ram(chk, i, n);
	}
	check_kept_ram(chk, i);
	check_image(chk, i);
	for (n = 0; n < clamp(vm->device_count, CFG_MAX_DEVICES); n++) {
		check_device(chk, i, n);
		check_shadow(chk, i, n);
		if (is_granted(chk, i, n)) {
			check_granted_once(chk, i, n);
		}
	}
	check_ipa_overlaps(chk, i);
	for (n = 0; n < clamp(vm->irq_count, CFG_MAX_IRQS); n++) {
		check_irq(chk, i, n);
	}
	check_grants(chk, i);
}

/** S5: the partitions' RAM fits in what the platform leaves over. */
static void check_total_ram(struct check *chk)
{
	const struct cfg_platform *plat = chk->plat;
	uint64_t total = 0;
	uint64_t avail;

	for (size_t i = 0; i < chk->vm_count; i++) {
		const struct cfg_vm *vm = &chk->sc->vms[i];

		for (size_t r = 0; r < clamp(vm->ram_count, CFG_MAX_RAM); r++) {
			uint64_t size = vm->ram[r].size;

			total = size > UINT64_MAX - total ? UINT64_MAX :
							    total + size;
		}
	}
	avail = plat->ram_size > plat->hyp_reserved ?
			plat->ram_size - plat->hyp_reserved : 0;
	if (total <= avail) {
		return;
	}
	problem(chk, "%s: the partitions need " HEX " bytes (%" PRIu64 " MiB) "
		"of RAM in total, but the board (%s) leaves only " HEX " bytes (%"
		PRIu64 " MiB) (ram_size " HEX " minus hyp_reserved " HEX ")",
		scenario_label(chk).s, total, (uint64_t)(total / SZ_1M),
		str_empty(plat->name) ? "unnamed" : plat->name, avail,
		(uint64_t)(avail / SZ_1M), plat->ram_size, plat->hyp_reserved);
}

/** S1, S2, S3; sets chk->plat and chk->vm_count for the other rules. */
static void check_scenario(struct check *chk)
{
	const struct cfg_scenario *sc = chk->sc;

	if (str_empty(sc->name)) {
		problem(chk, "%s has no name", scenario_label(chk).s);
	}
	chk->plat = sc->platform;
	if (sc->platform == NULL) {
		problem(chk, "%s names no platform", scenario_label(chk).s);
	}
	chk->vm_count = clamp(sc->vm_count, CFG_MAX_VMS);
	if (sc->vm_count < 1 || sc->vm_count > CFG_MAX_VMS) {
		problem(chk, "%s lists %zu partitions; it must list 1..%d",
			scenario_label(chk).s, sc->vm_count, CFG_MAX_VMS);
	}
}

/** S4: at least one partition is a guest (skipped when S3 fails on 0). */
static void check_has_guest(struct check *chk)
{
	if (chk->vm_count == 0) {
		return;
	}
	for (size_t i = 0; i < chk->vm_count; i++) {
		if (chk->sc->vms[i].kind == CFG_VM_GUEST) {
			return;
		}
	}
	problem(chk, "%s has no partition of kind CFG_VM_GUEST",
		scenario_label(chk).s);
}

size_t cfg_validate(const struct cfg_scenario *sc,
		    const struct cfg_image *images, size_t image_count,
		    cfg_report_fn report, void *ctx)
{
	struct check chk = {
		.sc = sc,
		.images = images,
		.image_count = images != NULL ? image_count : 0,
		.report = report,
		.ctx = ctx,
	};

	if (sc == NULL) {
		problem(&chk, "no scenario was given");
		return chk.problems;
	}
	check_scenario(&chk);
	for (size_t i = 0; i < chk.vm_count; i++) {
		check_vm(&chk, i);
	}
	check_has_guest(&chk);
	if (chk.plat != NULL) {
		check_total_ram(&chk);
	}
	return chk.problems;
}
