// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon: report per-owner socket inode and LSM blob accounting kept by
 * the leakmon kernel module.
 */
#include <string.h>

#include "cli.h"

static void usage_help(FILE *f);
static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "status",	cmd_status,	usage_status,
	  "totals per kind, table use, slab memory" },
	{ "top",	cmd_top,	usage_top,
	  "owners ranked by live, unreachable objects or growth" },
	{ "config",	cmd_config,	usage_config,
	  "show or change the module's limits" },
	{ "scan",	cmd_scan,	usage_scan,
	  "find leaked objects: what no process holds" },
	{ "unreachable", cmd_unreachable, usage_unreachable,
	  "what the leaked objects are, per owner" },
	{ "reset",	cmd_reset,	usage_reset,
	  "zero the event counters" },
	{ "check",	cmd_check,	usage_check,
	  "one value for a monitoring system (Zabbix...)" },
	{ "prometheus",	cmd_prometheus,	usage_prometheus,
	  "metrics for node_exporter's textfile collector" },
	{ "growth",	cmd_growth,	usage_growth,
	  "slab growth per hour and the share tracked objects explain" },
	{ "events",	cmd_events,	usage_events,
	  "print the module's alerts as they happen" },
	{ "watch",	cmd_watch,	usage_watch,
	  "live full-screen view with a history of each owner" },
	{ "record",	cmd_record,	usage_record,
	  "sample totals, slab and top owners into a file" },
	{ "graph",	cmd_graph,	usage_graph,
	  "draw a recording as PNG or SVG" },
	{ "version",	cmd_version,	usage_version,
	  "versions of this program and of the module" },
	{ "help",	cmd_help,	usage_help,
	  "this text, or the help of a command" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage_main(FILE *f)
{
	fprintf(f,
		"Usage: leakmon <command> [options]\n"
		"       leakmon help [<command>] | --help | --version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Run 'leakmon <command> --help' for its options.\n"
		"Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 module not\n"
		"loaded, 4 permission denied, 5 protocol error, 7 no value yet\n"
		"(check), 8 timeout (events), 9 bad recording file (graph,\n"
		"record).\n");
}

static void usage_help(FILE *f)
{
	fprintf(f, "Usage: leakmon help [<command>]\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error("help", "unexpected argument '%s'",
				       argv[2]);
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	cmd->usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *name;

	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("leakmon %s\n", LEAKMON_VERSION);
		return EXIT_OK;
	}
	if (name[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", name);
	cmd = find_command(name);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", name);
	return cmd->run(argc - 1, argv + 1);
}
