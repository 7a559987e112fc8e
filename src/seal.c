/*-------------------------------------------------------------------------
 *
 * seal.c
 *	  Tamper evidence: a hash chain over the log, and its verification.
 *
 * The chain is a list of links (activity_log.seals), appended by seal().
 * A link seals some activities: it keeps their ids, the SHA-256 digest of
 * each one's canonical bytes (of its AL_DIGEST_COLUMNS: the activity row,
 * its revision and its comment edit record, as record_send() of a row of
 * them, which depends on no session setting and no server version; see
 * digest_values()), and a hash of the link before it, those digests and the
 * link's own bookkeeping.  So a link
 * is never rewritten by what happens later, and checking the chain itself
 * needs no row of the log.
 *
 * Comment edits do not change a link either: an edit or delete of a
 * comment is an activity of its own (comment_update, comment_delete) with a
 * record in activity_log.comment_edits of which comment it changed and its
 * text before.  The canonical bytes of a comment are those of its first
 * text (the "previous" text of its first edit, if it has one), so its
 * digest holds however often it is edited; verify() checks in addition that
 * its current text is that of its latest edit, and that a comment that is
 * gone was deleted by one.  An edit costs the same at any size of log.
 *
 * Which activities to seal.  seal() seals what is committed, and waits for
 * nobody: it reads the last id handed out (upto), then takes a snapshot,
 * and seals every activity it sees with an id above the "low" mark of the
 * last link and at most upto, that no link seals yet.  Every id is drawn by
 * a transaction that already has its transaction id (storage.c), so an id
 * up to upto that the snapshot does not show belongs to a transaction that
 * rolled back, or to one running when the snapshot was taken: those are
 * kept in the link as pending, and their rows are sealed by a later seal()
 * once they commit.  The low mark moves up to a run's upto once every
 * transaction pending in that run has ended; below it, every id is sealed
 * or was never committed.  So verify() can tell a row slipped in behind
 * the extension's back (whatever its id: not sealed, and at most the last
 * link's upto, and not of a transaction pending then) from one that is
 * simply not sealed yet (above upto, or of a pending transaction).
 *
 * seal() and the retention functions (which reseal the links after the
 * first row they remove: they delete sealed rows) take a lock on the chain
 * without waiting; the second of two gets an error at once.  Comment edits
 * and every other operation never touch the chain.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/seal.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "port/pg_bswap.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
#include "utils/xid8.h"

#include "activity_log.h"
#include "compat.h"

/*
 * The columns of an activity row a whose digest the chain keeps, with its
 * revision r and its own comment edit record s, the comment taken as its
 * first text.
 */
#define AL_DIGEST_COLUMNS \
	"a.id, a.action, a.\"user\", a.\"timestamp\", a.ip, a.user_agent," \
	" a.origin, a.collection, a.item," \
	" CASE WHEN a.action OPERATOR(pg_catalog.=) 'comment' THEN" \
	"  COALESCE((SELECT e.previous FROM activity_log.comment_edits e" \
	"   WHERE e.comment OPERATOR(pg_catalog.=) a.id" \
	"   ORDER BY e.activity LIMIT 1), a.comment)" \
	" ELSE a.comment END," \
	" a.db_user, a.transaction, r.op, r.parent, r.data, r.delta," \
	" r.previous_item, s.comment, s.previous"
#define AL_DIGEST_NCOLUMNS	19

/* The tables an activity's digest reads, joined to activity a */
#define AL_DIGEST_JOINS \
	" LEFT JOIN activity_log.revision_store r" \
	" ON r.activity OPERATOR(pg_catalog.=) a.id" \
	" LEFT JOIN activity_log.comment_edits s" \
	" ON s.activity OPERATOR(pg_catalog.=) a.id"

#define AL_DIGEST_LEN	PG_SHA256_DIGEST_LENGTH

/* At most this many activities per link: a link seals a range of ids */
#define AL_LINK_ROWS	10000

/* How a digest writes one column */
typedef struct ALDigestColumn
{
	Oid			type;
	FmgrInfo	send;			/* the type's send function, for the others */
} ALDigestColumn;

/*
 * What computes digests: the columns' types, a buffer for the canonical
 * bytes, and a SHA-256 hasher.
 */
typedef struct ALDigester
{
	int			ncolumns;
	ALDigestColumn *columns;
	StringInfoData buf;
	MemoryContext rowcxt;		/* what one digest allocates */
	al_sha256_ctx ctx;
} ALDigester;

/* The last link of the chain, or what stands for it before the first */
typedef struct ALLink
{
	int64		seal;			/* 0: no link yet */
	uint8		hash[AL_DIGEST_LEN];
	int64		low;
	int64		upto;
	char	   *pending;		/* xid8[] as text */
	ArrayType  *pending_array;
} ALLink;

/* What seal_run() leaves to the planner: only range scans, merge-joined */
static const char *const plan_settings[] = {
	"enable_nestloop", "enable_hashjoin", "enable_sort", "enable_seqscan",
	"enable_bitmapscan"
};

/* One run of seal() (inside al_run_as_log_owner) */
typedef struct ALSealRun
{
	ALLink		last;
	int64		upto;			/* the last id handed out before the snapshot */
	int64		low;			/* the new low mark */
	char	   *pending;		/* transactions running at the snapshot */
	Snapshot	snapshot;
	int64		count;			/* activities sealed */
} ALSealRun;

/* A batch of seal_run(): a DestReceiver of the rows of one link */
typedef struct ALSealBatch
{
	DestReceiver pub;
	MemoryContext cxt;			/* the run's */
	bool		digesting;		/* digester set up */
	ALDigester	digester;
	int64	   *done;			/* sealed_above() */
	int			ndone;
	int			next_done;
	Datum	   *ids;			/* the activities of the link */
	char	   *digests;
	int			n;
} ALSealBatch;

/* A problem verify() found */
typedef struct ALProblem
{
	bool		has_id;
	int64		id;
	char	   *problem;
} ALProblem;

