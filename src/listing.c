/*-------------------------------------------------------------------------
 *
 * listing.c
 *	  Retrieval and filtered listing: GET /activity and GET /activity/:id.
 *
 * list_activity() and activity_json() take a Directus query object (filter,
 * sort, limit, offset, page, search, fields, meta) and translate it into
 * one SQL statement over activity_log.activity.  The translation never puts
 * user text into SQL: every field name is looked up in a fixed table of the
 * activity columns and replaced by that table's SQL, every operator by
 * fixed SQL, and every value becomes a typed parameter ($n), converted to
 * the column's type here (a bad value is an error, not an empty result).
 * Any malformed part of the query is an error with SQLSTATE 22023 naming
 * the offending part, e.g. "filter._and[1].ip._eq".
 *
 * Visibility: a caller who is not an admin sees only activity of
 * collections whose table it may SELECT.  The set of such collections is
 * worked out as the caller, then the statement runs as the owner of the
 * log with that set as a parameter, so the log tables need not be readable
 * by the caller at all.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/listing.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "activity_log.h"
#include "compat.h"

/* How deep _and/_or may nest before the query is refused */
#define AL_MAX_FILTER_DEPTH 100

/* One column of activity_log.activity, as the query language sees it */
typedef struct ALField
{
	const char *name;
	Oid			type;
	bool		is_text;
	bool		is_key;			/* leads activity_collection_item_idx */
	const char *sql;			/* the column */
	const char *text_sql;		/* the column as text, for string operators:
								 * the text of its JSON form */
} ALField;

static const ALField al_fields[] = {
	{"id", INT8OID, false, false, "a.id", "a.id::pg_catalog.text"},
	{"action", TEXTOID, true, false, "a.action", "a.action"},
	{"user", TEXTOID, true, false, "a.\"user\"", "a.\"user\""},
	{"timestamp", TIMESTAMPTZOID, false, false, "a.\"timestamp\"",
	"(pg_catalog.to_json(a.\"timestamp\") OPERATOR(pg_catalog.#>>) '{}')"},
	{"ip", INETOID, false, false, "a.ip", "pg_catalog.abbrev(a.ip)"},
	{"user_agent", TEXTOID, true, false, "a.user_agent", "a.user_agent"},
	{"origin", TEXTOID, true, false, "a.origin", "a.origin"},
	{"collection", TEXTOID, true, true, "a.collection", "a.collection"},
	{"item", TEXTOID, true, true, "a.item", "a.item"},
	{"comment", TEXTOID, true, false, "a.comment", "a.comment"},
	{"db_user", TEXTOID, true, false, "a.db_user", "a.db_user"},
	{"transaction", XID8OID, false, false, "a.transaction",
	"a.transaction::pg_catalog.text"},
};

#define AL_NFIELDS ((int) lengthof(al_fields))

/* The fields of an activity object when "fields" is not given: the seed's */
static const char *const al_default_fields[] = {
	"id", "action", "user", "timestamp", "ip", "user_agent", "collection",
	"item", "comment"
};

/* Filter operators */
typedef enum ALOpKind
{
	AL_OP_COMPARE,				/* _eq _neq _lt _lte _gt _gte */
	AL_OP_IN,					/* _in _nin */
	AL_OP_NULL,					/* _null _nnull */
	AL_OP_LIKE,					/* _contains ... _niends_with */
	AL_OP_BETWEEN,				/* _between _nbetween */
	AL_OP_EMPTY,				/* _empty _nempty */
	AL_OP_IEQUAL				/* _ieq _nieq */
} ALOpKind;

typedef struct ALOperator
{
	const char *name;
	ALOpKind	kind;
	const char *sql;			/* comparison or LIKE operator */
	bool		negate;
	char		anchor;			/* LIKE: 'c'ontains, 's'tarts, 'e'nds */
} ALOperator;

static const ALOperator al_operators[] = {
	{"_eq", AL_OP_COMPARE, "=", false, 0},
	{"_neq", AL_OP_COMPARE, "<>", false, 0},
	{"_lt", AL_OP_COMPARE, "<", false, 0},
	{"_lte", AL_OP_COMPARE, "<=", false, 0},
	{"_gt", AL_OP_COMPARE, ">", false, 0},
	{"_gte", AL_OP_COMPARE, ">=", false, 0},
	{"_in", AL_OP_IN, NULL, false, 0},
	{"_nin", AL_OP_IN, NULL, true, 0},
	{"_null", AL_OP_NULL, NULL, false, 0},
	{"_nnull", AL_OP_NULL, NULL, true, 0},
	{"_contains", AL_OP_LIKE, "LIKE", false, 'c'},
	{"_ncontains", AL_OP_LIKE, "NOT LIKE", false, 'c'},
	{"_icontains", AL_OP_LIKE, "ILIKE", false, 'c'},
	{"_nicontains", AL_OP_LIKE, "NOT ILIKE", false, 'c'},
	{"_starts_with", AL_OP_LIKE, "LIKE", false, 's'},
	{"_nstarts_with", AL_OP_LIKE, "NOT LIKE", false, 's'},
	{"_istarts_with", AL_OP_LIKE, "ILIKE", false, 's'},
	{"_nistarts_with", AL_OP_LIKE, "NOT ILIKE", false, 's'},
	{"_ends_with", AL_OP_LIKE, "LIKE", false, 'e'},
	{"_nends_with", AL_OP_LIKE, "NOT LIKE", false, 'e'},
	{"_iends_with", AL_OP_LIKE, "ILIKE", false, 'e'},
	{"_niends_with", AL_OP_LIKE, "NOT ILIKE", false, 'e'},
	{"_between", AL_OP_BETWEEN, NULL, false, 0},
	{"_nbetween", AL_OP_BETWEEN, NULL, true, 0},
	{"_empty", AL_OP_EMPTY, NULL, false, 0},
	{"_nempty", AL_OP_EMPTY, NULL, true, 0},
	{"_ieq", AL_OP_IEQUAL, "=", false, 0},
	{"_nieq", AL_OP_IEQUAL, "<>", false, 0},
};

