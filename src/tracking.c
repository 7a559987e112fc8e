/*-------------------------------------------------------------------------
 *
 * tracking.c
 *	  track(), untrack() and the clean-up of registrations of dropped tables.
 *
 * A tracked table has a row in activity_log.tracking and two triggers that
 * call activity_log.capture(): "Activity_log_capture" (AFTER INSERT OR
 * UPDATE OR DELETE, FOR EACH ROW) and "Activity_log_truncate" (AFTER
 * TRUNCATE, FOR EACH STATEMENT).  The registration row is the authority:
 * the trigger refuses to run for a table that has none.
 *
 * The checks run as the caller (its ownership or admin membership decides);
 * the writes to activity_log.tracking and the CREATE/DROP TRIGGER run as the
 * owner of activity_log.tracking, so callers need no privilege on it.  SQL
 * sent through SPI has every object and operator schema-qualified and every
 * value bound as a parameter, so the caller's search_path cannot reach it.
 *
 * Every write to activity_log.tracking passes its guard trigger, which
 * sends a relcache invalidation of activity_log.tracking: every backend's
 * cache (relinfo.c) then reads every registration again.
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
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "activity_log.h"
#include "compat.h"

#define AL_ROW_TRIGGER		"Activity_log_capture"
#define AL_TRUNCATE_TRIGGER "Activity_log_truncate"

/* The collection of the track and untrack activities, and how they
 * describe a registration */
#define AL_TRACKING_COLLECTION "activity_log.tracking"
#define AL_REGISTRATION_JSON \
	"pg_catalog.jsonb_build_object('table', t.relid::pg_catalog.text," \
	" 'mode', t.mode, 'exclude', t.exclude, 'mask', t.mask)::pg_catalog.text"

/* What trigger_state() finds */
typedef enum ALTriggerState
{
	AL_TRIGGER_MISSING,
	AL_TRIGGER_OURS,
	AL_TRIGGER_FOREIGN			/* same name, another function */
} ALTriggerState;

/* Arguments of the writes done as the log's owner */
typedef struct ALTrackArgs
{
	Relation	rel;
	Datum		collection;
	Datum		mode;
	ArrayType  *exclude;
	ArrayType  *mask;
	bool		found;			/* untrack: was the table registered? */
	bool		admin;			/* track: is the caller an admin? */
	List	   *renamed;		/* ddl: tables whose column was renamed */
	char	   *oldname;		/* ddl: the column's old name */
	char	   *newname;		/* ddl: the column's new name */
	List	   *dropped;		/* ddl: tables that lost columns */
	List	   *dropped_names;	/* ddl: the names of those columns */
	bool		partitions;		/* ddl: partitions created, attached or
								 * detached */
	MemoryContext outer;		/* where the results go */
	List	   *records;		/* ALRecord *: activities to write */
} ALTrackArgs;

/* A registration changed, to be recorded as an activity */
typedef struct ALRecord
{
	const char *action;			/* "track" or "untrack" */
	char	   *collection;
	char	   *what;			/* JSON: the table and its options */
} ALRecord;

/* What check_capture_run() looks at, and finds */
typedef struct ALIntactArgs
{
	List	   *relids;			/* tables whose capture triggers may have
								 * been touched */
	char	   *broken;			/* a registered table it left without them */
	MemoryContext outer;		/* where the results go */
} ALIntactArgs;

static void lookup_collection(void *arg);
static void check_capture_run(void *arg);
static void check_capture_intact(List *relids);
static void dropped_trigger_tables(void *arg);
static void check_grants_run(void *arg);
static void check_grants(void);
static bool names_log_schema(List *names);
static bool grant_touches_log(Node *parsetree);
static void check_trackable(Relation rel);
static void check_may_track(Oid relid);
static Datum default_collection(Relation rel);
static ArrayType *check_columns(Relation rel, ArrayType *names,
								const char *what);
static void check_no_overlap(ArrayType *exclude, ArrayType *mask);
static ALTriggerState trigger_state(Oid relid, const char *name);
static char *qualified_name(Oid relid);
static void create_trigger(Oid relid, const char *name, const char *events,
						   const char *level);
static void drop_trigger(Oid relid, const char *name);
static List *oid_list(void);
static void sync_partition_triggers(void);
static bool extension_present(void);
static void ensure_trigger(Oid relid, const char *name, const char *events,
						   const char *level);

PG_FUNCTION_INFO_V1(activity_log_track);
PG_FUNCTION_INFO_V1(activity_log_untrack);
PG_FUNCTION_INFO_V1(activity_log_drop_handler);
PG_FUNCTION_INFO_V1(activity_log_ddl_handler);


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
 * al_check_admin
 *		Refuse the current role unless it is an admin; what is the act
 *		refused, for the message.
 */
