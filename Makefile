# zhifa — build, run and test. See README.md.
#
#   make            build the zhifa binary (build/zhifa) and the console
#   make run        install missing packages, build, create var/demo, serve it
#   make test       build and run every test: unit, API, browser
#   make SANITIZER=address   (or undefined) build into build-address/ etc.

SANITIZER ?=
ifeq ($(SANITIZER),)
BUILD ?= build
SANFLAGS :=
else
BUILD ?= build-$(SANITIZER)
SANFLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
export LSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/lsan.supp
endif

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libsodium libcrypto libutf8proc pangocairo libqrencode libcurl libarchive xlsxwriter libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT ?= -O2
CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -g \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wno-missing-field-initializers \
	-Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(SANFLAGS) $(EXTRA_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm
LDFLAGS := $(SANFLAGS)

LIB_SRC := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/embedded.o
EMBED_FILES := $(shell find src/store/migrations src/web/templates src/web/static -type f 2>/dev/null | sort)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz-replay/%,$(FUZZ_SRC))
PYTHON := /usr/bin/python3
# Tests compare against public reference data beside the repository when it
# is there (../shared/reference), and skip those checks otherwise.
ifneq ($(wildcard $(CURDIR)/../shared/reference),)
export ZF_REFERENCE_DIR ?= $(abspath $(CURDIR)/../shared/reference)
endif

.PHONY: all zhifa console run demo test unit-test api-test e2e-test deps clean fuzz bench test-pg \
	crash-test crash-test-quick big-upload-test upload-bench

all: zhifa console

zhifa: $(BUILD)/zhifa

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(EMBED_FILES)

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libzhifa.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/zhifa: $(BUILD)/obj/main.o $(BUILD)/libzhifa.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libzhifa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libzhifa.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/standalone.c $(BUILD)/libzhifa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/fuzz/standalone.c $(BUILD)/libzhifa.a $(LDFLAGS) $(LDLIBS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

deps:
	bash scripts/install-deps.sh

console:
	bash scripts/build-console.sh

demo: deps all
	@test -d var/demo || $(BUILD)/zhifa init var/demo --demo

run: demo
	@echo "zhifa: 公示门户 http://127.0.0.1:8080/  管理控制台 http://127.0.0.1:8080/console/"
	@echo "zhifa: 演示账户（密码均为 demo-password-2026）：admin officer1 officer2 reviewer1 head1 publicity1 supervisor1 auditor1"
	$(BUILD)/zhifa serve --data var/demo --listen 127.0.0.1:8080

unit-test: $(BUILD)/zhifa $(TEST_BIN) $(FUZZ_REPLAY)
	bash tests/unit/run.sh $(BUILD)
	bash tests/fuzz/replay.sh $(BUILD)

api-test: $(BUILD)/zhifa
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) $(PYTHON) -m pytest -q tests/api

# Issue 9: the db-layer unit tests and the API test files that pass on
# PostgreSQL, against a throw-away PostgreSQL 15 cluster (scripts/test-pg.sh).
test-pg: $(BUILD)/zhifa $(TEST_BIN)
	bash scripts/test-pg.sh $(BUILD)

e2e-test: all
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) bash tests/e2e/run.sh

test: deps all
	$(MAKE) unit-test
	$(MAKE) api-test
	$(MAKE) crash-test-quick
	$(MAKE) test-s3
	$(MAKE) e2e-test

# Issue 4: SIGKILL during uploads and writes (200 kills; the quick mode of 10
# runs in `make test`), a 4 GiB upload with the server's RSS measured, and
# the 1 GiB upload against openssl. None of these is in api-test.
crash-test: $(BUILD)/zhifa
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) $(PYTHON) tests/crash/crash_test.py

crash-test-quick: $(BUILD)/zhifa
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) ZHIFA_CRASH_KILLS=10 $(PYTHON) tests/crash/crash_test.py

big-upload-test: $(BUILD)/zhifa
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) ZHIFA_BIG_UPLOAD=1 $(PYTHON) -m pytest -q -s \
		tests/api/test_evidence.py -k 4gib

# Issue 9: evidence on S3-compatible storage, against a local s3rver
# (npm, installed under tests/s3/ on first use) started and stopped here.
.PHONY: test-s3 s3-bench
test-s3: $(BUILD)/zhifa $(BUILD)/tests/test_blob_s3
	bash tests/s3/run.sh $(BUILD)

upload-bench: $(BUILD)/zhifa
	ZHIFA_BIN=$(abspath $(BUILD)/zhifa) bash bench/upload_bench.sh

s3-bench: $(BUILD)/zhifa
	bash bench/s3_bench.sh $(BUILD)

fuzz:
	bash tests/fuzz/run.sh

bench: all
	bash bench/run.sh

clean:
	rm -rf build build-address build-undefined build-fuzz console/dist

# Several zhifa servers on one PostgreSQL behind nginx (issue 9): sessions,
# the leader lease, one publication, a consistent ledger while servers are
# killed. Needs postgresql-15 and nginx-light; not part of `make test`.
.PHONY: test-multi
test-multi: all
	bash scripts/test-multi.sh $(BUILD)
