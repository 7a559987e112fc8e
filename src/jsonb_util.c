/*-------------------------------------------------------------------------
 *
 * jsonb_util.c
 *	  Row images as jsonb, column comparison, and item keys as text.
 *
 * A logged row must equal to_jsonb() of that row (minus excluded columns),
 * so each column is converted the way to_jsonb() converts its type.  The
 * per-column decision is made once, when the table's cache entry is built
 * (al_column_init); per row, common scalar types are converted directly
 * from the datum and everything else is handed to to_jsonb() itself.
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
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "activity_log.h"
#include "compat.h"

static bool needs_to_jsonb(Oid basetype);
static void jsonb_to_value(Jsonb *jb, JsonbValue *result);
static void string_value(JsonbValue *result, char *str, int len);
static Datum object_to_jsonb(ALRelInfo *info, JsonbValue *colvalues,
							 const bool *include);

/*
 * al_column_init
 *		Decide how a column of type att->atttypid becomes jsonb.
 *
 * With as_text, the column is converted by its output function whatever its
 * type (used for the primary key's text form).  Lookups are done here, once;
 * FmgrInfo and expression nodes are allocated in cxt.
 */
void
al_column_init(ALColumn *col, Form_pg_attribute att, bool as_text,
			   MemoryContext cxt)
{
	Oid			basetype = getBaseType(att->atttypid);
	Oid			outfunc;
	bool		isvarlena;

	col->attnum = att->attnum;
	col->name = MemoryContextStrdup(cxt, NameStr(att->attname));
	col->namelen = strlen(col->name);
	col->basetype = basetype;
	col->typlen = att->attlen;
	col->typbyval = att->attbyval;
	col->masked = false;

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
		default:
			col->kind = needs_to_jsonb(basetype) ?
				AL_JSON_GENERIC : AL_JSON_STRING;
			break;
	}

	if (as_text && col->kind != AL_JSON_TEXT)
		col->kind = AL_JSON_STRING;

	if (col->kind == AL_JSON_GENERIC)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
		Node	   *arg;

		/*
		 * to_jsonb(anyelement) learns its argument's type from the call
		 * expression, so give it one with a placeholder of the column type.
		 */
		arg = (Node *) makeNullConst(att->atttypid, att->atttypmod,
									 att->attcollation);
		fmgr_info_cxt(F_TO_JSONB, &col->func, cxt);
		col->func.fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
												  list_make1(arg),
												  InvalidOid, InvalidOid,
												  COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(oldcxt);
	}
	else if (col->kind == AL_JSON_NUMERIC || col->kind == AL_JSON_FLOAT ||
			 col->kind == AL_JSON_STRING)
	{
		getTypeOutputInfo(basetype, &outfunc, &isvarlena);
		fmgr_info_cxt(outfunc, &col->func, cxt);
	}
}

/*
 * needs_to_jsonb
 *		Does to_jsonb() treat this (base) type as more than a string?
 *
 * True for json, arrays, composites, and non-built-in types with a cast
 * to json: the categories to_jsonb() expands or casts.
 */
static bool
needs_to_jsonb(Oid basetype)
{
	Oid			castfunc;

	if (basetype == JSONOID || OidIsValid(get_element_type(basetype)) ||
		type_is_rowtype(basetype))
		return true;
	if (basetype >= FirstNormalObjectId &&
		find_coercion_pathway(JSONOID, basetype, COERCION_EXPLICIT,
							  &castfunc) == COERCION_PATH_FUNC &&
		OidIsValid(castfunc))
		return true;
	return false;
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
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue *res = NULL;

	if (JB_ROOT_IS_SCALAR(jb))
	{
		(void) JsonbExtractScalar(&jb->root, result);
		return;
	}

	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
		res = pushJsonbValue(&state, tok, tok < WJB_BEGIN_ARRAY ? &v : NULL);
	*result = *res;
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
		case AL_JSON_GENERIC:
			jsonb_to_value(DatumGetJsonbP(FunctionCall1(&col->func, value)),
						   result);
			break;
	}
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
