#!/usr/bin/env bash
# Runs the BGP message fuzzer (fuzz_bgp_msg, libFuzzer + ASan + UBSan) for a
# bounded time on a copy of the seed corpus, so the repository's corpus
# never grows. Exits non-zero when it finds a crash, a leak, a sanitizer
# report or a broken invariant, and keeps the input that did it.
#   tests/fuzz/run.sh [SECONDS]          (default 60)
# Environment: RSEMU_FUZZ_BUILD   build directory (default build-fuzz/, set
#                                 up with clang and -Dfuzz=true if missing)
#              RSEMU_FUZZ_JOBS    parallel fuzzing processes (default 1)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
case $seconds in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
build=${RSEMU_FUZZ_BUILD:-$root/build-fuzz}
jobs=${RSEMU_FUZZ_JOBS:-1}
bin=$build/tests/fuzz/fuzz_bgp_msg

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzz=true -Db_lundef=false \
		-Dtests=disabled >/dev/null
fi
ninja -C "$build" tests/fuzz/fuzz_bgp_msg >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/rsemu-fuzz.XXXXXX")
mkdir -p "$work/corpus" "$work/artifacts"
cp "$root"/tests/fuzz/corpus/* "$work/corpus/"

echo "fuzz_bgp_msg: ${seconds}s, $(find "$work/corpus" -type f | wc -l) seeds, work dir $work"
parallel=()
if [ "$jobs" -gt 1 ]; then
	parallel=(-jobs="$jobs" -workers="$jobs")
fi
rc=0
(cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "${parallel[@]}" \
	-artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1) || rc=$?

if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
	tail -n 60 "$work/log" >&2
	echo "fuzz_bgp_msg FAILED (exit $rc); inputs kept in $work/artifacts:" >&2
	ls -l "$work/artifacts" >&2
	echo "reproduce: $bin $work/artifacts/<file>" >&2
	exit 1
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^Done ' \
	"$work/log" || tail -n 3 "$work/log"
echo "corpus grew to $(find "$work/corpus" -type f | wc -l) inputs (not kept)"
rm -rf "$work"
