/**
 * The board from its device tree (hyp/board.h), with libfdt. Property
 * values are 4-byte aligned in the blob (Devicetree Specification 5.4.1),
 * so cells are read as aligned 32-bit big-endian words.
 */
#include "hyp/board.h"

#include <libfdt.h>

#include "lib/fmt.h"

/* The cells of an address or size the kernel reads: 1 or 2 (64 bits). */
#define CELLS_MAX 2
/* GIC binding (arm,gic.yaml): reg = GICD, GICC, GICH, GICV. */
enum { GIC_REG_D, GIC_REG_C, GIC_REG_H, GIC_REG_V, GIC_REGS };
/* PCI binding (IEEE 1275 PCI 2.2.1.1): a child address is 3 cells,
 * phys.hi's space code [25:24] 0b10 is 32-bit memory. */
#define PCI_ADDR_CELLS 3
#define PCI_SPACE_SHIFT 24
#define PCI_SPACE_MASK 0x3U
#define PCI_SPACE_MEM32 0x2U

/** Written once at boot, before a second CPU runs; read-only after. */
static struct cfg_platform found;
static const void *found_fdt;

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++) {
		v = (v << 32) | fdt32_to_cpu(p[i]);
	}
	return v;
}

/* Property @p name of @p node is the string @p value. */
static bool prop_is(const void *fdt, int node, const char *name,
		    const char *value)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	return p != NULL && (size_t)len == strlen(value) + 1 &&
	       memcmp(p, value, (size_t)len) == 0;
}

/* Range @p idx of @p node's reg, of @p ac address and @p sc size cells. */
static bool reg_cells(const void *fdt, int node, int ac, int sc, int idx,
		      uint64_t *base, uint64_t *size)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (reg == NULL || ac < 1 || ac > CELLS_MAX || sc < 0 ||
	    sc > CELLS_MAX || len < (idx + 1) * (ac + sc) * (int)sizeof(*reg)) {
		return false;
	}
	reg += idx * (ac + sc);
	*base = read_cells(reg, ac);
	*size = read_cells(reg + ac, sc);
	return *base + *size >= *base;
}

/* Range @p idx of @p node's reg, in the #address/#size-cells of @p parent
 * (its parent, or -1: libfdt finds it by walking the tree from the root). */
static bool reg_in(const void *fdt, int node, int parent, int idx,
		   uint64_t *base, uint64_t *size)
{
	parent = parent < 0 ? fdt_parent_offset(fdt, node) : parent;
	return parent >= 0 &&
	       reg_cells(fdt, node, fdt_address_cells(fdt, parent),
			 fdt_size_cells(fdt, parent), idx, base, size);
}

static const char *read_ram(const void *fdt, struct cfg_platform *p)
{
	int mem = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						"memory", sizeof("memory"));

	if (mem < 0 || !reg_in(fdt, mem, -1, 0, &p->ram_base, &p->ram_size) ||
	    p->ram_size == 0) {
		return "no memory node with a RAM range";
	}
	return NULL;
}

static const char *read_cpus(const void *fdt, struct cfg_platform *p)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node;
	uint64_t size;

	if (cpus < 0) {
		return "no /cpus node";
	}
	p->cpu_count = 0;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		if (!prop_is(fdt, node, "device_type", "cpu")) {
			continue;
		}
		if (p->cpu_count == CFG_MAX_CPUS) {
			return "more than 8 CPUs (GICv2)";
		}
		if (!reg_in(fdt, node, cpus, 0, &p->cpu_mpidr[p->cpu_count],
			    &size)) {
			return "a cpu node without its MPIDR (reg)";
		}
		p->cpu_count++;
	}
	return p->cpu_count == 0 ? "no cpu node under /cpus" : NULL;
}

static const char *read_gic(const void *fdt, struct cfg_platform *p)
{
	int gic = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
	/* Found once: libfdt walks the tree from the root for it. */
	int parent = fdt_parent_offset(fdt, gic);
	uint64_t base[GIC_REGS], size[GIC_REGS], end = 0;

	if (gic < 0) {
		return "no GICv2 (arm,cortex-a15-gic)";
	}
	for (int i = 0; i < GIC_REGS; i++) {
		if (!reg_in(fdt, gic, parent, i, &base[i], &size[i])) {
			return "the GIC has no GICH and GICV frames "
			       "(virtualization extensions)";
		}
	}
	if (size[GIC_REG_V] < p->gicv_size) {
		return "the GICV frame is smaller than 8 KiB";
	}
	p->gicd_base = base[GIC_REG_D];
	p->gicc_base = base[GIC_REG_C];
	p->gich_base = base[GIC_REG_H];
	p->gicv_base = base[GIC_REG_V];
	/* The frames the kernel drives, never granted: D, C and H. */
	p->gic_base = base[GIC_REG_D];
	for (int i = GIC_REG_D; i <= GIC_REG_H; i++) {
		p->gic_base = base[i] < p->gic_base ? base[i] : p->gic_base;
		end = base[i] + size[i] > end ? base[i] + size[i] : end;
	}
	p->gic_size = end - p->gic_base;
	return NULL;
}

static const char *read_uart(const void *fdt, struct cfg_platform *p)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int len = 0, uart = -1;
	const char *path =
		chosen < 0 ? NULL
			   : fdt_getprop(fdt, chosen, "stdout-path", &len);
	uint64_t size;

	if (path != NULL && len > 0) {
		/* "path[:options]" (Devicetree Specification 3.6). */
		const char *colon = memchr(path, ':', (size_t)len);

		uart = fdt_path_offset_namelen(
			fdt, path,
			colon != NULL ? (int)(colon - path)
				      : (int)strnlen(path, (size_t)len));
	}
	if (uart < 0 ||
	    fdt_node_check_compatible(fdt, uart, "arm,pl011") != 0) {
		uart = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	}
	if (uart < 0 || !reg_in(fdt, uart, -1, 0, &p->uart_base, &size)) {
		return "no PL011 UART (arm,pl011) for the kernel's log";
	}
	return NULL;
}