/* A parsed query: SQL fragments plus the parameters they refer to */
typedef struct ALQuery
{
	StringInfoData where;		/* conditions, each preceded by " AND " */
	StringInfoData keys;		/* copies of the key equalities among them */
	StringInfoData order;		/* ORDER BY list */
	int			limit_param;	/* 0 when there is no LIMIT */
	int			offset_param;	/* 0 when there is no OFFSET */
	bool		fields[AL_NFIELDS];
	bool		revisions;		/* "revisions" among the fields */
	bool		total_count;
	bool		filter_count;
	char	   *visibility;		/* condition of the visibility rule, or NULL */
	int			nparams;
	int			maxparams;
	Oid		   *types;
	Datum	   *values;
	int			depth;			/* current _and/_or nesting */
	int			or_depth;		/* how many _or lists we are inside */
} ALQuery;

/* What the statement-running callbacks need */
typedef struct ALRunArgs
{
	const char *sql;
	ALQuery    *query;
	MemoryContext outer;
	ReturnSetInfo *rsinfo;		/* list: where the rows go */
	Datum		result;			/* single results */
	bool		found;
	Oid			roleid;			/* visibility: the caller */
	ArrayType  *visible;		/* visibility: the collections it may see */
	bool		for_update;
} ALRunArgs;

static const ALField *lookup_field(const char *name, int len);
static void query_init(ALQuery *q);
static int	add_param(ALQuery *q, Oid type, Datum value);
static void apply_visibility(ALQuery *q);
static void parse_query(ALQuery *q, Jsonb *query);
static void parse_filter(ALQuery *q, JsonbValue *v, const char *path,
						 StringInfo out);
static void parse_logical(ALQuery *q, JsonbValue *v, const char *path,
						  bool is_and, StringInfo out);
static void parse_field(ALQuery *q, const ALField *field, JsonbValue *v,
						const char *path, StringInfo out);
static void parse_operator(ALQuery *q, const ALField *field,
						   const ALOperator *op, JsonbValue *v,
						   const char *path, StringInfo out);
static void parse_sort(ALQuery *q, JsonbValue *v);
static void parse_search(ALQuery *q, JsonbValue *v);
static void parse_fields(ALQuery *q, JsonbValue *v);
static void parse_meta(ALQuery *q, JsonbValue *v);
static int64 parse_integer(JsonbValue *v, const char *name, int64 min);
static bool list_elements(JsonbValue *v, List **elems);
static List *name_list(JsonbValue *v, const char *name);
static List *value_list(JsonbValue *v, const char *path);
static char *scalar_text(JsonbValue *v, const char *path);
static Datum typed_value(const ALField *field, JsonbValue *v,
						 const char *path);
static char *like_pattern(const char *text, char anchor);
static void add_key(ALQuery *q, const ALField *field, const char *cond);
static char *where_sql(ALQuery *q);
static char *list_sql(ALQuery *q);
static char *object_sql(ALQuery *q);
static void visible_collections(void *arg);
static void run_list(void *arg);
static void run_single(void *arg);
static void run_explain(void *arg);

PG_FUNCTION_INFO_V1(activity_log_get_activity);
PG_FUNCTION_INFO_V1(activity_log_list_activity);
PG_FUNCTION_INFO_V1(activity_log_activity_json);
PG_FUNCTION_INFO_V1(activity_log_activity_json_id);
PG_FUNCTION_INFO_V1(activity_log_explain_activity);

/* ----------
 * Query parsing
 * ----------
 */

/*
 * lookup_field
 *		The activity column of that name, or NULL.
 */
static const ALField *
lookup_field(const char *name, int len)
{
	int			i;

	for (i = 0; i < AL_NFIELDS; i++)
		if ((int) strlen(al_fields[i].name) == len &&
			memcmp(al_fields[i].name, name, len) == 0)
			return &al_fields[i];
	return NULL;
}

/*
 * query_init
 *		An empty query: no filter, default sort, limit 100, default fields.
 */
static void
query_init(ALQuery *q)
{
	int			i,
				j;

	memset(q, 0, sizeof(ALQuery));
	initStringInfo(&q->where);
	initStringInfo(&q->keys);
	initStringInfo(&q->order);
	q->maxparams = 16;
	q->types = palloc(sizeof(Oid) * q->maxparams);
	q->values = palloc(sizeof(Datum) * q->maxparams);
	for (i = 0; i < AL_NFIELDS; i++)
		for (j = 0; j < (int) lengthof(al_default_fields); j++)
			if (strcmp(al_fields[i].name, al_default_fields[j]) == 0)
				q->fields[i] = true;
	q->revisions = true;
}

/*
 * add_param
 *		Add a parameter; returns its number for "$n".
 */
