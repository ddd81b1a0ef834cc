#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Keeps the leakmon(8) page (Documentation/leakmon.8) honest, as TAP, on the
# host (no module needed):
#   - mandoc -Tlint -W warning and groff -man -ww report nothing;
#   - every command listed by 'leakmon --help' has a SYNOPSIS entry and a
#     COMMANDS subsection, and every long option (and short/long pair,
#     range and default) printed by 'leakmon <command> --help' is there;
#   - every JSON key the CLI can print (the key literals of the json_*()
#     calls in user/*.c, the configuration fields of LM_CONFIG_FIELDS in
#     user/lib/leakmon_nl.h, and the kind names of user/lib/leakmon_error.c)
#     is described under OUTPUT, in the section of the command that prints
#     it (for leakmon record, "Recording file");
#   - every column header of 'leakmon top' is described;
#   - every exit status (0..5 and enum cli_exit in user/cli.h) is described.
# The page is rendered with mandoc (or groff) to plain text with bold marked
# by overstriking, so names count only where the page sets them in bold.
#
# Environment: LEAKMON_CLI (default user/leakmon, built if missing).
# Needs mandoc (Debian package mandoc), groff and perl.
# Exit status: 0 if every test passed, 1 otherwise.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAGE=$TOP/Documentation/leakmon.8
CLI=${LEAKMON_CLI:-$TOP/user/leakmon}

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

TAP_PREFIX="man: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
diag() {
	sed 's/^/# /'
}

if [ ! -x "$CLI" ] && [ -z "${LEAKMON_CLI:-}" ]; then
	make -s -C "$TOP/user" all >"$T/make.log" 2>&1 || diag <"$T/make.log"
fi

# ---- (a) linters ----

if command -v mandoc >/dev/null; then
	mandoc -Tlint -W warning "$PAGE" >"$T/lint" 2>&1
	rc=$?
	diag <"$T/lint"
	[ "$rc" -eq 0 ] && [ ! -s "$T/lint" ]
	ok $? "mandoc -Tlint -W warning reports nothing"
else
	echo "# mandoc is not installed (Debian: apt-get install mandoc)"
	ok 1 "mandoc -Tlint -W warning reports nothing"
fi

if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$PAGE" >"$T/groff" 2>&1
	rc=$?
	diag <"$T/groff"
	[ "$rc" -eq 0 ] && [ ! -s "$T/groff" ]
	ok $? "groff -man -Tutf8 -ww reports no warnings"
else
	echo "# groff is not installed (Debian: apt-get install groff-base)"
	ok 1 "groff -man -Tutf8 -ww reports no warnings"
fi

# ---- the rendered page ----

if command -v mandoc >/dev/null; then
	mandoc -Tascii -Owidth=80 "$PAGE" >"$T/page" 2>/dev/null
elif command -v groff >/dev/null; then
	GROFF_NO_SGR=1 groff -man -Tascii -P-c "$PAGE" >"$T/page" 2>/dev/null
fi
if [ ! -s "$T/page" ] || ! command -v perl >/dev/null; then
	echo "# cannot render the page (needs mandoc or groff, and perl)"
	ok 1 "the page renders"
	echo "1..$n"
	exit 1
fi

