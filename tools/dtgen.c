/**
 * dtgen: the device tree of one VM of a scenario, generated from the
 * partition itself, so that it cannot disagree with what the VM gets.
 *
 * Linked (configs/SConscript) with one scenario's config.c, which defines
 * `scenario`, it prints a DTS for the VM named by --vm: its CPUs (MPIDR
 * Aff0 = vCPU number, started with PSCI over HVC), its RAM regions, the
 * architected timer, chosen (bootargs, initramfs, stdout-path) and one node
 * per device window, chosen by the window's .compatible (hyp/config.h):
 * the GIC (distributor window + the GICV window as its CPU interface), the
 * PrimeCells (PL011, PL031) with the clock Linux's AMBA bus wants, and any
 * other compatible as a plain node with its reg and interrupt. A window's
 * interrupt is its .irq: the SPI an emulated window's service drives, or
 * the SPI passed through with a passthrough window (rule D9: also one of
 * the VM's .irqs); an SPI of the VM's .irqs that no window names would be
 * in no node, so dtgen refuses it.
 *
 *   dtgen --vm NAME [--bootargs STR] [--initrd IMAGE=PATH] [-o FILE]
 *
 * --initrd names the VM's load (cfg_load.image) holding the initramfs and
 * the file it is built from, whose size gives linux,initrd-end.
 * Exit status: 0 with the DTS written, 1 if the VM cannot be described
 * (the reason on stderr, one line), 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hyp/config.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

/*
 * GICv2 interrupt specifier (Linux
 * Documentation/devicetree/bindings/interrupt-controller/arm,gic.yaml):
 * <type number flags>; type 0 = SPI (number = INTID - 32), 1 = PPI
 * (number = INTID - 16); flags bits [3:0] = trigger (4: level high), for a
 * PPI bits [15:8] = the CPUs it is wired to.
 */
#define GIC_SPI 0
#define GIC_PPI 1
#define GIC_SPI_BASE 32
#define IRQ_TYPE_LEVEL_HIGH 4
#define GIC_PPI_CPU_SHIFT 8

/*
 * The architected timer's PPIs in the order the arm,armv8-timer binding
 * lists them (bindings/timer/arm,arch_timer.yaml), as PPI numbers
 * (INTID - 16): secure physical (INTID 29), non-secure physical (INTID
 * 30), virtual (INTID 27), hypervisor (INTID 26).
 */
static const unsigned timer_ppis[] = { 13, 14, 11, 10 };

/** The fixed clock every PrimeCell names as apb_pclk (24 MHz, as QEMU). */
#define APB_PCLK_HZ 24000000

/** What dtgen writes for one kind of device window. */
struct dt_kind {
	const char *compatible; /**< The window's .compatible. */
	const char *node;	/**< Node name before the "@address". */
	/** PrimeCell (AMBA) device: "arm,primecell" and its clocks. */
	bool primecell;
	/** Its clocks property (all &apb_pclk) and clock-names, or NULL. */
	const char *clock_names;
	unsigned clock_count;
};

static const struct dt_kind kinds[] = {
	{ .compatible = "arm,pl011",
	  .node = "pl011",
	  .primecell = true,
	  /* bindings/serial/pl011.yaml: the UART clock, then the bus clock. */
	  .clock_names = "\"uartclk\", \"apb_pclk\"",
	  .clock_count = 2 },
	{ .compatible = "arm,pl031",
	  .node = "pl031",
	  .primecell = true,
	  .clock_names = "\"apb_pclk\"",
	  .clock_count = 1 },
};

/** The GIC distributor window's compatible (GICv2, arm,gic.yaml). */
#define GIC_COMPATIBLE "arm,cortex-a15-gic"

/** What the command line asked for. */
struct dt_args {
	const char *vm;
	const char *bootargs;
	const char *initrd_image;
	const char *initrd_path;
	const char *out;
};

/** Name of the scenario for messages. */
static const char *label(void)
{
	return scenario.name != NULL ? scenario.name : "(unnamed scenario)";
}

/** A 64-bit value as two cells: "0xHI 0xLO". */
static void cells(FILE *f, uint64_t v)
{
	fprintf(f, "0x%llx 0x%llx", (unsigned long long)(v >> 32),
		(unsigned long long)(v & 0xffffffffULL));
}

/** A "reg = <base size>;" line (two address and two size cells). */
static void reg(FILE *f, uint64_t base, uint64_t size)
{
	fprintf(f, "\t\treg = <");
	cells(f, base);
	fprintf(f, " ");
	cells(f, size);
	fprintf(f, ">;\n");
}

static const struct dt_kind *find_kind(const char *compatible)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i].compatible, compatible) == 0) {
			return &kinds[i];
		}
	}
	return NULL;
}