void
al_check_admin(const char *what)
{
	if (!al_is_admin(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", what),
				 errdetail("Only superusers and members of activity_log_admin may do this.")));
}

/* Arguments of the collection lookup */
typedef struct ALLookupArgs
{
	Datum		collection;
	Oid			relid;
} ALLookupArgs;

/*
 * lookup_collection
 *		The table registered under a collection name (as the log owner).
 */
static void
lookup_collection(void *arg)
{
	ALLookupArgs *args = (ALLookupArgs *) arg;
	Oid			types[1] = {TEXTOID};
	bool		isnull;

	al_spi_exec("SELECT relid::pg_catalog.oid FROM activity_log.tracking"
				" WHERE collection OPERATOR(pg_catalog.=) $1",
				1, types, &args->collection, NULL, SPI_OK_SELECT);
	args->relid = InvalidOid;
	if (SPI_processed > 0)
		args->relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc,
													 1, &isnull));
}

/*
 * al_collection_relid
 *		The tracked table of a collection, or InvalidOid.
 */
Oid
al_collection_relid(const char *collection)
{
	ALLookupArgs args;

	args.collection = CStringGetTextDatum(collection);
	al_run_as_log_owner(lookup_collection, &args);
	return args.relid;
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

	if (RelationGetNamespace(rel) == cat->namespace)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot track relation \"%s\" of the activity_log extension",
						RelationGetRelationName(rel))));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
				 errdetail("Only ordinary and partitioned tables can be tracked.")));
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
 *
 * Checked on the OID before the table is locked, so that a role without
 * rights can neither wait for the lock (and stall writers queued behind
 * it) nor learn anything about the table from later errors.
 */
static void
check_may_track(Oid relid)
{
	Oid			roleid = GetUserId();

	if (!al_table_ownercheck(relid, roleid) && !al_is_admin(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change tracking of table \"%s\"",
						get_rel_name(relid)),
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
 * check_columns
 *		Check a list of column names (excluded or masked); returns the
 *		array to store.  what is "exclude" or "mask".
 */
static ArrayType *
check_columns(Relation rel, ArrayType *names, const char *what)
{
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;
	Bitmapset  *pkattrs;
	int			i;

	if (names == NULL)
		return construct_empty_array(TEXTOID);
	if (ARR_NDIM(names) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array of column names",
						what)));

	pkattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &elemnulls, &nelems);
	for (i = 0; i < nelems; i++)
	{
		char	   *name;
		AttrNumber	attnum;

		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column names in %s must not be null", what)));
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
					 errmsg("cannot %s primary key column \"%s\"", what, name),
					 errdetail("The primary key identifies the item in the log.")));
	}
	return names;
}

/*
 * check_no_overlap
 *		A column cannot be both excluded and masked.
 */
static void
check_no_overlap(ArrayType *exclude, ArrayType *mask)
{
	Datum	   *ex;
	Datum	   *ma;
	int			nex,
				nma,
				i,
				j;

	deconstruct_array(exclude, TEXTOID, -1, false, TYPALIGN_INT, &ex, NULL, &nex);
	deconstruct_array(mask, TEXTOID, -1, false, TYPALIGN_INT, &ma, NULL, &nma);
	for (i = 0; i < nex; i++)
		for (j = 0; j < nma; j++)
			if (strcmp(TextDatumGetCString(ex[i]), TextDatumGetCString(ma[j])) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" cannot be both excluded and masked",
								TextDatumGetCString(ex[i]))));
}

/*
 * trigger_state
 *		Whether relid has a trigger of that name, and whether it is ours.
 *
 * Must run inside al_run_as_log_owner().
 */
static ALTriggerState
trigger_state(Oid relid, const char *name)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2];
	bool		isnull;

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetTextDatum(name);
	al_spi_exec("SELECT g.tgfoid OPERATOR(pg_catalog.=)"
				" 'activity_log.capture()'::pg_catalog.regprocedure"
				" FROM pg_catalog.pg_trigger g"
				" WHERE g.tgrelid OPERATOR(pg_catalog.=) $1"
				" AND g.tgname OPERATOR(pg_catalog.=) $2",
				2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return AL_TRIGGER_MISSING;
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull)) ?
		AL_TRIGGER_OURS : AL_TRIGGER_FOREIGN;
}

/*
 * qualified_name
 *		The schema-qualified, quoted name of a relation.
 */
static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * create_trigger
 *		Create one of the capture triggers on relid.
 */
