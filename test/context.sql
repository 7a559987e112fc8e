-- test/context.sql: who acts, from where and how: set_context(), the
-- activity_log.* settings and their defaults.
--
-- Everything happens in one transaction that is rolled back.  The
-- connection may be over a Unix socket or TCP, so the default ip is
-- compared with inet_client_addr(), never with a literal.

BEGIN;
SET LOCAL client_min_messages = warning;

SELECT plan(47);

-- (An invalid SET activity_log.ip issued before the library is loaded in a
-- session is only checked when it loads, as the README says; every check
-- below runs after set_context() has loaded it.)

-- Load the library and start from a clean context
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'set_context(NULL) clears the context');
SELECT results_eq(
    $$SELECT current_setting('activity_log.user'), current_setting('activity_log.ip'),
             current_setting('activity_log.user_agent'), current_setting('activity_log.origin')$$,
    $$VALUES ('', '', '', '')$$,
    'all four settings are empty');

-- Invalid IP addresses ---------------------------------------------------------

SELECT throws_ok($$SET LOCAL activity_log.ip = 'not-an-ip'$$,
    '22P02', 'invalid IP address "not-an-ip" for activity_log.ip',
    'SET activity_log.ip to an invalid address fails with 22P02');
SELECT throws_ok($$SELECT set_config('activity_log.ip', '10.0.0.256', true)$$,
    '22P02', 'invalid IP address "10.0.0.256" for activity_log.ip',
    'set_config() of an invalid address fails with 22P02');
SELECT throws_ok($$SET LOCAL activity_log.ip = '1.2.3.4/33'$$,
    '22P02', NULL,
    'an IPv4 netmask over 32 bits is invalid');
SELECT throws_ok($$SET LOCAL activity_log.ip = '2001:db8::1/129'$$,
    '22P02', NULL,
    'an IPv6 netmask over 128 bits is invalid');
SELECT throws_ok($$SELECT activity_log.set_context('x', 'bogus')$$,
    '22P02', NULL,
    'set_context() with an invalid address fails with 22P02');
SELECT is(current_setting('activity_log.ip'), '',
    'the failed attempts left activity_log.ip unchanged');
SELECT throws_ok($$SET LOCAL activity_log.nonexistent = 'x'$$,
    '42602', NULL,
    'activity_log is a reserved prefix: an unknown setting under it is refused');

CREATE TABLE al_tap_ctx (id integer PRIMARY KEY, v text);
SELECT lives_ok($$SELECT activity_log.track('al_tap_ctx')$$, 'track al_tap_ctx');

-- Defaults -------------------------------------------------------------------------

SET LOCAL application_name = 'al_tap_app';
INSERT INTO al_tap_ctx VALUES (1, 'defaults');
SELECT is(
    (SELECT "user" FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '1'),
    session_user::text,
    'without context, user = session_user');
SELECT is(
    (SELECT ip FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '1'),
    inet_client_addr(),
    'without context, ip = inet_client_addr()');
SELECT is(
    (SELECT user_agent FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '1'),
    'al_tap_app',
    'without context, user_agent = application_name');
SELECT is(
    (SELECT origin FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '1'),
    NULL,
    'without context, origin is NULL');
SELECT is(
    (SELECT db_user FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '1'),
    current_user::text,
    'db_user = current_user');

SET LOCAL application_name = '';
INSERT INTO al_tap_ctx VALUES (2, 'no application_name');
SELECT is(
    (SELECT user_agent FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '2'),
    NULL,
    'without context and with application_name empty, user_agent is NULL');

-- set_context() ------------------------------------------------------------------

SET LOCAL application_name = 'al_tap_app';
SELECT lives_ok($$SELECT activity_log.set_context('alice', '10.0.0.1', 'agent', 'web')$$,
    'set_context(alice, 10.0.0.1, agent, web)');
SELECT results_eq(
    $$SELECT current_setting('activity_log.user'), current_setting('activity_log.ip'),
             current_setting('activity_log.user_agent'), current_setting('activity_log.origin')$$,
    $$VALUES ('alice', '10.0.0.1', 'agent', 'web')$$,
    'set_context() sets the four settings');
