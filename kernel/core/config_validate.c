/**
 * Scenario validation: the one checker shared by tools/cfgcheck (on the host,
 * at build time) and the kernel (at EL2, at boot). It is freestanding: no libc,
 * only the tiny string and message helpers below.
 *
 * Scenario rules
 * ==============
 * Scenario
 *   S1. The scenario has a non-empty name.
 *   S2. The scenario names a platform.
 *   S3. It lists 1..CFG_MAX_VMS partitions.
 *   S4. At least one partition is a guest (CFG_VM_GUEST).
 *   S5. The RAM of all partitions together fits in the platform RAM that the
 *       hypervisor leaves over: ram_size - hyp_reserved.
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
 *   D9. irq (the guest SPI the window's service drives) is 0, or set only
 *       on an EMULATED window, a virtual SPI [VGIC_SPI_FIRST,
 *       VGIC_INTIDS - 1], and on no other window of the partition.
 *   D10. PASSTHROUGH: the window overlaps none of the frames the kernel
 *       itself uses of the platform's PCIe: bus 0's ECAM
 *       [pci_ecam_base, + CFG_PCI_ECAM_BUS_SIZE) and the pvpanic BAR page
 *       [pci_mmio_base, + CFG_PCI_BAR_SIZE) (each when not 0).
 * IRQs
 *   Q1. Each IRQ lies in the platform's grantable SPIs [spi_first, spi_last]
 *       and among those a service can be notified of [VGIC_SPI_FIRST,
 *       IRQ_OWNED_SPI_LAST] (abi/vgic.h).
 *   Q2. Each IRQ is listed once in the whole scenario: one partition owns it,
 *       and lists it once.
 *
 * Rules that need the platform (S5, D3, D4, Q1) are skipped when S2 fails.
 * Counts beyond the array bounds (S3, P3) are reported and then clamped, so
 * the remaining checks never read past an array. Windows that are empty or
 * leave the address space (R1, R3, D2) are reported once and left out of the
 * overlap checks, whose answers would be meaningless for them. Physical
 * windows are compared by their last byte, so one that ends exactly at 2^64
 * gets D4 and D5 like any other; one that wraps around to 0 breaks D3.
 */
#include "abi/vgic.h"
#include "hyp/addr.h"
#include "hyp/config.h"
#include "hyp/units.h"

/** First IPA beyond the 40-bit IPA space (rules R3, D2). */
#define CFG_IPA_LIMIT (1ULL << 40)
/** Size of the kernel's log UART window (one page; rule D4). */
#define CFG_UART_SIZE SZ_4K
/** Longest message, including the terminating NUL. */
#define CFG_MSG_MAX 192
/** Longest name quoted in a message; longer ones end in "...". */
#define CFG_QUOTE_MAX 40

/** A message being built; always NUL terminated, silently truncated. */
struct msg {
	char buf[CFG_MSG_MAX];
	size_t len;
};

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

/* --- Strings ------------------------------------------------------------- */

/** Length of @p s, but at most @p max. */
static size_t str_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0') {
		n++;
	}
	return n;
}

/** True if @p a and @p b are both non-NULL and equal. */
static bool str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return false;
	}
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/** True if @p s is NULL or "". */
static bool str_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* --- Messages ------------------------------------------------------------ */

static void msg_init(struct msg *m)
{
	m->len = 0;
	m->buf[0] = '\0';
}

static void msg_char(struct msg *m, char c)
{
	if (m->len + 1 < CFG_MSG_MAX) {
		m->buf[m->len++] = c;
		m->buf[m->len] = '\0';
	}
}

static void msg_str(struct msg *m, const char *s)
{
	while (*s != '\0') {
		msg_char(m, *s++);
	}
}

/** Append @p v in decimal. */
static void msg_dec(struct msg *m, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0) {
		msg_char(m, digits[--n]);
	}
}

/** Append @p v as 0x-prefixed lower-case hexadecimal. */
static void msg_hex(struct msg *m, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t n = 0;

	do {
		digits[n++] = hex[v & 0xf];
		v >>= 4;
	} while (v != 0);
	msg_str(m, "0x");
	while (n > 0) {
		msg_char(m, digits[--n]);
	}
}

