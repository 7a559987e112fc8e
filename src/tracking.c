/*-------------------------------------------------------------------------
 *
 * tracking.c
 *	  track(), untrack() and the clean-up of registrations of dropped tables.
 *
 * A tracked table has a row in activity_log.tracking and two triggers that
 * call activity_log.capture(): "activity_log_capture" (AFTER INSERT OR
 * UPDATE OR DELETE, FOR EACH ROW) and "activity_log_truncate" (AFTER
 * TRUNCATE, FOR EACH STATEMENT).  The registration row is the authority:
 * the trigger refuses to run for a table that has none.
 *
 * The checks run as the caller (its ownership or admin membership decides);
 * the writes to activity_log.tracking and the CREATE/DROP TRIGGER run as the
 * owner of activity_log.tracking, so callers need no privilege on it.  SQL
 * sent through SPI has every object and operator schema-qualified and every
 * value bound as a parameter, so the caller's search_path cannot reach it.
 *
 * After every change, a relcache invalidation of the table tells every
 * backend's cache (relinfo.c) to read the registration again.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/tracking.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "activity_log.h"
#include "compat.h"

#define AL_ROW_TRIGGER		"activity_log_capture"
#define AL_TRUNCATE_TRIGGER "activity_log_truncate"

static void check_trackable(Relation rel);
static void check_may_track(Relation rel);
static Datum default_collection(Relation rel);
static ArrayType *check_exclude(Relation rel, ArrayType *exclude);
static void create_trigger_if_missing(Relation rel, const char *name,
									  const char *events, const char *level);
static void drop_trigger_if_present(Relation rel, const char *name);

PG_FUNCTION_INFO_V1(activity_log_track);
PG_FUNCTION_INFO_V1(activity_log_untrack);
PG_FUNCTION_INFO_V1(activity_log_drop_handler);

/* Arguments of the writes done as the log's owner */
typedef struct ALTrackArgs
{
	Relation	rel;
	Datum		collection;
	Datum		mode;
	ArrayType  *exclude;
	bool		found;			/* untrack: was the table registered? */
} ALTrackArgs;

/*
 * al_is_admin
 *		Is the role a superuser or a member of activity_log_admin?
 */
bool
al_is_admin(Oid roleid)
{
	Oid			admin;

	if (superuser_arg(roleid))
		return true;
	admin = get_role_oid("activity_log_admin", true);
	return OidIsValid(admin) && has_privs_of_role(roleid, admin);
}

/*
 * check_trackable
 *		Refuse relations whose changes cannot or must not be captured.
 */
static void
check_trackable(Relation rel)
{
	const ALCatalog *cat = al_catalog();
	char		relkind = rel->rd_rel->relkind;

	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
				 errdetail("Only ordinary and partitioned tables can be tracked.")));
	if (RelationGetNamespace(rel) == cat->namespace)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot track table \"%s\" of the activity_log extension",
						RelationGetRelationName(rel))));
	if (RelationGetRelid(rel) < FirstNormalObjectId)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot track system table \"%s\"",
						RelationGetRelationName(rel))));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot track temporary table \"%s\"",
						RelationGetRelationName(rel))));
	if (rel->rd_rel->relispartition)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot track partition \"%s\" on its own",
						RelationGetRelationName(rel)),
				 errhint("Track the partitioned table instead; that covers all of its partitions.")));
	if (!OidIsValid(al_primary_key_index(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no primary key",
						RelationGetRelationName(rel)),
				 errdetail("activity_log identifies each item by its primary key."),
				 errhint("Add a primary key to the table, then track it.")));
}

/*
 * check_may_track
 *		Only the table's owner or an admin may track or untrack it.
 */
static void
check_may_track(Relation rel)
{
	Oid			roleid = GetUserId();

	if (!al_table_ownercheck(RelationGetRelid(rel), roleid) &&
		!al_is_admin(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change tracking of table \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("Only the owner of the table or a member of activity_log_admin may do this.")));
}

/*
 * default_collection
 *		The table's name in schema public, else "schema.table".
 */
