// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon config, reset and version.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "status.h"

/* ---- config ---- */

void usage_config(FILE *f)
{
	fprintf(f,
		"Usage: leakmon config [--max-objects N] [--max-owners N]\n"
		"                      [--restrict-read 0|1] [--event-threshold N]\n"
		"                      [--event-rate N] [--event-queue-max N] [--json]\n"
		"\n"
		"Without options, print the module's configuration.  With options,\n"
		"change it (needs CAP_NET_ADMIN) and print the new configuration.\n"
		"Lowering a limit keeps existing entries; only new ones are refused.\n"
		"\n"
		"  --max-objects N       object table limit (1..%u)\n"
		"  --max-owners N        owner table limit (1..%u)\n"
		"  --restrict-read 0|1   1: reading needs CAP_NET_ADMIN too\n"
		"  --event-threshold N   alert when an owner holds N live objects\n"
		"                        (0..%u, 0: off; see leakmon events)\n"
		"  --event-rate N        most alerts sent per second (1..%u)\n"
		"  --event-queue-max N   most alerts waiting to be sent (1..%u)\n"
		"  -j, --json            one JSON document on stdout\n"
		"  -h, --help            this text\n",
		LEAKMON_MAX_OBJECTS_LIMIT, LEAKMON_MAX_OWNERS_LIMIT,
		LEAKMON_MAX_OBJECTS_LIMIT, LEAKMON_EVENT_RATE_LIMIT,
		LEAKMON_EVENT_QUEUE_LIMIT);
}

enum {
	OPT_MAX_OBJECTS = 256,
	OPT_MAX_OWNERS,
	OPT_RESTRICT_READ,
	OPT_EVENT_THRESHOLD,
	OPT_EVENT_RATE,
	OPT_EVENT_QUEUE_MAX,
};

static const struct option config_opts[] = {
	{ "max-objects",	required_argument,	NULL, OPT_MAX_OBJECTS },
	{ "max-owners",		required_argument,	NULL, OPT_MAX_OWNERS },
	{ "restrict-read",	required_argument,	NULL, OPT_RESTRICT_READ },
	{ "event-threshold",	required_argument,	NULL, OPT_EVENT_THRESHOLD },
	{ "event-rate",		required_argument,	NULL, OPT_EVENT_RATE },
	{ "event-queue-max",	required_argument,	NULL, OPT_EVENT_QUEUE_MAX },
	{ "json",		no_argument,		NULL, 'j' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse one setting into *field, refusing a second, different value */
static int config_opt(struct lm_config *set, uint32_t bit, uint32_t *field,
		      const char *opt, const char *arg, uint64_t max)
{
	uint64_t v;
	bool zero_ok = bit == LM_CFG_RESTRICT_READ ||
		       bit == LM_CFG_EVENT_THRESHOLD;
	int ret = cli_parse_num("config", opt, arg, zero_ok ? 0 : 1, max, &v);

	if (ret)
		return ret;
	if ((set->present & bit) && *field != v)
		return cli_usage_error("config",
				       "%s given twice with different values",
				       opt);
	*field = (uint32_t)v;
	set->present |= bit;
	return EXIT_OK;
}

static int config_parse_args(int argc, char **argv, struct lm_config *set,
			     bool *json)
{
	uint32_t restrict_read = 0;
	int c, ret;

	memset(set, 0, sizeof(*set));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", config_opts, NULL)) != -1) {
		switch (c) {
		case OPT_MAX_OBJECTS:
			ret = config_opt(set, LM_CFG_MAX_OBJECTS,
					 &set->max_objects, "--max-objects",
					 optarg, LEAKMON_MAX_OBJECTS_LIMIT);
			break;
		case OPT_MAX_OWNERS:
			ret = config_opt(set, LM_CFG_MAX_OWNERS,
					 &set->max_owners, "--max-owners",
					 optarg, LEAKMON_MAX_OWNERS_LIMIT);
			break;
		case OPT_RESTRICT_READ:
			ret = config_opt(set, LM_CFG_RESTRICT_READ,
					 &restrict_read, "--restrict-read",
					 optarg, 1);
			set->restrict_read = (uint8_t)restrict_read;
			break;
		case OPT_EVENT_THRESHOLD:
			ret = config_opt(set, LM_CFG_EVENT_THRESHOLD,
					 &set->event_threshold,
					 "--event-threshold", optarg,
					 LEAKMON_MAX_OBJECTS_LIMIT);
			break;
		case OPT_EVENT_RATE:
			ret = config_opt(set, LM_CFG_EVENT_RATE, &set->event_rate,
					 "--event-rate", optarg,
					 LEAKMON_EVENT_RATE_LIMIT);
			break;
		case OPT_EVENT_QUEUE_MAX:
			ret = config_opt(set, LM_CFG_EVENT_QUEUE_MAX,
					 &set->event_queue_max,
					 "--event-queue-max", optarg,
					 LEAKMON_EVENT_QUEUE_LIMIT);
			break;
		case 'j':
			*json = true;
			ret = EXIT_OK;
			break;
		case 'h':
			usage_config(stdout);
			return -1;
		default:
			return cli_bad_option("config", c, argv);
		}
		if (ret)
			return ret;
	}
	return cli_no_args("config", argc, argv);
}

static void config_human(const struct lm_config *c)
{
	if (c->present & LM_CFG_MAX_OBJECTS)
		printf("max_objects    %" PRIu32 "\n", c->max_objects);
	if (c->present & LM_CFG_MAX_OWNERS)
		printf("max_owners     %" PRIu32 "\n", c->max_owners);
	if (c->present & LM_CFG_RESTRICT_READ)
		printf("restrict_read  %u\n", c->restrict_read);
	if (c->present & LM_CFG_HASH_BUCKETS)
		printf("hash_buckets   %" PRIu32 "\n", c->hash_buckets);
	if (c->present & LM_CFG_EVENT_THRESHOLD)
		printf("event_threshold %" PRIu32 "\n", c->event_threshold);
	if (c->present & LM_CFG_EVENT_RATE)
		printf("event_rate     %" PRIu32 "\n", c->event_rate);
	if (c->present & LM_CFG_EVENT_QUEUE_MAX)
		printf("event_queue_max %" PRIu32 "\n", c->event_queue_max);
}

int cmd_config(int argc, char **argv)
{
	struct lm_config set, now;
	struct lm_handle *h;
	bool json = false;
	const char *op;
	int ret;

	ret = config_parse_args(argc, argv, &set, &json);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	if (set.present) {
		op = "set config";
		ret = lm_set_config(h, &set, &now);
	} else {
		op = "get config";
		ret = lm_get_config(h, &now);
	}
	if (ret != LM_OK) {
		ret = cli_fail(op, ret, lm_last_error(h));
		lm_close(h);
		return ret;
	}
	lm_close(h);

	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_config(&j, NULL, &now);
		json_finish(&j);
	} else {
		config_human(&now);
	}
	return EXIT_OK;
}