static void
create_trigger(Oid relid, const char *name, const char *events,
			   const char *level)
{
	al_spi_exec(psprintf("CREATE TRIGGER %s AFTER %s ON %s FOR EACH %s"
						 " EXECUTE FUNCTION activity_log.capture()",
						 quote_identifier(name), events, qualified_name(relid),
						 level),
				0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * drop_trigger
 *		Drop one of the capture triggers from relid.
 */
static void
drop_trigger(Oid relid, const char *name)
{
	al_spi_exec(psprintf("DROP TRIGGER %s ON %s", quote_identifier(name),
						 qualified_name(relid)),
				0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * oid_list
 *		The first column of the last SPI result, as a list of OIDs.
 */
static List *
oid_list(void)
{
	List	   *result = NIL;
	uint64		i;
	bool		isnull;

	for (i = 0; i < SPI_processed; i++)
		result = lappend_oid(result,
							 DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															SPI_tuptable->tupdesc,
															1, &isnull)));
	return result;
}

/*
 * sync_partition_triggers
 *		Give every partition of a tracked table its TRUNCATE trigger, and
 *		take ours away from tables that are no longer under a tracked one.
 *
 * Row triggers on a partitioned table reach its partitions by themselves;
 * statement triggers do not, so without this a TRUNCATE of one partition
 * would go unlogged.  Runs after track(), untrack() and every CREATE TABLE
 * or ALTER TABLE (new, attached and detached partitions).  Must run inside
 * al_run_as_log_owner().
 */
static void
sync_partition_triggers(void)
{
	List	   *oids;
	ListCell   *lc;

	al_spi_exec("SELECT p.relid::pg_catalog.oid"
				" FROM activity_log.tracking t,"
				" LATERAL pg_catalog.pg_partition_tree(t.relid) p"
				" WHERE p.level OPERATOR(pg_catalog.>) 0"
				" AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g"
				" WHERE g.tgrelid OPERATOR(pg_catalog.=) p.relid"
				" AND g.tgname OPERATOR(pg_catalog.=) '" AL_TRUNCATE_TRIGGER "')",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	oids = oid_list();
	foreach(lc, oids)
		create_trigger(lfirst_oid(lc), AL_TRUNCATE_TRIGGER, "TRUNCATE",
					   "STATEMENT");

	al_spi_exec("SELECT g.tgrelid FROM pg_catalog.pg_trigger g"
				" WHERE g.tgname OPERATOR(pg_catalog.=) '" AL_TRUNCATE_TRIGGER "'"
				" AND g.tgfoid OPERATOR(pg_catalog.=)"
				" 'activity_log.capture()'::pg_catalog.regprocedure"
				" AND NOT EXISTS (SELECT FROM activity_log.tracking t"
				" WHERE t.relid::pg_catalog.oid OPERATOR(pg_catalog.=) g.tgrelid"
				" OR t.relid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY"
				" (SELECT a::pg_catalog.oid FROM pg_catalog.pg_partition_ancestors(g.tgrelid) a))",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	oids = oid_list();
	foreach(lc, oids)
		drop_trigger(lfirst_oid(lc), AL_TRUNCATE_TRIGGER);
}

/*
 * ensure_trigger
 *		Create a capture trigger unless it exists; refuse a foreign one.
 */
static void
ensure_trigger(Oid relid, const char *name, const char *events,
			   const char *level)
{
	switch (trigger_state(relid, name))
	{
		case AL_TRIGGER_MISSING:
			create_trigger(relid, name, events, level);
			break;
		case AL_TRIGGER_OURS:
			break;
		case AL_TRIGGER_FOREIGN:
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("table \"%s\" already has a trigger \"%s\" of its own",
							get_rel_name(relid), name),
					 errhint("Rename or drop that trigger; activity_log needs the name.")));
	}
}

/*
 * collect_records
 *		Keep the (collection, description) rows of the last statement as
 *		activities to record with the given action.  Inside SPI.
 */
static void
collect_records(ALTrackArgs *args, const char *action)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(args->outer);
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		ALRecord   *rec = palloc(sizeof(ALRecord));

		rec->action = action;
		rec->collection = SPI_getvalue(SPI_tuptable->vals[i],
									   SPI_tuptable->tupdesc, 1);
		rec->what = SPI_getvalue(SPI_tuptable->vals[i],
								 SPI_tuptable->tupdesc, 2);
		args->records = lappend(args->records, rec);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * write_records
 *		Record the registrations that changed as activities: who tracked or
 *		untracked which table, with which options, is part of the history.
 *
 * They are activities of the collection "activity_log.tracking" (the
 * registry), whose item is the collection tracked or untracked, as
 * Directus records a change of its own settings on the system collection
 * that holds them; so they never mix with a table's own history, and, not
 * being a tracked table's, only admins see them.
 */
static void
write_records(List *records)
{
	ListCell   *lc;

	foreach(lc, records)
	{
		ALRecord   *rec = lfirst(lc);

		(void) al_insert_activity(rec->action,
								  CStringGetTextDatum(AL_TRACKING_COLLECTION),
								  CStringGetTextDatum(rec->collection), false,
								  CStringGetTextDatum(rec->what), false);
	}
}

/*
 * track_writes
 *		The writes of track(), run as the log's owner.
 */
static void
track_writes(void *arg)
{
	ALTrackArgs *args = (ALTrackArgs *) arg;
	Oid			types[5] = {OIDOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[5];

	values[0] = ObjectIdGetDatum(RelationGetRelid(args->rel));
	values[1] = args->collection;
	values[2] = args->mode;
	values[3] = PointerGetDatum(args->exclude);
	values[4] = PointerGetDatum(args->mask);

	al_spi_exec("SELECT relid FROM activity_log.tracking"
			 " WHERE collection OPERATOR(pg_catalog.=) $2"
			 " AND relid OPERATOR(pg_catalog.<>) $1::pg_catalog.regclass",
			 5, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("collection \"%s\" is already used by table %s",
						TextDatumGetCString(args->collection),
						SPI_getvalue(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 1)),
				 errhint("Pass another collection name to activity_log.track().")));

	/*
	 * A collection name with history that is not this table's registration
	 * (a dropped or untracked table's) would give whoever takes it that
	 * history to read: only an admin may reuse it.
	 */
	if (!args->admin)
	{
		al_spi_exec("SELECT FROM activity_log.activity"
					" WHERE collection OPERATOR(pg_catalog.=) $2"
					" AND NOT EXISTS (SELECT FROM activity_log.tracking"
					"  WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
					"  AND collection OPERATOR(pg_catalog.=) $2)"
					" LIMIT 1",
					5, types, values, NULL, SPI_OK_SELECT);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("collection \"%s\" already has history",
							TextDatumGetCString(args->collection)),
					 errdetail("Taking a collection name with history from another table (or from this table before it was untracked) would give access to that history."),
					 errhint("Pass another collection name, or ask a member of activity_log_admin to track the table.")));
	}

	/* a new registration, or one whose options change, is recorded */
	al_spi_exec("INSERT INTO activity_log.tracking AS t (relid, collection, mode, exclude, mask)"
			 " VALUES ($1::pg_catalog.regclass, $2, $3, $4, $5)"
			 " ON CONFLICT (relid) DO UPDATE"
			 " SET collection = excluded.collection, mode = excluded.mode,"
			 " exclude = excluded.exclude, mask = excluded.mask"
			 " WHERE (t.collection, t.mode, t.exclude, t.mask) IS DISTINCT FROM"
			 " (excluded.collection, excluded.mode, excluded.exclude, excluded.mask)"
			 " RETURNING t.collection, " AL_REGISTRATION_JSON,
			 5, types, values, NULL, SPI_OK_INSERT_RETURNING);
	collect_records(args, "track");

	ensure_trigger(RelationGetRelid(args->rel), AL_ROW_TRIGGER,
				   "INSERT OR UPDATE OR DELETE", "ROW");
	ensure_trigger(RelationGetRelid(args->rel), AL_TRUNCATE_TRIGGER,
				   "TRUNCATE", "STATEMENT");
	sync_partition_triggers();
}

