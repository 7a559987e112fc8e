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
 * Each row change is first built (build_change: the row images, the key,
 * the cause, the activity and revision rows), then written (write_change,
 * through storage.c, with no other code in between).  Building can run
 * code that comes back into the extension (an output function, a nested
 * write); the table's cache entry is pinned meanwhile (relinfo.c), and
 * what is written holds copies of everything it needs.
 *
 * What the capture holds beyond one row, and how long:
 *
 *	- The DELETE halves of rows moved to another partition whose INSERT
 *	  half has not come yet ("pending moves"), each with the delete it
 *	  stands for, fully built (activity id handed out, row image made, the
 *	  context of its statement) so that it is right whatever happens to
 *	  the table before it is written.
 *	- The causes: the revisions of deletes and key changes of rows that
 *	  foreign keys with actions reference, by the row's old key.
 *	- The last TRUNCATE logged, by command.
 *
 * All of it belongs to the (sub)transaction that made it: everything is
 * stamped with its subtransaction id and kept in the order it was made, so
 * when a subtransaction aborts, what it made (and what its committed
 * children made) is on top and is dropped; a subtransaction that commits
 * leaves its state to its parent as it is; the end of the top-level
 * transaction forgets everything (it lives in TopTransactionContext).
 * The truncate is keyed by its command, which a rolled back one never
 * shares with a later one.
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

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_constraint.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "activity_log.h"

/*
 * One row change, built and ready to be written: its activity row and, in
 * mode 'all', its revision row, plus what the cause map needs.
 */
typedef struct ALChange
{
	int64		id;				/* the activity's id (also the revision's) */
	HeapTuple	activity;
	HeapTuple	revision;		/* NULL in mode 'activity' */
	bool		is_revert;		/* made by revert() or undo_transaction() */
	bool		is_cause;		/* a delete or key change of a referenced
								 * row: remember it for the actions */
	bool		deleted;		/* (if is_cause) a delete, not a key change */
	Oid			configrelid;	/* (if is_cause) the registered table */
	Datum		olditem;		/* (if is_cause) the row's key before */
	CommandId	scope;			/* (if is_cause) see ALCause */
	CommandId	cid;			/* (if is_cause) the command that made it */
} ALChange;

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
static ALRevertMark revert_mark = {InvalidOid, 0, (Datum) 0};

/*
 * The cause map: for each (registered table, old key) the revisions of its
 * deletes and key changes in this transaction, newest first ("older"
 * links), and all of them in the order they were made ("below" links from
 * cause_top), for dropping what an aborted subtransaction made.
 */
typedef struct ALCauseKey
{
	Oid			configrelid;
	uint32		zero;			/* no padding: the key is hashed as bytes */
	uint64		itemhash;
} ALCauseKey;

typedef struct ALCause ALCause;

typedef struct ALCauseEntry
{
	ALCauseKey	key;
	ALCause    *newest;
} ALCauseEntry;

struct ALCause
{
	ALCause    *older;			/* the next older cause of the same key */
	ALCause    *below;			/* the cause remembered before this one */
	ALCauseEntry *entry;
	SubTransactionId subid;		/* made in this subtransaction */
	CommandId	scope;			/* captured while the AFTER triggers of this
								 * statement fired (its snapshot's curcid) */
	CommandId	cid;			/* the command that made the change */
	int64		revision;
	bool		deleted;		/* the row was deleted, not re-keyed */
	text	   *item;			/* the old key (the hash may collide) */
};

static HTAB *cause_map = NULL;
static ALCause *cause_top = NULL;

/*
 * An UPDATE that moves a row to another partition fires the trigger for a
 * DELETE from one partition and then an INSERT into the other, both with
 * the tuples of the same subtransaction and command.  The DELETE half is
 * kept here until its INSERT half comes, newest first.
 */
typedef struct ALPendingMove ALPendingMove;

struct ALPendingMove
{
	ALPendingMove *older;
	SubTransactionId subid;		/* made in this subtransaction */
	Oid			configrelid;
	TransactionId xid;			/* the (sub)transaction that moved it */
	CommandId	cid;			/* and its command */
	TupleDesc	tupdesc;		/* of the partition the row left */
	HeapTuple	tuple;			/* the row before the update */
	ALChange	change;			/* the delete, should no INSERT half come */
};

