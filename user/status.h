/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LEAKMON_STATUS_H
#define LEAKMON_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "leakmon_nl.h"

/* Allocations seen but not entered in the table, all reasons */
uint64_t kind_untracked(const struct lm_kind_totals *k);
/* Describe why tracking of a kind is incomplete; false if it is not */
bool kind_incomplete(const struct lm_kind_totals *k, char *buf, size_t size);
/* The "config" object of status and config --json */
void json_config(struct json *j, const char *key, const struct lm_config *c);

/* Output of `leakmon status` */
void status_print_human(FILE *f, const struct lm_totals *t,
			uint32_t genl_version, const struct meminfo *m);
void status_print_json(FILE *f, const struct lm_totals *t,
		       uint32_t genl_version, const struct meminfo *m);

#endif
