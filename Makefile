# techidx: build, test, install.  `make help` lists the targets.
#
# The first build installs the Debian packages it needs (apt-get, as root)
# when they are missing; see DEB_PKGS below.

# The version is written once, in include/techidx/version.h.
VERSION   := $(shell sed -n 's/^.define TIX_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' \
               include/techidx/version.h | paste -sd.)
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
OPT       ?= -O2 -g
SAN       ?=
WERROR    ?=
# Debian's python3, for which python3-pytest (and python3-pandas) install.
PYTHON    ?= /usr/bin/python3

DEB_PKGS  := build-essential pkg-config libgsl-dev libcsv-dev zlib1g-dev \
             libjansson-dev libisal-dev libcairo2-dev libpango1.0-dev \
             fonts-wqy-microhei nettle-dev libxlsxwriter-dev \
             libcriterion-dev valgrind libxml2-utils strace locales python3-pytest \
             python3-openpyxl python3-html5lib

WARN      := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wvla
PKGS      := gsl zlib jansson
# Recursive (=) on purpose: pkg-config runs only in recipes, after `deps`.
# ISA-L (inflate) is used when its .pc is there, zlib otherwise.
ISAL       = $(shell pkg-config --exists libisal && echo libisal)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(ISAL)) $(if $(ISAL),-DTIX_HAVE_ISAL)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) $(ISAL)) -lcsv -lm -pthread
CRIT_LIBS  = $(shell pkg-config --libs criterion)
# The command line alone draws charts (cairo, its text laid out by Pango),
# hashes files (nettle) and writes workbooks (xlsxwriter): the library does
# not depend on them.
CLI_PKGS  := cairo pangocairo fontconfig nettle xlsxwriter
CLI_CFLAGS = $(shell pkg-config --cflags $(CLI_PKGS))
# Only nettle is linked. cairo, Pango (with the 40-odd libraries they
# bring) and libxlsxwriter are opened by the code that draws or writes a
# workbook, when it first does (src/cli/dynlib.h): a run that does neither
# does not load them. Each is opened by the SONAME of the lib$(1).so that
# -l$(1) would link, as the linker would have recorded it.
CLI_LIBS   = $(shell pkg-config --libs nettle)
soname     = $(or $(shell objdump -p $(shell $(CC) -print-file-name=lib$(1).so) 2>/dev/null | \
               sed -n 's/^ *SONAME *//p'),$(error no SONAME found for lib$(1).so))
CHART_LIBS = "$(call soname,cairo)","$(call soname,pango-1.0)",$\
             "$(call soname,pangocairo-1.0)","$(call soname,gobject-2.0)"
XLSX_LIBS  = "$(call soname,xlsxwriter)"
ALL_CFLAGS = $(WARN) $(WERROR) $(OPT) $(SAN) -fPIC -Iinclude -Isrc \
             -D_POSIX_C_SOURCE=200809L \
             $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