static ALPendingMove *pending_moves = NULL;

static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

static void check_trigger(FunctionCallInfo fcinfo);
static void capture_xact_callback(XactEvent event, void *arg);
static void capture_subxact_callback(SubXactEvent event,
									 SubTransactionId mySubid,
									 SubTransactionId parentSubid,
									 void *arg);
static void capture_ExecutorFinish(QueryDesc *queryDesc);
static void capture_truncate(ALRelInfo *info);
static bool build_change(ALRelInfo *info, CmdType cmd, TupleDesc tupdesc,
						 HeapTuple tuple, HeapTuple newtuple, CommandId cid,
						 int64 id, ALChange *change);
static void write_change(ALChange *change);
static void capture_row(ALRelInfo *info, CmdType cmd, Relation rel,
						HeapTuple tuple, HeapTuple newtuple);
static void remember_move(ALRelInfo *info, Relation rel, HeapTuple tuple);
static ALPendingMove *find_move(ALRelInfo *info, Relation rel,
								HeapTuple newtuple);
static void capture_moved_row(ALRelInfo *info, Relation rel,
							  ALPendingMove *move, HeapTuple newtuple);
static void unlink_move(ALPendingMove *move);
static void free_move(ALPendingMove *move);
static void flush_moves(bool all, CommandId cid, Oid configrelid,
						TransactionId xid);
static CommandId trigger_scope(void);
static void remember_cause(ALChange *change, int64 revision);
static int64 find_cause(ALRelInfo *info, CmdType cmd, CommandId cid,
						Datum *oldvalues, bool *oldnulls,
						Datum *newvalues, bool *newnulls);

PG_FUNCTION_INFO_V1(activity_log_capture);

/*
 * al_capture_init
 *		Register the transaction callbacks and the executor hook; called
 *		once from _PG_init.
 */
void
al_capture_init(void)
{
	RegisterXactCallback(capture_xact_callback, NULL);
	RegisterSubXactCallback(capture_subxact_callback, NULL);
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = capture_ExecutorFinish;
}

/*
 * capture_xact_callback
 *		Write the moves that turned out to be deletes before commit; forget
 *		everything at the end (it was in TopTransactionContext).
 */
static void
capture_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			flush_moves(true, InvalidCommandId, InvalidOid,
						InvalidTransactionId);
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			pending_moves = NULL;
			cause_map = NULL;
			cause_top = NULL;
			memset(&revert_mark, 0, sizeof(revert_mark));
			break;
		default:
			break;
	}
}

/*
 * capture_subxact_callback
 *		When a subtransaction aborts, drop what it and its children made.
 *
 * Subtransaction ids grow, and everything made since mySubid started was
 * made by it or by its children (committed into it), so it is exactly
 * what carries a subtransaction id of mySubid or more; it sits on top of
 * both stacks.  A commit leaves the state to the parent as it is.
 */
static void
capture_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	ALPendingMove *move;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;

	while ((move = pending_moves) != NULL && move->subid >= mySubid)
	{
		pending_moves = move->older;
		free_move(move);
	}
	while (cause_top != NULL && cause_top->subid >= mySubid)
	{
		ALCause    *cause = cause_top;

		cause_top = cause->below;
		cause->entry->newest = cause->older;
		pfree(cause->item);
		pfree(cause);
	}
}

/*
 * capture_ExecutorFinish
 *		After a statement's AFTER triggers have run, a kept DELETE half of
 *		a move made by that statement will not get its INSERT half (a
 *		BEFORE trigger on the new partition dropped the row): write it as
 *		the delete it was.
 *
 * Installed when the library is loaded, so the statement that loads it is
 * not seen here; its moves are written at the latest before commit.
 */
static void
capture_ExecutorFinish(QueryDesc *queryDesc)
{
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
	if (pending_moves != NULL)
		flush_moves(false, queryDesc->estate->es_output_cid, InvalidOid,
					InvalidTransactionId);
}

/*
 * al_mark_revert
 *		Log the following changes of this registered table as "revert",
 *		until al_unmark_revert(); returns the mark to restore then.
 *
 * undelete (text) is the key of the row being restored: should the row be
 * inserted (it was deleted), that insert records it as its previous_item,
 * which links the row's history across the delete (history.c).
 */
