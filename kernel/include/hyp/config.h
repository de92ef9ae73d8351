#pragma once
/**
 * Scenario configuration: one declarative, designated-initializer tree per
 * scenario (configs/<name>/config.c), in the manner of Bao's configs. The
 * build checks the tree against every rule (tools/config_validate.h, run by
 * tools/cfgcheck) and refuses a scenario that breaks one; the kernel checks
 * at boot only what keeps its own indexing safe and what depends on the
 * running machine (kernel/core/config_bounds.c).
 *
 * A scenario lists partitions. A partition is a guest VM or a device service
 * (deprivileged EL1 partition). Each has RAM regions in its own IPA space,
 * an image loaded into that RAM, and device windows: either a physical device
 * passed through, or a window emulated by a named service partition.
 */
#include <stddef.h>

#include "abi/gicd_sgir.h"

#define CFG_MAX_VMS 8
#define CFG_MAX_VCPUS 8
#define CFG_MAX_RAM 4
#define CFG_MAX_DEVICES 8
#define CFG_MAX_IRQS 8
#define CFG_MAX_LOADS 4
#define CFG_NAME_MAX 31
#define CFG_MAX_GRANTS 4
/** Physical CPUs: a GICv2 has at most 8 CPU interfaces (IHI 0048B 4.3.12). */
#define CFG_MAX_CPUS 8

/** What a partition is for. */
enum cfg_vm_kind {
	CFG_VM_GUEST = 0,   /**< A guest OS or test guest. */
	CFG_VM_SERVICE = 1, /**< A device-emulation service partition. */
};

/** A RAM region of a partition, backed by pages from the kernel's pool. */
struct cfg_ram {
	uint64_t ipa;  /**< Guest-physical base, 2 MiB aligned. */
	uint64_t size; /**< Bytes, multiple of 2 MiB. */
	/**
	 * Services only: kept as it is when the kernel restarts the service
	 * (zeroed once, at boot), so that device state can survive a crash
	 * (libipc: ipc_self_info(&self), then self.kept). No image is loaded into it.
	 */
	bool keep;
};

/** How a device window is backed. */
enum cfg_dev_kind {
	/** Physical device frames mapped straight into the partition. */
	CFG_DEV_PASSTHROUGH = 1,
	/** Accesses trap and are forwarded to a service partition. */
	CFG_DEV_EMULATED = 2,
	/**
	 * The platform's GIC virtual CPU interface (GICV): mapped to
	 * platform->gicv_base. Every guest may have one (it is banked: each
	 * vCPU's state lives in the list registers); size is gicv_size.
	 */
	CFG_DEV_GICV = 3,
};

/** A device window in a partition's IPA space. */
struct cfg_device {
	const char *name;       /**< For logs, e.g. "uart0". */
	enum cfg_dev_kind kind;
	uint64_t ipa;           /**< Page-aligned base in the partition. */
	uint64_t size;          /**< Page multiple. */
	uint64_t pa;            /**< PASSTHROUGH: physical base. */
	const char *service;    /**< EMULATED: name of the service partition. */
	/**
	 * EMULATED GIC distributor only: the kernel itself handles writes to
	 * GICD_SGIR (abi/gicd_sgir.h), so that a virtual IPI
	 * needs no IPC; every other access goes to the service.
	 */
	bool kernel_sgir;
	/**
	 * EMULATED: the guest's virtual SPI that the serving service raises
	 * and lowers for this device (HYP_IRQ_LEVEL); a service may drive no
	 * other interrupt of its clients. PASSTHROUGH: the device's SPI, also
	 * in the partition's irqs (passed through), for its device tree node
	 * (tools/dtgen.c); the kernel does not use it. 0 for none (rule D9).
	 */
	uint32_t irq;
	/**
	 * What the window holds, as a device tree "compatible" (e.g.
	 * "arm,pl011"), from which tools/dtgen.c writes the VM's node for
	 * it; NULL for a VM without a generated device tree. Not used by
	 * the kernel. A GICV window needs none: it is the GIC node's CPU
	 * interface.
	 */
	const char *compatible;
	/**
	 * EMULATED, one page, not kernel_sgir: where the serving service
	 * sees the window's read-only register shadow page in its own IPA
	 * space (0: none; rules H1-H4). The client's reads of the window
	 * then read that page without an exit; its writes still trap and
	 * go to the service, which keeps every readable register current
	 * there (ipc/virtio.h).
	 */
	uint64_t shadow_ipa;
};

/** A further image copied into a partition's RAM (a DTB, an initramfs). */
struct cfg_load {
	const char *image;      /**< Name in the scenario's image table. */
	uint64_t ipa;           /**< Where it is copied (inside RAM). */
};

/**
 * Service partitions only: RAM of a guest it serves, mapped into the
 * service's Stage 2 at boot (read/write, normal memory, not executable)
 * so that it can reach the guest's buffers (virtqueues). Never zeroed
 * when the service restarts (it is the guest's memory); the mapping
 * stays through the guest's resets (rules G1-G5).
 */