/* ---- reset ---- */

void usage_reset(FILE *f)
{
	fprintf(f,
		"Usage: leakmon reset\n"
		"\n"
		"Zero the event counters, global and per owner (needs CAP_NET_ADMIN).\n"
		"Live objects stay tracked; their counts are kept.\n"
		"\n"
		"  -h, --help   this text\n");
}

static const struct option help_only_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_reset(int argc, char **argv)
{
	struct lm_handle *h;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", help_only_opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option("reset", c, argv);
		usage_reset(stdout);
		return EXIT_OK;
	}
	ret = cli_no_args("reset", argc, argv);
	if (ret)
		return ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	ret = lm_reset(h);
	if (ret != LM_OK)
		ret = cli_fail("reset", ret, lm_last_error(h));
	else
		printf("counters reset\n");
	lm_close(h);
	return ret;
}

/* ---- version ---- */

void usage_version(FILE *f)
{
	fprintf(f,
		"Usage: leakmon version [--json]\n"
		"\n"
		"Print the version of this program and, when the module is loaded,\n"
		"of the module; warn on stderr when they differ.  A module that is\n"
		"not loaded is reported, not an error (exit 0).\n"
		"\n"
		"  -j, --json   one JSON document on stdout\n"
		"  -h, --help   this text\n");
}

static const struct option version_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void version_print(bool json, bool loaded, const char *module,
			  uint32_t genl_version)
{
	struct json j;

	if (!json) {
		printf("leakmon %s\n", LEAKMON_VERSION);
		if (loaded)
			printf("module %s (generic netlink family %s v%" PRIu32 ")\n",
			       module[0] ? module : "unknown",
			       LEAKMON_GENL_NAME, genl_version);
		else
			printf("module not loaded\n");
		return;
	}
	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_str(&j, "cli_version", LEAKMON_VERSION);
	json_bool(&j, "module_loaded", loaded);
	json_str(&j, "module_version", loaded && module[0] ? module : NULL);
	if (loaded)
		json_u64(&j, "genl_version", genl_version);
	else
		json_null(&j, "genl_version");
	json_obj_close(&j);
	json_finish(&j);
}

int cmd_version(int argc, char **argv)
{
	struct lm_handle *h;
	struct lm_totals t;
	struct lm_error err;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", version_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage_version(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("version", c, argv);
		}
	}
	ret = cli_no_args("version", argc, argv);
	if (ret)
		return ret;

	ret = lm_open(&h, &err);
	if (ret == LM_ERR_NOFAMILY) {
		version_print(json, false, "", 0);
		return EXIT_OK;
	}
	if (ret != LM_OK)
		return cli_fail("open", ret, &err);
	ret = lm_get_totals(h, &t);
	if (ret != LM_OK) {
		ret = cli_fail("get totals", ret, lm_last_error(h));
		lm_close(h);
		return ret;
	}
	version_print(json, true, t.version, lm_family(h)->version);
	if (t.version[0] && strcmp(t.version, LEAKMON_VERSION))
		fprintf(stderr,
			"leakmon: warning: this program is version %s but the module is %s\n",
			LEAKMON_VERSION, t.version);
	lm_close(h);
	return EXIT_OK;
}