/* One run of verify(): every problem, or only the first */
typedef struct ALVerifyRun
{
	MemoryContext cxt;			/* where the problems go */
	bool		first_only;
	bool		found;
	List	   *problems;		/* ALProblem * */
	bool		digesting;		/* digester set up */
	ALDigester	digester;
} ALVerifyRun;

/* Which links reseal_run() makes again */
typedef struct ALResealRun
{
	int64		from;			/* the first activity id whose row changed */
} ALResealRun;

static void append_uint32(StringInfo buf, uint32 v);
static void append_uint64(StringInfo buf, uint64 v);
static void append_json_string(StringInfo buf, const char *s, int len);
static void append_json_scalar(StringInfo buf, JsonbValue *v);
static void append_jsonb_text(StringInfo buf, Jsonb *jb);
static void append_value(ALDigester *d, ALDigestColumn *col, Datum value);
static void digester_init(ALDigester *d, int ncolumns, const Oid *types,
						  MemoryContext cxt);
static void digester_init_spi(ALDigester *d, TupleDesc desc, int first);
static void digest_values(ALDigester *d, const Datum *values,
						  const bool *nulls, uint8 *out);
static void digest_spi_row(ALDigester *d, uint64 i, int first, Datum *values,
						   bool *nulls, uint8 *out);
static void read_last_link(ALLink *link);
static void link_hash(const uint8 *prev, int64 seal, const char *digests,
					  int ndigests, int64 low, int64 upto,
					  const char *pending, uint8 *out);
static uint64 widen_xid(TransactionId xid, FullTransactionId next);
static bool pending_ended(ArrayType *pending, Snapshot snapshot);
static char *running_transactions(Snapshot snapshot);
static void insert_link(ALSealRun *run, int64 seal, const uint8 *prev,
						Datum *ids, int n, const char *digests, uint8 *hash);
static int64 *sealed_above(int64 low, int *n);
static void batch_startup(DestReceiver *self, int operation,
						  TupleDesc typeinfo);
static bool batch_receive(TupleTableSlot *slot, DestReceiver *self);
static void batch_shutdown(DestReceiver *self);
static void batch_destroy(DestReceiver *self);
static void seal_run(void *arg);
static void report(ALVerifyRun *run, bool has_id, int64 id,
				   const char *problem);
static int	problem_cmp(const ListCell *a, const ListCell *b);
static void verify_links(ALVerifyRun *run);
static void verify_link_rows(ALVerifyRun *run, Datum activities,
							 bytea *digests);
static void verify_rows(ALVerifyRun *run);
static void verify_run(void *arg);
static void reseal_run(void *arg);

PG_FUNCTION_INFO_V1(activity_log_row_digest);
PG_FUNCTION_INFO_V1(activity_log_seal);
PG_FUNCTION_INFO_V1(activity_log_verify);

/*
 * append_uint32, append_uint64
 *		An integer in network byte order, as the send functions write it.
 */
static void
append_uint32(StringInfo buf, uint32 v)
{
	v = pg_hton32(v);
	appendBinaryStringInfo(buf, (char *) &v, sizeof(v));
}

static void
append_uint64(StringInfo buf, uint64 v)
{
	v = pg_hton64(v);
	appendBinaryStringInfo(buf, (char *) &v, sizeof(v));
}

/*
 * append_json_string
 *		A string as JSON text, escaped exactly as PostgreSQL's jsonb output
 *		escapes it (escape_json()), unescaped runs copied whole.
 */
static void
append_json_string(StringInfo buf, const char *s, int len)
{
	const char *run = s;
	const char *p;

	appendStringInfoChar(buf, '"');
	for (p = s; p < s + len; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c >= ' ' && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(buf, run, p - run);
		run = p + 1;
		switch (c)
		{
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			default:
				appendStringInfo(buf, "\\u%04x", (int) c);
				break;
		}
	}
	appendBinaryStringInfo(buf, run, p - run);
	appendStringInfoChar(buf, '"');
}

/*
 * append_json_scalar
 *		A jsonb scalar as JSON text, as jsonb's output writes it.
 */
static void
append_json_scalar(StringInfo buf, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendStringInfoString(buf, "null");
			break;
		case jbvString:
			append_json_string(buf, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			appendStringInfoString(buf,
								   DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v->val.numeric))));
			break;
		case jbvBool:
			appendStringInfoString(buf, v->val.boolean ? "true" : "false");
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

/*
 * append_jsonb_text
 *		A jsonb value's text, byte for byte what jsonb's output function
 *		writes ({"k": v, ...}, [a, ...], a scalar alone), made without
 *		escaping character by character: the JSON in a revision is most of
 *		what a digest hashes.
 */
static void
append_jsonb_text(StringInfo buf, Jsonb *jb)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		first = true;
	bool		raw_scalar = false; /* the root is a scalar alone */

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
				if (!first)
					appendStringInfoString(buf, ", ");
				if (v.val.array.rawScalar)
					raw_scalar = true;	/* only ever the root */
				else
					appendStringInfoChar(buf, '[');
				first = true;
				break;
			case WJB_BEGIN_OBJECT:
				if (!first)
					appendStringInfoString(buf, ", ");
				appendStringInfoChar(buf, '{');
				first = true;
				break;
			case WJB_KEY:
				if (!first)
					appendStringInfoString(buf, ", ");
				append_json_scalar(buf, &v);
				appendStringInfoString(buf, ": ");
				first = true;	/* no comma before the value */
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				if (!first)
					appendStringInfoString(buf, ", ");
				append_json_scalar(buf, &v);
				first = false;
				break;
			case WJB_END_ARRAY:
				if (!raw_scalar)
					appendStringInfoChar(buf, ']');
				first = false;
				break;
			case WJB_END_OBJECT:
				appendStringInfoChar(buf, '}');
				first = false;
				break;
			default:
				elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
		}
	}
}

/*
 * append_value
 *		A non-null value, its length first, as its type's send function
 *		writes it: directly for the types of the log, and with text (in jsonb
 *		too) in the database's encoding, never converted to the client's.
 */
