/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every PostgreSQL version difference that activity_log cares about.
 *
 * The code is written against PostgreSQL 15 and builds on 13 to 17; each
 * shim below maps an API that moved or changed between those releases.
 * Nothing outside this header tests PG_VERSION_NUM.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACTIVITY_LOG_COMPAT_H
#define ACTIVITY_LOG_COMPAT_H

#include "executor/executor.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/numeric.h"
#include "utils/relcache.h"

#if PG_VERSION_NUM < 130000
#error "activity_log requires PostgreSQL 13 or later"
#endif

/* object_ownercheck() replaced the per-catalog functions in 16 */
#if PG_VERSION_NUM >= 160000
#define al_table_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define al_table_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#endif

/* ExecInsertIndexTuples() gained "onlySummarizing" in 16 */
#if PG_VERSION_NUM >= 160000
#define al_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define al_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/* RelationGetPrimaryKeyIndex() gained "deferrable_ok" in 17 */
#if PG_VERSION_NUM >= 170000
#define al_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define al_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* MarkGUCPrefixReserved() was EmitWarningsOnPlaceholders() before 15 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* int64_to_numeric() is exported from 14; numeric infinity exists from 14 */
#if PG_VERSION_NUM < 140000
#include "utils/fmgrprotos.h"
static inline Numeric
al_int64_to_numeric(int64 val)
{
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric,
											   Int64GetDatum(val)));
}
#define al_numeric_is_special(num) numeric_is_nan(num)
#else
#define al_int64_to_numeric(val) int64_to_numeric(val)
#define al_numeric_is_special(num) \
	(numeric_is_nan(num) || numeric_is_inf(num))
#endif

/*
 * Inline compression of a datum: toast_compress_datum() took a method from
 * 14, when lz4 and pg_attribute.attcompression appeared.
 */
#include "access/toast_internals.h"
#if PG_VERSION_NUM >= 140000
#include "access/toast_compression.h"
#define al_attribute_compression(att) \
	(CompressionMethodIsValid((att)->attcompression) ? \
	 (att)->attcompression : (char) default_toast_compression)
#define al_compress_datum(value, method) toast_compress_datum((value), (method))
#else
#define al_attribute_compression(att) ((char) 0)
#define al_compress_datum(value, method) toast_compress_datum(value)
#endif

/*
 * SHA-256 of two byte strings one after the other: pg_cryptohash from 14
 * (its final step took a length from 15), the pg_sha256 functions in 13.
 */
#include "common/sha2.h"
#if PG_VERSION_NUM >= 140000
#include "common/cryptohash.h"
static inline void
al_sha256(const uint8 *a, size_t alen, const uint8 *b, size_t blen,
		  uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, a, alen) < 0 ||
		pg_cryptohash_update(ctx, b, blen) < 0 ||
#if PG_VERSION_NUM >= 150000
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
#else
		pg_cryptohash_final(ctx, out) < 0)
#endif
		elog(ERROR, "could not compute a SHA-256 hash");
	pg_cryptohash_free(ctx);
}
#else
static inline void
al_sha256(const uint8 *a, size_t alen, const uint8 *b, size_t blen,
		  uint8 *out)
{
	pg_sha256_ctx ctx;

	pg_sha256_init(&ctx);
	pg_sha256_update(&ctx, a, alen);
	pg_sha256_update(&ctx, b, blen);
	pg_sha256_final(&ctx, out);
}
#endif

/* InitMaterializedSRF() appeared in 15 (as SetSingleFuncCall in 14.x) */
#if PG_VERSION_NUM >= 150000
#include "funcapi.h"
#define al_init_materialized_srf(fcinfo) \
	InitMaterializedSRF((fcinfo), MAT_SRF_USE_EXPECTED_DESC)
#else
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"
static inline void
al_init_materialized_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	TupleDesc	tupdesc;
	Oid			rettype;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, &rettype, &tupdesc) != TYPEFUNC_COMPOSITE)
	{
		tupdesc = CreateTemplateTupleDesc(1);
		TupleDescInitEntry(tupdesc, (AttrNumber) 1, "result", rettype, -1, 0);
	}
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcxt);
}
#endif

#endif							/* ACTIVITY_LOG_COMPAT_H */
