/** Names of kernel error codes for log lines. */
#include "hyp/errno.h"

const char *hyp_strerror(int err)
{
	switch (err) {
	case HYP_OK:
		return "ok";
	case HYP_ENOMEM:
		return "out of memory";
	case HYP_EINVAL:
		return "invalid argument";
	case HYP_EEXIST:
		return "already exists";
	case HYP_ERANGE:
		return "out of range";
	case HYP_ENOENT:
		return "not found";
	case HYP_EPERM:
		return "not permitted";
	default:
		return "unknown error";
	}
}