/*
 * activity_log_track
 *		SQL: activity_log.track(target, collection, mode, exclude, mask)
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

	al_require_arg(fcinfo, 0, "table to track");
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mode must not be null"),
				 errhint("Valid modes are \"all\" and \"activity\".")));

	/* the lock CREATE TRIGGER takes, taken up front, once allowed */
	check_may_track(PG_GETARG_OID(0));
	args.rel = table_open(PG_GETARG_OID(0), ShareRowExclusiveLock);
	check_trackable(args.rel);

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

	args.exclude = check_columns(args.rel,
								 PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3),
								 "exclude");
	args.mask = check_columns(args.rel,
							  PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4),
							  "mask");
	check_no_overlap(args.exclude, args.mask);

	args.admin = al_is_admin(GetUserId());
	args.outer = CurrentMemoryContext;
	args.records = NIL;
	al_run_as_log_owner(track_writes, &args);
	write_records(args.records);
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
	al_spi_exec("DELETE FROM activity_log.tracking t"
			 " WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
			 " RETURNING t.collection, " AL_REGISTRATION_JSON,
			 1, types, values, NULL, SPI_OK_DELETE_RETURNING);
	args->found = SPI_processed > 0;
	collect_records(args, "untrack");
	if (!args->found)
		return;

	if (trigger_state(RelationGetRelid(args->rel), AL_ROW_TRIGGER) == AL_TRIGGER_OURS)
		drop_trigger(RelationGetRelid(args->rel), AL_ROW_TRIGGER);
	if (trigger_state(RelationGetRelid(args->rel), AL_TRUNCATE_TRIGGER) == AL_TRIGGER_OURS)
		drop_trigger(RelationGetRelid(args->rel), AL_TRUNCATE_TRIGGER);
	sync_partition_triggers();
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

	check_may_track(PG_GETARG_OID(0));
	args.rel = table_open(PG_GETARG_OID(0), ShareRowExclusiveLock);
	args.outer = CurrentMemoryContext;
	args.records = NIL;

	al_run_as_log_owner(untrack_writes, &args);
	if (!args.found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not tracked",
						RelationGetRelationName(args.rel))));
	write_records(args.records);
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
			 " AND d.objid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid"
			 " RETURNING t.collection, pg_catalog.jsonb_build_object("
			 " 'table', d.object_identity, 'dropped', true)::pg_catalog.text",
			 0, NULL, NULL, NULL, SPI_OK_DELETE_RETURNING);
	collect_records((ALTrackArgs *) arg, "untrack");
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
	ALTrackArgs targs;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"activity_log.drop_handler")));

	if (!extension_present())
		PG_RETURN_VOID();

	memset(&targs, 0, sizeof(targs));
	targs.outer = CurrentMemoryContext;
	al_run_as_log_owner(drop_writes, &targs);
	write_records(targs.records);
	if (!superuser())
	{
		ALIntactArgs args;

		args.relids = NIL;
		args.outer = CurrentMemoryContext;
		al_run_as_log_owner(dropped_trigger_tables, &args);
		check_capture_intact(args.relids);
	}
	PG_RETURN_VOID();
}