ALRevertMark
al_mark_revert(Oid configrelid, Datum undelete)
{
	ALRevertMark previous = revert_mark;

	revert_mark.relid = configrelid;
	revert_mark.activity = 0;
	revert_mark.undelete = undelete;
	return previous;
}

/*
 * al_unmark_revert
 *		End a mark: restore the previous one and return the activity of the
 *		last change logged as "revert" under this one, or 0.
 */
int64
al_unmark_revert(ALRevertMark previous)
{
	int64		activity = revert_mark.activity;

	revert_mark = previous;
	return activity;
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

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		ALPendingMove *move = find_move(info, rel, trigdata->tg_trigtuple);

		if (move != NULL)
			capture_moved_row(info, rel, move, trigdata->tg_trigtuple);
		else
			capture_row(info, CMD_INSERT, rel, trigdata->tg_trigtuple, NULL);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		capture_row(info, CMD_UPDATE, rel, trigdata->tg_trigtuple,
					trigdata->tg_newtuple);
	else if (TRIGGER_FIRED_BY_DELETE(event))
	{
		if (HeapTupleHeaderIndicatesMovedPartitions(trigdata->tg_trigtuple->t_data))
			remember_move(info, rel, trigdata->tg_trigtuple);
		else
			capture_row(info, CMD_DELETE, rel, trigdata->tg_trigtuple, NULL);
	}
	else if (TRIGGER_FIRED_BY_TRUNCATE(event))
		capture_truncate(info);

	al_release_relinfo(info);
	return PointerGetDatum(NULL);
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
 * columns_changed
 *		Did an UPDATE change any of these columns (the primary key, or the
 *		referencing columns of a foreign key)?
 */
static bool
columns_changed(ALColumn *columns, int ncolumns, Datum *oldvalues,
				bool *oldnulls, Datum *newvalues, bool *newnulls)
{
	int			i;

	for (i = 0; i < ncolumns; i++)
	{
		AttrNumber	attno = columns[i].attnum - 1;

		if (!al_values_equal(&columns[i], oldvalues[attno], oldnulls[attno],
							 newvalues[attno], newnulls[attno]))
			return true;
	}
	return false;
}

/*
 * build_change
 *		Build the log rows of one row event; false if there is nothing to
 *		log (an UPDATE that changed no logged column).
 *
 * The work is done in the current memory context; the rows themselves are
 * formed in TopTransactionContext (see storage.c's form_row), so that they
 * can be kept until they are written.
 *
 * tuple is the inserted row, the deleted row, or the old row of an update
 * (then newtuple is the new one), laid out as tupdesc says.  cid is the
 * command that deleted or updated the row, if known (else
 * InvalidCommandId).  id is an activity id handed out before, or 0.
 */
static bool
build_change(ALRelInfo *info, CmdType cmd, TupleDesc tupdesc,
			 HeapTuple tuple, HeapTuple newtuple, CommandId cid, int64 id,
			 ALChange *change)
{
	int			natts = tupdesc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	Datum	   *rowvalues = values;
	bool	   *rownulls = nulls;
	bool	   *changed = NULL;
	const char *action;
	ALRevision	rev;
	Datum		item;

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
			return false;
	}

	memset(&rev, 0, sizeof(rev));
	memset(change, 0, sizeof(ALChange));

	/* the id first: changes made by code run below come after this one */
	if (id == 0)
		id = al_reserve_activity_id();
	change->id = id;

	/* a change that revert() or undo_transaction() makes is a "revert" */
	rev.parent = cmd == CMD_INSERT ? 0 :
		find_cause(info, cmd, cid, values, nulls, rowvalues, rownulls);
	change->is_revert = info->configrelid == revert_mark.relid &&
		rev.parent == 0;
	action = change->is_revert ? "revert" :
		cmd == CMD_INSERT ? "create" :
		cmd == CMD_UPDATE ? "update" : "delete";

	item = al_key_text(info->keys, info->nkeys, rowvalues, rownulls);
	if (cmd == CMD_UPDATE &&
		columns_changed(info->keys, info->nkeys, values, nulls, rowvalues,
						rownulls))
		rev.previous_item = al_key_text(info->keys, info->nkeys, values, nulls);
	else if (cmd == CMD_INSERT && change->is_revert &&
			 revert_mark.undelete != (Datum) 0)
	{
		/* a row brought back: the key it was deleted under */
		rev.previous_item = revert_mark.undelete;
		revert_mark.undelete = (Datum) 0;
	}

	/* a create's delta is its data: the view shows it, it is stored once */
	if (info->with_revisions)
	{
		rev.data = al_row_image(info, rowvalues, rownulls, changed,
								&rev.delta);
		rev.op = cmd == CMD_INSERT ? AL_OP_INSERT :
			cmd == CMD_UPDATE ? AL_OP_UPDATE : AL_OP_DELETE;
	}

	/* everything that can run other code is done: form the rows */
	change->activity = al_form_activity(id, action, info->collection, item,
										false, (Datum) 0, true);
	if (info->with_revisions)
	{
		rev.activity = id;
		change->revision = al_form_revision(&rev);
		if (info->referenced &&
			(cmd == CMD_DELETE ||
			 (cmd == CMD_UPDATE && rev.previous_item != (Datum) 0)))
		{
			change->is_cause = true;
			change->deleted = cmd == CMD_DELETE;
			change->configrelid = info->configrelid;
			change->olditem = rev.previous_item != (Datum) 0 ?
				rev.previous_item : item;
			change->scope = trigger_scope();
			change->cid = cid;
		}
	}
	return true;
}

