/*-------------------------------------------------------------------------
 *
 * jsonb_util.c
 *	  Row images as jsonb, column comparison, and item keys as text.
 *
 * A logged row equals to_jsonb() of that row (minus excluded columns), so
 * each column is converted the way to_jsonb() converts its type, but only
 * ever by built-in code: a value whose type has a cast to json (which
 * to_jsonb() would call, and which the type's owner writes) is logged as
 * its text output instead.  The per-column decision is made once, when the
 * table's cache entry is built (al_column_init); per row, values are
 * converted directly from the datum, arrays and composites recursively.
 *
 * The object is built as a JsonbValue whose pairs are already in jsonb key
 * order (the cache keeps columns sorted that way), so no sorting happens
 * per row, and the same converted values serve both "data" and "delta".
 *
 * Everything allocated per row goes into the caller's memory context.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/jsonb_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "activity_log.h"
#include "compat.h"

static void type_init(ALColumn *col, Oid typid, bool as_text,
					  MemoryContext cxt);
static void jsonb_to_value(Jsonb *jb, JsonbValue *result);
static void array_to_value(ALColumn *col, Datum value, JsonbValue *result);
static void composite_to_value(Datum value, JsonbValue *result);
static int	pair_cmp(const void *a, const void *b);
static void string_value(JsonbValue *result, char *str, int len);
static Datum object_to_jsonb(ALRelInfo *info, JsonbValue *colvalues,
							 const bool *include);

/*
 * type_init
 *		Decide how a value of type typid becomes jsonb.
 *
 * With as_text, the value is converted by its output function whatever its
 * type (used for the primary key's text form).  Lookups are done here, once;
 * FmgrInfo and the element descriptors of arrays are allocated in cxt.
 *
 * Every conversion is built-in code: a type that to_jsonb() would convert
 * through a cast to json (something the type's owner can write) is
 * converted by its output function instead, which only a superuser can
 * have created (section 12 of the house style: a trigger runs no code the
 * writer did not choose).  Composite values are looked at per value (their
 * layout can change), arrays through their element's descriptor.
 */
static void
type_init(ALColumn *col, Oid typid, bool as_text, MemoryContext cxt)
{
	Oid			basetype = getBaseType(typid);
	Oid			outfunc;
	bool		isvarlena;

	col->basetype = basetype;
	get_typlenbyval(typid, &col->typlen, &col->typbyval);
	col->masked = false;
	col->element = NULL;

	switch (basetype)
	{
		case BOOLOID:
			col->kind = AL_JSON_BOOL;
			break;
		case INT2OID:
			col->kind = AL_JSON_INT2;
			break;
		case INT4OID:
			col->kind = AL_JSON_INT4;
			break;
		case INT8OID:
			col->kind = AL_JSON_INT8;
			break;
		case NUMERICOID:
			col->kind = AL_JSON_NUMERIC;
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			col->kind = AL_JSON_FLOAT;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			col->kind = AL_JSON_TEXT;
			break;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			col->kind = AL_JSON_DATETIME;
			break;
		case JSONBOID:
			col->kind = AL_JSON_JSONB;
			break;
		case JSONOID:
			col->kind = AL_JSON_JSON;
			break;
		default:
			if (OidIsValid(get_element_type(basetype)))
				col->kind = AL_JSON_ARRAY;
			else if (type_is_rowtype(basetype))
				col->kind = AL_JSON_COMPOSITE;
			else
				col->kind = AL_JSON_STRING;
			break;
	}

	if (as_text && col->kind != AL_JSON_TEXT)
		col->kind = AL_JSON_STRING;

	if (col->kind == AL_JSON_ARRAY)
	{
		col->elemtype = get_element_type(basetype);
		get_typlenbyvalalign(col->elemtype, &col->elmlen, &col->elmbyval,
							 &col->elmalign);
		col->element = MemoryContextAllocZero(cxt, sizeof(ALColumn));
		type_init(col->element, col->elemtype, false, cxt);
	}
	else if (col->kind == AL_JSON_NUMERIC || col->kind == AL_JSON_FLOAT ||
			 col->kind == AL_JSON_STRING)
	{
		getTypeOutputInfo(basetype, &outfunc, &isvarlena);
		fmgr_info_cxt(outfunc, &col->func, cxt);
	}
}

/*
 * al_column_init
 *		Decide how a column becomes jsonb (see type_init).
 */
