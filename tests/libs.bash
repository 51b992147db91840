# bats-support and bats-assert, as bats_load_library would load them,
# less its cost: the libraries' load.bash files run dirname once for
# every file they source, and those forks were 120 ms of every test here
# (600 tests, three passes).
load_lib() {
	local d f IFS=:
	for d in ${BATS_LIB_PATH:-/usr/lib/bats}; do
		[ -d "$d/$1/src" ] || continue
		for f in "$d/$1"/src/*.bash; do
			source "$f"
		done
		return 0
	done
	bats_load_library "$1"
}
load_lib bats-support
load_lib bats-assert
