/*-------------------------------------------------------------------------
 *
 * capture.c
 *	  The capture trigger: one activity (and revision) per changed row.
 *
 * activity_log.capture() is installed by track() as an AFTER ROW trigger
 * for INSERT, UPDATE and DELETE and an AFTER STATEMENT trigger for TRUNCATE.
 * Being an AFTER trigger, it sees each row as finally stored (defaults,
 * generated columns and BEFORE triggers applied), and it runs inside the
 * changing transaction, so a rollback (or a rolled back savepoint) removes
 * its rows too.  Any failure to log fails the change.
 *
 *	  INSERT   -> "create": data = the new row, delta = data
 *	  UPDATE   -> "update": data = the new row, delta = changed columns;
 *				  nothing at all when no logged column changed
 *	  DELETE   -> "delete": data = the old row, delta = NULL
 *	  TRUNCATE -> "truncate": one activity for the collection, no item
 *
 * A change that revert() or undo_transaction() makes is logged as "revert".
 * An UPDATE that changes the primary key records the old key in
 * "previous_item".  A change made by a foreign key action (ON DELETE
 * CASCADE and the like) points with "parent" at the revision of the change
 * that caused it.  An UPDATE that moves a row to another partition is
 * logged as one "update", not as a delete and a create.
 *
 * In mode 'activity' only the activity rows are written.
 *
 * The trigger runs once per row, so the work per row is kept to what the
 * row needs: the table's facts come from relinfo.c's cache, each column is
 * converted once for both data and delta, and the log rows are written
 * directly by storage.c.  No NOTICE or WARNING is raised here.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/capture.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "access/table.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "catalog/pg_constraint.h"
#include "commands/trigger.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "activity_log.h"

/*
 * The last truncate logged: a TRUNCATE of a partitioned table fires the
 * trigger of the table and of each partition, in one command; one activity
 * is enough.
 */
static Oid	last_truncate_relid = InvalidOid;
static FullTransactionId last_truncate_xid;
static CommandId last_truncate_cid;

/*
 * revert() and undo_transaction() mark the table they change, so that its
 * changes are logged as "revert"; the last such activity is kept for them.
 */
static Oid	revert_relid = InvalidOid;
static int64 revert_activity = 0;

/*
 * The revisions of deletes and key changes of rows that foreign keys with
 * actions reference, by the row's old key, for this transaction (see
 * find_cause()).
 */
typedef struct ALCauseKey
{
	Oid			configrelid;
	uint32		zero;			/* no padding: the key is hashed as bytes */
	uint64		itemhash;
} ALCauseKey;

typedef struct ALCause
{
	ALCauseKey	key;
	int64		revision;
	bool		deleted;		/* the row was deleted, not re-keyed */
} ALCause;

static HTAB *cause_map = NULL;

/*
 * An UPDATE that moves a row to another partition fires the trigger for a
 * DELETE from one partition and then an INSERT into the other.  The DELETE
 * half is kept here, and the INSERT half logs the pair as one "update".
 */
typedef struct ALPendingMove
{
	Oid			configrelid;
	Oid			relid;			/* the partition the row left */
	FullTransactionId xid;		/* the command of the move */
	CommandId	cid;
	TupleDesc	tupdesc;		/* of that partition */
	HeapTuple	tuple;			/* the row before the update */
} ALPendingMove;

static ALPendingMove *pending_move = NULL;

static void check_trigger(FunctionCallInfo fcinfo);
static void capture_truncate(ALRelInfo *info);
static void remember_move(ALRelInfo *info, Relation rel, HeapTuple tuple);
static void flush_pending_move(void);
static void capture_moved_row(ALRelInfo *info, TupleDesc tupdesc,
							  HeapTuple newtuple);
static void capture_xact_callback(XactEvent event, void *arg);
static void capture_row(ALRelInfo *info, CmdType cmd, TupleDesc tupdesc,
						HeapTuple tuple, HeapTuple newtuple);

PG_FUNCTION_INFO_V1(activity_log_capture);

/*
 * al_capture_init
 *		Register the transaction callback; called once from _PG_init.
 */
void
al_capture_init(void)
{
	RegisterXactCallback(capture_xact_callback, NULL);
}

/*
 * capture_xact_callback
 *		The cause map lives in TopTransactionContext: forget it at the end.
 */