static int
add_param(ALQuery *q, Oid type, Datum value)
{
	if (q->nparams == q->maxparams)
	{
		q->maxparams *= 2;
		q->types = repalloc(q->types, sizeof(Oid) * q->maxparams);
		q->values = repalloc(q->values, sizeof(Datum) * q->maxparams);
	}
	q->types[q->nparams] = type;
	q->values[q->nparams] = value;
	return ++q->nparams;
}

/*
 * apply_visibility
 *		Add the visibility rule for the calling role, unless it is an admin.
 */
static void
apply_visibility(ALQuery *q)
{
	ALRunArgs	args;

	memset(&args, 0, sizeof(args));
	args.roleid = GetUserId();
	if (al_is_admin(args.roleid))
		return;

	args.outer = CurrentMemoryContext;
	al_run_as_log_owner(visible_collections, &args);
	q->visibility = psprintf("a.collection OPERATOR(pg_catalog.=) ANY ($%d)",
							 add_param(q, TEXTARRAYOID,
									   PointerGetDatum(args.visible)));
}

/*
 * visible_collections
 *		The collections whose table args->roleid may SELECT (as log owner).
 */
static void
visible_collections(void *arg)
{
	ALRunArgs  *args = (ALRunArgs *) arg;
	Datum	   *names;
	int			n = 0;
	uint64		i;
	MemoryContext oldcxt;

	al_spi_exec("SELECT collection, relid::pg_catalog.oid FROM activity_log.tracking",
				0, NULL, NULL, NULL, SPI_OK_SELECT);

	oldcxt = MemoryContextSwitchTo(args->outer);
	names = palloc(sizeof(Datum) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;
		Oid			relid;

		relid = DatumGetObjectId(SPI_getbinval(tuple, SPI_tuptable->tupdesc,
											   2, &isnull));
		if (al_table_visible(relid, args->roleid))
			names[n++] = PointerGetDatum(DatumGetTextPCopy(SPI_getbinval(tuple,
																		 SPI_tuptable->tupdesc,
																		 1, &isnull)));
	}
	args->visible = construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * parse_query
 *		Parse a Directus query object into q.
 */
static void
parse_query(ALQuery *q, Jsonb *query)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int64		limit = 100;
	int64		offset = 0;
	int64		page = 0;

	if (!JB_ROOT_IS_OBJECT(query))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query must be a JSON object")));

	it = JsonbIteratorInit(&query->root);
	(void) JsonbIteratorNext(&it, &v, true);
	while ((tok = JsonbIteratorNext(&it, &k, true)) == WJB_KEY)
	{
		char	   *key = pnstrdup(k.val.string.val, k.val.string.len);

		(void) JsonbIteratorNext(&it, &v, true);
		if (strcmp(key, "filter") == 0)
		{
			StringInfoData cond;

			initStringInfo(&cond);
			parse_filter(q, &v, "filter", &cond);
			appendStringInfo(&q->where, " AND %s", cond.data);
		}
		else if (strcmp(key, "sort") == 0)
			parse_sort(q, &v);
		else if (strcmp(key, "limit") == 0)
			limit = parse_integer(&v, "limit", -1);
		else if (strcmp(key, "offset") == 0)
			offset = parse_integer(&v, "offset", 0);
		else if (strcmp(key, "page") == 0)
			page = parse_integer(&v, "page", 1);
		else if (strcmp(key, "search") == 0)
			parse_search(q, &v);
		else if (strcmp(key, "fields") == 0)
			parse_fields(q, &v);
		else if (strcmp(key, "meta") == 0)
			parse_meta(q, &v);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized query parameter \"%s\"", key),
					 errhint("Valid parameters are filter, sort, limit, offset, page, search, fields and meta.")));
	}

	/* Directus: page wins over offset, and means nothing without a limit */
	if (page > 0 && limit >= 0 &&
		pg_mul_s64_overflow(limit, page - 1, &offset))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page is too large for limit " INT64_FORMAT, limit)));
	if (limit >= 0)
		q->limit_param = add_param(q, INT8OID, Int64GetDatum(limit));
	if (offset > 0)
		q->offset_param = add_param(q, INT8OID, Int64GetDatum(offset));
	if (q->order.len == 0)
		appendStringInfoString(&q->order, "a.id");
}

/*
 * parse_filter
 *		A filter object: field conditions and _and/_or, all ANDed.
 */
static void
parse_filter(ALQuery *q, JsonbValue *v, const char *path, StringInfo out)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	val;
	int			n = 0;

	check_stack_depth();
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", path)));
	if (++q->depth > AL_MAX_FILTER_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("filter is nested too deeply"),
				 errdetail("Filters may nest at most %d levels.",
						   AL_MAX_FILTER_DEPTH)));

	appendStringInfoChar(out, '(');
	it = JsonbIteratorInit(v->val.binary.data);
	(void) JsonbIteratorNext(&it, &val, true);
	while (JsonbIteratorNext(&it, &k, true) == WJB_KEY)
	{
		char	   *key = pnstrdup(k.val.string.val, k.val.string.len);
		char	   *subpath = psprintf("%s.%s", path, key);
		const ALField *field;

		(void) JsonbIteratorNext(&it, &val, true);
		if (n++ > 0)
			appendStringInfoString(out, " AND ");
		if (strcmp(key, "_and") == 0 || strcmp(key, "_or") == 0)
			parse_logical(q, &val, subpath, key[1] == 'a', out);
		else if ((field = lookup_field(key, strlen(key))) != NULL)
			parse_field(q, field, &val, subpath, out);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized field \"%s\" in %s", key, path),
					 errhint("Filters apply to the columns of activity_log.activity, combined with _and and _or.")));
	}
	if (n == 0)
		appendStringInfoString(out, "true");
	appendStringInfoChar(out, ')');
	q->depth--;
}

