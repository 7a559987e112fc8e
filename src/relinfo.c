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
 * entry uses, only marks the entry invalid.  Registrations are the source
 * of truth, and an entry depends on more than its own (a foreign key's
 * referenced table counts only if that table is tracked), so every write
 * to activity_log.tracking, through the API or not, sends a relcache
 * invalidation of activity_log.tracking itself (see security.c's guard),
 * and that marks every entry invalid in every backend.  ALTER TABLE sends
 * the invalidation of the table by itself.
 *
 * Code that the capture calls (an output function, a cast, a nested write)
 * can come back here and invalidate or rebuild the entry the capture is
 * using.  So callers pin the entry (al_get_relinfo) and unpin it when done
 * (al_release_relinfo): an invalid entry that is pinned is not rebuilt in
 * place but set aside, and a new one takes its place in the hash table; the
 * old one is freed when its last user lets go.  An error can leave a pin
 * behind; no capture outlives its transaction, so at the end of every
 * transaction all pins are dropped and what was set aside is freed.
 *
 * An entry is built in its own memory context and marked valid when its
 * build starts; an invalidation that arrives during the build clears that
 * again, so the entry is used for the row at hand and rebuilt on the next
 * lookup.  A build that fails leaves the entry invalid.
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
#include "access/xact.h"
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

/* A hash table entry: the current cache entry of one table */
typedef struct ALRelInfoSlot
{
	Oid			relid;			/* hash key */
	ALRelInfo  *info;			/* NULL until first built */
} ALRelInfoSlot;

static HTAB *relinfo_hash = NULL;
static MemoryContext relinfo_cxt = NULL;

/* entries replaced while pinned, freed when unpinned or at transaction end */
static List *retired = NIL;

/*
 * The OID of activity_log.tracking, as last read: its invalidation means
 * "every entry".  Kept here because the callback must not look it up.
 */
static Oid	tracking_relid = InvalidOid;

static void relinfo_invalidate(Datum arg, Oid relid);
static void relinfo_xact_callback(XactEvent event, void *arg);
static void relinfo_free(ALRelInfo *info);
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
	RegisterXactCallback(relinfo_xact_callback, NULL);
}

/*
 * relinfo_invalidate
 *		Relcache callback: mark the entries that depend on relid invalid.
 *
 * InvalidOid, or activity_log.tracking (whose invalidation every change of
 * a registration sends), means "everything".  Entries are never freed here:
 * a caller may hold one.
 */
static void
relinfo_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ALRelInfoSlot *slot;
	bool		all;

	if (relinfo_hash == NULL)
		return;

	all = relid == InvalidOid || relid == tracking_relid;
	hash_seq_init(&status, relinfo_hash);
	while ((slot = (ALRelInfoSlot *) hash_seq_search(&status)) != NULL)
	{
		ALRelInfo  *info = slot->info;

		if (info != NULL &&
			(all || info->relid == relid || info->configrelid == relid))
			info->valid = false;
	}
}

/*
 * relinfo_xact_callback
 *		At the end of a transaction no capture runs: drop every pin (an
 *		error may have left some) and free the entries set aside.
 */
static void
relinfo_xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS status;
	ALRelInfoSlot *slot;
	ListCell   *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PREPARE && event != XACT_EVENT_PARALLEL_COMMIT &&
		event != XACT_EVENT_PARALLEL_ABORT)
		return;
	if (relinfo_hash == NULL)
		return;

	hash_seq_init(&status, relinfo_hash);
	while ((slot = (ALRelInfoSlot *) hash_seq_search(&status)) != NULL)
		if (slot->info != NULL)
			slot->info->pins = 0;
	foreach(lc, retired)
		relinfo_free((ALRelInfo *) lfirst(lc));
	list_free(retired);
	retired = NIL;
}

/*
 * relinfo_free
 *		Free a cache entry and everything it holds.
 */
static void
relinfo_free(ALRelInfo *info)
{
	MemoryContextDelete(info->cxt);
}

/*
 * al_get_relinfo
 *		The cache entry of a tracked table, built if missing or invalid,
 *		and pinned: the caller must call al_release_relinfo() when done.
 *
 * Raises an error if the table has no registration: a capture trigger on a
 * table that is not tracked refuses the change rather than losing it.
 */
ALRelInfo *
al_get_relinfo(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ALRelInfoSlot *slot;
	ALRelInfo  *info;
	MemoryContext cxt;
	bool		found;

	if (relinfo_hash == NULL)
	{
		HASHCTL		ctl;

		relinfo_cxt = AllocSetContextCreate(CacheMemoryContext,
											"activity_log relation cache",
											ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ALRelInfoSlot);
		ctl.hcxt = relinfo_cxt;
		relinfo_hash = hash_create("activity_log relation cache", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	slot = (ALRelInfoSlot *) hash_search(relinfo_hash, &relid, HASH_ENTER,
										 &found);
	if (!found)
		slot->info = NULL;
	info = slot->info;
	if (info != NULL && info->valid)
	{
		info->pins++;
		return info;
	}

	/* set the old entry aside if someone still uses it, else free it */
	slot->info = NULL;
	if (info != NULL)
	{
		if (info->pins > 0)
		{
			MemoryContext oldcxt = MemoryContextSwitchTo(relinfo_cxt);

			info->retired = true;
			retired = lappend(retired, info);
			MemoryContextSwitchTo(oldcxt);
		}
		else
			relinfo_free(info);
	}

	cxt = AllocSetContextCreate(relinfo_cxt, "activity_log relation",
								ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(cxt, RelationGetRelationName(rel));
	info = MemoryContextAllocZero(cxt, sizeof(ALRelInfo));
	info->relid = relid;
	info->cxt = cxt;
	slot->info = info;

	/* an invalidation during the build clears this again */
	info->valid = true;
	PG_TRY();
	{
		relinfo_build(info, rel);
	}
	PG_CATCH();
	{
		info->valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
	info->pins++;
	return info;
}

/*
 * al_release_relinfo
 *		Unpin a cache entry; frees it if it was set aside and this was its
 *		last user.
 */
void
al_release_relinfo(ALRelInfo *info)
{
	Assert(info->pins > 0);
	if (--info->pins > 0 || !info->retired)
		return;
	retired = list_delete_ptr(retired, info);
	relinfo_free(info);
}

/*
 * relinfo_build
 *		Fill a new cache entry from the catalogs and the registration;
 *		everything goes into info->cxt.
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
	MemoryContext cxt = info->cxt;
	int			i;

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

	/*
	 * Logged columns: all live ones but the excluded and the virtual
	 * generated ones (computed on read from the others, which are logged;
	 * a trigger never sees their values), in jsonb key order
	 */
	info->columns = MemoryContextAlloc(cxt, sizeof(ALColumn) * Max(tupdesc->natts, 1));
	info->ncolumns = 0;
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		bool		excluded = false;
		int			j;

		if (att->attisdropped || att->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
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

	tracking_relid = cat->tracking;
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
