/**
 * Each partition's debug console (see hyp/vm.h): its HYP_CALL_CONSOLE_*
 * calls, the line it builds, and the console line a console service
 * shares with the kernel's log.
 */
#include "hyp/vm.h"

#include <string.h>

#include "abi/console.h"
#include "hyp/board.h"
#include "hyp/log.h"
#include "lib/ascii.h"

void vm_console_flush(struct vm *vm)
{
	if (vm->console_len == 0) {
		return;
	}
	log_line_begin();
	log_raw("[", 1);
	log_raw(vm->cfg->name, strlen(vm->cfg->name));
	log_raw("] ", 2);
	log_raw(vm->console_line, vm->console_len);
	log_raw("\n", 1);
	log_line_end();
	vm->console_len = 0;
}

/* Append @p n characters to the line, ending it first if they do not fit. */
static void console_append(struct vm *vm, const char *c, uint32_t n)
{
	if (vm->console_len + n > VM_CONSOLE_LINE_MAX) {
		vm_console_flush(vm);
	}
	for (uint32_t i = 0; i < n; i++) {
		vm->console_line[vm->console_len++] = c[i];
	}
}

/*
 * Only printable ASCII and tabs reach the console: a control character
 * (ESC, CR, backspace...) could move the cursor over the "[name] " tag or
 * another line, so it is shown in caret notation ("^["); other bytes as
 * '?'. Each line starts with the tag, never with the VM's own bytes.
 */
void vm_console_write(struct vm *vm, const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == ASCII_LF) {
			vm_console_flush(vm);
		} else if (c == ASCII_CR) {
			/* Lines end at LF; a CR before it means nothing here. */
		} else if (ascii_printable(c) || c == ASCII_TAB) {
			console_append(vm, (const char *)&c, 1);
		} else if (ascii_control(c)) {
			const char caret[] = { ASCII_CARET, ascii_caret(c) };

			console_append(vm, caret, sizeof(caret));
		} else {
			console_append(vm, &(const char){ ASCII_NOT_SHOWN }, 1);
		}
	}
}

int64_t vm_console_share(struct vm *vm, uint64_t ipa)
{
	uint64_t avail = 0, uart = board()->uart_base;
	bool has_uart = false;

	/* Only a service the kernel's log UART is passed through to (D4). */
	for (size_t d = 0; d < vm->cfg->device_count; d++) {
		const struct cfg_device *dev = &vm->cfg->devices[d];

		has_uart |= dev->kind == CFG_DEV_PASSTHROUGH &&
			    uart >= dev->pa && uart - dev->pa < dev->size;
	}
	if (vm->cfg->kind != CFG_VM_SERVICE || !has_uart ||
	    ipa % HYP_CONSOLE_LINE_ALIGN != 0) {
		return HYP_RET_INVALID_PARAMS;
	}
	uint8_t *p = vm_ram_ptr(vm, ipa, &avail);

	/* Wholly in one RAM region: the kernel writes all of it. */
	if (p == NULL || avail < sizeof(struct hyp_console_line)) {
		return HYP_RET_INVALID_ADDRESS;
	}
	log_share_line(vm, (struct hyp_console_line *)p);
	if (vm->reset_count == 0) {
		log_info(
			"vm '%s' shares the console line with the kernel's log",
			vm->cfg->name);
	}
	return SMCCC_SUCCESS;
}

/* Chunk copied from guest memory per step of a console write. */
#define CONSOLE_CHUNK 128

static int64_t console_write(struct vcpu *vcpu, uint64_t ipa, uint64_t len)
{
	char buf[CONSOLE_CHUNK];
	uint64_t done = 0;

	if (len > HYP_CONSOLE_WRITE_MAX) {
		return HYP_RET_INVALID_PARAMS;
	}
	while (done < len) {
		uint64_t want =
			len - done < CONSOLE_CHUNK ? len - done : CONSOLE_CHUNK;
		uint64_t got = vm_read_guest(vcpu->vm, ipa_init(ipa + done),
					     buf, want);

		vm_console_write(vcpu->vm, buf, got);
		done += got;
		if (got < want) {
			return done ? (int64_t)done : HYP_RET_INVALID_ADDRESS;
		}
	}
	return (int64_t)done;
}

bool vm_console_call(struct vcpu *vcpu, uint32_t fid)
{
	uint64_t *x = vcpu->regs.x;

	switch (fid) {
	case HYP_CALL_CONSOLE_PUTC: {
		char c = (char)x[1];

		vm_console_write(vcpu->vm, &c, 1);
		vcpu_answer(vcpu, SMCCC_SUCCESS);
		return true;
	}
	case HYP_CALL_CONSOLE_WRITE:
		vcpu_answer(vcpu, console_write(vcpu, x[1], x[2]));
		return true;
	case HYP_CALL_CONSOLE_LINE:
		vcpu_answer(vcpu, vm_console_share(vcpu->vm, x[1]));
		return true;
	default:
		return false;
	}
}
