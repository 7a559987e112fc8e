/*-------------------------------------------------------------------------
 *
 * history.c
 *	  The history of an item, its state at a moment, and the key its row
 *	  has now.
 *
 * Revisions record each change of a row under its key: "item" is the key
 * after the change (the key deleted, for a delete), and "previous_item"
 * the key before it when the change altered the key.  At any moment a key
 * belongs to at most one row, but over time a key can be given up by one
 * row (a delete, or a change of its key) and taken by another (an insert,
 * or another row's key change), so the revisions of a key are not always
 * those of one row.
 *
 * The timeline of a key is every revision that touches it: those whose
 * item is the key, and those that changed a row's key away from it.  In
 * id order it is a sequence of occupancies: a row enters the key (it is
 * created with it, or its key changes to it), changes under it, and leaves
 * it (it is deleted, or its key changes to another).  A row's lineage, its
 * whole history, is the occupancy it had of one key, preceded by the one
 * of the key it came from and followed by the one of the key it went to,
 * and so on in both directions.
 *
 *	- item_at(collection, key, at) is the state of the row that had the key
 *	  at that moment: the newest revision in the key's timeline logged at
 *	  or before it, if the key was the row's then and no TRUNCATE of the
 *	  table came between (else NULL).
 *	- item_history(collection, key) is the lineage of the row that has the
 *	  key, or had it last.
 *	- al_current_key() is the key that the row of a revision has now (or
 *	  had when it was deleted), for revert().
 *
 * Changes made while a table was not tracked, and TRUNCATE, leave no
 * revisions: a lineage ends where its log does.
 *
 * Everything here reads the log as its owner, after the caller's right to
 * see the collection has been checked.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/history.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "activity_log.h"
#include "compat.h"

/*
 * The revisions of a collection ($1) that touch a key ($2): the columns of
 * activity_log.history_entry, then the operation.
 */
#define AL_TIMELINE_COLUMNS \
	"r.activity, r.activity, a.action, a.\"user\", a.\"timestamp\"," \
	" a.comment, a.item, r.previous_item, r.data," \
	" CASE WHEN r.op OPERATOR(pg_catalog.=) 'i' THEN r.data ELSE r.delta END," \
	" r.parent, r.op"
#define AL_TIMELINE_ITEM 7		/* attribute numbers in the result */
#define AL_TIMELINE_PREVIOUS 8
#define AL_TIMELINE_OP 12		/* after the 11 of history_entry */

#define AL_TIMELINE_FROM \
	" FROM activity_log.activity a" \
	" JOIN activity_log.revision_store r" \
	" ON r.activity OPERATOR(pg_catalog.=) a.id"

/* columns of the revisions under the key, and of those that took a row
 * away from it */
#define AL_TIMELINE(columns, extra) \
	"SELECT " columns AL_TIMELINE_FROM \
	" WHERE a.collection OPERATOR(pg_catalog.=) $1" \
	" AND a.item OPERATOR(pg_catalog.=) $2" extra \
	" UNION ALL SELECT " columns AL_TIMELINE_FROM \
	" WHERE r.previous_item OPERATOR(pg_catalog.=) $2" \
	" AND a.collection OPERATOR(pg_catalog.=) $1" \
	" AND a.item OPERATOR(pg_catalog.<>) $2" extra

/* One revision of a key's timeline */
typedef struct ALKeyRevision
{
	int64		id;
	char		op;				/* AL_OP_INSERT, AL_OP_UPDATE, AL_OP_DELETE */
	char	   *item;			/* the key after (deleted, for a delete) */
	char	   *previous_item;	/* the key before, if the change altered it */
	HeapTuple	tuple;			/* the timeline row */
} ALKeyRevision;

