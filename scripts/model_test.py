#!/usr/bin/python3
"""Model-based randomized test of activity_log's capture.

Random transactions run against tracked tables of many shapes, and a model
kept here predicts, for every statement, what each table holds afterwards
and which row changes the log must show.  After every transaction the
database is compared with the model and the log with the prediction:

  * the tables hold exactly what the model says (else the model is wrong:
    the run stops and says so);
  * exactly one activity per committed row change, none for rolled back
    work, in the order the model made them per item, with the right
    action and previous_item;
  * an update's delta holds exactly the logged columns that changed; a
    create's data holds every logged column;
  * every parent exists, and a change made by a foreign key action points
    at the change that caused it (and no other change has a parent);
  * the latest revision of every row whose last change was logged equals
    the row (excluded columns left out, masked ones as the marker);
  * item_at(collection, key, now()) is the row that has the key, or NULL;
  * from time to time: verify() is clean after seal(), and
    undo_transaction() of the last transaction gives back the state before
    it (predicted by replaying the undo on the model);
  * at the end, a pg_dump -Fc / pg_restore round trip prints nothing and
    restores every row of the tables and of the log.

A run is deterministic for a seed.  Usage:

  model_test.py --seeds 1,2,3 [--transactions 200]    fixed seeds (CI)
  model_test.py --soak 30                             random seeds for 30 min

The database is reached through the usual PG* variables.  Exit status 1 if
any check failed; every failure names its seed and transaction.
"""

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal

import psycopg2
import psycopg2.extensions
import psycopg2.extras

MASK = '**********'

psycopg2.extras.register_default_jsonb(
    loads=lambda s: json.loads(s, parse_float=Decimal), globally=True)
psycopg2.extras.register_default_json(
    loads=lambda s: json.loads(s, parse_float=Decimal), globally=True)


class Predicted(Exception):
    """The model says the statement fails."""


class Divergence(Exception):
    """The database does not hold what the model says: the model is wrong."""


# ---------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------

SCHEMA = r"""
SET client_min_messages = warning;
CREATE EXTENSION activity_log;

CREATE TABLE m_single (id int PRIMARY KEY, name text, qty int,
    price numeric(10,2), tags text[], doc jsonb, at timestamptz, flag boolean,
    big text, total numeric GENERATED ALWAYS AS (price * qty) STORED);
CREATE TABLE m_comp (key_id int, lang text, label text,
    PRIMARY KEY (key_id, lang));
CREATE TABLE m_uuid (id uuid PRIMARY KEY, v text, n int);
CREATE TABLE m_text (slug text PRIMARY KEY, body text, secret text, pw text);

CREATE TABLE m_range (id int PRIMARY KEY, v text, big text) PARTITION BY RANGE (id);
CREATE TABLE m_range_p0 PARTITION OF m_range FOR VALUES FROM (0) TO (100);
CREATE TABLE m_range_p1 PARTITION OF m_range FOR VALUES FROM (100) TO (200);
CREATE TABLE m_range_p2 (junk int, big text, v text, id int NOT NULL);
ALTER TABLE m_range_p2 DROP COLUMN junk;
ALTER TABLE m_range ATTACH PARTITION m_range_p2 FOR VALUES FROM (200) TO (300);

CREATE TABLE m_list (id int, region text, v text, PRIMARY KEY (id, region))
    PARTITION BY LIST (region);
CREATE TABLE m_list_eu PARTITION OF m_list FOR VALUES IN ('eu');
CREATE TABLE m_list_us PARTITION OF m_list FOR VALUES IN ('us');
CREATE TABLE m_list_asia PARTITION OF m_list FOR VALUES IN ('asia');

CREATE TABLE m_parent (id int PRIMARY KEY, name text);
CREATE TABLE m_child (id int PRIMARY KEY,
    parent_id int REFERENCES m_parent ON DELETE CASCADE ON UPDATE CASCADE,
    note text);
CREATE TABLE m_child2 (id int PRIMARY KEY,
    parent_id int REFERENCES m_parent ON DELETE SET NULL, note text);

CREATE TABLE m_act (id int PRIMARY KEY, n int);
CREATE TABLE m_side (src int, seq int, note text, PRIMARY KEY (src, seq));

-- the source partition of a move refuses some rows after the capture saw
-- the DELETE half, and writes to another tracked table for others
CREATE FUNCTION m_range_p0_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.v = 'boom' THEN
        RAISE EXCEPTION 'boom';
    ELSIF OLD.v = 'side' THEN
        INSERT INTO m_side (src, seq, note)
        VALUES (OLD.id, (SELECT coalesce(max(seq), 0) + 1 FROM m_side
                         WHERE src = OLD.id), 'left p0');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER zz_deleted AFTER DELETE ON m_range_p0
    FOR EACH ROW EXECUTE FUNCTION m_range_p0_deleted();
-- the target partition drops some rows (a move that never arrives)
CREATE FUNCTION m_range_p1_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.v = 'drop' THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER zz_drop BEFORE INSERT ON m_range_p1
    FOR EACH ROW EXECUTE FUNCTION m_range_p1_drop();
"""

# registration options: (mode, exclude, mask)
# the collection of the activities track() and untrack() record
REGISTRY = 'activity_log.tracking'

TRACK = {
    'm_single': ('all', [], []),
    'm_comp': ('all', [], []),
    'm_uuid': ('all', [], []),
    'm_text': ('all', ['secret'], ['pw']),
    'm_range': ('all', [], []),
    'm_list': ('all', [], []),
    'm_parent': ('all', [], []),
    'm_child': ('all', [], []),
    'm_child2': ('all', [], []),
    'm_act': ('activity', [], []),
    'm_side': ('all', [], []),
}

KEYS = {
    'm_single': ['id'], 'm_comp': ['key_id', 'lang'], 'm_uuid': ['id'],
    'm_text': ['slug'], 'm_range': ['id'], 'm_list': ['id', 'region'],
    'm_parent': ['id'], 'm_child': ['id'], 'm_child2': ['id'],
    'm_act': ['id'], 'm_side': ['src', 'seq'],
}

COLUMNS = {
    'm_single': ['id', 'name', 'qty', 'price', 'tags', 'doc', 'at', 'flag',
                 'big', 'total'],
    'm_comp': ['key_id', 'lang', 'label'],
    'm_uuid': ['id', 'v', 'n'],
    'm_text': ['slug', 'body', 'secret', 'pw'],
    'm_range': ['id', 'v', 'big'],
    'm_list': ['id', 'region', 'v'],
    'm_parent': ['id', 'name'],
    'm_child': ['id', 'parent_id', 'note'],
    'm_child2': ['id', 'parent_id', 'note'],
    'm_act': ['id', 'n'],
    'm_side': ['src', 'seq', 'note'],
}

