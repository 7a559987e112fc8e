-- The activity_log demo: track a table, change it from "different clients",
-- and read the activity and the revisions.
\pset footer off
\echo
\echo '== CREATE EXTENSION and track a table'
CREATE EXTENSION activity_log;
CREATE TABLE articles (
	id serial PRIMARY KEY,
	title text NOT NULL,
	status text NOT NULL DEFAULT 'draft',
	author_password text
);
SELECT activity_log.track('articles', exclude => ARRAY['author_password']) \g /dev/null
SELECT * FROM activity_log.tracked;

\echo '== an application says who acts, per transaction (works behind a pooler)'
BEGIN;
SELECT activity_log.set_context('2d321940-69f5-445f-be6b-c773fa58a820',
								'139.178.128.0', 'Mozilla/5.0 (Macintosh)', 'cms') \g /dev/null
INSERT INTO articles (title, author_password) VALUES ('Hello World', 's3cret');
INSERT INTO articles (title) VALUES ('Second post');
COMMIT;

\echo '== a migration or cron job changes data directly: still captured'
SET application_name = 'nightly-cron';
UPDATE articles SET status = 'published' WHERE id = 1;
UPDATE articles SET status = 'published' WHERE id = 1;   -- no change: not logged
UPDATE articles SET author_password = 'other';            -- excluded column: not logged
DELETE FROM articles WHERE id = 2;

\echo '== activity_log.activity'
SELECT id, action, "user", ip, user_agent, origin, collection, item, db_user
FROM activity_log.activity ORDER BY id;

\echo '== activity_log.revisions (data = whole row, delta = what changed)'
SELECT id, activity, collection, item, data, delta
FROM activity_log.revisions ORDER BY id;

\echo '== the Activity API: a comment, an application event, a filtered listing'
SELECT id, action, "user", collection, item, comment
FROM activity_log.create_comment('articles', 1, 'Looks **good** to me');
SELECT id, action, collection, item FROM activity_log.log('login', 'directus_users', 'alice');
SELECT id, action, "user", item
FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "articles"}, "action": {"_in": ["update", "comment"]}}, "sort": "-id"}');

\echo '== GET /activity/:id as JSON, for the first change of articles'
SELECT jsonb_pretty(activity_log.activity_json((SELECT min(id) FROM activity_log.activity
                                                WHERE collection = 'articles')));
