/*-------------------------------------------------------------------------
 *
 * context.c
 *	  Who acts, from where and how: the context columns of an activity row.
 *
 * The application tells the database who acts through the activity_log.*
 * settings (or set_context(), which sets them transaction-locally).  When
 * a setting is empty the column falls back to what the server knows: the
 * session role, the client address, application_name.  "db_user" and
 * "transaction" never come from a setting.
 *
 * Values derived from the role or the connection are cached per backend;
 * the settings themselves are read on every call because SET LOCAL may
 * change them at any time.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/context.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "activity_log.h"

/* A role's name, cached by OID */
typedef struct ALRoleName
{
	Oid			roleid;
	Datum		name;			/* text, in TopMemoryContext */
} ALRoleName;

static ALRoleName session_role = {InvalidOid, (Datum) 0};
static ALRoleName current_role = {InvalidOid, (Datum) 0};

/* inet_client_addr(), computed once */
static bool client_addr_known = false;
static bool client_addr_isnull = true;
static Datum client_addr = (Datum) 0;

/* The last activity_log.ip value and its parsed form */
static char *parsed_ip_text = NULL;
static Datum parsed_ip = (Datum) 0;

static void role_names_invalidate(Datum arg, int cacheid, uint32 hashvalue);
static Datum role_name_text(ALRoleName *cache, Oid roleid);
static Datum client_address(bool *isnull);
static Datum context_ip(bool *isnull);
static Datum setting_or_null(const char *value, bool *isnull);

PG_FUNCTION_INFO_V1(activity_log_set_context);

/*
 * role_names_invalidate
 *		Syscache callback on pg_authid: a role may have been renamed.
 */
static void
role_names_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	session_role.roleid = InvalidOid;
	current_role.roleid = InvalidOid;
}

/*
 * al_context_init
 *		Register the invalidation callback; called once from _PG_init.
 */
void
al_context_init(void)
{
	CacheRegisterSyscacheCallback(AUTHOID, role_names_invalidate, (Datum) 0);
}

/*
 * al_check_ip
 *		Check hook of activity_log.ip: empty, or what the inet type accepts.
 *
 * The test follows inet_in(): the family is IPv6 if the text has a colon,
 * and the text must parse with at most the family's number of bits.  It is
 * done without inet_in() because a check hook must not throw.
 */
bool
al_check_ip(char **newval, void **extra, GucSource source)
{
	const char *src = *newval;
	unsigned char addr[16];
	int			family;
	int			bits;

	if (src == NULL || src[0] == '\0')
		return true;

	family = strchr(src, ':') != NULL ? PGSQL_AF_INET6 : PGSQL_AF_INET;
	bits = pg_inet_net_pton(family, src, addr, -1);
	if (bits < 0 || bits > (family == PGSQL_AF_INET6 ? 128 : 32))
	{
		GUC_check_errcode(ERRCODE_INVALID_TEXT_REPRESENTATION);
		GUC_check_errmsg("invalid IP address \"%s\" for activity_log.ip", src);
		return false;
	}
	return true;
}

/*
 * role_name_text
 *		The name of a role as a text datum, cached for the last OID asked.
 */
static Datum
role_name_text(ALRoleName *cache, Oid roleid)
{
	if (cache->roleid != roleid)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);
		char	   *name = GetUserNameFromId(roleid, false);

		if (cache->name != (Datum) 0)
			pfree(DatumGetPointer(cache->name));
		cache->name = CStringGetTextDatum(name);
		cache->roleid = roleid;
		pfree(name);
		MemoryContextSwitchTo(oldcxt);
	}
	return cache->name;
}

/*
 * client_address
 *		inet_client_addr() of this backend; NULL for a Unix-socket client.
 */
static Datum
client_address(bool *isnull)
{
	if (!client_addr_known)
	{
		LOCAL_FCINFO(fcinfo, 0);
		Datum		result;

		InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
		result = inet_client_addr(fcinfo);
		client_addr_isnull = fcinfo->isnull;
		client_addr_known = true;
		if (!client_addr_isnull)
		{
			MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

			client_addr = datumCopy(result, false, -1);
			MemoryContextSwitchTo(oldcxt);
		}
	}
	*isnull = client_addr_isnull;
	return client_addr;
}

/*
 * context_ip
 *		activity_log.ip parsed as inet, else the client address.
 */