/*
 * write_change
 *		Write a built change, and remember it as a cause if it is one.
 */
static void
write_change(ALChange *change)
{
	al_insert_change(change->activity, change->revision);
	if (change->is_revert)
		revert_mark.activity = change->id;
	if (change->is_cause)
		remember_cause(change, change->id);
}

/*
 * uses_heap
 *		Do the tuples of this table carry heap headers (xmin, cmin...)?
 */
static inline bool
uses_heap(Relation rel)
{
	return rel->rd_rel->relam == HEAP_TABLE_AM_OID;
}

/*
 * capture_row
 *		Log one row event of rel (see build_change).  Memory is the
 *		trigger's per-row context.
 */
static void
capture_row(ALRelInfo *info, CmdType cmd, Relation rel,
			HeapTuple tuple, HeapTuple newtuple)
{
	ALChange	change;
	CommandId	cid = InvalidCommandId;

	/* the command of the change matters only for foreign key causes */
	if (cmd != CMD_INSERT && (info->nfkeys > 0 || info->referenced) &&
		uses_heap(rel))
		cid = HeapTupleHeaderGetCmax(tuple->t_data);
	if (build_change(info, cmd, RelationGetDescr(rel), tuple, newtuple, cid,
					 0, &change))
		write_change(&change);
}

/* ----------
 * Rows moved to another partition
 * ----------
 */

/*
 * remember_move
 *		Keep the DELETE half of a row moved to another partition, with the
 *		delete it stands for built in full.
 *
 * The row left the partition in the (sub)transaction and command that
 * its tuple's xmax and cmax name, which the INSERT half's tuple has as
 * xmin and cmin.  An earlier DELETE half of the same command still kept
 * here will not get its INSERT half any more: it was a delete.
 */
