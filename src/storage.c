/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Writes rows into activity_log.activity and activity_log.revision_store
 *	  (the storage behind the view activity_log.revisions).
 *
 * The capture path does not go through SQL: rows are formed in C and
 * inserted with the table access method, and their index entries are made
 * with ExecInsertIndexTuples(), the way COPY does it.  No privilege on the
 * log tables is checked or needed, so a role that changes a tracked table
 * need not (and should not) be able to write the log itself.  Row-level
 * triggers and rules on the log tables are not fired by these writes.
 *
 * Writing tuples directly means doing what the executor would for them
 * (ExecSimpleRelationInsert is the checklist): the declared NOT NULL and
 * CHECK constraints are checked with ExecConstraints() for every row; the
 * log tables are plain tables (no partitions, no generated columns); their
 * one foreign key, revision_store.activity, holds by construction: a
 * revision is written only by al_insert_change(), right after its
 * activity.  The revision's parent is a soft
 * link (no constraint; see the install script): capture only ever names a
 * revision of a change still alive in the transaction.
 *
 * Opening the two tables, their indexes and an executor state costs more
 * than one insert, so it is done once per transaction: the state lives in
 * TopTransactionContext, its relation references and locks belong to the
 * top-level resource owner (so a subtransaction that opened them can abort
 * without taking them along), and it is closed before commit or prepare.
 * On abort, the resource owner and the memory context clean up and the
 * state is simply forgotten.  A relcache invalidation of a log table (a new
 * index, say) makes the next write reopen everything.
 *
 * Also here: running SQL as the owner of the log (al_run_as_log_owner), for
 * the functions that read or change the log after checking their caller.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/storage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"

#include "activity_log.h"
#include "compat.h"

/* One log table opened for inserts */
typedef struct ALLogTable
{
	Relation	rel;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	Oid			seqid;			/* sequence of its "id" column, if any */
} ALLogTable;

/*
 * Row images are compressed inline when they are at least this long.  The
 * heap compresses only rows over about 2 kB, but most row images are a few
 * hundred bytes and compress well; compressing them here halves what the
 * log writes (pages, index-free heap bytes and WAL) for little CPU.  Readers
 * see ordinary jsonb: PostgreSQL decompresses inline values transparently.
 */
#define AL_COMPRESS_MIN 256

/* Everything opened for the current transaction */
typedef struct ALLogState
{
	EState	   *estate;
	ALLogTable	activity;
	ALLogTable	revisions;
	char		data_compression;	/* method for revision_store.data */
	char		delta_compression;	/* and .delta */
} ALLogState;

static ALCatalog catalog;
static bool catalog_valid = false;

static ALLogState *log_state = NULL;
static bool log_state_stale = false;

static Oid	lookup_relation(Oid nsp, const char *name);
static void storage_invalidate(Datum arg, Oid relid);
static void storage_xact_callback(XactEvent event, void *arg);
static ALLogState *log_open(void);
static int64 next_activity_id(ALLogState *state);
static void log_open_table(ALLogTable *table, Oid relid, Oid seqid,
						   int natts);
static void log_close(ALLogState *state);
static HeapTuple form_row(ALLogTable *table, Datum *values, bool *nulls);
static int64 activity_id(HeapTuple activity);
static void log_insert(ALLogState *state, ALLogTable *table,
					   HeapTuple tuple);

/*
 * al_storage_init
 *		Register the callbacks; called once from _PG_init.
 */
void
al_storage_init(void)
{
	CacheRegisterRelcacheCallback(storage_invalidate, (Datum) 0);
	RegisterXactCallback(storage_xact_callback, NULL);
}

/*
 * lookup_relation
 *		OID of one of the extension's relations; an error if it is missing.
 */
static Oid
lookup_relation(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"activity_log.%s\" does not exist", name),
				 errhint("The activity_log extension may have been damaged; reinstall it.")));
	return relid;
}

/*
 * al_catalog
 *		OIDs of the extension's objects, looked up once and cached.
 */
