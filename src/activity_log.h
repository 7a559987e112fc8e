/*-------------------------------------------------------------------------
 *
 * activity_log.h
 *	  Shared declarations of the activity_log extension.
 *
 * The extension is split by subsystem: activity_log.c (module setup,
 * settings, argument checks), context.c (who acts), relinfo.c (per-table
 * cache), jsonb_util.c (row images), storage.c (writes to the log tables),
 * capture.c (the trigger), tracking.c (track/untrack and DDL), comments.c
 * (comments and log()), listing.c (the query language), history.c (item
 * history and state at a moment), revisions.c (revert, undo, pruning),
 * security.c (the guard and visibility) and seal.c (the hash chain).
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/activity_log.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACTIVITY_LOG_H
#define ACTIVITY_LOG_H

#include "access/attnum.h"
#include "access/htup.h"
#include "catalog/pg_attribute.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/guc.h"
#include "utils/relcache.h"

/* Settings (activity_log.c) */
extern char *al_context_user;
extern char *al_context_ip;
extern char *al_context_user_agent;
extern char *al_context_origin;
extern bool al_require_context;

/* Checks of SQL arguments (activity_log.c) */
extern void al_require_arg(FunctionCallInfo fcinfo, int argno,
						   const char *name);
extern char *al_text_arg(FunctionCallInfo fcinfo, int argno,
						 const char *name, bool nonblank);

/*
 * How one column's value becomes a jsonb value.  The categories mirror the
 * ones to_jsonb() uses, so a logged row equals to_jsonb() of that row,
 * except that a type with a cast to json is logged as its text output:
 * the conversion never runs code that a non-superuser can write.
 */
typedef enum ALJsonKind
{
	AL_JSON_BOOL,
	AL_JSON_INT2,
	AL_JSON_INT4,
	AL_JSON_INT8,
	AL_JSON_NUMERIC,
	AL_JSON_FLOAT,				/* via the output function, like to_jsonb */
	AL_JSON_TEXT,				/* text, varchar, bpchar: the bytes as is */
	AL_JSON_DATETIME,			/* date, timestamp, timestamptz */
	AL_JSON_JSONB,
	AL_JSON_STRING,				/* any other scalar: its text output */
	AL_JSON_JSON,				/* json: its text, parsed */
	AL_JSON_ARRAY,				/* a jsonb array of the elements */
	AL_JSON_COMPOSITE			/* a jsonb object of the attributes */
} ALJsonKind;

/* One logged column of a tracked table (or an array's element) */
typedef struct ALColumn
{
	AttrNumber	attnum;
	char	   *name;
	int			namelen;
	ALJsonKind	kind;
	bool		masked;			/* logged as AL_MASK_MARKER */
	Oid			basetype;		/* the type with domains looked through */
	int16		typlen;
	bool		typbyval;
	FmgrInfo	func;			/* output function (numeric, float, string) */
	struct ALColumn *element;	/* AL_JSON_ARRAY: the element's */
	Oid			elemtype;		/* AL_JSON_ARRAY: the element's type */
	int16		elmlen;			/* and its storage */
	bool		elmbyval;
	char		elmalign;
} ALColumn;

/*
 * A foreign key of a tracked table whose action (CASCADE, SET NULL, SET
 * DEFAULT) can change its rows when a row of another tracked table changes;
 * used to link the revisions so caused to the revision that caused them.
 */
typedef struct ALForeignKey
{
	Oid			configrelid;	/* registration of the referenced table */
	char		deltype;		/* pg_constraint.confdeltype */
	char		updtype;		/* pg_constraint.confupdtype */
	int			nkeys;
	ALColumn   *columns;		/* referencing columns, in the order of the
								 * referenced table's primary key */
} ALForeignKey;

/*
 * Everything the capture trigger needs to know about one table, kept per
 * backend in relinfo.c.  Built on first use and rebuilt after any
 * invalidation of the table or of any registration; never changed or freed
 * while pinned.
 */
typedef struct ALRelInfo
{
	Oid			relid;			/* the table the trigger fired on */
	bool		valid;			/* false once invalidated */
	int			pins;			/* users right now (al_get_relinfo) */
	bool		retired;		/* replaced; freed when the last pin goes */
	Oid			configrelid;	/* the registered table (a partition's root) */
	MemoryContext cxt;			/* holds everything below */
	Datum		collection;		/* text */
	bool		with_revisions; /* mode 'all' */
	int			ncolumns;		/* logged columns, in jsonb key order */
	ALColumn   *columns;
	int			nkeys;			/* primary key columns, in key order */
	ALColumn   *keys;
	bool		referenced;		/* referenced by a foreign key with actions */
	int			nfkeys;			/* its own foreign keys with actions */
	ALForeignKey *fkeys;
} ALRelInfo;

/* capture.c */

/* Changes of a table made by revert() or undo_transaction() */
typedef struct ALRevertMark
{
	Oid			relid;			/* the registered table, or InvalidOid */
	int64		activity;		/* the last "revert" logged under the mark */
	Datum		undelete;		/* text: the key of a row to bring back */
} ALRevertMark;

extern void al_capture_init(void);
extern ALRevertMark al_mark_revert(Oid configrelid, Datum undelete);
extern int64 al_unmark_revert(ALRevertMark previous);