void
al_column_init(ALColumn *col, Form_pg_attribute att, bool as_text,
			   MemoryContext cxt)
{
	col->attnum = att->attnum;
	col->name = MemoryContextStrdup(cxt, NameStr(att->attname));
	col->namelen = strlen(col->name);
	type_init(col, att->atttypid, as_text, cxt);
}

/*
 * string_value
 *		Make *result a jsonb string, refusing what jsonb cannot hold.
 */
static void
string_value(JsonbValue *result, char *str, int len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
	result->type = jbvString;
	result->val.string.val = str;
	result->val.string.len = len;
}

/*
 * jsonb_to_value
 *		Expand a jsonb datum into a JsonbValue tree that can be nested.
 */
static void
jsonb_to_value(Jsonb *jb, JsonbValue *result)
{
	al_jsonb_builder builder;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(jb))
	{
		(void) JsonbExtractScalar(&jb->root, result);
		return;
	}

	memset(&builder, 0, sizeof(builder));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
		al_jsonb_push(&builder, tok, tok < WJB_BEGIN_ARRAY ? &v : NULL);
	*result = *al_jsonb_result(&builder);
}

/*
 * al_value_to_jsonb
 *		Convert one column value to a JsonbValue, as to_jsonb() would.
 */
void
al_value_to_jsonb(ALColumn *col, Datum value, bool isnull, JsonbValue *result)
{
	char	   *str;

	if (isnull)
	{
		result->type = jbvNull;
		return;
	}
	if (col->masked)
	{
		string_value(result, AL_MASK_MARKER, strlen(AL_MASK_MARKER));
		return;
	}

	switch (col->kind)
	{
		case AL_JSON_BOOL:
			result->type = jbvBool;
			result->val.boolean = DatumGetBool(value);
			break;
		case AL_JSON_INT2:
			result->type = jbvNumeric;
			result->val.numeric = al_int64_to_numeric(DatumGetInt16(value));
			break;
		case AL_JSON_INT4:
			result->type = jbvNumeric;
			result->val.numeric = al_int64_to_numeric(DatumGetInt32(value));
			break;
		case AL_JSON_INT8:
			result->type = jbvNumeric;
			result->val.numeric = al_int64_to_numeric(DatumGetInt64(value));
			break;
		case AL_JSON_NUMERIC:
			{
				Numeric		num = DatumGetNumeric(value);

				if (al_numeric_is_special(num))
				{
					str = OutputFunctionCall(&col->func, value);
					string_value(result, str, strlen(str));
				}
				else
				{
					result->type = jbvNumeric;
					result->val.numeric = num;
				}
			}
			break;
		case AL_JSON_FLOAT:
			/* like to_jsonb: through text; NaN and infinities stay strings */
			str = OutputFunctionCall(&col->func, value);
			if (strpbrk(str, "Nn") != NULL)
				string_value(result, str, strlen(str));
			else
			{
				result->type = jbvNumeric;
				result->val.numeric =
					DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(str),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
			}
			break;
		case AL_JSON_TEXT:
			{
				text	   *txt = DatumGetTextPP(value);

				string_value(result, VARDATA_ANY(txt), VARSIZE_ANY_EXHDR(txt));
			}
			break;
		case AL_JSON_DATETIME:
			str = JsonEncodeDateTime(NULL, value, col->basetype, NULL);
			string_value(result, str, strlen(str));
			break;
		case AL_JSON_JSONB:
			jsonb_to_value(DatumGetJsonbP(value), result);
			break;
		case AL_JSON_STRING:
			str = OutputFunctionCall(&col->func, value);
			string_value(result, str, strlen(str));
			break;
		case AL_JSON_JSON:
			/* like to_jsonb: the json text, parsed */
			jsonb_to_value(DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															  CStringGetDatum(TextDatumGetCString(value)))),
						   result);
			break;
		case AL_JSON_ARRAY:
			array_to_value(col, value, result);
			break;
		case AL_JSON_COMPOSITE:
			composite_to_value(value, result);
			break;
	}
}

/*
 * array_dim_to_value
 *		One dimension of an array as a jsonb array, from element *next on;
 *		nested arrays for the inner dimensions, as to_jsonb() makes them.
 */