struct cfg_grant {
	const char *client;  /**< Guest whose RAM is granted; it has a window
				  served by this service. */
	uint64_t client_ipa; /**< Base inside ONE RAM region of the client
				  (page aligned). */
	uint64_t size;       /**< Page multiple, inside that region. */
	uint64_t ipa;        /**< Where the service sees it; overlapping none
				  of its RAM, windows or other grants. */
};

/** One partition. */
struct cfg_vm {
	const char *name;       /**< Unique, [a-z0-9_-], 1..CFG_NAME_MAX. */
	enum cfg_vm_kind kind;
	uint32_t vcpu_count;    /**< 1..CFG_MAX_VCPUS. */
	const char *image;      /**< Name of an image in the scenario's table. */
	uint64_t image_ipa;     /**< Where the image is copied (inside RAM). */
	uint64_t entry;         /**< vCPU 0 starts here (inside the image). */
	uint64_t entry_arg;     /**< x0 at entry (e.g. a DTB address). */
	struct cfg_load loads[CFG_MAX_LOADS]; /**< Images besides @c image. */
	size_t load_count;
	struct cfg_ram ram[CFG_MAX_RAM];
	size_t ram_count;
	struct cfg_device devices[CFG_MAX_DEVICES];
	size_t device_count;
	/**
	 * Physical IRQs (SPIs) it owns: a service is notified of each
	 * (IRQ_NOTIFY_BIT); a guest has each passed through, as the virtual
	 * SPI of the same INTID in its distributor (rules Q1-Q4).
	 */
	uint32_t irqs[CFG_MAX_IRQS];
	size_t irq_count;
	/** Services only: guest RAM it reaches (HYP_IPC_GRANT_INFO). */
	struct cfg_grant grants[CFG_MAX_GRANTS];
	size_t grant_count;
};

/**
 * The physical machine the scenario runs on. The build checks a scenario
 * against the board it expects (configs/platform/); at boot the kernel
 * reads the board it runs on from the device tree QEMU hands it and uses
 * that (hyp/board.h: which fields come from where).
 */
struct cfg_platform {
	const char *name;
	uint64_t ram_base;      /**< Physical RAM. */
	uint64_t ram_size;
	uint64_t hyp_reserved;  /**< Bytes of RAM kept by the kernel image. */
	uint64_t mmio_base;     /**< Device space a partition may be granted. */
	uint64_t mmio_size;
	uint64_t uart_base;     /**< The kernel's own log UART. */
	uint64_t gicv_base;     /**< GIC virtual CPU interface (GICV). */
	uint64_t gicv_size;
	uint32_t spi_first;     /**< Lowest grantable SPI ID. */
	uint32_t spi_last;      /**< Highest grantable SPI ID. */
	uint64_t pci_ecam_base; /**< PCIe ECAM, bus 0 (0: none). */
	uint64_t pci_mmio_base; /**< A free 32-bit PCI memory address. */
	uint64_t gic_base;      /**< The GIC frames the kernel drives (GICD, */
	uint64_t gic_size;      /**< GICC, GICH; 0: none): never granted. */
	uint64_t gicd_base;     /**< GICv2 distributor, CPU interface and */
	uint64_t gicc_base;     /**< hypervisor control interface: read */
	uint64_t gich_base;     /**< from the board at boot. */
	uint32_t cpu_count;     /**< Physical CPUs (board), boot CPU first, */
	uint64_t cpu_mpidr[CFG_MAX_CPUS]; /**< by MPIDR affinity. */
};

/** A whole scenario. */
struct cfg_scenario {
	const char *name;
	const struct cfg_platform *platform;
	struct cfg_vm vms[CFG_MAX_VMS];
	size_t vm_count;
};

/** An image the scenario may load: linked into the kernel, or a host file. */
struct cfg_image {
	const char *name;
	const uint8_t *data;   /**< NULL on the host, where only size matters. */
	uint64_t size;
};

/** Room for the message of cfg_check_bounds(), NUL included. */
#define CFG_BOUNDS_MSG_MAX 160

/**
 * The kernel's boot-time check (kernel/core/config_bounds.c): every count
 * within the arrays it sizes (partitions, vCPUs, RAM regions, loads,
 * devices, IRQs, grants), every partition named, every interrupt number it
 * indexes with within its table (owned IRQs, a window's guest SPI) and
 * every GICV window of the platform's gicv_size. Returns true if the
 * kernel can build the partitions without indexing out of bounds
 * (what it looks up by name it CHECKs where it does); otherwise false with
 * the first problem, naming the field, in @p why. Whatever it accepts,
 * cfg_validate() has stricter rules for.
 */
bool cfg_check_bounds(const struct cfg_scenario *sc, char *why,
		      size_t why_size);

/** Look up an image by name; NULL if absent. */
const struct cfg_image *cfg_find_image(const struct cfg_image *images,
				       size_t image_count, const char *name);

/** Index of the partition called @p name, or -1. */
int cfg_find_vm(const struct cfg_scenario *sc, const char *name);

/** The scenario this kernel image was built with (configs/<name>/config.c). */
extern const struct cfg_scenario scenario;
/** The images linked into this kernel image (generated by the build). */
extern const struct cfg_image scenario_images[];
extern const size_t scenario_image_count;