INSERT INTO al_tap_ctx VALUES (3, 'alice');
UPDATE al_tap_ctx SET v = 'alice!' WHERE id = 3;
DELETE FROM al_tap_ctx WHERE id = 3;
SELECT results_eq(
    $$SELECT action, "user", ip, user_agent, origin, db_user FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '3' ORDER BY id$$,
    $$VALUES ('create', 'alice', '10.0.0.1'::inet, 'agent', 'web', current_user::text COLLATE "default"),
             ('update', 'alice', '10.0.0.1'::inet, 'agent', 'web', current_user::text COLLATE "default"),
             ('delete', 'alice', '10.0.0.1'::inet, 'agent', 'web', current_user::text COLLATE "default")$$,
    'create, update and delete record the context; db_user stays the database role');
TRUNCATE al_tap_ctx;
SELECT results_eq(
    $$SELECT action, "user", ip, user_agent, origin FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('truncate', 'alice', '10.0.0.1'::inet, 'agent', 'web')$$,
    'a truncate records the context');

SELECT lives_ok($$SELECT activity_log.set_context('bob')$$, 'set_context(bob): the others default to NULL');
SELECT results_eq(
    $$SELECT current_setting('activity_log.user'), current_setting('activity_log.ip'),
             current_setting('activity_log.user_agent'), current_setting('activity_log.origin')$$,
    $$VALUES ('bob', '', '', '')$$,
    'set_context(bob) clears ip, user_agent and origin');
INSERT INTO al_tap_ctx VALUES (4, 'bob');
SELECT is(
    (SELECT "user" FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '4'),
    'bob',
    'set_context(bob): user = bob');
SELECT is(
    (SELECT ip FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '4'),
    inet_client_addr(),
    'set_context(bob): ip falls back to inet_client_addr()');
SELECT is(
    (SELECT user_agent FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '4'),
    'al_tap_app',
    'set_context(bob): user_agent falls back to application_name');
SELECT is(
    (SELECT origin FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '4'),
    NULL,
    'set_context(bob): origin is NULL');

SELECT lives_ok($$SELECT activity_log.set_context('carol', '2001:db8::1', NULL, NULL)$$,
    'set_context() with an IPv6 address');
INSERT INTO al_tap_ctx VALUES (5, 'carol');
SELECT is(
    (SELECT ip FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '5'),
    '2001:db8::1'::inet,
    'an IPv6 address is recorded');

SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'set_context(NULL)');
INSERT INTO al_tap_ctx VALUES (6, 'nobody');
SELECT is(
    (SELECT "user" FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '6'),
    session_user::text,
    'after set_context(NULL), user is session_user again');

-- The settings themselves ------------------------------------------------------------

-- ("user" is a reserved word: SET needs it quoted, set_config() does not)
SET LOCAL activity_log."user" = 'dave';
SET LOCAL activity_log.ip = '192.168.1.2/24';
SET LOCAL activity_log.user_agent = 'curl/8.0';
SET LOCAL activity_log.origin = 'api';
INSERT INTO al_tap_ctx VALUES (7, 'dave');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '7'$$,
    $$VALUES ('dave', '192.168.1.2/24'::inet, 'curl/8.0', 'api')$$,
    'SET LOCAL activity_log.* is recorded (an address with netmask too)');
SELECT is(
    (SELECT family(ip) FROM activity_log.activity WHERE collection = 'al_tap_ctx' AND item = '7'),
    4,
    'the recorded ip is a real inet');

SELECT lives_ok($$SELECT set_config('activity_log.user', 'erin', true)$$,
    'set_config(activity_log.user, erin, true)');
SET LOCAL activity_log.origin = '';
SET LOCAL activity_log.user_agent = '';
INSERT INTO al_tap_ctx VALUES (8, 'erin');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '8'$$,
    $$VALUES ('erin', '192.168.1.2/24'::inet, 'al_tap_app', NULL::text)$$,
    'each setting is read at each change; an empty one falls back to its default');

-- One statement sees one context; the next one sees the new one
SET LOCAL activity_log."user" = 'frank';
INSERT INTO al_tap_ctx VALUES (9, 'frank'), (10, 'frank');
SET LOCAL activity_log."user" = 'grace';
UPDATE al_tap_ctx SET v = 'grace' WHERE id = 9;
SELECT results_eq(
    $$SELECT action, item, "user" FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item IN ('9', '10') ORDER BY id$$,
    $$VALUES ('create', '9', 'frank'), ('create', '10', 'frank'), ('update', '9', 'grace')$$,
    'a change records the context in force when it is made');

