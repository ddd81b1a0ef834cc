// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the notifications: lm_parse_event and leakmon events output.
 */
#include "unit.h"

/* ---- notifications (lm_parse_event, leakmon events output) ---- */

struct nlmsghdr *event_msg(void *buf, const struct event_opts *eo)
{
	struct nlmsghdr *nlh = genl_msg(buf, eo->cmd);
	struct nlattr *n, *k;

	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = 0;
	if (eo->unknown)
		mnl_attr_put_u32(nlh, LEAKMON_A_MAX + 1, 5);
	n = mnl_attr_nest_start(nlh, LEAKMON_A_EVENT);
	mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_TIME_NS, 123456789);
	if (eo->long_tgid)
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_TGID, 141);
	else
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_TGID, 141);
	mnl_attr_put_strz(nlh, LEAKMON_EVENT_A_COMM,
			  eo->comm ? eo->comm : "apache2");
	if (eo->unknown)
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_MAX + 1, 1);
	if (eo->cmd == LEAKMON_CMD_EVENT_SATURATED) {
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_REASON,
				 LEAKMON_SATURATION_TABLE_FULL);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_KIND_ID,
				 LEAKMON_KIND_SK_BLOB);
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_OBJECTS, 1000);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_MAX_OBJECTS, 1000);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_OWNERS, 12);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_MAX_OWNERS, 65536);
	} else {
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_START_NS, 55);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_UID, 65534);
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_CGROUP_ID, 4321);
		if (eo->cmd == LEAKMON_CMD_EVENT_THRESHOLD) {
			mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_THRESHOLD, 500);
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_LIVE,
					 eo->count * LM_NKINDS);
		} else if (eo->cmd == LEAKMON_CMD_EVENT_UNREACHABLE) {
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_UNREACHABLE,
					 eo->count * LM_NKINDS);
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_NEW, eo->count);
		} else {
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_ORPHANS,
					 eo->count * LM_NKINDS);
		}
		for (uint32_t i = 0; i < LM_NKINDS + (eo->unknown ? 1 : 0); i++) {
			k = mnl_attr_nest_start(nlh, LEAKMON_EVENT_A_KIND);
			mnl_attr_put_u32(nlh, LEAKMON_OWNER_KIND_A_ID, i);
			mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_LIVE,
					 eo->count);
			mnl_attr_nest_end(nlh, k);
		}
	}
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static char *events_json_text(const struct lm_event *ev)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	events_json(f, ev);
	fclose(f);
	return text;
}

