#pragma once
/**
 * Where the Linux VM's pieces go in its IPA space (partition.h; the VM's
 * device tree is generated from the partition by tools/dtgen).
 * Linux boot protocol (Documentation/arch/arm64/booting.rst): Image 2 MiB
 * aligned with its image_size free after it, DTB 8-byte aligned and below
 * 512 MiB into RAM, initramfs anywhere in RAM clear of both.
 */
/* vCPUs of the linux scenario (linux-up: 1), numbered by MPIDR Aff0. */
#ifndef LINUX_VCPUS
#define LINUX_VCPUS 4
#endif
#define LINUX_RAM_BASE 0x40000000
#define LINUX_RAM_SIZE 0x10000000    /* 256 MiB */
#define LINUX_IMAGE_IPA 0x40200000
#define LINUX_INITRD_IPA 0x4e000000
#define LINUX_DTB_IPA 0x4fe00000