const ALCatalog *
al_catalog(void)
{
	if (!catalog_valid)
	{
		Oid			nsp = get_namespace_oid("activity_log", true);

		if (!OidIsValid(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("schema \"activity_log\" does not exist"),
					 errhint("Run CREATE EXTENSION activity_log.")));
		catalog.namespace = nsp;
		catalog.activity = lookup_relation(nsp, "activity");
		catalog.activity_seq = lookup_relation(nsp, "activity_id_seq");
		catalog.revisions = lookup_relation(nsp, "revision_store");
		catalog.tracking = lookup_relation(nsp, "tracking");
		catalog.tracking_pkey = lookup_relation(nsp, "tracking_pkey");
		catalog.seals = lookup_relation(nsp, "seals");
		catalog_valid = true;
	}
	return &catalog;
}

/*
 * storage_invalidate
 *		Relcache callback: forget OIDs and open state that may be stale.
 */
static void
storage_invalidate(Datum arg, Oid relid)
{
	if (!catalog_valid)
		return;
	if (relid == InvalidOid || relid == catalog.activity ||
		relid == catalog.revisions || relid == catalog.tracking ||
		relid == catalog.activity_seq)
	{
		catalog_valid = false;
		if (log_state != NULL)
			log_state_stale = true;
	}
}

/*
 * storage_xact_callback
 *		Close the log tables before commit; forget them on abort.
 */
static void
storage_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (log_state != NULL)
				log_close(log_state);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			log_state = NULL;
			log_state_stale = false;
			break;
		default:
			break;
	}
}

/*
 * log_open
 *		The log tables, opened for inserts in this transaction.
 */
static ALLogState *
log_open(void)
{
	ResourceOwner saveowner = CurrentResourceOwner;
	MemoryContext oldcxt;
	const ALCatalog *cat;
	ALLogState *state;

	if (log_state != NULL && !log_state_stale)
		return log_state;
	if (log_state != NULL)
		log_close(log_state);

	cat = al_catalog();
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	CurrentResourceOwner = TopTransactionResourceOwner;
	state = palloc0(sizeof(ALLogState));
	PG_TRY();
	{
		state->estate = CreateExecutorState();
		log_open_table(&state->activity, cat->activity, cat->activity_seq,
					   Natts_al_activity);
		log_open_table(&state->revisions, cat->revisions, InvalidOid,
					   Natts_al_revisions);
		state->data_compression =
			al_attribute_compression(TupleDescAttr(RelationGetDescr(state->revisions.rel),
												   Anum_al_revisions_data - 1));
		state->delta_compression =
			al_attribute_compression(TupleDescAttr(RelationGetDescr(state->revisions.rel),
												   Anum_al_revisions_delta - 1));
	}
	PG_CATCH();
	{
		/* a subtransaction may catch this: leave nothing half open */
		CurrentResourceOwner = saveowner;
		MemoryContextSwitchTo(oldcxt);
		log_close(state);
		PG_RE_THROW();
	}
	PG_END_TRY();
	CurrentResourceOwner = saveowner;
	MemoryContextSwitchTo(oldcxt);

	log_state = state;
	log_state_stale = false;
	return state;
}

/*
 * log_open_table
 *		Open one log table and its indexes; checks that it is what 1.0 made.
 */
static void
log_open_table(ALLogTable *table, Oid relid, Oid seqid, int natts)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	ResultRelInfo *rri;

	table->rel = rel;
	if (RelationGetDescr(rel)->natts != natts ||
		rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"activity_log.%s\" has been altered",
						RelationGetRelationName(rel)),
				 errhint("The log tables must keep the shape the extension gave them.")));

	/* not in any range table: no column privileges to report on error */
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, false);
	table->rri = rri;
	table->slot = MakeSingleTupleTableSlot(RelationGetDescr(rel),
										   &TTSOpsHeapTuple);
	table->seqid = seqid;
}

/*
 * log_close
 *		Release what log_open took, under the owner that took it.
 *
 * Also used on a partly opened state, whose missing members are NULL.
 */
static void
log_close(ALLogState *state)
{
	ResourceOwner saveowner = CurrentResourceOwner;
	ALLogTable *tables[2];
	int			i;

	if (state == log_state)
	{
		log_state = NULL;
		log_state_stale = false;
	}

	tables[0] = &state->activity;
	tables[1] = &state->revisions;
	CurrentResourceOwner = TopTransactionResourceOwner;
	for (i = 0; i < 2; i++)
	{
		if (tables[i]->slot != NULL)
			ExecDropSingleTupleTableSlot(tables[i]->slot);
		if (tables[i]->rri != NULL)
			ExecCloseIndices(tables[i]->rri);
		if (tables[i]->rel != NULL)
			table_close(tables[i]->rel, NoLock);
	}
	if (state->estate != NULL)
		FreeExecutorState(state->estate);
	CurrentResourceOwner = saveowner;
	pfree(state);
}

