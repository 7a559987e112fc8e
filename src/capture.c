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
#include "access/xact.h"
#include "commands/trigger.h"
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

static void check_trigger(FunctionCallInfo fcinfo);
static void capture_truncate(ALRelInfo *info);
static void capture_row(ALRelInfo *info, CmdType cmd, TupleDesc tupdesc,
						HeapTuple tuple, HeapTuple newtuple);

PG_FUNCTION_INFO_V1(activity_log_capture);

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
	event = trigdata->tg_event;
	rel = trigdata->tg_relation;
	info = al_get_relinfo(rel);

	if (TRIGGER_FIRED_BY_INSERT(event))
		capture_row(info, CMD_INSERT, RelationGetDescr(rel),
					trigdata->tg_trigtuple, NULL);
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		capture_row(info, CMD_UPDATE, RelationGetDescr(rel),
					trigdata->tg_trigtuple, trigdata->tg_newtuple);
	else if (TRIGGER_FIRED_BY_DELETE(event))
		capture_row(info, CMD_DELETE, RelationGetDescr(rel),
					trigdata->tg_trigtuple, NULL);
	else if (TRIGGER_FIRED_BY_TRUNCATE(event))
		capture_truncate(info);

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
	Datum		item;
	Datum		data;
	Datum		delta = (Datum) 0;
	int64		activity;

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

	action = cmd == CMD_INSERT ? "create" :
		cmd == CMD_UPDATE ? "update" : "delete";
	item = al_item_text(info, rowvalues, rownulls);
	activity = al_insert_activity(action, info->collection, item, false,
								  (Datum) 0, true);
	if (!info->with_revisions)
		return;

	data = al_row_image(info, rowvalues, rownulls, changed, &delta);
	if (cmd == CMD_INSERT)
		delta = data;
	(void) al_insert_revision(activity, info->collection, item,
							  data, false, delta, cmd == CMD_DELETE);
}
