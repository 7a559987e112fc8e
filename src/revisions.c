/*-------------------------------------------------------------------------
 *
 * revisions.c
 *	  Revert, undelete, transaction undo and retention.
 *
 * A revision of a delete (op 'd') left the row deleted; any other left the
 * row equal to its data.  The key a revision's row has now comes from its
 * history (history.c).
 *
 * revert() and undo_transaction() change the tracked tables with the
 * caller's rights (SPI as the caller, so privileges and row-level security
 * apply) and mark the table, so that capture logs those changes with the
 * action "revert".  They read the log as its owner, after checking that the
 * caller may see the collection.  prune() and prune_revisions() are for
 * admins only.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/revisions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "activity_log.h"
#include "compat.h"

/* A revision, as read from the log */
typedef struct ALRevisionRow
{
	int64		id;
	char	   *collection;
	char	   *item;
	char	   *previous_item;	/* NULL unless the key changed */
	Datum		data;			/* jsonb, or (Datum) 0 */
	char		op;				/* AL_OP_INSERT, AL_OP_UPDATE, AL_OP_DELETE */
	char	   *action;
	int64		parent;			/* 0 for none */
} ALRevisionRow;

/* Arguments and results of the statements run as the log's owner */
typedef struct ALReadArgs
{
	const char *sql;
	int			nargs;
	Oid			types[3];
	Datum		values[3];
	MemoryContext outer;
	List	   *rows;			/* ALRevisionRow * */
	Datum		result;
	bool		found;
	int64		count;
} ALReadArgs;

static void read_revisions(void *arg);
static void run_count(void *arg);
static ALRevisionRow *copy_revision(HeapTuple tuple, TupleDesc tupdesc);
static List *fetch_revisions(const char *sql, int nargs, Oid *types,
							 Datum *values);
static List *undo_order(List *changes);
static List *append_caused(List *result, ALRevisionRow *rev, List *changes);
static void restore_row(Relation rel, const char *item, Datum target,
						bool row_exists);
static Oid	tracked_table(const char *collection);
static bool name_in_list(List *list, const char *name);
static uint64 caller_exec(const char *sql, int nargs, Oid *types,
						  Datum *values, int expected);
static int64 restore_as_revert(Relation rel, const char *item, Datum target,
							   bool row_exists);

PG_FUNCTION_INFO_V1(activity_log_revert);
PG_FUNCTION_INFO_V1(activity_log_undo_transaction);
PG_FUNCTION_INFO_V1(activity_log_prune);
PG_FUNCTION_INFO_V1(activity_log_prune_revisions);

/* ----------
 * Revert and undo
 * ----------
 */

/*
 * copy_revision
 *		A revision row of (id, collection, item, previous_item, data,
 *		deleted, action) copied out of SPI.
 */
static ALRevisionRow *
copy_revision(HeapTuple tuple, TupleDesc tupdesc)
{
	ALRevisionRow *rev = palloc0(sizeof(ALRevisionRow));
	bool		isnull;
	Datum		value;

	rev->id = DatumGetInt64(SPI_getbinval(tuple, tupdesc, 1, &isnull));
	rev->collection = SPI_getvalue(tuple, tupdesc, 2);
	rev->item = SPI_getvalue(tuple, tupdesc, 3);
	rev->previous_item = SPI_getvalue(tuple, tupdesc, 4);
	value = SPI_getbinval(tuple, tupdesc, 5, &isnull);
	rev->data = isnull ? (Datum) 0 : PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
	value = SPI_getbinval(tuple, tupdesc, 6, &isnull);
	rev->op = isnull ? '\0' : DatumGetChar(value);
	rev->action = SPI_getvalue(tuple, tupdesc, 7);
	value = SPI_getbinval(tuple, tupdesc, 8, &isnull);
	rev->parent = isnull ? 0 : DatumGetInt64(value);
	return rev;
}

/*
 * read_revisions
 *		Run args->sql as the log owner; copy the revision rows out.
 */
static void
read_revisions(void *arg)
{
	ALReadArgs *args = (ALReadArgs *) arg;
	MemoryContext oldcxt;
	uint64		i;

	al_spi_exec(args->sql, args->nargs, args->types, args->values, NULL,
				SPI_OK_SELECT);
	oldcxt = MemoryContextSwitchTo(args->outer);
	for (i = 0; i < SPI_processed; i++)
		args->rows = lappend(args->rows,
							 copy_revision(SPI_tuptable->vals[i],
										   SPI_tuptable->tupdesc));
	MemoryContextSwitchTo(oldcxt);
}

