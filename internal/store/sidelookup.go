package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// FerretDB's SQLite handler reads and parses every event for any filter
// but {_id: <string>}: at 700,000 events a profile's timeline, an erasure
// or an unmerge read them all, 10 to 15 s each. So on the embedded store
// cdp keeps indexes of its own in FerretDB's tables, on the expressions
// below (sideIndexes), and asks SQLite through a read connection of its
// own which events a profile or a batch holds, which identifiers a profile
// claims, and which profiles are being erased. The documents are then read
// or deleted through FerretDB, by _id, as every other read and write.
//
// FerretDB stores a document as JSON (its sjson format): a string is a
// JSON string and a date its milliseconds since the epoch, so ->> gives
// SQL text and integers that compare as the BSON values do. A missing
// field (a tombstone's profileId) is NULL and matches nothing.
const (
	sqlID = `_ferretdb_sjson->>'$._id'`
	// sqlIDJSON is the expression FerretDB's _id lookups use, and the
	// unique index on it (sqliteindex.go): the id as JSON text, "…". It
	// orders ids as MongoDB does as long as they hold no character below
	// '#' (space, '!', '"', control characters), which cdp's ids do not.
	sqlIDJSON     = `_ferretdb_sjson->'$._id'`
	sqlWorkspace  = `_ferretdb_sjson->>'$.workspace'`
	sqlProfile    = `_ferretdb_sjson->>'$.profileId'`
	sqlBatch      = `_ferretdb_sjson->>'$.batch'`
	sqlType       = `_ferretdb_sjson->>'$.type'`
	sqlTimestamp  = `_ferretdb_sjson->>'$.timestamp'`
	sqlReceivedAt = `_ferretdb_sjson->>'$.receivedAt'`
	sqlErasing    = `_ferretdb_sjson->>'$.erasing'` // 1 (true) or NULL
	sqlErased     = `_ferretdb_sjson->>'$.erased'`
	sqlMergedInto = `_ferretdb_sjson->>'$.mergedInto'`
	sqlReevaluate = `_ferretdb_sjson->>'$.reevaluate'`
)

// sideIndex is one index of cdp's own on a FerretDB table: an expression,
// and for a partial index the condition of the rows it holds.
type sideIndex struct{ expr, where string }

// sideIndexes are the indexes of cdp's own on FerretDB's tables, by
// collection, then by name suffix: events by profile, identifiers by
// profile (an erasure deletes a profile's claims, including those that
// never reached its document), the few profiles whose erasure is under
// way (every start looks for them), and the profiles with a time window to
// re-evaluate (the segment sweep looks for them every minute). The
// profiles' indexes are partial: they hold only the rows concerned.
//
// Events by batch have no index: it cost every stored event as much as the
// profile index (about 7% of wait: STORED throughput), for lookups that
// only crash recovery, retried deliveries and segment builds under traffic
// make. Those run as SQLite scans of the events table, which skip
// FerretDB's decoding of every document.
var sideIndexes = map[string]map[string]sideIndex{
	colEvents:     {"_cdp_profile": {expr: sqlProfile}},
	colIdentities: {"_cdp_profile": {expr: sqlProfile}},
	colProfiles: {
		"_cdp_erasing":    {expr: sqlErasing, where: sqlErasing + " IS NOT NULL"},
		"_cdp_reevaluate": {expr: sqlReevaluate, where: sqlReevaluate + " IS NOT NULL"},
	},
}

// indexSide creates the indexes of sideIndexes through db, given the
// database's tables by collection. Creating one on an existing table reads
// the table once.
func indexSide(ctx context.Context, db *sql.DB, tables map[string]string) error {
	for coll, ixs := range sideIndexes {
		table, ok := tables[coll]
		if !ok {
			continue
		}
		for suffix, ix := range ixs {
			q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+suffix, table, ix.expr)
			if ix.where != "" {
				q += " WHERE " + ix.where
			}
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("index %s: %w", table, err)
			}
		}
	}
	return nil
}

// sideReaders keeps, per embedded database, a connection pool of cdp's own
// for the lookups through sideIndexes, and the tables it found.
type sideReaders struct {
	dir string
	mu  sync.Mutex
	dbs map[string]*sideReader
}

type sideReader struct {
	db     *sql.DB
	tables map[string]string // by collection, once found
}

func newSideReaders(dir string) *sideReaders {
	return &sideReaders{dir: dir, dbs: map[string]*sideReader{}}
}