/** Append @p s in single quotes, shortened to CFG_QUOTE_MAX characters. */
static void msg_quoted(struct msg *m, const char *s)
{
	size_t n = str_len(s, CFG_QUOTE_MAX + 1);
	size_t i;

	msg_char(m, '\'');
	for (i = 0; i < n && i < CFG_QUOTE_MAX; i++) {
		msg_char(m, s[i]);
	}
	if (n > CFG_QUOTE_MAX) {
		msg_str(m, "...");
	}
	msg_char(m, '\'');
}

/** Append the half-open range "[base, base + size)". */
static void msg_range(struct msg *m, uint64_t base, uint64_t size)
{
	msg_char(m, '[');
	msg_hex(m, base);
	msg_str(m, ", ");
	msg_hex(m, base + size);
	msg_char(m, ')');
}

/** Append a size as "0x... bytes (N MiB)". */
static void msg_bytes(struct msg *m, uint64_t bytes)
{
	msg_hex(m, bytes);
	msg_str(m, " bytes (");
	msg_dec(m, bytes / SZ_1M);
	msg_str(m, " MiB)");
}

/** Start a message about the scenario: "scenario 'name'". */
static void msg_scenario(struct msg *m, const struct check *chk)
{
	msg_init(m);
	if (str_empty(chk->sc->name)) {
		msg_str(m, "unnamed scenario");
	} else {
		msg_str(m, "scenario ");
		msg_quoted(m, chk->sc->name);
	}
}

/** Append a partition: "vm 'name'", or "vm #i" if it has no name. */
static void msg_vm_name(struct msg *m, const struct check *chk, size_t i)
{
	const char *name = chk->sc->vms[i].name;

	msg_str(m, "vm ");
	if (str_empty(name)) {
		msg_char(m, '#');
		msg_dec(m, i);
	} else {
		msg_quoted(m, name);
	}
}

/** Start a message about partition @p i: "vm 'name': ". */
static void msg_vm(struct msg *m, const struct check *chk, size_t i)
{
	msg_init(m);
	msg_vm_name(m, chk, i);
	msg_str(m, ": ");
}

/** Append a device: "device 'name'", or "device #j" if it has no name. */
static void msg_dev(struct msg *m, const struct cfg_device *dev, size_t j)
{
	msg_str(m, "device ");
	if (str_empty(dev->name)) {
		msg_char(m, '#');
		msg_dec(m, j);
	} else {
		msg_quoted(m, dev->name);
	}
}

/** Start a message about device @p j of partition @p i. */
static void msg_vm_dev(struct msg *m, const struct check *chk, size_t i,
		       size_t j)
{
	msg_vm(m, chk, i);
	msg_dev(m, &chk->sc->vms[i].devices[j], j);
}

/** Count the problem in @p m and hand it to the report callback. */
static void emit(struct check *chk, const struct msg *m)
{
	chk->problems++;
	if (chk->report != NULL) {
		chk->report(chk->ctx, m->buf);
	}
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
	struct msg m;

	if (count >= min && count <= max) {
		return;
	}
	msg_vm(&m, chk, i);
	msg_str(&m, what);
	msg_str(&m, " is ");
	msg_dec(&m, count);
	if (min == 0) {
		msg_str(&m, "; at most ");
		msg_dec(&m, max);
		msg_str(&m, " are allowed");
	} else {
		msg_str(&m, "; it must be ");
		msg_dec(&m, min);
		msg_str(&m, "..");
		msg_dec(&m, max);
	}
	emit(chk, &m);
}