static void
append_value(ALDigester *d, ALDigestColumn *col, Datum value)
{
	StringInfo	buf = &d->buf;
	int			start;
	uint32		len;
	bytea	   *bytes;

	append_uint32(buf, 0);		/* the length, filled in below */
	start = buf->len;
	switch (col->type)
	{
		case INT8OID:
		case TIMESTAMPTZOID:
		case XID8OID:
			/* all three are 64-bit integers, sent as such */
			append_uint64(buf, (uint64) DatumGetInt64(value));
			break;
		case CHAROID:
			appendStringInfoChar(buf, DatumGetChar(value));
			break;
		case TEXTOID:
			{
				text	   *t = DatumGetTextPP(value);

				appendBinaryStringInfo(buf, VARDATA_ANY(t),
									   VARSIZE_ANY_EXHDR(t));
			}
			break;
		case JSONBOID:
			{
				/* as jsonb_send: the format version, then the text */
				appendStringInfoChar(buf, 1);
				append_jsonb_text(buf, DatumGetJsonbP(value));
			}
			break;
		default:
			bytes = SendFunctionCall(&col->send, value);
			appendBinaryStringInfo(buf, VARDATA(bytes), VARSIZE(bytes) - VARHDRSZ);
			break;
	}
	len = pg_hton32((uint32) (buf->len - start));
	memcpy(buf->data + start - sizeof(uint32), &len, sizeof(uint32));
}

/*
 * digester_init
 *		A digester of rows of columns of these types, in cxt.
 */
static void
digester_init(ALDigester *d, int ncolumns, const Oid *types, MemoryContext cxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	int			i;

	d->ncolumns = ncolumns;
	d->columns = palloc0(sizeof(ALDigestColumn) * ncolumns);
	for (i = 0; i < ncolumns; i++)
	{
		Oid			sendfn;
		bool		isvarlena;

		d->columns[i].type = types[i];
		getTypeBinaryOutputInfo(types[i], &sendfn, &isvarlena);
		fmgr_info_cxt(sendfn, &d->columns[i].send, cxt);
	}
	initStringInfo(&d->buf);
	d->rowcxt = AllocSetContextCreate(cxt, "activity_log digest",
									  ALLOCSET_DEFAULT_SIZES);
	d->ctx = al_sha256_create(cxt);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * digester_init_spi
 *		A digester of the AL_DIGEST_COLUMNS of a query's rows, which start at
 *		its column first, in the current memory context.
 */
static void
digester_init_spi(ALDigester *d, TupleDesc desc, int first)
{
	Oid			types[AL_DIGEST_NCOLUMNS];
	int			i;

	for (i = 0; i < AL_DIGEST_NCOLUMNS; i++)
		types[i] = SPI_gettypeid(desc, first + i);
	digester_init(d, AL_DIGEST_NCOLUMNS, types, CurrentMemoryContext);
}

/*
 * digest_values
 *		The digest of one row: SHA-256 of its canonical bytes, which are
 *		those of record_send() of a row of these columns in a session whose
 *		client encoding is the database's (the column count, then each
 *		column's type, its length or -1 for null, and its binary form).  They
 *		are made here without forming the row, and text is never converted to
 *		the client's encoding, so no session setting changes them.
 */
static void
digest_values(ALDigester *d, const Datum *values, const bool *nulls,
			  uint8 *out)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(d->rowcxt);
	int			i;

	resetStringInfo(&d->buf);
	append_uint32(&d->buf, (uint32) d->ncolumns);
	for (i = 0; i < d->ncolumns; i++)
	{
		append_uint32(&d->buf, d->columns[i].type);
		if (nulls[i])
			append_uint32(&d->buf, (uint32) -1);
		else
			append_value(d, &d->columns[i], values[i]);
	}
	al_sha256_hash(d->ctx, (uint8 *) d->buf.data, d->buf.len, out);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(d->rowcxt);
}

/*
 * digest_spi_row
 *		The digest of row i of the current SPI result, whose digest columns
 *		start at column first; values and nulls are the caller's room for
 *		the whole row.
 */
static void
digest_spi_row(ALDigester *d, uint64 i, int first, Datum *values,
			   bool *nulls, uint8 *out)
{
	heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
					  values, nulls);
	digest_values(d, values + first - 1, nulls + first - 1, out);
}

/*
 * activity_log_row_digest
 *		SQL: activity_log.row_digest(VARIADIC "any") RETURNS bytea
 *
 * The digest of a row of its arguments, as the chain keeps one of each
 * activity (of its AL_DIGEST_COLUMNS): see digest_values().
 */
Datum
activity_log_row_digest(PG_FUNCTION_ARGS)
{
	ALDigester *d = fcinfo->flinfo->fn_extra;
	bytea	   *result;
	Datum	   *values;
	bool	   *nulls;
	int			i;

	if (d == NULL)
	{
		Oid		   *types = palloc(sizeof(Oid) * PG_NARGS());

		if (get_fn_expr_variadic(fcinfo->flinfo))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("row_digest() takes its columns as separate arguments, not as a VARIADIC array")));
		for (i = 0; i < PG_NARGS(); i++)
		{
			types[i] = get_fn_expr_argtype(fcinfo->flinfo, i);
			if (!OidIsValid(types[i]) || types[i] == UNKNOWNOID)
				ereport(ERROR,
						(errcode(ERRCODE_INDETERMINATE_DATATYPE),
						 errmsg("could not determine the type of argument %d of row_digest()",
								i + 1)));
		}
		d = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ALDigester));
		digester_init(d, PG_NARGS(), types, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = d;
	}

	values = palloc(sizeof(Datum) * d->ncolumns);
	nulls = palloc(sizeof(bool) * d->ncolumns);
	for (i = 0; i < d->ncolumns; i++)
	{
		nulls[i] = PG_ARGISNULL(i);
		values[i] = PG_GETARG_DATUM(i);
	}
	result = palloc(VARHDRSZ + AL_DIGEST_LEN);
	SET_VARSIZE(result, VARHDRSZ + AL_DIGEST_LEN);
	digest_values(d, values, nulls, (uint8 *) VARDATA(result));
	PG_RETURN_BYTEA_P(result);
}

/*
 * read_last_link
 *		The last link of the chain (zeros and no pending transaction if the
 *		chain is empty).  Inside SPI; the result is in the caller's context.
 */
