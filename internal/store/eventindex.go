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
// cdp keeps indexes of its own in the events table, on the expressions
// below (indexEvents), and asks SQLite through a read connection of its own
// which events a profile or a batch holds. The documents are then read
// through FerretDB, by _id, as every other read.
//
// FerretDB stores a document as JSON (its sjson format): a string is a
// JSON string and a date its milliseconds since the epoch, so ->> gives
// SQL text and integers that compare as the BSON values do. A missing
// field (a tombstone's profileId) is NULL and matches nothing.
const (
	sqlID         = `_ferretdb_sjson->>'$._id'`
	sqlWorkspace  = `_ferretdb_sjson->>'$.workspace'`
	sqlProfile    = `_ferretdb_sjson->>'$.profileId'`
	sqlBatch      = `_ferretdb_sjson->>'$.batch'`
	sqlType       = `_ferretdb_sjson->>'$.type'`
	sqlTimestamp  = `_ferretdb_sjson->>'$.timestamp'`
	sqlReceivedAt = `_ferretdb_sjson->>'$.receivedAt'`
)

// eventIndexes are the indexes indexEvents keeps on the events table, by
// name suffix.
var eventIndexes = map[string]string{"_cdp_profile": sqlProfile, "_cdp_batch": sqlBatch}

// indexEvents creates the event indexes on table through db. Creating them
// on an existing table reads it once.
func indexEvents(ctx context.Context, db *sql.DB, table string) error {
	for suffix, expr := range eventIndexes {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+suffix, table, expr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index %s: %w", table, err)
		}
	}
	return nil
}

// sideReaders keeps, per embedded database, a connection pool of cdp's own
// for the event lookups, and the name of the database's events table.
type sideReaders struct {
	dir string
	mu  sync.Mutex
	dbs map[string]*sideReader
}

type sideReader struct {
	db     *sql.DB
	events string // "" while the database has no events collection
}

func newSideReaders(dir string) *sideReaders {
	return &sideReaders{dir: dir, dbs: map[string]*sideReader{}}
}

// get returns the database's reader, opening it on first use. It never
// creates the database's file (mode=rw): a database FerretDB has not
// created yet has no events, and reads as having none.
func (x *sideReaders) get(ctx context.Context, database string) (*sideReader, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r, ok := x.dbs[database]; ok && r.events != "" {
		return r, nil
	}
	r := x.dbs[database]
	if r == nil {
		db, err := openSide(filepath.Join(x.dir, database+".sqlite"), "mode=rw&_pragma=busy_timeout(10000)")
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", database, err)
		}
		db.SetMaxIdleConns(4)
		db.SetConnMaxIdleTime(time.Minute)
		r = &sideReader{db: db}
		x.dbs[database] = r
	}
	err := r.db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, colEvents).Scan(&r.events)
	if errors.Is(err, sql.ErrNoRows) || noSuchTable(err) || cantOpen(err) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the events table of %s: %w", database, err)
	}
	return r, nil
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
	r, err := s.side.get(ctx, s.db.Name())
	if err != nil || r.events == "" {
		return nil, err
	}
	where, args := q.where()
	sel := fmt.Sprintf(`SELECT %s FROM %q WHERE %s`, sqlID, r.events, where)
	if q.newest {
		sel += fmt.Sprintf(` ORDER BY %s DESC, %s DESC`, sqlTimestamp, sqlID)
	}
	if q.limit > 0 {
		sel += fmt.Sprintf(` LIMIT %d`, q.limit)
	}
	rows, err := r.db.QueryContext(ctx, sel, args...)
	if err != nil {
		return nil, fmt.Errorf("look up events: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("look up events: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up events: %w", err)
	}
	return ids, nil
}

// countEvents counts the events the query finds.
func (s *Store) countEvents(ctx context.Context, q eventQuery) (int64, error) {
	r, err := s.side.get(ctx, s.db.Name())
	if err != nil || r.events == "" {
		return 0, err
	}
	where, args := q.where()
	var n int64
	err = r.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, r.events, where), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
