/*-------------------------------------------------------------------------
 *
 * comments.c
 *	  Comments and application events: POST/PATCH/DELETE /activity/comment.
 *
 * A comment is an activity row with action "comment" on an item of a
 * tracked collection, with the same context columns as a captured change.
 * Only its author or an admin may edit or delete it.  The author is the
 * same acting user (activity_log.user, else the session role) *and* the same
 * database role that created it, so a role cannot take over another role's
 * comments just by claiming its context user.
 *
 * log() records an application event (a login, an export) with the same
 * context.  Its action is from a small alphabet and never one the extension
 * records itself, so no change or comment can be forged through it and no
 * look-alike of one written; it writes only into a tracked collection the
 * caller may see, or one an admin opened for events (allow_events()).
 *
 * Writes go through storage.c (new rows) or SPI as the owner of the log
 * (edits), after the checks below, which run as the caller.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/comments.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "activity_log.h"
#include "compat.h"

/* Arguments of the statements run as the log's owner */
typedef struct ALCommentArgs
{
	const char *sql;
	int			nargs;
	Oid			types[2];
	Datum		values[2];
	int			expected;
	Datum		result;			/* row returned by the statement */
	int64		edit;			/* change_comment: the edit's activity */
	Datum		previous;		/* change_comment: the text it replaces */
} ALCommentArgs;

static void run_returning(void *arg);
static char *item_text(char **texts, int n);
static char *stored_item(Relation rel, ALItemKey *key);
static char *qualified_eq_operator(Oid type);
static Datum fetch_comment_for_change(int64 id);
static void record_edit_run(void *arg);
static Datum change_comment(int64 id, const char *sql, const char *comment,
							int expected);
static Datum insert_and_fetch(const char *action, const char *collection,
							  const char *item, const char *comment);

PG_FUNCTION_INFO_V1(activity_log_create_comment);
PG_FUNCTION_INFO_V1(activity_log_update_comment);
PG_FUNCTION_INFO_V1(activity_log_delete_comment);
PG_FUNCTION_INFO_V1(activity_log_log);
PG_FUNCTION_INFO_V1(activity_log_allow_events);

/* Actions only the extension itself records */
static const char *const al_reserved_actions[] = {
	"create", "update", "delete", "truncate", "revert", "comment",
	"comment_update", "comment_delete", "track", "untrack"
};

/* The longest action log() takes (Directus's action column is varchar(45)) */
#define AL_ACTION_MAXLEN 45

/*
 * run_returning
 *		Run args->sql (with RETURNING *) as the log owner; keep the row.
 */
static void
run_returning(void *arg)
{
	ALCommentArgs *args = (ALCommentArgs *) arg;

	al_spi_exec(args->sql, args->nargs, args->types, args->values, NULL,
				args->expected);
	args->result = (Datum) 0;
	if (SPI_processed > 0 && SPI_tuptable != NULL)
		args->result = PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc));
}

/*
 * qualified_eq_operator
 *		"OPERATOR(schema.=)" for the default equality operator of a type.
 */
static char *
qualified_eq_operator(Oid type)
{
	TypeCacheEntry *tce = lookup_type_cache(type, TYPECACHE_EQ_OPR);
	HeapTuple	tuple;
	Form_pg_operator oper;
	char	   *result;

	if (!OidIsValid(tce->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an equality operator for type %s",
						format_type_be(type))));
	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(tce->eq_opr));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", tce->eq_opr);
	oper = (Form_pg_operator) GETSTRUCT(tuple);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(oper->oprnamespace)),
					  NameStr(oper->oprname));
	ReleaseSysCache(tuple);
	return result;
}

/*
 * al_parse_item
 *		The primary key values of a table that an "item" text names.
 *
 * Fills keys->attnums, types and values (nkeys of each).  The item is the
 * text of a single-column key, or a JSON array of the key columns' values
 * for a composite key (see al_item_text()).  A malformed item is an error.
 */
