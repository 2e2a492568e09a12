#!/usr/bin/env bash
# Builds wgmesh and runs every test: all suites in build/, then the unit suite again in
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer. Ends with the line
# "N passed, N failed". Root is needed for the namespace and VM suites (they skip otherwise);
# as root it first installs the Debian packages that are missing (tests/lib/packages.list).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [ "$(id -u)" = 0 ]; then
	tests/lib/install-missing.sh --tests || { echo "0 passed, 1 failed"; exit 1; }
else
	tests/lib/install-missing.sh --tests || echo "run.sh: not root: the tests needing those will fail or skip"
fi

build() { # dir, extra meson options...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
}

count() { # testlog.json -> "passed failed"
	local log=$1 p f
	p=$(grep -c '"result": "OK"' "$log" 2>/dev/null)
	f=$(grep -cE '"result": "(FAIL|TIMEOUT|UNEXPECTEDPASS|ERROR)"' "$log" 2>/dev/null)
	echo "${p:-0} ${f:-0}"
}

passed=0 failed=0
if build build; then
	meson test -C build --print-errorlogs --num-processes 2 ${WGM_TEST_ARGS:-}
	read -r p f < <(count build/meson-logs/testlog.json)
	passed=$((passed + p)) failed=$((failed + f))
else
	echo "build failed"; failed=$((failed + 1))
fi
if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --suite unit --print-errorlogs --num-processes 2
	read -r p f < <(count build-asan/meson-logs/testlog.json)
	passed=$((passed + p)) failed=$((failed + f))
else
	echo "sanitizer build failed"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
