# husk - a daemonless container engine.  One GNU Makefile (STYLE.md rule 25).
#
#   make                      build ./husk
#   make check                unit + system tests, ends with "N passed, N failed"
#   make check-unit           only the C unit tests (TAP)
#   make SANITIZE=address,undefined
#   make DEVELOPER=1          -Werror and the strict warning set
#   make format | lint | install | clean

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
O ?= build

PKGS := libarchive libzstd libcjson libseccomp libcurl openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# husk itself links only what every command needs; libcurl, libarchive and
# libcrypto (and their ~40 dependencies) are dlopen'ed on first use, so
# `husk run` does not pay for loading them (lib/dl.h). Tests link them all.
HUSK_PKGS := libzstd libcjson libseccomp
HUSK_LIBS := $(shell pkg-config --libs $(HUSK_PKGS) 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(DEVELOPER),1)
WARN += -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wswitch-enum -Wformat=2 -Wvla -Wno-format-nonliteral
endif
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DHUSK_VERSION='"$(VERSION)"' -I. \
	$(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP

# Every subsystem folder that has code; main.c alone holds main().
SUBDIRS := lib cmd registry layers runtime ctr volume netns cgroup
SRCS := $(wildcard $(addsuffix /*.c,$(SUBDIRS)))
OBJS := $(patsubst %.c,$(O)/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(O)/cmd/%,$(OBJS))
UNIT_SRCS := $(wildcard test/unit/test-*.c)
UNIT_BINS := $(patsubst test/unit/%.c,$(O)/test/unit/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard test/helpers/*.c)
HELPER_BINS := $(patsubst test/helpers/%.c,$(O)/test/helpers/%,$(HELPER_SRCS))

all: husk husk-init

# The PID 1 of `run --init`: static, it runs inside any image.
husk-init: runtime/init/husk-init.c
	$(CC) -O2 -static -o $@ $<

husk: $(O)/main.o $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(HUSK_LIBS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/test/unit/%: test/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

# Helpers run inside test containers: static, and never sanitized (the
# sanitizers' runtimes cannot be linked statically).
$(O)/test/helpers/%: test/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -Wall -static -o $@ $<

unit: $(UNIT_BINS) $(HELPER_BINS)

# `make check` first installs what the tests need (as root) or says what
# is missing, so it works on a fresh machine.
check:
	./test/deps.sh test
	$(MAKE) husk husk-init unit
	O=$(O) ./test/run.sh

check-unit: unit
	O=$(O) ./test/run.sh --unit

# One system suite: make check-system T=test/system/cli.bats
check-system: husk husk-init unit
	O=$(O) ./test/run.sh --system $(T)

# Build husk and show what it does on this machine (README's first command).
demo:
	./test/deps.sh test
	$(MAKE) husk
	./test/demo.sh

# Time husk against podman and the kernel's floor (needs root once for
# bench/setup.sh to install the peers; QUICK=1 for fewer runs).
.PHONY: bench
bench:
	bash bench/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@if command -v cppcheck >/dev/null; then \
		cppcheck -q --error-exitcode=1 --enable=warning,portability \
			--inline-suppr -I. -D_GNU_SOURCE main.c $(SRCS); \
	else echo "lint: cppcheck not installed, skipped"; fi
	@if command -v shellcheck >/dev/null; then \
		shellcheck -x .ci/run test/run.sh test/deps.sh test/demo.sh \
			test/helpers/*.sh bench/*.sh; \
	else echo "lint: shellcheck not installed, skipped"; fi

install: husk husk-init
	install -Dm755 husk $(DESTDIR)$(BINDIR)/husk
	install -Dm755 husk-init $(DESTDIR)$(BINDIR)/husk-init
	for m in man/*.1; do install -Dm644 $$m $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done

clean:
	rm -rf $(O) husk husk-init

.PHONY: all demo unit check check-unit check-system format lint install clean

-include $(OBJS:.o=.d) $(O)/main.d