/* Arguments and results of the statements run as the log's owner */
typedef struct ALHistoryArgs
{
	Oid			types[3];
	Datum		values[3];
	MemoryContext outer;
	List	   *rows;			/* ALKeyRevision *, in id order */
	TupleDesc	tupdesc;		/* of the rows, in outer */
	Datum		result;			/* item_at */
	bool		found;
} ALHistoryArgs;

/* Saved plans, prepared once per backend */
static SPIPlanPtr timeline_plan = NULL;
static SPIPlanPtr item_at_plan = NULL;

static SPIPlanPtr saved_plan(SPIPlanPtr *cache, const char *sql, int nargs,
							 Oid *types);
static void read_timeline(void *arg);
static List *timeline(const char *collection, const char *key,
					  TupleDesc *tupdesc);
static int	find_revision(List *rows, int64 id);
static bool enters(ALKeyRevision *rev, const char *key);
static bool leaves(ALKeyRevision *rev, const char *key);
static void occupancy(List *rows, const char *key, int at, int *first,
					  int *last);
static List *lineage(const char *collection, const char *key, int64 anchor,
					 TupleDesc *tupdesc);
static void read_item_at(void *arg);

PG_FUNCTION_INFO_V1(activity_log_item_history);
PG_FUNCTION_INFO_V1(activity_log_item_at);

/*
 * saved_plan
 *		A plan prepared once per backend and kept; must run inside SPI.
 *
 * The statements only name the extension's own objects, schema-qualified,
 * so the plan does not depend on the caller's search_path.
 */