void
al_parse_item(Relation rel, const char *item, ALItemKey *key)
{
	Oid			pkoid = al_primary_key_index(rel);
	HeapTuple	indextup;
	Form_pg_index index;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			i;

	if (!OidIsValid(pkoid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no primary key",
						RelationGetRelationName(rel))));
	indextup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkoid));
	if (!HeapTupleIsValid(indextup))
		elog(ERROR, "cache lookup failed for index %u", pkoid);
	index = (Form_pg_index) GETSTRUCT(indextup);
	key->nkeys = index->indnkeyatts;
	key->attnums = palloc(sizeof(AttrNumber) * key->nkeys);
	key->types = palloc(sizeof(Oid) * key->nkeys);
	key->values = palloc(sizeof(Datum) * key->nkeys);
	for (i = 0; i < key->nkeys; i++)
	{
		key->attnums[i] = index->indkey.values[i];
		key->types[i] = TupleDescAttr(tupdesc, key->attnums[i] - 1)->atttypid;
	}
	ReleaseSysCache(indextup);

	if (key->nkeys == 1)
	{
		key->values[0] = al_input_value(key->types[0], item, "item");
		return;
	}
	else
	{
		Jsonb	   *array = DatumGetJsonbP(al_input_value(JSONBOID, item, "item"));
		JsonbIterator *it;
		JsonbValue	v;
		int			n = 0;

		if (!JB_ROOT_IS_ARRAY(array) || JB_ROOT_IS_SCALAR(array) ||
			(int) JB_ROOT_COUNT(array) != key->nkeys)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid item \"%s\" for table \"%s\"",
							item, RelationGetRelationName(rel)),
					 errdetail("The table's key has %d columns; the item must be a JSON array of %d values.",
							   key->nkeys, key->nkeys)));
		it = JsonbIteratorInit(&array->root);
		(void) JsonbIteratorNext(&it, &v, true);
		while (JsonbIteratorNext(&it, &v, true) == WJB_ELEM)
		{
			char	   *text;

			if (v.type == jbvString)
				text = pnstrdup(v.val.string.val, v.val.string.len);
			else if (v.type == jbvNumeric)
				text = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(v.val.numeric)));
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid item \"%s\" for table \"%s\"",
								item, RelationGetRelationName(rel)),
						 errdetail("Key values must be strings or numbers.")));
			key->values[n] = al_input_value(key->types[n], text, "item");
			n++;
		}
	}
}

/*
 * item_text
 *		The item text of key columns given as their text outputs: the text
 *		itself for one column, a JSON array of them for several, as
 *		capture records it (see al_key_text()).
 */
static char *
item_text(char **texts, int n)
{
	JsonbValue	array;
	Jsonb	   *jb;
	int			i;

	if (n == 1)
		return texts[0];
	array.type = jbvArray;
	array.val.array.rawScalar = false;
	array.val.array.nElems = n;
	array.val.array.elems = palloc(sizeof(JsonbValue) * n);
	for (i = 0; i < n; i++)
	{
		array.val.array.elems[i].type = jbvString;
		array.val.array.elems[i].val.string.val = texts[i];
		array.val.array.elems[i].val.string.len = strlen(texts[i]);
	}
	jb = JsonbValueToJsonb(&array);
	return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
}

/*
 * al_item_where
 *		"k1 OPERATOR(s.=) $first AND ..." for the key columns of rel, the
 *		columns qualified by alias unless it is NULL.
 */
char *
al_item_where(Relation rel, ALItemKey *key, int first, const char *alias)
{
	StringInfoData buf;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < key->nkeys; i++)
		appendStringInfo(&buf, "%s%s%s%s %s $%d", i > 0 ? " AND " : "",
						 alias ? alias : "", alias ? "." : "",
						 quote_identifier(NameStr(TupleDescAttr(tupdesc, key->attnums[i] - 1)->attname)),
						 qualified_eq_operator(key->types[i]), first + i);
	return buf.data;
}

/*
 * al_qualified_table
 *		"[ONLY ]schema.table" naming rel's own rows in a FROM clause.
 *
 * ONLY keeps inheritance children (tracked under their own names) out;
 * a partitioned table has no rows of its own, so it goes without.
 */
char *
al_qualified_table(Relation rel)
{
	return psprintf("%s%s",
					rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ? "" : "ONLY ",
					quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											   RelationGetRelationName(rel)));
}

/*
 * stored_item
 *		The item text of the row the key names, or NULL if the caller
 *		cannot see such a row.
 *
 * The text is made from the row's stored key values, so "007" and 7 give
 * "7" and a char(3) key keeps its padding: a comment gets the very item
 * text that the row's changes have.  Runs as the caller, so its
 * privileges and row-level security apply.
 */