-- set_context() is transaction-local ---------------------------------------------------

SELECT lives_ok($$SELECT activity_log.set_context('heidi', '10.1.1.1', 'ua', 'outer')$$,
    'set_context(heidi, ...)');

-- A savepoint rolled back undoes it, like SET LOCAL
SAVEPOINT al_tap_sp;
DO $$BEGIN PERFORM activity_log.set_context('ivan', '10.2.2.2', 'ua2', 'inner'); END$$;
ROLLBACK TO SAVEPOINT al_tap_sp;
SELECT results_eq(
    $$SELECT current_setting('activity_log.user'), current_setting('activity_log.ip'),
             current_setting('activity_log.user_agent'), current_setting('activity_log.origin')$$,
    $$VALUES ('heidi', '10.1.1.1', 'ua', 'outer')$$,
    'set_context() in a rolled back savepoint is undone');

-- A function with a SET clause for a setting undoes a SET LOCAL of that
-- setting done inside it at function exit, but keeps a session-level SET:
-- this tells the two apart without committing.
CREATE FUNCTION al_tap_set_context_inside() RETURNS text
    LANGUAGE plpgsql
    SET activity_log."user" FROM CURRENT SET activity_log.ip FROM CURRENT
    SET activity_log.user_agent FROM CURRENT SET activity_log.origin FROM CURRENT
    AS $$
BEGIN
    PERFORM activity_log.set_context('judy', '10.3.3.3', 'ua3', 'function');
    RETURN current_setting('activity_log.user');
END
$$;
CREATE FUNCTION al_tap_set_config_session() RETURNS text
    LANGUAGE plpgsql SET activity_log.origin FROM CURRENT
    AS $$
BEGIN
    PERFORM set_config('activity_log.origin', 'session-level', false);
    RETURN current_setting('activity_log.origin');
END
$$;
SELECT is(al_tap_set_context_inside(), 'judy', 'inside the function, set_context() took effect');
SELECT results_eq(
    $$SELECT current_setting('activity_log.user'), current_setting('activity_log.ip'),
             current_setting('activity_log.user_agent'), current_setting('activity_log.origin')$$,
    $$VALUES ('heidi', '10.1.1.1', 'ua', 'outer')$$,
    'after the function, its set_context() is gone: set_context() acts like SET LOCAL');
SELECT is(al_tap_set_config_session(), 'session-level', '(control) a session-level set_config() inside the function');
SELECT is(current_setting('activity_log.origin'), 'session-level',
    '(control) survives the function exit, so the previous test does tell LOCAL from SESSION');
SELECT lives_ok($$SELECT activity_log.set_context('heidi', '10.1.1.1', 'ua', 'outer')$$,
    'set_context(heidi, ...) again');

INSERT INTO al_tap_ctx VALUES (11, 'heidi');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '11'$$,
    $$VALUES ('heidi', '10.1.1.1'::inet, 'ua', 'outer')$$,
    'the next change records the transaction''s context');

-- The context is not the database role -------------------------------------------------

CREATE ROLE al_tap_ctx_role NOLOGIN;
GRANT INSERT ON al_tap_ctx TO al_tap_ctx_role;
SET LOCAL ROLE al_tap_ctx_role;
INSERT INTO al_tap_ctx VALUES (12, 'as a role');
RESET ROLE;
SELECT results_eq(
    $$SELECT "user", db_user FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '12'$$,
    $$VALUES ('heidi', 'al_tap_ctx_role')$$,
    'under SET ROLE: user comes from the context, db_user is the role');
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'set_context(NULL)');
SET LOCAL ROLE al_tap_ctx_role;
INSERT INTO al_tap_ctx VALUES (13, 'as a role');
RESET ROLE;
SELECT results_eq(
    $$SELECT "user", db_user FROM activity_log.activity
       WHERE collection = 'al_tap_ctx' AND item = '13'$$,
    $$VALUES (session_user::text COLLATE "default", 'al_tap_ctx_role')$$,
    'under SET ROLE without context: user is the session user, not the role');

SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_ctx'),
    17::bigint,
    'every change of al_tap_ctx was logged once');

SELECT * FROM finish();
ROLLBACK;
