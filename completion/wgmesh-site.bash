# bash completion for wgmesh's controller commands: wgsite and wgpub. Installed as wgsite,
# with wgpub as a link to it. Options come from the command's own --help; host names from
# `wgsite list` of the site file on the line (else of the site files in this directory).
# COMPREPLY=($(compgen ...)) is the completion idiom: compgen prints one word a line, split on
# purpose (bash-completion does the same).
# shellcheck disable=SC2207

# The tokens of a --help text that are options: every word starting with - or --.
_wgsite_help_opts()
{
	"$@" --help 2>/dev/null | grep -oE '(^|[][[:space:],|(])--?[[:alnum:]][-[:alnum:]]*' |
		sed 's/^[^-]*//' | sort -u
}

# Site files: a *.yaml/*.yml word on the line that is a file, else such files here that
# have a global: map.
_wgsite_site_files()
{
	local i w f found=
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		((i == COMP_CWORD)) && continue
		[[ $w == *.y*ml && -f $w ]] && { printf '%s\n' "$w"; found=1; }
	done
	[[ -n $found ]] && return
	for f in ./*.yaml ./*.yml; do
		[[ -f $f ]] && grep -q '^global:' "$f" 2>/dev/null && printf '%s\n' "${f#./}"
	done
}

# Host names of the site files in STATE (wgsite list's column: active, removed).
_wgsite_hosts()
{
	local state=$1 f
	while read -r f; do
		"${COMP_WORDS[0]}" list "$f" 2>/dev/null | awk -v s="$state" 'NR > 1 && $5 == s { print $1 }'
	done < <(_wgsite_site_files)
}

_wgsite()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i w pos=() purge=
	COMPREPLY=()
	case $prev in
	--state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--domain | --locus | --ipv6 | --portbase | --asn-range | --dns | --route53-endpoint | -i)
		return ;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--purge) purge=1 ;;
		--state-dir | --domain | --locus | --ipv6 | --portbase | --asn-range | --dns | \
			--route53-endpoint | -i) ((i++)) ;;
		-*) ;;
		*) pos+=("$w") ;;
		esac
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_wgsite_help_opts "${COMP_WORDS[0]}")" -- "$cur"))
		return
	fi
	case ${pos[0]:-} in
	'')
		COMPREPLY=($(compgen -W 'init show list remove' -- "$cur"))
		COMPREPLY+=($(compgen -f -X '!*.y*ml' -- "$cur")) ;;
	remove)
		if ((${#pos[@]} == 1)); then
			# remove takes an active host; --purge one already removed
			local state=active
			[[ -n $purge ]] && state=removed
			COMPREPLY=($(compgen -W "$(_wgsite_hosts "$state")" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur"))
		fi ;;
	show)
		((${#pos[@]} >= 2)) && COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur")) ;;
	*)
		COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur")) ;;
	esac
}

_wgpub()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	--out-dir | --state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--zone-file | --tsig-key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--rfc2136 | --route53-endpoint | --serial) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_wgsite_help_opts "${COMP_WORDS[0]}")" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur"))
}

complete -F _wgsite wgsite
complete -F _wgpub wgpub
