/*-------------------------------------------------------------------------
 *
 * seal.c
 *	  Tamper evidence: a hash chain over the log, and its verification.
 *
 * seal() takes every activity row not sealed yet, in id order, together
 * with its revision, and chains it: hash = SHA-256(previous hash ||
 * canonical text of the row).  The hashes are kept in activity_log.seals,
 * one per sealed activity.  verify() recomputes the chain from the first
 * seal and reports the first activity whose content changed, whose row is
 * gone, or which sits inside the sealed range without a seal (inserted
 * behind the extension's back); then, anywhere in the log, a revision
 * whose parent is not there (parent is a link no constraint keeps).
 *
 * The canonical text is a jsonb array of the columns, with the timestamp
 * in UTC, so it depends on no session setting.
 *
 * Rows must be sealed in an order no late commit can disturb: seal() reads
 * the last activity id handed out, waits until every transaction that was
 * writing the log then has ended (as CREATE INDEX CONCURRENTLY waits), and
 * seals only up to that id; rows that come later get higher ids.
 *
 * The extension's own functions that change sealed rows (comment edits,
 * the retention functions) first verify the chain from the first row they
 * change, refusing if it is broken, and reseal from there afterwards; the
 * part before that row keeps its seals.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/seal.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "activity_log.h"
#include "compat.h"

/* The canonical text of an activity row and its revision, as bytea */
#define AL_CANONICAL \
	"pg_catalog.convert_to(pg_catalog.jsonb_build_array(" \
	"a.id, a.action, a.\"user\", a.\"timestamp\" AT TIME ZONE 'UTC', a.ip," \
	" a.user_agent, a.origin, a.collection, a.item, a.comment, a.db_user," \
	" a.transaction, r.op, r.parent, r.data, r.delta, r.previous_item" \
	")::pg_catalog.text, 'UTF8')"

#define AL_SEAL_BATCH 1000

/* State of one sealing or checking run (inside al_run_as_log_owner) */
typedef struct ALSealRun
{
	int64		from;			/* first activity id concerned */
	int64		upto;			/* seal: last id to seal */
	int64		count;			/* rows sealed */
	int64		bad;			/* check: the first bad activity, or 0 */
	const char *problem;		/* check: what is wrong with it */
} ALSealRun;

static int64 seal_before(int64 id, uint8 *prev);
static int64 chain_rows(int64 after, int64 upto, uint8 *prev);
static void check_run(void *arg);
static void seal_run(void *arg);
static void reseal_run(void *arg);
static void first_bad(ALSealRun *run, const char *sql, int nargs,
					  Oid *types, Datum *values, const char *problem);
static void parent_run(void *arg);
static void last_id_run(void *arg);

PG_FUNCTION_INFO_V1(activity_log_seal);
PG_FUNCTION_INFO_V1(activity_log_verify);

/*
 * seal_before
 *		The hash of the last seal before id (into prev, 32 zero bytes if
 *		none) and that seal's activity (0 if none).  Inside SPI.
 */
static int64
seal_before(int64 id, uint8 *prev)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	bytea	   *hash;

	memset(prev, 0, PG_SHA256_DIGEST_LENGTH);
	values[0] = Int64GetDatum(id);
	al_spi_exec("SELECT activity, hash FROM activity_log.seals"
				" WHERE activity OPERATOR(pg_catalog.<) $1"
				" ORDER BY activity DESC LIMIT 1",
				1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return 0;
	hash = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 2, &isnull));
	if (VARSIZE_ANY_EXHDR(hash) == PG_SHA256_DIGEST_LENGTH)
		memcpy(prev, VARDATA_ANY(hash), PG_SHA256_DIGEST_LENGTH);
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * chain_rows
 *		Seal the activity rows with after < id <= upto, in id order,
 *		continuing the chain from prev.  Inside SPI; returns the count.
 */