# pg MODE SECTION [SUBSECTION]: query the rendered page.  SECTION and
# SUBSECTION are anchored Perl regexes matched against the headings.
#   text   the plain text, as one line with single spaces
#   bold   the bold words, one per line
#   blocks the paragraphs, one per line: plain text, a tab, bold words
#   lines  the plain lines
# shellcheck disable=SC2016 # Perl code
PG='
use strict;
my ($mode, $sect, $sub) = @ARGV;
my ($cur, $cursub, @sel) = ("", "");
my @all = <STDIN>;
shift @all; pop @all while @all && $all[-1] !~ /\S/; pop @all;	# header, footer
for my $raw (@all) {
	chomp $raw;
	(my $plain = $raw) =~ s/.\x08//g;
	if ($plain =~ /^(\S.*?)\s*$/) { ($cur, $cursub) = ($1, ""); next; }
	if ($plain =~ /^ {3}(\S.*?)\s*$/) { $cursub = $1; next; }
	next unless $cur =~ /^(?:$sect)$/;
	next if defined $sub && $cursub !~ /^(?:$sub)$/;
	my @bold;
	while ($raw =~ /((?:([^\x08])\x08\2)+)/g) {
		(my $b = $1) =~ s/.\x08//g;
		push @bold, grep { length } split /\s+/, $b;
	}
	push @sel, [$plain, [@bold]];
}
if ($mode eq "text") {
	my $t = join " ", map { $_->[0] } @sel;
	$t =~ s/\s+/ /g; $t =~ s/^ | $//g;
	print "$t\n";
} elsif ($mode eq "bold") {
	for (@sel) {
		for my $w (@{$_->[1]}) {
			$w =~ s/^[^\w-]+|[^\w\/-]+$//g;
			print "$w\n" if length $w;
		}
	}
} elsif ($mode eq "lines") {
	print "$_->[0]\n" for @sel;
} elsif ($mode eq "blocks") {
	my ($t, @b) = ("");
	for (@sel, ["", []]) {
		if ($_->[0] =~ /\S/) { $t .= " $_->[0]"; push @b, @{$_->[1]}; next; }
		next unless $t =~ /\S/;
		$t =~ s/\s+/ /g; $t =~ s/^ | $//g;
		print "$t\t@b\n";
		($t, @b) = ("");
	}
}
'
pg() {
	perl -e "$PG" "$@" <"$T/page"
}

# missing FILE WORDS...: print the words that are not lines of FILE
missing() {
	local file=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" "$file" || echo "$w"
	done
}

# ---- (b) commands and options ----