void test_events(void)
{
	struct event_opts eo = { .cmd = LEAKMON_CMD_EVENT_THRESHOLD,
				 .unknown = true, .count = 1000 };
	char line[256], *text;
	struct lm_error err;
	struct lm_event ev;
	bool found;
	int ret;

	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_THRESHOLD &&
	   ev.time_ns == 123456789 && ev.tgid == 141 && ev.start_ns == 55 &&
	   !strcmp(ev.comm, "apache2") && ev.uid == 65534 &&
	   ev.cgroup_id == 4321 && ev.threshold == 500 && ev.live == 3000 &&
	   ev.kind[0].present && ev.kind[2].present &&
	   ev.kind[1].count == 1000 &&
	   (ev.present & (LM_EVF_THRESHOLD | LM_EVF_LIVE | LM_EVF_UID)) ==
	   (LM_EVF_THRESHOLD | LM_EVF_LIVE | LM_EVF_UID) &&
	   !(ev.present & LM_EVF_ORPHANS),
	   "event: threshold, with unknown attributes and a future kind (%s)",
	   err.detail);
	events_format(line, sizeof(line), &ev, 123456789 + 5000000000ULL,
		      1000000);
	ok(strlen(line) <= 80 && strstr(line, "threshold apache2[141] ") &&
	   strstr(line, ": 3000 = sock 1000 fblob 1000 skblob 1000"),
	   "event: human line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) && strchr(text, '\n') == text + strlen(text) - 1 &&
	   strstr(text, "\"event\": \"threshold\"") &&
	   strstr(text, "\"kinds\": {\"sock_inode\": 1000, \"file_blob\": 1000, \"sk_blob\": 1000}") &&
	   strstr(text, "\"threshold\": 500") && strstr(text, "\"live\": 3000"),
	   "event: one JSON object on one line: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_ORPHANS;
	eo.comm = "a-very-long-command-name";
	eo.count = 123456789012ULL;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_ORPHANS &&
	   ev.orphans == 3 * eo.count && (ev.present & LM_EVF_ORPHANS) &&
	   !(ev.present & LM_EVF_LIVE) && strlen(ev.comm) == LM_COMM_SIZE - 1,
	   "event: exited (LEAKMON_CMD_EVENT_ORPHANS), comm truncated (%s)",
	   err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 && strstr(line, " exited ") &&
	   !strstr(line, "orphan"),
	   "event: long names and big counts fit 80 columns '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) && strstr(text, "\"event\": \"exited\"") &&
	   strstr(text, "\"live\": 370370367036") && !strstr(text, "orphan") &&
	   !strstr(text, "\"threshold\""), "event: exited JSON: %s",
	   text ? text : "(null)");
	free(text);
	eo.comm = NULL;

	eo.cmd = LEAKMON_CMD_EVENT_UNREACHABLE;
	eo.count = 1000;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_UNREACHABLE &&
	   ev.unreachable == 3000 && ev.added == 1000 &&
	   (ev.present & (LM_EVF_UNREACHABLE | LM_EVF_NEW)) ==
	   (LM_EVF_UNREACHABLE | LM_EVF_NEW) && ev.kind[2].count == 1000,
	   "event: unreachable (%s)", err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 &&
	   strstr(line, "unreachable apache2[141] ") &&
	   strstr(line, ": 3000 (+1000 since the last pass)"),
	   "event: unreachable line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) &&
	   strstr(text, "\"event\": \"unreachable\"") &&
	   strstr(text, "\"unreachable\": 3000") &&
	   strstr(text, "\"new\": 1000") && !strstr(text, "\"orphans\""),
	   "event: unreachable JSON: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_SATURATED;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.reason == LEAKMON_SATURATION_TABLE_FULL &&
	   ev.kind_id == LEAKMON_KIND_SK_BLOB && ev.objects == 1000 &&
	   ev.max_objects == 1000 && ev.owners == 12 &&
	   ev.max_owners == 65536 && !ev.kind[0].present,
	   "event: saturated (%s)", err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 &&
	   strstr(line, "saturated object table full: 1000/1000 objects"),
	   "event: saturated line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) &&
	   strstr(text, "\"reason\": \"object_table_full\"") &&
	   strstr(text, "\"kind\": \"sk_blob\""),
	   "event: saturated JSON: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_SATURATED + 7;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && !found, "event: an unknown command is skipped");
	ret = lm_parse_event(genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS), &ev,
			     &found, &err);
	ok(ret == LM_OK && !found, "event: a reply that is no event is skipped");
	ret = lm_parse_event(genl_msg(mb.buf, LEAKMON_CMD_EVENT_ORPHANS), &ev,
			     &found, &err);
	ok(ret == LM_OK && !found, "event: no LEAKMON_A_EVENT: skipped");

	eo.cmd = LEAKMON_CMD_EVENT_THRESHOLD;
	eo.long_tgid = true;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_ERR_PROTO && strstr(err.detail, "LEAKMON_EVENT_A_TGID"),
	   "event: wrong-length attribute rejected (%s)", err.detail);
	eo.long_tgid = false;
	{
		struct nlmsghdr *nlh = event_msg(mb.buf, &eo);

		/* cut the message inside its last attribute */
		nlh->nlmsg_len -= 6;
		ret = lm_parse_event(nlh, &ev, &found, &err);
		ok(ret == LM_ERR_PROTO, "event: truncated message rejected (%s)",
		   err.detail);
	}
}