/*
 * extension_present
 *		Is activity_log still installed (not being dropped)?
 */
static bool
extension_present(void)
{
	Oid			nsp = get_namespace_oid("activity_log", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("tracking", nsp));
}

/*
 * oid_array
 *		A List of OIDs as an oid[] Datum, for a bound parameter.
 */
static Datum
oid_array(List *oids)
{
	Datum	   *elems = palloc(sizeof(Datum) * list_length(oids));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, oids)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid),
										   true, TYPALIGN_INT));
}

/*
 * check_capture_run
 *		Is any registration covering args->relids (the table itself or an
 *		ancestor of it) no longer active?  Run as the log's owner.
 */
static void
check_capture_run(void *arg)
{
	ALIntactArgs *args = (ALIntactArgs *) arg;
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];

	values[0] = oid_array(args->relids);
	al_spi_exec("SELECT t.\"table\"::pg_catalog.text FROM activity_log.tracked t"
				" WHERE NOT t.active"
				" AND t.\"table\"::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ("
				"  SELECT r FROM pg_catalog.unnest($1) r"
				"  UNION SELECT a::pg_catalog.oid FROM pg_catalog.unnest($1) p,"
				"  pg_catalog.pg_partition_ancestors(p) a)"
				" LIMIT 1",
				1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		args->broken = MemoryContextStrdup(args->outer,
										   SPI_getvalue(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1));
}

/*
 * check_capture_intact
 *		Refuse a command that left a tracked table's capture triggers
 *		disabled, dropped, renamed or replaced.
 *
 * Capture stops only through untrack(), which records that it did (and
 * drops the triggers after the registration, so it passes this check).  A
 * superuser may still do anything, as everywhere in the extension: the view
 * activity_log.tracked then shows the table as not active.
 */
static void
check_capture_intact(List *relids)
{
	ALIntactArgs args;

	if (relids == NIL || superuser())
		return;
	args.relids = relids;
	args.broken = NULL;
	args.outer = CurrentMemoryContext;
	al_run_as_log_owner(check_capture_run, &args);
	if (args.broken != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot disable, drop or replace the capture triggers of tracked table %s",
						args.broken),
				 errdetail("Capture of a tracked table stops only through activity_log.untrack(), which records it."),
				 errhint("Call activity_log.untrack() to stop tracking the table.")));
}

/*
 * dropped_trigger_tables
 *		The tables, still there, whose capture trigger the current sql_drop
 *		event drops.  Run as the log's owner.
 */
