package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Persona is the kind of customer a demo customer is drawn as; it sets how
// they buy, so that RFM finds every kind of customer.
type Persona string

// The personas, with their share of the customers in personas.
const (
	Champion   Persona = "champion"    // buys every two or three weeks, big baskets
	Loyal      Persona = "loyal"       // buys every month or two
	Potential  Persona = "potential"   // a few orders in the last months
	Newcomer   Persona = "new"         // a first order in the last weeks
	OneTime    Persona = "one-time"    // one order, any time in the two years
	Lapsed     Persona = "lapsed"      // bought regularly, stopped months ago
	Browser    Persona = "browser"     // browses the web shop or app, never bought
	LineFriend Persona = "line-friend" // follows the LINE account; buys in store if at all
)

var personas = []weighted[Persona]{
	{Champion, 5}, {Loyal, 10}, {Potential, 10}, {Newcomer, 7},
	{OneTime, 25}, {Lapsed, 13}, {Browser, 15}, {LineFriend, 15},
}

// Customer is one synthetic person and the channels they use. An empty
// identifier means the person has none of that kind.
type Customer struct {
	Index      int
	Persona    Persona
	Name, City string
	Tier       string // loyalty tier of members: classic, silver, gold, platinum
	Language   string
	SinceDays  float64 // first contact, in days before now

	Phone, Email, MemberID, LineUID, PSID, DeviceID, AnonymousID string

	Web, App, Line, WhatsApp, Messenger bool // channels the person uses
	BuysOnline, BuysOffline             bool // where the person orders
}

// maxSeeds and maxCustomers bound the (seed, index) pairs whose phone
// numbers, member ids and e-mails are guaranteed distinct.
const (
	maxSeeds     = 90
	maxCustomers = 1_000_000
)

// newCustomer draws customer i of the seed.
func newCustomer(r *rand.Rand, seed uint64, i int) Customer {
	c := Customer{Index: i, Persona: pick(r, personas)}
	given, family := one(r, givenNames), one(r, familyNames)
	c.Name, c.City = given+" "+family, pick(r, cities)
	c.Language = pick(r, []weighted[string]{{"th", 85}, {"en", 15}})
	c.SinceDays = c.since(r)
	c.chooseChannels(r)
	c.identifiers(r, seed, i, given, family)
	if c.MemberID != "" {
		c.Tier = c.tier(r)
	}
	return c
}

// since draws how long ago the customer first came.
func (c *Customer) since(r *rand.Rand) float64 {
	switch c.Persona {
	case Champion, Loyal, Lapsed:
		return between(r, 420, 730)
	case Newcomer:
		return between(r, 3, 30)
	case Potential:
		return between(r, 60, 200)
	default:
		return between(r, 30, 730)
	}
}

// chooseChannels draws where the customer shops and talks to the brand.
func (c *Customer) chooseChannels(r *rand.Rand) {
	switch c.Persona {
	case Browser:
		c.Web, c.App = true, chance(r, 0.3)
	case LineFriend:
		c.Line, c.BuysOffline = true, chance(r, 0.4)
	default:
		mix := []weighted[string]{{"online", 45}, {"offline", 35}, {"omni", 20}}
		if c.Persona == Champion || c.Persona == Loyal {
			mix = []weighted[string]{{"online", 30}, {"offline", 25}, {"omni", 45}}
		}
		m := pick(r, mix)
		c.BuysOnline, c.BuysOffline = m != "offline", m != "online"
		if c.BuysOnline {
			device := pick(r, []weighted[string]{{"web", 55}, {"app", 20}, {"both", 25}})
			c.Web, c.App = device != "app", device != "web"
		}
	}
	if !c.Line {
		c.Line = chance(r, 0.4)
	}
	c.WhatsApp, c.Messenger = chance(r, 0.15), chance(r, 0.15)
}

// identifiers draws the customer's identifiers. Phone numbers, member ids
// and e-mails are numbered by a bijection of (seed mod 90, i), so they are
// distinct for up to a million customers, across 90 seeds.
func (c *Customer) identifiers(r *rand.Rand, seed uint64, i int, given, family string) {
	key := (int(seed%maxSeeds)*maxCustomers + i) * 7919 % 90_000_000 // 7919 is prime to 9·10⁷
	num := 10_000_000 + key
	c.Phone = fmt.Sprintf("+668%08d", num) // a Thai mobile number in E.164
	if c.BuysOffline || c.App {
		c.MemberID = fmt.Sprintf("M%08d", num)
	}
	if c.Web {
		domain := one(r, []string{"example.com", "example.net", "example.org"})
		c.Email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(given), strings.ToLower(family), num, domain)
		c.AnonymousID = fmt.Sprintf("anon-%016x", r.Uint64())
	}
	if c.Line {
		c.LineUID = fmt.Sprintf("U%016x%016x", r.Uint64(), r.Uint64())
	}
	if c.Messenger {
		c.PSID = fmt.Sprintf("%d", 1_000_000_000_000_000+r.Int64N(9_000_000_000_000_000))
	}
	if c.App {
		c.DeviceID = fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32N(1<<16), r.Uint32N(1<<12),
			0x8000|r.Uint32N(1<<14), r.Uint64N(1<<48))
	}
}

// tier draws a member's loyalty tier, higher for better customers.
func (c *Customer) tier(r *rand.Rand) string {
	switch c.Persona {
	case Champion:
		return pick(r, []weighted[string]{{"platinum", 60}, {"gold", 40}})
	case Loyal:
		return pick(r, []weighted[string]{{"gold", 50}, {"silver", 50}})
	case Potential, Lapsed:
		return pick(r, []weighted[string]{{"silver", 40}, {"classic", 60}})
	default:
		return "classic"
	}
}
