package rfm

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestFM(t *testing.T) {
	tests := []struct{ f, m, want int }{
		{1, 1, 1}, {1, 2, 2}, {2, 1, 2}, {2, 3, 3}, {1, 5, 3}, {4, 5, 5}, {5, 4, 5}, {5, 5, 5}, {3, 4, 4},
	}
	for _, tt := range tests {
		if got := FM(tt.f, tt.m); got != tt.want {
			t.Errorf("FM(%d, %d) = %d, want %d", tt.f, tt.m, got, tt.want)
		}
	}
}

// TestLabelEveryCell pins each of the 25 cells; f = m = fm reaches each.
func TestLabelEveryCell(t *testing.T) {
	want := map[int][5]string{
		5: {"New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"},
		4: {"Promising", "Potential Loyalist", "Loyal Customers", "Loyal Customers", "Champions"},
		3: {"Promising", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"},
		2: {"Hibernating", "About To Sleep", "At Risk", "At Risk", "Can't Lose Them"},
		1: {"Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"},
	}
	for r := 5; r >= 1; r-- {
		for fm := 1; fm <= 5; fm++ {
			if got := Label(r, fm, fm); got != want[r][fm-1] {
				t.Errorf("Label(R=%d, FM=%d) = %q, want %q", r, fm, got, want[r][fm-1])
			}
			if got := Grid()[5-r][fm-1]; got != want[r][fm-1] {
				t.Errorf("Grid()[R=%d][FM=%d] = %q, want %q", r, fm, got, want[r][fm-1])
			}
		}
	}
}

func TestLabelOfEveryScoreIsOneOfTheEleven(t *testing.T) {
	seen := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				l := Label(r, f, m)
				if !slices.Contains(Labels, l) {
					t.Errorf("Label(%d, %d, %d) = %q, not one of Labels", r, f, m, l)
				}
				if want := Label(r, FM(f, m), FM(f, m)); l != want {
					t.Errorf("Label(%d, %d, %d) = %q, want the FM=%d cell %q", r, f, m, l, FM(f, m), want)
				}
				seen[l] = true
			}
		}
	}
	if len(seen) != len(Labels) || len(Labels) != 11 {
		t.Errorf("scores reach %d labels of %d, want all 11", len(seen), len(Labels))
	}
}

func TestLabelOutOfRange(t *testing.T) {
	for _, s := range [][3]int{{0, 3, 3}, {6, 3, 3}, {3, 0, 3}, {3, 3, 6}, {-1, -1, -1}} {
		if got := Label(s[0], s[1], s[2]); got != "" {
			t.Errorf("Label(%v) = %q, want \"\"", s, got)
		}
	}
}

func TestLabelsCanonicalOrder(t *testing.T) {
	want := []string{"Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
		"Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"}
	if !slices.Equal(Labels, want) {
		t.Errorf("Labels = %q, want %q", Labels, want)
	}
}

// TestDocsShowTheGrid keeps docs/rfm.md in step with the code.
func TestDocsShowTheGrid(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rfm.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), GridMarkdown()) {
		t.Errorf("docs/rfm.md does not contain the grid; paste:\n%s", GridMarkdown())
	}
}