static Datum
context_ip(bool *isnull)
{
	if (al_context_ip == NULL || al_context_ip[0] == '\0')
		return client_address(isnull);

	if (parsed_ip_text == NULL || strcmp(parsed_ip_text, al_context_ip) != 0)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);
		Datum		value;

		value = DirectFunctionCall1(inet_in, CStringGetDatum(al_context_ip));
		if (parsed_ip_text != NULL)
		{
			pfree(parsed_ip_text);
			pfree(DatumGetPointer(parsed_ip));
		}
		parsed_ip = value;
		parsed_ip_text = pstrdup(al_context_ip);
		MemoryContextSwitchTo(oldcxt);
	}
	*isnull = false;
	return parsed_ip;
}

/*
 * setting_or_null
 *		A string setting as text, or NULL when it is empty.
 */
static Datum
setting_or_null(const char *value, bool *isnull)
{
	*isnull = (value == NULL || value[0] == '\0');
	return *isnull ? (Datum) 0 : CStringGetTextDatum(value);
}

/*
 * al_current_actor
 *		Who acts: activity_log.user, else the session's role name (text).
 */
Datum
al_current_actor(void)
{
	bool		isnull;
	Datum		datum = setting_or_null(al_context_user, &isnull);

	return isnull ? role_name_text(&session_role, GetSessionUserId()) : datum;
}

/*
 * al_check_context
 *		With activity_log.require_context on, refuse a change when the
 *		application has not said who acts.
 */
void
al_check_context(void)
{
	if (al_require_context &&
		(al_context_user == NULL || al_context_user[0] == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("activity_log.user is not set"),
				 errdetail("activity_log.require_context is on: changes to tracked tables must say who acts."),
				 errhint("Call activity_log.set_context() or SET LOCAL activity_log.\"user\" in the transaction first.")));
}

/*
 * al_current_role_name
 *		The name of the current role (what "db_user" records), as text.
 */
Datum
al_current_role_name(void)
{
	return role_name_text(&current_role, GetUserId());
}

/*
 * al_fill_context
 *		Fill the context columns of an activity row.
 *
 * Sets user, timestamp, ip, user_agent, origin, db_user and transaction in
 * values/nulls (indexed by attribute number - 1).  Assigns a transaction
 * id if the transaction has none yet.
 */
void
al_fill_context(Datum *values, bool *nulls)
{
	Datum		datum;
	bool		isnull;

	values[Anum_al_activity_user - 1] = al_current_actor();
	nulls[Anum_al_activity_user - 1] = false;

	values[Anum_al_activity_timestamp - 1] =
		TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
	nulls[Anum_al_activity_timestamp - 1] = false;

	values[Anum_al_activity_ip - 1] = context_ip(&isnull);
	nulls[Anum_al_activity_ip - 1] = isnull;

	datum = setting_or_null(al_context_user_agent, &isnull);
	if (isnull)
		datum = setting_or_null(application_name, &isnull);
	values[Anum_al_activity_user_agent - 1] = datum;
	nulls[Anum_al_activity_user_agent - 1] = isnull;

	values[Anum_al_activity_origin - 1] =
		setting_or_null(al_context_origin, &isnull);
	nulls[Anum_al_activity_origin - 1] = isnull;

	values[Anum_al_activity_db_user - 1] = al_current_role_name();
	nulls[Anum_al_activity_db_user - 1] = false;

	values[Anum_al_activity_transaction - 1] =
		FullTransactionIdGetDatum(GetTopFullTransactionId());
	nulls[Anum_al_activity_transaction - 1] = false;
}

/*
 * activity_log_set_context
 *		SQL: activity_log.set_context("user", ip, user_agent, origin)
 *
 * Sets the four settings for the rest of the current transaction, like
 * SET LOCAL.  A NULL argument clears its setting.
 */
Datum
activity_log_set_context(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {
		"activity_log.user", "activity_log.ip",
		"activity_log.user_agent", "activity_log.origin"
	};
	int			i;

	for (i = 0; i < 4; i++)
	{
		const char *value = "";

		if (!PG_ARGISNULL(i))
		{
			if (i == 1)
				value = DatumGetCString(DirectFunctionCall1(inet_out,
															PG_GETARG_DATUM(i)));
			else
				value = text_to_cstring(PG_GETARG_TEXT_PP(i));
		}
		(void) set_config_option(names[i], value,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
								 true, 0, false);
	}
	PG_RETURN_VOID();
}