static void
capture_xact_callback(XactEvent event, void *arg)
{
	/* a move whose INSERT half never came was a delete after all */
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
		flush_pending_move();
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
	{
		cause_map = NULL;
		pending_move = NULL;	/* it was in TopTransactionContext */
		revert_relid = InvalidOid;
	}
}

/*
 * al_set_revert_target
 *		Log the following changes of this registered table as "revert";
 *		InvalidOid stops that and keeps the last activity for
 *		al_last_revert_activity().
 */
void
al_set_revert_target(Oid configrelid)
{
	revert_relid = configrelid;
	if (OidIsValid(configrelid))
		revert_activity = 0;
}

/*
 * al_last_revert_activity
 *		The activity of the last change logged as "revert", or 0.
 */
int64
al_last_revert_activity(void)
{
	return revert_activity;
}

/*
 * check_trigger
 *		Refuse any call that is not the trigger track() installs.
 */
static void
check_trigger(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						"activity_log.capture")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER",
						"activity_log.capture")));
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		if (!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("function \"%s\" must be fired FOR EACH STATEMENT for TRUNCATE",
							"activity_log.capture")));
	}
	else if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired FOR EACH ROW",
						"activity_log.capture")));
	if (trigdata->tg_trigger->tgnargs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" takes no trigger arguments",
						"activity_log.capture")));
}

/*
 * activity_log_capture
 *		SQL: activity_log.capture(), the trigger function.
 */
Datum
activity_log_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	Relation	rel;
	ALRelInfo  *info;

	check_trigger(fcinfo);
	al_check_context();
	event = trigdata->tg_event;
	rel = trigdata->tg_relation;
	info = al_get_relinfo(rel);

	/*
	 * The INSERT half of a move follows its DELETE half in the same command;
	 * a DELETE half followed by anything else was a plain delete (a BEFORE
	 * trigger on the new partition may have dropped the row).
	 */
	if (pending_move != NULL &&
		!(TRIGGER_FIRED_BY_INSERT(event) &&
		  pending_move->configrelid == info->configrelid &&
		  pending_move->cid == GetCurrentCommandId(false) &&
		  FullTransactionIdEquals(pending_move->xid, GetTopFullTransactionId())))
		flush_pending_move();

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		if (pending_move != NULL)
			capture_moved_row(info, RelationGetDescr(rel), trigdata->tg_trigtuple);
		else
			capture_row(info, CMD_INSERT, RelationGetDescr(rel),
						trigdata->tg_trigtuple, NULL);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		capture_row(info, CMD_UPDATE, RelationGetDescr(rel),
					trigdata->tg_trigtuple, trigdata->tg_newtuple);
	else if (TRIGGER_FIRED_BY_DELETE(event))
	{
		if (HeapTupleHeaderIndicatesMovedPartitions(trigdata->tg_trigtuple->t_data))
			remember_move(info, rel, trigdata->tg_trigtuple);
		else
			capture_row(info, CMD_DELETE, RelationGetDescr(rel),
						trigdata->tg_trigtuple, NULL);
	}
	else if (TRIGGER_FIRED_BY_TRUNCATE(event))
		capture_truncate(info);

	return PointerGetDatum(NULL);
}

/*
 * remember_move
 *		Keep the DELETE half of a row moved to another partition.
 */
static void
remember_move(ALRelInfo *info, Relation rel, HeapTuple tuple)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	ALPendingMove *move = palloc0(sizeof(ALPendingMove));

	move->configrelid = info->configrelid;
	move->relid = RelationGetRelid(rel);
	move->xid = GetTopFullTransactionId();
	move->cid = GetCurrentCommandId(false);
	move->tupdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	move->tuple = heap_copytuple(tuple);
	pending_move = move;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * flush_pending_move
 *		Log a kept DELETE half whose INSERT half did not come, as a delete.
 */
static void
flush_pending_move(void)
{
	ALPendingMove *move = pending_move;
	Relation	rel;

	if (move == NULL)
		return;
	pending_move = NULL;
	rel = table_open(move->relid, NoLock);	/* the DELETE locked it */
	capture_row(al_get_relinfo(rel), CMD_DELETE, move->tupdesc, move->tuple,
				NULL);
	table_close(rel, NoLock);
	FreeTupleDesc(move->tupdesc);
	heap_freetuple(move->tuple);
	pfree(move);
}

/*
 * capture_moved_row
 *		Log the INSERT half of a row moved to another partition, with the
 *		kept DELETE half, as one "update".
 *
 * The partitions may lay out their columns differently (dropped columns):
 * the old row is converted to the new partition's layout, by name.
 */