static void
read_last_link(ALLink *link)
{
	bool		isnull;
	MemoryContext spicxt;
	HeapTuple	tuple;
	TupleDesc	desc;
	bytea	   *hash;

	memset(link, 0, sizeof(ALLink));
	link->pending = "{}";
	al_spi_exec("SELECT seal, hash, low, upto, pending::pg_catalog.text, pending"
				" FROM activity_log.seals ORDER BY seal DESC LIMIT 1",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	link->seal = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
	hash = DatumGetByteaPP(SPI_getbinval(tuple, desc, 2, &isnull));
	if (VARSIZE_ANY_EXHDR(hash) == AL_DIGEST_LEN)
		memcpy(link->hash, VARDATA_ANY(hash), AL_DIGEST_LEN);
	link->low = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull));
	link->upto = DatumGetInt64(SPI_getbinval(tuple, desc, 4, &isnull));
	spicxt = MemoryContextSwitchTo(CurTransactionContext);
	link->pending = SPI_getvalue(tuple, desc, 5);
	link->pending_array = DatumGetArrayTypePCopy(SPI_getbinval(tuple, desc, 6,
															   &isnull));
	MemoryContextSwitchTo(spicxt);
}

/*
 * link_hash
 *		The hash of a link: SHA-256 of the previous link's hash, the digests
 *		of its activities, and its place and bookkeeping as text.
 */
static void
link_hash(const uint8 *prev, int64 seal, const char *digests, int ndigests,
		  int64 low, int64 upto, const char *pending, uint8 *out)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, digests, ndigests * AL_DIGEST_LEN);
	appendStringInfo(&buf, INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " %s",
					 seal, low, upto, pending);
	al_sha256(prev, AL_DIGEST_LEN, (uint8 *) buf.data, buf.len, out);
	pfree(buf.data);
}

/*
 * widen_xid
 *		A running transaction's 32-bit id as a full (xid8) one.
 */
static uint64
widen_xid(TransactionId xid, FullTransactionId next)
{
	uint32		epoch = EpochFromFullTransactionId(next);

	if (xid > XidFromFullTransactionId(next) && epoch > 0)
		epoch--;
	return U64FromFullTransactionId(FullTransactionIdFromEpochAndXid(epoch, xid));
}

/*
 * pending_ended
 *		Had every transaction of a link's pending list ended when the
 *		snapshot was taken?
 */
static bool
pending_ended(ArrayType *pending, Snapshot snapshot)
{
	Datum	   *xids;
	int			n;
	int			i;
	uint64		xmin = widen_xid(snapshot->xmin, ReadNextFullTransactionId());

	if (pending == NULL)
		return true;
	deconstruct_array(pending, XID8OID, sizeof(FullTransactionId),
					  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &xids, NULL, &n);
	for (i = 0; i < n; i++)
	{
		FullTransactionId fxid = DatumGetFullTransactionId(xids[i]);

		if (U64FromFullTransactionId(fxid) >= xmin &&
			XidInMVCCSnapshot(XidFromFullTransactionId(fxid), snapshot))
			return false;
	}
	return true;
}

/*
 * running_transactions
 *		The transactions running when the snapshot was taken, as xid8[]
 *		text in ascending order: those it lists, and every id from its xmax
 *		up to the next id to be assigned (a transaction whose id is not
 *		below xmax is running too; the snapshot does not list it).
 */
static char *
running_transactions(Snapshot snapshot)
{
	FullTransactionId next = ReadNextFullTransactionId();
	uint64	   *xids = palloc(sizeof(uint64) * (snapshot->xcnt + 1));
	uint64		from = widen_xid(snapshot->xmax, next);
	uint64		x;
	StringInfoData buf;
	int			i,
				j;

	for (i = 0; i < (int) snapshot->xcnt; i++)
		xids[i] = widen_xid(snapshot->xip[i], next);
	/* a few entries: insertion sort */
	for (i = 1; i < (int) snapshot->xcnt; i++)
		for (j = i; j > 0 && xids[j - 1] > xids[j]; j--)
		{
			uint64		t = xids[j];

			xids[j] = xids[j - 1];
			xids[j - 1] = t;
		}
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < (int) snapshot->xcnt; i++)
		appendStringInfo(&buf, "%s" UINT64_FORMAT, i > 0 ? "," : "", xids[i]);
	for (x = from; x < U64FromFullTransactionId(next); x++)
		appendStringInfo(&buf, "%s" UINT64_FORMAT, buf.len > 1 ? "," : "", x);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * insert_link
 *		Append a link sealing ids[0..n) with their digests; its hash goes to
 *		hash.  Inside SPI.
 */
static void
insert_link(ALSealRun *run, int64 seal, const uint8 *prev, Datum *ids, int n,
			const char *digests, uint8 *hash)
{
	Oid			types[7] = {INT8OID, INT8ARRAYOID, BYTEAOID, BYTEAOID,
	INT8OID, INT8OID, TEXTOID};
	Datum		values[7];
	bytea	   *d = palloc(VARHDRSZ + n * AL_DIGEST_LEN);
	bytea	   *h = palloc(VARHDRSZ + AL_DIGEST_LEN);

	link_hash(prev, seal, digests, n, run->low, run->upto, run->pending, hash);
	SET_VARSIZE(d, VARHDRSZ + n * AL_DIGEST_LEN);
	memcpy(VARDATA(d), digests, n * AL_DIGEST_LEN);
	SET_VARSIZE(h, VARHDRSZ + AL_DIGEST_LEN);
	memcpy(VARDATA(h), hash, AL_DIGEST_LEN);

	values[0] = Int64GetDatum(seal);
	values[1] = PointerGetDatum(construct_array(ids, n, INT8OID, 8,
												FLOAT8PASSBYVAL,
												TYPALIGN_DOUBLE));
	values[2] = PointerGetDatum(d);
	values[3] = PointerGetDatum(h);
	values[4] = Int64GetDatum(run->low);
	values[5] = Int64GetDatum(run->upto);
	values[6] = CStringGetTextDatum(run->pending);
	al_spi_exec("INSERT INTO activity_log.seals"
				" (seal, activities, digests, hash, low, upto, pending, sealed_at)"
				" VALUES ($1, $2, $3, $4, $5, $6, $7::pg_catalog.xid8[],"
				" pg_catalog.statement_timestamp())",
				7, types, values, NULL, SPI_OK_INSERT);
}

