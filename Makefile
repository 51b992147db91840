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
LDLIBS	 = -ljq $(shell pkg-config --libs libcurl sqlite3 2>/dev/null || echo -lcurl -lsqlite3) -lm

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man

LIBSRC	 = $(wildcard lib/*.c)
LIBOBJ	 = $(LIBSRC:%.c=$(O)/%.o)
FAKE	 = tests/fake/fakeor
UNIT	?= tests/unit/streamcheck

# Debian 12 packages for building and for `make check`.
DEPS	 = build-essential pkg-config libcurl4-openssl-dev libjq-dev \
	   libsqlite3-dev libmicrohttpd-dev bats bats-assert bats-support \
	   mandoc valgrind clang jq curl time sqlite3

all: $(TOOLS:%=$(BIN)/%) $(FAKE) $(UNIT)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/liborkit.a: $(LIBOBJ)
	$(AR) rcs $@ $^

# or-models loads libcurl only when it goes to the network: its files and
# its own lib/http.c are built with cmd/or-models/curlx.h first, and it
# links no libcurl (cmd/or-models/curlx.h says why).
$(O)/cmd/or-models/%.o: override CFLAGS += -include cmd/or-models/curlx.h
$(O)/cmd/or-models/http.o: lib/http.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
EXTRA_or-models	 = $(O)/cmd/or-models/http.o
LIBS_or-models	 = -ljq -ldl
LIBS_or-cost	 = $(LDLIBS) -lm

# One link rule per tool: its own objects, then the library.
define link_tool
$$(BIN)/$(1): $$(patsubst %.c,$$(O)/%.o,$$(wildcard cmd/$(1)/*.c)) \
    $$(EXTRA_$(1)) $$(O)/liborkit.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(or $$(LIBS_$(1)),$$(LDLIBS))
endef
$(foreach t,$(TOOLS),$(eval $(call link_tool,$(t))))

$(FAKE): $(wildcard tests/fake/*.c tests/fake/*.h)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall \
	    -Wextra -Werror -O2 -g -o $@ $(filter %.c,$^) \
	    -lmicrohttpd -ljq -lpthread

# The stream assembler on its own, built from or-send's object and
# the library in $(O), so the sanitizer pass gets a sanitized one.
$(O)/tests/unit/streamcheck.o: override CFLAGS += -Icmd/or-send
$(UNIT): $(O)/tests/unit/streamcheck.o $(O)/cmd/or-send/stream.o \
    $(O)/liborkit.a
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

check: deps
	$(MAKE) all
	$(MAKE) lint
	PATH="$(CURDIR)/$(BIN):$$PATH" tests/run tests
	$(MAKE) check-asan
	$(MAKE) check-valgrind

# The whole suite again with AddressSanitizer and UBSan built in.
ASAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
check-asan:
	$(MAKE) O=build/asan BIN=build/asan/bin CFLAGS="-O1 -g $(ASAN)" \
	    LDFLAGS="$(ASAN)" UNIT=build/asan/bin/streamcheck \
	    $(TOOLS:%=build/asan/bin/%) build/asan/bin/streamcheck
	PATH="$(CURDIR)/build/asan/bin:$$PATH" \
	    STREAMCHECK="$(CURDIR)/build/asan/bin/streamcheck" \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1 ORKIT_SANITIZED=1 tests/run tests

# A representative subset, each tool run under memcheck.
VGTESTS	 = prompt argument|one record per line|bad_input|not UTF-8|429 then|bounded|always resets|not JSON|error body|pass through|10 MB|reserved keys|wrong key|write error|-P 8|SIGINT|--retry sends|--fallback: the next|on-402|stream: the record|mid-stream error|cut before|stalls|interleaved tool calls|cut inside an event|the default listing|an odd model|--where: a jq|--where: a bad|--where: an error on|--need on the 2026|the issue.s question|-t piped|the API failing|show -t|compare: the records|endpoints -t|--sort throughput: the best|BYOK: usage.cost is the bill|lag longer than --wait|sums exact against|an upper bound from|refused to a non-management|404 while it lags|append: records go out|read-only database|stats -t --by day|search: full text|repeats are answered
check-valgrind: all
	rm -rf build/vg && mkdir -p build/vg
	for t in $(TOOLS:%=$(BIN)/%) $(UNIT); do \
	    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "%s" "$$@"\n' \
	    "$(CURDIR)/$$t" > build/vg/$${t##*/}; chmod +x build/vg/$${t##*/}; \
	    done
	PATH="$(CURDIR)/build/vg:$$PATH" ORKIT_VALGRIND=1 \
	    STREAMCHECK="$(CURDIR)/build/vg/streamcheck" \
	    tests/run --filter '$(VGTESTS)' tests

lint:
	mandoc -Tlint -Wwarning man/*.[17]

demo: deps all
	@sh tests/demo.sh

bench: all
	@sh bench/run.sh && sh bench/batch.sh && sh bench/models.sh && \
	    sh bench/cost.sh && sh bench/log.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(TOOLS:%=$(BIN)/%) $(DESTDIR)$(BINDIR)
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7

clean:
	rm -rf build bin $(FAKE) $(UNIT)

.PHONY: all deps check check-asan check-valgrind lint demo bench install clean

-include $(shell find build -name '*.d' 2>/dev/null)
