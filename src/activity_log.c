/*-------------------------------------------------------------------------
 *
 * activity_log.c
 *	  Module entry point and settings of the activity_log extension.
 *
 * _PG_init only defines the settings and asks each subsystem to register
 * its callbacks; all real work lives in the other files of src/.  Also
 * here: the checks of SQL arguments that every API function shares.
 *
 * The four context settings say who acts, from where and how.  They are
 * ordinary user settings on purpose: an application sets them per
 * transaction (SET LOCAL or activity_log.set_context()), which works behind
 * a transaction pooler.  They are never trusted for "db_user", which always
 * comes from the database role itself.
 *
 * Copyright (c) 2026, the activity_log authors
 *
 * IDENTIFICATION
 *	  src/activity_log.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "activity_log.h"
#include "compat.h"

PG_MODULE_MAGIC;

char	   *al_context_user = NULL;
char	   *al_context_ip = NULL;
char	   *al_context_user_agent = NULL;
char	   *al_context_origin = NULL;
bool		al_require_context = false;

void		_PG_init(void);

/*
 * _PG_init
 *		Define the settings and register the cache callbacks.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("activity_log.user",
							   gettext_noop("Sets the user recorded for changes and comments."),
							   gettext_noop("When empty, the session's role name is recorded."),
							   &al_context_user,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("activity_log.ip",
							   gettext_noop("Sets the IP address recorded for changes and comments."),
							   gettext_noop("When empty, the client's address is recorded."),
							   &al_context_ip,
							   "",
							   PGC_USERSET,
							   0,
							   al_check_ip, NULL, NULL);

	DefineCustomStringVariable("activity_log.user_agent",
							   gettext_noop("Sets the user agent recorded for changes and comments."),
							   gettext_noop("When empty, application_name is recorded."),
							   &al_context_user_agent,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("activity_log.origin",
							   gettext_noop("Sets the origin recorded for changes and comments."),
							   NULL,
							   &al_context_origin,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("activity_log.require_context",
							 gettext_noop("Refuses changes to tracked tables when activity_log.user is not set."),
							 gettext_noop("Only superusers may change it, so that an application cannot opt out."),
							 &al_require_context,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("activity_log");

	/*
	 * Transaction callbacks run in the reverse order of registration:
	 * capture's (which writes held changes before commit) must run before
	 * storage's (which closes the log tables).
	 */
	al_storage_init();
	al_capture_init();
	al_relinfo_init();
	al_context_init();
}

/*
 * al_require_arg
 *		Refuse a NULL argument of a function declared non-strict.
 */
void
al_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/*
 * al_text_arg
 *		A text argument that must not be NULL (nor blank, if nonblank).
 */
char *
al_text_arg(FunctionCallInfo fcinfo, int argno, const char *name,
			bool nonblank)
{
	char	   *value;

	al_require_arg(fcinfo, argno, name);
	value = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (nonblank && value[strspn(value, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", name)));
	return value;
}