static Datum
default_collection(Relation rel)
{
	char	   *nspname = get_namespace_name(RelationGetNamespace(rel));

	if (strcmp(nspname, "public") == 0)
		return CStringGetTextDatum(RelationGetRelationName(rel));
	return CStringGetTextDatum(psprintf("%s.%s", nspname,
										RelationGetRelationName(rel)));
}

/*
 * check_exclude
 *		Check the excluded columns; returns the array to store.
 */
static ArrayType *
check_exclude(Relation rel, ArrayType *exclude)
{
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;
	Bitmapset  *pkattrs;
	int			i;

	if (exclude == NULL)
		return construct_empty_array(TEXTOID);
	if (ARR_NDIM(exclude) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("excluded columns must be a one-dimensional array")));

	pkattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	deconstruct_array(exclude, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &elemnulls, &nelems);
	for (i = 0; i < nelems; i++)
	{
		char	   *name;
		AttrNumber	attnum;

		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("excluded column names must not be null")));
		name = TextDatumGetCString(elems[i]);
		attnum = get_attnum(RelationGetRelid(rel), name);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, RelationGetRelationName(rel))));
		if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, pkattrs))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot exclude primary key column \"%s\"", name),
					 errdetail("The primary key identifies the item in the log.")));
	}
	return exclude;
}

/*
 * create_trigger_if_missing
 *		Create one of the capture triggers on rel unless it exists.
 */
static void
create_trigger_if_missing(Relation rel, const char *name,
						  const char *events, const char *level)
{
	char	   *relname;

	if (OidIsValid(get_trigger_oid(RelationGetRelid(rel), name, true)))
		return;
	relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	al_spi_exec(psprintf("CREATE TRIGGER %s AFTER %s ON %s FOR EACH %s"
					  " EXECUTE FUNCTION activity_log.capture()",
					  quote_identifier(name), events, relname, level),
			 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * drop_trigger_if_present
 *		Drop one of the capture triggers from rel if it exists.
 */
static void
drop_trigger_if_present(Relation rel, const char *name)
{
	char	   *relname;

	if (!OidIsValid(get_trigger_oid(RelationGetRelid(rel), name, true)))
		return;
	relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	al_spi_exec(psprintf("DROP TRIGGER %s ON %s", quote_identifier(name), relname),
			 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * track_writes
 *		The writes of track(), run as the log's owner.
 */
static void
track_writes(void *arg)
{
	ALTrackArgs *args = (ALTrackArgs *) arg;
	Oid			types[4] = {OIDOID, TEXTOID, TEXTOID, TEXTARRAYOID};
	Datum		values[4];

	values[0] = ObjectIdGetDatum(RelationGetRelid(args->rel));
	values[1] = args->collection;
	values[2] = args->mode;
	values[3] = PointerGetDatum(args->exclude);

	al_spi_exec("SELECT relid FROM activity_log.tracking"
			 " WHERE collection OPERATOR(pg_catalog.=) $2"
			 " AND relid OPERATOR(pg_catalog.<>) $1::pg_catalog.regclass",
			 4, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("collection \"%s\" is already used by table %s",
						TextDatumGetCString(args->collection),
						SPI_getvalue(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 1)),
				 errhint("Pass another collection name to activity_log.track().")));

	al_spi_exec("INSERT INTO activity_log.tracking (relid, collection, mode, exclude)"
			 " VALUES ($1::pg_catalog.regclass, $2, $3, $4)"
			 " ON CONFLICT (relid) DO UPDATE"
			 " SET collection = excluded.collection, mode = excluded.mode,"
			 " exclude = excluded.exclude",
			 4, types, values, NULL, SPI_OK_INSERT);

	create_trigger_if_missing(args->rel, AL_ROW_TRIGGER,
							  "INSERT OR UPDATE OR DELETE", "ROW");
	create_trigger_if_missing(args->rel, AL_TRUNCATE_TRIGGER,
							  "TRUNCATE", "STATEMENT");
}

/*
 * activity_log_track
 *		SQL: activity_log.track(target, collection, mode, exclude)
 *
 * Starts capturing changes of a table, or changes the options of a table
 * already tracked.  The collection name must be unique among tracked
 * tables.
 */
Datum
activity_log_track(PG_FUNCTION_ARGS)
{
	ALTrackArgs args;
	char	   *mode;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table to track must not be null")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mode must not be null"),
				 errhint("Valid modes are \"all\" and \"activity\".")));

	/* the lock CREATE TRIGGER takes, taken up front */
	args.rel = table_open(PG_GETARG_OID(0), ShareRowExclusiveLock);
	check_trackable(args.rel);
	check_may_track(args.rel);

	mode = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (strcmp(mode, "all") != 0 && strcmp(mode, "activity") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized mode \"%s\"", mode),
				 errhint("Valid modes are \"all\" and \"activity\".")));
	args.mode = PG_GETARG_DATUM(2);

	if (PG_ARGISNULL(1))
		args.collection = default_collection(args.rel);
	else
	{
		char	   *collection = text_to_cstring(PG_GETARG_TEXT_PP(1));

		if (collection[strspn(collection, " \t\r\n")] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("collection name must not be empty")));
		args.collection = PG_GETARG_DATUM(1);
	}

	args.exclude = check_exclude(args.rel,
								 PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3));

	al_run_as_log_owner(track_writes, &args);
	CacheInvalidateRelcache(args.rel);
	table_close(args.rel, NoLock);
	PG_RETURN_VOID();
}

