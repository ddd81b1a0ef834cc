// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libleakmon: errors and names, the bottom layer of the library (it calls
 * nothing of the rest): struct lm_error and the status strings, and the
 * name tables of the kinds, event commands and saturation reasons.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lm_internal.h"

static const char *const lm_kind_names[LM_NKINDS] = {
	[LEAKMON_KIND_SOCK_INODE]	= "sock_inode",
	[LEAKMON_KIND_FILE_BLOB]	= "file_blob",
	[LEAKMON_KIND_SK_BLOB]		= "sk_blob",
};

const char *lm_kind_name(unsigned int kind)
{
	return kind < LM_NKINDS ? lm_kind_names[kind] : NULL;
}

const char *lm_strstatus(int status)
{
	switch (status) {
	case LM_OK:		return "success";
	case LM_ERR_LOCAL:	return "local error";
	case LM_ERR_KERNEL:	return "kernel error";
	case LM_ERR_NOFAMILY:	return "generic netlink family not found";
	case LM_ERR_PROTO:	return "protocol error";
	}
	return "unknown status";
}

void lm_error_clear(struct lm_error *err)
{
	memset(err, 0, sizeof(*err));
}

int lm_error_set(struct lm_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return status;
}

int lm_error_errno(struct lm_error *err, int e, const char *what)
{
	err->err = e;
	return lm_error_set(err, LM_ERR_LOCAL, "%s", what);
}

const char *lm_event_name(unsigned int cmd)
{
	switch (cmd) {
	case LEAKMON_CMD_EVENT_THRESHOLD:	return "threshold";
	case LEAKMON_CMD_EVENT_ORPHANS:		return "exited";
	case LEAKMON_CMD_EVENT_SATURATED:	return "saturated";
	case LEAKMON_CMD_EVENT_UNREACHABLE:	return "unreachable";
	}
	return NULL;
}

const char *lm_saturation_name(unsigned int reason)
{
	switch (reason) {
	case LEAKMON_SATURATION_TABLE_FULL:	return "object_table_full";
	case LEAKMON_SATURATION_OWNERS_FULL:	return "owner_table_full";
	case LEAKMON_SATURATION_NOMEM:		return "nomem";
	}
	return NULL;
}
