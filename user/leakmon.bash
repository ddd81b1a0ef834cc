# SPDX-License-Identifier: GPL-2.0 OR MIT
# bash completion for leakmon(8).  Commands and options are read from the
# program's own help texts, so they never fall out of step with it.

_leakmon_cmds() {
	"$1" help 2>/dev/null |
		awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

# Options of a command, one per line as "--name ARG" (ARG empty for flags).
_leakmon_opts() {
	"$1" "$2" --help 2>/dev/null |
		sed -n 's/^ \{2,6\}\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\)\( \([^ ]*\)\)\{0,1\}.*/\2 \4/p'
}

_leakmon() {
	local cur prev words cword cmd i line opt arg
	_init_completion || return

	cmd=
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]}
			break
		fi
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--help --version' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_leakmon_cmds "$1")" -- "$cur")
		fi
		return
	fi
	if [[ $cmd == help ]]; then
		((cword == i + 1)) &&
			mapfile -t COMPREPLY < <(compgen -W "$(_leakmon_cmds "$1")" -- "$cur")
		return
	fi

	# The value of an option: the choices its help lists as a|b|c, a file
	# for FILE, nothing to offer for numbers.
	while read -r opt arg; do
		[[ $opt == "$prev" && -n $arg ]] || continue
		case $arg in
		*\|*) mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur") ;;
		FILE | PATH | DIR) _filedir ;;
		WHEN) mapfile -t COMPREPLY < <(compgen -W '1h 12h 1d 7d 30d' -- "$cur") ;;
		esac
		return
	done < <(_leakmon_opts "$1" "$cmd")

	if [[ $cur == -* ]]; then
		local opts=()
		while read -r opt arg; do opts+=("$opt"); done < <(_leakmon_opts "$1" "$cmd")
		mapfile -t COMPREPLY < <(compgen -W "${opts[*]} --help" -- "$cur")
	elif [[ $cmd == graph ]]; then
		_filedir	# recordings, or the directories that hold them
	fi
} &&
	complete -F _leakmon leakmon