/*
 * untrack_writes
 *		The writes of untrack(), run as the log's owner.
 */
static void
untrack_writes(void *arg)
{
	ALTrackArgs *args = (ALTrackArgs *) arg;
	Oid			types[1] = {OIDOID};
	Datum		values[1];

	values[0] = ObjectIdGetDatum(RelationGetRelid(args->rel));
	al_spi_exec("DELETE FROM activity_log.tracking"
			 " WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
			 1, types, values, NULL, SPI_OK_DELETE);
	args->found = SPI_processed > 0;
	if (!args->found)
		return;

	drop_trigger_if_present(args->rel, AL_ROW_TRIGGER);
	drop_trigger_if_present(args->rel, AL_TRUNCATE_TRIGGER);
}

/*
 * activity_log_untrack
 *		SQL: activity_log.untrack(target)
 *
 * Stops capturing a table.  Its history stays in the log.
 */
Datum
activity_log_untrack(PG_FUNCTION_ARGS)
{
	ALTrackArgs args;

	args.rel = table_open(PG_GETARG_OID(0), ShareRowExclusiveLock);
	check_may_track(args.rel);

	al_run_as_log_owner(untrack_writes, &args);
	if (!args.found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not tracked",
						RelationGetRelationName(args.rel))));
	CacheInvalidateRelcache(args.rel);
	table_close(args.rel, NoLock);
	PG_RETURN_VOID();
}

/*
 * drop_writes
 *		The write of the drop handler, run as the log's owner.
 */
static void
drop_writes(void *arg)
{
	al_spi_exec("DELETE FROM activity_log.tracking t"
			 " USING pg_catalog.pg_event_trigger_dropped_objects() d"
			 " WHERE d.classid OPERATOR(pg_catalog.=)"
			 " 'pg_catalog.pg_class'::pg_catalog.regclass"
			 " AND d.objsubid OPERATOR(pg_catalog.=) 0"
			 " AND d.objid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid",
			 0, NULL, NULL, NULL, SPI_OK_DELETE);
}

/*
 * activity_log_drop_handler
 *		SQL: event trigger on sql_drop; forgets dropped tables.
 *
 * The history of a dropped table stays; only its registration goes.  When
 * the extension itself is being dropped there is nothing left to clean.
 */
Datum
activity_log_drop_handler(PG_FUNCTION_ARGS)
{
	Oid			nsp;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"activity_log.drop_handler")));

	nsp = get_namespace_oid("activity_log", true);
	if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("tracking", nsp)))
		PG_RETURN_VOID();

	al_run_as_log_owner(drop_writes, NULL);
	PG_RETURN_VOID();
}
