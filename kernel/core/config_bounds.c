/**
 * What the kernel checks of its scenario at boot (hyp/config.h). The build
 * has checked every rule (tools/config_validate.c, run by cfgcheck); the
 * kernel does not repeat them. It checks what a scenario that did not go
 * through cfgcheck (a config linked by hand) could otherwise turn into a
 * read or write out of bounds: the counts that size its arrays, the indices
 * it takes from the scenario, and the images as linked into this kernel
 * against the RAM they are copied into. Everything else bad in such a
 * scenario ends in a named panic where the kernel meets it (a Stage-2 map
 * refused, RAM exhausted) or in a partition that misbehaves on its own.
 */
#include <string.h>

#include "abi/vgic.h"
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
	fmt_snprintf(why->buf, why->size, "vm '%s': %s %llu is not %llu..%llu",
		     vm->name, field, (unsigned long long)count,
		     (unsigned long long)min, (unsigned long long)max);
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
 * An emulated window's service indexes the partition table and must be a
 * service: only services have a reply deadline, a guest's endpoint would
 * block the client for ever (rule D6).
 */
static bool vm_services_ok(struct why *why, const struct cfg_scenario *sc,
			   const struct cfg_vm *vm)
{
	for (size_t d = 0; d < vm->device_count; d++) {
		const struct cfg_device *dev = &vm->devices[d];

		if (dev->kind != CFG_DEV_EMULATED) {
			continue;
		}
		int svc = cfg_find_vm(sc, dev->service);

		if (svc < 0 || sc->vms[svc].kind != CFG_VM_SERVICE) {
			fmt_snprintf(
				why->buf, why->size,
				"vm '%s': devices[%zu].service '%s' is not "
				"a %s",
				vm->name, d, dev->service,
				svc < 0 ? "partition" : "service partition");
			return false;
		}
	}
	return true;
}

/*
 * A window's guest SPI indexes the client's virtual distributor when its
 * service drives it (vgic.c, HYP_IRQ_LEVEL), and is never a PPI (rule D9).
 */
static bool vm_window_irqs_ok(struct why *why, const struct cfg_vm *vm)
{
	for (size_t d = 0; d < vm->device_count; d++) {
		uint32_t irq = vm->devices[d].irq;

		if (irq != 0 && (irq < VGIC_SPI_FIRST || irq >= VGIC_INTIDS)) {
			fmt_snprintf(why->buf, why->size,
				     "vm '%s': devices[%zu].irq %u is not 0 "
				     "or a virtual SPI %u..%u",
				     vm->name, d, irq, VGIC_SPI_FIRST,
				     VGIC_INTIDS - 1U);
			return false;
		}
	}
	return true;
}

/*
 * What a device window maps of the machine (vm.c, vm_map_devices): a
 * passthrough window's frames lie inside the platform's MMIO space, never
 * on RAM (rule D3); a GICV window is the virtual CPU interface, no more
 * (rule D8).
 */
static bool vm_frames_ok(struct why *why, const struct cfg_platform *plat,
			 const struct cfg_vm *vm)
{
	for (size_t d = 0; d < vm->device_count; d++) {
		const struct cfg_device *dev = &vm->devices[d];

		if (dev->kind == CFG_DEV_PASSTHROUGH &&
		    (dev->pa < plat->mmio_base ||
		     dev->pa - plat->mmio_base > plat->mmio_size ||
		     dev->size >
			     plat->mmio_size - (dev->pa - plat->mmio_base))) {
			fmt_snprintf(
				why->buf, why->size,
				"vm '%s': devices[%zu] at PA 0x%llx "
				"(+0x%llx) is not inside the platform MMIO",
				vm->name, d, (unsigned long long)dev->pa,
				(unsigned long long)dev->size);
			return false;
		}
		if (dev->kind == CFG_DEV_GICV && dev->size != plat->gicv_size) {
			fmt_snprintf(why->buf, why->size,
				     "vm '%s': devices[%zu].size 0x%llx is not "
				     "the platform's gicv_size 0x%llx",
				     vm->name, d, (unsigned long long)dev->size,
				     (unsigned long long)plat->gicv_size);
			return false;
		}
	}
	return true;
}