static void
dropped_trigger_tables(void *arg)
{
	ALIntactArgs *args = (ALIntactArgs *) arg;
	MemoryContext oldcxt;

	al_spi_exec("SELECT c.oid FROM pg_catalog.pg_event_trigger_dropped_objects() d"
				" JOIN pg_catalog.pg_namespace n"
				" ON n.nspname OPERATOR(pg_catalog.=) d.address_names[1]"
				" JOIN pg_catalog.pg_class c"
				" ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
				" AND c.relname OPERATOR(pg_catalog.=) d.address_names[2]"
				" WHERE d.object_type OPERATOR(pg_catalog.=) 'trigger'"
				" AND d.address_names[3] OPERATOR(pg_catalog.=) ANY"
				" ('{" AL_ROW_TRIGGER "," AL_TRUNCATE_TRIGGER "}')",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	oldcxt = MemoryContextSwitchTo(args->outer);
	args->relids = oid_list();
	MemoryContextSwitchTo(oldcxt);
}

/*
 * ddl_writes
 *		The writes of the DDL handler, run as the log's owner.
 */
static void
ddl_writes(void *arg)
{
	ALTrackArgs *args = (ALTrackArgs *) arg;

	if (args->renamed != NIL)
	{
		Oid			types[3] = {OIDARRAYOID, TEXTOID, TEXTOID};
		Datum		values[3];

		values[0] = oid_array(args->renamed);
		values[1] = CStringGetTextDatum(args->oldname);
		values[2] = CStringGetTextDatum(args->newname);
		al_spi_exec("UPDATE activity_log.tracking"
					" SET exclude = pg_catalog.array_replace(exclude, $2, $3),"
					" mask = pg_catalog.array_replace(mask, $2, $3)"
					" WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)"
					" AND ($2 OPERATOR(pg_catalog.=) ANY (exclude)"
					" OR $2 OPERATOR(pg_catalog.=) ANY (mask))",
					3, types, values, NULL, SPI_OK_UPDATE);
	}
	if (args->dropped != NIL)
	{
		Oid			types[2] = {OIDARRAYOID, TEXTOID};
		Datum		values[2];
		ListCell   *lc;

		values[0] = oid_array(args->dropped);
		foreach(lc, args->dropped_names)
		{
			values[1] = CStringGetTextDatum((char *) lfirst(lc));
			al_spi_exec("UPDATE activity_log.tracking"
						" SET exclude = pg_catalog.array_remove(exclude, $2),"
						" mask = pg_catalog.array_remove(mask, $2)"
						" WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)"
						" AND ($2 OPERATOR(pg_catalog.=) ANY (exclude)"
						" OR $2 OPERATOR(pg_catalog.=) ANY (mask))",
						2, types, values, NULL, SPI_OK_UPDATE);
		}
	}
	if (args->partitions)
		sync_partition_triggers();
}

/*
 * check_grants_run
 *		The first privilege on the extension's own objects beyond what the
 *		install script documents, if any (as the log's owner): on its tables,
 *		views and sequence nothing but SELECT (table or column), on its
 *		schema nothing but USAGE, and no default privileges in its schema
 *		beyond those.
 */
static void
check_grants_run(void *arg)
{
	char	  **found = (char **) arg;

	al_spi_exec("SELECT x.what FROM ("
				" SELECT pg_catalog.format('%s on %s', a.privilege_type,"
				"  c.oid::pg_catalog.regclass) AS what"
				" FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a"
				" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1"
				" AND a.grantee OPERATOR(pg_catalog.<>) c.relowner"
				" AND a.privilege_type OPERATOR(pg_catalog.<>) 'SELECT'"
				" UNION ALL"
				" SELECT pg_catalog.format('%s on column %s of %s', a.privilege_type,"
				"  t.attname, c.oid::pg_catalog.regclass)"
				" FROM pg_catalog.pg_class c"
				" JOIN pg_catalog.pg_attribute t ON t.attrelid OPERATOR(pg_catalog.=) c.oid,"
				" pg_catalog.aclexplode(t.attacl) a"
				" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1"
				" AND a.grantee OPERATOR(pg_catalog.<>) c.relowner"
				" AND a.privilege_type OPERATOR(pg_catalog.<>) 'SELECT'"
				" UNION ALL"
				" SELECT pg_catalog.format('%s on schema %s', a.privilege_type, n.nspname)"
				" FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a"
				" WHERE n.oid OPERATOR(pg_catalog.=) $1"
				" AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner"
				" AND a.privilege_type OPERATOR(pg_catalog.<>) 'USAGE'"
				" UNION ALL"
				" SELECT pg_catalog.format('%s by default on new objects in schema %s',"
				"  a.privilege_type, pg_catalog.quote_ident(n.nspname))"
				" FROM pg_catalog.pg_default_acl d"
				" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.defaclnamespace,"
				" pg_catalog.aclexplode(d.defaclacl) a"
				" WHERE d.defaclnamespace OPERATOR(pg_catalog.=) $1"
				" AND a.privilege_type OPERATOR(pg_catalog.<>) ALL ('{SELECT,USAGE,EXECUTE}')"
				") x ORDER BY x.what LIMIT 1",
				1, (Oid[]) {OIDOID},
				(Datum[]) {ObjectIdGetDatum(al_catalog()->namespace)},
				NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		*found = MemoryContextStrdup(TopTransactionContext,
									 SPI_getvalue(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1));
}

/*
 * names_log_schema
 *		Does a list of schema names (String nodes) name the log's schema?
 */
static bool
names_log_schema(List *names)
{
	char	   *nspname = get_namespace_name(al_catalog()->namespace);
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(strVal(lfirst(lc)), nspname) == 0)
			return true;
	return false;
}

/*
 * grant_touches_log
 *		Does a GRANT or ALTER DEFAULT PRIVILEGES concern the extension's
 *		tables, views, sequence or schema?  (A REVOKE never needs refusing.)
 */
static bool
grant_touches_log(Node *parsetree)
{
	GrantStmt  *stmt;
	ListCell   *lc;

	if (IsA(parsetree, AlterDefaultPrivilegesStmt))
	{
		AlterDefaultPrivilegesStmt *ad = (AlterDefaultPrivilegesStmt *) parsetree;

		foreach(lc, ad->options)
		{
			DefElem    *opt = lfirst(lc);

			if (strcmp(opt->defname, "schemas") == 0 &&
				names_log_schema((List *) opt->arg))
				return ad->action->is_grant;
		}
		return false;
	}
	stmt = (GrantStmt *) parsetree;
	if (!stmt->is_grant)
		return false;
	if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA)
		return names_log_schema(stmt->objects);
	if (stmt->targtype != ACL_TARGET_OBJECT)
		return false;
	if (stmt->objtype == OBJECT_SCHEMA)
		return names_log_schema(stmt->objects);
	if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_SEQUENCE)
		return false;
	foreach(lc, stmt->objects)
	{
		Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);

		if (OidIsValid(relid) &&
			get_rel_namespace(relid) == al_catalog()->namespace)
			return true;
	}
	return false;
}

