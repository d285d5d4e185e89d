package bench

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// commandCounts reads how many commands of each kind the store has served
// (serverStatus metrics.commands.<name>.total, which both MongoDB and
// FerretDB report). A bulk write of many statements is one command: the
// counts are round trips.
func (e *env) commandCounts(ctx context.Context) (map[string]int64, error) {
	var res struct {
		Metrics struct {
			Commands map[string]bson.Raw `bson:"commands"`
		} `bson:"metrics"`
	}
	cmd := bson.D{{Key: "serverStatus", Value: 1}}
	if err := e.st.Raw().Client().Database("admin").RunCommand(ctx, cmd).Decode(&res); err != nil {
		return nil, fmt.Errorf("serverStatus: %w", err)
	}
	out := map[string]int64{}
	for name, doc := range res.Metrics.Commands {
		if n, ok := doc.Lookup("total").AsInt64OK(); ok {
			out[name] = n
		}
	}
	return out, nil
}

// monitoring are the commands drivers send on their own (handshakes,
// heartbeats, sessions) and the bench's own serverStatus: not the product's.
var monitoring = map[string]bool{"hello": true, "isMaster": true, "ismaster": true, "ping": true,
	"serverStatus": true, "buildInfo": true, "endSessions": true, "saslStart": true, "saslContinue": true, "unknown": true}

// counted runs fn, which makes `calls` product calls, and describes the
// store commands they cost per call, e.g. "find 2, update 11 (13 in all)".
// The description is empty when the store does not report its commands.
func (e *env) counted(ctx context.Context, calls int, fn func() error) (string, error) {
	before, errBefore := e.commandCounts(ctx)
	if err := fn(); err != nil {
		return "", err
	}
	after, errAfter := e.commandCounts(ctx)
	if errBefore != nil || errAfter != nil || calls == 0 {
		return "", nil
	}
	var parts []string
	var sum float64
	for _, name := range slices.Sorted(maps.Keys(after)) {
		d := after[name] - before[name]
		if d <= 0 || monitoring[name] {
			continue
		}
		per := float64(d) / float64(calls)
		sum += per
		parts = append(parts, fmt.Sprintf("%s %.3g", name, per))
	}
	return fmt.Sprintf("%s (%.3g in all)", strings.Join(parts, ", "), sum), nil
}