static void
array_dim_to_value(ALColumn *col, int dim, int ndims, int *dims,
				   Datum *elems, bool *nulls, int *next, JsonbValue *result)
{
	int			i;

	check_stack_depth();
	result->type = jbvArray;
	result->val.array.rawScalar = false;
	result->val.array.nElems = dims[dim];
	result->val.array.elems = palloc(sizeof(JsonbValue) * Max(dims[dim], 1));
	for (i = 0; i < dims[dim]; i++)
	{
		JsonbValue *elem = &result->val.array.elems[i];

		if (dim + 1 < ndims)
			array_dim_to_value(col, dim + 1, ndims, dims, elems, nulls, next,
							   elem);
		else
		{
			al_value_to_jsonb(col->element, elems[*next], nulls[*next], elem);
			(*next)++;
		}
	}
}

/*
 * array_to_value
 *		An array value as a jsonb array (nested for several dimensions).
 */
static void
array_to_value(ALColumn *col, Datum value, JsonbValue *result)
{
	ArrayType  *array = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			next = 0;

	if (ARR_NDIM(array) <= 0)
	{
		result->type = jbvArray;
		result->val.array.rawScalar = false;
		result->val.array.nElems = 0;
		result->val.array.elems = NULL;
		return;
	}
	deconstruct_array(array, col->elemtype, col->elmlen,
					  col->elmbyval, col->elmalign, &elems, &nulls, &nelems);
	array_dim_to_value(col, 0, ARR_NDIM(array), ARR_DIMS(array), elems, nulls,
					   &next, result);
}

/*
 * composite_to_value
 *		A composite value as a jsonb object of its attributes.
 *
 * The layout comes with the value (a named type can change, a record has
 * its own), so the attributes' conversions are decided here, per value.
 */
static void
composite_to_value(Datum value, JsonbValue *result)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	TupleDesc	tupdesc;
	HeapTupleData tuple;
	Datum	   *values;
	bool	   *nulls;
	int			npairs = 0;
	int			i;

	check_stack_depth();
	tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(td),
									 HeapTupleHeaderGetTypMod(td));
	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;
	values = palloc(sizeof(Datum) * Max(tupdesc->natts, 1));
	nulls = palloc(sizeof(bool) * Max(tupdesc->natts, 1));
	heap_deform_tuple(&tuple, tupdesc, values, nulls);

	result->type = jbvObject;
	result->val.object.pairs = palloc(sizeof(JsonbPair) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		JsonbPair  *pair = &result->val.object.pairs[npairs];
		ALColumn	attcol;

		if (att->attisdropped)
			continue;
		type_init(&attcol, att->atttypid, false, CurrentMemoryContext);
		string_value(&pair->key, pstrdup(NameStr(att->attname)),
					 strlen(NameStr(att->attname)));
		al_value_to_jsonb(&attcol, values[i], nulls[i], &pair->value);
		pair->order = npairs++;
	}
	result->val.object.nPairs = npairs;
	ReleaseTupleDesc(tupdesc);

	/* the pairs of a jsonb object are in key order (attribute names are unique) */
	qsort(result->val.object.pairs, npairs, sizeof(JsonbPair), pair_cmp);
}

/*
 * pair_cmp
 *		qsort comparator putting pairs in jsonb object key order: by length,
 *		then bytewise.
 */
static int
pair_cmp(const void *a, const void *b)
{
	const JsonbValue *ka = &((const JsonbPair *) a)->key;
	const JsonbValue *kb = &((const JsonbPair *) b)->key;

	if (ka->val.string.len != kb->val.string.len)
		return ka->val.string.len < kb->val.string.len ? -1 : 1;
	return memcmp(ka->val.string.val, kb->val.string.val, ka->val.string.len);
}

/*
 * al_values_equal
 *		Are two values of a column the same, byte for byte?
 *
 * Binary equality is what "changed" means here: it needs no equality
 * operator (json, point and xml have none) and never calls user code.  An
 * unchanged out-of-line value keeps its TOAST pointer across an UPDATE, so
 * it is recognised without being fetched.
 */
