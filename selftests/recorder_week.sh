#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A flight recorder's week, for the tests that draw one (graph_test.sh,
# systemd_test.sh); source it.

# synth_week DIR [PER]: a recorder's last week in DIR as
# leakmon-recorder.service leaves it (record -i 60 --rotate-size 1M): 10080
# samples a minute apart, the last one now, PER of them (default 2520, 0.9
# MiB) in recorder.jsonl and the others in rotated files of PER before
# it, each named by the time of its rotation and gzip'ed, each opening with
# a header; SUnreclaim climbs and falls back each day
synth_week() {
	local dir=$1 per=${2:-2520} f t
	# awk writes the samples (bash's printf took 15 s under emulation), a
	# finished file as seg.T, T the time of its rotation
	awk -v dir="$dir" -v per="$per" -v now="$(date +%s)" 'BEGIN {
		f = ""
		for (i = 0; i < 10080; i++) {
			t = now - (10079 - i) * 60
			if (i == 0 || (10080 - i) % per == 0) {
				if (f != "") {
					close(f)
					system("mv \"" f "\" \"" dir "/seg." t "\"")
				}
				f = dir "/recorder.jsonl"
				printf "{\"type\":\"header\",\"format\":\"leakmon-record\",\"version\":2,\"host\":\"synth\",\"kernel\":\"6.1.0-57-amd64\",\"cli_version\":\"0.1.0\",\"module_version\":\"0.1.0\",\"interval_s\":60.000,\"duration_s\":null,\"top\":10,\"t\":%d.000}\n", t >f
			}
			printf "{\"type\":\"sample\",\"t\":%d.000,\"boot_ns\":%.0f,\"slab_bytes\":%d,\"sunreclaim_bytes\":%d,\"sreclaimable_bytes\":20000000,\"module\":true,\"reset_ns\":1000000000,\"objects\":40,\"live\":40,\"exited\":0,\"owners\":2,\"owners_exited\":0,\"top\":[{\"tgid\":412,\"start_ns\":9000000000,\"comm\":\"sshd\",\"uid\":0,\"exited\":false,\"live\":40,\"kinds\":{\"sock_inode\":20,\"file_blob\":20,\"sk_blob\":0}}]}\n", t, 10000000000 + i * 60000000000, 50000000 + i % 1440 * 1000, 30000000 + i % 1440 * 1000 >f
		}
		close(f)
	}' || return 1
	for f in "$dir"/seg.*; do
		t=$(date -u -d "@${f##*/seg.}" +%Y%m%dT%H%M%SZ)
		mv "$f" "$dir/recorder.jsonl-$t" && gzip -n "$dir/recorder.jsonl-$t" || return 1
	done
}

# week_out OUT: graph's summary in OUT counts 10,000 samples or more over
# 6.95 days or more, from the files of a directory
week_out() {
	local re=': ([0-9]+) samples.*from ([0-9-]+ [0-9:]+) to ([0-9-]+ [0-9:]+), ([0-9]+) files' a b
	[[ $(tr '\n' ' ' <"$1") =~ $re ]] || return 1
	a=$(date -d "${BASH_REMATCH[2]}" +%s) b=$(date -d "${BASH_REMATCH[3]}" +%s) || return 1
	echo "# samples ${BASH_REMATCH[1]}, span $(((b - a) / 60)) minutes, ${BASH_REMATCH[4]} files"
	[ "${BASH_REMATCH[1]}" -ge 10000 ] && [ $((b - a)) -ge $((695 * 864)) ]
}