GENERATED = {'m_single': {'total'}}
TEXT_KEYS = {('m_uuid', 'id'), ('m_text', 'slug'), ('m_comp', 'lang'),
             ('m_list', 'region')}
TABLE_WEIGHTS = {'m_single': 12, 'm_comp': 6, 'm_uuid': 5, 'm_text': 6,
                 'm_range': 14, 'm_list': 8, 'm_parent': 10, 'm_child': 12,
                 'm_child2': 8, 'm_act': 4}
WORDS = ['a', 'b', 'alpha', 'beta', 'gamma', 'delta', 'x y', "it's", 'ünï', '']
REGIONS = ['eu', 'us', 'asia']
LANGS = ['en', 'de', 'fr']
TIMES = ['2021-02-02T10:00:00+00:00', '2024-12-31T23:59:59.5+00:00',
         '1999-01-01T00:00:00+00:00', '2030-06-15T12:30:00+00:00']


def item_text(table, key):
    """The item text of a key tuple, as the capture writes it."""
    if len(key) == 1:
        return str(key[0])
    return json.dumps([str(k) for k in key], ensure_ascii=False)


def range_partition(rid):
    if 0 <= rid < 100:
        return 0
    if 100 <= rid < 200:
        return 1
    if 200 <= rid < 300:
        return 2
    return None


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

class State:
    """What the database holds, and what this transaction logged so far."""

    def __init__(self):
        self.rows = {t: {} for t in KEYS}
        self.cols = {t: list(c) for t, c in COLUMNS.items()}
        self.tracked = {t: True for t in KEYS}
        # key -> the log shows the row's present state (or its absence)
        self.synced = {t: {} for t in KEYS}
        self.events = []
        self.ddl = False
        self.unlogged = False       # this transaction changed untracked rows

    def logged(self, table):
        return self.tracked[table]

    def with_revisions(self, table):
        return self.tracked[table] and TRACK[table][0] == 'all'

    def logged_columns(self, table):
        return [c for c in self.cols[table] if c not in TRACK[table][1]]

    def image(self, table, row):
        """The row as the log must show it now."""
        out = {}
        for c in self.logged_columns(table):
            v = row[c]
            if c in TRACK[table][2] and v is not None:
                v = MASK
            out[c] = v
        return out

    def key_of(self, table, row):
        return tuple(row[k] for k in KEYS[table])

    # -- events -----------------------------------------------------------

    def emit(self, table, action, kind, key, old, new, previous=None,
             changed=None, cause=None):
        """Record a row change (kind 'i', 'u' or 'd'; old and new the row
        before and after); returns the event's index, or None when the log
        does not show it."""
        if not self.logged(table):
            self.unlogged = True
            self.synced[table][key] = False
            if previous is not None:
                self.synced[table][previous] = False
            return None
        if not self.with_revisions(table):
            cause = None
        self.events.append({
            'table': table, 'action': action, 'kind': kind,
            'item': item_text(table, key),
            # previous_item is a column of the revision
            'previous': item_text(table, previous)
            if previous is not None and self.with_revisions(table) else None,
            'changed': changed, 'cause': cause,
            'old': copy.deepcopy(old), 'new': copy.deepcopy(new),
            'image': self.image(table, new if new is not None else old)})
        self.synced[table][key] = True
        if previous is not None:
            self.synced[table][previous] = True
        return len(self.events) - 1

    def cause_of(self, index):
        """A cause index usable by children: only a change with a revision."""
        if index is None:
            return None
        ev = self.events[index]
        return index if self.with_revisions(ev['table']) else None

    # -- the row primitives: each changes the state as PostgreSQL would, or
    #    raises Predicted --------------------------------------------------

    def complete(self, table, row):
        full = {c: row.get(c) for c in self.cols[table]}
        if table == 'm_single':
            full['total'] = (full['price'] * full['qty']
                             if full['price'] is not None and full['qty'] is not None
                             else None)
            if full['total'] is not None:
                full['total'] = full['total'].quantize(Decimal('0.01'))
        return full

    def insert(self, table, row, action='create', undelete=None):
        row = self.complete(table, row)
        key = self.key_of(table, row)
        if any(k is None for k in key):
            raise Predicted('null key')
        if table == 'm_range':
            part = range_partition(row['id'])
            if part is None:
                raise Predicted('no partition')
            if part == 1 and row['v'] == 'drop':
                return None             # a BEFORE INSERT trigger dropped it
        if key in self.rows[table]:
            raise Predicted('duplicate key')
        if table == 'm_list' and row['region'] not in REGIONS:
            raise Predicted('no partition')
        if table in ('m_child', 'm_child2') and row['parent_id'] is not None \
                and (row['parent_id'],) not in self.rows['m_parent']:
            raise Predicted('foreign key')
        self.rows[table][key] = row
        return self.emit(table, action, 'i', key, None, row,
                         previous=undelete if action == 'revert' else None,
                         changed=set(self.logged_columns(table)))

    def delete(self, table, key, cause=None, action='delete'):
        row = self.rows[table][key]
        del self.rows[table][key]
        ev = self.emit(table, action, 'd', key, row, None, cause=cause)
        if table == 'm_range' and range_partition(row['id']) == 0:
            self.p0_deleted(row)
        if table == 'm_parent':
            self.parent_gone(key, ev)
        return ev

    def p0_deleted(self, old):
        if old['v'] == 'boom':
            raise Predicted('boom')
        if old['v'] == 'side':
            seq = 1 + max([k[1] for k in self.rows['m_side'] if k[0] == old['id']],
                          default=0)
            self.insert('m_side', {'src': old['id'], 'seq': seq,
                                   'note': 'left p0'})

    def parent_gone(self, key, ev):
        cause = self.cause_of(ev)
        for ck in sorted(self.rows['m_child']):
            if self.rows['m_child'][ck]['parent_id'] == key[0]:
                self.delete('m_child', ck, cause=cause)
        for ck in sorted(self.rows['m_child2']):
            if self.rows['m_child2'][ck]['parent_id'] == key[0]:
                self.update('m_child2', ck, {'parent_id': None}, cause=cause)

    def update(self, table, key, changes, cause=None, action='update'):
        old = self.rows[table][key]
        new = dict(old)
        new.update(changes)
        new = self.complete(table, new)
        newkey = self.key_of(table, new)
        if any(k is None for k in newkey):
            raise Predicted('null key')
        moved_away = table == 'm_range' and \
            range_partition(new['id']) != range_partition(old['id']) and \
            range_partition(new['id']) == 1 and new['v'] == 'drop'
        if newkey != key and newkey in self.rows[table] and not moved_away:
            raise Predicted('duplicate key')
        if table in ('m_child', 'm_child2') and new['parent_id'] is not None \
                and new['parent_id'] != old['parent_id'] \
                and (new['parent_id'],) not in self.rows['m_parent']:
            raise Predicted('foreign key')
        if table == 'm_parent' and newkey != key and any(
                r['parent_id'] == key[0] for r in self.rows['m_child2'].values()):
            raise Predicted('foreign key (no action)')
        if table == 'm_list' and new['region'] not in REGIONS:
            raise Predicted('no partition')
        changed = {c for c in self.logged_columns(table) if old[c] != new[c]}

        if table == 'm_range':
            src, dst = range_partition(old['id']), range_partition(new['id'])
            if dst is None:
                raise Predicted('no partition')
            if src != dst:
                return self.move(old, new, changed, cause, action)

        del self.rows[table][key]
        self.rows[table][newkey] = new
        ev = None
        if changed:
            ev = self.emit(table, action, 'u', newkey, old, new,
                           previous=key if newkey != key else None,
                           changed=changed, cause=cause)
        if table == 'm_parent' and newkey != key:
            c = self.cause_of(ev)
            for ck in sorted(self.rows['m_child']):
                if self.rows['m_child'][ck]['parent_id'] == key[0]:
                    self.update('m_child', ck, {'parent_id': newkey[0]}, cause=c)
        return ev

    def move(self, old, new, changed, cause, action):
        """An UPDATE of m_range that moves the row to another partition."""
        key, newkey = (old['id'],), (new['id'],)
        del self.rows['m_range'][key]
        # the DELETE half: its event is the move's, then the source's trigger
        dropped = range_partition(new['id']) == 1 and new['v'] == 'drop'
        if dropped:
            ev = self.emit('m_range', 'delete', 'd', key, old, None, cause=cause)
        else:
            ev = self.emit('m_range', action, 'u', newkey, old, new,
                           previous=key, changed=changed, cause=cause)
        if range_partition(old['id']) == 0:
            self.p0_deleted(old)
        if not dropped:
            self.rows['m_range'][newkey] = new
        return ev


