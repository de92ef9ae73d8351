/** Interrupt status registers the kernel keeps (see hyp/window_isr.h). */
#include "hyp/window_isr.h"

#include "abi/ipc.h"
#include "hyp/bitmap.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"

/* The status and acknowledge registers are 32-bit words (virtio 1.2
 * 4.2.2: InterruptStatus, InterruptACK). */
#define ISR_REG_BYTES 4U

static volatile uint32_t *isr_word(const struct mmio_window *win)
{
	return (volatile uint32_t *)mm_va_nc(win->shadow_pa) +
	       win->isr_status / ISR_REG_BYTES;
}

/*
 * The word becomes @p now; the line follows it, changed only when it
 * differs, or re-asserted if @p repend: asserting it makes the interrupt
 * pending again (a level-sensitive interrupt stays pending while its line
 * is high, IHI 0048B 4.3.8). Compared with the line, not the old word, so
 * that a line the service set otherwise (HYP_IRQ_LEVEL) cannot stay up
 * with the word 0 (an interrupt storm).
 */
static void isr_set(const struct mmio_window *win, uint32_t now, bool repend)
{
	bool up = now != 0;

	*isr_word(win) = now;
	if ((up && repend) ||
	    bitmap_test(win->client->vgic.spi_level, win->irq) != up) {
		vgic_line_set(win->client, win->irq, up);
	}
}

bool window_isr_ack(const struct mmio_window *win, uint64_t offset,
		    uint8_t width, uint64_t value)
{
	if (!win->isr_kept || offset != win->isr_ack ||
	    width != ISR_REG_BYTES) {
		return false;
	}
	/*
	 * Bits left (set after the guest read the word, or not acknowledged):
	 * the line is still up when the guest completes the interrupt it is
	 * handling, so it is pending again (pending and active until then),
	 * as a level-sensitive interrupt is (IHI 0048B 4.3.8). The vGIC does
	 * not resample a service's line at EOI (vgic_lr.c): without this the
	 * word would stay set with no interrupt to say so, for good.
	 */
	isr_set(win, *isr_word(win) & ~(uint32_t)value, true);
	return true;
}

static bool reg_ok(uint64_t offset, uint64_t limit)
{
	return offset % ISR_REG_BYTES == 0 && offset < limit;
}

struct vcpu *window_isr_declare(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	struct mmio_window *w = ep_window(&vcpu->vm->ep, x[1]);

	if (w != NULL && x[2] == IPC_ISR_NONE && x[3] == IPC_ISR_NONE) {
		w->isr_kept = false;
		return vcpu_answer(vcpu, IPC_OK);
	}
	/* Both in the page the client sees (rule H2: a one-page window). */
	if (w == NULL || w->shadow_ipa == 0 || w->irq == 0 ||
	    !reg_ok(x[2], PAGE_SIZE) || !reg_ok(x[3], PAGE_SIZE) ||
	    x[3] >= w->size) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	w->isr_status = (uint16_t)x[2];
	w->isr_ack = (uint16_t)x[3];
	w->isr_kept = true;
	/* The line follows the word from now on, whatever the service made
	 * it before (HYP_IRQ_LEVEL). */
	isr_set(w, *isr_word(w), false);
	return vcpu_answer(vcpu, IPC_OK);
}

struct vcpu *window_isr_update(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	struct mmio_window *w = ep_window(&vcpu->vm->ep, x[1]);

	if (w == NULL || !w->isr_kept) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	uint32_t now = (*isr_word(w) & ~(uint32_t)x[3]) | (uint32_t)x[2];

	isr_set(w, now, false);
	x[0] = IPC_OK;
	x[1] = now;
	return vcpu;
}