/*
 * fetch_revisions
 *		The revision rows a statement selects, read as the log owner.
 *
 * The statement selects AL_REVISION_COLUMNS.
 */
static List *
fetch_revisions(const char *sql, int nargs, Oid *types, Datum *values)
{
	ALReadArgs	args;

	memset(&args, 0, sizeof(args));
	args.sql = sql;
	args.nargs = nargs;
	memcpy(args.types, types, sizeof(Oid) * nargs);
	memcpy(args.values, values, sizeof(Datum) * nargs);
	args.outer = CurrentMemoryContext;
	al_run_as_log_owner(read_revisions, &args);
	return args.rows;
}

#define AL_REVISION_COLUMNS \
	"a.id, a.collection, a.item, r.previous_item, r.data, r.op," \
	" a.action, r.parent"

/*
 * undo_order
 *		The changes of a transaction in the order to undo them.
 *
 * changes come newest first.  A change made by a foreign key action (its
 * parent is among the changes) is logged after the change that caused it,
 * but must be undone after it too (a row deleted by ON DELETE CASCADE can
 * come back only once the row it references is back): each change that
 * no other caused is undone, newest first, followed by the changes it
 * caused, in the order they were made.
 */
static List *
undo_order(List *changes)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, changes)
	{
		ALRevisionRow *rev = lfirst(lc);
		ListCell   *lc2;
		bool		caused = false;

		foreach(lc2, changes)
			if (rev->parent != 0 &&
				((ALRevisionRow *) lfirst(lc2))->id == rev->parent)
				caused = true;
		if (!caused)
			result = append_caused(result, rev, changes);
	}
	return result;
}

/*
 * append_caused
 *		Append rev, then the changes it caused (recursively), oldest first.
 */
static List *
append_caused(List *result, ALRevisionRow *rev, List *changes)
{
	int			i;

	check_stack_depth();
	result = lappend(result, rev);
	for (i = list_length(changes) - 1; i >= 0; i--)
	{
		ALRevisionRow *child = list_nth(changes, i);

		if (child->parent == rev->id)
			result = append_caused(result, child, changes);
	}
	return result;
}

/*
 * tracked_table
 *		The tracked table of a collection; refuses one no longer tracked.
 */
static Oid
tracked_table(const char *collection)
{
	Oid			relid = al_collection_relid(collection);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("collection \"%s\" is no longer tracked", collection),
				 errhint("Track its table again with activity_log.track() to restore its rows.")));
	return relid;
}

/*
 * check_may_write
 *		Refuse early, before any search, a caller who could not make the
 *		changes a revert or undo needs on the table (the statements run as
 *		the caller and would be refused anyway, but only after the work).
 *		INSERT and UPDATE may be granted on some columns only.
 */
static void
check_may_write(Oid relid, const char *collection, AclMode mode)
{
	Oid			roleid = GetUserId();
	AclMode		m;

	for (m = ACL_INSERT; m <= ACL_DELETE; m <<= 1)
	{
		if ((mode & m) == 0 ||
			pg_class_aclcheck(relid, roleid, m) == ACLCHECK_OK ||
			(m != ACL_DELETE &&
			 pg_attribute_aclcheck_all(relid, roleid, m, ACLMASK_ANY) == ACLCHECK_OK))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for collection \"%s\"", collection),
				 errdetail("Restoring its rows needs %s on its table.",
						   m == ACL_INSERT ? "INSERT" :
						   m == ACL_UPDATE ? "UPDATE" : "DELETE")));
	}
}

/*
 * restore_row
 *		Make the row named by item equal to target (a jsonb row image), or
 *		delete it when target is (Datum) 0.  Runs as the caller.
 *
 * With row_exists, the row is updated (and inserted if it has gone);
 * otherwise it is inserted.  Only the columns present in target are set;
 * generated columns are left to the table, and masked columns (logged as a
 * marker, not their value) are left as they are.
 */