# ---------------------------------------------------------------------------
# The test run
# ---------------------------------------------------------------------------

class Run:
    def __init__(self, seed, transactions, dsn_db):
        self.seed = seed
        self.rng = random.Random(seed)
        self.transactions = transactions
        self.db = dsn_db
        self.state = State()
        self.stack = []             # savepoint name -> state copies
        self.failures = []
        self.txn = 0
        self.last_commit = None     # (xid, state before, events, undoable)
        self.stats = {'statements': 0, 'failing': 0, 'committed': 0,
                      'rolled_back': 0, 'undo': 0, 'seal': 0, 'events': 0,
                      'moves': 0, 'caused': 0, 'rekeys': 0}

    # -- plumbing ---------------------------------------------------------

    def connect(self):
        self.conn = psycopg2.connect(dbname=self.db)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.cur.execute("SET TimeZone = 'UTC'; SET client_min_messages = warning")

    def sql(self, query, params=None):
        self.cur.execute(query, params)
        return self.cur.fetchall() if self.cur.description else None

    def fail(self, what):
        if len(what) > 2000:
            what = what[:2000] + '...'
        msg = 'seed %d, transaction %d: %s' % (self.seed, self.txn, what)
        self.failures.append(msg)
        print('FAIL ' + msg, flush=True)

    def mogrify(self, query, params):
        return self.cur.mogrify(query, params).decode()

    # -- values -----------------------------------------------------------

    def word(self):
        return self.rng.choice(WORDS)

    def maybe(self, value, p=0.15):
        return None if self.rng.random() < p else value

    def big(self):
        r = self.rng.random()
        if r < 0.7:
            return None
        if r < 0.85:
            return 'short ' + self.word()
        return '%x' % self.rng.getrandbits(4 * 12000)     # out of line

    def price(self):
        return (Decimal(self.rng.randint(0, 99999)) / 100).quantize(Decimal('0.01'))

    def single_row(self, key):
        return {'id': key, 'name': self.maybe(self.word()),
                'qty': self.maybe(self.rng.randint(-5, 20)),
                'price': self.maybe(self.price()),
                'tags': self.maybe(self.rng.sample(['x', 'y', 'z'], self.rng.randint(0, 3))),
                'doc': self.maybe({'k': self.rng.randint(0, 3), 's': self.word()}),
                'at': self.maybe(self.rng.choice(TIMES)),
                'flag': self.maybe(self.rng.random() < 0.5),
                'big': self.big()}

    def new_row(self, table):
        r = self.rng
        if table == 'm_single':
            return self.single_row(r.randint(1, 40))
        if table == 'm_comp':
            return {'key_id': r.randint(1, 8), 'lang': r.choice(LANGS),
                    'label': self.maybe(self.word())}
        if table == 'm_uuid':
            return {'id': str(uuid.UUID(int=r.getrandbits(128) if r.random() < 0.3
                                        else r.randint(1, 30))),
                    'v': self.maybe(self.word()), 'n': r.randint(0, 5)}
        if table == 'm_text':
            return {'slug': 'page-%d' % r.randint(1, 25),
                    'body': self.maybe(self.word()),
                    'secret': self.maybe(self.word()),
                    'pw': self.maybe(self.word())}
        if table == 'm_range':
            return {'id': r.randint(0, 9) + r.choice([0, 100, 200]),
                    'v': self.range_v(), 'big': self.big()}
        if table == 'm_list':
            return {'id': r.randint(1, 12), 'region': r.choice(REGIONS),
                    'v': self.maybe(self.word())}
        if table == 'm_parent':
            return {'id': r.randint(1, 8), 'name': self.maybe(self.word())}
        if table in ('m_child', 'm_child2'):
            parents = [k[0] for k in self.state.rows['m_parent']]
            pid = r.choice(parents) if parents and r.random() < 0.85 else \
                self.maybe(r.randint(1, 14), 0.5)
            return {'id': r.randint(1, 30), 'parent_id': pid,
                    'note': self.maybe(self.word())}
        if table == 'm_act':
            return {'id': r.randint(1, 20), 'n': r.randint(0, 3)}
        raise AssertionError(table)

    def value_for(self, table, col):
        """A random value for a non-key column."""
        r = self.rng
        if table == 'm_single' or col.startswith(('x', 'y')):
            return self.single_value(col)
        if col == 'parent_id':
            parents = [k[0] for k in sorted(self.state.rows['m_parent'])]
            return r.choice(parents + [None, r.randint(1, 14)])
        if col == 'n':
            return r.randint(0, 5)
        if table == 'm_range' and col == 'v':
            return self.range_v()
        if col == 'big':
            return self.big()
        return self.maybe(self.word())

    def range_v(self):
        """m_range.v: 'boom', 'side' and 'drop' set off the partitions'
        triggers."""
        return self.rng.choices(['plain', 'side', 'drop', 'boom', self.word()],
                                [40, 15, 15, 10, 20])[0]

    def changes_for(self, table, row):
        """Random new values for some non-key columns of a row."""
        r = self.rng
        cols = [c for c in self.state.cols[table]
                if c not in KEYS[table] and c not in GENERATED.get(table, ())]
        out = {}
        for c in r.sample(cols, r.randint(1, min(3, len(cols)))):
            out[c] = row.get(c) if r.random() < 0.2 else self.value_for(table, c)
        return out

    def single_value(self, col):
        row = self.single_row(0)
        if col in row:
            return row[col]
        return self.maybe(self.rng.randint(0, 9))     # an added int column

    def literal(self, value):
        """A value as a SQL parameter (psycopg2 adapts the others)."""
        if isinstance(value, dict):
            return psycopg2.extras.Json(value)
        return value

    # -- statements -------------------------------------------------------

    def pick_key(self, table, existing=0.85):
        rows = self.state.rows[table]
        if rows and self.rng.random() < existing:
            return self.rng.choice(sorted(rows, key=str))
        return self.state.key_of(table, self.state.complete(table, self.new_row(table)))

    def where_key(self, table, key):
        cond = ' AND '.join('%s = %%s' % k for k in KEYS[table])
        return cond, list(key)

    def gen_statement(self):
        """A random statement: (sql, params, predict(state))."""
        r = self.rng
        table = r.choices(list(TABLE_WEIGHTS), list(TABLE_WEIGHTS.values()))[0]
        kind = r.choices(['insert', 'update', 'rekey', 'noop', 'delete',
                          'delete_where', 'update_where', 'upsert', 'merge',
                          'truncate'],
                         [30, 22, 12 if table == 'm_range' else 7, 4, 12, 3, 4,
                          5, 4, 1])[0]
        if kind == 'upsert' and table not in ('m_single', 'm_comp', 'm_text'):
            kind = 'insert'
        if kind == 'merge' and table != 'm_single':
            kind = 'update'
        if kind == 'truncate' and table not in ('m_single', 'm_act', 'm_list', 'm_text'):
            kind = 'delete'
        if kind in ('delete_where', 'update_where') and table == 'm_text':
            kind = kind.split('_')[0]
        return getattr(self, 'gen_' + kind)(table)

    def insert_sql(self, table, row):
        cols = [c for c in row]
        return ('INSERT INTO %s (%s) VALUES (%s)' %
                (table, ', '.join(cols), ', '.join(['%s'] * len(cols))),
                [self.literal(row[c]) for c in cols])

    def gen_insert(self, table):
        rows = [self.new_row(table) for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]
        cols = [c for c in rows[0]]
        sql = 'INSERT INTO %s (%s) VALUES %s' % (
            table, ', '.join(cols),
            ', '.join('(' + ', '.join(['%s'] * len(cols)) + ')' for _ in rows))
        params = [self.literal(row[c]) for row in rows for c in cols]

        def predict(st):
            for row in rows:
                st.insert(table, row)
        return sql, params, predict

    def gen_update(self, table):
        key = self.pick_key(table)
        row = self.state.rows[table].get(key, self.state.complete(table, {}))
        changes = self.changes_for(table, row)
        cond, kp = self.where_key(table, key)
        sql = 'UPDATE %s SET %s WHERE %s' % (
            table, ', '.join('%s = %%s' % c for c in changes), cond)
        params = [self.literal(v) for v in changes.values()] + kp

        def predict(st):
            if key in st.rows[table]:
                st.update(table, key, changes)
        return sql, params, predict

    def gen_noop(self, table):
        key = self.pick_key(table, 1.0)
        cols = [c for c in self.state.cols[table]
                if c not in GENERATED.get(table, ())]
        col = self.rng.choice(cols)
        excluded = TRACK[table][1]
        if excluded and self.rng.random() < 0.5:
            col = excluded[0]           # an excluded column: no change logged
            value = self.maybe(self.word())
            cond, kp = self.where_key(table, key)
            sql = 'UPDATE %s SET %s = %%s WHERE %s' % (table, col, cond)

            def predict(st):
                if key in st.rows[table]:
                    st.update(table, key, {col: value})
            return sql, [value] + kp, predict
        cond, kp = self.where_key(table, key)
        sql = 'UPDATE %s SET %s = %s WHERE %s' % (table, col, col, cond)

        def predict(st):
            if key in st.rows[table]:
                st.update(table, key, {})
        return sql, kp, predict

    def gen_rekey(self, table):
        key = self.pick_key(table, 1.0)
        new = self.state.key_of(table, self.state.complete(table, self.new_row(table)))
        if table == 'm_range' and self.rng.random() < 0.5:
            # across partitions, more often than chance
            new = ((key[0] + self.rng.choice([100, 200])) % 300,)
        sets = [k for i, k in enumerate(KEYS[table]) if new[i] != key[i]] or [KEYS[table][0]]
        changes = {k: new[KEYS[table].index(k)] for k in sets}
        if table == 'm_range' and self.rng.random() < 0.4:
            changes['v'] = self.rng.choice(['plain', 'drop', 'side'])
        cond, kp = self.where_key(table, key)
        sql = 'UPDATE %s SET %s WHERE %s' % (
            table, ', '.join('%s = %%s' % c for c in changes), cond)
        params = list(changes.values()) + kp

        def predict(st):
            if key in st.rows[table]:
                st.update(table, key, changes)
        return sql, params, predict

    def gen_delete(self, table):
        key = self.pick_key(table)
        cond, kp = self.where_key(table, key)
        sql = 'DELETE FROM %s WHERE %s' % (table, cond)

        def predict(st):
            if key in st.rows[table]:
                st.delete(table, key)
        return sql, kp, predict

    def gen_delete_where(self, table):
        col = KEYS[table][0]
        if table == 'm_uuid':
            col = 'n'
            limit = self.rng.randint(0, 2)
        else:
            limit = self.rng.randint(0, 6) * (40 if table == 'm_range' else 1)
        sql = 'DELETE FROM %s WHERE %s < %%s' % (table, col)

        def predict(st):
            for key in sorted(st.rows[table], key=str):
                if key in st.rows[table] and st.rows[table][key][col] < limit:
                    st.delete(table, key)
        return sql, [limit], predict

    def gen_update_where(self, table):
        cols = [c for c in self.state.cols[table]
                if c not in KEYS[table] and c not in GENERATED.get(table, ())]
        if table == 'm_range':
            cols = ['big']
        col = self.rng.choice(cols)
        value = self.value_for(table, col)
        kcol = KEYS[table][0] if table != 'm_uuid' else 'n'
        limit = self.rng.randint(0, 20) if table != 'm_range' else self.rng.randint(0, 300)
        sql = 'UPDATE %s SET %s = %%s WHERE %s < %%s' % (table, col, kcol)

        def predict(st):
            for key in sorted(st.rows[table], key=str):
                if st.rows[table][key][kcol] < limit:
                    st.update(table, key, {col: value})
        return sql, [self.literal(value), limit], predict

    def gen_upsert(self, table):
        row = self.new_row(table)
        keys = KEYS[table]
        nonkey = [c for c in row if c not in keys]
        upd = self.rng.sample(nonkey, self.rng.randint(1, len(nonkey)))
        nothing = self.rng.random() < 0.3
        sql, params = self.insert_sql(table, row)
        if nothing:
            sql += ' ON CONFLICT (%s) DO NOTHING' % ', '.join(keys)
        else:
            sql += ' ON CONFLICT (%s) DO UPDATE SET %s' % (
                ', '.join(keys), ', '.join('%s = EXCLUDED.%s' % (c, c) for c in upd))

        def predict(st):
            key = st.key_of(table, st.complete(table, row))
            if key not in st.rows[table]:
                st.insert(table, row)
            elif not nothing:
                st.update(table, key, {c: row[c] for c in upd})
        return sql, params, predict

    def gen_merge(self, table):
        rows = []
        seen = set()
        for _ in range(self.rng.randint(1, 3)):
            row = self.single_row(self.pick_key('m_single', 0.6)[0])
            if row['id'] not in seen:
                seen.add(row['id'])
                rows.append(row)
        sql = ('MERGE INTO m_single t USING (VALUES %s) AS s(id, name, qty) ON t.id = s.id'
               ' WHEN MATCHED AND s.qty < 0 THEN DELETE'
               ' WHEN MATCHED THEN UPDATE SET name = s.name, qty = s.qty'
               ' WHEN NOT MATCHED THEN INSERT (id, name, qty) VALUES (s.id, s.name, s.qty)'
               % ', '.join(['(%s::int, %s::text, %s::int)'] * len(rows)))
        params = [v for row in rows for v in (row['id'], row['name'], row['qty'])]

        def predict(st):
            for row in rows:
                key = (row['id'],)
                if key in st.rows['m_single']:
                    if row['qty'] is not None and row['qty'] < 0:
                        st.delete('m_single', key)
                    else:
                        st.update('m_single', key, {'name': row['name'], 'qty': row['qty']})
                else:
                    st.insert('m_single', {'id': row['id'], 'name': row['name'],
                                           'qty': row['qty']})
        return sql, params, predict

    def gen_truncate(self, table):
        def predict(st):
            if st.logged(table):
                st.events.append({'table': table, 'action': 'truncate', 'kind': None,
                                  'item': None, 'previous': None, 'changed': None,
                                  'cause': None, 'old': None, 'new': None})
            for key in st.rows[table]:
                st.synced[table][key] = st.logged(table)
            st.rows[table] = {}
        return 'TRUNCATE %s' % table, None, predict

    # -- DDL and registrations -------------------------------------------

    def gen_ddl(self):
        """ADD, DROP, RENAME, ALTER TYPE of a column of m_single or m_range."""
        st = self.state
        table = self.rng.choice(['m_single', 'm_single', 'm_range'])
        added = [c for c in st.cols[table] if c not in COLUMNS[table]]
        r = self.rng.random()
        if table == 'm_range' and r >= 0.8:
            r = 0.5     # no ALTER TYPE: it breaks PL/pgSQL triggers' cached plans
        if not added or (r < 0.4 and len(added) < 3):
            name = 'x%d' % self.rng.randint(1, 99)
            while name in st.cols[table]:
                name = 'x%d' % self.rng.randint(1, 99)
            sql = 'ALTER TABLE %s ADD COLUMN %s int' % (table, name)

            def change(s):
                s.cols[table].append(name)
                for row in s.rows[table].values():
                    row[name] = None
        else:
            col = self.rng.choice(added)
            if r < 0.6:
                sql = 'ALTER TABLE %s DROP COLUMN %s' % (table, col)

                def change(s):
                    s.cols[table].remove(col)
                    for row in s.rows[table].values():
                        del row[col]
            elif r < 0.8:
                name = 'y%d' % self.rng.randint(1, 99)
                while name in st.cols[table]:
                    name = 'y%d' % self.rng.randint(1, 99)
                sql = 'ALTER TABLE %s RENAME COLUMN %s TO %s' % (table, col, name)

                def change(s):
                    s.cols[table][s.cols[table].index(col)] = name
                    for row in s.rows[table].values():
                        row[name] = row.pop(col)
            else:
                sql = 'ALTER TABLE %s ALTER COLUMN %s TYPE bigint' % (table, col)

                def change(s):
                    pass

        def predict(s):
            change(s)
            s.ddl = True
            for key in s.rows[table]:
                s.synced[table][key] = False
        return sql, None, predict

    def gen_tracking(self):
        st = self.state
        untracked = [t for t in sorted(KEYS) if not st.tracked[t]]
        table = self.rng.choice(untracked) if untracked and self.rng.random() < 0.8 \
            else self.rng.choice(['m_single', 'm_parent', 'm_child', 'm_range',
                                  'm_text', 'm_list'])
        if st.tracked[table]:
            sql, params = 'SELECT activity_log.untrack(%s)', [table]
        else:
            mode, exclude, mask = TRACK[table]
            sql = ('SELECT activity_log.track(%s, mode => %s, exclude => %s::text[],'
                   ' mask => %s::text[])')
            params = [table, mode, exclude, mask]

        def predict(s):
            s.tracked[table] = not s.tracked[table]
            s.ddl = True
            # the registration's change is an activity of the registry
            s.events.append({'table': REGISTRY, 'item': table,
                             'action': 'track' if s.tracked[table] else 'untrack',
                             'kind': None, 'previous': None, 'changed': None,
                             'cause': None, 'old': None, 'new': None})
        return sql, params, predict

    # -- running statements -----------------------------------------------

    def execute(self, sql, params, predict, caught):
        """Run one statement; predict(state) says what it does.  A statement
        predicted to fail runs inside a savepoint when caught is true;
        otherwise it aborts the transaction (returns False)."""
        self.stats['statements'] += 1
        trial = copy.deepcopy(self.state)
        try:
            predict(trial)
            expect_ok = True
        except Predicted:
            expect_ok = False
        if not expect_ok:
            self.stats['failing'] += 1
        if not expect_ok and caught:
            self.sql('SAVEPOINT failing')
        try:
            self.cur.execute(sql, params)
            ok = True
        except psycopg2.Error as e:
            ok = False
            error = e
        if ok != expect_ok:
            raise Divergence('%s (params %.300r): the model says it %s, it %s%s' % (
                sql, params, 'succeeds' if expect_ok else 'fails',
                'succeeded' if ok else 'failed',
                '' if ok else ': ' + str(error).strip()))
        if ok:
            self.state = trial
            return True
        if caught:
            self.sql('ROLLBACK TO SAVEPOINT failing')
            self.sql('RELEASE SAVEPOINT failing')
            return True
        return False

    def run_do_block(self):
        """Statements inside a PL/pgSQL block; an exception (a failing
        statement, or a RAISE at the end) rolls them all back."""
        stmts = [self.gen_statement() for _ in range(self.rng.randint(1, 3))]
        force = self.rng.random() < 0.3
        body = ''.join('  %s;\n' % self.mogrify(s, p) for s, p, _ in stmts)
        if force:
            body += "  RAISE EXCEPTION 'rolled back';\n"
        sql = ('DO $do$\nBEGIN\n%sEXCEPTION WHEN OTHERS THEN\n  NULL;\nEND\n$do$'
               % body)

        def predict(st):
            inner = copy.deepcopy(st)
            try:
                for _, _, pr in stmts:
                    pr(inner)
                if force:
                    return
            except Predicted:
                return
            st.__dict__.update(inner.__dict__)
        self.execute(sql, None, predict, False)

    def gen_step(self):
        r = self.rng.random()
        if r < 0.04:
            return 'ddl'
        if r < 0.07:
            return 'tracking'
        if r < 0.14:
            return 'do'
        if r < 0.24:
            return 'savepoint'
        if r < 0.32 and self.stack:
            return 'rollback_to'
        if r < 0.38 and self.stack:
            return 'release'
        return 'statement'

    def run_transaction(self):
        self.txn += 1
        before = copy.deepcopy(self.state)
        self.state.events = []
        self.state.ddl = False
        self.state.unlogged = False
        self.stack = []
        self.sql('BEGIN')
        xid = self.sql('SELECT pg_current_xact_id()::text')[0][0]
        alive = True
        for _ in range(self.rng.choice([1, 1, 2, 3, 4, 6, 8, 12])):
            step = self.gen_step()
            if step == 'statement':
                sql, params, predict = self.gen_statement()
                alive = self.execute(sql, params, predict,
                                     caught=self.rng.random() < 0.85)
            elif step in ('ddl', 'tracking'):
                sql, params, predict = getattr(self, 'gen_' + step)()
                alive = self.execute(sql, params, predict, caught=True)
            elif step == 'do':
                self.run_do_block()
            elif step == 'savepoint':
                name = 's%d' % len(self.stack)
                self.sql('SAVEPOINT ' + name)
                self.stack.append((name, copy.deepcopy(self.state)))
            elif step == 'rollback_to':
                i = self.rng.randrange(len(self.stack))
                name, saved = self.stack[i]
                self.sql('ROLLBACK TO SAVEPOINT ' + name)
                del self.stack[i + 1:]
                self.state = copy.deepcopy(saved)
            elif step == 'release':
                i = self.rng.randrange(len(self.stack))
                self.sql('RELEASE SAVEPOINT ' + self.stack[i][0])
                del self.stack[i:]
            if not alive:
                break
        commit = alive and self.rng.random() < 0.9
        if commit:
            self.sql('COMMIT')
            self.stats['committed'] += 1
            self.stats['events'] += len(self.state.events)
            for ev in self.state.events:
                if ev['table'] == 'm_range' and ev['kind'] in ('u', 'd') and \
                        ev['old'] is not None and (ev['new'] is None or range_partition(
                            ev['old']['id']) != range_partition(ev['new']['id'])):
                    self.stats['moves'] += 1
                self.stats['caused'] += ev['cause'] is not None
                self.stats['rekeys'] += ev['previous'] is not None
            self.check_committed(xid)
            self.last_commit = (xid, before, self.state.events, self.undoable(before))
        else:
            self.sql('ROLLBACK')
            self.stats['rolled_back'] += 1
            self.state = before
            self.check_rolled_back(xid)
            self.last_commit = None

    # -- checks -----------------------------------------------------------

    def check_tables(self):
        for table in KEYS:
            rows = self.sql('SELECT to_jsonb(t) FROM %s t' % table)
            have = {}
            for (r,) in rows:
                key = tuple(r[k] for k in KEYS[table])
                have[key] = r
            want = {k: dict(v) for k, v in self.state.rows[table].items()}
            if set(have) != set(want):
                raise Divergence('table %s: keys %s in the database, %s in the model' % (
                    table, sorted(set(have) - set(want), key=str),
                    sorted(set(want) - set(have), key=str)))
            for k in want:
                if have[k] != want[k]:
                    raise Divergence('table %s, key %s: %r in the database, %r in the model' % (
                        table, k, have[k], want[k]))

    def check_committed(self, xid):
        self.check_tables()
        events = self.state.events
        rows = self.sql(
            'SELECT a.id, a.action, a.collection, a.item, r.previous_item, r.parent,'
            ' r.delta, r.data, r.id IS NOT NULL'
            ' FROM activity_log.activity a'
            ' LEFT JOIN activity_log.revisions r ON r.activity = a.id'
            ' WHERE a.transaction = %s::xid8 ORDER BY a.id', [xid])
        # one activity per change, in the model's order for each item
        by_item = {}
        for i, ev in enumerate(events):
            by_item.setdefault((ev['table'], ev['item']), []).append(i)
        got = {}
        for row in rows:
            got.setdefault((row[2], row[3]), []).append(row)
        mapped = {}
        for k in set(by_item) | set(got):
            want = [(events[i]['action'], events[i]['previous']) for i in by_item.get(k, [])]
            have = [(r[1], r[4]) for r in got.get(k, [])]
            if want != have:
                self.fail('item %s: the log has %s, the model says %s' % (k, have, want))
                continue
            for i, r in zip(by_item.get(k, []), got.get(k, [])):
                mapped[i] = r
        for i, ev in enumerate(events):
            r = mapped.get(i)
            if r is None:
                continue
            rid, action, coll, item, prev, parent, delta, data, has_rev = r
            if has_rev != self.state_with_revisions_at(ev):
                self.fail('%s %s %s: revision %s, expected %s' % (
                    action, coll, item, has_rev, not has_rev))
                continue
            if not has_rev:
                continue
            if data != ev['image']:
                self.fail('%s %s %s: data %r, the row was %r' % (
                    action, coll, item, data, ev['image']))
            if ev['kind'] == 'u' and set(delta or {}) != ev['changed']:
                self.fail('update %s %s: delta has %s, changed were %s' % (
                    coll, item, sorted(delta or {}), sorted(ev['changed'])))
            if ev['kind'] == 'i' and delta != data:
                self.fail('create %s %s: delta %r is not its data' % (coll, item, delta))
            if ev['kind'] == 'd' and delta is not None:
                self.fail('delete %s %s: delta %r' % (coll, item, delta))
            want_parent = mapped[ev['cause']][0] if ev['cause'] is not None \
                and ev['cause'] in mapped else None
            if parent != want_parent:
                self.fail('%s %s %s: parent %s, expected %s' % (
                    action, coll, item, parent, want_parent))
        self.check_log_state(set((ev['table'], ev['item']) for ev in events))

    def state_with_revisions_at(self, ev):
        return ev['table'] in TRACK and TRACK[ev['table']][0] == 'all' \
            and ev['action'] != 'truncate'

    def check_log_state(self, touched):
        st = self.state
        dangling = self.sql(
            'SELECT count(*) FROM activity_log.revision_store r WHERE r.parent IS NOT NULL'
            ' AND NOT EXISTS (SELECT FROM activity_log.revision_store p'
            ' WHERE p.activity = r.parent)')[0][0]
        if dangling:
            self.fail('%d revisions have a parent that does not exist' % dangling)
        for table in KEYS:
            if TRACK[table][0] != 'all':
                continue
            latest = dict(self.sql(
                'SELECT DISTINCT ON (a.item) a.item, r.data FROM activity_log.activity a'
                ' JOIN activity_log.revision_store r ON r.activity = a.id'
                ' WHERE a.collection = %s ORDER BY a.item, a.id DESC', [table]))
            for key, row in st.rows[table].items():
                if not st.synced[table].get(key):
                    continue
                item = item_text(table, key)
                if latest.get(item) != self.state.image(table, row):
                    self.fail('%s %s: latest revision %r, the row is %r' % (
                        table, item, latest.get(item), self.state.image(table, row)))
            # item_at(now()) for the keys touched, and a few others
            keys = [k for k in st.synced[table] if st.synced[table][k]]
            sample = [k for k in keys if (table, item_text(table, k)) in touched]
            others = sorted(set(keys) - set(sample), key=str)
            sample += self.rng.sample(others, min(3, len(others)))
            for key in sample:
                item = item_text(table, key)
                have = self.sql('SELECT activity_log.item_at(%s, %s, now())',
                                [table, item])[0][0]
                row = st.rows[table].get(key)
                want = self.state.image(table, row) if row is not None else None
                if have != want:
                    self.fail('item_at(%s, %s): %r, the row is %r' % (table, item, have, want))

    def check_rolled_back(self, xid):
        n = self.sql('SELECT count(*) FROM activity_log.activity'
                     ' WHERE transaction = %s::xid8', [xid])[0][0]
        if n:
            self.fail('a rolled back transaction left %d activities' % n)
        self.check_tables()

    # -- seal, verify, undo -----------------------------------------------

    def check_seal(self):
        self.stats['seal'] += 1
        self.sql('SELECT activity_log.seal()')
        bad = self.sql('SELECT activity, problem FROM activity_log.verify()')
        if bad:
            self.fail('verify() after seal(): %s' % bad)

    UNDO_TABLES = {'m_single', 'm_comp', 'm_uuid', 'm_text', 'm_list', 'm_parent',
                   'm_child', 'm_child2'}

    def undoable(self, before):
        """Can the model predict undo_transaction() of the transaction just
        committed (and should it succeed)?"""
        st = self.state
        if st.ddl or st.unlogged or not st.events:
            return False
        for ev in st.events:
            if ev['table'] not in self.UNDO_TABLES or ev['action'] == 'truncate' \
                    or not st.tracked[ev['table']]:
                return False
        # an update needs the row's revision before it
        seen = set()
        for ev in st.events:
            k = (ev['table'], ev['previous'] or ev['item'])
            if ev['action'] == 'update' and k not in seen:
                keyt = self.key_from_item(ev['table'], ev['previous'] or ev['item'])
                if not before.synced[ev['table']].get(keyt) or \
                        keyt not in before.rows[ev['table']]:
                    return False
            seen.add((ev['table'], ev['item']))
        return True

    def key_from_item(self, table, item):
        """The key tuple of an item text (the inverse of item_text)."""
        parts = [item] if len(KEYS[table]) == 1 else json.loads(item)
        return tuple(p if (table, col) in TEXT_KEYS else int(p)
                     for col, p in zip(KEYS[table], parts))

    def undo_order(self, events):
        order = []
        newest_first = list(reversed(range(len(events))))

        def add(i):
            order.append(i)
            for j in range(len(events)):
                if events[j]['cause'] == i:
                    add(j)
        for i in newest_first:
            if events[i]['cause'] is None:
                add(i)
        return order

    def check_undo(self):
        xid, before, events, undoable = self.last_commit
        self.last_commit = None
        if not undoable:
            return
        self.stats['undo'] += 1
        self.txn += 1
        # replay the undo on the model: each change back to its state
        # before, in the order undo_transaction() takes them
        st = copy.deepcopy(self.state)
        st.events = []
        try:
            for i in self.undo_order(events):
                ev = events[i]
                table = ev['table']
                key = self.key_from_item(table, ev['item'])
                if ev['kind'] == 'i':
                    if key in st.rows[table]:
                        st.delete(table, key, action='revert')
                else:
                    self.restore(st, table, key, ev['old'], exists=ev['kind'] == 'u')
        except Predicted as e:
            raise Divergence('the model cannot replay the undo (%s) of %s' % (
                e, [(ev['action'], ev['table'], ev['item'], ev['cause'])
                    for ev in events]))
        self.sql('BEGIN')
        uxid = self.sql('SELECT pg_current_xact_id()::text')[0][0]
        try:
            n = self.sql('SELECT activity_log.undo_transaction(%s::xid8)', [xid])[0][0]
        except psycopg2.Error as e:
            self.sql('ROLLBACK')
            self.fail('undo_transaction(%s) failed: %s' % (xid, str(e).strip()))
            return
        self.sql('COMMIT')
        if n != len(events):
            self.fail('undo_transaction() undid %d changes, the transaction made %d' % (
                n, len(events)))
        self.state = st
        self.check_tables()
        logged = self.sql('SELECT count(*) FROM activity_log.activity'
                          ' WHERE transaction = %s::xid8', [uxid])[0][0]
        if logged != len(st.events):
            self.fail('the undo logged %d changes, the model made %d' % (logged, len(st.events)))
        self.check_log_state(set((ev['table'], ev['item']) for ev in st.events))

    def restore(self, st, table, key, row, exists):
        """What restore_row() does: set the logged columns of the row at key
        to the values of row (masked and generated columns are left alone),
        inserting it if it is not there."""
        logged = [c for c in st.logged_columns(table)
                  if c not in TRACK[table][2] and c not in GENERATED.get(table, ())]
        if exists and key in st.rows[table]:
            st.update(table, key, {c: row[c] for c in logged}, action='revert')
        else:
            st.insert(table, {c: row[c] for c in logged}, action='revert',
                      undelete=key)

    # -- the run ----------------------------------------------------------

    def run(self):
        self.connect()
        for table in KEYS:
            mode, exclude, mask = TRACK[table]
            self.sql('SELECT activity_log.track(%s, mode => %s, exclude => %s::text[],'
                     ' mask => %s::text[])', [table, mode, exclude, mask])
        try:
            for _ in range(self.transactions):
                self.run_transaction()
                if self.last_commit and self.rng.random() < 0.12:
                    self.check_undo()
                if self.rng.random() < 0.05:
                    self.check_seal()
            self.check_seal()
        except Divergence as e:
            self.fail('the model and the database disagree: %s' % e)
            return False
        return True


