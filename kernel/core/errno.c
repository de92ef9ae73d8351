/** Names of kernel error codes for log lines. */
#include "hyp/errno.h"
#include "hyp/units.h"

/** Indexed by the negated code (enum hyp_err counts down from 0). */
static const char *const err_names[] = {
	[-HYP_OK] = "ok",
	[-HYP_ENOMEM] = "out of memory",
	[-HYP_EINVAL] = "invalid argument",
	[-HYP_EEXIST] = "already exists",
	[-HYP_ERANGE] = "out of range",
	[-HYP_ENOENT] = "not found",
	[-HYP_EPERM] = "not permitted",
};

const char *hyp_strerror(int err)
{
	/* Compared before negating: -INT_MIN would overflow. */
	if (err > 0 || err <= -(int)ARRAY_SIZE(err_names)) {
		return "unknown error";
	}
	return err_names[-err];
}