/*
 * check_grants
 *		Refuse a GRANT (or ALTER DEFAULT PRIVILEGES) that gives a privilege
 *		on the extension's objects beyond what it documents.
 *
 * Writes to the log are refused whatever is granted (activity_log.guard),
 * but some privileges would still let a role break or stall capture for
 * everyone: UPDATE or USAGE on the id sequence (setval, or burning ids),
 * REFERENCES (a foreign key into the log takes locks capture waits for and
 * blocks retention), and INSERT, UPDATE, DELETE or TRUNCATE, each of which
 * lets a role LOCK a log table against every tracked write.  So the GRANT
 * itself is refused, for everyone: a superuser who means it can drop the
 * event trigger.
 */
static void
check_grants(void)
{
	char	   *found = NULL;

	al_run_as_log_owner(check_grants_run, &found);
	if (found != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot grant %s", found),
				 errdetail("On the objects of activity_log only SELECT (and USAGE on its schema) may be granted: other privileges would let a role lock, block or break the capture of every tracked table."),
				 errhint("Reading the log needs no grant: see the README's security section.")));
}

/*
 * activity_log_ddl_handler
 *		SQL: event trigger on ddl_command_end for CREATE TABLE and ALTER TABLE.
 *
 * Keeps registrations true to the tables: an excluded or masked column
 * that is renamed stays so under its new name, one that is dropped leaves
 * the lists, and partitions created, attached or detached get or lose
 * their TRUNCATE trigger.  Other commands are left alone; in particular a
 * restore, whose ALTER TABLE ... ADD CONSTRAINT comes after the
 * registrations are loaded, must not create triggers the dump creates.
 */