/** The VM's first window holding @p compatible, or NULL. */
static const struct cfg_device *find_compatible(const struct cfg_vm *vm,
						const char *compatible)
{
	for (size_t i = 0; i < vm->device_count; i++) {
		const struct cfg_device *d = &vm->devices[i];

		if (d->compatible != NULL &&
		    strcmp(d->compatible, compatible) == 0) {
			return d;
		}
	}
	return NULL;
}

/** The VM's GICV window, or NULL. */
static const struct cfg_device *find_gicv(const struct cfg_vm *vm)
{
	for (size_t i = 0; i < vm->device_count; i++) {
		if (vm->devices[i].kind == CFG_DEV_GICV) {
			return &vm->devices[i];
		}
	}
	return NULL;
}

static bool has_primecell(const struct cfg_vm *vm)
{
	for (size_t i = 0; i < vm->device_count; i++) {
		const struct dt_kind *k =
			vm->devices[i].compatible != NULL
				? find_kind(vm->devices[i].compatible)
				: NULL;

		if (k != NULL && k->primecell) {
			return true;
		}
	}
	return false;
}

/**
 * Every SPI passed through to @p vm (.irqs) must be a window's .irq (rule
 * D9), or the guest's driver would never learn it. Returns false after
 * printing the first one that is not.
 */
static bool irqs_linked(const struct cfg_vm *vm)
{
	for (size_t q = 0; q < vm->irq_count; q++) {
		bool named = false;

		for (size_t i = 0; i < vm->device_count; i++) {
			named = named || vm->devices[i].irq == vm->irqs[q];
		}
		if (!named) {
			fprintf(stderr,
				"%s: error: VM '%s': irq %u is passed through "
				"but no device window names it (.irq of its "
				"passthrough window), so its node would lack "
				"it\n",
				label(), vm->name, vm->irqs[q]);
			return false;
		}
	}
	return true;
}

/**
 * Every window must be describable: a GICV window only beside a GIC
 * distributor, every other one with a compatible. Returns false after
 * printing the first problem.
 */
static bool windows_ok(const struct cfg_vm *vm)
{
	for (size_t i = 0; i < vm->device_count; i++) {
		const struct cfg_device *d = &vm->devices[i];

		if (d->kind == CFG_DEV_GICV) {
			continue;
		}
		if (d->compatible == NULL) {
			fprintf(stderr,
				"%s: error: VM '%s': device window '%s' has no "
				".compatible, so dtgen cannot describe it "
				"(hyp/config.h, struct cfg_device)\n",
				label(), vm->name, d->name);
			return false;
		}
	}
	if (!irqs_linked(vm)) {
		return false;
	}
	if (find_compatible(vm, GIC_COMPATIBLE) == NULL ||
	    find_gicv(vm) == NULL) {
		fprintf(stderr,
			"%s: error: VM '%s' needs a GIC distributor window "
			"(compatible \"%s\") and a GICV window for its device "
			"tree\n",
			label(), vm->name, GIC_COMPATIBLE);
		return false;
	}
	return true;
}

static void emit_chosen(FILE *f, const struct cfg_vm *vm,
			const struct dt_args *a, uint64_t initrd_start,
			uint64_t initrd_end)
{
	const struct cfg_device *uart = find_compatible(vm, "arm,pl011");

	fprintf(f, "\tchosen {\n");
	if (a->bootargs != NULL) {
		fprintf(f, "\t\tbootargs = \"");
		/* DTS strings escape '"' and '\\' as C does. */
		for (const char *c = a->bootargs; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\') {
				fputc('\\', f);
			}
			fputc(*c, f);
		}
		fprintf(f, "\";\n");
	}
	if (uart != NULL) {
		fprintf(f, "\t\tstdout-path = \"/pl011@%llx\";\n",
			(unsigned long long)uart->ipa);
	}
	if (a->initrd_image != NULL) {
		fprintf(f, "\t\tlinux,initrd-start = <");
		cells(f, initrd_start);
		fprintf(f, ">;\n\t\tlinux,initrd-end = <");
		cells(f, initrd_end);
		fprintf(f, ">;\n");
	}
	fprintf(f, "\t};\n\n");
}

static void emit_memory(FILE *f, const struct cfg_vm *vm)
{
	for (size_t i = 0; i < vm->ram_count; i++) {
		fprintf(f, "\tmemory@%llx {\n\t\tdevice_type = \"memory\";\n",
			(unsigned long long)vm->ram[i].ipa);
		reg(f, vm->ram[i].ipa, vm->ram[i].size);
		fprintf(f, "\t};\n\n");
	}
}