static void
restore_row(Relation rel, const char *item, Datum target, bool row_exists)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	char	   *relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
													 RelationGetRelationName(rel));
	ALItemKey	key;
	Oid		   *types;
	Datum	   *values;
	List	   *masked = al_masked_columns(RelationGetRelid(rel));
	StringInfoData sets;
	StringInfoData cols;
	StringInfoData sel;
	int			i;
	uint64		done = 0;

	/* $1 is the row image, $2... the key of the row to change */
	al_parse_item(rel, item, &key);
	types = palloc(sizeof(Oid) * (key.nkeys + 1));
	values = palloc(sizeof(Datum) * (key.nkeys + 1));
	types[0] = JSONBOID;
	values[0] = target != (Datum) 0 ? target :
		DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	memcpy(types + 1, key.types, sizeof(Oid) * key.nkeys);
	memcpy(values + 1, key.values, sizeof(Datum) * key.nkeys);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (target == (Datum) 0)
	{
		caller_exec(psprintf("DELETE FROM %s AS t WHERE %s AND $1 IS NOT NULL",
							 al_qualified_table(rel),
							 al_item_where(rel, &key, 2, "t")),
					key.nkeys + 1, types, values, SPI_OK_DELETE);
		SPI_finish();
		return;
	}

	initStringInfo(&sets);
	initStringInfo(&cols);
	initStringInfo(&sel);
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const char *name = quote_identifier(NameStr(att->attname));
		JsonbValue	k;

		/* generated columns are the table's; masked ones were never kept */
		if (att->attisdropped || att->attgenerated != '\0' ||
			name_in_list(masked, NameStr(att->attname)))
			continue;
		k.type = jbvString;
		k.val.string.val = NameStr(att->attname);
		k.val.string.len = strlen(NameStr(att->attname));
		if (findJsonbValueFromContainer(&DatumGetJsonbP(target)->root,
										JB_FOBJECT, &k) == NULL)
			continue;
		appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "", name);
		appendStringInfo(&sel, "%sr.%s", sel.len > 0 ? ", " : "", name);
		if (att->attidentity != ATTRIBUTE_IDENTITY_ALWAYS)
			appendStringInfo(&sets, "%s%s = r.%s", sets.len > 0 ? ", " : "",
							 name, name);
	}
	if (cols.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision data has none of the columns of table \"%s\"",
						RelationGetRelationName(rel))));

	if (row_exists && sets.len > 0)
		done = caller_exec(psprintf("UPDATE %s AS t SET %s"
									" FROM pg_catalog.jsonb_populate_record(NULL::%s, $1) AS r"
									" WHERE %s",
									al_qualified_table(rel), sets.data, relname,
									al_item_where(rel, &key, 2, "t")),
						   key.nkeys + 1, types, values, SPI_OK_UPDATE);
	if (done == 0)
		caller_exec(psprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE"
							 " SELECT %s FROM pg_catalog.jsonb_populate_record(NULL::%s, $1) AS r",
							 relname, cols.data, sel.data, relname),
					1, types, values, SPI_OK_INSERT);
	SPI_finish();
}

/*
 * restore_as_revert
 *		restore_row(), with the changes it makes logged as "revert".
 *
 * Returns the last "revert" activity logged, or 0 when nothing changed.
 */
static int64
restore_as_revert(Relation rel, const char *item, Datum target,
				  bool row_exists)
{
	ALRevertMark previous = al_mark_revert(RelationGetRelid(rel),
										   CStringGetTextDatum(item));

	PG_TRY();
	{
		restore_row(rel, item, target, row_exists);
	}
	PG_CATCH();
	{
		(void) al_unmark_revert(previous);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return al_unmark_revert(previous);
}

/*
 * name_in_list
 *		Is name one of the C strings of list?
 */
static bool
name_in_list(List *list, const char *name)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * caller_exec
 *		Run a statement as the caller (inside SPI); returns rows processed.
 */
static uint64
caller_exec(const char *sql, int nargs, Oid *types, Datum *values,
			int expected)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL,
										   false, 0);

	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args returned %s",
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * activity_log_revert
 *		SQL: activity_log.revert(revision bigint) RETURNS activity_log.activity
 *
 * Makes the tracked row equal to the revision's data, inserting it again
 * if it was deleted since.  Returns the "revert" activity, or NULL when
 * the row already was equal.
 */
