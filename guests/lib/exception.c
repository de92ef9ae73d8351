/** Guest exception handling for tests (see guest/exception.h). */
#include "guest/exception.h"

#include "guest/console.h"
#include "guest/smccc.h"
#include "guest/test.h"

static bool expecting;
static enum exception_resume resume_how;
static struct exception_record record;

void guest_exception(struct guest_frame *f);

void exception_expect(enum exception_resume how)
{
	expecting = true;
	resume_how = how;
	record = (struct exception_record){ 0 };
}

const struct exception_record *exception_seen(void)
{
	return &record;
}

/* Vector offsets of IRQs taken from the current EL (SP0 and SPx). */
#define VECTOR_IRQ_SP0 0x080
#define VECTOR_IRQ_SPX 0x280

int guest_irq(void);

void guest_exception(struct guest_frame *f)
{
	if ((f->vector == VECTOR_IRQ_SP0 || f->vector == VECTOR_IRQ_SPX) &&
	    guest_irq()) {
		return;
	}
	if (!expecting) {
		printf("unexpected exception: vector 0x%llx ESR 0x%llx FAR 0x%llx "
		       "ELR 0x%llx\n",
		       (unsigned long long)f->vector, (unsigned long long)f->esr,
		       (unsigned long long)f->far, (unsigned long long)f->elr);
		test_check_failed(__FILE__, __LINE__, "no unexpected exception");
		test_finish();
	}
	expecting = false;
	record.count++;
	record.esr = f->esr;
	record.far = f->far;
	record.elr = f->elr;
	record.vector = f->vector;
	f->elr = resume_how == RESUME_AT_LR ? f->x[30] : f->elr + 4;
}
