package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// sqliteIndexes returns the names of the SQLite indexes of the profiles
// table and whether each is unique.
func sqliteIndexes(t *testing.T, st *Store) (*sql.DB, string, map[string]bool) {
	t.Helper()
	db, err := openSide(filepath.Join(st.dir, st.db.Name()+".sqlite"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, colProfiles).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT name, "unique" FROM pragma_index_list(%q)`, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		var unique bool
		if err := rows.Scan(&name, &unique); err != nil {
			t.Fatal(err)
		}
		out[name] = unique
	}
	return db, table, out
}

// queryPlan returns the details of SQLite's plan for the query.
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestEmbeddedIDIndex: each table has one unique index on the expression
// FerretDB's _id lookups use, which keeps duplicates out (and those of
// sideIndexes); a directory
// indexed by an earlier version (FerretDB's own unique index beside a plain
// one of ours) is moved over.
func TestEmbeddedIDIndex(t *testing.T) {
	st, ctx := testStore(t)
	c := st.coll(colProfiles)
	check := func(step string) {
		t.Helper()
		db, table, got := sqliteIndexes(t, st)
		want := map[string]bool{table + "_cdp_uid": true, table + "_cdp_erasing": false, table + "_cdp_reevaluate": false} // sideIndexes
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: indexes of %s = %v, want %v", step, table, got, want)
		}
		plan := queryPlan(t, db, fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"p1"`)
		if !slices.ContainsFunc(plan, func(d string) bool {
			return d == fmt.Sprintf("SEARCH %s USING INDEX %s_cdp_uid (<expr>=?)", table, table)
		}) {
			t.Fatalf("%s: a lookup by _id is planned as %q", step, plan)
		}
		if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "p1"}, {Key: "n", Value: 2}}); !mongo.IsDuplicateKeyError(err) {
			t.Fatalf("%s: second insert of p1: err = %v, want a duplicate key error", step, err)
		}
	}
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "p1"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	check("fresh")

	db, table, _ := sqliteIndexes(t, st)
	for _, q := range []string{
		fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (_ferretdb_sjson->"_id")`, table+"__id_", table),
		fmt.Sprintf(`CREATE INDEX %q ON %q (_ferretdb_sjson->'$._id')`, table+"_cdp_id", table),
		fmt.Sprintf(`DROP INDEX %q`, table+"_cdp_uid"),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	check("earlier layout")
}