static void emit_cpus(FILE *f, const struct cfg_vm *vm)
{
	fprintf(f, "\tcpus {\n\t\t#address-cells = <1>;\n"
		   "\t\t#size-cells = <0>;\n\n");
	/* The kernel sets VMPIDR_EL2.Aff0 to the vCPU index (vcpu_arch.c). */
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		fprintf(f,
			"\t\tcpu@%x {\n\t\t\tdevice_type = \"cpu\";\n"
			"\t\t\tcompatible = \"arm,cortex-a57\";\n"
			"\t\t\treg = <0x%x>;\n"
			"\t\t\tenable-method = \"psci\";\n\t\t};\n",
			i, i);
	}
	fprintf(f, "\t};\n\n");
	/* PSCI 1.0 over HVC (kernel/core/psci.c). */
	fprintf(f, "\tpsci {\n\t\tcompatible = \"arm,psci-1.0\", "
		   "\"arm,psci-0.2\";\n\t\tmethod = \"hvc\";\n\t};\n\n");
}

static void emit_timer(FILE *f, const struct cfg_vm *vm)
{
	unsigned flags = (((1U << vm->vcpu_count) - 1) << GIC_PPI_CPU_SHIFT) |
			 IRQ_TYPE_LEVEL_HIGH;

	/* The kernel delivers the virtual timer (INTID 27, hardware-linked)
	 * and the emulated EL1 physical timer (INTID 30); the binding wants
	 * all four listed all the same. */
	fprintf(f, "\ttimer {\n\t\tcompatible = \"arm,armv8-timer\";\n"
		   "\t\tinterrupts =");
	for (size_t i = 0; i < sizeof(timer_ppis) / sizeof(timer_ppis[0]);
	     i++) {
		fprintf(f, "%s <%d %u 0x%x>", i == 0 ? "" : ",", GIC_PPI,
			timer_ppis[i], flags);
	}
	fprintf(f, ";\n\t\talways-on;\n\t};\n\n");
}

static void emit_gic(FILE *f, const struct cfg_device *gicd,
		     const struct cfg_device *gicv)
{
	fprintf(f,
		"\tgic: interrupt-controller@%llx {\n"
		"\t\tcompatible = \"%s\";\n"
		"\t\t#interrupt-cells = <3>;\n"
		"\t\t#address-cells = <0>;\n"
		"\t\tinterrupt-controller;\n",
		(unsigned long long)gicd->ipa, GIC_COMPATIBLE);
	/* Distributor, then CPU interface (the GICV frames the guest sees
	 * as its GICC). */
	fprintf(f, "\t\treg = <");
	cells(f, gicd->ipa);
	fprintf(f, " ");
	cells(f, gicd->size);
	fprintf(f, ">, <");
	cells(f, gicv->ipa);
	fprintf(f, " ");
	cells(f, gicv->size);
	fprintf(f, ">;\n\t};\n\n");
}

static void emit_clock(FILE *f)
{
	fprintf(f,
		"\tapb_pclk: clock-24mhz {\n"
		"\t\tcompatible = \"fixed-clock\";\n"
		"\t\t#clock-cells = <0>;\n"
		"\t\tclock-frequency = <%d>;\n"
		"\t\tclock-output-names = \"clk24mhz\";\n\t};\n\n",
		APB_PCLK_HZ);
}

/** The node of window @p d (not the GIC's, not GICV). */
static void emit_device(FILE *f, const struct cfg_device *d)
{
	const struct dt_kind *k = find_kind(d->compatible);
	const char *node = k != NULL ? k->node : d->name;

	fprintf(f, "\t%s@%llx {\n\t\tcompatible = \"%s\"%s;\n", node,
		(unsigned long long)d->ipa, d->compatible,
		k != NULL && k->primecell ? ", \"arm,primecell\"" : "");
	reg(f, d->ipa, d->size);
	if (d->irq >= GIC_SPI_BASE) {
		fprintf(f, "\t\tinterrupts = <%d %u %d>;\n", GIC_SPI,
			d->irq - GIC_SPI_BASE, IRQ_TYPE_LEVEL_HIGH);
	}
	if (k != NULL && k->clock_names != NULL) {
		fprintf(f, "\t\tclocks = <&apb_pclk>");
		for (unsigned i = 1; i < k->clock_count; i++) {
			fprintf(f, ", <&apb_pclk>");
		}
		fprintf(f, ";\n\t\tclock-names = %s;\n", k->clock_names);
	}
	fprintf(f, "\t};\n\n");
}