static char *
stored_item(Relation rel, ALItemKey *key)
{
	MemoryContext outer = CurrentMemoryContext;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	StringInfoData cols;
	char	   *result = NULL;
	int			rc;
	int			i;

	initStringInfo(&cols);
	for (i = 0; i < key->nkeys; i++)
		appendStringInfo(&cols, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(tupdesc, key->attnums[i] - 1)->attname)));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(psprintf("SELECT %s FROM %s WHERE %s", cols.data,
										al_qualified_table(rel),
										al_item_where(rel, key, 1, NULL)),
							   key->nkeys, key->types, key->values, NULL,
							   true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args returned %s",
			 SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(outer);
		char	  **texts = palloc(sizeof(char *) * key->nkeys);

		for (i = 0; i < key->nkeys; i++)
			texts[i] = SPI_getvalue(SPI_tuptable->vals[0],
									SPI_tuptable->tupdesc, i + 1);
		result = item_text(texts, key->nkeys);
		MemoryContextSwitchTo(oldcxt);
	}
	SPI_finish();
	return result;
}

/*
 * insert_and_fetch
 *		Insert an activity with the current context; return it as a row.
 */
static Datum
insert_and_fetch(const char *action, const char *collection,
				 const char *item, const char *comment)
{
	int64		id;
	bool		found;
	Datum		row;

	id = al_insert_activity(action, CStringGetTextDatum(collection),
							item ? CStringGetTextDatum(item) : (Datum) 0,
							item == NULL,
							comment ? CStringGetTextDatum(comment) : (Datum) 0,
							comment == NULL);
	CommandCounterIncrement();
	row = al_fetch_activity(id, false, false, &found);
	if (!found)
		elog(ERROR, "could not read back activity " INT64_FORMAT, id);
	return row;
}

/*
 * activity_log_create_comment
 *		SQL: activity_log.create_comment(collection, item, comment)
 */
Datum
activity_log_create_comment(PG_FUNCTION_ARGS)
{
	char	   *collection = al_text_arg(fcinfo, 0, "collection", true);
	char	   *item = al_text_arg(fcinfo, 1, "item", true);
	char	   *comment = al_text_arg(fcinfo, 2, "comment", true);
	Oid			relid;
	Relation	rel;
	ALItemKey	key;
	char	   *stored;

	relid = al_collection_relid(collection);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("collection \"%s\" is not tracked", collection),
				 errhint("Comments can be made on items of tracked tables; see activity_log.tracked.")));

	rel = table_open(relid, AccessShareLock);
	if (!al_table_visible(relid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s",
						RelationGetRelationName(rel)),
				 errdetail("Commenting on an item needs SELECT on its table, with no row security policy applying to the caller there.")));
	al_parse_item(rel, item, &key);
	stored = stored_item(rel, &key);
	if (stored == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("item \"%s\" does not exist in collection \"%s\"",
						item, collection)));
	table_close(rel, NoLock);

	PG_RETURN_DATUM(insert_and_fetch("comment", collection, stored, comment));
}

/*
 * fetch_comment_for_change
 *		Lock a comment and check that the caller may change it.
 */
static Datum
fetch_comment_for_change(int64 id)
{
	Datum		row;
	bool		found;
	bool		isnull;
	HeapTupleHeader tuple;
	Datum		action;
	Datum		user;
	Datum		db_user;

	row = al_fetch_activity(id, true, true, &found);
	if (!found)
		al_no_such_activity(id);

	tuple = DatumGetHeapTupleHeader(row);
	action = GetAttributeByNum(tuple, Anum_al_activity_action, &isnull);
	if (strcmp(TextDatumGetCString(action), "comment") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("activity " INT64_FORMAT " is not a comment", id),
				 errdetail("Only comments can be edited or deleted.")));

	if (al_is_admin(GetUserId()))
		return row;

	user = GetAttributeByNum(tuple, Anum_al_activity_user, &isnull);
	if (!isnull)
		db_user = GetAttributeByNum(tuple, Anum_al_activity_db_user, &isnull);
	if (isnull ||
		strcmp(TextDatumGetCString(user),
			   TextDatumGetCString(al_current_actor())) != 0 ||
		strcmp(TextDatumGetCString(db_user),
			   TextDatumGetCString(al_current_role_name())) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change comment " INT64_FORMAT, id),
				 errdetail("Only the comment's author or an admin may change it.")));
	return row;
}

/*
 * record_edit_run
 *		Record which comment an edit changed and its text before, then
 *		change the comment: args->sql with the comment's id ($1) and the new
 *		text ($2), or a delete.  As the log owner.
 */
