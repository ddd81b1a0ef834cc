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
/* `leakmon config`: a line a field present, "max_objects    1048576" */
void config_print_human(FILE *f, const struct lm_config *c);

/* A reachability pass (cmd_scan.c): unreachable objects, all kinds */
uint64_t scan_unreachable(const struct lm_scan *s);
/* How long before now_ns (CLOCK_BOOTTIME) the pass ended */
uint64_t scan_age_ns(const struct lm_scan *s, uint64_t now_ns);
void scan_print_human(FILE *f, const struct lm_scan *s, uint64_t now_ns);
/* The pass as an object under key, null if none has run */
void json_scan(struct json *j, const char *key, const struct lm_scan *s,
	       uint64_t now_ns);

/* Output of `leakmon status` */
void status_print_human(FILE *f, const struct lm_totals *t,
			uint32_t genl_version, const struct meminfo *m);
void status_print_json(FILE *f, const struct lm_totals *t,
		       uint32_t genl_version, const struct meminfo *m);

#endif
