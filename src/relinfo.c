/*-------------------------------------------------------------------------
 *
 * relinfo.c
 *	  Per-backend cache of what the capture trigger needs per table.
 *
 * An entry holds the table's registration (collection, mode, excluded and
 * masked columns), its logged columns with their jsonb conversion already decided,
 * and its primary key columns.  Entries live in a hash table keyed by the
 * OID of the table the trigger fires on; for a partition, the registration
 * is the one of its nearest tracked ancestor ("configrelid").
 *
 * A relcache invalidation of a table, or of the table whose registration an
 * entry uses, only marks the entry invalid: a caller may still hold it.  It
 * is rebuilt on the next lookup, in a fresh memory context, and marked
 * valid only once every field is filled.  track() and untrack() send a
 * relcache invalidation for the registered table, so every backend sees a
 * new registration at its next capture; ALTER TABLE sends one by itself.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/relinfo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/partition.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "activity_log.h"
#include "compat.h"

/* The registration of a table, as read from activity_log.tracking */
typedef struct ALRegistration
{
	Datum		collection;		/* text */
	bool		with_revisions;
	int			nexclude;
	char	  **exclude;
	int			nmask;
	char	  **mask;
} ALRegistration;

static HTAB *relinfo_hash = NULL;
static MemoryContext relinfo_cxt = NULL;

static void relinfo_invalidate(Datum arg, Oid relid);
static void relinfo_build(ALRelInfo *info, Relation rel);
static bool read_registration(Oid relid, ALRegistration *reg,
							  MemoryContext cxt);
static int16 *int2_array(Datum array, int *n);
static void build_foreign_keys(ALRelInfo *info, Relation rel,
							   MemoryContext cxt);
static int	column_cmp(const void *a, const void *b);

/*
 * al_relinfo_init
 *		Register the invalidation callback; called once from _PG_init.
 */
void
al_relinfo_init(void)
{
	CacheRegisterRelcacheCallback(relinfo_invalidate, (Datum) 0);
}

/*
 * relinfo_invalidate
 *		Relcache callback: mark the entries that depend on relid invalid.
 *
 * InvalidOid means "everything".  Entries are never freed here.
 */
static void
relinfo_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ALRelInfo  *info;

	if (relinfo_hash == NULL)
		return;

	hash_seq_init(&status, relinfo_hash);
	while ((info = (ALRelInfo *) hash_seq_search(&status)) != NULL)
	{
		if (relid == InvalidOid || info->relid == relid ||
			info->configrelid == relid)
			info->valid = false;
	}
}

/*
 * al_get_relinfo
 *		The cache entry of a tracked table, built if missing or invalid.
 *
 * Raises an error if the table has no registration: a capture trigger on a
 * table that is not tracked refuses the change rather than losing it.
 */
ALRelInfo *
al_get_relinfo(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ALRelInfo  *info;
	bool		found;

	if (relinfo_hash == NULL)
	{
		HASHCTL		ctl;

		relinfo_cxt = AllocSetContextCreate(CacheMemoryContext,
											"activity_log relation cache",
											ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ALRelInfo);
		ctl.hcxt = relinfo_cxt;
		relinfo_hash = hash_create("activity_log relation cache", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	info = (ALRelInfo *) hash_search(relinfo_hash, &relid, HASH_ENTER, &found);
	if (!found)
	{
		info->valid = false;
		info->configrelid = InvalidOid;
		info->cxt = NULL;
	}
	if (!info->valid)
		relinfo_build(info, rel);
	return info;
}

/*
 * relinfo_build
 *		Fill a cache entry from the catalogs and the registration.
 */
static void
relinfo_build(ALRelInfo *info, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ALRegistration reg;
	Oid			configrelid;
	Oid			pkoid;
	HeapTuple	indextup;
	Form_pg_index index;
	MemoryContext cxt;
	int			i;

	if (info->cxt != NULL)
		MemoryContextDelete(info->cxt);
	info->cxt = NULL;
	cxt = AllocSetContextCreate(relinfo_cxt, "activity_log relation",
								ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(cxt, RelationGetRelationName(rel));
	info->cxt = cxt;

	/* A partition uses the registration of its nearest tracked ancestor */
	configrelid = al_registered_ancestor(relid);
	if (!OidIsValid(configrelid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not tracked by activity_log",
						RelationGetRelationName(rel)),
				 errhint("Register it with activity_log.track(), or drop its trigger \"Activity_log_capture\".")));
	(void) read_registration(configrelid, &reg, cxt);
	info->configrelid = configrelid;
	info->collection = reg.collection;
	info->with_revisions = reg.with_revisions;

	/* Logged columns: all live ones but the excluded, in jsonb key order */
	info->columns = MemoryContextAlloc(cxt, sizeof(ALColumn) * Max(tupdesc->natts, 1));
	info->ncolumns = 0;
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		bool		excluded = false;
		int			j;

		if (att->attisdropped)
			continue;
		for (j = 0; j < reg.nexclude && !excluded; j++)
			excluded = strcmp(reg.exclude[j], NameStr(att->attname)) == 0;
		if (excluded)
			continue;
		al_column_init(&info->columns[info->ncolumns], att, false, cxt);
		for (j = 0; j < reg.nmask; j++)
			if (strcmp(reg.mask[j], NameStr(att->attname)) == 0)
				info->columns[info->ncolumns].masked = true;
		info->ncolumns++;
	}
	qsort(info->columns, info->ncolumns, sizeof(ALColumn), column_cmp);

	/* Primary key columns, in key order, converted as text */
	pkoid = al_primary_key_index(rel);
	if (!OidIsValid(pkoid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tracked table \"%s\" has no primary key",
						RelationGetRelationName(rel)),
				 errhint("Add a primary key to the table.")));
	indextup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkoid));
	if (!HeapTupleIsValid(indextup))
		elog(ERROR, "cache lookup failed for index %u", pkoid);
	index = (Form_pg_index) GETSTRUCT(indextup);
	info->nkeys = index->indnkeyatts;
	info->keys = MemoryContextAlloc(cxt, sizeof(ALColumn) * info->nkeys);
	for (i = 0; i < info->nkeys; i++)
		al_column_init(&info->keys[i],
					   TupleDescAttr(tupdesc, index->indkey.values[i] - 1),
					   true, cxt);
	ReleaseSysCache(indextup);

	build_foreign_keys(info, rel, cxt);

	info->valid = true;
}

