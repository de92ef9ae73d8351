/** Stage-2 TLB maintenance (Arm ARM D8.13 "TLB maintenance"). */
#include "arch/pte.h"
#include "arch/sysreg.h"
#include "hyp/s2.h"

void arch_s2_tlb_flush_vmid(uint16_t vmid)
{
	uint64_t saved = read_sysreg(vttbr_el2);

	/* TLBI VMALLS12E1IS acts on the VMID currently in VTTBR_EL2. */
	dsb_ishst();
	write_sysreg(vttbr_el2, (uint64_t)vmid << VTTBR_EL2_VMID_SHIFT);
	isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();
	isb();
	write_sysreg(vttbr_el2, saved);
	isb();
}