/*
 * The lines of `leakmon events --json`, byte for byte: those of
 * Documentation/cli.md ("events --json"), with root for the user.
 */
void test_events_lines(void)
{
	struct lm_event ex = {
		.cmd = LEAKMON_CMD_EVENT_ORPHANS,
		.present = LM_EVF_TIME | LM_EVF_TGID | LM_EVF_START |
			   LM_EVF_COMM | LM_EVF_UID | LM_EVF_CGROUP |
			   LM_EVF_ORPHANS,
		.time_ns = 813000000000ULL, .tgid = 141,
		.start_ns = 800000000000ULL, .comm = "apache2", .uid = 0,
		.cgroup_id = 1, .orphans = 3000,
		.kind = { { true, 1000 }, { true, 1000 }, { true, 1000 } },
	};
	struct lm_event sat = {
		.cmd = LEAKMON_CMD_EVENT_SATURATED,
		.present = LM_EVF_TIME | LM_EVF_TGID | LM_EVF_COMM |
			   LM_EVF_REASON | LM_EVF_KIND_ID | LM_EVF_OBJECTS |
			   LM_EVF_MAX_OBJECTS | LM_EVF_OWNERS |
			   LM_EVF_MAX_OWNERS,
		.time_ns = 900000000000ULL, .tgid = 77, .comm = "lm_hold",
		.reason = LEAKMON_SATURATION_TABLE_FULL,
		.kind_id = LEAKMON_KIND_SOCK_INODE, .objects = 1000,
		.max_objects = 1000, .owners = 12, .max_owners = 65536,
	};
	struct lm_event bare = {
		.cmd = LEAKMON_CMD_EVENT_THRESHOLD,
		.present = LM_EVF_COMM, .comm = "a\"b\x01",
	};
	static const char want_ex[] =
		"{\"event\": \"exited\", \"time_ns\": 813000000000, "
		"\"tgid\": 141, \"comm\": \"apache2\", "
		"\"start_ns\": 800000000000, \"uid\": 0, \"user\": \"root\", "
		"\"cgroup_id\": 1, \"live\": 3000, \"kinds\": "
		"{\"sock_inode\": 1000, \"file_blob\": 1000, "
		"\"sk_blob\": 1000}}\n";
	static const char want_sat[] =
		"{\"event\": \"saturated\", \"time_ns\": 900000000000, "
		"\"tgid\": 77, \"comm\": \"lm_hold\", "
		"\"reason\": \"object_table_full\", \"kind\": \"sock_inode\", "
		"\"objects\": 1000, \"max_objects\": 1000, \"owners\": 12, "
		"\"max_owners\": 65536}\n";
	static const char want_bare[] =
		"{\"event\": \"threshold\", \"time_ns\": null, "
		"\"tgid\": null, \"comm\": \"a\\\"b\\u0001\", "
		"\"start_ns\": null, \"uid\": null, \"user\": null, "
		"\"cgroup_id\": null, \"threshold\": null, \"live\": null, "
		"\"kinds\": {}}\n";
	char *text;

	text = events_json_text(&ex);
	ok(text && !strcmp(text, want_ex),
	   "event: exited JSON line byte for byte: %s", text ? text : "(null)");
	free(text);
	text = events_json_text(&sat);
	ok(text && !strcmp(text, want_sat),
	   "event: saturated JSON line byte for byte: %s",
	   text ? text : "(null)");
	free(text);
	text = events_json_text(&bare);
	ok(text && !strcmp(text, want_bare),
	   "event: attributes not sent are null, no kinds {}: %s",
	   text ? text : "(null)");
	free(text);
}

static char *events_print_text(const struct lm_event *ev, bool json,
			       bool prefix)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	events_print(f, ev, json, prefix, 0, 1000000);
	fclose(f);
	return text;
}

