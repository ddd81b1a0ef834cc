/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The parsers' shared part (leakmon_parse.c), used by leakmon_parse.c and
 * leakmon_parse_dump.c only.
 */
#ifndef LM_PARSE_H
#define LM_PARSE_H

#include <libmnl/libmnl.h>

#include "lm_internal.h"

struct lm_attr_spec {
	enum mnl_attr_data_type type;	/* MNL_TYPE_UNSPEC: not known */
	const char *name;
};

#define LM_ATTR(attr, t)	[attr] = { MNL_TYPE_##t, #attr }

/* LEAKMON_A_*: the attributes of a message */
extern const struct lm_attr_spec lm_top_spec[LEAKMON_A_MAX + 1];

/*
 * 1: a known attribute, valid; 0: unknown, to be ignored; -1: a known
 * attribute with a bad length or content (err->detail says which).
 */
int lm_check_attr(const struct nlattr *a, const struct lm_attr_spec *spec,
		  unsigned int max, struct lm_error *err);

#define LM_CHECK(a, spec, err)						\
	lm_check_attr(a, spec, sizeof(spec) / sizeof(spec[0]) - 1, err)

/* Bytes left after the last whole attribute of a block are malformed */
void lm_copy_str(char *dst, size_t size, const struct nlattr *a);

/* Parse the attributes of nest with cb; what names the nest in errors */
int lm_parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb, void *data,
		  const char *what, struct lm_error *err);

/* Parse the attributes after the generic netlink header of nlh with cb */
int lm_parse_msg(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data,
		 struct lm_error *err);

/* err, or scratch if err is NULL; cleared */
struct lm_error *lm_err_or_scratch(struct lm_error *err,
				   struct lm_error *scratch);

#endif /* LM_PARSE_H */
