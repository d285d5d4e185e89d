package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB v1.24's SQLite handler creates its unique _id index on the
// expression _ferretdb_sjson->"_id" but looks documents up with
// _ferretdb_sjson->'$._id', which SQLite does not match to that index: every
// lookup, update and delete by _id scans the table. indexTables therefore
// indexes the exact expression the lookups use, uniquely, and drops
// FerretDB's own index: it enforced the same uniqueness (a duplicate _id
// still fails with SQLITE_CONSTRAINT_UNIQUE, which FerretDB reports as a
// duplicate key) while every insert and update paid for keeping both, a
// fifth to a quarter of a profile write. It is idempotent (a directory an
// earlier version indexed, with a non-unique index beside FerretDB's, is
// moved over) and touches nothing FerretDB reads. It also creates cdp's
// other indexes (sideIndexes, sidelookup.go).
func indexTables(ctx context.Context, dir, database string) error {
	path := filepath.Join(dir, database+".sqlite")
	db, err := openSide(path, "_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("list tables of %s: %w", path, err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, t string
		if err := rows.Scan(&name, &t); err != nil {
			rows.Close()
			return err
		}
		tables[name] = t
	}
	rows.Close()
	if err := indexSide(ctx, db, tables); err != nil {
		return err
	}
	for _, t := range tables {
		for _, q := range []string{ // unique first: uniqueness is never off
			fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %q ON %q (%s)`, t+"_cdp_uid", t, sqlIDJSON),
			fmt.Sprintf(`DROP INDEX IF EXISTS %q`, t+"_cdp_id"),
			fmt.Sprintf(`DROP INDEX IF EXISTS %q`, t+"__id_"),
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("index %s: %w", t, err)
			}
		}
	}
	return nil
}

// openSide opens a connection of cdp's own to one of the embedded store's
// SQLite files, beside FerretDB's, with the URI's query (SQLite's mode,
// modernc's _pragma=…).
func openSide(path, query string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+query)
}
