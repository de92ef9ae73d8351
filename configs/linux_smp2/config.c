/**
 * The linux scenario with 2 vCPUs: what `scons bench` boots on 2 physical
 * CPUs (QEMU -smp 2) beside the same kernel on bare QEMU -smp 2 (its own
 * DTB lists 2 CPUs). Built only for the benchmark (scenarios: bench).
 */
#define LINUX_VCPUS 2
#include "../linux/config.c"