static void
remember_move(ALRelInfo *info, Relation rel, HeapTuple tuple)
{
	HeapTupleHeader header = tuple->t_data;
	TransactionId xid = HeapTupleHeaderGetUpdateXid(header);
	CommandId	cid = HeapTupleHeaderGetCmax(header);
	ALChange	change;
	ALPendingMove *move;
	MemoryContext oldcxt;

	flush_moves(false, cid, info->configrelid, xid);

	/* the delete, with its id handed out now and its image made now */
	if (!build_change(info, CMD_DELETE, RelationGetDescr(rel), tuple, NULL,
					  cid, al_reserve_activity_id(), &change))
		elog(ERROR, "delete with nothing to log");

	/* the change's rows are in TopTransactionContext already */
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	move = palloc0(sizeof(ALPendingMove));
	move->subid = GetCurrentSubTransactionId();
	move->configrelid = info->configrelid;
	move->xid = xid;
	move->cid = cid;
	move->tupdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	move->tuple = heap_copytuple(tuple);
	move->change = change;
	if (change.is_cause)
		move->change.olditem = PointerGetDatum(DatumGetTextPCopy(change.olditem));
	move->older = pending_moves;
	pending_moves = move;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * find_move
 *		The kept DELETE half whose INSERT half newtuple is, or NULL.
 */
static ALPendingMove *
find_move(ALRelInfo *info, Relation rel, HeapTuple newtuple)
{
	ALPendingMove *move;
	TransactionId xid;
	CommandId	cid;

	if (pending_moves == NULL || !uses_heap(rel))
		return NULL;
	xid = HeapTupleHeaderGetXmin(newtuple->t_data);
	cid = HeapTupleHeaderGetCmin(newtuple->t_data);
	for (move = pending_moves; move != NULL; move = move->older)
		if (move->configrelid == info->configrelid &&
			move->cid == cid && TransactionIdEquals(move->xid, xid))
			return move;
	return NULL;
}

/*
 * capture_moved_row
 *		Log the INSERT half of a row moved to another partition, with its
 *		kept DELETE half, as one "update", under the activity id handed out
 *		for the DELETE half.
 *
 * The partitions may lay out their columns differently (dropped columns):
 * the old row is converted to the new partition's layout, by name.  No
 * DDL can come between the two halves: they fire in one statement.
 */
static void
capture_moved_row(ALRelInfo *info, Relation rel, ALPendingMove *move,
				  HeapTuple newtuple)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	TupleConversionMap *map;
	HeapTuple	oldtuple = move->tuple;
	ALChange	change;

	unlink_move(move);
	map = convert_tuples_by_name(move->tupdesc, tupdesc);
	if (map != NULL)
		oldtuple = execute_attr_map_tuple(oldtuple, map);
	if (build_change(info, CMD_UPDATE, tupdesc, oldtuple, newtuple, move->cid,
					 move->change.id, &change))
		write_change(&change);
	free_move(move);
}

/*
 * unlink_move
 *		Take a kept DELETE half off the list.
 */
static void
unlink_move(ALPendingMove *move)
{
	ALPendingMove **link = &pending_moves;

	while (*link != move)
		link = &(*link)->older;
	*link = move->older;
}

/*
 * free_move
 *		Free a kept DELETE half that is off the list.
 */
static void
free_move(ALPendingMove *move)
{
	FreeTupleDesc(move->tupdesc);
	heap_freetuple(move->tuple);
	if (move->change.activity != NULL)
		heap_freetuple(move->change.activity);
	if (move->change.revision != NULL)
		heap_freetuple(move->change.revision);
	if (move->change.is_cause)
		pfree(DatumGetPointer(move->change.olditem));
	pfree(move);
}

/*
 * flush_moves
 *		Write kept DELETE halves as the deletes they were: all of them, or
 *		those of command cid (and, if given, of one registered table and
 *		transaction), oldest first.
 */
static void
flush_moves(bool all, CommandId cid, Oid configrelid, TransactionId xid)
{
	ALPendingMove *oldest;

	for (;;)
	{
		ALPendingMove *move;

		oldest = NULL;
		for (move = pending_moves; move != NULL; move = move->older)
			if (all ||
				(move->cid == cid &&
				 (!OidIsValid(configrelid) ||
				  (move->configrelid == configrelid &&
				   TransactionIdEquals(move->xid, xid)))))
				oldest = move;
		if (oldest == NULL)
			break;
		unlink_move(oldest);
		/* writing takes the rows over */
		write_change(&oldest->change);
		oldest->change.activity = NULL;
		oldest->change.revision = NULL;
		free_move(oldest);
	}
}

/* ----------
 * Causes: the changes that foreign key actions follow
 * ----------
 */

/*
 * cause_key
 *		The key of the cause map for a table's item.
 */
static ALCauseKey
cause_key(Oid configrelid, text *item)
{
	ALCauseKey	key;

	key.configrelid = configrelid;
	key.zero = 0;
	key.itemhash = hash_bytes_extended((unsigned char *) VARDATA_ANY(item),
									   VARSIZE_ANY_EXHDR(item), 0);
	return key;
}

/*
 * same_text
 *		Are two text values equal, byte for byte?
 */