LIB_SRC   := $(wildcard src/*.c)
# Synthetic dumps (techidx gen, the tests): a library of their own, apart
# from libtechidx and not installed. It needs GSL (random numbers) and zlib,
# which PKGS has for the library already.
GEN_SRC   := $(wildcard src/gen/*.c)
CLI_SRC   := $(wildcard src/cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c) tests/support.c
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
GEN_OBJ   := $(GEN_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
CLI_NOMAIN = $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJ))
DEPFILES  := $(LIB_OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/src/mpi/main.d

STAMP     := $(BUILD)/.deps-ok
# SOMAJOR goes up whenever a public struct or a public function's signature
# changes (README, Library): 1 since tix_engine_opts gained tap/tap_ctx.
SOMAJOR   := 1
SONAME    := libtechidx.so.$(SOMAJOR)

.PHONY: all deps test check methods headers-check abi-check install-test man-check unit golden ref-test python-test replay valgrind crash-test html-test tsan asan ubsan bench install \
        uninstall clean format help samples demo fuzz weekly screenshots mpi mpi-deps mpi-test
all: techidx $(BUILD)/libtechidx.a $(BUILD)/$(SONAME) $(BUILD)/techidx.1

help:
	@echo "make            build ./techidx, build/libtechidx.{a,so} and the manual page build/techidx.1"
	@echo "make demo       the weekly index of the bundled samples (build/demo/)"
	@echo "make test       unit, CLI golden, IndexNumR (ref-test), Python (pytest) and fuzz-corpus tests,"
	@echo "                the public headers alone"
	@echo "                (headers-check), the .so's exports (abi-check), a program"
	@echo "                against the installed library (install-test), the manual page"
	@echo "                (man-check), the golden tests under"
	@echo "                valgrind, publish killed at every commit step (crash-test),"
	@echo "                index.html in Chromium (html-test), techidx-mpi against"
	@echo "                run (Open MPI, 1-3 ranks), the"
	@echo "                parallel cases under TSan, then unit/golden/corpus again"
	@echo "                under ASan+UBSan"
	@echo "make ref-test   techidx against IndexNumR 0.6.0 (tests/ref/indexnumr/)"
	@echo "make html-test  a release's index.html in headless Chromium (installs it when missing)"
	@echo "make mpi        techidx-mpi (installs Open MPI when missing)"
	@echo "make asan|ubsan the tests under one sanitizer"
	@echo "make bench      issue 17's table on a quote-heavy and a plain dump (bench/run.sh);"
	@echo "                ROWS=200000 REPS=1 make bench for a quick try"
	@echo "make methods    simulation study of the methods against a known truth, SEEDS=$(SEEDS)"
	@echo "make fuzz       libFuzzer on each target, FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make samples    regenerate samples/ with techidx gen"
	@echo "make weekly     a year of weekly releases on generated dumps (build/weekly/)"
	@echo "make screenshots the README's pictures (docs/chart-zh.png, docs/release-html.png)"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"

# $(call apt_install,PACKAGES): installs those of PACKAGES a machine lacks
# (root needed for that; otherwise it names them).
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "techidx: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root or install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi
endef

# Install what a fresh Debian 12 lacks; the stamp keeps later builds quiet.
deps: $(STAMP)
$(STAMP):
	$(call apt_install,$(DEB_PKGS))
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The libraries depend on the Makefile too, which says what goes in them.
$(BUILD)/libtechidx.a: $(LIB_OBJ) Makefile
	rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/$(SONAME): $(LIB_OBJ) Makefile
	$(CC) -shared -Wl,-soname,$(SONAME) $(ALL_LDFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS)

$(BUILD)/libtechidx-gen.a: $(GEN_OBJ) Makefile
	rm -f $@ && $(AR) rcs $@ $(GEN_OBJ)

$(BUILD)/techidx: $(CLI_OBJ) $(BUILD)/libtechidx-gen.a $(BUILD)/libtechidx.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libtechidx-gen.a $(BUILD)/libtechidx.a \
	  $(PKG_LIBS) $(CLI_LIBS)

$(CLI_OBJ): ALL_CFLAGS += $(CLI_CFLAGS)
$(BUILD)/src/cli/chart.o: ALL_CFLAGS += -DTIX_CHART_LIBS='$(CHART_LIBS)'
$(BUILD)/src/cli/xlsx.o: ALL_CFLAGS += -DTIX_XLSX_LIBS='$(XLSX_LIBS)'
# The shared library exports the functions marked TIX_API and nothing else.
$(LIB_OBJ): ALL_CFLAGS += -fvisibility=hidden

techidx: $(BUILD)/techidx
	cp $< $@

# The manual page: the skeleton's placeholders filled in by the binary from
# its commands' --help and the option table (src/cli/man.h). No date in it:
# the same sources give the same page.
MAN_IN := docs/techidx.1.in
$(BUILD)/techidx.1: $(MAN_IN) $(BUILD)/techidx
	$(BUILD)/techidx --man $(MAN_IN) > $@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(BUILD)/unit: $(TEST_OBJ) $(BUILD)/src/cli/dynlib.o $(BUILD)/libtechidx-gen.a $(BUILD)/libtechidx.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/src/cli/dynlib.o $(BUILD)/libtechidx-gen.a $(BUILD)/libtechidx.a \
	  $(PKG_LIBS) $(CRIT_LIBS)

# --- tests -------------------------------------------------------------------
# `check` runs one build's tests; `test` runs a -Werror build and an
# ASan+UBSan build of the same tests.
# tests/test_locale.c needs a locale with a decimal comma: de_DE.UTF-8,
# built from the sources of Debian's locales package into the build
# directory (no root, no network) and found through LOCPATH.
LOCALE_DIR = $(BUILD)/locale
$(LOCALE_DIR)/de_DE.UTF-8: | $(STAMP)
	@mkdir -p $(LOCALE_DIR)
	localedef -i de_DE -f UTF-8 $@

unit: $(BUILD)/unit $(LOCALE_DIR)/de_DE.UTF-8
	LOCPATH=$(abspath $(LOCALE_DIR)) $(BUILD)/unit --jobs 2

golden: $(BUILD)/techidx
	sh tests/cli/run.sh $(BUILD)/techidx

# The command line's code but main(), for the fuzz targets of state.json
# and MANIFEST and for techidx-mpi.
$(BUILD)/libtechidx-cli.a: $(CLI_NOMAIN)
	rm -f $@ && $(AR) rcs $@ $^

# Fuzz targets re-run on their saved corpus without libFuzzer (tests/fuzz/).
FUZZ_TARGETS := engine source tic state manifest
REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libtechidx.a \
                        $(BUILD)/libtechidx-cli.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CLI_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c \
	  tests/fuzz/replay.c $(BUILD)/libtechidx-cli.a $(BUILD)/libtechidx.a $(PKG_LIBS) $(CLI_LIBS)
# Each corpus on every CSV splitting path the CPU has (TECHIDX_SIMD caps it).
replay: $(REPLAY)
	@for p in scalar sse2 avx2 avx512 auto; do for t in $(FUZZ_TARGETS); do \
	  TECHIDX_SIMD=$$p $(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t >/dev/null || \
	  { echo "replay: $$t failed with TECHIDX_SIMD=$$p" >&2; exit 1; }; done; \
	  echo "replay: every corpus, TECHIDX_SIMD=$$p"; done

check: unit golden replay

# The figures of IndexNumR 0.6.0 (tests/ref/indexnumr/README.md), every
# column the command line takes, to 1e-8 relative.
ref-test: $(BUILD)/techidx
	$(PYTHON) tests/ref/check_indexnumr.py $(BUILD)/techidx

# The Python package (python/techidx) against this build's library and
# command line. Not in the sanitizer runs: python3 does not load an ASan
# library.
python-test: $(BUILD)/$(SONAME) $(BUILD)/techidx
	TECHIDX_LIB=$(abspath $(BUILD)/$(SONAME)) TECHIDX_CLI=$(abspath $(BUILD)/techidx) \
	  PYTHONPATH=python PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest -q -p no:cacheprovider \
	  python/tests

# techidx.1 formats with every groff warning on and none given, and as man
# shows it lists each option of every command's --help under that command
# (tests/man/check.sh). groff-base (in Debian's standard install, which
# man-db needs) has the utf8 device and the man macros.
man-check: $(BUILD)/techidx $(BUILD)/techidx.1
	$(call apt_install,groff-base)
	sh tests/man/check.sh $(BUILD)/techidx $(BUILD)/techidx.1

# Every public header compiles on its own, as C11 and as C++11.
PUB_HEADERS := include/techidx.h $(wildcard include/techidx/*.h)
headers-check: | $(STAMP)
	@mkdir -p $(BUILD)/headers-check
	@for h in $(PUB_HEADERS:include/%=%); do \
	  printf '#include <%s>\nextern int one_header_alone; /* not an empty unit */\n' "$$h" > $(BUILD)/headers-check/one.c; \
	  cp $(BUILD)/headers-check/one.c $(BUILD)/headers-check/one.cpp; \
	  $(CC) -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -Iinclude \
	    $(BUILD)/headers-check/one.c || { echo "headers-check: $$h as C11" >&2; exit 1; }; \
	  $(CXX) -std=c++11 -Wall -Wextra -Werror -fsyntax-only -Iinclude \
	    $(BUILD)/headers-check/one.cpp || { echo "headers-check: $$h as C++11" >&2; exit 1; }; \
	done
	@echo "headers-check: $(words $(PUB_HEADERS)) public headers compile alone as C11 and C++11"

# The shared library exports exactly the functions its headers declare with
# TIX_API: nothing internal, nothing missing.
abi-check: $(BUILD)/$(SONAME) $(BUILD)/libtechidx.a
	@nm -D --defined-only $(BUILD)/$(SONAME) | awk '{print $$3}' | sort > $(BUILD)/abi-exported
	@sed -n 's/^TIX_API .*[ *]\(tix_[a-z0-9_]*\)(.*/\1/p' include/techidx/*.h | sort \
	  > $(BUILD)/abi-declared
	@if grep -v '^tix_' $(BUILD)/abi-exported; then \
	  echo "abi-check: $(SONAME) exports the symbols above, outside the API" >&2; exit 1; fi
	@diff -u $(BUILD)/abi-declared $(BUILD)/abi-exported >&2 || { \
	  echo "abi-check: TIX_API declarations (-) and $(SONAME) exports (+) differ" >&2; exit 1; }
	@echo "abi-check: $(SONAME) exports the $$(wc -l < $(BUILD)/abi-exported) TIX_API functions only"
	@if nm $(BUILD)/libtechidx.a $(BUILD)/$(SONAME) | grep ' tix_gen_'; then \
	  echo "abi-check: the generator (libtechidx-gen) is inside libtechidx" >&2; exit 1; fi
	@if nm -D --undefined-only $(BUILD)/$(SONAME) | grep ' gsl_\(rng\|ran\|qrng\)_'; then \
	  echo "abi-check: libtechidx draws random numbers (those are libtechidx-gen's)" >&2; exit 1; fi

SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The golden CLI cases again with every techidx call under valgrind.
valgrind: $(BUILD)/techidx
	VALGRIND=1 sh tests/cli/run.sh $(BUILD)/techidx

# publish killed (SIGKILL through strace) at every rename, fsync, unlink,
# mkdir, rmdir and state.json open must recover on the next run (tests/crash/).
crash-test: $(BUILD)/techidx
	bash tests/crash/run.sh $(BUILD)/techidx

# A release's index.html in headless Chromium (installed here when
# missing, with a Chinese font): screenshots wide and phone-sized that are
# not blank, and no console message. HTML_SHOT=docs/release-html.png keeps
# the wide one (the README's picture).
HTML_PKGS := chromium fonts-wqy-microhei
HTML_SHOT ?=
html-test: $(BUILD)/techidx
	$(call apt_install,$(HTML_PKGS))
	PYTHON=$(PYTHON) sh tests/html/browser.sh $(BUILD)/techidx $(HTML_SHOT)

# The cases that run the parallel driver, under ThreadSanitizer.
tsan:
	$(MAKE) BUILD=build/tsan OPT="-O1 -g" SAN="-fsanitize=thread" build/tsan/techidx
	TSAN_OPTIONS=halt_on_error=1 ONLY='parallel_* threads_* ci_jackknife' sh tests/cli/run.sh build/tsan/techidx

test:
	$(MAKE) BUILD=build/check WERROR=-Werror check ref-test python-test headers-check abi-check install-test \
	  man-check valgrind crash-test html-test
	$(MAKE) BUILD=build/check WERROR=-Werror mpi-test
	$(MAKE) WERROR=-Werror tsan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) BUILD=build/san WERROR=-Werror OPT="-O1 -g" SAN="$(SANFLAGS)" check

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g" SAN="-fsanitize=address -fno-omit-frame-pointer" check
ubsan:
	$(MAKE) BUILD=build/ubsan OPT="-O1 -g" SAN="-fsanitize=undefined -fno-sanitize-recover=all" check

# libFuzzer (clang, Debian's libclang-rt-14-dev): each target runs for
# FUZZ_SECONDS on a scratch copy of its corpus under build/fuzz-run/; copy
# new finds worth keeping into tests/fuzz/corpus/ by hand.
FUZZ_SECONDS ?= 300
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fuzz:
	@command -v clang >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; }
	$(MAKE) BUILD=build/fuzz-lib CC=clang OPT="-O1 -g" SAN="$(FUZZ_FLAGS)" \
	  build/fuzz-lib/libtechidx.a build/fuzz-lib/libtechidx-cli.a
	@mkdir -p build/fuzz-run
	@for t in $(FUZZ_TARGETS); do \
	  clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L $(CLI_CFLAGS) -o build/fuzz-run/fuzz_$$t \
	    tests/fuzz/fuzz_$$t.c build/fuzz-lib/libtechidx-cli.a build/fuzz-lib/libtechidx.a \
	    $(PKG_LIBS) $(CLI_LIBS) || exit 1; \
	  mkdir -p build/fuzz-run/corpus_$$t && cp -n tests/fuzz/corpus/$$t/* build/fuzz-run/corpus_$$t/; \
	  build/fuzz-run/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz-run/$$t- build/fuzz-run/corpus_$$t || exit 1; \
	done

# GNU time measures peak RSS for the benchmark table; igzip (package isal)
# is the decompression ceiling it is compared with.
bench: techidx
	@[ -x /usr/bin/time ] && command -v igzip >/dev/null || { [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time isal \
	  >/dev/null; } || { echo "bench needs: apt-get install time isal" >&2; exit 1; }
	sh bench/run.sh ./techidx

# Not part of test: it measures the methods (bench/methods.sh), checks nothing.
SEEDS ?= 100
methods: techidx
	SEEDS=$(SEEDS) sh bench/methods.sh ./techidx

samples: techidx
	sh samples/make.sh ./techidx

SAMPLES := samples/contracts.csv.gz samples/contracts_zh.csv samples/contracts_dirty.csv
# The index of the samples, then their weekly release in Chinese: a state
# made afresh in build/demo/state (techidx's own directory), published once.
demo: techidx
	@mkdir -p build/demo
	./techidx run $(SAMPLES) -o build/demo/index.csv --cells build/demo/cells.csv \
	  --rejects build/demo/rejects.csv
	@echo "wrote build/demo/index.csv, build/demo/cells.csv, build/demo/rejects.csv"
	@head -n 8 build/demo/index.csv
	@echo ...
	@tail -n 3 build/demo/index.csv
	@rm -rf build/demo/state
	./techidx publish --state build/demo/state --init -q --lang zh
	./techidx publish --state build/demo/state -q $(SAMPLES)
	@echo "the release: build/demo/state/releases/$$(ls build/demo/state/releases | tail -n 1)/" \
	  "(index.html, index.xlsx, chart.svg, index.csv, ...)"

weekly: techidx
	sh samples/weekly.sh ./techidx build/weekly

# The README's pictures, made by techidx itself: the Chinese chart of the
# samples' release (make demo), and a release's index.html in Chromium.
DEMO_REL = build/demo/state/releases/2024-W52
screenshots: demo
	./techidx chart $(DEMO_REL)/index.csv --cells $(DEMO_REL)/cells.csv --lang zh \
	  -o docs/chart-zh.png
	$(MAKE) html-test HTML_SHOT=docs/release-html.png

# --- MPI ---------------------------------------------------------------------
# techidx-mpi: techidx run over MPI ranks (src/mpi/), with Open MPI from
# Debian, installed here when missing. `make test` builds and tests it too.
MPI_PKGS   := libopenmpi-dev openmpi-bin
MPI_CFLAGS  = $(shell pkg-config --cflags ompi-c)
MPI_LIBS    = $(shell pkg-config --libs ompi-c)

mpi-deps:
	$(call apt_install,$(MPI_PKGS))

$(BUILD)/src/mpi/main.o: src/mpi/main.c | $(STAMP) mpi-deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CLI_CFLAGS) $(MPI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/techidx-mpi: $(BUILD)/src/mpi/main.o $(CLI_NOMAIN) $(BUILD)/libtechidx-gen.a \
                      $(BUILD)/libtechidx.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CLI_NOMAIN) $(BUILD)/libtechidx-gen.a $(BUILD)/libtechidx.a \
	  $(PKG_LIBS) $(CLI_LIBS) $(MPI_LIBS)

techidx-mpi: $(BUILD)/techidx-mpi
	cp $< $@

mpi: techidx-mpi

mpi-test: $(BUILD)/techidx-mpi $(BUILD)/techidx
	sh tests/mpi/run.sh $(BUILD)/techidx-mpi $(BUILD)/techidx

# --- install -----------------------------------------------------------------
LIBDIR = $(PREFIX)/lib
INCDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man
# Debian's python3 finds the distribution's packages in
# /usr/lib/python3/dist-packages and local ones in
# /usr/local/lib/python3.X/dist-packages.
PYDIR  = $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python3.$(shell $(PYTHON) -c 'import sys; print(sys.version_info[1])')/dist-packages)
# Requires.private and Libs.private are what a static link needs: the
# libraries the archive uses (ISA-L when this build has it). PREFIX is
# recorded, and libdir and includedir follow it (--define-variable=prefix).
# Written on every install, so that it records this PREFIX.
.PHONY: $(BUILD)/techidx.pc
$(BUILD)/techidx.pc: Makefile include/techidx/version.h | $(STAMP)
	@mkdir -p $(@D)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: techidx\nDescription: technology trading index engine\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -ltechidx\nLibs.private: -lcsv -lm -pthread\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(VERSION)' '$(strip $(PKGS) $(ISAL))' > $@

install: all $(BUILD)/techidx.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(INCDIR)/techidx $(DESTDIR)$(MANDIR)/man1
	install -m 755 techidx $(DESTDIR)$(PREFIX)/bin/techidx
	install -m 644 $(BUILD)/techidx.1 $(DESTDIR)$(MANDIR)/man1/techidx.1
	install -m 644 $(BUILD)/libtechidx.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtechidx.so
	install -m 644 include/techidx.h $(DESTDIR)$(INCDIR)/
	install -m 644 include/techidx/*.h $(DESTDIR)$(INCDIR)/techidx/
	install -m 644 $(BUILD)/techidx.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -d $(DESTDIR)$(PYDIR)/techidx
	install -m 644 python/techidx/*.py $(DESTDIR)$(PYDIR)/techidx/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/techidx $(DESTDIR)$(MANDIR)/man1/techidx.1 \
	  $(DESTDIR)$(LIBDIR)/libtechidx.a \
	  $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libtechidx.so \
	  $(DESTDIR)$(INCDIR)/techidx.h $(DESTDIR)$(LIBDIR)/pkgconfig/techidx.pc
	rm -rf $(DESTDIR)$(INCDIR)/techidx $(DESTDIR)$(PYDIR)/techidx

# A program outside the tree against the installed library, shared and
# static, through pkg-config, and the manual page where man finds it
# (tests/install/run.sh); then uninstall must leave nothing behind.
INSTALL_TEST = $(abspath $(BUILD)/install-test)
install-test:
	rm -rf $(INSTALL_TEST)
	$(MAKE) --no-print-directory install BUILD=$(BUILD) DESTDIR=$(INSTALL_TEST)/root PREFIX=/usr \
	  >/dev/null
	PYTHON=$(PYTHON) MAN_PAGE=$(abspath $(BUILD)/techidx.1) \
	  sh tests/install/run.sh $(INSTALL_TEST)/root $(INSTALL_TEST)/work
	$(MAKE) --no-print-directory uninstall DESTDIR=$(INSTALL_TEST)/root PREFIX=/usr >/dev/null
	@left=$$(find $(INSTALL_TEST)/root ! -type d); if [ -n "$$left" ]; then \
	  echo "install-test: make uninstall left:" $$left >&2; exit 1; fi
	@echo "install-test: make uninstall removed everything"

FORMAT_SRC = $(wildcard src/*.[ch] src/gen/*.[ch] src/cli/*.[ch] include/*.h include/techidx/*.h tests/*.c)
format:
	clang-format -i $(FORMAT_SRC)

clean:
	rm -rf build techidx techidx-mpi

-include $(DEPFILES)
