#pragma once
/**
 * The GICv2 virtual interface control registers (GICH, IHI 0048B 5.3): list
 * registers, VMCR, APR, maintenance. Only the loaded guest vCPU's state is
 * in hardware; arch_vcpu_save/load move it with the vCPU.
 */
#include <stdbool.h>
#include <stdint.h>

struct vgic_cpu;

/** Enable the virtual CPU interface; returns the number of LRs. */
uint32_t gich_init(void);

/** Read back the LRs of @p c that are in use (state changes by the guest);
 * one the guest completed becomes 0, free, as vgic_cpu_sync() leaves it. */
void gich_sync(struct vgic_cpu *c);

/** Write @p c's LRs; @p underflow asks for a maintenance interrupt when
 * LRs free up (GICH_HCR.UIE). */
void gich_write(const struct vgic_cpu *c, bool underflow);

/** Save/restore VMCR and APR (the guest's PMR, BPR, enables, priorities). */
void gich_save_ctrl(uint32_t *vmcr, uint32_t *apr);
void gich_restore_ctrl(uint32_t vmcr, uint32_t apr);

/** Maintenance interrupt: stop asking for underflow. */
void gich_maintenance_ack(void);
