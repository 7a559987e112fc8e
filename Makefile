# Makefile for the activity_log extension (PGXS)

MODULE_big = activity_log
OBJS = \
	$(WIN32RES) \
	src/activity_log.o \
	src/capture.o \
	src/comments.o \
	src/context.o \
	src/history.o \
	src/jsonb_util.o \
	src/listing.o \
	src/relinfo.o \
	src/revisions.o \
	src/seal.o \
	src/security.o \
	src/storage.o \
	src/tracking.o

EXTENSION = activity_log
DATA = $(wildcard activity_log--*.sql)
PGFILEDESC = "activity_log - Directus-style activity log and revisions"

PG_CPPFLAGS = -I$(srcdir)/src
# warnings are errors, on every PostgreSQL major (scripts/matrix.sh);
# PostgreSQL's own headers would trip these two
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	$(AL_EXTRA_CFLAGS)

REGRESS = setup capture_insert capture_update capture_delete capture_truncate \
	tracking context privileges listing visibility comments revisions seal \
	ddl types statements record_moves record_causes record_reentry \
	record_item_at record_constraints record_registrations record_roles generated_virtual hostile_casts hostile_rls hostile_inputs hostile_bypass hostile_grants teardown
REGRESS_OPTS = --inputdir=$(srcdir)
ISOLATION = concurrent_update concurrent_tables comment_race ddl_other_session \
	registry_other_session seal_concurrency
ISOLATION_OPTS = --load-extension=activity_log

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# pgTAP suite, against the server named by the usual PG* variables
.PHONY: pgtap
pgtap:
	pg_prove -f test/*.sql

# every object depends on the shared headers
$(OBJS): src/activity_log.h src/compat.h