Datum
activity_log_revert(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	List	   *found;
	ALRevisionRow *rev;
	Oid			relid;
	Relation	rel;
	int64		activity;
	bool		exists;
	Datum		result;

	al_require_arg(fcinfo, 0, "revision");
	values[0] = PG_GETARG_DATUM(0);
	found = fetch_revisions("SELECT " AL_REVISION_COLUMNS
							" FROM activity_log.revision_store r"
							" JOIN activity_log.activity a"
							" ON a.id OPERATOR(pg_catalog.=) r.activity"
							" WHERE r.activity OPERATOR(pg_catalog.=) $1",
							1, types, values);
	rev = found != NIL ? linitial(found) : NULL;
	if (rev == NULL || !al_collection_visible(rev->collection))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("revision " INT64_FORMAT " does not exist",
						PG_GETARG_INT64(0))));
	if (rev->data == (Datum) 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision " INT64_FORMAT " has no data to revert to",
						rev->id)));
	relid = tracked_table(rev->collection);
	check_may_write(relid, rev->collection, ACL_INSERT | ACL_UPDATE);

	rel = table_open(relid, RowExclusiveLock);
	activity = restore_as_revert(rel,
								 al_current_key(rev->collection, rev->item, rev->id),
								 rev->data, true);
	table_close(rel, NoLock);

	if (activity == 0)
		PG_RETURN_NULL();
	result = al_fetch_activity(activity, false, false, &exists);
	if (!exists)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * activity_log_undo_transaction
 *		SQL: activity_log.undo_transaction(transaction xid8) RETURNS bigint
 *
 * Reverts every tracked change of a transaction, newest first: each row is
 * brought back to its state before that change.  Refuses, changing
 * nothing, when a row changed since, or a change cannot be undone.
 * Returns the number of changes undone.
 */