def dump_restore(src, seed):
    """pg_dump -Fc and pg_restore: no output, every row back.  Returns the
    failures."""
    failures = []
    dst = src + '_restored'
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o755)
        path = os.path.join(work, 'dump')
        subprocess.run(['dropdb', '--if-exists', dst], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        p = subprocess.run(['pg_dump', '-Fc', '-d', src, '-f', path],
                           capture_output=True, text=True)
        if p.returncode != 0 or p.stderr:
            failures.append('seed %d: pg_dump: %s' % (seed, p.stderr.strip()))
            return failures
        subprocess.run(['createdb', dst], check=True)
        p = subprocess.run(['pg_restore', '--exit-on-error', '-d', dst, path],
                           capture_output=True, text=True)
        if p.returncode != 0 or p.stderr:
            failures.append('seed %d: pg_restore: %s' % (seed, p.stderr.strip()))
            return failures
    image = ("SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) FROM ("
             " SELECT 'a' || a::text AS x FROM activity_log.activity a"
             " UNION ALL SELECT 'r' || r::text FROM activity_log.revision_store r"
             " UNION ALL SELECT 't' || t::text FROM activity_log.tracking t"
             " UNION ALL SELECT 's' || s::text FROM activity_log.seals s"
             + ''.join(" UNION ALL SELECT '%s' || to_jsonb(t)::text FROM %s t" % (t, t)
                       for t in KEYS) + ") z")
    images = []
    for db in (src, dst):
        conn = psycopg2.connect(dbname=db)
        cur = conn.cursor()
        cur.execute(image)
        images.append(cur.fetchone()[0])
        cur.execute('SELECT count(*) FROM activity_log.verify()')
        if cur.fetchone()[0]:
            failures.append('seed %d: verify() fails in %s' % (seed, db))
        conn.close()
    if images[0] != images[1]:
        failures.append('seed %d: the restored database differs from the original' % seed)
    subprocess.run(['dropdb', dst], check=True)
    return failures


def run_seed(seed, transactions, keep):
    db = 'al_model_%d' % seed
    subprocess.run(['dropdb', '--if-exists', db], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(['createdb', db], check=True)
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    conn.cursor().execute(SCHEMA)
    conn.close()
    start = time.time()
    run = Run(seed, transactions, db)
    run.run()
    run.conn.close()
    if not any('disagree' in f for f in run.failures):
        for f in dump_restore(db, seed):
            print('FAIL ' + f, flush=True)
            run.failures.append(f)
    took = time.time() - start
    s = run.stats
    print('seed %d: %d transactions (%d committed, %d rolled back), %d statements'
          ' (%d failing), %d changes logged (%d key changes, %d partition moves,'
          ' %d caused by foreign keys), %d undos, %d seals, %d violations, %.1f s'
          % (seed, run.txn, s['committed'], s['rolled_back'], s['statements'],
             s['failing'], s['events'], s['rekeys'], s['moves'], s['caused'],
             s['undo'], s['seal'], len(run.failures), took),
          flush=True)
    if not keep and not run.failures:
        subprocess.run(['dropdb', db], check=True)
    return run.failures, run.txn


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', default='1,2,3,4,5')
    ap.add_argument('--transactions', type=int, default=200)
    ap.add_argument('--soak', type=float, metavar='MINUTES',
                    help='random seeds until MINUTES have passed')
    ap.add_argument('--keep', action='store_true',
                    help='keep the database of a failing seed (always) and of a passing one')
    args = ap.parse_args()

    failed = []
    total = 0
    if args.soak:
        deadline = time.time() + args.soak * 60
        seeds = random.SystemRandom()
        while time.time() < deadline:
            seed = seeds.randrange(1, 2 ** 31)
            failures, n = run_seed(seed, args.transactions, args.keep)
            total += n
            if failures:
                failed.append(seed)
                print('SEED %d FAILED (rerun: model_test.py --seeds %d --transactions %d)'
                      % (seed, seed, args.transactions), flush=True)
    else:
        for seed in [int(s) for s in args.seeds.split(',')]:
            failures, n = run_seed(seed, args.transactions, args.keep)
            total += n
            if failures:
                failed.append(seed)
    print('model test: %d transactions, %s' % (
        total, 'failing seeds: %s' % ', '.join(map(str, failed)) if failed
        else 'no violations'), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
