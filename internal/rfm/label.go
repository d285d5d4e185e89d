package rfm

import (
	"fmt"
	"strings"
)

// The eleven segment labels, as Label returns them.
const (
	Champions         = "Champions"          // bought recently, often, and spend the most
	LoyalCustomers    = "Loyal Customers"    // buy often and spend well, fairly recently
	PotentialLoyalist = "Potential Loyalist" // recent customers with average frequency or spend
	NewCustomers      = "New Customers"      // bought very recently, once and little
	Promising         = "Promising"          // recent, but low frequency and spend
	NeedAttention     = "Need Attention"     // middling on every dimension
	AboutToSleep      = "About To Sleep"     // below average recency, frequency and spend
	AtRisk            = "At Risk"            // used to buy well, not for a while
	CantLoseThem      = "Can't Lose Them"    // used to be among the best, not for a long while
	Hibernating       = "Hibernating"        // last bought long ago, rarely and little
	Lost              = "Lost"               // the lowest scores on every dimension
)

// Labels are the eleven labels in canonical order, best first. Callers
// must not modify the slice.
var Labels = []string{
	Champions, LoyalCustomers, PotentialLoyalist, NewCustomers, Promising,
	NeedAttention, AboutToSleep, AtRisk, CantLoseThem, Hibernating, Lost,
}

// grid[5-r][fm-1] is the label of recency score r and FM score fm.
var grid = [5][5]string{
	{NewCustomers, PotentialLoyalist, PotentialLoyalist, Champions, Champions}, // R = 5
	{Promising, PotentialLoyalist, LoyalCustomers, LoyalCustomers, Champions},  // R = 4
	{Promising, AboutToSleep, NeedAttention, LoyalCustomers, LoyalCustomers},   // R = 3
	{Hibernating, AboutToSleep, AtRisk, AtRisk, CantLoseThem},                  // R = 2
	{Lost, Hibernating, AtRisk, CantLoseThem, CantLoseThem},                    // R = 1
}

// Grid returns the label grid: Grid()[i][j] is the label of R = 5-i and
// FM = j+1, rows from R = 5 down to R = 1 as docs/rfm.md shows them.
func Grid() [5][5]string { return grid }

// FM combines the frequency and monetary scores into one: their mean,
// rounding halves up, (f+m+1)/2 in integers.
func FM(f, m int) int { return (f + m + 1) / 2 }

// Label returns the label of the scores r, f and m (each 1 to 5), the
// cell of row r and column FM(f, m) of the grid. It returns "" when a
// score is out of range.
func Label(r, f, m int) string {
	if !inRange(r) || !inRange(f) || !inRange(m) {
		return ""
	}
	return grid[5-r][FM(f, m)-1]
}

func inRange(s int) bool { return s >= 1 && s <= 5 }

// GridMarkdown returns the grid as the Markdown table of docs/rfm.md.
func GridMarkdown() string {
	var b strings.Builder
	b.WriteString("| R \\ FM | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|---|\n")
	for i, row := range grid {
		fmt.Fprintf(&b, "| **%d** | %s |\n", 5-i, strings.Join(row[:], " | "))
	}
	return b.String()
}