/*
 * al_registered_ancestor
 *		The table whose registration applies to relid: relid itself if it is
 *		tracked, else its nearest tracked partition ancestor, else InvalidOid.
 */
Oid
al_registered_ancestor(Oid relid)
{
	List	   *ancestors;
	ListCell   *lc;

	if (read_registration(relid, NULL, NULL))
		return relid;
	if (!get_rel_relispartition(relid))
		return InvalidOid;
	ancestors = get_partition_ancestors(relid);
	foreach(lc, ancestors)
	{
		if (read_registration(lfirst_oid(lc), NULL, NULL))
			return lfirst_oid(lc);
	}
	return InvalidOid;
}

/*
 * int2_array
 *		The elements of an int2[] datum (conkey, confkey) as a C array.
 */
static int16 *
int2_array(Datum array, int *n)
{
	Datum	   *elems;
	int16	   *result;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(array), INT2OID, sizeof(int16), true,
					  TYPALIGN_SHORT, &elems, NULL, n);
	result = palloc(sizeof(int16) * Max(*n, 1));
	for (i = 0; i < *n; i++)
		result[i] = DatumGetInt16(elems[i]);
	return result;
}

/*
 * primary_key_columns
 *		The primary key columns of relid, in key order, from its constraint.
 */
static int16 *
primary_key_columns(Relation conrel, Oid relid, int *nkeys)
{
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	int16	   *result = NULL;

	*nkeys = 0;
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		bool		isnull;
		Datum		conkey;

		if (con->contype != CONSTRAINT_PRIMARY)
			continue;
		conkey = heap_getattr(tuple, Anum_pg_constraint_conkey,
							  RelationGetDescr(conrel), &isnull);
		if (!isnull)
			result = int2_array(conkey, nkeys);
		break;
	}
	systable_endscan(scan);
	return result;
}

/*
 * has_action
 *		Does a foreign key action change the referencing rows?
 */
static inline bool
has_action(char action)
{
	return action == FKCONSTR_ACTION_CASCADE ||
		action == FKCONSTR_ACTION_SETNULL ||
		action == FKCONSTR_ACTION_SETDEFAULT;
}

/*
 * build_foreign_keys
 *		Fill info->referenced and info->fkeys from pg_constraint.
 *
 * Only foreign keys with actions count, only those that reference a tracked
 * table, and only those whose referenced columns are that table's primary
 * key (the item text of the referenced row is then known from the
 * referencing row).
 */
