/**
 * What the kernel checks of its scenario at boot (hyp/config.h). The build
 * has checked every rule (tools/config_validate.c, run by cfgcheck); the
 * kernel does not repeat them. It checks what a scenario that did not go
 * through cfgcheck (a config linked by hand) could turn into a read or
 * write out of bounds of the kernel's own arrays: the counts that size
 * them, the names it prints, the interrupt numbers it indexes with, and a
 * GICV window's size, which maps the board's frames. The rest is checked
 * where the kernel meets it: a window's service, a grant's client and an
 * image are looked up by name and CHECKed in vm.c, as is an image or a
 * grant fitting its RAM region; passthrough windows are checked against
 * the board's device tree (board_check). Everything else bad in such a
 * scenario ends in a named panic (a Stage-2 map refused, RAM exhausted) or
 * in a partition that misbehaves on its own.
 */
#include <string.h>

#include "hyp/config.h"
#include "lib/fmt.h"

/** Where the first problem goes: the caller's buffer. */
struct why {
	char *buf;
	size_t size;
};

/** True if @p a and @p b are both non-NULL and equal. */
static bool str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/** A count of partition @p vm within [@p min, @p max], else the reason. */
static bool count_ok(struct why *why, const struct cfg_vm *vm,
		     const char *field, uint64_t count, uint64_t min,
		     uint64_t max)
{
	if (count >= min && count <= max) {
		return true;
	}
	fmt_snprintf(why->buf, why->size, "vm '%s': %s %lu is not %lu..%lu",
		     vm->name, field, count, min, max);
	return false;
}

/** The counts that bound the loops over @p vm's arrays. */
static bool vm_counts_ok(struct why *why, const struct cfg_vm *vm)
{
	return count_ok(why, vm, "vcpu_count", vm->vcpu_count, 1,
			CFG_MAX_VCPUS) &&
	       count_ok(why, vm, "ram_count", vm->ram_count, 1, CFG_MAX_RAM) &&
	       count_ok(why, vm, "load_count", vm->load_count, 0,
			CFG_MAX_LOADS) &&
	       count_ok(why, vm, "device_count", vm->device_count, 0,
			CFG_MAX_DEVICES) &&
	       count_ok(why, vm, "irq_count", vm->irq_count, 0, CFG_MAX_IRQS) &&
	       count_ok(why, vm, "grant_count", vm->grant_count, 0,
			CFG_MAX_GRANTS);
}

/** Owned IRQs index the kernel's owner table (irq.c, rule Q1). */
static bool vm_irqs_ok(struct why *why, const struct cfg_vm *vm)
{
	for (size_t k = 0; k < vm->irq_count; k++) {
		uint32_t irq = vm->irqs[k];

		if (irq < VGIC_SPI_FIRST || irq > IRQ_OWNED_SPI_LAST) {
			fmt_snprintf(
				why->buf, why->size,
				"vm '%s': irqs[%zu] %u is not an SPI %u..%u",
				vm->name, k, irq, VGIC_SPI_FIRST,
				IRQ_OWNED_SPI_LAST);
			return false;
		}
	}
	return true;
}

/*
 * A window's guest SPI indexes the client's virtual distributor when its
 * service drives it (vgic.c, HYP_IRQ_LEVEL), and is never a PPI (rule D9).
 * A GICV window is mapped at the board's virtual CPU interface with its
 * own size: it is that interface, no more (rule D8).
 */
static bool vm_devices_ok(struct why *why, const struct cfg_platform *plat,
			  const struct cfg_vm *vm)
{
	for (size_t d = 0; d < vm->device_count; d++) {
		const struct cfg_device *dev = &vm->devices[d];

		if (dev->irq != 0 &&
		    (dev->irq < VGIC_SPI_FIRST || dev->irq >= VGIC_INTIDS)) {
			fmt_snprintf(why->buf, why->size,
				     "vm '%s': devices[%zu].irq %u is not 0 "
				     "or a virtual SPI %u..%u",
				     vm->name, d, dev->irq, VGIC_SPI_FIRST,
				     VGIC_INTIDS - 1U);
			return false;
		}
		if (dev->kind == CFG_DEV_GICV && dev->size != plat->gicv_size) {
			fmt_snprintf(why->buf, why->size,
				     "vm '%s': devices[%zu].size 0x%lx is not "
				     "the platform's gicv_size 0x%lx",
				     vm->name, d, dev->size, plat->gicv_size);
			return false;
		}
	}
	return true;
}

bool cfg_check_bounds(const struct cfg_scenario *sc, char *why_buf,
		      size_t why_size)
{
	struct why why = { why_buf, why_size };

	if (sc->platform == NULL) {
		fmt_snprintf(why.buf, why.size, "platform is missing");
		return false;
	}
	if (sc->vm_count < 1 || sc->vm_count > CFG_MAX_VMS) {
		fmt_snprintf(why.buf, why.size, "vm_count %zu is not 1..%u",
			     sc->vm_count, CFG_MAX_VMS);
		return false;
	}
	for (size_t i = 0; i < sc->vm_count; i++) {
		const struct cfg_vm *vm = &sc->vms[i];

		/* Every log line and console tag prints a name (the messages
		 * below this one's). */
		if (vm->name == NULL) {
			fmt_snprintf(why.buf, why.size, "vm %zu has no name",
				     i);
			return false;
		}
		/* Counts first: the other checks loop over what they bound. */
		if (!vm_counts_ok(&why, vm) || !vm_irqs_ok(&why, vm) ||
		    !vm_devices_ok(&why, sc->platform, vm)) {
			return false;
		}
	}
	return true;
}

const struct cfg_image *cfg_find_image(const struct cfg_image *images,
				       size_t image_count, const char *name)
{
	if (images == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < image_count; i++) {
		if (str_eq(images[i].name, name)) {
			return &images[i];
		}
	}
	return NULL;
}

int cfg_find_vm(const struct cfg_scenario *sc, const char *name)
{
	if (sc == NULL) {
		return -1;
	}
	for (size_t i = 0; i < sc->vm_count && i < CFG_MAX_VMS; i++) {
		if (str_eq(sc->vms[i].name, name)) {
			return (int)i;
		}
	}
	return -1;
}
