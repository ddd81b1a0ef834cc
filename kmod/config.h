/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the configuration settings (config.c).  One table gives each
 * setting's variable, range, module parameter and LEAKMON_A_CONFIG
 * attribute; the module parameters, the policy of the LEAKMON_A_CONFIG
 * nest, LEAKMON_CMD_SET_CONFIG's changes and the nest of the replies all
 * come from it.
 */
#ifndef _LEAKMON_CONFIG_H
#define _LEAKMON_CONFIG_H

#include <net/netlink.h>

#include "leakmon.h"

/* What LEAKMON_A_CONFIG takes in a LEAKMON_CMD_SET_CONFIG request */
extern const struct nla_policy lm_config_policy[LEAKMON_CONFIG_A_MAX + 1];

/**
 * lm_config_put() - add the configuration to a message
 * @skb: the message
 *
 * Adds the nest LEAKMON_A_CONFIG with an attribute a setting that has one,
 * in the order of the table.
 *
 * Return: 0, or -EMSGSIZE (nothing added).
 */
int lm_config_put(struct sk_buff *skb);

/**
 * lm_config_set() - change the configuration as a request asks
 * @cfg: LEAKMON_A_CONFIG of the request, validated by lm_config_policy
 * @extack: where to say what was wrong
 *
 * Sets every setting @cfg has an attribute of, all under lm_config_mutex.
 *
 * Return: 0; -EINVAL if @cfg sets nothing.
 */
int lm_config_set(const struct nlattr *cfg, struct netlink_ext_ack *extack);

#endif /* _LEAKMON_CONFIG_H */
