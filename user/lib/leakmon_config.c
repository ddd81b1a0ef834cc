// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The configuration fields (LEAKMON_A_CONFIG): the table that
 * LM_CONFIG_FIELDS in leakmon_nl.h makes, and access to struct lm_config
 * through it.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include <libmnl/libmnl.h>

#include "lm_internal.h"

#define LM_CFG_SETTABLE_U32	true
#define LM_CFG_SETTABLE_U8	true
#define LM_CFG_SETTABLE_GID	true
#define LM_CFG_SETTABLE_RO	false
#define LM_CFG_TYPE_RO		LM_CFG_TYPE_U32

static_assert(LEAKMON_CONFIG_A_MAX <= 32,
	      "lm_config.present has a bit per attribute");

const struct lm_config_field_desc lm_config_fields[LM_CFG_NFIELDS] = {
#define LM_CFG_DESC(_name, _ATTR, _type, _min, _max, _help, _note)	\
	[LM_CFG_IDX_##_ATTR] = {					\
		.name = #_name,						\
		.attr = LEAKMON_CONFIG_A_##_ATTR,			\
		.bit = LM_CFG_##_ATTR,					\
		.type = LM_CFG_TYPE_##_type,				\
		.settable = LM_CFG_SETTABLE_##_type,			\
		.min = _min,						\
		.max = _max,						\
		.help = _help,						\
		.note = _note,						\
		.offset = offsetof(struct lm_config, _name),		\
	},
	LM_CONFIG_FIELDS(LM_CFG_DESC)
#undef LM_CFG_DESC
};

/* The member's type is the field's (a bool's must be a uint8_t) */
#define LM_CFG_CHECK(n, ATTR, type, ...)				\
	static_assert(sizeof(((struct lm_config *)0)->n) ==		\
		      sizeof(LM_CFG_CTYPE_##type), #n);
LM_CONFIG_FIELDS(LM_CFG_CHECK)
#undef LM_CFG_CHECK

const struct lm_config_field_desc *lm_config_field_by_attr(uint16_t attr)
{
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++)
		if (lm_config_fields[i].attr == attr)
			return &lm_config_fields[i];
	return NULL;
}

uint32_t lm_config_value(const struct lm_config *c,
			 const struct lm_config_field_desc *f)
{
	const char *p = (const char *)c + f->offset;

	if (f->type == LM_CFG_TYPE_U8)
		return *(const uint8_t *)p;
	return *(const uint32_t *)p;
}

void lm_config_store(struct lm_config *c,
		     const struct lm_config_field_desc *f, uint32_t v)
{
	char *p = (char *)c + f->offset;

	if (f->type == LM_CFG_TYPE_U8)
		*(uint8_t *)p = (uint8_t)v;
	else
		*(uint32_t *)p = v;
	c->present |= f->bit;
}

int lm_config_check_set(const struct lm_config *set, struct lm_error *err)
{
	uint32_t known = 0;

	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		const struct lm_config_field_desc *f = &lm_config_fields[i];

		known |= f->bit;
		if ((set->present & f->bit) && !f->settable) {
			err->err = EINVAL;
			return lm_error_set(err, LM_ERR_LOCAL,
					    "%s cannot be set", f->name);
		}
	}
	if (set->present & ~known) {
		err->err = EINVAL;
		return lm_error_set(err, LM_ERR_LOCAL,
				    "unknown configuration fields 0x%" PRIx32,
				    set->present & ~known);
	}
	return LM_OK;
}

void lm_config_put_attrs(struct nlmsghdr *nlh, const struct lm_config *set)
{
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		const struct lm_config_field_desc *f = &lm_config_fields[i];

		if (!(set->present & f->bit))
			continue;
		if (f->type == LM_CFG_TYPE_U8)
			mnl_attr_put_u8(nlh, f->attr,
					(uint8_t)lm_config_value(set, f));
		else
			mnl_attr_put_u32(nlh, f->attr, lm_config_value(set, f));
	}
}