static void
record_edit_run(void *arg)
{
	ALCommentArgs *args = (ALCommentArgs *) arg;
	Oid			types[3] = {INT8OID, INT8OID, TEXTOID};
	Datum		values[3];

	values[0] = Int64GetDatum(args->edit);
	values[1] = args->values[0];	/* the comment */
	values[2] = args->previous;
	al_spi_exec("INSERT INTO activity_log.comment_edits (activity, comment, previous)"
				" VALUES ($1, $2, $3)",
				3, types, values, NULL, SPI_OK_INSERT);
	run_returning(arg);
}

/*
 * change_comment
 *		Edit (comment is the new text) or delete (comment NULL) comment id,
 *		once the caller may change it.
 *
 * The log is append-only: the edit is an activity of its own
 * (comment_update or comment_delete, with the editor's context, on the
 * comment's item), its record in activity_log.comment_edits keeps the text
 * it replaced, and then the comment row shows the new text (or is gone).
 * The hash chain is not touched: the comment's digest is that of its first
 * text, which the first edit's record keeps (see seal.c).  Returns the row
 * the statement returned, if any.
 */
static Datum
change_comment(int64 id, const char *sql, const char *comment, int expected)
{
	ALCommentArgs args;
	HeapTupleHeader row;
	bool		isnull;
	Datum		collection;
	Datum		item;
	int64		edit;

	row = DatumGetHeapTupleHeader(fetch_comment_for_change(id));
	collection = GetAttributeByNum(row, Anum_al_activity_collection, &isnull);
	item = GetAttributeByNum(row, Anum_al_activity_item, &isnull);
	edit = al_insert_activity(comment != NULL ? "comment_update" : "comment_delete",
							  collection, item, isnull,
							  comment != NULL ? CStringGetTextDatum(comment) : (Datum) 0,
							  comment == NULL);

	memset(&args, 0, sizeof(args));
	args.sql = sql;
	args.nargs = comment != NULL ? 2 : 1;
	args.types[0] = INT8OID;
	args.values[0] = Int64GetDatum(id);
	args.types[1] = TEXTOID;
	if (comment != NULL)
		args.values[1] = CStringGetTextDatum(comment);
	args.edit = edit;
	args.previous = GetAttributeByNum(row, Anum_al_activity_comment, &isnull);
	args.expected = expected;
	al_run_as_log_owner(record_edit_run, &args);
	return args.result;
}

/*
 * activity_log_update_comment
 *		SQL: activity_log.update_comment(id, comment)
 */
Datum
activity_log_update_comment(PG_FUNCTION_ARGS)
{
	int64		id;
	char	   *comment;

	al_require_arg(fcinfo, 0, "activity id");
	id = PG_GETARG_INT64(0);
	comment = al_text_arg(fcinfo, 1, "comment", true);
	PG_RETURN_DATUM(change_comment(id,
								   "UPDATE activity_log.activity SET comment = $2"
								   " WHERE id OPERATOR(pg_catalog.=) $1 RETURNING *",
								   comment, SPI_OK_UPDATE_RETURNING));
}

/*
 * activity_log_delete_comment
 *		SQL: activity_log.delete_comment(id)
 */
Datum
activity_log_delete_comment(PG_FUNCTION_ARGS)
{
	al_require_arg(fcinfo, 0, "activity id");
	(void) change_comment(PG_GETARG_INT64(0),
						  "DELETE FROM activity_log.activity"
						  " WHERE id OPERATOR(pg_catalog.=) $1",
						  NULL, SPI_OK_DELETE);
	PG_RETURN_VOID();
}

/*
 * check_action
 *		Refuse an action log() must not write: one outside the documented
 *		alphabet (1 to AL_ACTION_MAXLEN characters: lower-case ASCII
 *		letters, digits, "_", "." and "-", starting with a letter, so no
 *		look-alike, invisible or control character), or one the extension
 *		records itself.
 */
static void
check_action(const char *action)
{
	const char *p;
	int			i;

	for (p = action; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') ||
			  (p > action && ((*p >= '0' && *p <= '9') ||
							  *p == '_' || *p == '.' || *p == '-'))))
			break;
	if (*p != '\0' || p == action || p - action > AL_ACTION_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid action for activity_log.log()"),
				 errdetail("An action is 1 to %d characters: lower-case ASCII letters, digits, \"_\", \".\" and \"-\", starting with a letter.",
						   AL_ACTION_MAXLEN)));
	for (i = 0; i < (int) lengthof(al_reserved_actions); i++)
		if (strcmp(action, al_reserved_actions[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" is reserved", action),
					 errdetail("Actions create, update, delete, truncate, revert, comment, comment_update, comment_delete, track and untrack are recorded only by activity_log itself.")));
}