/*
 * parse_logical
 *		_and / _or: a list of filter objects.
 */
static void
parse_logical(ALQuery *q, JsonbValue *v, const char *path, bool is_and,
			  StringInfo out)
{
	JsonbIterator *it;
	JsonbValue	elem;
	int			n = 0;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON array of filters", path)));

	appendStringInfoChar(out, '(');
	if (!is_and)
		q->or_depth++;
	it = JsonbIteratorInit(v->val.binary.data);
	(void) JsonbIteratorNext(&it, &elem, true);
	while (JsonbIteratorNext(&it, &elem, true) == WJB_ELEM)
	{
		if (n > 0)
			appendStringInfoString(out, is_and ? " AND " : " OR ");
		parse_filter(q, &elem, psprintf("%s[%d]", path, n), out);
		n++;
	}
	if (!is_and)
		q->or_depth--;
	if (n == 0)
		appendStringInfoString(out, "true");
	appendStringInfoChar(out, ')');
}

/*
 * parse_field
 *		{"field": {"_op": value, ...}}: the operators, ANDed.
 */
static void
parse_field(ALQuery *q, const ALField *field, JsonbValue *v,
			const char *path, StringInfo out)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	val;
	int			n = 0;

	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object of filter operators", path),
				 errhint("Write for example {\"%s\": {\"_eq\": value}}.",
						 field->name)));

	appendStringInfoChar(out, '(');
	it = JsonbIteratorInit(v->val.binary.data);
	(void) JsonbIteratorNext(&it, &val, true);
	while (JsonbIteratorNext(&it, &k, true) == WJB_KEY)
	{
		char	   *key = pnstrdup(k.val.string.val, k.val.string.len);
		const ALOperator *op = NULL;
		int			i;

		(void) JsonbIteratorNext(&it, &val, true);
		for (i = 0; i < (int) lengthof(al_operators) && op == NULL; i++)
			if (strcmp(al_operators[i].name, key) == 0)
				op = &al_operators[i];
		if (op == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized filter operator \"%s\" in %s",
							key, path)));
		if (n++ > 0)
			appendStringInfoString(out, " AND ");
		parse_operator(q, field, op, &val, psprintf("%s.%s", path, key), out);
	}
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has no filter operator", path)));
	appendStringInfoChar(out, ')');
}

/*
 * parse_operator
 *		One operator on one field, as SQL with parameters.
 */