static int64
chain_rows(int64 after, int64 upto, uint8 *prev)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2];
	Portal		portal;
	int64		count = 0;
	Datum		ids[AL_SEAL_BATCH];
	Datum		hashes[AL_SEAL_BATCH];

	values[0] = Int64GetDatum(after);
	values[1] = Int64GetDatum(upto);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT a.id, " AL_CANONICAL
									   " FROM activity_log.activity a"
									   " LEFT JOIN activity_log.revision_store r"
									   " ON r.activity OPERATOR(pg_catalog.=) a.id"
									   " WHERE a.id OPERATOR(pg_catalog.>) $1"
									   " AND a.id OPERATOR(pg_catalog.<=) $2"
									   " ORDER BY a.id",
									   2, types, values, NULL, false, 0);
	for (;;)
	{
		SPITupleTable *tuptable;
		uint64		n;
		uint64		i;

		SPI_cursor_fetch(portal, true, AL_SEAL_BATCH);
		tuptable = SPI_tuptable;
		n = SPI_processed;
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
		{
			bool		isnull;
			bytea	   *canon;
			bytea	   *hash = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

			ids[i] = SPI_getbinval(tuptable->vals[i], tuptable->tupdesc, 1,
								   &isnull);
			canon = DatumGetByteaPP(SPI_getbinval(tuptable->vals[i],
												  tuptable->tupdesc, 2,
												  &isnull));
			SET_VARSIZE(hash, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
			al_sha256(prev, PG_SHA256_DIGEST_LENGTH,
					  (uint8 *) VARDATA_ANY(canon), VARSIZE_ANY_EXHDR(canon),
					  (uint8 *) VARDATA(hash));
			memcpy(prev, VARDATA(hash), PG_SHA256_DIGEST_LENGTH);
			hashes[i] = PointerGetDatum(hash);
		}
		{
			Oid			itypes[2] = {INT8ARRAYOID, BYTEAARRAYOID};
			Datum		ivalues[2];

			ivalues[0] = PointerGetDatum(construct_array(ids, n, INT8OID, 8,
														 FLOAT8PASSBYVAL,
														 TYPALIGN_DOUBLE));
			ivalues[1] = PointerGetDatum(construct_array(hashes, n, BYTEAOID,
														 -1, false,
														 TYPALIGN_INT));
			al_spi_exec("INSERT INTO activity_log.seals (activity, hash)"
						" SELECT * FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2))",
						2, itypes, ivalues, NULL, SPI_OK_INSERT);
		}
		SPI_freetuptable(tuptable);
		count += n;
	}
	SPI_cursor_close(portal);
	return count;
}

/*
 * check_run
 *		Recompute the chain over the seals with activity >= run->from, and
 *		look for unsealed rows inside the sealed range.  Inside SPI.
 */
static void
check_run(void *arg)
{
	ALSealRun  *run = (ALSealRun *) arg;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	uint8		prev[PG_SHA256_DIGEST_LENGTH];
	uint8		expect[PG_SHA256_DIGEST_LENGTH];
	Portal		portal;
	int64		last = 0;

	run->bad = 0;
	(void) seal_before(run->from, prev);
	values[0] = Int64GetDatum(run->from);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT s.activity, s.hash, c.canonical"
									   " FROM activity_log.seals s"
									   " LEFT JOIN LATERAL (SELECT " AL_CANONICAL " AS canonical"
									   "  FROM activity_log.activity a"
									   "  LEFT JOIN activity_log.revision_store r"
									   "  ON r.activity OPERATOR(pg_catalog.=) a.id"
									   "  WHERE a.id OPERATOR(pg_catalog.=) s.activity) c ON true"
									   " WHERE s.activity OPERATOR(pg_catalog.>=) $1"
									   " ORDER BY s.activity",
									   1, types, values, NULL, false, 0);
	while (run->bad == 0)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, AL_SEAL_BATCH);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed && run->bad == 0; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			TupleDesc	tupdesc = SPI_tuptable->tupdesc;
			bool		isnull;
			bytea	   *hash;
			bytea	   *canon;
			Datum		value;

			last = DatumGetInt64(SPI_getbinval(tuple, tupdesc, 1, &isnull));
			hash = DatumGetByteaPP(SPI_getbinval(tuple, tupdesc, 2, &isnull));
			value = SPI_getbinval(tuple, tupdesc, 3, &isnull);
			if (isnull)
			{
				run->bad = last;
				run->problem = "deleted";
				break;
			}
			canon = DatumGetByteaPP(value);
			al_sha256(prev, PG_SHA256_DIGEST_LENGTH,
					  (uint8 *) VARDATA_ANY(canon), VARSIZE_ANY_EXHDR(canon),
					  expect);
			if (VARSIZE_ANY_EXHDR(hash) != PG_SHA256_DIGEST_LENGTH ||
				memcmp(VARDATA_ANY(hash), expect, PG_SHA256_DIGEST_LENGTH) != 0)
			{
				run->bad = last;
				run->problem = "changed";
				break;
			}
			memcpy(prev, expect, PG_SHA256_DIGEST_LENGTH);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	if (run->bad != 0 || last == 0)
		return;

	/* a row inside the sealed range without a seal was slipped in */
	{
		Oid			rtypes[2] = {INT8OID, INT8OID};
		Datum		rvalues[2];

		rvalues[0] = Int64GetDatum(run->from);
		rvalues[1] = Int64GetDatum(last);
		first_bad(run, "SELECT a.id FROM activity_log.activity a"
				  " WHERE a.id OPERATOR(pg_catalog.>=) $1"
				  " AND a.id OPERATOR(pg_catalog.<=) $2"
				  " AND NOT EXISTS (SELECT FROM activity_log.seals s"
				  "  WHERE s.activity OPERATOR(pg_catalog.=) a.id)"
				  " ORDER BY a.id LIMIT 1",
				  2, rtypes, rvalues, "inserted");
	}
}

/*
 * first_bad
 *		Run a statement that selects the id of the first activity with a
 *		problem, if any; record it with that problem.  Inside SPI.
 */