/* --priority-prefix: "<N>" before each line, for journald (sd-daemon(3)) */
void test_events_priority(void)
{
	static const struct {
		uint8_t cmd;
		int prio;
		const char *name;
	} want[] = {
		{ LEAKMON_CMD_EVENT_UNREACHABLE, LOG_ERR, "unreachable" },
		{ LEAKMON_CMD_EVENT_SATURATED, LOG_WARNING, "saturated" },
		{ LEAKMON_CMD_EVENT_THRESHOLD, LOG_NOTICE, "threshold" },
		{ LEAKMON_CMD_EVENT_ORPHANS, LOG_INFO, "exited" },
	};
	struct event_opts eo = { .count = 1000 };
	char prefix[8], *plain, *text;
	struct lm_event ev;
	bool found;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		eo.cmd = want[i].cmd;
		lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, NULL);
		snprintf(prefix, sizeof(prefix), "<%d>", want[i].prio);
		plain = events_print_text(&ev, false, false);
		text = events_print_text(&ev, false, true);
		ok(found && events_priority(ev.cmd) == want[i].prio &&
		   plain && text && !strncmp(text, prefix, strlen(prefix)) &&
		   !strcmp(text + strlen(prefix), plain) &&
		   strstr(plain, want[i].name) && plain[0] != '<' &&
		   strchr(text, '\n') == text + strlen(text) - 1,
		   "event priority: %s is %s, one line: %s", want[i].name,
		   prefix, text ? text : "(null)");
		free(plain);
		free(text);
	}
	/* warning or above (a lower number): what journalctl -p warning shows */
	ok(events_priority(LEAKMON_CMD_EVENT_UNREACHABLE) <= LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_SATURATED) <= LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_THRESHOLD) > LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_ORPHANS) > LOG_WARNING,
	   "event priority: unreachable and saturated at warning or above, the others below");
	eo.cmd = LEAKMON_CMD_EVENT_UNREACHABLE;
	lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, NULL);
	text = events_print_text(&ev, true, true);
	ok(text && !strncmp(text, "<3>{", 4) && json_valid(text + 3),
	   "event priority: with --json, the prefix and then the object: %s",
	   text ? text : "(null)");
	free(text);
}

static struct nlmsghdr *ctrl_msg(uint8_t cmd, bool with_id, uint16_t id)
{
	struct nlmsghdr *nlh = genl_msg(mb.buf, cmd);

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = 0;
	if (with_id)
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, id);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LEAKMON_GENL_NAME);
	return nlh;
}

/* The module unloaded under leakmon events: nlctrl's DELFAMILY */
void test_family_gone(void)
{
	struct nlmsghdr *nlh;

	ok(lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, true, FAMILY_ID),
			       FAMILY_ID),
	   "family gone: CTRL_CMD_DELFAMILY of the family");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, true,
					 FAMILY_ID + 1), FAMILY_ID),
	   "family gone: not for another family's DELFAMILY");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_NEWFAMILY, true, FAMILY_ID),
				FAMILY_ID) &&
	   !lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELMCAST_GRP, true,
					 FAMILY_ID), FAMILY_ID),
	   "family gone: not for NEWFAMILY or DELMCAST_GRP");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, false, 0), 0),
	   "family gone: not without CTRL_ATTR_FAMILY_ID");
	nlh = ctrl_msg(CTRL_CMD_DELFAMILY, true, FAMILY_ID);
	nlh->nlmsg_type = FAMILY_ID;
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: only from nlctrl (GENL_ID_CTRL)");
	nlh = genl_msg(mb.buf, CTRL_CMD_DELFAMILY);
	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_attr_put_u32(nlh, CTRL_ATTR_FAMILY_ID, FAMILY_ID);
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: a CTRL_ATTR_FAMILY_ID of the wrong size is not taken");
	nlh = mnl_nlmsg_put_header(mb.buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: a message without a genl header is not taken");
}