/** P1: the name's length and characters, and that no earlier vm has it. */
static void check_vm_name(struct check *chk, size_t i)
{
	const char *name = chk->sc->vms[i].name;
	size_t len;
	size_t k;
	struct msg m;

	if (str_empty(name)) {
		msg_init(&m);
		msg_vm_name(&m, chk, i);
		msg_str(&m, " has no name");
		emit(chk, &m);
		return;
	}
	len = str_len(name, CFG_NAME_MAX + 1);
	if (len > CFG_NAME_MAX) {
		msg_vm(&m, chk, i);
		msg_str(&m, "name is longer than ");
		msg_dec(&m, CFG_NAME_MAX);
		msg_str(&m, " characters");
		emit(chk, &m);
	}
	for (k = 0; k < len; k++) {
		char c = name[k];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-') {
			continue;
		}
		msg_vm(&m, chk, i);
		msg_str(&m, "name has the invalid character ");
		if (c >= ' ' && c <= '~') {
			msg_char(&m, '\'');
			msg_char(&m, c);
			msg_char(&m, '\'');
		} else {
			msg_hex(&m, (uint8_t)c);
		}
		msg_str(&m, " at position ");
		msg_dec(&m, k);
		msg_str(&m, "; only a-z, 0-9, '_' and '-' are allowed");
		emit(chk, &m);
		break;
	}
	for (k = 0; k < i; k++) {
		if (str_eq(name, chk->sc->vms[k].name)) {
			msg_vm(&m, chk, i);
			msg_str(&m, "the name is already used by partition #");
			msg_dec(&m, k);
			msg_str(&m, " (names must be unique)");
			emit(chk, &m);
			break;
		}
	}
}

