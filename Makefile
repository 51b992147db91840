# orkit: plain GNU make, no configure.
VERSION	!= cat VERSION
TOOLS	 = or-send or-models or-route or-cost or-log

# O holds objects; BIN holds the programs (bin/ unless a test pass moves it).
O	?= build/obj
BIN	?= bin

CC	?= cc
CFLAGS	?= -O2 -g
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Ilib -MMD -MP -DVERSION='"$(VERSION)"' \
	$(shell pkg-config --cflags libcurl sqlite3 2>/dev/null)
# No tool links libcurl: lib/curlx.c loads it on the first transfer.
LDLIBS	 = -pthread -ljq $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) \
	   -ldl -lm

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
# or-route reads its routing table, routes.json, from here.
DATADIR	 = $(PREFIX)/share/orkit
# The recipes of orkit(7), as documentation.
EXAMPLESDIR = $(PREFIX)/share/doc/orkit/examples
# Shell completion: bash-completion loads a command's file by its name;
# zsh's compinit reads _orkit from its fpath, site-functions included.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions

LIBSRC	 = $(wildcard lib/*.c)
LIBOBJ	 = $(LIBSRC:%.c=$(O)/%.o)
FAKE	 = tests/fake/fakeor
# Test programs over one lib room each; U is where they go.
U	?= tests/unit
UNITS	 = $(U)/streamcheck $(U)/storecheck $(U)/budgetcheck

# Debian 12 packages for building and for `make check` (libxml2-utils:
# xmllint, which parses or-log report's page in the tests; parallel:
# GNU parallel, which examples/hosts.sh drives and its test runs;
# clang, cppcheck and clang-tidy: make analyze; strace: a test that counts
# a program's closes; openssl: the self-signed TLS server tests/secrets.bats
# must be refused by; libclang-rt-dev: libFuzzer, which clang only
# recommends).
DEPS	 = build-essential pkg-config libcurl4-openssl-dev libjq-dev \
	   libsqlite3-dev libmicrohttpd-dev bats bats-assert bats-support \
	   mandoc valgrind clang jq curl time sqlite3 libxml2-utils parallel \
	   cppcheck clang-tidy strace openssl libclang-rt-dev

all: $(TOOLS:%=$(BIN)/%) $(FAKE) $(UNITS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/liborkit.a: $(LIBOBJ)
	$(AR) rcs $@ $^

# One link rule per tool: its own objects, then the library.
define link_tool
$$(BIN)/$(1): $$(patsubst %.c,$$(O)/%.o,$$(wildcard cmd/$(1)/*.c)) \
    $$(O)/liborkit.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call link_tool,$(t))))

$(FAKE): $(wildcard tests/fake/*.c tests/fake/*.h)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall \
	    -Wextra -Werror -O2 -g -o $@ $(filter %.c,$^) \
	    -lmicrohttpd -ljq -lpthread

# The stream assembler on its own, built from or-send's object and
# the library in $(O), so the sanitizer pass gets a sanitized one.
$(O)/tests/unit/streamcheck.o: override CFLAGS += -Icmd/or-send
$(O)/cmd/or-route/rules.o: override CFLAGS += -DDATADIR='"$(DATADIR)"'
$(U)/streamcheck: $(O)/tests/unit/streamcheck.o $(O)/cmd/or-send/stream.o \
    $(O)/liborkit.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# lib/store's named reads, printed.
$(U)/storecheck: $(O)/tests/unit/storecheck.o $(O)/liborkit.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# lib/budget's parsing, periods and matching, printed.
$(U)/budgetcheck: $(O)/tests/unit/budgetcheck.o $(O)/liborkit.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Installs what is missing when root; otherwise says what to run.
deps:
	@missing=$$(for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	    echo "apt-get install -y $$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing \
	    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q $$missing; }; \
	else \
	    echo "missing packages; run: sudo apt-get install $$missing" >&2; \
	    exit 1; \
	fi

# make check builds with a job a core.
NPROC	!= nproc 2>/dev/null || echo 2

check: deps
	$(MAKE) -j$(NPROC) all
	$(MAKE) lint
	$(MAKE) static
	$(MAKE) fuzz-brief
	$(MAKE) check-plain
	$(MAKE) check-asan
	$(MAKE) check-valgrind

# Every test runs in make check under the sanitizers (check-asan), and
# the shipped build, bin/, runs the tests tagged plain (`# bats
# file_tags=plain` or `test_tags=plain`): those whose outcome hangs on
# its speed and size (the fault matrix at 1,000 records, 100,000-record
# streams, 10 MB records, signals mid-batch, concurrent writers), the
# pipelines and recipes as users run them, the key's safety in cores,
# and the fake server's own tests; check-valgrind runs its subset on it.
# On two cores a whole pass is five minutes, spent starting programs
# (bats, bash, jq): a second one would put make check past fifteen.
# `make test` is that whole pass, on bin/.
check-plain: all
	PATH="$(CURDIR)/$(BIN):$$PATH" tests/run --filter-tags plain tests

test: all
	PATH="$(CURDIR)/$(BIN):$$PATH" tests/run tests

# The whole suite with AddressSanitizer and UBSan built in, less two
# files check-plain runs: tests/fake.bats, which runs no tool of ours,
# only curl and the fake (the fake is built here, as a check of clang's
# warnings, but not run), and tests/examples.bats, the recipes: shell
# around the tools, whose every path the tools' own tests take. Built by clang, with the -Werror flags of every build: this is make
# check's clang build. Its runtime is one library linked in: gcc's loads
# libasan and libubsan, and LeakSanitizer scans libubsan's 6 MB of
# globals at every exit, 66 ms a program against clang's 48 (thousands
# of programs a pass).
ASAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
SAN	 = build/san
check-asan:
	$(MAKE) -j$(NPROC) CC=clang O=$(SAN) BIN=$(SAN)/bin \
	    CFLAGS="-O1 -g $(ASAN)" LDFLAGS="$(ASAN)" U=$(SAN)/bin \
	    FAKE=$(SAN)/fakeor all
	PATH="$(CURDIR)/$(SAN)/bin:$$PATH" \
	    STREAMCHECK="$(CURDIR)/$(SAN)/bin/streamcheck" \
	    STORECHECK="$(CURDIR)/$(SAN)/bin/storecheck" \
	    BUDGETCHECK="$(CURDIR)/$(SAN)/bin/budgetcheck" \
	    ORKIT_DATADIR="$(CURDIR)/share/orkit" \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1 ORKIT_SANITIZED=1 \
	    tests/run $(filter-out tests/fake.bats tests/examples.bats, \
	    $(wildcard tests/*.bats))

# A representative subset, each tool run under memcheck: the tests
# tests/valgrind.list names (tests/vgfilter fails on a stale line); a
# file a core, not one more as elsewhere: under memcheck the tests that
# wait on a bound (--wait, timeouts) are the ones a busier machine makes
# miss it.
check-valgrind: all
	rm -rf build/vg && mkdir -p build/vg
	for t in $(TOOLS:%=$(BIN)/%) $(UNITS); do \
	    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "%s" "$$@"\n' \
	    "$(CURDIR)/$$t" > build/vg/$${t##*/}; chmod +x build/vg/$${t##*/}; \
	    done
	filter=$$(tests/vgfilter) && \
	PATH="$(CURDIR)/build/vg:$$PATH" ORKIT_VALGRIND=1 \
	    ORKIT_TEST_JOBS=$${ORKIT_TEST_JOBS:-$(NPROC)} \
	    STREAMCHECK="$(CURDIR)/build/vg/streamcheck" \
	    STORECHECK="$(CURDIR)/build/vg/storecheck" \
	    BUDGETCHECK="$(CURDIR)/build/vg/budgetcheck" \
	    tests/run --filter "$$filter" tests

# Fuzzing: one libFuzzer target per parser (fuzz/NAME.c, see fuzz/README),
# linked with the library built again by clang with the fuzzer's coverage,
# ASan and UBSan in build/fuzz/obj. `make fuzz` runs each for FUZZ_SECONDS
# over a scratch copy of its seeds, fuzz/corpus/NAME (what it finds stays
# in build/fuzz/run/NAME; a crash's input is saved there and fails make);
# fuzz-brief, in check, runs each over its seeds and FUZZ_BRIEF seconds.
FUZZ_TARGETS = record json sse errbody catalog duration routes
FUZZ_SECONDS ?= 60
FUZZ_BRIEF  ?= 2
FZ	 = build/fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
# What a target links from cmd/ besides the library.
FUZZ_OBJ_sse	= cmd/or-send/stream
FUZZ_OBJ_routes	= cmd/or-route/rules cmd/or-route/task
$(O)/fuzz/%.o: override CFLAGS += -D_GNU_SOURCE -Icmd/or-send -Icmd/or-route
define link_fuzz
$$(O)/fuzz/$(1): $$(O)/fuzz/$(1).o \
    $$(patsubst %,$$(O)/%.o,$$(FUZZ_OBJ_$(1))) $$(O)/liborkit.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call link_fuzz,$(t))))

