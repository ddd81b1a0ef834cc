// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the configuration settings, each defined once, as an entry of
 * config_table.h.  The entries make the module parameters (with their
 * checks), the policy of the LEAKMON_A_CONFIG nest, what
 * LEAKMON_CMD_SET_CONFIG changes and what the replies' LEAKMON_A_CONFIG
 * holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <net/netlink.h>

#include "leakmon.h"
#include "config.h"

/* Serialises writers of the configuration below. */
DEFINE_MUTEX(lm_config_mutex);

unsigned int lm_config[LM_SET_MAX] = {
#define LM_SETTING(_kind, _name, _default, ...)				\
	[LM_SET_##_name] = (_default),
#include "config_table.h"
#undef LM_SETTING
};

#define LM_HASH_BITS_MIN	8
#define LM_HASH_BITS_MAX	24
#define LM_MAXACTIVE_MAX	65536
#define LM_SCAN_INTERVAL_MAX	86400	/* seconds */
#define LM_SCAN_GRACE_MAX	3600
#define LM_CLOSING_MAX_MAX	86400

/**
 * enum lm_setting_kind - how a setting is reached (config_table.h says more)
 * @LM_SETTING_CONFIG: unsigned int module parameter and attribute
 * @LM_SETTING_CONFIG_LEVEL: unsigned int module parameter that also takes
 *                           a bool's spellings, and u8 attribute
 * @LM_SETTING_PARAM: unsigned int module parameter only
 * @LM_SETTING_SHOWN: unsigned int attribute, read only
 */
enum lm_setting_kind {
	LM_SETTING_CONFIG,
	LM_SETTING_CONFIG_LEVEL,
	LM_SETTING_PARAM,
	LM_SETTING_SHOWN,
};

/**
 * struct lm_setting - one configuration setting, an entry of config_table.h
 * @kind: enum lm_setting_kind
 * @zero_ok: 0 is taken besides @range
 * @minus_one: the parameter takes and shows -1 for U32_MAX
 * @attr: LEAKMON_CONFIG_A_*, 0 if none
 * @var: the variable, an unsigned int
 * @range: the values taken (lm_config_policy points here)
 */
struct lm_setting {
	u8 kind;
	bool zero_ok;
	bool minus_one;
	u16 attr;
	void *var;
	struct netlink_range_validation range;
};

/*
 * Not const: struct nla_policy's range pointer is not const on every
 * kernel leakmon supports, and lm_config_policy points in here.
 */
static struct lm_setting lm_settings[] __ro_after_init = {
#define LM_SETTING(_kind, _name, _def, _text, _attr, _min, _max, _mode, ...) \
	[LM_SET_##_name] = {						\
		.kind = LM_SETTING_##_kind,				\
		.attr = _attr,						\
		.var = &LM_CFG(_name),					\
		.range = { .min = _min, .max = _max },			\
		__VA_ARGS__						\
	},
#include "config_table.h"
#undef LM_SETTING
};

/* Called after a setting changed, lm_config_mutex held (lm_config_watch) */
static void (*lm_config_watchers[LM_SET_MAX])(void);

void lm_config_watch(enum lm_setting_id id, void (*fn)(void))
{
	lockdep_assert_held(&lm_config_mutex);
	lm_config_watchers[id] = fn;
}

/* Its attribute is a u8 */
static bool lm_setting_is_u8(const struct lm_setting *s)
{
	return s->kind == LM_SETTING_CONFIG_LEVEL;
}

/* LEAKMON_CMD_SET_CONFIG changes it */
static bool lm_setting_settable(const struct lm_setting *s)
{
	return s->kind == LM_SETTING_CONFIG ||
	       s->kind == LM_SETTING_CONFIG_LEVEL;
}

static void lm_setting_write(const struct lm_setting *s, unsigned int v)
{
	lockdep_assert_held(&lm_config_mutex);
	WRITE_ONCE(*(unsigned int *)s->var, v);
	if (lm_config_watchers[s - lm_settings])
		lm_config_watchers[s - lm_settings]();
}

/* ---- module parameters: kp->arg is the struct lm_setting ---- */

/* A parameter's value: 0, -ERANGE (said why) or another error */
static int lm_param_parse(const char *val, const struct kernel_param *kp,
			  unsigned int *v)
{
	const struct lm_setting *s = kp->arg;
	bool level = s->kind == LM_SETTING_CONFIG_LEVEL;
	bool b;
	int n;

	if (!val) {
		/* only a level gets here: the name alone, as for a bool */
		*v = 1;
		return 0;
	}
	if (s->minus_one && sysfs_streq(val, "-1")) {
		*v = U32_MAX;
		return 0;
	}
	if (!kstrtouint(val, 0, v))
		return 0;
	if (!kstrtoint(val, 0, &n)) {
		pr_err("%s: %d out of range %llu..%llu\n", kp->name, n,
		       s->range.min, s->range.max);
		return -ERANGE;
	}
	/* a level also takes what param_set_bool() takes: y, n, on, off */
	if (level && !kstrtobool(val, &b)) {
		*v = b;
		return 0;
	}
	pr_err("%s: not a number: '%s'\n", kp->name, val);
	return -EINVAL;
}

static int lm_param_set_uint(const char *val, const struct kernel_param *kp)
{
	const struct lm_setting *s = kp->arg;
	unsigned int v;
	int err;

	err = lm_param_parse(val, kp, &v);
	if (err)
		return err;
	if ((v || !s->zero_ok) && (v < s->range.min || v > s->range.max)) {
		pr_err("%s: %u out of range %llu..%llu\n", kp->name, v,
		       s->range.min, s->range.max);
		return -ERANGE;
	}
	mutex_lock(&lm_config_mutex);
	lm_setting_write(s, v);
	mutex_unlock(&lm_config_mutex);
	return 0;
}

/* The kernel's own get, on the variable (as param_array_get() does) */
static int lm_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct lm_setting *s = kp->arg;
	struct kernel_param p = *kp;

	if (s->minus_one && READ_ONCE(*(unsigned int *)s->var) == U32_MAX)
		return sysfs_emit(buffer, "-1\n");
	p.arg = s->var;
	return param_get_uint(buffer, &p);
}