/** P1, P2, P3 for partition @p i. */
static void check_vm_basics(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	struct msg m;

	check_vm_name(chk, i);
	if (vm->kind != CFG_VM_GUEST && vm->kind != CFG_VM_SERVICE) {
		msg_vm(&m, chk, i);
		msg_str(&m, "kind ");
		msg_dec(&m, (uint32_t)vm->kind);
		msg_str(&m, " is neither CFG_VM_GUEST nor CFG_VM_SERVICE");
		emit(chk, &m);
	}
	check_count(chk, i, "vcpu_count", vm->vcpu_count, 1, CFG_MAX_VCPUS);
	if (vm->kind == CFG_VM_SERVICE && vm->vcpu_count > 1 &&
	    vm->vcpu_count <= CFG_MAX_VCPUS) {
		msg_vm(&m, chk, i);
		msg_str(&m, "a service has exactly 1 vCPU, not ");
		msg_dec(&m, (uint32_t)vm->vcpu_count);
		msg_str(&m, " (only vCPU 0 of a service runs)");
		emit(chk, &m);
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
	struct msg m;

	if (ram->size == 0) {
		msg_vm(&m, chk, i);
		msg_str(&m, "ram region ");
		msg_dec(&m, r);
		msg_str(&m, " at ");
		msg_hex(&m, ram->ipa);
		msg_str(&m, " has size 0");
		emit(chk, &m);
		return;
	}
	if (!IS_ALIGNED(ram->ipa, SZ_2M) || !IS_ALIGNED(ram->size, SZ_2M)) {
		msg_vm(&m, chk, i);
		msg_str(&m, "ram region ");
		msg_dec(&m, r);
		msg_char(&m, ' ');
		msg_range(&m, ram->ipa, ram->size);
		msg_str(&m, " is not 2 MiB aligned (ipa and size must be "
			    "multiples of 0x200000)");
		emit(chk, &m);
	}
	if (!ipa_window_ok(ram->ipa, ram->size)) {
		msg_vm(&m, chk, i);
		msg_str(&m, "ram region ");
		msg_dec(&m, r);
		msg_char(&m, ' ');
		msg_range(&m, ram->ipa, ram->size);
		msg_str(&m, " ends beyond the 40-bit IPA space (");
		msg_hex(&m, CFG_IPA_LIMIT);
		msg_char(&m, ')');
		emit(chk, &m);
	}
}

/** R5 for partition @p i. */
static void check_kept_ram(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t kept = 0;
	struct msg m;

	for (size_t r = 0; r < clamp(vm->ram_count, CFG_MAX_RAM); r++) {
		kept += vm->ram[r].keep ? 1 : 0;
	}
	if (kept > 0 && vm->kind != CFG_VM_SERVICE) {
		msg_vm(&m, chk, i);
		msg_str(&m, "is not a service but keeps a ram region across "
			    "restarts (keep is for service partitions)");
		emit(chk, &m);
	} else if (kept > 1) {
		msg_vm(&m, chk, i);
		msg_str(&m, "keeps ");
		msg_dec(&m, kept);
		msg_str(&m, " ram regions across restarts; at most one may be kept");
		emit(chk, &m);
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
	struct msg m;

	img = cfg_find_image(chk->images, chk->image_count, name);
	if (img == NULL) {
		msg_vm(&m, chk, i);
		msg_str(&m, "image ");
		msg_quoted(&m, name);
		msg_str(&m, " is missing (not built or not listed)");
		emit(chk, &m);
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
		msg_vm(&m, chk, i);
		msg_str(&m, "image ");
		msg_quoted(&m, name);
		msg_char(&m, ' ');
		msg_range(&m, ipa, img->size);
		msg_str(&m, " does not fit inside one ram region that is not kept");
		emit(chk, &m);
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
	struct msg m;

	if (vm->load_count > CFG_MAX_LOADS) {
		msg_vm(&m, chk, i);
		msg_str(&m, "lists ");
		msg_dec(&m, vm->load_count);
		msg_str(&m, " further images, more than CFG_MAX_LOADS (");
		msg_dec(&m, CFG_MAX_LOADS);
		msg_char(&m, ')');
		emit(chk, &m);
	}
	for (size_t k = 0; k < clamp(vm->load_count, CFG_MAX_LOADS); k++) {
		const struct cfg_load *l = &vm->loads[k];

		if (l->image == NULL) {
			msg_vm(&m, chk, i);
			msg_str(&m, "load ");
			msg_dec(&m, (uint32_t)k);
			msg_str(&m, " names no image");
			emit(chk, &m);
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
			    !range_overlaps(at[a], img[a]->size, at[b], img[b]->size)) {
				continue;
			}
			msg_vm(&m, chk, i);
			msg_str(&m, "image ");
			msg_quoted(&m, names[a]);
			msg_char(&m, ' ');
			msg_range(&m, at[a], img[a]->size);
			msg_str(&m, " overlaps image ");
			msg_quoted(&m, names[b]);
			msg_char(&m, ' ');
			msg_range(&m, at[b], img[b]->size);
			emit(chk, &m);
		}
	}
}

/** I1, I2, I3, I4 for partition @p i. */
static void check_image(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_image *img;
	struct msg m;

	if (vm->image == NULL) {
		msg_vm(&m, chk, i);
		msg_str(&m, "names no image");
		emit(chk, &m);
		return;
	}
	img = check_load(chk, i, vm->image, vm->image_ipa);
	if (img == NULL) {
		return;
	}
	check_loads(chk, i, img);
	if (!range_contains(vm->image_ipa, img->size, vm->entry, 1)) {
		msg_vm(&m, chk, i);
		msg_str(&m, "entry ");
		msg_hex(&m, vm->entry);
		msg_str(&m, " lies outside image ");
		msg_quoted(&m, vm->image);
		msg_char(&m, ' ');
		msg_range(&m, vm->image_ipa, img->size);
		emit(chk, &m);
	}
}

/* --- Device rules (D) ---------------------------------------------------- */

/** D3, D4 for passthrough device @p j of partition @p i. */
static void check_passthrough(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	const struct cfg_platform *plat = chk->plat;
	struct msg m;

	if (!IS_ALIGNED(dev->pa, SZ_4K)) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " pa ");
		msg_hex(&m, dev->pa);
		msg_str(&m, " is not 4 KiB page aligned");
		emit(chk, &m);
	}
	if (plat == NULL || dev->size == 0) {
		return;
	}
	/* A window that wraps around to 0 lies inside no MMIO space, even
	 * one that mmio_size claims to extend past 2^64 (D3). */
	if (!pa_window_ok(dev->pa, dev->size) ||
	    !range_contains(plat->mmio_base, plat->mmio_size, dev->pa,
			    dev->size)) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " pa ");
		msg_range(&m, dev->pa, dev->size);
		msg_str(&m, " lies outside the platform MMIO space ");
		msg_range(&m, plat->mmio_base, plat->mmio_size);
		emit(chk, &m);
	}
	if (pa_window_ok(dev->pa, dev->size) &&
	    chk->sc->vms[i].kind != CFG_VM_SERVICE &&
	    pa_windows_overlap(dev->pa, dev->size, plat->uart_base,
			       uart_window_size(plat->uart_base))) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " pa ");
		msg_range(&m, dev->pa, dev->size);
		msg_str(&m, " would grant the kernel's log UART page ");
		msg_range(&m, plat->uart_base, CFG_UART_SIZE);
		msg_str(&m, " to a guest (only a service may share it)");
		emit(chk, &m);
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
static void check_kernel_pci(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	const struct cfg_platform *plat = chk->plat;
	struct msg m;

	if (plat == NULL || dev->size == 0 || !pa_window_ok(dev->pa, dev->size)) {
		return;
	}
	if (overlaps_kernel_frame(dev->pa, dev->size, plat->pci_ecam_base,
				  CFG_PCI_ECAM_BUS_SIZE) ||
	    overlaps_kernel_frame(dev->pa, dev->size, plat->pci_mmio_base,
				  CFG_PCI_BAR_SIZE)) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " pa ");
		msg_range(&m, dev->pa, dev->size);
		msg_str(&m, " would grant PCIe frames the kernel uses "
			    "(ECAM bus 0 or the pvpanic BAR)");
		emit(chk, &m);
	}
}