static void
first_bad(ALSealRun *run, const char *sql, int nargs, Oid *types,
		  Datum *values, const char *problem)
{
	bool		isnull;

	al_spi_exec(sql, nargs, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	run->bad = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
	run->problem = problem;
}

/*
 * parent_run
 *		Look for a revision whose parent is not in the log (parent is a
 *		soft link; see the install script).  Inside SPI.
 */
static void
parent_run(void *arg)
{
	first_bad((ALSealRun *) arg,
			  "SELECT r.activity FROM activity_log.revision_store r"
			  " WHERE r.parent IS NOT NULL"
			  " AND NOT EXISTS (SELECT FROM activity_log.revision_store p"
			  "  WHERE p.activity OPERATOR(pg_catalog.=) r.parent)"
			  " ORDER BY r.activity LIMIT 1",
			  0, NULL, NULL, "parent missing");
}

/*
 * last_id_run
 *		The last activity id handed out so far (as the log owner).
 */
static void
last_id_run(void *arg)
{
	ALSealRun  *run = (ALSealRun *) arg;
	bool		isnull;

	al_spi_exec("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END"
				" FROM activity_log.activity_id_seq",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	run->upto = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * seal_run
 *		Seal the rows after the last seal, up to run->upto.  Inside SPI.
 */
static void
seal_run(void *arg)
{
	ALSealRun  *run = (ALSealRun *) arg;
	uint8		prev[PG_SHA256_DIGEST_LENGTH];
	int64		last;

	last = seal_before(PG_INT64_MAX, prev);
	run->count = chain_rows(last, run->upto, prev);
}

/*
 * activity_log_seal
 *		SQL: activity_log.seal() RETURNS bigint
 *
 * Chains every activity row not sealed yet; returns how many it sealed.
 */
Datum
activity_log_seal(PG_FUNCTION_ARGS)
{
	ALSealRun	run;
	LOCKTAG		tag;

	al_check_admin("seal or verify the activity log");
	memset(&run, 0, sizeof(run));
	al_run_as_log_owner(last_id_run, &run);

	/* wait for every transaction that may still commit an id <= upto */
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, al_catalog()->activity);
	WaitForLockers(tag, ShareLock, false);

	al_run_as_log_owner(seal_run, &run);
	PG_RETURN_INT64(run.count);
}

/*
 * activity_log_verify
 *		SQL: activity_log.verify() RETURNS TABLE (activity bigint, problem text)
 *
 * The first sealed activity that was changed or deleted, or an unsealed
 * one inside the sealed range; no row when the chain holds.
 */
Datum
activity_log_verify(PG_FUNCTION_ARGS)
{
	ALSealRun	run;
	ReturnSetInfo *rsinfo;

	al_check_admin("seal or verify the activity log");
	al_init_materialized_srf(fcinfo);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	memset(&run, 0, sizeof(run));
	run.from = 1;
	al_run_as_log_owner(check_run, &run);
	if (run.bad == 0)
		al_run_as_log_owner(parent_run, &run);
	if (run.bad != 0)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = Int64GetDatum(run.bad);
		values[1] = CStringGetTextDatum(run.problem);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * al_seal_check_from
 *		Before the extension changes sealed rows from activity id on:
 *		refuse if the chain from there does not verify.
 */
void
al_seal_check_from(int64 id)
{
	ALSealRun	run;

	memset(&run, 0, sizeof(run));
	run.from = id;
	al_run_as_log_owner(check_run, &run);
	if (run.bad != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the activity log does not verify: activity " INT64_FORMAT " was %s",
						run.bad, run.problem),
				 errhint("Investigate with activity_log.verify() before changing sealed activity.")));
}

/*
 * reseal_run
 *		Drop the seals from run->from on and seal those rows again.
 */
static void
reseal_run(void *arg)
{
	ALSealRun  *run = (ALSealRun *) arg;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	uint8		prev[PG_SHA256_DIGEST_LENGTH];
	Datum		max;
	bool		isnull;
	int64		upto;
	int64		after;

	values[0] = Int64GetDatum(run->from);
	al_spi_exec("SELECT max(activity) FROM activity_log.seals"
				" WHERE activity OPERATOR(pg_catalog.>=) $1",
				1, types, values, NULL, SPI_OK_SELECT);
	max = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						&isnull);
	if (isnull)
		return;					/* nothing sealed there */
	upto = DatumGetInt64(max);
	after = seal_before(run->from, prev);
	al_spi_exec("DELETE FROM activity_log.seals"
				" WHERE activity OPERATOR(pg_catalog.>=) $1",
				1, types, values, NULL, SPI_OK_DELETE);
	run->count = chain_rows(after, upto, prev);
}

/*
 * al_reseal_from
 *		After the extension changed sealed rows from activity id on: seal
 *		them again.
 */
void
al_reseal_from(int64 id)
{
	ALSealRun	run;

	memset(&run, 0, sizeof(run));
	run.from = id;
	al_run_as_log_owner(reseal_run, &run);
}