static const struct kernel_param_ops lm_param_uint_ops = {
	.set = lm_param_set_uint,
	.get = lm_param_get,
};

/* As with param_ops_bool, the name alone ("restrict_read") means 1 */
static const struct kernel_param_ops lm_param_level_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = lm_param_set_uint,
	.get = lm_param_get,
};

/*
 * An entry's module parameter: what module_param_cb() and
 * MODULE_PARM_DESC() make (and the parmtype that module_param_named()
 * adds: a level is a uint that also takes y and n), then a function that
 * checks that the
 * variable has the kind's type, as module_param_named()'s param_check_*()
 * does.  The function comes last so that the entries need no semicolon
 * between them.  SHOWN has the check only.
 */
#define LM_PARAM_UINT(_name, _var, _mode, _text)			\
	module_param_cb(_name, &lm_param_uint_ops,			\
			&lm_settings[LM_SET_##_name], _mode);		\
	MODULE_INFO(parm, #_name ":" _text);				\
	static inline unsigned int __always_unused *lm_var_##_name(void) \
	{								\
		return &(_var);						\
	}
#define LM_PARAM_CONFIG LM_PARAM_UINT
#define LM_PARAM_PARAM LM_PARAM_UINT
#define LM_PARAM_CONFIG_LEVEL(_name, _var, _mode, _text)		\
	module_param_cb(_name, &lm_param_level_ops,			\
			&lm_settings[LM_SET_##_name], _mode);		\
	MODULE_INFO(parmtype, #_name ":uint");				\
	MODULE_INFO(parm, #_name ":" _text);				\
	static inline unsigned int __always_unused *lm_var_##_name(void) \
	{								\
		return &(_var);						\
	}
#define LM_PARAM_SHOWN(_name, _var, _mode, _text)			\
	static inline unsigned int __always_unused *lm_var_##_name(void) \
	{								\
		return &(_var);						\
	}

#define LM_SETTING(_kind, _name, _def, _text, _attr, _min, _max, _mode, ...) \
	LM_PARAM_##_kind(_name, lm_config[LM_SET_##_name], _mode, _text)
#include "config_table.h"
#undef LM_SETTING

/* ---- LEAKMON_A_CONFIG ---- */

#define LM_POLICY_CONFIG(_name, _attr, _text)				\
	[_attr] = NLA_POLICY_FULL_RANGE(NLA_U32,			\
					&lm_settings[LM_SET_##_name].range),
#define LM_POLICY_CONFIG_LEVEL(_name, _attr, _text)			\
	[_attr] = NLA_POLICY_FULL_RANGE(NLA_U8,				\
					&lm_settings[LM_SET_##_name].range),
#define LM_POLICY_SHOWN(_name, _attr, _text)				\
	[_attr] = { .type = NLA_REJECT, .reject_message = _text },
#define LM_POLICY_PARAM(_name, _attr, _text)

const struct nla_policy lm_config_policy[LEAKMON_CONFIG_A_MAX + 1] = {
#define LM_SETTING(_kind, _name, _def, _text, _attr, _min, _max, _mode, ...) \
	LM_POLICY_##_kind(_name, _attr, _text)
#include "config_table.h"
#undef LM_SETTING
};

static int lm_setting_put(struct sk_buff *skb, const struct lm_setting *s)
{
	if (lm_setting_is_u8(s))
		return nla_put_u8(skb, s->attr,
				  READ_ONCE(*(unsigned int *)s->var));
	return nla_put_u32(skb, s->attr, READ_ONCE(*(unsigned int *)s->var));
}

int lm_config_put(struct sk_buff *skb)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, LEAKMON_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(lm_settings); i++) {
		if (lm_settings[i].attr &&
		    lm_setting_put(skb, &lm_settings[i])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

int lm_config_set(const struct nlattr *cfg, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[LEAKMON_CONFIG_A_MAX + 1];
	const struct lm_setting *s;
	bool given = false;
	unsigned int i;
	int err;

	/* Already validated by the policy; this only splits the nest. */
	err = nla_parse_nested(tb, LEAKMON_CONFIG_A_MAX, cfg, lm_config_policy,
			       extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(lm_settings); i++) {
		s = &lm_settings[i];
		if (lm_setting_settable(s) && tb[s->attr])
			given = true;
	}
	if (!given) {
		NL_SET_ERR_MSG_ATTR(extack, cfg,
				    "no configuration attribute given");
		return -EINVAL;
	}
	mutex_lock(&lm_config_mutex);
	for (i = 0; i < ARRAY_SIZE(lm_settings); i++) {
		s = &lm_settings[i];
		if (!lm_setting_settable(s) || !tb[s->attr])
			continue;
		lm_setting_write(s, lm_setting_is_u8(s) ?
				 nla_get_u8(tb[s->attr]) :
				 nla_get_u32(tb[s->attr]));
	}
	mutex_unlock(&lm_config_mutex);
	return 0;
}