/** D6, D7 for emulated device @p j of partition @p i. */
static void check_emulated(struct check *chk, size_t i, size_t j)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_device *dev = &vm->devices[j];
	int svc;
	struct msg m;

	if (vm->kind == CFG_VM_SERVICE) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " is emulated, but a service partition may not "
			    "use emulated windows (no chaining)");
		emit(chk, &m);
		return;
	}
	if (str_empty(dev->service)) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " is emulated but names no service");
		emit(chk, &m);
		return;
	}
	svc = cfg_find_vm(chk->sc, dev->service);
	msg_vm_dev(&m, chk, i, j);
	msg_str(&m, " is served by ");
	msg_quoted(&m, dev->service);
	if (svc < 0) {
		msg_str(&m, ", which is not a partition of this scenario");
	} else if ((size_t)svc == i) {
		msg_str(&m, ", the partition itself");
	} else if (chk->sc->vms[svc].kind != CFG_VM_SERVICE) {
		msg_str(&m, ", which is not a service partition");
	} else {
		return;
	}
	emit(chk, &m);
}

/** D9 for device @p j of partition @p i. */
static void check_window_irq(struct check *chk, size_t i, size_t j)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	const struct cfg_device *dev = &vm->devices[j];
	struct msg m;

	if (dev->irq == 0) {
		return;
	}
	msg_vm_dev(&m, chk, i, j);
	if (dev->kind != CFG_DEV_EMULATED) {
		msg_str(&m, " has irq ");
		msg_dec(&m, dev->irq);
		msg_str(&m, " but is not an emulated window");
		emit(chk, &m);
		return;
	}
	if (dev->irq < VGIC_SPI_FIRST || dev->irq >= VGIC_INTIDS) {
		msg_str(&m, " has irq ");
		msg_dec(&m, dev->irq);
		msg_str(&m, ", not a virtual SPI [");
		msg_dec(&m, VGIC_SPI_FIRST);
		msg_str(&m, ", ");
		msg_dec(&m, VGIC_INTIDS - 1);
		msg_char(&m, ']');
		emit(chk, &m);
		return;
	}
	for (size_t k = 0; k < j; k++) {
		if (vm->devices[k].irq == dev->irq) {
			msg_str(&m, " has irq ");
			msg_dec(&m, dev->irq);
			msg_str(&m, ", already that of ");
			msg_dev(&m, &vm->devices[k], k);
			emit(chk, &m);
			return;
		}
	}
}

