-- single-row INSERT (systems a to d); pgbench -D n=<prefilled rows>
\set r random(1, 1000000)
\set q random(0, 499)
\set p random(100, 99999)
INSERT INTO items (title, body, status, price, qty, tags, updated_at, meta)
VALUES ('Item ' || :r, 'benefit argument bottle charity advice amount carbon answer blanket category advice candle audience address animal bridge branch amount balance animal carpet bridge advice castle apple author chapter chapter category advice castle category', 'draft', :p / 100.0, :q, ARRAY['tomato', 'river', 'kitchen'], now(),
        '{"color": "yellow", "weight": 4.2, "featured": false, "dims": [3, 4, 5]}');