/*
 * sealed_above
 *		The ids above low that a link seals already (in order): those of
 *		links made while a transaction held low back.  Inside SPI; the
 *		result is in the caller's context.
 */
static int64 *
sealed_above(int64 low, int *n)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(low)};
	int64	   *ids;
	uint64		i;

	al_spi_exec("SELECT x FROM activity_log.seals l,"
				" pg_catalog.unnest(l.activities) x"
				" WHERE l.upto OPERATOR(pg_catalog.>) $1"
				" AND x OPERATOR(pg_catalog.>) $1 ORDER BY x",
				1, types, values, NULL, SPI_OK_SELECT);
	ids = palloc(sizeof(int64) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		ids[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
											 SPI_tuptable->tupdesc, 1,
											 &isnull));
	}
	*n = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return ids;
}

/*
 * The receiver of a batch of seal_run's rows: each row's digest is made as
 * the executor hands it over, so the rows are never copied.
 */
static void
batch_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	ALSealBatch *batch = (ALSealBatch *) self;

	if (!batch->digesting)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(batch->cxt);

		digester_init_spi(&batch->digester, typeinfo, 1);
		batch->digesting = true;
		MemoryContextSwitchTo(oldcxt);
	}
}

static bool
batch_receive(TupleTableSlot *slot, DestReceiver *self)
{
	ALSealBatch *batch = (ALSealBatch *) self;
	int64		id;

	slot_getallattrs(slot);
	id = DatumGetInt64(slot->tts_values[0]);	/* a.id */
	while (batch->next_done < batch->ndone && batch->done[batch->next_done] < id)
		batch->next_done++;
	if (batch->next_done < batch->ndone && batch->done[batch->next_done] == id)
		return true;			/* a link seals it already */
	digest_values(&batch->digester, slot->tts_values, slot->tts_isnull,
				  (uint8 *) batch->digests + batch->n * AL_DIGEST_LEN);
	batch->ids[batch->n++] = Int64GetDatum(id);
	return true;
}

static void
batch_shutdown(DestReceiver *self)
{
}

static void
batch_destroy(DestReceiver *self)
{
}

/*
 * seal_run
 *		Seal what the snapshot shows committed and no link seals yet.
 *		Inside SPI.
 */
static void
seal_run(void *arg)
{
	ALSealRun  *run = (ALSealRun *) arg;
	Oid			types[2] = {INT8OID, INT8OID};
	bool		isnull;
	SPIPlanPtr	plan;
	uint8		prev[AL_DIGEST_LEN];
	int64		seal;
	ALSealBatch batch;
	SPIExecuteOptions options;
	int64		from;
	int64		to;
	int			i;

	read_last_link(&run->last);
	memcpy(prev, run->last.hash, AL_DIGEST_LEN);
	seal = run->last.seal;

	/* the last id handed out, then the snapshot (see the file header) */
	al_spi_exec("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END"
				" FROM activity_log.activity_id_seq",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	run->upto = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1,
											&isnull));
	run->snapshot = RegisterSnapshot(GetLatestSnapshot());
	run->pending = running_transactions(run->snapshot);
	if (strcmp(run->pending, "{}") == 0)
		run->low = run->upto;
	else if (pending_ended(run->last.pending_array, run->snapshot))
		run->low = Max(run->last.low, run->last.upto);
	else
		run->low = run->last.low;
	run->low = Min(run->low, run->upto);
	run->low = Max(run->low, run->last.low);

	memset(&batch, 0, sizeof(batch));
	batch.pub.receiveSlot = batch_receive;
	batch.pub.rStartup = batch_startup;
	batch.pub.rShutdown = batch_shutdown;
	batch.pub.rDestroy = batch_destroy;
	batch.pub.mydest = DestNone;
	batch.cxt = CurrentMemoryContext;
	batch.ids = palloc(sizeof(Datum) * AL_LINK_ROWS);
	batch.digests = palloc(AL_LINK_ROWS * AL_DIGEST_LEN);
	batch.done = sealed_above(run->last.low, &batch.ndone);

	/*
	 * The rows in id order, a link's worth of ids at a time: each batch is
	 * an index range scan of at most AL_LINK_ROWS ids, merged with the same
	 * ranges of the revisions and comment edits, whatever the size of the
	 * log.  Statistics lag a log that grows at its end (or are missing), and
	 * the planner then picks nested loops or sorts of whole ranges: the
	 * settings, undone when al_run_as_log_owner() returns, leave it only
	 * that plan.
	 */
	for (i = 0; i < (int) lengthof(plan_settings); i++)
		(void) set_config_option(plan_settings[i], "off", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	plan = SPI_prepare("SELECT " AL_DIGEST_COLUMNS
					   " FROM activity_log.activity a"
					   " LEFT JOIN activity_log.revision_store r"
					   " ON r.activity OPERATOR(pg_catalog.=) a.id"
					   " AND r.activity OPERATOR(pg_catalog.>) $1"
					   " AND r.activity OPERATOR(pg_catalog.<=) $2"
					   " LEFT JOIN activity_log.comment_edits s"
					   " ON s.activity OPERATOR(pg_catalog.=) a.id"
					   " AND s.activity OPERATOR(pg_catalog.>) $1"
					   " AND s.activity OPERATOR(pg_catalog.<=) $2"
					   " WHERE a.id OPERATOR(pg_catalog.>) $1"
					   " AND a.id OPERATOR(pg_catalog.<=) $2"
					   " ORDER BY a.id",
					   2, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	memset(&options, 0, sizeof(options));
	options.params = makeParamList(2);
	for (i = 0; i < 2; i++)
	{
		options.params->params[i].ptype = INT8OID;
		options.params->params[i].pflags = PARAM_FLAG_CONST;
		options.params->params[i].isnull = false;
	}
	options.read_only = true;	/* in the snapshot pushed below */
	options.dest = &batch.pub;
	PushActiveSnapshot(run->snapshot);
	for (from = run->last.low; from < run->upto; from = to)
	{
		int			rc;

		to = from + Min(run->upto - from, AL_LINK_ROWS);
		options.params->params[0].value = Int64GetDatum(from);
		options.params->params[1].value = Int64GetDatum(to);
		batch.n = 0;
		/* rows go to the receiver (so SPI calls it a utility statement) */
		rc = SPI_execute_plan_extended(plan, &options);
		if (rc < 0)
			elog(ERROR, "SPI_execute_plan_extended returned %s",
				 SPI_result_code_string(rc));
		if (batch.n > 0)
		{
			insert_link(run, ++seal, prev, batch.ids, batch.n, batch.digests,
						prev);
			run->count += batch.n;
		}
	}
	PopActiveSnapshot();
	SPI_freeplan(plan);

	/* nothing new, but the marks moved: a link without activities */
	if (run->count == 0 &&
		(run->low != run->last.low || run->upto != run->last.upto ||
		 strcmp(run->pending, run->last.pending) != 0))
		insert_link(run, ++seal, prev, batch.ids, 0, batch.digests, prev);
	UnregisterSnapshot(run->snapshot);
}

/*
 * al_seal_lock
 *		Take the chain for seal() or retention, without waiting: two of
 *		them at once would write links from the same last one.
 */
void
al_seal_lock(void)
{
	if (!ConditionalLockRelationOid(al_catalog()->seals,
									ShareUpdateExclusiveLock))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("the activity log's hash chain is being extended or resealed by another session"),
				 errdetail("seal(), prune() and prune_revisions() run one at a time."),
				 errhint("Try again once the other transaction has ended.")));
}

