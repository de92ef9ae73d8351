/**
 * The linux scenario with 8 vCPUs: what `scons bench` boots on 8 physical
 * CPUs (QEMU -smp 8) beside the same kernel on bare QEMU -smp 8 (its own
 * DTB lists 8 CPUs). Built only for the benchmark (scenarios: bench).
 */
#define LINUX_VCPUS 8
#include "../linux/config.c"
