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

#endif							/* ACTIVITY_LOG_COMPAT_H */