/**
 * Bytes of @p vm's RAM from @p ipa to the end of the region holding it (the
 * first one, as vm.c copies images), or 0 if no region holds it.
 */
static uint64_t ram_room(const struct cfg_vm *vm, uint64_t ipa)
{
	for (size_t r = 0; r < vm->ram_count; r++) {
		const struct cfg_ram *ram = &vm->ram[r];

		if (ipa >= ram->ipa && ipa - ram->ipa < ram->size) {
			return ram->size - (ipa - ram->ipa);
		}
	}
	return 0;
}

/*
 * A grant maps its client's RAM into the service (vm.c, vm_map_grants):
 * the client indexes the partition table, and the range lies inside one
 * of its RAM regions (rules G2, G4). Run once every count is checked.
 */
static bool vm_grants_ok(struct why *why, const struct cfg_scenario *sc,
			 const struct cfg_vm *vm)
{
	for (size_t k = 0; k < vm->grant_count; k++) {
		const struct cfg_grant *g = &vm->grants[k];
		int c = cfg_find_vm(sc, g->client);

		if (c < 0 || g->size == 0 ||
		    ram_room(&sc->vms[c], g->client_ipa) < g->size) {
			fmt_snprintf(why->buf, why->size,
				     "vm '%s': grants[%zu] is not inside the "
				     "RAM of a partition",
				     vm->name, k);
			return false;
		}
	}
	return true;
}

/** Image @p name is linked into the kernel and fits in RAM at @p ipa. */
static bool image_ok(struct why *why, const struct cfg_vm *vm,
		     const struct cfg_image *images, size_t image_count,
		     const char *name, uint64_t ipa)
{
	const struct cfg_image *img = cfg_find_image(images, image_count, name);

	if (img == NULL) {
		fmt_snprintf(
			why->buf, why->size,
			"vm '%s': image '%s' is not linked into the kernel",
			vm->name, name);
		return false;
	}
	if (ram_room(vm, ipa) < img->size) {
		fmt_snprintf(why->buf, why->size,
			     "vm '%s': image '%s' (%llu bytes) does not fit in "
			     "RAM at IPA 0x%llx",
			     vm->name, name, (unsigned long long)img->size,
			     (unsigned long long)ipa);
		return false;
	}
	return true;
}

/** The main image and every further load of @p vm (rules I1, I2, I4). */
static bool vm_images_ok(struct why *why, const struct cfg_vm *vm,
			 const struct cfg_image *images, size_t image_count)
{
	if (!image_ok(why, vm, images, image_count, vm->image, vm->image_ipa)) {
		return false;
	}
	for (size_t k = 0; k < vm->load_count; k++) {
		if (!image_ok(why, vm, images, image_count, vm->loads[k].image,
			      vm->loads[k].ipa)) {
			return false;
		}
	}
	return true;
}

bool cfg_check_bounds(const struct cfg_scenario *sc,
		      const struct cfg_image *images, size_t image_count,
		      char *why_buf, size_t why_size)
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
	/* Every log line and console tag prints a name; windows name their
	 * service. */
	for (size_t i = 0; i < sc->vm_count; i++) {
		if (sc->vms[i].name == NULL) {
			fmt_snprintf(why.buf, why.size, "vm %zu has no name",
				     i);
			return false;
		}
	}
	for (size_t i = 0; i < sc->vm_count; i++) {
		const struct cfg_vm *vm = &sc->vms[i];

		/* Counts first: the other checks loop over what they bound. */
		if (!vm_counts_ok(&why, vm) || !vm_irqs_ok(&why, vm) ||
		    !vm_services_ok(&why, sc, vm) ||
		    !vm_window_irqs_ok(&why, vm) ||
		    !vm_frames_ok(&why, sc->platform, vm) ||
		    !vm_images_ok(&why, vm, images, image_count)) {
			return false;
		}
	}
	for (size_t i = 0; i < sc->vm_count; i++) {
		if (!vm_grants_ok(&why, sc, &sc->vms[i])) {
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