/*
 * activity_log_seal
 *		SQL: activity_log.seal() RETURNS bigint
 *
 * Seals the committed activity not sealed yet; returns how many it sealed.
 */
Datum
activity_log_seal(PG_FUNCTION_ARGS)
{
	ALSealRun	run;

	al_check_admin("seal or verify the activity log");
	al_seal_lock();
	memset(&run, 0, sizeof(run));
	al_run_as_log_owner(seal_run, &run);
	PG_RETURN_INT64(run.count);
}

/*
 * report
 *		One problem found by verify().
 */
static void
report(ALVerifyRun *run, bool has_id, int64 id, const char *problem)
{
	MemoryContext oldcxt;
	ALProblem  *p;

	if (run->found && run->first_only)
		return;
	run->found = true;
	oldcxt = MemoryContextSwitchTo(run->cxt);
	p = palloc(sizeof(ALProblem));
	p->has_id = has_id;
	p->id = id;
	p->problem = pstrdup(problem);
	run->problems = lappend(run->problems, p);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * problem_cmp
 *		Problems by activity (those of no activity first), then by name.
 */
static int
problem_cmp(const ListCell *a, const ListCell *b)
{
	ALProblem  *pa = lfirst(a);
	ALProblem  *pb = lfirst(b);

	if (pa->has_id != pb->has_id)
		return pa->has_id ? 1 : -1;
	if (pa->id != pb->id)
		return pa->id < pb->id ? -1 : 1;
	return strcmp(pa->problem, pb->problem);
}

/*
 * verify_links
 *		Recompute the chain of links: each hash from the one before, its
 *		digests and its bookkeeping.  Inside SPI.
 */
static void
verify_links(ALVerifyRun *run)
{
	uint8		prev[AL_DIGEST_LEN];
	int64		expect = 1;
	Portal		portal;

	memset(prev, 0, AL_DIGEST_LEN);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT seal, activities[1], digests,"
									   " pg_catalog.cardinality(activities), hash,"
									   " low, upto, pending::pg_catalog.text"
									   " FROM activity_log.seals ORDER BY seal",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, 16);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			bool		noid;
			int64		seal = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
			int64		first = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &noid));
			bytea	   *digests = DatumGetByteaPP(SPI_getbinval(tuple, desc, 3, &isnull));
			int			n = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
			bytea	   *hash = DatumGetByteaPP(SPI_getbinval(tuple, desc, 5, &isnull));
			uint8		want[AL_DIGEST_LEN];

			if (seal != expect)
				report(run, false, 0, "seal missing");
			expect = seal + 1;
			if (VARSIZE_ANY_EXHDR(digests) != (Size) n * AL_DIGEST_LEN)
			{
				report(run, !noid, first, "seal changed");
				continue;
			}
			link_hash(prev, seal, VARDATA_ANY(digests), n,
					  DatumGetInt64(SPI_getbinval(tuple, desc, 6, &isnull)),
					  DatumGetInt64(SPI_getbinval(tuple, desc, 7, &isnull)),
					  SPI_getvalue(tuple, desc, 8), want);
			if (VARSIZE_ANY_EXHDR(hash) != AL_DIGEST_LEN ||
				memcmp(VARDATA_ANY(hash), want, AL_DIGEST_LEN) != 0)
				report(run, !noid, first, "seal changed");
			/* go on from the stored hash, to find what else is wrong */
			if (VARSIZE_ANY_EXHDR(hash) == AL_DIGEST_LEN)
				memcpy(prev, VARDATA_ANY(hash), AL_DIGEST_LEN);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * verify_link_rows
 *		Check the activities of one link against its digests: each is there
 *		and unchanged (and a comment's text is that of its latest edit), or
 *		gone as a deleted comment.  Inside SPI.
 */
static void
verify_link_rows(ALVerifyRun *run, Datum activities, bytea *digests)
{
	Oid			types[1] = {INT8ARRAYOID};
	uint64		i;
	int			n = (int) (VARSIZE_ANY_EXHDR(digests) / AL_DIGEST_LEN);

	al_spi_exec("SELECT u.n, u.id, a.id IS NOT NULL,"
				" e.action, a.comment IS DISTINCT FROM e.comment, "
				AL_DIGEST_COLUMNS
				" FROM pg_catalog.unnest($1) WITH ORDINALITY u(id, n)"
				" LEFT JOIN activity_log.activity a"
				" ON a.id OPERATOR(pg_catalog.=) u.id"
				AL_DIGEST_JOINS
				" LEFT JOIN LATERAL (SELECT x.action, x.comment"
				"  FROM activity_log.comment_edits c"
				"  JOIN activity_log.activity x"
				"  ON x.id OPERATOR(pg_catalog.=) c.activity"
				"  WHERE c.comment OPERATOR(pg_catalog.=) u.id"
				"  ORDER BY c.activity DESC LIMIT 1) e ON true",
				1, types, &activities, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0 && !run->digesting)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(run->cxt);

		digester_init_spi(&run->digester, SPI_tuptable->tupdesc, 6);
		run->digesting = true;
		MemoryContextSwitchTo(oldcxt);
	}
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		values[5 + AL_DIGEST_NCOLUMNS];
		bool		nulls[5 + AL_DIGEST_NCOLUMNS];
		int64		ord;
		int64		id;
		bool		deleted_by_edit;
		uint8		digest[AL_DIGEST_LEN];

		digest_spi_row(&run->digester, i, 6, values, nulls, digest);
		ord = DatumGetInt64(values[0]);
		id = DatumGetInt64(values[1]);
		deleted_by_edit = !nulls[3] &&
			strcmp(TextDatumGetCString(values[3]), "comment_delete") == 0;
		if (!DatumGetBool(values[2]))
		{
			/* not there */
			if (!deleted_by_edit)
				report(run, true, id, "deleted");
			continue;
		}
		if (ord > n ||
			memcmp(digest, VARDATA_ANY(digests) + (ord - 1) * AL_DIGEST_LEN,
				   AL_DIGEST_LEN) != 0 ||
			deleted_by_edit ||
			(!nulls[3] && DatumGetBool(values[4])))
			report(run, true, id, "changed");
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * verify_rows
 *		Every sealed activity, link by link; then every activity no link
 *		seals against the last link's marks, and every revision's parent.
 *		Inside SPI.
 */
static void
verify_rows(ALVerifyRun *run)
{
	ALLink		last;
	Oid			types[3] = {INT8OID, INT8OID, TEXTOID};
	Datum		values[3];
	Portal		portal;

	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT activities, digests FROM activity_log.seals"
									   " ORDER BY seal",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPITupleTable *links;
		uint64		nlinks;
		uint64		i;

		SPI_cursor_fetch(portal, true, 4);
		links = SPI_tuptable;	/* the queries below replace it */
		nlinks = SPI_processed;
		if (nlinks == 0)
			break;
		for (i = 0; i < nlinks && !(run->found && run->first_only); i++)
		{
			bool		isnull;

			verify_link_rows(run,
							 SPI_getbinval(links->vals[i], links->tupdesc, 1, &isnull),
							 DatumGetByteaPP(SPI_getbinval(links->vals[i],
														   links->tupdesc, 2,
														   &isnull)));
		}
		SPI_freetuptable(links);
		if (run->found && run->first_only)
			break;
	}
	SPI_cursor_close(portal);
	if (run->found && run->first_only)
		return;

	read_last_link(&last);
	values[0] = Int64GetDatum(last.low);
	values[1] = Int64GetDatum(last.upto);
	values[2] = CStringGetTextDatum(last.pending);
	al_spi_exec("SELECT id, problem FROM ("
	/* rows no link seals that one should: slipped in behind our back */
				" SELECT a.id, 'inserted' AS problem"
				" FROM activity_log.activity a"
				" LEFT JOIN (SELECT pg_catalog.unnest(activities) AS id"
				"  FROM activity_log.seals) d"
				" ON d.id OPERATOR(pg_catalog.=) a.id"
				" WHERE d.id IS NULL"
				" AND a.id OPERATOR(pg_catalog.<=) $2"
				" AND NOT (a.id OPERATOR(pg_catalog.>) $1"
				"  AND a.transaction OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.xid8[]))"
				" UNION ALL"
	/* parent is a soft link (see the install script) */
				" SELECT r.activity, 'parent missing'"
				" FROM activity_log.revision_store r"
				" WHERE r.parent IS NOT NULL"
				" AND NOT EXISTS (SELECT FROM activity_log.revision_store p"
				"  WHERE p.activity OPERATOR(pg_catalog.=) r.parent)"
				") problems",
				3, types, values, NULL, SPI_OK_SELECT);
	{
		uint64		i;

		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;

			report(run, true,
				   DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
											   SPI_tuptable->tupdesc, 1,
											   &isnull)),
				   SPI_getvalue(SPI_tuptable->vals[i],
								SPI_tuptable->tupdesc, 2));
		}
	}
}

