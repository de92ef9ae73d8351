/**
 * The linux scenario with one vCPU: what `scons bench` compares with the
 * same kernel on bare QEMU with one CPU (its own DTB lists one CPU).
 */
#define LINUX_VCPUS 1
#include "../linux/config.c"