/* relinfo.c */
extern void al_relinfo_init(void);
extern Oid	al_registered_ancestor(Oid relid);
extern ALRelInfo *al_get_relinfo(Relation rel);
extern void al_release_relinfo(ALRelInfo *info);

/* jsonb_util.c */
extern void al_column_init(ALColumn *col, Form_pg_attribute att,
						   bool as_text, MemoryContext cxt);
extern void al_value_to_jsonb(ALColumn *col, Datum value, bool isnull,
							  JsonbValue *result);
extern bool al_values_equal(ALColumn *col, Datum a, bool anull,
							Datum b, bool bnull);
extern Datum al_row_image(ALRelInfo *info, Datum *values, bool *nulls,
						  const bool *changed, Datum *delta);
extern Datum al_key_text(ALColumn *keys, int nkeys, Datum *values,
						 bool *nulls);

/* context.c */
extern void al_context_init(void);
extern bool al_check_ip(char **newval, void **extra, GucSource source);
extern Datum al_current_actor(void);
extern void al_check_context(void);
extern Datum al_current_role_name(void);

/* storage.c: attribute numbers of the log tables, as created in 1.0 */
#define Natts_al_activity			12
#define Anum_al_activity_id			1
#define Anum_al_activity_action		2
#define Anum_al_activity_user		3
#define Anum_al_activity_timestamp	4
#define Anum_al_activity_ip			5
#define Anum_al_activity_user_agent	6
#define Anum_al_activity_origin		7
#define Anum_al_activity_collection	8
#define Anum_al_activity_item		9
#define Anum_al_activity_comment	10
#define Anum_al_activity_db_user	11
#define Anum_al_activity_transaction 12

/* activity_log.revision_store */
#define Natts_al_revisions			6
#define Anum_al_revisions_activity	1
#define Anum_al_revisions_parent	2
#define Anum_al_revisions_op		3
#define Anum_al_revisions_data		4
#define Anum_al_revisions_delta		5
#define Anum_al_revisions_previous_item 6

/* revision_store.op */
#define AL_OP_INSERT	'i'
#define AL_OP_UPDATE	'u'
#define AL_OP_DELETE	'd'

/* OIDs of the extension's own objects, looked up by name and cached */
typedef struct ALCatalog
{
	Oid			namespace;
	Oid			activity;
	Oid			activity_seq;
	Oid			revisions;		/* revision_store */
	Oid			tracking;
	Oid			tracking_pkey;
	Oid			seals;
} ALCatalog;

extern const ALCatalog *al_catalog(void);
extern void al_storage_init(void);
extern void al_fill_context(Datum *values, bool *nulls);
extern int64 al_reserve_activity_id(void);
extern int64 al_insert_activity(const char *action, Datum collection,
								Datum item, bool item_isnull,
								Datum comment, bool comment_isnull);
extern HeapTuple al_form_activity(int64 id, const char *action,
								  Datum collection, Datum item,
								  bool item_isnull, Datum comment,
								  bool comment_isnull);

/* A revision row to write; datums are text/jsonb, (Datum) 0 for NULL */
typedef struct ALRevision
{
	int64		activity;		/* also the revision's id */
	char		op;				/* AL_OP_INSERT, AL_OP_UPDATE, AL_OP_DELETE */
	Datum		data;
	Datum		delta;			/* (Datum) 0 unless an update */
	int64		parent;			/* 0 for none */
	Datum		previous_item;
} ALRevision;

extern HeapTuple al_form_revision(const ALRevision *rev);
extern void al_insert_change(HeapTuple activity, HeapTuple revision);
extern void al_run_as_log_owner(void (*fn) (void *), void *arg);
extern void al_spi_exec(const char *sql, int nargs, Oid *types, Datum *values,
						const char *nulls, int expected);

/* comments.c: the primary key values an "item" names */
typedef struct ALItemKey
{
	int			nkeys;
	AttrNumber *attnums;
	Oid		   *types;
	Datum	   *values;
} ALItemKey;

extern void al_parse_item(Relation rel, const char *item, ALItemKey *key);
extern char *al_item_where(Relation rel, ALItemKey *key, int first,
						   const char *alias);
extern char *al_qualified_table(Relation rel);

/* listing.c */
extern Datum al_fetch_activity(int64 id, bool lock, bool visible_only,
							   bool *found);
extern Datum al_input_value(Oid type, const char *text, const char *what);
extern void al_no_such_activity(int64 id);

/* history.c */
extern char *al_current_key(const char *collection, const char *item,
							int64 revision);

/* security.c */
extern bool al_table_visible(Oid relid, Oid roleid);
extern bool al_collection_visible(const char *collection);

/* seal.c */
extern void al_seal_lock(void);
extern void al_seal_require_intact(void);
extern void al_reseal_from(int64 id);

/* tracking.c */
extern bool al_is_admin(Oid roleid);
extern Oid	al_collection_relid(const char *collection);
extern void al_check_admin(const char *what);
extern List *al_masked_columns(Oid relid);

/* What a masked column shows in data and delta */
#define AL_MASK_MARKER "**********"

#endif							/* ACTIVITY_LOG_H */