static void
parse_operator(ALQuery *q, const ALField *field, const ALOperator *op,
			   JsonbValue *v, const char *path, StringInfo out)
{
	switch (op->kind)
	{
		case AL_OP_COMPARE:
			if (v->type == jbvNull)
			{
				/* Directus: _eq null is IS NULL, _neq null is IS NOT NULL */
				if (strcmp(op->name, "_eq") == 0)
					appendStringInfo(out, "%s IS NULL", field->sql);
				else if (strcmp(op->name, "_neq") == 0)
					appendStringInfo(out, "%s IS NOT NULL", field->sql);
				else
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s needs a value, not null", path)));
			}
			else
			{
				char	   *cond = psprintf("%s %s $%d", field->sql, op->sql,
											add_param(q, field->type,
													  typed_value(field, v, path)));

				appendStringInfoString(out, cond);
				if (strcmp(op->name, "_eq") == 0)
					add_key(q, field, cond);
			}
			break;

		case AL_OP_IN:
			{
				List	   *items = value_list(v, path);
				Datum	   *elems = palloc(sizeof(Datum) * list_length(items));
				int16		typlen;
				bool		typbyval;
				char		typalign;
				ListCell   *lc;
				int			n = 0;
				char	   *cond;

				foreach(lc, items)
				{
					elems[n] = typed_value(field, (JsonbValue *) lfirst(lc),
										   psprintf("%s[%d]", path, n));
					n++;
				}
				get_typlenbyvalalign(field->type, &typlen, &typbyval, &typalign);
				cond = psprintf("(%s OPERATOR(pg_catalog.=) ANY ($%d))", field->sql,
								add_param(q, get_array_type(field->type),
										  PointerGetDatum(construct_array(elems, n, field->type,
																		  typlen, typbyval,
																		  typalign))));
				appendStringInfo(out, "%s%s", op->negate ? "NOT " : "", cond);
				if (!op->negate)
					add_key(q, field, cond);
			}
			break;

		case AL_OP_NULL:
		case AL_OP_EMPTY:
			{
				bool		want;

				if (v->type != jbvBool)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s must be true or false", path)));
				want = v->val.boolean != op->negate;
				if (op->kind == AL_OP_EMPTY && field->is_text)
					appendStringInfo(out, "%s(%s IS NULL OR %s OPERATOR(pg_catalog.=) '')",
									 want ? "" : "NOT ", field->sql, field->sql);
				else
					appendStringInfo(out, "%s IS %sNULL", field->sql,
									 want ? "" : "NOT ");
			}
			break;

		case AL_OP_LIKE:
			{
				char	   *text = scalar_text(v, path);

				if (text == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s needs a value, not null", path)));
				appendStringInfo(out, "%s %s $%d", field->text_sql, op->sql,
								 add_param(q, TEXTOID,
										   CStringGetTextDatum(like_pattern(text, op->anchor))));
			}
			break;

		case AL_OP_IEQUAL:
			{
				char	   *text = scalar_text(v, path);

				if (text == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s needs a value, not null", path)));
				appendStringInfo(out, "pg_catalog.lower(%s) %s pg_catalog.lower($%d)",
								 field->text_sql, op->sql,
								 add_param(q, TEXTOID, CStringGetTextDatum(text)));
			}
			break;

		case AL_OP_BETWEEN:
			{
				List	   *items = value_list(v, path);
				int			lo,
							hi;

				if (list_length(items) != 2)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s needs a list of exactly 2 values", path)));
				lo = add_param(q, field->type,
							   typed_value(field, linitial(items),
										   psprintf("%s[0]", path)));
				hi = add_param(q, field->type,
							   typed_value(field, lsecond(items),
										   psprintf("%s[1]", path)));
				appendStringInfo(out, "%s %sBETWEEN $%d AND $%d", field->sql,
								 op->negate ? "NOT " : "", lo, hi);
			}
			break;
	}
}

/*
 * add_key
 *		Note an equality on collection or item that every matching row meets
 *		(it is inside no _or): where_sql() gives it to the planner, which can
 *		answer it from activity_collection_item_idx.
 */
static void
add_key(ALQuery *q, const ALField *field, const char *cond)
{
	if (field->is_key && q->or_depth == 0)
		appendStringInfo(&q->keys, " AND %s", cond);
}

/*
 * parse_sort
 *		"sort": "field", "-field", "a,-b" or a list of those.
 */
static void
parse_sort(ALQuery *q, JsonbValue *v)
{
	List	   *names = name_list(v, "sort");
	ListCell   *lc;
	bool		has_id = false;
	bool		last_desc = false;

	foreach(lc, names)
	{
		char	   *name = lfirst(lc);
		bool		desc = name[0] == '-';
		const ALField *field = lookup_field(name + desc, strlen(name + desc));

		if (field == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized sort field \"%s\"", name),
					 errhint("Sort by a column of activity_log.activity, with \"-\" in front for descending order.")));
		if (q->order.len > 0)
			appendStringInfoString(&q->order, ", ");
		appendStringInfo(&q->order, "%s%s", field->sql, desc ? " DESC" : "");
		has_id |= strcmp(field->name, "id") == 0;
		last_desc = desc;
	}
	/* make the order total, so that pages do not overlap */
	if (q->order.len > 0 && !has_id)
		appendStringInfo(&q->order, ", a.id%s", last_desc ? " DESC" : "");
}

/*
 * parse_search
 *		"search": case-insensitive substring of the text columns, or the id.
 */
static void
parse_search(ALQuery *q, JsonbValue *v)
{
	char	   *text = scalar_text(v, "search");
	int			pattern;
	int			i;
	int			n = 0;
	char	   *end;
	int64		id;

	if (text == NULL || text[0] == '\0')
		return;
	pattern = add_param(q, TEXTOID, CStringGetTextDatum(like_pattern(text, 'c')));
	appendStringInfoString(&q->where, " AND (");
	for (i = 0; i < AL_NFIELDS; i++)
	{
		if (!al_fields[i].is_text)
			continue;
		appendStringInfo(&q->where, "%s%s ILIKE $%d", n++ > 0 ? " OR " : "",
						 al_fields[i].sql, pattern);
	}
	errno = 0;
	id = strtoi64(text, &end, 10);
	if (errno == 0 && end != text && *end == '\0')
		appendStringInfo(&q->where, " OR a.id OPERATOR(pg_catalog.=) $%d",
						 add_param(q, INT8OID, Int64GetDatum(id)));
	appendStringInfoChar(&q->where, ')');
}

/*
 * parse_fields
 *		"fields": activity columns and "revisions"; "*" for all.
 */
static void
parse_fields(ALQuery *q, JsonbValue *v)
{
	List	   *names = name_list(v, "fields");
	ListCell   *lc;

	memset(q->fields, 0, sizeof(q->fields));
	q->revisions = false;
	foreach(lc, names)
	{
		char	   *name = lfirst(lc);
		const ALField *field;

		if (strcmp(name, "*") == 0)
		{
			memset(q->fields, true, sizeof(q->fields));
			q->revisions = true;
		}
		else if (strcmp(name, "revisions") == 0)
			q->revisions = true;
		else if ((field = lookup_field(name, strlen(name))) != NULL)
			q->fields[field - al_fields] = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized field \"%s\" in fields", name),
					 errhint("Fields are the columns of activity_log.activity, \"revisions\", or \"*\".")));
	}
}

/*
 * parse_meta
 *		"meta": total_count, filter_count or "*".
 */
static void
parse_meta(ALQuery *q, JsonbValue *v)
{
	List	   *names = name_list(v, "meta");
	ListCell   *lc;

	foreach(lc, names)
	{
		char	   *name = lfirst(lc);

		if (strcmp(name, "*") == 0)
			q->total_count = q->filter_count = true;
		else if (strcmp(name, "total_count") == 0)
			q->total_count = true;
		else if (strcmp(name, "filter_count") == 0)
			q->filter_count = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized meta \"%s\"", name),
					 errhint("Valid meta values are total_count, filter_count and \"*\".")));
	}
}