"$CLI" --help >"$T/main.help" 2>&1
mapfile -t cmds < <(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' \
	"$T/main.help")
echo "# commands of 'leakmon --help': ${cmds[*]:-none}"

pg blocks 'SYNOPSIS' >"$T/syn.blocks"
pg bold 'SYNOPSIS' >"$T/syn.bold"
pg bold 'COMMANDS' >"$T/cmds.bold"
bad=()
for c in "${cmds[@]}"; do
	grep -q "^leakmon $c\\b" "$T/syn.blocks" || bad+=("$c: no SYNOPSIS entry")
	[ -n "$(pg text 'COMMANDS' "leakmon $c")" ] ||
		bad+=("$c: no COMMANDS subsection 'leakmon $c'")
done
printf '%s\n' "${bad[@]}" | grep . | diag
[ "${#cmds[@]}" -ge 1 ] && [ "${#bad[@]}" -eq 0 ]
ok $? "every command has a SYNOPSIS entry and a COMMANDS subsection"

# Options of leakmon itself (leakmon --help): in SYNOPSIS and COMMANDS
mapfile -t opts < <(grep -oE -- '--[a-z][a-z0-9-]*' "$T/main.help" | sort -u)
{
	missing "$T/syn.bold" "${opts[@]}" | sed 's/$/ (SYNOPSIS)/'
	missing "$T/cmds.bold" "${opts[@]}" | sed 's/$/ (COMMANDS)/'
} >"$T/miss"
diag <"$T/miss"
[ "${#opts[@]}" -ge 1 ] && [ ! -s "$T/miss" ]
ok $? "options of 'leakmon --help' are documented (${opts[*]})"

for c in "${cmds[@]}"; do
	help=$T/$c.help
	if ! "$CLI" "$c" --help >"$help" 2>&1; then
		diag <"$help"
		ok 1 "'leakmon $c --help' works"
		continue
	fi
	mapfile -t opts < <(grep -oE -- '--[a-z][a-z0-9-]*' "$help" | sort -u)
	: >"$T/miss"
	if ! head -n 1 "$help" | grep -q "^Usage: leakmon $c\\b"; then
		# 'help --help' prints the usage of leakmon itself
		missing "$T/cmds.bold" "${opts[@]}" | sed 's/$/ (COMMANDS)/' \
			>>"$T/miss"
	else
		pg bold 'COMMANDS' "leakmon $c" >"$T/sub.bold"
		sub=$(pg text 'COMMANDS' "leakmon $c")
		grep "^leakmon $c\\b" "$T/syn.blocks" | cut -f2 | tr ' ' '\n' \
			>"$T/block.bold"
		missing "$T/sub.bold" "${opts[@]}" |
			sed "s/\$/ (COMMANDS, leakmon $c)/" >>"$T/miss"
		for o in "${opts[@]}"; do
			[ "$o" = --help ] && continue
			grep -qxF -- "$o" "$T/block.bold" ||
				echo "$o (SYNOPSIS, leakmon $c)" >>"$T/miss"
		done
		# "-n, --limit": the short and long forms together
		while read -r pair; do
			grep -qF -- "$pair" <<<"$sub" ||
				echo "'$pair' (COMMANDS, leakmon $c)" >>"$T/miss"
		done < <(grep -oE -- '-[a-zA-Z], --[a-z][a-z0-9-]*' "$help")
		# ranges "1..67108864" and defaults "default 10"
		while read -r range; do
			grep -qF -- "$range" <<<"$sub" ||
				echo "range $range (COMMANDS, leakmon $c)" >>"$T/miss"
		done < <(grep -oE '[0-9]+(\.[0-9]+)?\.\.[0-9]+' "$help")
		while read -r def; do
			grep -qiE -- "default:? ${def#default }([^0-9]|\$)" <<<"$sub" ||
				echo "'$def' (COMMANDS, leakmon $c)" >>"$T/miss"
		done < <(grep -oE 'default [0-9]+' "$help")
	fi
	diag <"$T/miss"
	[ ! -s "$T/miss" ]
	ok $? "options of 'leakmon $c --help' are documented (${opts[*]})"
done

# ---- (c) JSON keys, from the source ----

# Per command, the JSON keys its cmd_<command>() can print: the key literals
# of the json_*() calls in the functions of user/*.c it calls, directly or
# not ("cmd_top rows", ...); keys of functions no command reaches follow
# "- ".  A function that prints the configuration fields from their table
# (json_*() calls and lm_config_fields in its body) has their names as keys:
# the first arguments of the entries of LM_CONFIG_FIELDS, the first file.
# shellcheck disable=SC2016 # Perl code
KEYS='
use strict;
my (%keys, %calls, %defined, @fields);
local $/;
{
	my $hdr = shift @ARGV;
	open my $fh, "<", $hdr or die "$hdr: $!";
	my $src = <$fh>;
	$src =~ /#define\s+LM_CONFIG_FIELDS\(F\)((?:[^\n]*\\\n)*[^\n]*)/
		or die "$hdr: no LM_CONFIG_FIELDS";
	my $list = $1;
	push @fields, $1 while $list =~ /\bF\(\s*(\w+)\s*,/g;
}
for my $file (@ARGV) {
	open my $fh, "<", $file or die "$file: $!";
	my $src = <$fh>;
	$src =~ s{/\*.*?\*/}{}gs;
	$src =~ s{//[^\n]*}{}g;
	while ($src =~ /^[A-Za-z_][\w \t*]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\{(.*?)^\}/msg) {
		my ($name, $body) = ($1, $3);
		$defined{$name} = 1;
		$keys{$name}{$1} = 1
			while $body =~ /\bjson_\w+\s*\(\s*&?\s*\w+\s*,\s*"([^"\\]+)"/g;
		if ($body =~ /\blm_config_fields\b/ && $body =~ /\bjson_\w+\s*\(/) {
			$keys{$name}{$_} = 1 for @fields;
		}
		$calls{$name}{$1} = 1 while $body =~ /\b(\w+)\s*\(/g;
	}
}
my %reached;
for my $cmd (grep { /^cmd_/ } sort keys %defined) {
	my (@todo, %seen) = ($cmd);
	while (defined(my $f = shift @todo)) {
		next if $seen{$f}++;
		$reached{$f} = 1;
		print "$cmd $_\n" for keys %{$keys{$f}};
		push @todo, grep { $defined{$_} } keys %{$calls{$f}};
	}
}
for my $f (keys %keys) {
	print "- $_\n" for $reached{$f} ? () : keys %{$keys{$f}};
}
'
perl -e "$KEYS" "$TOP/user/lib/leakmon_nl.h" "$TOP"/user/*.c | sort -u >"$T/keys"
total=$(cut -d' ' -f2 "$T/keys" | sort -u | wc -l)
mapfile -t keycmds < <(cut -d' ' -f1 "$T/keys" | sort -u)
for cmd in "${keycmds[@]}"; do
	mapfile -t keys < <(sed -n "s/^$cmd //p" "$T/keys")
	if [ "$cmd" = - ]; then
		name="JSON keys no command reaches"
		sects='JSON output|.* --json'
	elif [ "$cmd" = cmd_record ]; then
		# its JSON is the recording's lines, not a --json document
		name="JSON keys of the lines leakmon record writes"
		sects='Recording file'
	else
		name="JSON keys of leakmon ${cmd#cmd_} --json"
		sects="${cmd#cmd_} --json"
	fi
	pg bold 'OUTPUT' "$sects" >"$T/json.bold"
	missing "$T/json.bold" "${keys[@]}" >"$T/miss"
	diag <"$T/miss"
	[ ! -s "$T/miss" ]
	ok $? "$name (${#keys[@]}, from user/*.c) are described under OUTPUT, $sects"
done
# The call graph above goes by function name: one name, one function
# shellcheck disable=SC2016 # Perl code
perl -e '
local $/;
my %files;
for my $file (@ARGV) {
	open my $fh, "<", $file or die "$file: $!";
	my $src = <$fh>;
	$src =~ s{/\*.*?\*/}{}gs;
	$src =~ s{//[^\n]*}{}g;
	(my $base = $file) =~ s{.*/}{};
	$files{$1}{$base} = 1
		while $src =~ /^[A-Za-z_][\w \t*]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\{/msg;
}
for my $name (sort keys %files) {
	my @in = sort keys %{$files{$name}};
	print "$name: @in\n" if @in > 1;
}' "$TOP"/user/*.c >"$T/dups"
diag <"$T/dups"
[ ! -s "$T/dups" ]
ok $? "function names are unique across user/*.c (the key graph needs it)"
# The kinds are JSON keys too (json_obj_open(j, lm_kind_name(k)))
mapfile -t kinds < <(perl -0777 -ne \
	'if (/lm_kind_names\s*\[[^]]*\]\s*=\s*\{(.*?)\};/s) {
		my $b = $1; print "$1\n" while $b =~ /"([^"]+)"/g }' \
	"$TOP/user/lib/leakmon_error.c")
pg bold 'OUTPUT' 'JSON output|.* --json' >"$T/json.bold"
pg bold 'DESCRIPTION' >"$T/desc.bold"
{
	missing "$T/json.bold" "${kinds[@]}" | sed 's/$/ (OUTPUT)/'
	missing "$T/desc.bold" "${kinds[@]}" | sed 's/$/ (DESCRIPTION)/'
} >"$T/miss"
diag <"$T/miss"
[ "${#kinds[@]}" -ge 1 ] && [ ! -s "$T/miss" ]
ok $? "kind names of user/lib/leakmon_error.c are described (${kinds[*]})"
# A refactoring that hides the keys from the pattern above must not pass
echo "# $total JSON keys found in user/*.c"
[ "$total" -ge 40 ]
ok $? "the JSON keys were found in the source ($total)"

# ---- column headers of leakmon top ----

mapfile -t cols < <(grep -oE '"[A-Z]{3,}(/s)?"' "$TOP/user/cmd_top.c" |
	tr -d '"' | sort -u)
pg bold 'DESCRIPTION|OUTPUT' >"$T/out.bold"
missing "$T/out.bold" "${cols[@]}" >"$T/miss"
diag <"$T/miss"
[ "${#cols[@]}" -ge 1 ] && [ ! -s "$T/miss" ]
ok $? "column headers of leakmon top are described (${cols[*]})"

# ---- (d) exit status ----

mapfile -t codes < <({ seq 0 5
	sed -n '/^enum cli_exit/,/^};/s/.*EXIT_[A-Z_]*[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
		"$TOP/user/cli.h"; } | sort -nu)
pg lines 'EXIT STATUS' >"$T/exit.lines"
pg bold 'EXIT STATUS' >"$T/exit.bold"
for code in "${codes[@]}"; do
	# a bold tag "N" followed by its description (same or next line)
	awk -v c="$code" '
		found == 1 { if ($0 ~ /[[:alpha:]]/) found = 2; else exit }
		$1 == c && found == 0 {
			found = NF > 1 ? 2 : 1
		}
		END { exit found == 2 ? 0 : 1 }' "$T/exit.lines" &&
		grep -qx "$code" "$T/exit.bold"
	ok $? "exit status $code is described"
done

echo "1..$n"
exit "$failed"
