/*
 * A service never expects an exception: any one it takes is reported to
 * the kernel with its ESR/ELR/FAR, and the kernel stops (later: restarts)
 * the service.
 */
.macro report
	.balign	0x80
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	bl	ipc_fault
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global ipc_fault_vectors
ipc_fault_vectors:
	.rept	16
	report
	.endr