/*
 * parse_integer
 *		An integral JSON number no smaller than min.
 */
static int64
parse_integer(JsonbValue *v, const char *name, int64 min)
{
	char	   *text;
	char	   *end;
	int64		result;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an integer", name)));
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(v->val.numeric)));
	errno = 0;
	result = strtoi64(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an integer", name)));
	if (result < min)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at least " INT64_FORMAT, name, min)));
	return result;
}

/*
 * list_elements
 *		The elements of a list given as ["a", "b"] or as "a, b,c"; false if
 *		v is neither.
 *
 * Directus takes lists as comma-separated text in URLs; so do we.  Items of
 * such text are strings without the spaces around them.
 */
static bool
list_elements(JsonbValue *v, List **elems)
{
	*elems = NIL;
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	elem;

		(void) JsonbIteratorNext(&it, &elem, true);
		while (JsonbIteratorNext(&it, &elem, true) == WJB_ELEM)
		{
			JsonbValue *copy = palloc(sizeof(JsonbValue));

			*copy = elem;
			*elems = lappend(*elems, copy);
		}
		return true;
	}
	if (v->type == jbvString)
	{
		char	   *text = pnstrdup(v->val.string.val, v->val.string.len);
		char	   *tok;
		char	   *save;

		for (tok = strtok_r(text, ",", &save); tok != NULL;
			 tok = strtok_r(NULL, ",", &save))
		{
			JsonbValue *copy = palloc(sizeof(JsonbValue));
			char	   *end = tok + strlen(tok);

			while (*tok == ' ')
				tok++;
			while (end > tok && end[-1] == ' ')
				*--end = '\0';
			copy->type = jbvString;
			copy->val.string.val = tok;
			copy->val.string.len = end - tok;
			*elems = lappend(*elems, copy);
		}
		return true;
	}
	return false;
}

/*
 * name_list
 *		A non-empty list of names from "a,b" or ["a", "b"] (palloc'd C
 *		strings); empty names are skipped.
 */
static List *
name_list(JsonbValue *v, const char *name)
{
	List	   *elems;
	List	   *result = NIL;
	ListCell   *lc;

	if (!list_elements(v, &elems))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a string or a list of strings", name)));
	foreach(lc, elems)
	{
		JsonbValue *elem = lfirst(lc);

		if (elem->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a list of strings", name)));
		if (elem->val.string.len > 0)
			result = lappend(result, pnstrdup(elem->val.string.val,
											  elem->val.string.len));
	}
	if (result == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", name)));
	return result;
}

/*
 * value_list
 *		The non-empty list of _in, _nin, _between: a JSON array or "a,b".
 */
static List *
value_list(JsonbValue *v, const char *path)
{
	List	   *result;

	if (!list_elements(v, &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a list of values", path)));
	if (result == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be an empty list", path)));
	return result;
}

/*
 * scalar_text
 *		A JSON scalar as text (NULL for JSON null); containers are an error.
 */
static char *
scalar_text(JsonbValue *v, const char *path)
{
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a single value, not an object or array",
							path)));
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * typed_value
 *		A filter value as a datum of the field's type.
 *
 * Resolves the dynamic values $NOW, $NOW(<interval>) and $CURRENT_USER.
 */
static Datum
typed_value(const ALField *field, JsonbValue *v, const char *path)
{
	char	   *str = scalar_text(v, path);

	if (str == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", path)));

	if (strncmp(str, "$NOW", 4) == 0 &&
		(str[4] == '\0' || (str[4] == '(' && str[strlen(str) - 1] == ')')))
	{
		Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

		if (str[4] == '(')
		{
			char	   *adjust = pnstrdup(str + 5, strlen(str) - 6);

			now = DirectFunctionCall2(timestamptz_pl_interval, now,
									  al_input_value(INTERVALOID, adjust,
													 psprintf("$NOW adjustment at %s", path)));
		}
		if (field->type == TIMESTAMPTZOID)
			return now;
		str = DatumGetCString(DirectFunctionCall1(timestamptz_out, now));
	}
	else if (strcmp(str, "$CURRENT_USER") == 0)
		str = TextDatumGetCString(al_current_actor());

	return al_input_value(field->type, str,
						  psprintf("value for column \"%s\" at %s",
								   field->name, path));
}

/*
 * al_input_value
 *		text converted by the type's input function; a failure is 22023.
 *
 * The input function's own error is caught only to be raised again, as a
 * query error that says where the bad value is; the transaction aborts
 * as for any error, so nothing is left in an unknown state.
 */
Datum
al_input_value(Oid type, const char *text, const char *what)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Oid			typinput;
	Oid			typioparam;
	Datum		result = (Datum) 0;

	getTypeInputInfo(type, &typinput, &typioparam);
	PG_TRY();
	{
		result = OidInputFunctionCall(typinput, unconstify(char *, text),
									  typioparam, -1);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();		/* a cancel, out of memory...: as it is */
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s", what),
				 errdetail("%s", edata->message)));
	}
	PG_END_TRY();
	return result;
}

/*
 * like_pattern
 *		A LIKE pattern matching text literally, anchored as asked.
 */
static char *
like_pattern(const char *text, char anchor)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	if (anchor != 's')
		appendStringInfoChar(&buf, '%');
	for (p = text; *p; p++)
	{
		if (*p == '%' || *p == '_' || *p == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, *p);
	}
	if (anchor != 'e')
		appendStringInfoChar(&buf, '%');
	return buf.data;
}

