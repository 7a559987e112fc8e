-- single-row UPDATE by random id (systems a to d); pgbench -D n=<prefilled rows>
\set id random(1, :n)
UPDATE items SET status = CASE status WHEN 'draft' THEN 'review' WHEN 'review' THEN 'published' WHEN 'published' THEN 'archived' ELSE 'draft' END, qty = qty + 1 WHERE id = :id;