static void
build_foreign_keys(ALRelInfo *info, Relation rel, MemoryContext cxt)
{
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Relation	conrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	int			max = 0;

	info->referenced = false;
	info->nfkeys = 0;
	info->fkeys = NULL;
	conrel = table_open(ConstraintRelationId, AccessShareLock);

	/* Is this table referenced by a foreign key with an action? */
	ScanKeyInit(&key, Anum_pg_constraint_confrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

		if (con->contype == CONSTRAINT_FOREIGN &&
			(has_action(con->confdeltype) || has_action(con->confupdtype)))
			info->referenced = true;
	}
	systable_endscan(scan);

	/* Its own foreign keys with actions, referencing tracked tables */
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		Oid			parent_config;
		int16	   *conkey;
		int16	   *confkey;
		int16	   *pk;
		int			npk;
		int			nk;
		int			i,
					j;
		bool		isnull;
		ALForeignKey fk;

		if (con->contype != CONSTRAINT_FOREIGN ||
			!(has_action(con->confdeltype) || has_action(con->confupdtype)))
			continue;
		parent_config = al_registered_ancestor(con->confrelid);
		if (!OidIsValid(parent_config))
			continue;
		conkey = int2_array(heap_getattr(tuple, Anum_pg_constraint_conkey,
										 RelationGetDescr(conrel), &isnull), &nk);
		confkey = int2_array(heap_getattr(tuple, Anum_pg_constraint_confkey,
										  RelationGetDescr(conrel), &isnull), &nk);
		pk = primary_key_columns(conrel, con->confrelid, &npk);
		if (pk == NULL || npk != nk)
			continue;

		fk.configrelid = parent_config;
		fk.deltype = con->confdeltype;
		fk.updtype = con->confupdtype;
		fk.nkeys = nk;
		fk.columns = MemoryContextAlloc(cxt, sizeof(ALColumn) * nk);
		for (i = 0; i < npk; i++)
		{
			for (j = 0; j < nk; j++)
				if (confkey[j] == pk[i])
					break;
			if (j == nk)
				break;
			al_column_init(&fk.columns[i],
						   TupleDescAttr(tupdesc, conkey[j] - 1),
						   true, cxt);
		}
		if (i < npk)
			continue;			/* references another unique key */

		/* partitioned tables repeat a key per partition: keep one */
		for (i = 0; i < info->nfkeys; i++)
		{
			if (info->fkeys[i].configrelid != fk.configrelid)
				continue;
			for (j = 0; j < nk; j++)
				if (info->fkeys[i].columns[j].attnum != fk.columns[j].attnum)
					break;
			if (j == nk)
				break;
		}
		if (i < info->nfkeys)
			continue;

		if (info->nfkeys == max)
		{
			max = Max(4, max * 2);
			info->fkeys = info->fkeys == NULL ?
				MemoryContextAlloc(cxt, sizeof(ALForeignKey) * max) :
				repalloc(info->fkeys, sizeof(ALForeignKey) * max);
		}
		info->fkeys[info->nfkeys++] = fk;
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
}

/*
 * read_registration
 *		Look a table up in activity_log.tracking; false if it is not there.
 *
 * Reads the table directly through its primary key index, so the capturing
 * role needs no privilege on it.  The result is copied into cxt; with a
 * NULL reg, only tells whether the table is registered.
 */
static bool
read_registration(Oid relid, ALRegistration *reg, MemoryContext cxt)
{
	const ALCatalog *cat = al_catalog();
	Relation	tracking;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	Snapshot	snapshot;
	bool		found = false;

	tracking = table_open(cat->tracking, AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(tracking, cat->tracking_pkey, true, snapshot,
							  1, &key);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found && reg != NULL)
	{
		TupleDesc	tupdesc = RelationGetDescr(tracking);
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
		Datum		values[5];
		bool		nulls[5];
		Datum	   *elems;
		int			i;

		heap_deform_tuple(tuple, tupdesc, values, nulls);
		reg->collection = PointerGetDatum(DatumGetTextPCopy(values[1]));
		reg->with_revisions = strcmp(TextDatumGetCString(values[2]), "all") == 0;
		deconstruct_array(DatumGetArrayTypeP(values[3]), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, NULL, &reg->nexclude);
		reg->exclude = palloc(sizeof(char *) * Max(reg->nexclude, 1));
		for (i = 0; i < reg->nexclude; i++)
			reg->exclude[i] = TextDatumGetCString(elems[i]);
		deconstruct_array(DatumGetArrayTypeP(values[4]), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, NULL, &reg->nmask);
		reg->mask = palloc(sizeof(char *) * Max(reg->nmask, 1));
		for (i = 0; i < reg->nmask; i++)
			reg->mask[i] = TextDatumGetCString(elems[i]);
		MemoryContextSwitchTo(oldcxt);
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(tracking, AccessShareLock);
	return found;
}

/*
 * column_cmp
 *		qsort comparator putting columns in jsonb object key order.
 *
 * jsonb orders keys by length first, then bytewise.
 */
static int
column_cmp(const void *a, const void *b)
{
	const ALColumn *ca = (const ALColumn *) a;
	const ALColumn *cb = (const ALColumn *) b;

	if (ca->namelen != cb->namelen)
		return ca->namelen < cb->namelen ? -1 : 1;
	return memcmp(ca->name, cb->name, ca->namelen);
}