/* ----------
 * SQL generation and execution
 * ----------
 */

/*
 * where_sql
 *		The condition of a listing: the visibility rule first, then the
 *		caller's filter and search, evaluated only on the rows it lets through.
 *
 * The planner orders ANDed conditions by cost, so a CASE fixes the order: how
 * long a filter takes never depends on the rows the caller cannot see.  The
 * key equalities are repeated before it, for the index: with the rule they
 * bound a scan of activity_collection_item_idx to the visible collections.
 */
static char *
where_sql(ALQuery *q)
{
	if (q->visibility == NULL)
		return psprintf("true%s", q->where.data);
	if (q->where.len == 0)
		return q->visibility;
	return psprintf("%s%s AND CASE WHEN %s THEN true%s ELSE false END",
					q->visibility, q->keys.data, q->visibility, q->where.data);
}

/*
 * list_sql
 *		The listing statement: visible, filtered, sorted, paginated rows.
 */
static char *
list_sql(ALQuery *q)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT a.* FROM activity_log.activity a WHERE %s ORDER BY %s",
					 where_sql(q), q->order.data);
	if (q->limit_param > 0)
		appendStringInfo(&sql, " LIMIT $%d", q->limit_param);
	if (q->offset_param > 0)
		appendStringInfo(&sql, " OFFSET $%d", q->offset_param);
	return sql.data;
}

/*
 * object_sql
 *		jsonb_build_object() of the selected fields of row "a".
 */
static char *
object_sql(ALQuery *q)
{
	StringInfoData sql;
	int			i;
	int			n = 0;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "pg_catalog.jsonb_build_object(");
	for (i = 0; i < AL_NFIELDS; i++)
	{
		if (!q->fields[i])
			continue;
		appendStringInfo(&sql, "%s'%s', %s", n++ > 0 ? ", " : "",
						 al_fields[i].name, al_fields[i].sql);
	}
	if (q->revisions)
		appendStringInfo(&sql, "%s'revisions', (SELECT pg_catalog.jsonb_agg(r.activity)"
						 " FROM activity_log.revision_store r"
						 " WHERE r.activity OPERATOR(pg_catalog.=) a.id)",
						 n > 0 ? ", " : "");
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

/*
 * run_list
 *		Run args->sql as the log owner; put the rows into the tuplestore.
 */
static void
run_list(void *arg)
{
	ALRunArgs  *args = (ALRunArgs *) arg;
	ALQuery    *q = args->query;
	uint64		i;

	al_spi_exec(args->sql, q->nparams, q->types, q->values, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(args->rsinfo->setResult, SPI_tuptable->vals[i]);
}

/*
 * run_single
 *		Run args->sql as the log owner; return the first row's first column
 *		(a whole row when SPI_returntuple is asked for with for_update).
 */
static void
run_single(void *arg)
{
	ALRunArgs  *args = (ALRunArgs *) arg;
	ALQuery    *q = args->query;
	bool		isnull;

	al_spi_exec(args->sql, q->nparams, q->types, q->values, NULL, SPI_OK_SELECT);
	args->found = SPI_processed > 0;
	if (!args->found)
		return;
	if (SPI_tuptable->tupdesc->natts > 1)
		args->result = PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc));
	else
	{
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext oldcxt = MemoryContextSwitchTo(args->outer);

		args->found = !isnull;
		if (!isnull)
			args->result = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
		MemoryContextSwitchTo(oldcxt);
	}
}

/*
 * al_fetch_activity
 *		One activity row as a composite datum, or (Datum) 0 if it does not
 *		exist or the caller may not see it.
 *
 * With lock, the row is locked FOR UPDATE (comments.c edits it next);
 * with visible_only, the visibility rule applies.
 */
Datum
al_fetch_activity(int64 id, bool lock, bool visible_only, bool *found)
{
	ALQuery		q;
	ALRunArgs	args;

	query_init(&q);
	if (visible_only)
		apply_visibility(&q);
	memset(&args, 0, sizeof(args));
	args.query = &q;
	args.outer = CurrentMemoryContext;
	args.sql = psprintf("SELECT a.* FROM activity_log.activity a"
						" WHERE a.id OPERATOR(pg_catalog.=) $%d AND %s%s",
						add_param(&q, INT8OID, Int64GetDatum(id)),
						q.visibility ? q.visibility : "true",
						lock ? " FOR UPDATE" : "");
	al_run_as_log_owner(run_single, &args);
	*found = args.found;
	return args.result;
}

/*
 * al_no_such_activity
 *		The error for an id that does not exist or is not visible.
 */
void
al_no_such_activity(int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("activity " INT64_FORMAT " does not exist", id)));
}

/*
 * activity_log_get_activity
 *		SQL: activity_log.get_activity(id bigint) RETURNS activity_log.activity
 */
Datum
activity_log_get_activity(PG_FUNCTION_ARGS)
{
	int64		id;
	bool		found;
	Datum		result;

	al_require_arg(fcinfo, 0, "activity id");
	id = PG_GETARG_INT64(0);
	result = al_fetch_activity(id, false, true, &found);
	if (!found)
		al_no_such_activity(id);
	PG_RETURN_DATUM(result);
}

/*
 * parse_query_arg
 *		The query argument parsed, with visibility applied.
 *
 * The argument is jsonb, or text holding JSON (so that a quoted literal
 * needs no cast); NULL means {}.  Text that is not JSON is a query error.
 */
