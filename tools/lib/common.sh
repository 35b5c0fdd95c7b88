# Shared by tools/check and tools/demo: install what is missing on Debian 12,
# then configure and build with meson + ninja. Source it; it defines
# functions only.

RSEMU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Packages by purpose. Build: compilers and libraries found by pkg-config.
RSEMU_PKGS_BUILD="gcc pkg-config meson ninja-build python3 libyaml-dev libjansson-dev libcmocka-dev libdpdk-dev dpdk libbpf-dev"
# Tests: the fuzzer needs clang and its runtime.
RSEMU_PKGS_TEST="clang libclang-rt-14-dev"
# Interop tests: real BGP speakers as NVAs, in network namespaces.
RSEMU_PKGS_INTEROP="frr gobgpd iproute2"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

missing_packages() {
	local p out=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out+=("$p")
	done
	echo "${out[*]}"
}

# ensure_packages PKG...: apt-get install the missing ones (as root), or say
# what to install and fail.
ensure_packages() {
	local miss
	miss=$(missing_packages "$@")
	[ -z "$miss" ] && return 0
	if ! command -v apt-get >/dev/null; then
		echo "rsemu: missing packages ($miss) and no apt-get: install them by hand" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "rsemu: missing packages: $miss" >&2
		echo "       run: sudo apt-get install -y $miss" >&2
		return 1
	fi
	say "installing: $miss"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || true
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $miss >/dev/null
}

# build_in DIR [MESON OPTIONS...]: configure (once) and build.
build_in() {
	local dir=$1
	shift
	if [ ! -f "$RSEMU_ROOT/$dir/build.ninja" ]; then
		meson setup "$RSEMU_ROOT/$dir" "$RSEMU_ROOT" "$@" >/dev/null
	fi
	ninja -C "$RSEMU_ROOT/$dir" >/dev/null
}