static inline bool
same_text(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * trigger_scope
 *		Which statement's AFTER triggers are firing now: the command id of
 *		the snapshot they run under (each statement has its own), or
 *		InvalidCommandId if there is none.
 *
 * The actions of foreign keys run their queries without firing the
 * triggers those queue (SPI's fire_triggers = false): the capture of the
 * rows an action changed comes later, in the same round of triggers as
 * the change that fired the action, so in the same scope.  A statement
 * run by a trigger fires its own triggers, under its own snapshot.
 */
static CommandId
trigger_scope(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot()->curcid :
		InvalidCommandId;
}

/*
 * remember_cause
 *		Remember the revision of a delete or key change of a row that
 *		foreign keys with actions reference, by the row's old key, for the
 *		changes those actions make next.
 */
static void
remember_cause(ALChange *change, int64 revision)
{
	text	   *item = DatumGetTextPP(change->olditem);
	ALCauseKey	key = cause_key(change->configrelid, item);
	MemoryContext oldcxt;
	ALCauseEntry *entry;
	ALCause    *cause;
	bool		found;

	if (cause_map == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(ALCauseKey);
		ctl.entrysize = sizeof(ALCauseEntry);
		ctl.hcxt = TopTransactionContext;
		cause_map = hash_create("activity_log causes", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	entry = hash_search(cause_map, &key, HASH_ENTER, &found);
	if (!found)
		entry->newest = NULL;

	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	cause = palloc(sizeof(ALCause));
	cause->entry = entry;
	cause->subid = GetCurrentSubTransactionId();
	cause->scope = change->scope;
	cause->cid = change->cid;
	cause->revision = revision;
	cause->deleted = change->deleted;
	cause->item = DatumGetTextPCopy(change->olditem);
	MemoryContextSwitchTo(oldcxt);

	cause->older = entry->newest;
	entry->newest = cause;
	cause->below = cause_top;
	cause_top = cause;
}

/*
 * find_cause
 *		The revision whose foreign key action made this change, or 0.
 *
 * A change made by a foreign key action is captured in the same scope
 * (trigger_scope) as the change that fired the action, and was made by
 * another command (the action's query; cid is this change's command).  The
 * action runs right after the capture of the change that fired it (the
 * capture trigger's name sorts before the "RI_" triggers), so the cause is
 * the newest remembered delete or key change of the referenced key that
 * the row's old referencing values name, if it is of this scope and the
 * action for that kind of change could have made this one: a delete by ON
 * DELETE CASCADE; an update of the referencing columns by ON DELETE SET
 * NULL / SET DEFAULT, or by an ON UPDATE action.  With several foreign
 * keys, the newest such cause.
 */
static int64
find_cause(ALRelInfo *info, CmdType cmd, CommandId cid, Datum *oldvalues,
		   bool *oldnulls, Datum *newvalues, bool *newnulls)
{
	CommandId	scope;
	int64		result = 0;
	int			i,
				j;

	if (cause_map == NULL || info->nfkeys == 0)
		return 0;
	scope = trigger_scope();
	if (scope == InvalidCommandId)
		return 0;
	for (i = 0; i < info->nfkeys; i++)
	{
		ALForeignKey *fk = &info->fkeys[i];
		text	   *item;
		ALCauseKey	key;
		ALCauseEntry *entry;
		ALCause    *cause;

		if (cmd == CMD_UPDATE &&
			!columns_changed(fk->columns, fk->nkeys, oldvalues, oldnulls,
							 newvalues, newnulls))
			continue;
		for (j = 0; j < fk->nkeys; j++)
			if (oldnulls[fk->columns[j].attnum - 1])
				break;
		if (j < fk->nkeys)
			continue;
		item = DatumGetTextPP(al_key_text(fk->columns, fk->nkeys, oldvalues,
										  oldnulls));
		key = cause_key(fk->configrelid, item);
		entry = hash_search(cause_map, &key, HASH_FIND, NULL);
		if (entry == NULL)
			continue;
		for (cause = entry->newest; cause != NULL; cause = cause->older)
			if (same_text(cause->item, item))
				break;
		if (cause == NULL || cause->revision <= result ||
			cause->scope != scope ||
			(cid != InvalidCommandId && cause->cid == cid))
			continue;
		if (cmd == CMD_DELETE ?
			(cause->deleted && fk->deltype == FKCONSTR_ACTION_CASCADE) :
			(cause->deleted ? fk->deltype != FKCONSTR_ACTION_CASCADE :
			 fk->updtype != FKCONSTR_ACTION_NOACTION &&
			 fk->updtype != FKCONSTR_ACTION_RESTRICT))
			result = cause->revision;
	}
	return result;
}