/*
 * verify_run
 *		The links, then the rows.  Inside SPI.
 */
static void
verify_run(void *arg)
{
	ALVerifyRun *run = (ALVerifyRun *) arg;

	verify_links(run);
	if (!(run->found && run->first_only))
		verify_rows(run);
}

/*
 * activity_log_verify
 *		SQL: activity_log.verify() RETURNS TABLE (activity bigint, problem text)
 *
 * Every problem found, by activity: a sealed activity "changed" or
 * "deleted", one "inserted" behind the extension's back, a link "seal
 * changed" (its first activity) or "seal missing" (no activity), a revision
 * whose "parent missing".  No row when the log verifies.
 */
Datum
activity_log_verify(PG_FUNCTION_ARGS)
{
	ALVerifyRun run;
	ReturnSetInfo *rsinfo;
	ListCell   *lc;

	al_check_admin("seal or verify the activity log");
	al_init_materialized_srf(fcinfo);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	memset(&run, 0, sizeof(run));
	run.cxt = CurrentMemoryContext;
	al_run_as_log_owner(verify_run, &run);
	list_sort(run.problems, problem_cmp);
	foreach(lc, run.problems)
	{
		ALProblem  *p = lfirst(lc);
		Datum		values[2];
		bool		nulls[2] = {!p->has_id, false};

		values[0] = Int64GetDatum(p->id);
		values[1] = CStringGetTextDatum(p->problem);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * al_seal_require_intact
 *		Before the extension changes sealed rows (retention): refuse if the
 *		log does not verify.
 */
void
al_seal_require_intact(void)
{
	ALVerifyRun run;

	memset(&run, 0, sizeof(run));
	run.cxt = CurrentMemoryContext;
	run.first_only = true;
	al_run_as_log_owner(verify_run, &run);
	if (run.found)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the activity log does not verify: %s at activity " INT64_FORMAT,
						((ALProblem *) linitial(run.problems))->problem,
						((ALProblem *) linitial(run.problems))->id),
				 errhint("Investigate with activity_log.verify() before changing sealed activity.")));
}

