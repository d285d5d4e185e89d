package demo

import "math/rand/v2"

// Names are romanized Thai given and family names.
var (
	givenNames = []string{
		"Somchai", "Somsak", "Nattapong", "Siriporn", "Ananya", "Kanokwan", "Pimchanok", "Thanakrit",
		"Wichai", "Malee", "Apinya", "Chayanin", "Kittisak", "Supaporn", "Arthit", "Napat",
		"Pornthip", "Sutthida", "Warut", "Jirayu", "Kamonwan", "Panida", "Thanawat", "Rattana",
	}
	familyNames = []string{
		"Srisuk", "Chaiyaporn", "Wongsa", "Suwannarat", "Boonmee", "Kaewmanee", "Saetang", "Phromma",
		"Thongdee", "Rattanakul", "Sukprasert", "Chanthra", "Intharat", "Limsakul", "Panyawong", "Yodsuwan",
	}
)

// cities are where customers live, with weights that sum to 100.
var cities = []weighted[string]{
	{"Bangkok", 55}, {"Chiang Mai", 18}, {"Khon Kaen", 15}, {"Phuket", 12},
}

// product is one article of the demo shop's catalogue.
type product struct {
	SKU, Name, Category string
	Price               float64 // THB
}

var products = []product{
	{"SKN-001", "Rice Water Toner", "skincare", 390},
	{"SKN-002", "Tamarind Body Scrub", "skincare", 250},
	{"SKN-003", "Snail Repair Serum", "skincare", 890},
	{"SKN-004", "Sunscreen SPF50", "skincare", 450},
	{"FSH-001", "Linen Shirt", "fashion", 1290},
	{"FSH-002", "Cotton Pareo", "fashion", 590},
	{"FSH-003", "Leather Sandals", "fashion", 1890},
	{"FSH-004", "Canvas Tote", "fashion", 490},
	{"HOM-001", "Jasmine Diffuser", "home", 750},
	{"HOM-002", "Celadon Mug", "home", 320},
	{"HOM-003", "Rattan Lamp", "home", 2450},
	{"FOD-001", "Thai Tea Set", "food", 280},
	{"FOD-002", "Dried Mango Box", "food", 180},
	{"FOD-003", "Chiang Mai Coffee Beans", "food", 420},
}

// pages are the shop's non-product pages.
var pages = []string{"/", "/promotions", "/c/skincare", "/c/fashion", "/c/home", "/c/food", "/stores", "/member"}

// weighted is a choice with a relative weight.
type weighted[T any] struct {
	v T
	w int
}

// pick draws one of the choices in proportion to its weight.
func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	total := 0
	for _, c := range choices {
		total += c.w
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	return choices[len(choices)-1].v
}

// one returns a uniformly drawn element of xs.
func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a uniform float in [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
