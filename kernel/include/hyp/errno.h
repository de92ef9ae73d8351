#pragma once
/**
 * Kernel error codes. Functions that can fail on bad input return 0 or one of
 * these negative values; only broken kernel invariants panic (CHECK() in panic.h).
 */
enum hyp_err {
	HYP_OK = 0,
	HYP_ENOMEM = -1,  /**< Out of pages or table space. */
	HYP_EINVAL = -2,  /**< Malformed argument (alignment, size, flags). */
	HYP_EEXIST = -3,  /**< Something is already mapped/registered there. */
	HYP_ERANGE = -4,  /**< Address outside the supported range. */
	HYP_ENOENT = -5,  /**< Nothing found at that address/name. */
	HYP_EPERM = -6,   /**< Caller is not allowed to do this. */
};

/** Human-readable name of an error code, for log lines. */
const char *hyp_strerror(int err);