Datum
activity_log_undo_transaction(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {XID8OID};
	Datum		values[1];
	List	   *changes;
	List	   *conflict;
	ListCell   *lc;
	char	   *xidtext;
	int64		count = 0;

	al_require_arg(fcinfo, 0, "transaction");
	values[0] = PG_GETARG_DATUM(0);
	xidtext = DatumGetCString(DirectFunctionCall1(xid8out, values[0]));

	/* every logged change of the transaction, newest first */
	changes = fetch_revisions("SELECT " AL_REVISION_COLUMNS
							  " FROM activity_log.activity a"
							  " LEFT JOIN activity_log.revision_store r"
							  " ON r.activity OPERATOR(pg_catalog.=) a.id"
							  " WHERE a.transaction OPERATOR(pg_catalog.=) $1"
							  " AND a.action OPERATOR(pg_catalog.=) ANY"
							  " ('{create,update,delete,truncate,revert}')"
							  " ORDER BY a.id DESC",
							  1, types, values);
	if (changes == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("transaction %s made no tracked changes", xidtext)));
	foreach(lc, changes)
	{
		ALRevisionRow *rev = lfirst(lc);

		if (!al_collection_visible(rev->collection))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for collection \"%s\"",
							rev->collection)));
		if (rev->op == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot undo the transaction"),
					 errdetail("Its %s of collection \"%s\" has no revision to undo it from.",
							   rev->action, rev->collection)));
		check_may_write(tracked_table(rev->collection), rev->collection,
						rev->op == AL_OP_INSERT ? ACL_DELETE :
						rev->op == AL_OP_DELETE ? ACL_INSERT : ACL_UPDATE);
	}

	/* refuse if any of its rows changed since, naming the first */
	conflict = fetch_revisions("SELECT " AL_REVISION_COLUMNS
							   " FROM activity_log.activity a"
							   " JOIN activity_log.revision_store r"
							   " ON r.activity OPERATOR(pg_catalog.=) a.id"
							   " WHERE a.transaction OPERATOR(pg_catalog.=) $1"
							   " AND EXISTS (SELECT FROM activity_log.revision_store l"
							   "  JOIN activity_log.activity la"
							   "  ON la.id OPERATOR(pg_catalog.=) l.activity"
							   "  WHERE la.collection OPERATOR(pg_catalog.=) a.collection"
							   "  AND (la.item OPERATOR(pg_catalog.=) a.item"
							   "   OR l.previous_item OPERATOR(pg_catalog.=) a.item)"
							   "  AND l.activity OPERATOR(pg_catalog.>) a.id"
							   "  AND la.transaction OPERATOR(pg_catalog.<>) $1)"
							   " ORDER BY a.id LIMIT 1",
							   1, types, values);
	if (conflict != NIL)
	{
		ALRevisionRow *rev = linitial(conflict);

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot undo the transaction: item \"%s\" of collection \"%s\" has changed since",
						rev->item, rev->collection),
				 errdetail("Revision " INT64_FORMAT " was followed by changes from other transactions.",
						   rev->id)));
	}

	/* undo, newest first: back to the state before each change */
	changes = undo_order(changes);
	foreach(lc, changes)
	{
		ALRevisionRow *rev = lfirst(lc);
		Datum		before;
		Oid			relid = tracked_table(rev->collection);
		Relation	rel;

		if (rev->op == AL_OP_DELETE)
			before = rev->data; /* a delete keeps the row it removed */
		else if (rev->op == AL_OP_INSERT)
			before = (Datum) 0; /* the row did not exist */
		else
		{
			Oid			ptypes[3] = {TEXTOID, TEXTOID, INT8OID};
			Datum		pvalues[3];
			List	   *prev;

			/* the row's revision before this one, under its key then */
			pvalues[0] = CStringGetTextDatum(rev->collection);
			pvalues[1] = CStringGetTextDatum(rev->previous_item ?
											 rev->previous_item : rev->item);
			pvalues[2] = Int64GetDatum(rev->id);
			prev = fetch_revisions("SELECT " AL_REVISION_COLUMNS
								   " FROM activity_log.revision_store r"
								   " JOIN activity_log.activity a"
								   " ON a.id OPERATOR(pg_catalog.=) r.activity"
								   " WHERE a.collection OPERATOR(pg_catalog.=) $1"
								   " AND a.item OPERATOR(pg_catalog.=) $2"
								   " AND a.id OPERATOR(pg_catalog.<) $3"
								   " ORDER BY a.id DESC LIMIT 1",
								   3, ptypes, pvalues);
			if (prev == NIL || ((ALRevisionRow *) linitial(prev))->op == AL_OP_DELETE)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot undo the transaction"),
						 errdetail("Item \"%s\" of collection \"%s\" has no revision before revision " INT64_FORMAT ", so its earlier state is unknown.",
								   rev->item, rev->collection, rev->id)));
			before = ((ALRevisionRow *) linitial(prev))->data;
		}

		rel = table_open(relid, RowExclusiveLock);
		(void) restore_as_revert(rel, rev->item, before,
								 rev->op != AL_OP_DELETE);
		table_close(rel, NoLock);
		count++;
	}
	PG_RETURN_INT64(count);
}

/* ----------
 * Retention
 * ----------
 */

/*
 * run_count
 *		Run args->sql as the log owner: a statement that returns the count
 *		of rows it deleted and the smallest activity id among them.
 */
static void
run_count(void *arg)
{
	ALReadArgs *args = (ALReadArgs *) arg;
	bool		isnull;
	Datum		first;

	al_spi_exec(args->sql, args->nargs, args->types, args->values, NULL,
				SPI_OK_SELECT);
	args->count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1, &isnull));
	first = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
						  &isnull);
	if (!isnull && (args->result == (Datum) 0 ||
					DatumGetInt64(first) < DatumGetInt64(args->result)))
		args->result = first;
}

/*
 * activity_log_prune
 *		SQL: activity_log.prune(older_than interval, batch_size int)
 *
 * Deletes activity older than now() - older_than, oldest first, batch_size
 * rows per statement (their revisions follow by ON DELETE CASCADE).
 * Sealed activity is deleted only if the chain verifies, and the chain is
 * sealed again from the first row deleted.  Returns the number of
 * activity rows deleted.
 */