/* The ECAM and the start of the 32-bit memory window, where the kernel
 * puts pvpanic's BAR; the window must be identity-mapped (PCI address =
 * CPU address, as on virt). None: no PCIe, pvpanic is not used. */
static void read_pci(const void *fdt, struct cfg_platform *p)
{
	int pci =
		fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
	int parent = fdt_parent_offset(fdt, pci);
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, pci);
	int len = 0;
	const fdt32_t *r =
		pci < 0 ? NULL : fdt_getprop(fdt, pci, "ranges", &len);
	int entry = (PCI_ADDR_CELLS + ac + sc) * (int)sizeof(*r);
	uint64_t size;

	p->pci_mmio_base = 0;
	if (r == NULL || ac < 1 || ac > CELLS_MAX || sc < 1 || sc > CELLS_MAX ||
	    !reg_in(fdt, pci, parent, 0, &p->pci_ecam_base, &size)) {
		p->pci_ecam_base = 0;
		return;
	}
	for (; len >= entry; len -= entry, r += entry / (int)sizeof(*r)) {
		uint64_t pci_addr = read_cells(r + 1, CELLS_MAX);
		uint64_t cpu_addr = read_cells(r + PCI_ADDR_CELLS, ac);

		if (((fdt32_to_cpu(r[0]) >> PCI_SPACE_SHIFT) &
		     PCI_SPACE_MASK) == PCI_SPACE_MEM32 &&
		    pci_addr == cpu_addr) {
			p->pci_mmio_base = cpu_addr;
			return;
		}
	}
	p->pci_ecam_base = 0;
}

const char *board_read(const void *fdt, size_t max)
{
	struct cfg_platform p = *scenario.platform;
	const char *why;

	if (fdt_check_full(fdt, max) != 0) {
		return "not a valid flattened device tree";
	}
	why = read_ram(fdt, &p);
	why = why != NULL ? why : read_cpus(fdt, &p);
	why = why != NULL ? why : read_gic(fdt, &p);
	why = why != NULL ? why : read_uart(fdt, &p);
	if (why != NULL) {
		return why;
	}
	read_pci(fdt, &p);
	found = p;
	found_fdt = fdt;
	return NULL;
}

const struct cfg_platform *board(void)
{
	return found_fdt != NULL ? &found : scenario.platform;
}

/*
 * One walk over the device nodes under the root (offset 0) narrowing the
 * uncovered part [*lo, *hi) from both ends: a node's reg range holding *lo
 * moves *lo to its end, one holding *hi - 1 moves *hi to its start, so that
 * ranges listed in ascending or descending address order take one walk.
 * False: a memory node holds a
 * part of it.
 */
static bool narrow_by_devices(const void *fdt, uint64_t *lo, uint64_t *hi)
{
	int depth = -1; /* The root is depth 0. */
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
	uint64_t base, len;

	for (int n = fdt_next_node(fdt, -1, &depth); n >= 0 && *lo < *hi;
	     n = fdt_next_node(fdt, n, &depth)) {
		for (int i = 0;
		     depth == 1 && reg_cells(fdt, n, ac, sc, i, &base, &len);
		     i++) {
			bool at_lo = *lo >= base && *lo - base < len;
			bool at_hi = *hi - 1 >= base && *hi - 1 - base < len;

			if ((at_lo || at_hi) &&
			    prop_is(fdt, n, "device_type", "memory")) {
				return false;
			}
			*lo = at_lo ? base + len : *lo;
			*hi = at_hi ? base : *hi;
		}
	}
	return true;
}

/* [pa, pa + size) covered by device nodes, one or several back to back: a
 * Stage-2 page of virt's virtio-mmio area holds eight 0x200 transports.
 * Walks again while a walk narrows the gap (ranges in no address order). */
static bool board_has(const void *fdt, uint64_t pa, uint64_t size)
{
	uint64_t lo = pa, hi = pa + size;

	while (lo < hi) {
		uint64_t gap = hi - lo;

		if (!narrow_by_devices(fdt, &lo, &hi) ||
		    (lo < hi && hi - lo == gap)) {
			return false;
		}
	}
	return true;
}

bool board_check(const struct cfg_scenario *sc, uint64_t pool_bytes, char *why,
		 size_t why_size)
{
	uint64_t need = 0;

	for (size_t v = 0; v < sc->vm_count; v++) {
		for (size_t r = 0; r < sc->vms[v].ram_count; r++) {
			need += sc->vms[v].ram[r].size;
		}
	}
	if (need > pool_bytes) {
		fmt_snprintf(why, why_size,
			     "its partitions need %lu MiB of RAM, the board "
			     "has %lu MiB free (QEMU -m, scons mem=)",
			     need >> 20, pool_bytes >> 20);
		return false;
	}
	for (size_t v = 0; v < sc->vm_count; v++) {
		const struct cfg_vm *vm = &sc->vms[v];

		for (size_t d = 0; d < vm->device_count; d++) {
			const struct cfg_device *dev = &vm->devices[d];

			if (dev->kind == CFG_DEV_PASSTHROUGH &&
			    found_fdt != NULL &&
			    !board_has(found_fdt, dev->pa, dev->size)) {
				fmt_snprintf(
					why, why_size,
					"vm '%s' device '%s': the board has "
					"no device at 0x%lx (+0x%lx)",
					vm->name, dev->name, dev->pa,
					dev->size);
				return false;
			}
		}
	}
	return true;
}