/*
 * event_collection_run
 *		Is args->values[0] a collection an admin opened for events?  (As
 *		the log owner.)
 */
static void
event_collection_run(void *arg)
{
	ALCommentArgs *args = (ALCommentArgs *) arg;

	al_spi_exec("SELECT FROM activity_log.event_collections"
				" WHERE collection OPERATOR(pg_catalog.=) $1",
				1, args->types, args->values, NULL, SPI_OK_SELECT);
	args->result = BoolGetDatum(SPI_processed > 0);
}

/*
 * check_event_collection
 *		May the caller write an event into this collection?  Into a tracked
 *		one, if it may see that collection's log; into any other, only if an
 *		admin opened it for events (activity_log.allow_events()) or the
 *		caller is an admin.  So no role writes where it cannot read, and no
 *		role claims the name of a collection before its table is tracked.
 */
static void
check_event_collection(const char *collection)
{
	ALCommentArgs args;

	if (al_is_admin(GetUserId()))
		return;
	if (OidIsValid(al_collection_relid(collection)))
	{
		if (!al_collection_visible(collection))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for collection \"%s\"", collection),
					 errdetail("Logging an event in a tracked collection needs the right to read its activity.")));
		return;
	}
	memset(&args, 0, sizeof(args));
	args.types[0] = TEXTOID;
	args.values[0] = CStringGetTextDatum(collection);
	al_run_as_log_owner(event_collection_run, &args);
	if (!DatumGetBool(args.result))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("collection \"%s\" is not open for events", collection),
				 errdetail("It is not a tracked collection, and no admin has opened it for application events."),
				 errhint("An admin may open it with activity_log.allow_events().")));
}

/*
 * activity_log_log
 *		SQL: activity_log.log(action, collection, item, comment)
 *
 * Records an application event.  item and comment may be NULL.
 */
Datum
activity_log_log(PG_FUNCTION_ARGS)
{
	char	   *action = al_text_arg(fcinfo, 0, "action", true);
	char	   *collection = al_text_arg(fcinfo, 1, "collection", true);
	char	   *item = NULL;
	char	   *comment = NULL;

	check_action(action);
	if (!PG_ARGISNULL(2))
		item = al_text_arg(fcinfo, 2, "item", true);
	if (!PG_ARGISNULL(3))
		comment = text_to_cstring(PG_GETARG_TEXT_PP(3));
	check_event_collection(collection);

	PG_RETURN_DATUM(insert_and_fetch(action, collection, item, comment));
}

/*
 * allow_events_run
 *		Open or close a collection for events (as the log owner).
 */
static void
allow_events_run(void *arg)
{
	ALCommentArgs *args = (ALCommentArgs *) arg;

	al_spi_exec(args->sql, 1, args->types, args->values, NULL, args->expected);
}

/*
 * activity_log_allow_events
 *		SQL: activity_log.allow_events(collection text, allow boolean)
 *
 * Opens (or with allow false, closes) a collection that is not tracked for
 * application events written by log().  Admins only.
 */
Datum
activity_log_allow_events(PG_FUNCTION_ARGS)
{
	ALCommentArgs args;
	char	   *collection;

	al_check_admin("open collections for events");
	collection = al_text_arg(fcinfo, 0, "collection", true);
	al_require_arg(fcinfo, 1, "allow");

	memset(&args, 0, sizeof(args));
	args.types[0] = TEXTOID;
	args.values[0] = CStringGetTextDatum(collection);
	if (PG_GETARG_BOOL(1))
	{
		args.sql = "INSERT INTO activity_log.event_collections (collection)"
			" VALUES ($1) ON CONFLICT DO NOTHING";
		args.expected = SPI_OK_INSERT;
	}
	else
	{
		args.sql = "DELETE FROM activity_log.event_collections"
			" WHERE collection OPERATOR(pg_catalog.=) $1";
		args.expected = SPI_OK_DELETE;
	}
	al_run_as_log_owner(allow_events_run, &args);
	PG_RETURN_VOID();
}
