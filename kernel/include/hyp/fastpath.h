#pragma once
/**
 * The two hot transitions of an emulated MMIO access, seL4 style: every
 * condition that could need the general code is checked first (guards); if
 * any fails, the slow-path twin runs instead. After the marked point of no
 * return nothing can fail.
 *
 *   guest load/store (ISV=1) -> service waiting       : fastpath_mmio
 *     twin: mmio_forward()
 *   service REPLY_RECV, single access without writeback, nothing queued
 *     -> guest                                         : fastpath_reply_recv
 *     twin: ipc_reply_recv()
 */
#include <stdint.h>

struct vcpu;
struct mmio_window;

struct vcpu *fastpath_mmio(struct vcpu *vcpu, uint64_t esr, uint64_t ipa,
			   const struct mmio_window *win);

struct vcpu *fastpath_reply_recv(struct vcpu *service);
