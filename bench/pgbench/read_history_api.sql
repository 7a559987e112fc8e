-- item_history of one frequently updated item; pgbench -D hot=<rows per collection / 50>
\set c random(1, 5)
\set k random(1, :hot)
SELECT * FROM activity_log.item_history('coll_' || :c, (:k * 50)::text);