static void
parse_query_arg(FunctionCallInfo fcinfo, ALQuery *q)
{
	Jsonb	   *query;

	query_init(q);
	apply_visibility(q);
	if (PG_ARGISNULL(0))
		query = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
												   CStringGetDatum("{}")));
	else if (get_fn_expr_argtype(fcinfo->flinfo, 0) == TEXTOID)
		query = DatumGetJsonbP(al_input_value(JSONBOID,
											  text_to_cstring(PG_GETARG_TEXT_PP(0)),
											  "query"));
	else
		query = PG_GETARG_JSONB_P(0);
	parse_query(q, query);
}

/*
 * activity_log_list_activity
 *		SQL: activity_log.list_activity(query jsonb) RETURNS SETOF activity
 */
Datum
activity_log_list_activity(PG_FUNCTION_ARGS)
{
	ALQuery		q;
	ALRunArgs	args;

	parse_query_arg(fcinfo, &q);
	al_init_materialized_srf(fcinfo);

	memset(&args, 0, sizeof(args));
	args.query = &q;
	args.outer = CurrentMemoryContext;
	args.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	args.sql = list_sql(&q);
	al_run_as_log_owner(run_list, &args);
	return (Datum) 0;
}

/*
 * activity_log_activity_json
 *		SQL: activity_log.activity_json(query jsonb) RETURNS jsonb
 *
 * The GET /activity response body: {"data": [...], "meta": {...}}.
 */
Datum
activity_log_activity_json(PG_FUNCTION_ARGS)
{
	ALQuery		q;
	ALRunArgs	args;
	StringInfoData sql;
	const char *visibility;

	parse_query_arg(fcinfo, &q);
	visibility = q.visibility ? q.visibility : "true";

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT pg_catalog.jsonb_build_object('data',"
					 " (SELECT COALESCE(pg_catalog.jsonb_agg(%s ORDER BY %s),"
					 " '[]'::pg_catalog.jsonb) FROM (%s) a)",
					 object_sql(&q), q.order.data, list_sql(&q));
	if (q.total_count || q.filter_count)
	{
		appendStringInfoString(&sql, ", 'meta', pg_catalog.jsonb_build_object(");
		if (q.total_count)
			appendStringInfo(&sql, "'total_count', (SELECT pg_catalog.count(*)"
							 " FROM activity_log.activity a WHERE %s)",
							 visibility);
		if (q.filter_count)
			appendStringInfo(&sql, "%s'filter_count', (SELECT pg_catalog.count(*)"
							 " FROM activity_log.activity a WHERE %s)",
							 q.total_count ? ", " : "", where_sql(&q));
		appendStringInfoChar(&sql, ')');
	}
	appendStringInfoChar(&sql, ')');

	memset(&args, 0, sizeof(args));
	args.query = &q;
	args.outer = CurrentMemoryContext;
	args.sql = sql.data;
	al_run_as_log_owner(run_single, &args);
	PG_RETURN_DATUM(args.result);
}

/*
 * activity_log_activity_json_id
 *		SQL: activity_log.activity_json(id bigint) RETURNS jsonb
 *
 * The GET /activity/:id response body: {"data": {...}}.
 */
Datum
activity_log_activity_json_id(PG_FUNCTION_ARGS)
{
	ALQuery		q;
	ALRunArgs	args;
	int64		id;

	al_require_arg(fcinfo, 0, "activity id");
	id = PG_GETARG_INT64(0);

	query_init(&q);
	apply_visibility(&q);
	memset(&args, 0, sizeof(args));
	args.query = &q;
	args.outer = CurrentMemoryContext;
	args.sql = psprintf("SELECT pg_catalog.jsonb_build_object('data', %s)"
						" FROM activity_log.activity a"
						" WHERE a.id OPERATOR(pg_catalog.=) $%d AND %s",
						object_sql(&q), add_param(&q, INT8OID, Int64GetDatum(id)),
						q.visibility ? q.visibility : "true");
	al_run_as_log_owner(run_single, &args);
	if (!args.found)
		al_no_such_activity(id);
	PG_RETURN_DATUM(args.result);
}

/*
 * run_explain
 *		EXPLAIN (COSTS OFF) the listing statement; one text row per line.
 */
static void
run_explain(void *arg)
{
	ALRunArgs  *args = (ALRunArgs *) arg;
	ALQuery    *q = args->query;
	uint64		i;

	al_spi_exec(psprintf("EXPLAIN (COSTS OFF) %s", args->sql),
				q->nparams, q->types, q->values, NULL, SPI_OK_UTILITY);
	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(args->rsinfo->setResult, SPI_tuptable->vals[i]);
}

/*
 * activity_log_explain_activity
 *		SQL: activity_log.explain_activity(query jsonb) RETURNS SETOF text
 *
 * The plan list_activity() runs for this query, to check index use.
 */
Datum
activity_log_explain_activity(PG_FUNCTION_ARGS)
{
	ALQuery		q;
	ALRunArgs	args;

	parse_query_arg(fcinfo, &q);
	al_init_materialized_srf(fcinfo);

	memset(&args, 0, sizeof(args));
	args.query = &q;
	args.outer = CurrentMemoryContext;
	args.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	args.sql = list_sql(&q);
	al_run_as_log_owner(run_explain, &args);
	return (Datum) 0;
}