static void emit(FILE *f, const struct cfg_vm *vm, const struct dt_args *a,
		 uint64_t initrd_start, uint64_t initrd_end)
{
	fprintf(f,
		"/dts-v1/;\n\n"
		"/* VM '%s' of scenario '%s', generated by tools/dtgen.c from "
		"its\n * partition: do not edit. */\n"
		"/ {\n\tcompatible = \"linux,dummy-virt\";\n"
		"\tmodel = \"tinyhyp %s VM\";\n"
		"\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		"\tinterrupt-parent = <&gic>;\n\n",
		vm->name, label(), vm->name);
	emit_chosen(f, vm, a, initrd_start, initrd_end);
	emit_memory(f, vm);
	emit_cpus(f, vm);
	emit_timer(f, vm);
	emit_gic(f, find_compatible(vm, GIC_COMPATIBLE), find_gicv(vm));
	if (has_primecell(vm)) {
		emit_clock(f);
	}
	for (size_t i = 0; i < vm->device_count; i++) {
		const struct cfg_device *d = &vm->devices[i];

		if (d->kind != CFG_DEV_GICV &&
		    strcmp(d->compatible, GIC_COMPATIBLE) != 0) {
			emit_device(f, d);
		}
	}
	fprintf(f, "};\n");
}

/**
 * The initramfs range: its load's IPA in @p vm and the size of the file.
 * Returns false after printing why not.
 */
static bool initrd_range(const struct cfg_vm *vm, const struct dt_args *a,
			 uint64_t *start, uint64_t *end)
{
	struct stat st;

	if (a->initrd_image == NULL) {
		return true;
	}
	for (size_t i = 0; i < vm->load_count; i++) {
		if (vm->loads[i].image != NULL &&
		    strcmp(vm->loads[i].image, a->initrd_image) == 0) {
			if (stat(a->initrd_path, &st) != 0) {
				fprintf(stderr,
					"%s: error: initramfs '%s': %s\n",
					label(), a->initrd_path,
					strerror(errno));
				return false;
			}
			*start = vm->loads[i].ipa;
			*end = *start + (uint64_t)st.st_size;
			return true;
		}
	}
	fprintf(stderr, "%s: error: VM '%s' loads no image '%s'\n", label(),
		vm->name, a->initrd_image);
	return false;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: dtgen --vm NAME [--bootargs STR] "
		     "[--initrd IMAGE=PATH] [-o FILE]\n"
		     "Print the device tree source of VM NAME of the scenario "
		     "linked into this program.\n");
}

/** Fill @p a from argv; false on bad usage (after printing it). */
static bool parse_args(int argc, char **argv, struct dt_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		char *eq;

		if (i + 1 >= argc) {
			fprintf(stderr, "dtgen: '%s' needs a value\n", opt);
			return false;
		}
		if (strcmp(opt, "--vm") == 0) {
			a->vm = argv[++i];
		} else if (strcmp(opt, "--bootargs") == 0) {
			a->bootargs = argv[++i];
		} else if (strcmp(opt, "-o") == 0) {
			a->out = argv[++i];
		} else if (strcmp(opt, "--initrd") == 0) {
			a->initrd_image = argv[++i];
			eq = strchr(argv[i], '=');
			if (eq == NULL || eq == argv[i] || eq[1] == '\0') {
				fprintf(stderr, "dtgen: --initrd takes "
						"IMAGE=PATH\n");
				return false;
			}
			*eq = '\0';
			a->initrd_path = eq + 1;
		} else {
			fprintf(stderr, "dtgen: unknown option '%s'\n", opt);
			return false;
		}
	}
	if (a->vm == NULL) {
		fprintf(stderr, "dtgen: --vm is required\n");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct dt_args a = { 0 };
	uint64_t initrd_start = 0;
	uint64_t initrd_end = 0;
	const struct cfg_vm *vm;
	FILE *f = stdout;
	int idx;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (!parse_args(argc, argv, &a)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	idx = cfg_find_vm(&scenario, a.vm);
	if (idx < 0) {
		fprintf(stderr, "%s: error: no VM '%s'\n", label(), a.vm);
		return EXIT_INVALID;
	}
	vm = &scenario.vms[idx];
	if (vm->vcpu_count < 1 || vm->vcpu_count > CFG_MAX_VCPUS ||
	    vm->device_count > CFG_MAX_DEVICES || vm->ram_count > CFG_MAX_RAM ||
	    vm->load_count > CFG_MAX_LOADS) {
		fprintf(stderr, "%s: error: VM '%s' has out-of-range counts\n",
			label(), a.vm);
		return EXIT_INVALID;
	}
	if (!windows_ok(vm) ||
	    !initrd_range(vm, &a, &initrd_start, &initrd_end)) {
		return EXIT_INVALID;
	}
	if (a.out != NULL) {
		f = fopen(a.out, "w");
		if (f == NULL) {
			fprintf(stderr, "dtgen: cannot write '%s': %s\n", a.out,
				strerror(errno));
			return EXIT_INVALID;
		}
	}
	emit(f, vm, &a, initrd_start, initrd_end);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "dtgen: cannot write '%s'\n", a.out);
		return EXIT_INVALID;
	}
	return 0;
}