/*
 * reseal_run
 *		Make again every link that may seal an activity with id >= from:
 *		the activities still there, their digests now, and the hashes from
 *		there on.  Inside SPI.
 */
static void
reseal_run(void *arg)
{
	ALResealRun *run = (ALResealRun *) arg;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	Datum		first;
	uint8		prev[AL_DIGEST_LEN];
	Portal		portal;
	ALDigester	digester;
	bool		digesting = false;
	Datum		row[AL_DIGEST_NCOLUMNS];
	bool		rownulls[AL_DIGEST_NCOLUMNS];

	values[0] = Int64GetDatum(run->from);
	al_spi_exec("SELECT min(l.seal) FROM activity_log.seals l"
				" WHERE EXISTS (SELECT FROM pg_catalog.unnest(l.activities) x"
				"  WHERE x OPERATOR(pg_catalog.>=) $1)",
				1, types, values, NULL, SPI_OK_SELECT);
	first = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						  &isnull);
	if (isnull)
		return;					/* no link seals such a row */

	memset(prev, 0, AL_DIGEST_LEN);
	values[0] = first;
	al_spi_exec("SELECT hash FROM activity_log.seals"
				" WHERE seal OPERATOR(pg_catalog.=) ($1 OPERATOR(pg_catalog.-) 1)",
				1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		bytea	   *hash = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
														 SPI_tuptable->tupdesc,
														 1, &isnull));

		if (VARSIZE_ANY_EXHDR(hash) == AL_DIGEST_LEN)
			memcpy(prev, VARDATA_ANY(hash), AL_DIGEST_LEN);
	}

	/* each link in turn: its surviving activities, their digests now */
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT seal, low, upto, pending::pg_catalog.text,"
									   " activities FROM activity_log.seals"
									   " WHERE seal OPERATOR(pg_catalog.>=) $1"
									   " ORDER BY seal",
									   1, types, values, NULL, false, 0);
	for (;;)
	{
		uint64		i;
		uint64		n;
		SPITupleTable *links;

		SPI_cursor_fetch(portal, true, 16);
		n = SPI_processed;
		if (n == 0)
			break;
		links = SPI_tuptable;	/* the queries below replace it */
		for (i = 0; i < n; i++)
		{
			HeapTuple	tuple = links->vals[i];
			TupleDesc	desc = links->tupdesc;
			int64		seal = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
			Datum		activities = SPI_getbinval(tuple, desc, 5, &isnull);
			Oid			atypes[1] = {INT8ARRAYOID};
			Datum	   *ids;
			bytea	   *digests;
			uint8		hash[AL_DIGEST_LEN];
			bytea	   *h = palloc(VARHDRSZ + AL_DIGEST_LEN);
			Oid			utypes[4] = {INT8OID, INT8ARRAYOID, BYTEAOID, BYTEAOID};
			Datum		uvalues[4];
			uint64		j;

			al_spi_exec("SELECT " AL_DIGEST_COLUMNS
						" FROM pg_catalog.unnest($1) WITH ORDINALITY u(id, n)"
						" JOIN activity_log.activity a"
						" ON a.id OPERATOR(pg_catalog.=) u.id"
						AL_DIGEST_JOINS
						" ORDER BY u.n",
						1, atypes, &activities, NULL, SPI_OK_SELECT);
			ids = palloc(sizeof(Datum) * (SPI_processed + 1));
			digests = palloc(VARHDRSZ + SPI_processed * AL_DIGEST_LEN);
			SET_VARSIZE(digests, VARHDRSZ + SPI_processed * AL_DIGEST_LEN);
			if (SPI_processed > 0 && !digesting)
			{
				digester_init_spi(&digester, SPI_tuptable->tupdesc, 1);
				digesting = true;
			}
			for (j = 0; j < SPI_processed; j++)
			{
				digest_spi_row(&digester, j, 1, row, rownulls,
							   (uint8 *) VARDATA(digests) + j * AL_DIGEST_LEN);
				ids[j] = Int64GetDatum(DatumGetInt64(row[0]));	/* a.id */
			}

			link_hash(prev, seal, VARDATA(digests), (int) SPI_processed,
					  DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull)),
					  DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull)),
					  SPI_getvalue(tuple, desc, 4), hash);
			SET_VARSIZE(h, VARHDRSZ + AL_DIGEST_LEN);
			memcpy(VARDATA(h), hash, AL_DIGEST_LEN);
			uvalues[0] = Int64GetDatum(seal);
			uvalues[1] = PointerGetDatum(construct_array(ids, (int) SPI_processed,
														 INT8OID, 8,
														 FLOAT8PASSBYVAL,
														 TYPALIGN_DOUBLE));
			uvalues[2] = PointerGetDatum(digests);
			uvalues[3] = PointerGetDatum(h);
			SPI_freetuptable(SPI_tuptable);
			al_spi_exec("UPDATE activity_log.seals"
						" SET activities = $2, digests = $3, hash = $4"
						" WHERE seal OPERATOR(pg_catalog.=) $1",
						4, utypes, uvalues, NULL, SPI_OK_UPDATE);
			memcpy(prev, hash, AL_DIGEST_LEN);
		}
		SPI_freetuptable(links);
	}
	SPI_cursor_close(portal);
}

/*
 * al_reseal_from
 *		After retention deleted sealed rows (or their revisions) from
 *		activity id on: make their links again, and every later one.
 */
void
al_reseal_from(int64 id)
{
	ALResealRun run;

	run.from = id;
	al_run_as_log_owner(reseal_run, &run);
}