// table returns the reader of the database and the table of its collection,
// opening the reader on first use; "" while the collection does not exist.
// It never creates the database's file (mode=rw): a database FerretDB has
// not created yet reads as empty.
func (x *sideReaders) table(ctx context.Context, database, coll string) (*sideReader, string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	r := x.dbs[database]
	if r == nil {
		db, err := openSide(filepath.Join(x.dir, database+".sqlite"), "mode=rw&_pragma=busy_timeout(10000)")
		if err != nil {
			return nil, "", fmt.Errorf("open %s: %w", database, err)
		}
		db.SetMaxIdleConns(4)
		db.SetConnMaxIdleTime(time.Minute)
		r = &sideReader{db: db, tables: map[string]string{}}
		x.dbs[database] = r
	}
	if t, ok := r.tables[coll]; ok {
		return r, t, nil
	}
	var t string
	err := r.db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) || noSuchTable(err) || cantOpen(err) {
		return r, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("find the %s table of %s: %w", coll, database, err)
	}
	r.tables[coll] = t
	return r, t, nil
}

func noSuchTable(err error) bool { return err != nil && strings.Contains(err.Error(), "no such table") }

func cantOpen(err error) bool { return err != nil && strings.Contains(err.Error(), "unable to open") }

// forget closes the database's reader: the database is being dropped.
func (x *sideReaders) forget(database string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r, ok := x.dbs[database]; ok {
		_ = r.db.Close()
		delete(x.dbs, database)
	}
}

// close closes every reader.
func (x *sideReaders) close() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for name, r := range x.dbs {
		_ = r.db.Close()
		delete(x.dbs, name)
	}
}

// eventQuery is a lookup of events by the indexed fields. Profiles or
// batches must be given; the other fields narrow it down.
type eventQuery struct {
	workspace       string
	profiles        []string
	batches         []string
	types           []string
	receivedAtLeast *time.Time
	// newest orders the ids newest first; with after, they start strictly
	// after the cursor; limit > 0 keeps that many.
	newest bool
	after  *eventCursor
	limit  int
}

// eventCursor is a position in a timeline, newest first.
type eventCursor struct {
	at time.Time
	id string
}

// where returns the query's conditions and arguments.
func (q eventQuery) where() (string, []any) {
	var conds []string
	var args []any
	in := func(expr string, values []string) {
		conds = append(conds, expr+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(values)), ",")+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	if len(q.profiles) > 0 {
		in(sqlProfile, q.profiles)
	}
	if len(q.batches) > 0 {
		in(sqlBatch, q.batches)
	}
	conds = append(conds, sqlWorkspace+" = ?")
	args = append(args, q.workspace)
	if len(q.types) > 0 {
		in(sqlType, q.types)
	}
	if q.receivedAtLeast != nil {
		conds = append(conds, sqlReceivedAt+" >= ?")
		args = append(args, q.receivedAtLeast.UnixMilli())
	}
	if c := q.after; c != nil {
		ms := c.at.UnixMilli()
		conds = append(conds, fmt.Sprintf("(%[1]s < ? OR (%[1]s = ? AND %[2]s < ?))", sqlTimestamp, sqlID))
		args = append(args, ms, ms, c.id)
	}
	return strings.Join(conds, " AND "), args
}

// eventIDs returns the ids of the events the query finds.
func (s *Store) eventIDs(ctx context.Context, q eventQuery) ([]string, error) {
	where, args := q.where()
	var tail string
	if q.newest {
		tail = fmt.Sprintf(` ORDER BY %s DESC, %s DESC`, sqlTimestamp, sqlID)
	}
	if q.limit > 0 {
		tail += fmt.Sprintf(` LIMIT %d`, q.limit)
	}
	return s.sideIDs(ctx, colEvents, where+tail, args)
}

// sideIDs returns the _id of the collection's documents that the condition
// (and the ORDER BY or LIMIT after it) selects, through the side reader.
func (s *Store) sideIDs(ctx context.Context, coll, cond string, args []any) ([]string, error) {
	r, table, err := s.side.table(ctx, s.db.Name(), coll)
	if err != nil || table == "" {
		return nil, err
	}
	rows, err := r.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %q WHERE %s`, sqlID, table, cond), args...)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", coll, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("look up %s: %w", coll, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up %s: %w", coll, err)
	}
	return ids, nil
}

// countEvents counts the events the query finds.
func (s *Store) countEvents(ctx context.Context, q eventQuery) (int64, error) {
	where, args := q.where()
	return s.sideCount(ctx, colEvents, where, args)
}

// sideCount counts the collection's documents that the condition selects,
// through the side reader.
func (s *Store) sideCount(ctx context.Context, coll, cond string, args []any) (int64, error) {
	r, table, err := s.side.table(ctx, s.db.Name(), coll)
	if err != nil || table == "" {
		return 0, err
	}
	var n int64
	err = r.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, table, cond), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", coll, err)
	}
	return n, nil
}