# Two jobs unless make was given its own -j: the build is most of
# fuzz-brief's time.
fuzz-build:
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j2) \
	    O=$(FZ)/obj CC=clang \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	    LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" \
	    $(FUZZ_TARGETS:%=$(FZ)/obj/fuzz/%)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    fuzz/run.sh $(FZ)/obj/fuzz $$t $(FUZZ_SECONDS) || exit 1; done

fuzz-brief: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    fuzz/run.sh $(FZ)/obj/fuzz $$t $(FUZZ_BRIEF) || exit 1; done

# mandoc for the pages; and only lib/curlx.h includes curl.h (it says why).
lint:
	mandoc -Tlint -Wwarning man/*.[17]
	@! grep -ln '<curl/curl.h>' cmd/*/*.[ch] lib/*.[ch] tests/unit/*.c | \
	    grep -v '^lib/curlx.h$$' || { echo 'include "curlx.h", not curl.h'; \
	    exit 1; }

# Static analysis; zero findings, or it fails. Three passes:
#  - the whole tree built by clang with the same -Wall -Wextra -Werror as
#    gcc's `make all`, at -O0 (its warnings do not need the optimizer),
#    into build/clang, so bin/ is left alone (make check skips this one:
#    its sanitizer pass builds the whole tree by clang with -Werror);
#  - cppcheck over every .c: .cppcheck.cfg tells it what it cannot read of
#    libjv (the foreach macros) and that die() does not return, and
#    .cppcheck-suppressions gives the reason for each suppression;
#  - clang-tidy over every .c with .clang-tidy (which says why each check
#    left out is), tests/fake/.clang-tidy adding to it; two files at a
#    time, the biggest first. Its analyzer goes round a loop twice rather
#    than four times: the same findings on this tree, in half the time.
# A finding that is wrong is marked in the code, on its line with the
# reason: NOLINT(check) for clang-tidy, cppcheck-suppress for cppcheck.
ANALYZE_SRC = $(LIBSRC) $(wildcard cmd/*/*.c tests/fake/*.c tests/unit/*.c)
ANALYZE_CPP = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -Icmd/or-send \
	-DVERSION='"$(VERSION)"' -DDATADIR='"$(DATADIR)"'
analyze: analyze-build static

analyze-build:
	$(MAKE) -j$(NPROC) CC=clang CFLAGS=-O0 O=build/clang \
	    BIN=build/clang/bin U=build/clang/bin FAKE=build/clang/fakeor all

static:
	@mkdir -p build/clang
	cppcheck -q -j2 --error-exitcode=1 --std=c11 --inline-suppr \
	    --enable=warning,style,performance,portability --library=posix \
	    --library=.cppcheck.cfg --suppressions-list=.cppcheck-suppressions \
	    --template='{file}:{line}: {severity}: {message} [{id}]' \
	    $(ANALYZE_CPP) lib cmd tests/fake tests/unit
	@echo "clang-tidy: $(words $(ANALYZE_SRC)) files, 2 at a time"
	@{ ls -S $(ANALYZE_SRC) | xargs -P2 -I{} clang-tidy --quiet {} -- \
	    -std=c11 $(ANALYZE_CPP) $(shell pkg-config --cflags libcurl \
	    sqlite3 2>/dev/null) -Xclang -analyzer-max-loop -Xclang 2 2>&1; \
	    echo $$? > build/clang/tidy.status; } | \
	    grep -v '^[0-9]* warnings* generated\.$$' || :; \
	    exit $$(cat build/clang/tidy.status)

demo: deps all
	@sh tests/demo.sh

bench: all
	@sh bench/run.sh && sh bench/batch.sh && sh bench/models.sh && \
	    sh bench/cost.sh && sh bench/log.sh && sh bench/fallback.sh && \
	    sh bench/route.sh && sh bench/budget.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	install -m 0755 $(TOOLS:%=$(BIN)/%) $(DESTDIR)$(BINDIR)
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 0644 share/orkit/routes.json $(DESTDIR)$(DATADIR)
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for t in $(TOOLS); do \
	    install -m 0644 completion/orkit.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; \
	    done
	install -m 0644 completion/_orkit $(DESTDIR)$(ZSHCOMPDIR)
	install -d $(DESTDIR)$(EXAMPLESDIR)
	install -m 0644 examples/answers.mk $(DESTDIR)$(EXAMPLESDIR)
	install -m 0755 examples/*.sh $(DESTDIR)$(EXAMPLESDIR)

clean:
	rm -rf build bin $(FAKE) $(UNITS)

.PHONY: all deps check check-plain check-asan check-valgrind test lint analyze \
	analyze-build static demo bench \
	install clean fuzz fuzz-build fuzz-brief

-include $(shell find build -name '*.d' 2>/dev/null)