/*
 * form_row
 *		A row of a log table, in TopTransactionContext.
 *
 * Rows are formed there so that a row can be kept until it is written
 * (capture.c keeps some until the end of a statement) and so that the slot
 * can take a row over without copying it: should an error come between
 * storing a row in the slot and clearing it, the row is still there when
 * the slot is next cleared.  A row formed but never written, because of an
 * error, goes with the transaction.
 */
static HeapTuple
form_row(ALLogTable *table, Datum *values, bool *nulls)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	HeapTuple	tuple;

	tuple = heap_form_tuple(RelationGetDescr(table->rel), values, nulls);
	MemoryContextSwitchTo(oldcxt);
	return tuple;
}

/*
 * log_insert
 *		Insert one formed row into a log table and its indexes, checking
 *		the table's constraints first.  The slot takes the tuple over.
 */
static void
log_insert(ALLogState *state, ALLogTable *table, HeapTuple tuple)
{
	TupleTableSlot *slot = table->slot;

	ExecStoreHeapTuple(tuple, slot, true);
	if (table->rel->rd_att->constr != NULL)
		ExecConstraints(table->rri, slot, state->estate);
	table_tuple_insert(table->rel, slot, GetCurrentCommandId(true), 0, NULL);
	if (table->rri->ri_NumIndices > 0)
		(void) al_insert_index_tuples(table->rri, slot, state->estate);

	ResetPerTupleExprContext(state->estate);
	ExecClearTuple(slot);
}

/*
 * next_activity_id
 *		Draw the next activity id.
 *
 * The transaction gets its id first (a captured change already has one):
 * seal() relies on every activity id having been drawn by a transaction
 * that already had its transaction id, so that a transaction it sees
 * neither committed nor running cannot hold an id it has handed out.
 */
static int64
next_activity_id(ALLogState *state)
{
	(void) GetTopFullTransactionId();
	return nextval_internal(state->activity.seqid, false);
}

/*
 * al_reserve_activity_id
 *		Hand out an activity id now, for a row formed and written later in
 *		this transaction (al_form_activity with that id).
 *
 * The log is opened, so the transaction counts as a writer of the log
 * from now on (seal() waits for it).
 */
int64
al_reserve_activity_id(void)
{
	return next_activity_id(log_open());
}

/*
 * al_form_activity
 *		An activity row with the current context, ready to be written by
 *		al_insert_change(); a new id if id is 0.
 *
 * collection, item and comment are text datums.  The row holds copies of
 * everything it needs (see form_row).
 */
HeapTuple
al_form_activity(int64 id, const char *action, Datum collection,
				 Datum item, bool item_isnull,
				 Datum comment, bool comment_isnull)
{
	ALLogState *state = log_open();
	Datum		values[Natts_al_activity];
	bool		nulls[Natts_al_activity];

	if (id == 0)
		id = next_activity_id(state);

	values[Anum_al_activity_id - 1] = Int64GetDatum(id);
	nulls[Anum_al_activity_id - 1] = false;
	values[Anum_al_activity_action - 1] = CStringGetTextDatum(action);
	nulls[Anum_al_activity_action - 1] = false;
	values[Anum_al_activity_collection - 1] = collection;
	nulls[Anum_al_activity_collection - 1] = false;
	values[Anum_al_activity_item - 1] = item;
	nulls[Anum_al_activity_item - 1] = item_isnull;
	values[Anum_al_activity_comment - 1] = comment;
	nulls[Anum_al_activity_comment - 1] = comment_isnull;
	al_fill_context(values, nulls);

	return form_row(&state->activity, values, nulls);
}

/*
 * activity_id
 *		The id of a row formed by al_form_activity().
 */
static int64
activity_id(HeapTuple activity)
{
	bool		isnull;

	return DatumGetInt64(fastgetattr(activity, Anum_al_activity_id,
									 RelationGetDescr(log_open()->activity.rel),
									 &isnull));
}

