// Package store is the MongoDB layer: the client, the embedded default
// server, indexes, and one adapter per domain store interface. Every query
// the product issues lives here, so the MongoDB subset it needs is visible in
// one place.
package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"golang.org/x/sync/semaphore"
)

// Options say where the data lives.
type Options struct {
	URI      string // a MongoDB URI; empty starts the embedded store
	DataDir  string // the embedded store's directory
	Database string
	Logger   *slog.Logger
	// SelectTimeout bounds how long an operation waits for a reachable
	// store (the driver's server selection); 0 means DefaultSelectTimeout.
	// A serverSelectionTimeoutMS in URI wins.
	SelectTimeout time.Duration
}

// Store is a connection to one database.
type Store struct {
	client   *mongo.Client
	raw      *mongo.Client // the same store without the write gate (gate.go)
	db       *mongo.Database
	embedded *Embedded
	owner    bool
	// serial is set on the embedded store: compare-and-swap writes are
	// serialized in process instead of filtering on a version.
	serial *stripes
	// writes is the embedded store's write budget (bulk.go); nil on MongoDB.
	writes *semaphore.Weighted
	// known remembers the profile versions and documents this process
	// wrote on the embedded store (see profile_versions.go); nil on MongoDB.
	known *known
	// claimed filters the identifiers nobody claimed on the embedded store
	// (see claimed.go); nil on MongoDB.
	claimed *claimedFilters
	dir     string // the embedded store's data directory
	// wals makes the embedded store's writes durable (durable.go); nil
	// on MongoDB.
	wals *walFiles
	// combine shares bulk writes between concurrent replacements on the
	// embedded store (combine.go); nil on MongoDB.
	combine *combiners
	// side looks events up by cdp's own indexes on the embedded store
	// (sidelookup.go); nil on MongoDB.
	side *sideReaders
	// writer names this process in the profile documents it stores on
	// MongoDB, so that its change stream can tell its own writes from
	// other replicas' (changes.go); "" on the embedded store.
	writer string
}

// Open connects to MongoDB, or starts the embedded store when no URI is given.
func Open(ctx context.Context, o Options) (*Store, error) {
	s := &Store{owner: true}
	uri := o.URI
	if uri == "" {
		e, err := StartEmbedded(ctx, o.DataDir, o.Logger)
		if err != nil {
			return nil, err
		}
		s.embedded, uri, s.serial, s.writes, s.dir = e, e.URI(), &stripes{}, newWriteBudget(), o.DataDir
		s.known, s.claimed = newKnown(), newClaimedFilters()
		s.wals, s.combine, s.side = newWALFiles(e.dir), &combiners{}, newSideReaders(e.dir)
	} else {
		s.writer = rand.Text()
	}
	client, err := newClient(o, uri, s.embedded != nil)
	if err == nil {
		s.raw = client
		if s.embedded != nil {
			s.raw, err = newClient(o, uri, false)
		}
	}
	if err != nil {
		_ = s.disconnect(context.Background(), client)
		s.stopEmbedded()
		return nil, fmt.Errorf("connect to mongodb: %w", err)
	}
	s.client, s.db = client, client.Database(o.Database)
	if err := s.Ping(ctx); err != nil {
		_ = s.disconnect(context.Background(), client)
		s.stopEmbedded()
		return nil, fmt.Errorf("reach mongodb: %w", err)
	}
	return s, nil
}

// newClient makes a client of uri; gate queues its writes (gate.go).
func newClient(o Options, uri string, gate bool) (*mongo.Client, error) {
	co := options.Client().SetServerSelectionTimeout(selectTimeout(o)).ApplyURI(uri).
		// No client-wide timeout: it adds maxTimeMS to every command, which
		// FerretDB's distinct refuses. Callers bound work with contexts.
		SetBSONOptions(&options.BSONOptions{DefaultDocumentMap: true})
	if gate {
		co.SetMonitor((&writeGate{}).monitor())
	}
	return mongo.Connect(co)
}

// disconnect closes the clients Open made: the product's, and the raw one
// when it is another.
func (s *Store) disconnect(ctx context.Context, client *mongo.Client) error {
	var err error
	if client != nil {
		err = client.Disconnect(ctx)
	}
	if s.raw != nil && s.raw != client {
		err = errors.Join(err, s.raw.Disconnect(ctx))
	}
	return err
}

// selectTimeout is the server selection timeout Open sets before the URI's
// own options apply.
func selectTimeout(o Options) time.Duration {
	if o.SelectTimeout > 0 {
		return o.SelectTimeout
	}
	return DefaultSelectTimeout
}

// WithDatabase returns a Store on another database of the same connection.
// Closing it does nothing; tests use it for one database per test.
func (s *Store) WithDatabase(name string) *Store {
	return &Store{client: s.client, raw: s.raw, db: s.client.Database(name), serial: s.serial, writes: s.writes, dir: s.dir, known: s.known, claimed: s.claimed,
		writer: s.writer, wals: s.wals, combine: s.combine, side: s.side}
}

// Drop deletes the whole database.
func (s *Store) Drop(ctx context.Context) error {
	if s.side != nil {
		s.side.forget(s.db.Name())
	}
	return s.db.Drop(ctx)
}

// Ping checks that the store answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return s.client.Ping(ctx, readpref.Primary())
}

// Close disconnects and stops the embedded store, if any.
func (s *Store) Close(ctx context.Context) error {
	if !s.owner {
		return nil
	}
	err := s.disconnect(ctx, s.client)
	if s.side != nil {
		s.side.close()
	}
	s.stopEmbedded()
	return err
}

func (s *Store) stopEmbedded() {
	if s.embedded != nil {
		s.embedded.Stop()
	}
}

func (s *Store) coll(name string) *mongo.Collection { return s.db.Collection(name) }

// Private reports whether the store belongs to this process alone (the
// embedded store, whose data directory the process has locked).
func (s *Store) Private() bool { return s.serial != nil }

// Raw returns the underlying database through a client of its own, with
// none of the product's machinery (no write gate), for the bench
// command's baselines and for tests that look at documents directly.
func (s *Store) Raw() *mongo.Database { return s.raw.Database(s.db.Name()) }