static void
capture_moved_row(ALRelInfo *info, TupleDesc tupdesc, HeapTuple newtuple)
{
	ALPendingMove *move = pending_move;
	TupleConversionMap *map;
	HeapTuple	oldtuple = move->tuple;

	pending_move = NULL;		/* freed with the transaction */
	map = convert_tuples_by_name(move->tupdesc, tupdesc);
	if (map != NULL)
		oldtuple = execute_attr_map_tuple(oldtuple, map);
	capture_row(info, CMD_UPDATE, tupdesc, oldtuple, newtuple);
}

/*
 * capture_truncate
 *		Log a TRUNCATE, once per command and registered table.
 */
static void
capture_truncate(ALRelInfo *info)
{
	FullTransactionId xid = GetTopFullTransactionId();
	CommandId	cid = GetCurrentCommandId(false);

	if (info->configrelid == last_truncate_relid &&
		FullTransactionIdEquals(xid, last_truncate_xid) &&
		cid == last_truncate_cid)
		return;
	(void) al_insert_activity("truncate", info->collection,
							  (Datum) 0, true, (Datum) 0, true);
	last_truncate_relid = info->configrelid;
	last_truncate_xid = xid;
	last_truncate_cid = cid;
}

/*
 * key_changed
 *		Did an UPDATE change the primary key?
 */
static bool
key_changed(ALRelInfo *info, Datum *oldvalues, bool *oldnulls,
			Datum *newvalues, bool *newnulls)
{
	int			i;

	for (i = 0; i < info->nkeys; i++)
	{
		AttrNumber	attno = info->keys[i].attnum - 1;

		if (!al_values_equal(&info->keys[i], oldvalues[attno], oldnulls[attno],
							 newvalues[attno], newnulls[attno]))
			return true;
	}
	return false;
}

/*
 * cause_key
 *		The key of the cause map for a table's item.
 */
static ALCauseKey
cause_key(Oid configrelid, Datum item)
{
	text	   *t = DatumGetTextPP(item);
	ALCauseKey	key;

	key.configrelid = configrelid;
	key.zero = 0;
	key.itemhash = hash_bytes_extended((unsigned char *) VARDATA_ANY(t),
									   VARSIZE_ANY_EXHDR(t), 0);
	return key;
}

/*
 * remember_cause
 *		Remember the revision of a delete or key change of a row that
 *		foreign keys with actions reference, by the row's old key, for the
 *		changes those actions make next.
 */
