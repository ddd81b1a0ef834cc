// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon config, reset and version.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "status.h"

/* ---- config ---- */

/*
 * The options are the settable fields of LM_CONFIG_FIELDS, "--max-objects"
 * for max_objects; getopt_long() returns CONFIG_OPT + the field's index.
 */
#define CONFIG_OPT		256
#define CONFIG_OPT_SIZE		32
#define CONFIG_SYNOPSIS_WIDTH	72	/* as the other commands' usage */
#define CONFIG_HELP_COLUMN	24
#define CONFIG_HELP_WIDTH	80
#define CONFIG_LABEL_WIDTH	14

static void config_opt_name(char *buf, size_t size,
			    const struct lm_config_field_desc *f)
{
	snprintf(buf, size, "%s", f->name);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = '-';
}

/*
 * "--max-objects N"; a level's choices, "--restrict-read 0|1|2" (bash
 * completion offers the choices a help text lists so)
 */
static void config_opt_usage(char *buf, size_t size,
			     const struct lm_config_field_desc *f)
{
	char name[CONFIG_OPT_SIZE];
	int len;

	config_opt_name(name, sizeof(name), f);
	len = snprintf(buf, size, "--%s ", name);
	if (f->type == LM_CFG_TYPE_GID) {
		snprintf(buf + len, size - (size_t)len, "GROUP");
		return;
	}
	if (f->type != LM_CFG_TYPE_U8 || f->max - f->min > 9) {
		snprintf(buf + len, size - (size_t)len, "N");
		return;
	}
	for (uint32_t v = f->min; v <= f->max && (size_t)len < size; v++)
		len += snprintf(buf + len, size - (size_t)len, "%s%" PRIu32,
				v > f->min ? "|" : "", v);
}

/* Append " [word]" to the synopsis, on a new line if it would not fit */
static int synopsis_word(FILE *f, int col, int indent, const char *word)
{
	int len = (int)strlen(word) + 3;

	if (col + len > CONFIG_SYNOPSIS_WIDTH) {
		fprintf(f, "\n%*s", indent, "");
		return indent + fprintf(f, "[%s]", word);
	}
	return col + fprintf(f, " [%s]", word);
}

void usage_config(FILE *f)
{
	char opt[2 * CONFIG_OPT_SIZE], range[64];
	int indent, col;

	col = indent = fprintf(f, "Usage: leakmon config");
	indent++;
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		if (!lm_config_fields[i].settable)
			continue;
		config_opt_usage(opt, sizeof(opt), &lm_config_fields[i]);
		col = synopsis_word(f, col, indent, opt);
	}
	synopsis_word(f, col, indent, "--json");
	fprintf(f,
		"\n"
		"\n"
		"Without options, print the module's configuration.  With options,\n"
		"change it (needs CAP_NET_ADMIN) and print the new configuration.\n"
		"Lowering a limit keeps existing entries; only new ones are refused.\n"
		"\n");
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		const struct lm_config_field_desc *d = &lm_config_fields[i];

		if (!d->settable)
			continue;
		config_opt_usage(opt, sizeof(opt), d);
		col = fprintf(f, "  %-*s%s", CONFIG_HELP_COLUMN - 2, opt,
			      d->help);
		/* the range, on a line of its own if need be */
		if (d->type == LM_CFG_TYPE_GID)
			snprintf(range, sizeof(range), "(%s)", d->note);
		else
			snprintf(range, sizeof(range),
				 "(%" PRIu32 "..%" PRIu32 "%s%s)", d->min,
				 d->max, d->note[0] ? ", " : "", d->note);
		if (col + 1 + (int)strlen(range) > CONFIG_HELP_WIDTH)
			fprintf(f, "\n%*s%s", CONFIG_HELP_COLUMN, "", range);
		else
			fprintf(f, " %s", range);
		fputc('\n', f);
	}
	fprintf(f,
		"  -j, --json            one JSON document on stdout\n"
		"  -h, --help            this text\n");
}

/* A group: "none", a number (in f's range) or the name of a group */
static int config_gid(const char *opt, const struct lm_config_field_desc *f,
		      const char *arg, uint64_t *v)
{
	struct group *gr;

	if (!strcmp(arg, "none")) {
		*v = LEAKMON_READER_GID_NONE;
		return EXIT_OK;
	}
	if ((arg[0] >= '0' && arg[0] <= '9') || arg[0] == '-' || !arg[0])
		return cli_parse_num("config", opt, arg, f->min, f->max, v);
	errno = 0;
	gr = getgrnam(arg);
	if (!gr && errno)
		return cli_usage_error("config", "%s: looking up group '%s': %s",
				       opt, arg, strerror(errno));
	if (!gr)
		return cli_usage_error("config", "%s: no group named '%s'",
				       opt, arg);
	*v = gr->gr_gid;
	return EXIT_OK;
}

/* Parse a field's option into set, refusing a second, different value */
static int config_opt(struct lm_config *set,
		      const struct lm_config_field_desc *f, const char *arg)
{
	char opt[CONFIG_OPT_SIZE + 2] = "--";
	uint64_t v;
	int ret;

	config_opt_name(opt + 2, sizeof(opt) - 2, f);
	if (f->type == LM_CFG_TYPE_GID)
		ret = config_gid(opt, f, arg, &v);
	else
		ret = cli_parse_num("config", opt, arg, f->min, f->max, &v);
	if (ret)
		return ret;
	if ((set->present & f->bit) && lm_config_value(set, f) != v)
		return cli_usage_error("config",
				       "%s given twice with different values",
				       opt);
	lm_config_store(set, f, (uint32_t)v);
	return EXIT_OK;
}

static int config_parse_args(int argc, char **argv, struct lm_config *set,
			     bool *json)
{
	char names[LM_CFG_NFIELDS][CONFIG_OPT_SIZE];
	struct option opts[LM_CFG_NFIELDS + 3];
	unsigned int n = 0;
	int c, ret;

	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		if (!lm_config_fields[i].settable)
			continue;
		config_opt_name(names[i], sizeof(names[i]), &lm_config_fields[i]);
		opts[n++] = (struct option){ names[i], required_argument, NULL,
					     CONFIG_OPT + (int)i };
	}
	opts[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	memset(set, 0, sizeof(*set));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		if (c >= CONFIG_OPT && c < CONFIG_OPT + LM_CFG_NFIELDS) {
			ret = config_opt(set, &lm_config_fields[c - CONFIG_OPT],
					 optarg);
		} else if (c == 'j') {
			*json = true;
			ret = EXIT_OK;
		} else if (c == 'h') {
			usage_config(stdout);
			return -1;
		} else {
			return cli_bad_option("config", c, argv);
		}
		if (ret)
			return ret;
	}
	return cli_no_args("config", argc, argv);
}

void config_print_human(FILE *f, const struct lm_config *c)
{
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		const struct lm_config_field_desc *d = &lm_config_fields[i];
		uint32_t v = lm_config_value(c, d);
		struct group *gr;

		if (!(c->present & d->bit))
			continue;
		fprintf(f, "%-*s %" PRIu32, CONFIG_LABEL_WIDTH, d->name, v);
		/* a group by its name too, where this machine knows it */
		if (d->type == LM_CFG_TYPE_GID && v == LEAKMON_READER_GID_NONE)
			fputs(" (none)", f);
		else if (d->type == LM_CFG_TYPE_GID && (gr = getgrgid(v)))
			fprintf(f, " (%s)", gr->gr_name);
		fputc('\n', f);
	}
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
		config_print_human(stdout, &now);
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
