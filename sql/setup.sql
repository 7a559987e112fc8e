-- Install the extension and the tables the suite uses.
CREATE EXTENSION activity_log;

-- what CREATE EXTENSION made
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'activity_log'::regnamespace
ORDER BY c.relname;

-- the log and the registrations survive pg_dump
SELECT unnest(extconfig)::regclass AS config
FROM pg_extension WHERE extname = 'activity_log'
ORDER BY config::text;

CREATE TABLE articles (
	id serial PRIMARY KEY,
	title text NOT NULL,
	body text,
	status text DEFAULT 'draft',
	price numeric(10,2),
	tags text[],
	meta jsonb,
	published boolean DEFAULT false,
	score float8,
	created date DEFAULT '2021-02-02',
	words int GENERATED ALWAYS AS (coalesce(array_length(regexp_split_to_array(body, '\s+'), 1), 0)) STORED
);
SELECT activity_log.track('articles');

-- a helper view for the tests: the log of the tables, without volatile
-- columns (track() and untrack() are recorded too, in the collection
-- activity_log.tracking: the suite looks at those where it means to)
CREATE VIEW log AS
SELECT a.id, a.action, a.collection, a.item, r.data, r.delta
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection <> 'activity_log.tracking';

-- a helper for the tests: run a statement, say "ok" or its error (SQLSTATE
-- and message, numbers masked so that no id is printed)
CREATE FUNCTION try_sql(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END
$$;
