/*-------------------------------------------------------------------------
 *
 * security.c
 *	  The log is append-only and readable only as far as the reader may.
 *
 * Writes: the capture trigger inserts into the log tables directly (no
 * SQL, no triggers); the extension's functions write through SPI as the
 * owner of the log, a superuser.  Every other write (INSERT, UPDATE,
 * DELETE, TRUNCATE) by a role that is not a superuser is refused by
 * activity_log.guard(), a statement trigger on each log table, whatever
 * privileges the role was granted.  Superusers can do anything anyway
 * (disable the trigger, edit the files); what they change behind the
 * extension's back, seal() and verify() detect.
 *
 * The guard is also how registrations stay the source of truth: every
 * write to activity_log.tracking that it lets through (track(), untrack(),
 * the DDL handlers, a superuser's own INSERT or COPY, pg_restore) sends a
 * relcache invalidation of activity_log.tracking, which makes every
 * backend rebuild every cached registration (relinfo.c).  That trigger
 * fires even with session_replication_role = replica.
 *
 * Reads: activity_log.visible(collection) says whether the caller may see
 * a collection's activity (admins see all; others the collections whose
 * table they may SELECT and read without a row security policy applying:
 * see al_table_visible).  Row-level security on activity_log.activity and
 * the view activity_log.revisions use it, so plain SELECTs show exactly
 * what list_activity() shows.  The answer is cached per collection for the
 * duration of one query.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/security.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "activity_log.h"

/* What activity_log.visible() knows during one query */
typedef struct ALVisibleCache
{
	Oid			roleid;
	bool		admin;
	List	   *seen;			/* ALVisible *, in fn_mcxt */
} ALVisibleCache;

typedef struct ALVisible
{
	char	   *collection;
	bool		visible;
} ALVisible;

PG_FUNCTION_INFO_V1(activity_log_guard);
PG_FUNCTION_INFO_V1(activity_log_visible);

/*
 * activity_log_guard
 *		SQL: trigger function refusing direct writes to the log tables.
 *
 * Installed as BEFORE INSERT OR UPDATE OR DELETE and BEFORE TRUNCATE,
 * FOR EACH STATEMENT.  A write to activity_log.tracking that is let
 * through invalidates every cached registration.
 */
Datum
activity_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						"activity_log.guard")));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"activity_log.%s\" is append-only",
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("The log is written only by activity_log: by capture, the comment functions, log(), revert(), undo_transaction() and the retention functions."),
				 errtable(trigdata->tg_relation)));
	if (RelationGetRelid(trigdata->tg_relation) == al_catalog()->tracking)
		CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/*
 * al_table_visible
 *		May the role see the log of this table?  Only if it may SELECT the
 *		table and no row security policy would filter what it reads there:
 *		a policy is written against the table's rows, and the log holds
 *		images of every row, so a role that policies apply to would see
 *		rows of the log that the table hides from it.  Owners (without
 *		FORCE ROW LEVEL SECURITY), BYPASSRLS roles and superusers see it;
 *		admins see every log anyway (al_collection_visible).
 */
bool
al_table_visible(Oid relid, Oid roleid)
{
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return false;
	if (pg_class_aclcheck(relid, roleid, ACL_SELECT) != ACLCHECK_OK)
		return false;
	return check_enable_rls(relid, roleid, true) != RLS_ENABLED;
}

/*
 * al_collection_visible
 *		May the calling role see the activity of this collection?  Admins
 *		see every collection; others the tracked tables al_table_visible()
 *		lets them see.
 */
bool
al_collection_visible(const char *collection)
{
	Oid			relid;

	if (al_is_admin(GetUserId()))
		return true;
	relid = al_collection_relid(collection);
	return OidIsValid(relid) && al_table_visible(relid, GetUserId());
}

/*
 * activity_log_visible
 *		SQL: activity_log.visible(collection text) RETURNS boolean
 *
 * May the calling role see this collection's activity?
 */
Datum
activity_log_visible(PG_FUNCTION_ARGS)
{
	ALVisibleCache *cache = (ALVisibleCache *) fcinfo->flinfo->fn_extra;
	Oid			roleid = GetUserId();
	char	   *collection;
	ALVisible  *entry;
	ListCell   *lc;
	MemoryContext oldcxt;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	if (cache == NULL || cache->roleid != roleid)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(ALVisibleCache));
		cache->roleid = roleid;
		cache->admin = al_is_admin(roleid);
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->admin)
		PG_RETURN_BOOL(true);

	collection = text_to_cstring(PG_GETARG_TEXT_PP(0));
	foreach(lc, cache->seen)
	{
		entry = lfirst(lc);
		if (strcmp(entry->collection, collection) == 0)
			PG_RETURN_BOOL(entry->visible);
	}

	oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	entry = palloc(sizeof(ALVisible));
	entry->collection = pstrdup(collection);
	entry->visible = al_collection_visible(collection);
	cache->seen = lappend(cache->seen, entry);
	MemoryContextSwitchTo(oldcxt);
	PG_RETURN_BOOL(entry->visible);
}