bool
al_values_equal(ALColumn *col, Datum a, bool anull, Datum b, bool bnull)
{
	struct varlena *va;
	struct varlena *vb;
	bool		result;

	if (anull || bnull)
		return anull && bnull;
	if (col->typbyval)
		return a == b;
	if (col->typlen > 0)
		return memcmp(DatumGetPointer(a), DatumGetPointer(b), col->typlen) == 0;
	if (col->typlen == -2)
		return strcmp(DatumGetCString(a), DatumGetCString(b)) == 0;

	va = (struct varlena *) DatumGetPointer(a);
	vb = (struct varlena *) DatumGetPointer(b);

	if (VARATT_IS_EXTERNAL_ONDISK(va) && VARATT_IS_EXTERNAL_ONDISK(vb))
	{
		struct varatt_external ea;
		struct varatt_external eb;

		VARATT_EXTERNAL_GET_POINTER(ea, va);
		VARATT_EXTERNAL_GET_POINTER(eb, vb);
		if (ea.va_valueid == eb.va_valueid &&
			ea.va_toastrelid == eb.va_toastrelid)
			return true;
	}
	else if (!VARATT_IS_EXTENDED(va) && !VARATT_IS_EXTENDED(vb))
	{
		/* both plain: compare in place */
		return VARSIZE(va) == VARSIZE(vb) &&
			memcmp(VARDATA(va), VARDATA(vb), VARSIZE(va) - VARHDRSZ) == 0;
	}

	/* different forms (short header, compressed, external): compare bytes */
	va = pg_detoast_datum_packed(va);
	vb = pg_detoast_datum_packed(vb);
	result = VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
		memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0;
	if (va != (struct varlena *) DatumGetPointer(a))
		pfree(va);
	if (vb != (struct varlena *) DatumGetPointer(b))
		pfree(vb);
	return result;
}

/*
 * object_to_jsonb
 *		A jsonb object of the included columns' converted values.
 *
 * colvalues holds one converted value per logged column, in the cache's
 * column order, which is jsonb key order; include may be NULL for all.
 */
static Datum
object_to_jsonb(ALRelInfo *info, JsonbValue *colvalues, const bool *include)
{
	JsonbValue	object;
	JsonbPair  *pairs;
	int			npairs = 0;
	int			i;

	pairs = palloc(sizeof(JsonbPair) * Max(info->ncolumns, 1));
	for (i = 0; i < info->ncolumns; i++)
	{
		JsonbPair  *pair;

		if (include != NULL && !include[i])
			continue;
		pair = &pairs[npairs];
		pair->key.type = jbvString;
		pair->key.val.string.val = info->columns[i].name;
		pair->key.val.string.len = info->columns[i].namelen;
		pair->value = colvalues[i];
		pair->order = npairs;
		npairs++;
	}

	object.type = jbvObject;
	object.val.object.nPairs = npairs;
	object.val.object.pairs = pairs;

	return JsonbPGetDatum(JsonbValueToJsonb(&object));
}

/*
 * al_row_image
 *		The row as a jsonb object of its logged columns ("data").
 *
 * values/nulls are the deformed tuple, indexed by attribute number - 1.
 * When changed is not NULL (one flag per logged column), *delta is set to
 * the object of the changed columns only.
 */
Datum
al_row_image(ALRelInfo *info, Datum *values, bool *nulls,
			 const bool *changed, Datum *delta)
{
	JsonbValue *colvalues;
	int			i;

	colvalues = palloc(sizeof(JsonbValue) * Max(info->ncolumns, 1));
	for (i = 0; i < info->ncolumns; i++)
	{
		ALColumn   *col = &info->columns[i];

		al_value_to_jsonb(col, values[col->attnum - 1],
						  nulls[col->attnum - 1], &colvalues[i]);
	}

	if (changed != NULL)
		*delta = object_to_jsonb(info, colvalues, changed);
	return object_to_jsonb(info, colvalues, NULL);
}

/*
 * al_key_text
 *		Key values as the text stored in "item".
 *
 * A single-column key is its value's text output ("42", a UUID, a name).
 * A composite key is a JSON array of the columns' text outputs, in key
 * order: ["7", "en"].  Both forms can be parsed back.  values/nulls are a
 * deformed tuple; the keys must not be NULL.
 */
Datum
al_key_text(ALColumn *keys, int nkeys, Datum *values, bool *nulls)
{
	JsonbValue	array;
	Jsonb	   *jb;
	int			i;

	array.type = jbvArray;
	array.val.array.rawScalar = false;
	array.val.array.nElems = nkeys;
	array.val.array.elems = palloc(sizeof(JsonbValue) * nkeys);
	for (i = 0; i < nkeys; i++)
		al_value_to_jsonb(&keys[i], values[keys[i].attnum - 1],
						  nulls[keys[i].attnum - 1], &array.val.array.elems[i]);

	if (nkeys == 1)
	{
		JsonbValue *v = &array.val.array.elems[0];

		Assert(v->type == jbvString);
		return PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
														v->val.string.len));
	}
	jb = JsonbValueToJsonb(&array);
	return CStringGetTextDatum(JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
}
