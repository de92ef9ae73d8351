#pragma once
/**
 * Memory barriers between the device's accesses to a ring and the driver's
 * (virtio 1.2 §2.7.13: the driver's side; the device needs the mirror
 * image). On the target, the guest and the service run on CPUs of the same
 * Inner Shareable domain: DMB ISH* (Arm ARM B2.3.12). On the host (tests,
 * fuzzer) a C11 fence of the same strength.
 */
#if defined(__aarch64__) && !defined(HYP_HOST)
/** Loads before it complete before loads and stores after it. */
#define virtio_rmb() __asm__ volatile("dmb ishld" ::: "memory")
/** Stores before it are seen before stores after it. */
#define virtio_wmb() __asm__ volatile("dmb ishst" ::: "memory")
/** Full barrier: stores before it are seen before loads after it. */
#define virtio_mb() __asm__ volatile("dmb ish" ::: "memory")
/** Stores before it have completed (a register shadow page) before the
 * hypervisor call after it is made: DSB ISHST (B2.3.12). */
#define virtio_publish() __asm__ volatile("dsb ishst" ::: "memory")
#else
#define virtio_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtio_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define virtio_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_publish() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
