/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every PostgreSQL version difference that activity_log cares about.
 *
 * The code is written against PostgreSQL 15; CI builds and tests it on 15,
 * 17, 18 and 19 (scripts/matrix.sh).  Each shim below maps an API that
 * moved or changed between those releases; 14 is the oldest the shims
 * allow (seal() needs SPI_execute_plan_extended()), but nothing older than
 * 15 is tested.
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

#if PG_VERSION_NUM < 140000
#error "activity_log requires PostgreSQL 14 or later"
#endif

/* object_ownercheck() replaced the per-catalog functions in 16 */
#if PG_VERSION_NUM >= 160000
#define al_table_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define al_table_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#endif

/*
 * ExecInsertIndexTuples() gained "onlySummarizing" in 16, and took flags
 * for its three booleans, in a new order, in 19
 */
#if PG_VERSION_NUM >= 190000
#define al_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (estate), 0, (slot), NIL, NULL)
#elif PG_VERSION_NUM >= 160000
#define al_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define al_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/* RelationGetPrimaryKeyIndex() gained "deferrable_ok" in 18 */
#if PG_VERSION_NUM >= 180000
#define al_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define al_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/*
 * Building a JsonbValue token by token: pushJsonbValue() returned the value
 * and kept its state in a JsonbParseState pointer until 19, where it keeps
 * both in a JsonbInState.  al_jsonb_push() pushes; al_jsonb_result() is the
 * value once complete.
 */
#include "utils/jsonb.h"
#if PG_VERSION_NUM >= 190000
typedef JsonbInState al_jsonb_builder;

static inline void
al_jsonb_push(al_jsonb_builder *b, JsonbIteratorToken tok, JsonbValue *v)
{
	pushJsonbValue(b, tok, v);
}

static inline JsonbValue *
al_jsonb_result(al_jsonb_builder *b)
{
	return b->result;
}
#else
typedef struct al_jsonb_builder
{
	JsonbParseState *state;
	JsonbValue *result;
} al_jsonb_builder;

static inline void
al_jsonb_push(al_jsonb_builder *b, JsonbIteratorToken tok, JsonbValue *v)
{
	b->result = pushJsonbValue(&b->state, tok, v);
}

static inline JsonbValue *
al_jsonb_result(al_jsonb_builder *b)
{
	return b->result;
}
#endif

/*
 * Virtual generated columns appeared in 18 (the default kind there): never
 * stored, and never computed for a trigger.  Before 18 nothing has the mark.
 */
#ifndef ATTRIBUTE_GENERATED_VIRTUAL
#define ATTRIBUTE_GENERATED_VIRTUAL 'v'
#endif

/* MarkGUCPrefixReserved() was EmitWarningsOnPlaceholders() before 15 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

#define al_int64_to_numeric(val) int64_to_numeric(val)
#define al_numeric_is_special(num) \
	(numeric_is_nan(num) || numeric_is_inf(num))

/* Inline compression of a datum, by the column's method or the default */
#include "access/toast_internals.h"
#include "access/toast_compression.h"
#define al_attribute_compression(att) \
	(CompressionMethodIsValid((att)->attcompression) ? \
	 (att)->attcompression : (char) default_toast_compression)
#define al_compress_datum(value, method) toast_compress_datum((value), (method))

/*
 * SHA-256 of two byte strings one after the other, by pg_cryptohash (its
 * final step took a length from 15).
 */
#include "common/sha2.h"
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

/*
 * SHA-256 of many byte strings in a row (the digests of seal() and
 * verify()): al_sha256_create() gives a hasher that lives as long as the
 * memory context cxt, and al_sha256_hash() uses it for one string.
 *
 * pg_cryptohash starts every hash by looking the algorithm up again in
 * OpenSSL 3, which costs about as much as hashing a row.  So with OpenSSL 3
 * the hasher holds the algorithm, fetched once, and one digest context
 * (freed with cxt, by a reset callback, on error too); otherwise it holds
 * nothing and each hash is al_sha256().
 */
#include "utils/memutils.h"
#ifdef USE_OPENSSL
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define AL_SHA256_EVP
#include <openssl/evp.h>
#endif
#endif

#ifdef AL_SHA256_EVP
typedef struct al_sha256_state
{
	EVP_MD	   *md;
	EVP_MD_CTX *ctx;
	MemoryContextCallback cb;
} *al_sha256_ctx;

static inline void
al_sha256_release(void *arg)
{
	al_sha256_ctx h = (al_sha256_ctx) arg;

	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
}

static inline al_sha256_ctx
al_sha256_create(MemoryContext cxt)
{
	al_sha256_ctx h = MemoryContextAllocZero(cxt, sizeof(struct al_sha256_state));

	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	h->cb.func = al_sha256_release;
	h->cb.arg = h;
	MemoryContextRegisterResetCallback(cxt, &h->cb);
	if (h->md == NULL || h->ctx == NULL)
		elog(ERROR, "could not set up SHA-256");
	return h;
}

static inline void
al_sha256_hash(al_sha256_ctx h, const uint8 *data, size_t len, uint8 *out)
{
	unsigned int outlen;

	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
		EVP_DigestUpdate(h->ctx, data, len) != 1 ||
		EVP_DigestFinal_ex(h->ctx, out, &outlen) != 1)
		elog(ERROR, "could not compute a SHA-256 hash");
}
#else
typedef void *al_sha256_ctx;

static inline al_sha256_ctx
al_sha256_create(MemoryContext cxt)
{
	(void) cxt;
	return NULL;
}

static inline void
al_sha256_hash(al_sha256_ctx h, const uint8 *data, size_t len, uint8 *out)
{
	(void) h;
	al_sha256(NULL, 0, data, len, out);
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