static SPIPlanPtr
saved_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *types)
{
	if (*cache == NULL || !SPI_plan_is_valid(*cache))
	{
		SPIPlanPtr	plan;

		if (*cache != NULL)
			SPI_freeplan(*cache);
		*cache = NULL;
		plan = SPI_prepare(sql, nargs, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*cache = plan;
	}
	return *cache;
}

/*
 * read_timeline
 *		Run the timeline statement as the log owner; copy the rows out.
 */
static void
read_timeline(void *arg)
{
	ALHistoryArgs *args = (ALHistoryArgs *) arg;
	SPIPlanPtr	plan;
	MemoryContext oldcxt;
	uint64		i;
	int			rc;

	plan = saved_plan(&timeline_plan,
					  AL_TIMELINE(AL_TIMELINE_COLUMNS, "") " ORDER BY 1",
					  2, args->types);
	rc = SPI_execute_plan(plan, args->values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));

	oldcxt = MemoryContextSwitchTo(args->outer);
	args->tupdesc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		ALKeyRevision *rev = palloc(sizeof(ALKeyRevision));
		bool		isnull;

		rev->id = DatumGetInt64(SPI_getbinval(tuple, tupdesc, 1, &isnull));
		rev->op = DatumGetChar(SPI_getbinval(tuple, tupdesc, AL_TIMELINE_OP,
											 &isnull));
		rev->item = SPI_getvalue(tuple, tupdesc, AL_TIMELINE_ITEM);
		rev->previous_item = SPI_getvalue(tuple, tupdesc, AL_TIMELINE_PREVIOUS);
		rev->tuple = SPI_copytuple(tuple);
		args->rows = lappend(args->rows, rev);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * timeline
 *		The revisions of a collection that touch a key, in id order, in the
 *		current memory context; *tupdesc describes their rows.
 */
static List *
timeline(const char *collection, const char *key, TupleDesc *tupdesc)
{
	ALHistoryArgs args;

	memset(&args, 0, sizeof(args));
	args.types[0] = TEXTOID;
	args.types[1] = TEXTOID;
	args.values[0] = CStringGetTextDatum(collection);
	args.values[1] = CStringGetTextDatum(key);
	args.outer = CurrentMemoryContext;
	al_run_as_log_owner(read_timeline, &args);
	*tupdesc = args.tupdesc;
	return args.rows;
}

/*
 * find_revision
 *		The position of revision id in a timeline, or -1.
 */
static int
find_revision(List *rows, int64 id)
{
	ListCell   *lc;

	foreach(lc, rows)
		if (((ALKeyRevision *) lfirst(lc))->id == id)
			return foreach_current_index(lc);
	return -1;
}

/*
 * enters
 *		Did this change give the key to its row (an insert, or a change of
 *		the row's key to it)?
 */
static bool
enters(ALKeyRevision *rev, const char *key)
{
	return strcmp(rev->item, key) == 0 &&
		(rev->op == AL_OP_INSERT || rev->previous_item != NULL);
}

/*
 * leaves
 *		Did this change take the key from its row (a delete, or a change of
 *		the row's key to another)?
 */
static bool
leaves(ALKeyRevision *rev, const char *key)
{
	if (rev->op == AL_OP_DELETE)
		return strcmp(rev->item, key) == 0;
	return rev->previous_item != NULL &&
		strcmp(rev->previous_item, key) == 0 &&
		strcmp(rev->item, key) != 0;
}

/*
 * occupancy
 *		The occupancy of key that the revision at position at belongs to:
 *		its first and last positions in the timeline.
 *
 * It starts at the nearest change that gave the key to a row, and ends at
 * the nearest that took it away.  Where the log has a gap (changes made
 * while the table was not tracked, a TRUNCATE), it stops at the gap.
 */
static void
occupancy(List *rows, const char *key, int at, int *first, int *last)
{
	int			n = list_length(rows);
	int			i;

	*first = 0;
	for (i = at; i >= 0; i--)
	{
		ALKeyRevision *rev = list_nth(rows, i);

		if (i < at && leaves(rev, key))
		{
			*first = i + 1;
			break;
		}
		if (enters(rev, key))
		{
			*first = i;
			break;
		}
	}

	*last = n - 1;
	for (i = at; i < n; i++)
	{
		ALKeyRevision *rev = list_nth(rows, i);

		if (i > at && enters(rev, key))
		{
			*last = i - 1;
			break;
		}
		if (leaves(rev, key))
		{
			*last = i;
			break;
		}
	}
}

/*
 * is_undelete
 *		Is this the insert of a row brought back by revert() or
 *		undo_transaction()?  Its previous_item is the key the row was
 *		deleted under.
 */
static inline bool
is_undelete(ALKeyRevision *rev)
{
	return rev->op == AL_OP_INSERT && rev->previous_item != NULL;
}

/*
 * predecessor
 *		The revisions of the row before edge, the first revision of its
 *		occupancy of cur, in id order: the occupancy it came from, up to
 *		the change of key (exclusive), or, for an undelete, up to the
 *		delete it undid (inclusive).  NIL if it did not come from anywhere
 *		the log shows.
 */
static List *
predecessor(const char *collection, ALKeyRevision *edge, const char *cur,
			const char **from, TupleDesc *tupdesc)
{
	List	   *rows;
	List	   *result = NIL;
	int			at;
	int			first;
	int			last;
	int			i;

	if (edge->previous_item == NULL || !enters(edge, cur))
		return NIL;				/* a create, or a gap in the log */
	*from = edge->previous_item;
	rows = timeline(collection, *from, tupdesc);
	at = find_revision(rows, edge->id);
	if (at < 0)
		return NIL;
	if (is_undelete(edge))
	{
		/* the revision just before it must be the delete it undid */
		ALKeyRevision *deleted;

		if (at == 0)
			return NIL;
		deleted = list_nth(rows, at - 1);
		if (deleted->op != AL_OP_DELETE || strcmp(deleted->item, *from) != 0)
			return NIL;
		at--;
		occupancy(rows, *from, at, &first, &last);
		last = at;
	}
	else
	{
		occupancy(rows, *from, at, &first, &last);
		last = at - 1;
	}
	for (i = first; i <= last; i++)
		result = lappend(result, list_nth(rows, i));
	return result;
}

/*
 * successor
 *		The revisions of the row after edge, the last revision of its
 *		occupancy of cur, in id order: the occupancy of the key it changed
 *		to (after the change), or, after a delete that was undone, the
 *		occupancy the undelete started.  NIL if there is none.
 */
static List *
successor(const char *collection, ALKeyRevision *edge, const char *cur,
		  const char **to, TupleDesc *tupdesc)
{
	List	   *rows;
	List	   *result = NIL;
	int			at;
	int			skip;
	int			first;
	int			last;
	int			i;

	if (edge->op == AL_OP_DELETE)
	{
		ALKeyRevision *next;

		/* undone if the next change of the key is the undelete of it */
		rows = timeline(collection, cur, tupdesc);
		at = find_revision(rows, edge->id);
		if (at < 0 || at + 1 >= list_length(rows))
			return NIL;
		next = list_nth(rows, at + 1);
		if (!is_undelete(next) || strcmp(next->previous_item, cur) != 0)
			return NIL;
		edge = next;
		skip = 0;				/* the undelete itself belongs to the row */
	}
	else if (leaves(edge, cur))
		skip = 1;				/* the change of key is already in */
	else
		return NIL;

	*to = edge->item;
	rows = timeline(collection, *to, tupdesc);
	at = find_revision(rows, edge->id);
	if (at < 0)
		return NIL;
	occupancy(rows, *to, at, &first, &last);
	for (i = at + skip; i <= last; i++)
		result = lappend(result, list_nth(rows, i));
	return result;
}

/*
 * lineage
 *		The revisions of one row, in id order: the row whose revision anchor
 *		is in the timeline of key, or with anchor 0 the row that has the key
 *		now or had it last.  NIL if the key has no revisions.
 *
 * From the occupancy of key that holds the anchor, it goes back through
 * the keys the row had before (and the deletes that were undone), and on
 * through the keys it had after.  Every step moves strictly back or
 * forth in id order, so it ends.
 */
static List *
lineage(const char *collection, const char *key, int64 anchor,
		TupleDesc *tupdesc)
{
	List	   *rows = timeline(collection, key, tupdesc);
	List	   *result = NIL;
	List	   *more;
	const char *cur;
	int			at;
	int			first;
	int			last;
	int			i;

	if (rows == NIL)
		return NIL;
	at = anchor == 0 ? list_length(rows) - 1 : find_revision(rows, anchor);
	if (at < 0)
		return NIL;
	occupancy(rows, key, at, &first, &last);
	for (i = first; i <= last; i++)
		result = lappend(result, list_nth(rows, i));

	cur = key;
	while ((more = predecessor(collection, linitial(result), cur, &cur,
							   tupdesc)) != NIL)
	{
		CHECK_FOR_INTERRUPTS();
		result = list_concat(more, result);
	}
	cur = key;
	for (;;)
	{
		more = successor(collection, llast(result), cur, &cur, tupdesc);
		if (more == NIL)
			break;
		CHECK_FOR_INTERRUPTS();
		result = list_concat(result, more);
	}
	return result;
}

/*
 * al_current_key
 *		The key that the row of a revision has now, or had when it was
 *		deleted; item is the revision's item.  Runs as the caller, reads
 *		as the log owner.
 */
char *
al_current_key(const char *collection, const char *item, int64 revision)
{
	TupleDesc	tupdesc;
	List	   *rows = lineage(collection, item, revision, &tupdesc);

	if (rows == NIL)
		return pstrdup(item);
	return ((ALKeyRevision *) llast(rows))->item;
}

/*
 * activity_log_item_history
 *		SQL: activity_log.item_history(collection, item)
 *
 * Every revision of the row that has the item's key, or had it last, oldest
 * first, across changes of its key.  Empty for a collection the caller may
 * not see.
 */
Datum
activity_log_item_history(PG_FUNCTION_ARGS)
{
	char	   *collection = al_text_arg(fcinfo, 0, "collection", false);
	char	   *item = al_text_arg(fcinfo, 1, "item", false);
	ReturnSetInfo *rsinfo;
	TupleDesc	tupdesc;
	List	   *rows;
	ListCell   *lc;

	al_init_materialized_srf(fcinfo);
	if (!al_collection_visible(collection))
		return (Datum) 0;

	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	rows = lineage(collection, item, 0, &tupdesc);
	foreach(lc, rows)
	{
		Datum		values[AL_TIMELINE_OP];
		bool		nulls[AL_TIMELINE_OP];

		heap_deform_tuple(((ALKeyRevision *) lfirst(lc))->tuple, tupdesc,
						  values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	return (Datum) 0;
}

/*
 * read_item_at
 *		Run the point-in-time statement as the log owner: the newest
 *		revision of the key's timeline logged at or before the moment, and
 *		whether the table was truncated after it, by then.
 */
static void
read_item_at(void *arg)
{
	ALHistoryArgs *args = (ALHistoryArgs *) arg;
	SPIPlanPtr	plan;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	bool		isnull;
	char	   *item;
	Datum		value;
	int			rc;

	plan = saved_plan(&item_at_plan,
					  "SELECT x.op, x.item, x.data, EXISTS ("
					  " SELECT FROM activity_log.activity z"
					  " WHERE z.collection OPERATOR(pg_catalog.=) $1"
					  " AND z.item IS NULL"
					  " AND z.action OPERATOR(pg_catalog.=) 'truncate'"
					  " AND z.id OPERATOR(pg_catalog.>) x.id"
					  " AND z.\"timestamp\" OPERATOR(pg_catalog.<=) $3)"
					  " FROM (" AL_TIMELINE("a.id, a.item, r.op, r.data",
											" AND a.\"timestamp\" OPERATOR(pg_catalog.<=) $3")
					  " ORDER BY 1 DESC LIMIT 1) x",
					  3, args->types);
	rc = SPI_execute_plan(plan, args->values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));
	args->found = false;
	if (SPI_processed == 0)
		return;

	/*
	 * The key was the row's after that change if the change did not delete
	 * the row or move it to another key, and no TRUNCATE came after it.
	 */
	tuple = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	item = SPI_getvalue(tuple, tupdesc, 2);
	if (DatumGetChar(SPI_getbinval(tuple, tupdesc, 1, &isnull)) ==
		AL_OP_DELETE ||
		strcmp(item, TextDatumGetCString(args->values[1])) != 0 ||
		DatumGetBool(SPI_getbinval(tuple, tupdesc, 4, &isnull)))
		return;
	value = SPI_getbinval(tuple, tupdesc, 3, &isnull);
	if (!isnull)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(args->outer);

		args->result = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
		args->found = true;
		MemoryContextSwitchTo(oldcxt);
	}
}

/*
 * activity_log_item_at
 *		SQL: activity_log.item_at(collection, item, at) RETURNS jsonb
 *
 * The state, at that moment, of the row that had the item's key then, or
 * NULL if no row had it (or the collection is not visible).
 */
Datum
activity_log_item_at(PG_FUNCTION_ARGS)
{
	char	   *collection = al_text_arg(fcinfo, 0, "collection", false);
	char	   *item = al_text_arg(fcinfo, 1, "item", false);
	ALHistoryArgs args;

	al_require_arg(fcinfo, 2, "at");
	if (!al_collection_visible(collection))
		PG_RETURN_NULL();

	memset(&args, 0, sizeof(args));
	args.types[0] = TEXTOID;
	args.types[1] = TEXTOID;
	args.types[2] = TIMESTAMPTZOID;
	args.values[0] = CStringGetTextDatum(collection);
	args.values[1] = CStringGetTextDatum(item);
	args.values[2] = PG_GETARG_DATUM(2);
	args.outer = CurrentMemoryContext;
	al_run_as_log_owner(read_item_at, &args);
	if (!args.found)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(args.result);
}