/** D8 for GICV device @p j of partition @p i. */
static void check_gicv(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	struct msg m;

	if (chk->sc->vms[i].kind != CFG_VM_GUEST) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " is a GICV window, which only a guest may have");
		emit(chk, &m);
	}
	if (chk->plat == NULL) {
		return;
	}
	if (chk->plat->gicv_size == 0) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " is a GICV window but the platform has no GICV");
		emit(chk, &m);
	} else if (dev->size != chk->plat->gicv_size) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " size ");
		msg_hex(&m, dev->size);
		msg_str(&m, " differs from the platform's GICV size ");
		msg_hex(&m, chk->plat->gicv_size);
		emit(chk, &m);
	}
}

/** D1, D2 and the kind-specific rules for device @p j of partition @p i. */
static void check_device(struct check *chk, size_t i, size_t j)
{
	const struct cfg_device *dev = &chk->sc->vms[i].devices[j];
	struct msg m;

	if (str_empty(dev->name)) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " has no name");
		emit(chk, &m);
	}
	if (dev->size == 0) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " at ");
		msg_hex(&m, dev->ipa);
		msg_str(&m, " has size 0");
		emit(chk, &m);
	} else {
		if (!IS_ALIGNED(dev->ipa, SZ_4K) ||
		    !IS_ALIGNED(dev->size, SZ_4K)) {
			msg_vm_dev(&m, chk, i, j);
			msg_char(&m, ' ');
			msg_range(&m, dev->ipa, dev->size);
			msg_str(&m, " is not 4 KiB page aligned (ipa and size "
				    "must be multiples of 0x1000)");
			emit(chk, &m);
		}
		if (!ipa_window_ok(dev->ipa, dev->size)) {
			msg_vm_dev(&m, chk, i, j);
			msg_char(&m, ' ');
			msg_range(&m, dev->ipa, dev->size);
			msg_str(&m, " ends beyond the 40-bit IPA space (");
			msg_hex(&m, CFG_IPA_LIMIT);
			msg_char(&m, ')');
			emit(chk, &m);
		}
	}
	switch (dev->kind) {
	case CFG_DEV_PASSTHROUGH:
		check_passthrough(chk, i, j);
		check_kernel_pci(chk, i, j);
		break;
	case CFG_DEV_EMULATED:
		check_emulated(chk, i, j);
		break;
	case CFG_DEV_GICV:
		check_gicv(chk, i, j);
		break;
	default:
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " has kind ");
		msg_dec(&m, (uint32_t)dev->kind);
		msg_str(&m, ", not CFG_DEV_PASSTHROUGH, CFG_DEV_EMULATED nor "
			    "CFG_DEV_GICV");
		emit(chk, &m);
		break;
	}
	check_window_irq(chk, i, j);
	if (dev->kernel_sgir && (dev->kind != CFG_DEV_EMULATED ||
				 dev->size < GICD_SGIR + sizeof(uint32_t))) {
		msg_vm_dev(&m, chk, i, j);
		msg_str(&m, " sets kernel_sgir but is not an emulated window "
			    "holding GICD_SGIR (offset 0xf00)");
		emit(chk, &m);
	}
}

/** Append a window: "ram region 1 [a, b)" or "device 'x' [a, b)". */
static void msg_window(struct msg *m, const struct cfg_vm *vm,
		       const struct window *w)
{
	if (w->is_ram) {
		msg_str(m, "ram region ");
		msg_dec(m, w->index);
	} else {
		msg_dev(m, &vm->devices[w->index], w->index);
	}
	msg_char(m, ' ');
	msg_range(m, w->base, w->size);
}