static void
remember_cause(ALRelInfo *info, Datum olditem, bool deleted, int64 revision)
{
	ALCauseKey	key = cause_key(info->configrelid, olditem);
	ALCause    *entry;

	if (cause_map == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(ALCauseKey);
		ctl.entrysize = sizeof(ALCause);
		ctl.hcxt = TopTransactionContext;
		cause_map = hash_create("activity_log causes", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	entry = hash_search(cause_map, &key, HASH_ENTER, NULL);
	entry->revision = revision;
	entry->deleted = deleted;
}

/*
 * fk_columns_changed
 *		Did an UPDATE change the referencing columns of a foreign key?
 */
static bool
fk_columns_changed(ALForeignKey *fk, Datum *oldvalues, bool *oldnulls,
				   Datum *newvalues, bool *newnulls)
{
	int			i;

	for (i = 0; i < fk->nkeys; i++)
	{
		AttrNumber	attno = fk->columns[i].attnum - 1;

		if (!al_values_equal(&fk->columns[i], oldvalues[attno], oldnulls[attno],
							 newvalues[attno], newnulls[attno]))
			return true;
	}
	return false;
}

/*
 * find_cause
 *		The revision whose foreign key action made this change, or 0.
 *
 * A row deleted (ON DELETE CASCADE) or whose referencing columns changed
 * (SET NULL, SET DEFAULT, ON UPDATE CASCADE), whose old referencing values
 * name a referenced row deleted or re-keyed earlier in this transaction by
 * a change that such an action follows, was changed by that action: the
 * action runs right after the referenced row's capture (the capture
 * trigger's name sorts before the "RI_" triggers), and a referencing row
 * cannot keep pointing at a deleted or re-keyed row otherwise.
 */
static int64
find_cause(ALRelInfo *info, CmdType cmd, Datum *oldvalues, bool *oldnulls,
		   Datum *newvalues, bool *newnulls)
{
	int			i,
				j;

	if (cause_map == NULL || info->nfkeys == 0)
		return 0;
	for (i = 0; i < info->nfkeys; i++)
	{
		ALForeignKey *fk = &info->fkeys[i];
		ALCauseKey	key;
		ALCause    *entry;

		if (cmd == CMD_UPDATE &&
			!fk_columns_changed(fk, oldvalues, oldnulls, newvalues, newnulls))
			continue;
		for (j = 0; j < fk->nkeys; j++)
			if (oldnulls[fk->columns[j].attnum - 1])
				break;
		if (j < fk->nkeys)
			continue;
		key = cause_key(fk->configrelid,
						al_key_text(fk->columns, fk->nkeys, oldvalues, oldnulls));
		entry = hash_search(cause_map, &key, HASH_FIND, NULL);
		if (entry == NULL)
			continue;
		if (cmd == CMD_DELETE ?
			(entry->deleted && fk->deltype == FKCONSTR_ACTION_CASCADE) :
			(entry->deleted ? fk->deltype != FKCONSTR_ACTION_CASCADE :
			 fk->updtype != FKCONSTR_ACTION_NOACTION &&
			 fk->updtype != FKCONSTR_ACTION_RESTRICT))
			return entry->revision;
	}
	return 0;
}

/*
 * capture_row
 *		Log one row event.
 *
 * tuple is the inserted row, the deleted row, or the old row of an update
 * (then newtuple is the new one).  Memory is the trigger's per-row context.
 */
static void
capture_row(ALRelInfo *info, CmdType cmd, TupleDesc tupdesc,
			HeapTuple tuple, HeapTuple newtuple)
{
	int			natts = tupdesc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	Datum	   *rowvalues = values;
	bool	   *rownulls = nulls;
	bool	   *changed = NULL;
	const char *action;
	bool		is_revert;
	int64		parent;
	ALRevision	rev;
	Datum		item;
	Datum		olditem;

	heap_deform_tuple(tuple, tupdesc, values, nulls);

	if (cmd == CMD_UPDATE)
	{
		bool		any = false;
		int			i;

		/* values/nulls keep the old row; the new one is what gets logged */
		rowvalues = palloc(sizeof(Datum) * natts);
		rownulls = palloc(sizeof(bool) * natts);
		heap_deform_tuple(newtuple, tupdesc, rowvalues, rownulls);

		changed = palloc(sizeof(bool) * Max(info->ncolumns, 1));
		for (i = 0; i < info->ncolumns; i++)
		{
			AttrNumber	attno = info->columns[i].attnum - 1;

			changed[i] = !al_values_equal(&info->columns[i],
										  values[attno], nulls[attno],
										  rowvalues[attno], rownulls[attno]);
			any |= changed[i];
		}
		if (!any)
			return;
	}

	/* a change that revert() or undo_transaction() makes is a "revert" */
	parent = cmd == CMD_INSERT ? 0 :
		find_cause(info, cmd, values, nulls, rowvalues, rownulls);
	is_revert = info->configrelid == revert_relid && parent == 0;
	action = is_revert ? "revert" :
		cmd == CMD_INSERT ? "create" :
		cmd == CMD_UPDATE ? "update" : "delete";

	memset(&rev, 0, sizeof(rev));
	item = al_key_text(info->keys, info->nkeys, rowvalues, rownulls);
	olditem = item;
	if (cmd == CMD_UPDATE &&
		key_changed(info, values, nulls, rowvalues, rownulls))
		olditem = rev.previous_item =
			al_key_text(info->keys, info->nkeys, values, nulls);

	rev.activity = al_insert_activity(action, info->collection, item,
									  false, (Datum) 0, true);
	if (is_revert)
		revert_activity = rev.activity;
	if (!info->with_revisions)
		return;

	/* a create's delta is its data: the view shows it, it is stored once */
	rev.data = al_row_image(info, rowvalues, rownulls, changed, &rev.delta);
	rev.op = cmd == CMD_INSERT ? AL_OP_INSERT :
		cmd == CMD_UPDATE ? AL_OP_UPDATE : AL_OP_DELETE;
	rev.parent = parent;

	al_insert_revision(&rev);
	if (info->referenced &&
		(cmd == CMD_DELETE || rev.previous_item != (Datum) 0))
		remember_cause(info, olditem, cmd == CMD_DELETE, rev.activity);
}
