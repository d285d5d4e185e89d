package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestEmbeddedLookupsUseIndexes: the lookups of a profile's events, of a
// profile's identifiers, of the profiles being erased or due and of a page
// of profiles are answered from indexes, not by reading the table.
func TestEmbeddedLookupsUseIndexes(t *testing.T) {
	st, ctx := testStore(t)
	since := time.Now()
	type lookup struct {
		coll, cond string
		args       []any
	}
	events := func(q eventQuery) lookup {
		cond, args := q.where()
		return lookup{colEvents, cond, args}
	}
	for name, c := range map[string]lookup{
		"profile events": events(eventQuery{workspace: "ws1", profiles: []string{"p1", "p2"}, types: []string{"order"}, receivedAtLeast: &since}),
		"timeline":       events(eventQuery{workspace: "ws1", profiles: []string{"p1"}, newest: true, limit: 21, after: &eventCursor{at: since, id: "e1"}}),
		"identifiers":    {colIdentities, sqlProfile + " = ? AND " + sqlWorkspace + " = ?", []any{"p1", "ws1"}},
		"erasing":        {colProfiles, sqlErasing + " = 1", nil},
		"profile page":   {colProfiles, sqlWorkspace + " = ? AND " + sqlIDJSON + " > json_quote(?) ORDER BY " + sqlIDJSON + " LIMIT 21", []any{"ws1", "p1"}},
		"due":            {colProfiles, sqlReevaluate + " <= ? AND " + sqlMergedInto + " IS NULL", []any{since.UnixMilli()}},
	} {
		r, table, err := st.side.table(ctx, st.db.Name(), c.coll)
		if err != nil || table == "" {
			t.Fatalf("%s: reader = %+v, %q, %v", name, r, table, err)
		}
		plan := queryPlan(t, r.db, fmt.Sprintf(`SELECT 1 FROM %q WHERE %s`, table, c.cond), c.args...)
		if !slices.ContainsFunc(plan, func(d string) bool { return strings.HasPrefix(d, "SEARCH "+table+" USING INDEX") }) {
			t.Errorf("%s lookup planned as %q", name, plan)
		}
	}
}

// TestEmbeddedEventLookupsAfterDrop: a database dropped and created again
// under the same name is read afresh, not through the dropped file.
func TestEmbeddedEventLookupsAfterDrop(t *testing.T) {
	st, ctx := testStore(t)
	c := st.coll(colEvents)
	for round, id := range []string{"e1", "e2"} {
		if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "workspace", Value: "ws1"}, {Key: "profileId", Value: "p1"}}); err != nil {
			t.Fatal(err)
		}
		ids, err := st.eventIDs(ctx, eventQuery{workspace: "ws1", profiles: []string{"p1"}})
		if err != nil || !slices.Equal(ids, []string{id}) {
			t.Fatalf("round %d: ids = %v, %v; want [%s]", round, ids, err, id)
		}
		if err := st.Drop(ctx); err != nil {
			t.Fatal(err)
		}
		if err := st.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