/** R4: no two windows of partition @p i overlap in its IPA space. */
static void check_ipa_overlaps(struct check *chk, size_t i)
{
	const struct cfg_vm *vm = &chk->sc->vms[i];
	size_t ram_count = clamp(vm->ram_count, CFG_MAX_RAM);
	size_t device_count = clamp(vm->device_count, CFG_MAX_DEVICES);
	struct window win[CFG_MAX_RAM + CFG_MAX_DEVICES];
	size_t n = 0;
	size_t a;
	size_t b;
	struct msg m;

	for (a = 0; a < ram_count + device_count; a++) {
		bool is_ram = a < ram_count;
		size_t index = is_ram ? a : a - ram_count;
		uint64_t base = is_ram ? vm->ram[index].ipa :
					 vm->devices[index].ipa;
		uint64_t size = is_ram ? vm->ram[index].size :
					 vm->devices[index].size;

		if (ipa_window_ok(base, size)) {
			win[n].is_ram = is_ram;
			win[n].index = index;
			win[n].base = base;
			win[n].size = size;
			n++;
		}
	}
	for (a = 0; a < n; a++) {
		for (b = a + 1; b < n; b++) {
			if (!range_overlaps(win[a].base, win[a].size,
					    win[b].base, win[b].size)) {
				continue;
			}
			msg_vm(&m, chk, i);
			msg_window(&m, vm, &win[a]);
			msg_str(&m, " overlaps ");
			msg_window(&m, vm, &win[b]);
			emit(chk, &m);
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
	size_t k;
	size_t l;
	struct msg m;

	for (k = 0; k <= i; k++) {
		const struct cfg_vm *other = &chk->sc->vms[k];
		size_t count = k == i ? j :
			       clamp(other->device_count, CFG_MAX_DEVICES);

		for (l = 0; l < count; l++) {
			const struct cfg_device *o = &other->devices[l];

			if (!is_granted(chk, k, l) ||
			    !pa_windows_overlap(dev->pa, dev->size, o->pa,
						o->size)) {
				continue;
			}
			msg_vm_dev(&m, chk, i, j);
			msg_str(&m, " pa ");
			msg_range(&m, dev->pa, dev->size);
			msg_str(&m, " overlaps frames already granted to ");
			msg_dev(&m, o, l);
			msg_str(&m, " pa ");
			msg_range(&m, o->pa, o->size);
			msg_str(&m, " of ");
			msg_vm_name(&m, chk, k);
			emit(chk, &m);
		}
	}
}

/* --- IRQ rules (Q) ------------------------------------------------------- */

/** Q1, Q2 for IRQ @p q of partition @p i. */
static void check_irq(struct check *chk, size_t i, size_t q)
{
	uint32_t irq = chk->sc->vms[i].irqs[q];
	const struct cfg_platform *plat = chk->plat;
	size_t k;
	size_t l;
	struct msg m;

	if (plat != NULL && (irq < plat->spi_first || irq > plat->spi_last)) {
		msg_vm(&m, chk, i);
		msg_str(&m, "irq ");
		msg_dec(&m, irq);
		msg_str(&m, " lies outside the platform's grantable SPIs [");
		msg_dec(&m, plat->spi_first);
		msg_str(&m, ", ");
		msg_dec(&m, plat->spi_last);
		msg_char(&m, ']');
		emit(chk, &m);
	} else if (irq < VGIC_SPI_FIRST || irq > IRQ_OWNED_SPI_LAST) {
		msg_vm(&m, chk, i);
		msg_str(&m, "irq ");
		msg_dec(&m, irq);
		msg_str(&m, " lies outside the SPIs a partition can be notified "
			    "of [");
		msg_dec(&m, VGIC_SPI_FIRST);
		msg_str(&m, ", ");
		msg_dec(&m, IRQ_OWNED_SPI_LAST);
		msg_char(&m, ']');
		emit(chk, &m);
	}
	for (k = 0; k <= i; k++) {
		const struct cfg_vm *other = &chk->sc->vms[k];
		size_t count = k == i ? q : clamp(other->irq_count,
						  CFG_MAX_IRQS);

		for (l = 0; l < count; l++) {
			if (other->irqs[l] != irq) {
				continue;
			}
			msg_vm(&m, chk, i);
			msg_str(&m, "irq ");
			msg_dec(&m, irq);
			if (k == i) {
				msg_str(&m, " is listed twice");
			} else {
				msg_str(&m, " is already owned by ");
				msg_vm_name(&m, chk, k);
			}
			emit(chk, &m);
			return;
		}
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
		if (is_granted(chk, i, n)) {
			check_granted_once(chk, i, n);
		}
	}
	check_ipa_overlaps(chk, i);
	for (n = 0; n < clamp(vm->irq_count, CFG_MAX_IRQS); n++) {
		check_irq(chk, i, n);
	}
}

/** S5: the partitions' RAM fits in what the platform leaves over. */
static void check_total_ram(struct check *chk)
{
	const struct cfg_platform *plat = chk->plat;
	uint64_t total = 0;
	uint64_t avail;
	size_t i;
	size_t r;
	struct msg m;

	for (i = 0; i < chk->vm_count; i++) {
		const struct cfg_vm *vm = &chk->sc->vms[i];

		for (r = 0; r < clamp(vm->ram_count, CFG_MAX_RAM); r++) {
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
	msg_scenario(&m, chk);
	msg_str(&m, ": the partitions need ");
	msg_bytes(&m, total);
	msg_str(&m, " of RAM in total, but the platform leaves only ");
	msg_bytes(&m, avail);
	msg_str(&m, " (ram_size ");
	msg_hex(&m, plat->ram_size);
	msg_str(&m, " minus hyp_reserved ");
	msg_hex(&m, plat->hyp_reserved);
	msg_char(&m, ')');
	emit(chk, &m);
}

/** S1, S2, S3; sets chk->plat and chk->vm_count for the other rules. */
static void check_scenario(struct check *chk)
{
	const struct cfg_scenario *sc = chk->sc;
	struct msg m;

	if (str_empty(sc->name)) {
		msg_scenario(&m, chk);
		msg_str(&m, " has no name");
		emit(chk, &m);
	}
	chk->plat = sc->platform;
	if (sc->platform == NULL) {
		msg_scenario(&m, chk);
		msg_str(&m, " names no platform");
		emit(chk, &m);
	}
	chk->vm_count = clamp(sc->vm_count, CFG_MAX_VMS);
	if (sc->vm_count < 1 || sc->vm_count > CFG_MAX_VMS) {
		msg_scenario(&m, chk);
		msg_str(&m, " lists ");
		msg_dec(&m, sc->vm_count);
		msg_str(&m, " partitions; it must list 1..");
		msg_dec(&m, CFG_MAX_VMS);
		emit(chk, &m);
	}
}

/** S4: at least one partition is a guest (skipped when S3 fails on 0). */
static void check_has_guest(struct check *chk)
{
	size_t i;
	struct msg m;

	if (chk->vm_count == 0) {
		return;
	}
	for (i = 0; i < chk->vm_count; i++) {
		if (chk->sc->vms[i].kind == CFG_VM_GUEST) {
			return;
		}
	}
	msg_scenario(&m, chk);
	msg_str(&m, " has no partition of kind CFG_VM_GUEST");
	emit(chk, &m);
}

size_t cfg_validate(const struct cfg_scenario *sc,
		    const struct cfg_image *images, size_t image_count,
		    cfg_report_fn report, void *ctx)
{
	struct check chk;
	struct msg m;
	size_t i;

	chk.sc = sc;
	chk.plat = NULL;
	chk.images = images;
	chk.image_count = images != NULL ? image_count : 0;
	chk.vm_count = 0;
	chk.report = report;
	chk.ctx = ctx;
	chk.problems = 0;

	if (sc == NULL) {
		msg_init(&m);
		msg_str(&m, "no scenario was given");
		emit(&chk, &m);
		return chk.problems;
	}
	check_scenario(&chk);
	for (i = 0; i < chk.vm_count; i++) {
		check_vm(&chk, i);
	}
	check_has_guest(&chk);
	if (chk.plat != NULL) {
		check_total_ram(&chk);
	}
	return chk.problems;
}

const struct cfg_image *cfg_find_image(const struct cfg_image *images,
				       size_t image_count, const char *name)
{
	size_t i;

	if (images == NULL || name == NULL) {
		return NULL;
	}
	for (i = 0; i < image_count; i++) {
		if (str_eq(images[i].name, name)) {
			return &images[i];
		}
	}
	return NULL;
}

int cfg_find_vm(const struct cfg_scenario *sc, const char *name)
{
	size_t i;

	if (sc == NULL || name == NULL) {
		return -1;
	}
	for (i = 0; i < clamp(sc->vm_count, CFG_MAX_VMS); i++) {
		if (str_eq(sc->vms[i].name, name)) {
			return (int)i;
		}
	}
	return -1;
}