/*
 * compressed
 *		A row image compressed inline, if it is long and compresses.
 */
static Datum
compressed(Datum value, char method)
{
	Datum		result;

	if (value == (Datum) 0 || VARSIZE(DatumGetPointer(value)) < AL_COMPRESS_MIN)
		return value;
	result = al_compress_datum(value, method);
	return result != (Datum) 0 ? result : value;
}

/*
 * al_form_revision
 *		The revision row of an activity (its id is the activity's), ready
 *		to be written by al_insert_change() with that activity.
 */
HeapTuple
al_form_revision(const ALRevision *rev)
{
	ALLogState *state = log_open();
	Datum		values[Natts_al_revisions];
	bool		nulls[Natts_al_revisions];

	values[Anum_al_revisions_activity - 1] = Int64GetDatum(rev->activity);
	values[Anum_al_revisions_parent - 1] = Int64GetDatum(rev->parent);
	values[Anum_al_revisions_op - 1] = CharGetDatum(rev->op);
	values[Anum_al_revisions_data - 1] = compressed(rev->data,
													state->data_compression);
	values[Anum_al_revisions_delta - 1] = compressed(rev->delta,
													 state->delta_compression);
	values[Anum_al_revisions_previous_item - 1] = rev->previous_item;
	memset(nulls, false, sizeof(nulls));
	nulls[Anum_al_revisions_parent - 1] = rev->parent == 0;
	nulls[Anum_al_revisions_data - 1] = rev->data == (Datum) 0;
	nulls[Anum_al_revisions_delta - 1] = rev->delta == (Datum) 0;
	nulls[Anum_al_revisions_previous_item - 1] = rev->previous_item == (Datum) 0;

	return form_row(&state->revisions, values, nulls);
}

/*
 * al_insert_change
 *		Write an activity row and, unless NULL, its revision row: the two
 *		rows of one change, one right after the other.
 *
 * This is the only way a revision is written from C, which is what makes
 * the revision's foreign key to its activity hold.  Both rows are taken
 * over (freed once written).
 */
void
al_insert_change(HeapTuple activity, HeapTuple revision)
{
	ALLogState *state = log_open();
	bool		isnull;

	if (revision != NULL &&
		DatumGetInt64(fastgetattr(revision, Anum_al_revisions_activity,
								  RelationGetDescr(state->revisions.rel),
								  &isnull)) != activity_id(activity))
		elog(ERROR, "revision of another activity");
	log_insert(state, &state->activity, activity);
	if (revision != NULL)
		log_insert(state, &state->revisions, revision);
}

/*
 * al_insert_activity
 *		Insert an activity row (no revision) with the current context;
 *		returns its id.
 */
int64
al_insert_activity(const char *action, Datum collection,
				   Datum item, bool item_isnull,
				   Datum comment, bool comment_isnull)
{
	int64		id = al_reserve_activity_id();

	al_insert_change(al_form_activity(id, action, collection, item,
									  item_isnull, comment, comment_isnull),
					 NULL);
	return id;
}

/*
 * al_run_as_log_owner
 *		Run fn(arg) inside SPI as the owner of activity_log.tracking.
 *
 * This is the one place where the extension runs SQL as the log's owner,
 * and it pins what that SQL depends on: search_path is pg_catalog, pg_temp
 * for the duration (whatever the caller or the function's own SET clause
 * says), and the operation is security-restricted, so nothing it reaches
 * can change the session's role or settings for good.  The setting and
 * the user id come back on return, and on error with the (sub)transaction.
 */
void
al_run_as_log_owner(void (*fn) (void *), void *arg)
{
	const ALCatalog *cat = al_catalog();
	Relation	tracking;
	Oid			owner;
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;

	tracking = table_open(cat->tracking, AccessShareLock);
	owner = tracking->rd_rel->relowner;
	table_close(tracking, NoLock);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	fn(arg);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * al_spi_exec
 *		Run one statement with bound parameters; check its result code.
 */
void
al_spi_exec(const char *sql, int nargs, Oid *types, Datum *values,
		 const char *nulls, int expected)
{
	int			rc;

	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args returned %s",
			 SPI_result_code_string(rc));
}