Datum
activity_log_ddl_handler(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata = (EventTriggerData *) fcinfo->context;
	ALTrackArgs args;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"activity_log.ddl_handler")));
	if (!extension_present())
		PG_RETURN_VOID();

	memset(&args, 0, sizeof(args));
	if (IsA(trigdata->parsetree, GrantStmt) ||
		IsA(trigdata->parsetree, AlterDefaultPrivilegesStmt))
	{
		if (grant_touches_log(trigdata->parsetree))
			check_grants();
		PG_RETURN_VOID();
	}
	if (IsA(trigdata->parsetree, RenameStmt))
	{
		RenameStmt *stmt = (RenameStmt *) trigdata->parsetree;
		Oid			relid;

		if (stmt->relation == NULL ||
			!OidIsValid(relid = RangeVarGetRelid(stmt->relation, NoLock, true)))
			PG_RETURN_VOID();
		if (stmt->renameType == OBJECT_TRIGGER)
		{
			check_capture_intact(list_make1_oid(relid));
			PG_RETURN_VOID();
		}
		if (stmt->renameType != OBJECT_COLUMN)
			PG_RETURN_VOID();
		args.renamed = stmt->relation->inh ?
			find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
		args.oldname = stmt->subname;
		args.newname = stmt->newname;
	}
	else if (IsA(trigdata->parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) trigdata->parsetree;
		ListCell   *lc;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

			if (cmd->subtype == AT_AttachPartition ||
				cmd->subtype == AT_DetachPartition)
				args.partitions = true;
			else if (OidIsValid(relid) &&
					 (cmd->subtype == AT_DisableTrig ||
					  cmd->subtype == AT_DisableTrigAll ||
					  cmd->subtype == AT_DisableTrigUser ||
					  cmd->subtype == AT_EnableReplicaTrig ||
					  cmd->subtype == AT_EnableTrig ||
					  cmd->subtype == AT_EnableTrigAll ||
					  cmd->subtype == AT_EnableTrigUser ||
					  cmd->subtype == AT_EnableAlwaysTrig))
				check_capture_intact(find_all_inheritors(relid, NoLock, NULL));
			else if (cmd->subtype == AT_DropColumn && OidIsValid(relid))
			{
				/* a dropped column leaves the lists; a new one of its name
				 * must not inherit its exclusion */
				args.dropped = stmt->relation->inh ?
					find_all_inheritors(relid, NoLock, NULL) :
					list_make1_oid(relid);
				args.dropped_names = lappend(args.dropped_names, cmd->name);
			}
		}
		if (!args.partitions && args.dropped == NIL)
			PG_RETURN_VOID();
	}
	else if (IsA(trigdata->parsetree, CreateTrigStmt))
	{
		/*
		 * A trigger on a log table would run, as the log's owner, whenever
		 * the extension writes there: even a role granted TRIGGER by
		 * mistake must not have that.
		 */
		CreateTrigStmt *stmt = (CreateTrigStmt *) trigdata->parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (OidIsValid(relid) && get_rel_namespace(relid) == al_catalog()->namespace)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("cannot create triggers on table \"activity_log.%s\"",
							get_rel_name(relid)),
					 errdetail("The log tables belong to the activity_log extension.")));
		/* CREATE OR REPLACE TRIGGER of a capture trigger */
		if (OidIsValid(relid) && stmt->replace)
			check_capture_intact(find_all_inheritors(relid, NoLock, NULL));
		PG_RETURN_VOID();
	}
	else if (IsA(trigdata->parsetree, CreateStmt))
	{
		/* a new partition (CREATE TABLE ... PARTITION OF) */
		if (((CreateStmt *) trigdata->parsetree)->partbound == NULL)
			PG_RETURN_VOID();
		args.partitions = true;
	}
	else
		PG_RETURN_VOID();
	al_run_as_log_owner(ddl_writes, &args);
	PG_RETURN_VOID();
}

/* What masked_columns_read() returns */
typedef struct ALMaskArgs
{
	Oid			relid;
	MemoryContext outer;
	List	   *names;
} ALMaskArgs;

/*
 * masked_columns_read
 *		Read the masked columns of a registration (as the log owner).
 */
static void
masked_columns_read(void *arg)
{
	ALMaskArgs *args = (ALMaskArgs *) arg;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	bool		isnull;
	Datum		mask;
	Datum	   *elems;
	int			n,
				i;
	MemoryContext oldcxt;

	values[0] = ObjectIdGetDatum(args->relid);
	al_spi_exec("SELECT mask FROM activity_log.tracking"
				" WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
				1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	mask = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						 &isnull);
	if (isnull)
		return;
	deconstruct_array(DatumGetArrayTypeP(mask), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, NULL, &n);
	oldcxt = MemoryContextSwitchTo(args->outer);
	for (i = 0; i < n; i++)
		args->names = lappend(args->names, TextDatumGetCString(elems[i]));
	MemoryContextSwitchTo(oldcxt);
}

/*
 * al_masked_columns
 *		The names of the masked columns of a registered table.
 */
List *
al_masked_columns(Oid relid)
{
	ALMaskArgs	args;

	args.relid = relid;
	args.outer = CurrentMemoryContext;
	args.names = NIL;
	al_run_as_log_owner(masked_columns_read, &args);
	return args.names;
}
