# bash completion for wgmesh's node commands: wgmesh-net, wgdeploy, wgconfig, wghost.
# Installed as wgmesh-net, with wgdeploy, wgconfig and wghost as links to it, so that
# bash-completion loads it on first use of any of them.
#
# Options are read from the command's own --help (and `wgmesh-net COMMAND --help`), so they
# follow the installed version; domains are the host state files <state-dir>/<domain>.yaml
# (--state-dir on the line, else /etc/wireguard).
# COMPREPLY=($(compgen ...)) is the completion idiom: compgen prints one word a line, split on
# purpose (bash-completion does the same).
# shellcheck disable=SC2207

# The tokens of a --help text that are options: every word starting with - or --.
_wgmesh_help_opts()
{
	"$@" --help 2>/dev/null | grep -oE '(^|[][[:space:],|(])--?[[:alnum:]][-[:alnum:]]*' |
		sed 's/^[^-]*//' | sort -u
}

# The --state-dir given on the line, or the default.
_wgmesh_state_dir()
{
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		if [[ ${COMP_WORDS[i]} == --state-dir ]]; then
			printf '%s\n' "${COMP_WORDS[i + 1]}"
			return
		fi
	done
	printf '%s\n' /etc/wireguard
}

# Domains with a host state file in the state directory.
_wgmesh_domains()
{
	local dir f
	dir=$(_wgmesh_state_dir)
	dir=${dir/#\~/$HOME}
	for f in "$dir"/*.yaml; do
		[[ -f $f ]] && grep -q '^host:' "$f" 2>/dev/null && { f=${f##*/}; printf '%s\n' "${f%.yaml}"; }
	done
}

# The value of an option that takes one, by its kind; returns 1 when PREV takes none.
_wgmesh_opt_value()
{
	local prev=$1 cur=$2
	case $prev in
	--state-dir | --bird-dir | --shorewall-dir | --nft-dir | --hook-dir | --out-dir)
		COMPREPLY=($(compgen -d -- "$cur")) ;;
	--dnsfetch | --metrics | --zone-file | --tsig-key)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	--dnsfetch-user)
		COMPREPLY=($(compgen -u -- "$cur")) ;;
	--firewall)
		COMPREPLY=($(compgen -W 'shorewall nftables none' -- "$cur")) ;;
	-i | -T)
		COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")) ;;
	--dns | --interval | --endpoint-timeout | --bfd-interval | -I | -o | -l | -P | -a | -h | --netns)
		COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

# The words before the cursor that are not options or their values: "$@" = the options
# that take a value.
_wgmesh_positionals()
{
	local i w takes=" $* "
	_wgmesh_pos=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			[[ $takes == *" $w "* ]] && ((i++))
		else
			_wgmesh_pos+=("$w")
		fi
	done
}

_wgmesh_net()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd=${COMP_WORDS[0]} sub
	local takes='--state-dir --dns --dnsfetch --dnsfetch-user --bird-dir --shorewall-dir --nft-dir
		--hook-dir --metrics --interval --endpoint-timeout --bfd-interval'
	COMPREPLY=()
	_wgmesh_opt_value "$prev" "$cur" && return
	# shellcheck disable=SC2086 # one option a word
	_wgmesh_positionals $takes
	if [[ ${cmd##*/} == wgdeploy ]]; then
		sub=up
	else
		sub=${_wgmesh_pos[0]:-}
		_wgmesh_pos=("${_wgmesh_pos[@]:1}")
	fi
	if [[ $cur == -* ]]; then
		if [[ -n $sub ]]; then
			COMPREPLY=($(compgen -W "$(_wgmesh_help_opts "$cmd" "$sub")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_wgmesh_help_opts "$cmd")" -- "$cur"))
		fi
		return
	fi
	case $sub in
	'')
		# the commands: the usage's lines "  NAME ..." up to the next unindented line
		COMPREPLY=($(compgen -W "$("$cmd" --help 2>/dev/null |
			sed -n '/^usage:/,/^[^ ]/ s/^  \([a-z][-a-z0-9.]*\) .*/\1/p')" -- "$cur")) ;;
	tester)
		if ((${#_wgmesh_pos[@]} == 0)); then
			COMPREPLY=($(compgen -W 'up down' -- "$cur"))
		elif ((${#_wgmesh_pos[@]} == 1)); then
			COMPREPLY=($(compgen -W "$(_wgmesh_domains)" -- "$cur"))
		fi ;;
	apply)
		if ((${#_wgmesh_pos[@]} == 0)); then
			COMPREPLY=($(compgen -f -- "$cur"))
		elif ((${#_wgmesh_pos[@]} == 1)); then
			COMPREPLY=($(compgen -W "$(_wgmesh_domains)" -- "$cur"))
		fi ;;
	*)
		((${#_wgmesh_pos[@]} == 0)) && COMPREPLY=($(compgen -W "$(_wgmesh_domains)" -- "$cur")) ;;
	esac
}

# wgconfig and wghost: options, then DOMAIN.
_wgmesh_hostcmd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	_wgmesh_opt_value "$prev" "$cur" && return
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_wgmesh_help_opts "${COMP_WORDS[0]}")" -- "$cur"))
		return
	fi
	_wgmesh_positionals --state-dir --dns --firewall --netns -i -T -I -o -l -P -a -h
	((${#_wgmesh_pos[@]} == 0)) && COMPREPLY=($(compgen -W "$(_wgmesh_domains)" -- "$cur"))
}

complete -F _wgmesh_net wgmesh-net wgdeploy
complete -F _wgmesh_hostcmd wgconfig wghost