Datum
activity_log_prune(PG_FUNCTION_ARGS)
{
	ALReadArgs	args;
	int64		total = 0;
	int32		batch;
	Datum		zero;

	al_check_admin("prune the activity log");
	al_require_arg(fcinfo, 0, "older_than");
	zero = PointerGetDatum(palloc0(sizeof(Interval)));
	if (!DatumGetBool(DirectFunctionCall2(interval_gt, PG_GETARG_DATUM(0),
										  zero)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must be a positive interval"),
				 errdetail("prune() deletes the activity older than now() minus older_than; an interval of zero or less would delete all of it."),
				 errhint("To empty the log, drop and create the extension again.")));
	batch = PG_ARGISNULL(1) ? 10000 : PG_GETARG_INT32(1);
	if (batch < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size must be at least 1")));

	memset(&args, 0, sizeof(args));
	args.sql = "WITH d AS (DELETE FROM activity_log.activity"
		" WHERE id OPERATOR(pg_catalog.=) ANY (ARRAY("
		" SELECT id FROM activity_log.activity"
		" WHERE \"timestamp\" OPERATOR(pg_catalog.<) $1"
		" ORDER BY \"timestamp\", id LIMIT $2)) RETURNING id),"
		/* parent is a soft link: the revisions a removed one caused lose it */
		" u AS (UPDATE activity_log.revision_store"
		" SET parent = NULL"
		" WHERE parent OPERATOR(pg_catalog.=) ANY (SELECT id FROM d))"
		/* a comment whose edit goes is resealed too (see seal.c) */
		" SELECT pg_catalog.count(*), LEAST(pg_catalog.min(id),"
		" (SELECT pg_catalog.min(e.comment) FROM activity_log.comment_edits e"
		"  WHERE e.activity OPERATOR(pg_catalog.=) ANY (SELECT id FROM d))) FROM d";
	args.nargs = 2;
	args.types[0] = TIMESTAMPTZOID;
	args.types[1] = INT4OID;
	args.values[0] = DirectFunctionCall2(timestamptz_mi_interval,
										 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
										 PG_GETARG_DATUM(0));
	args.values[1] = Int32GetDatum(batch);

	/* sealed activity is deleted only from a chain that verifies */
	al_seal_lock();
	al_seal_require_intact();
	do
	{
		CHECK_FOR_INTERRUPTS();
		al_run_as_log_owner(run_count, &args);
		total += args.count;
	} while (args.count == batch);
	if (args.result != (Datum) 0)
		al_reseal_from(DatumGetInt64(args.result));
	PG_RETURN_INT64(total);
}

/*
 * activity_log_prune_revisions
 *		SQL: activity_log.prune_revisions(keep_last int) RETURNS bigint
 *
 * Keeps only the newest keep_last revisions of each item; activity rows
 * stay.  Returns the number of revisions deleted.
 */
Datum
activity_log_prune_revisions(PG_FUNCTION_ARGS)
{
	ALReadArgs	args;

	al_check_admin("prune revisions");
	al_require_arg(fcinfo, 0, "keep_last");
	if (PG_GETARG_INT32(0) < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keep_last must be at least 1"),
				 errdetail("prune_revisions() keeps the newest keep_last revisions of each item; keeping none would delete every revision.")));

	memset(&args, 0, sizeof(args));
	args.sql = "WITH d AS (DELETE FROM activity_log.revision_store r USING ("
		" SELECT s.activity, pg_catalog.row_number() OVER"
		" (PARTITION BY a.collection, a.item ORDER BY a.id DESC) AS n"
		" FROM activity_log.revision_store s"
		" JOIN activity_log.activity a ON a.id OPERATOR(pg_catalog.=) s.activity) old"
		" WHERE r.activity OPERATOR(pg_catalog.=) old.activity"
		" AND old.n OPERATOR(pg_catalog.>) $1 RETURNING r.activity),"
		/* parent is a soft link: the revisions a removed one caused lose it */
		" u AS (UPDATE activity_log.revision_store"
		" SET parent = NULL"
		" WHERE parent OPERATOR(pg_catalog.=) ANY (SELECT activity FROM d)"
		" AND NOT activity OPERATOR(pg_catalog.=) ANY (SELECT activity FROM d))"
		" SELECT pg_catalog.count(*), pg_catalog.min(activity) FROM d";
	args.nargs = 1;
	args.types[0] = INT8OID;
	args.values[0] = Int64GetDatum(PG_GETARG_INT32(0));
	al_seal_lock();
	al_seal_require_intact();
	al_run_as_log_owner(run_count, &args);
	if (args.result != (Datum) 0)
		al_reseal_from(DatumGetInt64(args.result));
	PG_RETURN_INT64(args.count);
}
