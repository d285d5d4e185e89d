package demo

import (
	"maps"
	"math/rand/v2"
	"strings"
	"time"
)

// observer collects what each channel tells the CDP about one customer.
type observer struct {
	c            *Customer
	r            *rand.Rand
	now          time.Time
	first, links []ProfileInput
}

// earlyLink is the share of a customer's cross-channel links the channel
// knows from the start (its record carries them, and attaches to the
// customer's profile); the rest come later and merge two profiles. Merges
// cost several times an attach, so they are kept to a realistic minority.
const earlyLink = 0.75

// observations returns what each channel tells the CDP about the customer:
// first the records each channel keeps on its own (one profile each, unless
// they share an identifier), then the later links (a web login, a phone
// number verified on LINE) that make identity resolution merge them. Some
// channels stay unlinked, as in real data.
func (c *Customer) observations(r *rand.Rand, now time.Time) (first, links []ProfileInput) {
	o := &observer{c: c, r: r, now: now}
	o.store()
	o.app()
	o.web()
	o.line()
	o.whatsApp()
	o.messenger()
	return o.first, o.links
}

// at draws a time between the customer's first contact and now.
func (o *observer) at() time.Time { return daysBefore(o.now, between(o.r, 0, o.c.SinceDays)) }

// start is the customer's first contact.
func (o *observer) start() time.Time { return daysBefore(o.now, o.c.SinceDays) }

func (o *observer) add(link bool, source string, t time.Time, traits map[string]any, ids ...Identity) {
	in := ProfileInput{Identities: ids, Traits: traits, Source: source, Timestamp: t, customer: o.c.Index}
	if link {
		o.links = append(o.links, in)
	} else {
		o.first = append(o.first, in)
	}
}

// record adds a channel's record of the customer, known there by own (with
// ownTraits) at t. When join is not empty the channel also learns those
// identifiers (with joinTraits): at once, or by a later link.
func (o *observer) record(source string, t time.Time, own Identity, ownTraits map[string]any,
	join []Identity, joinTraits map[string]any) {
	all := append([]Identity{own}, join...)
	switch {
	case len(join) == 0:
		o.add(false, source, t, ownTraits, own)
	case chance(o.r, earlyLink):
		o.add(false, source, t, union(ownTraits, joinTraits), all...)
	default:
		o.add(false, source, t, ownTraits, own)
		o.add(true, source, o.at(), joinTraits, all...)
	}
}

func union(a, b map[string]any) map[string]any {
	if len(a) == 0 {
		return b
	}
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func (o *observer) phone() Identity  { return Identity{"phone", o.c.Phone} }
func (o *observer) member() Identity { return Identity{"member_id", o.c.MemberID} }

// store: the POS knows members by member id and phone.
func (o *observer) store() {
	if o.c.BuysOffline {
		o.add(false, "pos", o.start(), o.c.profileTraits(), o.member(), o.phone())
	}
}

// app: a device, signed in to the membership.
func (o *observer) app() {
	if o.c.App {
		o.record("app", o.start(), Identity{"device_id", o.c.DeviceID}, nil,
			[]Identity{o.member()}, o.c.profileTraits())
	}
}

// web: a visitor; buyers log in to check out, some browsers sign up.
func (o *observer) web() {
	if !o.c.Web {
		return
	}
	var join []Identity
	if o.c.BuysOnline || chance(o.r, 0.4) {
		join = append(join, Identity{"email", o.c.Email})
		if o.c.MemberID != "" {
			join = append(join, o.member())
		}
	}
	o.record("web", o.start(), Identity{"anonymous_id", o.c.AnonymousID}, nil, join, o.c.profileTraits())
}

// line: a friend of the LINE account; many share their phone through LINE
// Login, store customers more often (the member card lives in LINE).
func (o *observer) line() {
	if !o.c.Line {
		return
	}
	p := 0.55
	if o.c.BuysOffline {
		p = 0.75
	}
	o.record("line", o.at(), Identity{"line_uid", o.c.LineUID}, map[string]any{"lineDisplayName": firstWord(o.c.Name)},
		o.maybe(p, o.phone()), nil)
}

// whatsApp: a chat from the customer's phone, tied to it by the CRM or not.
func (o *observer) whatsApp() {
	if o.c.WhatsApp {
		o.record("whatsapp", o.at(), Identity{"whatsapp", o.c.Phone}, map[string]any{"whatsappName": firstWord(o.c.Name)},
			o.maybe(0.6, o.phone()), nil)
	}
}

// messenger: a page-scoped id, rarely tied to the rest (by an e-mail given in chat).
func (o *observer) messenger() {
	if !o.c.Messenger {
		return
	}
	var join []Identity
	if o.c.Email != "" {
		join = o.maybe(0.3, Identity{"email", o.c.Email})
	}
	o.record("messenger", o.at(), Identity{"messenger_psid", o.c.PSID}, map[string]any{"messengerName": firstWord(o.c.Name)},
		join, nil)
}

// maybe returns ids with probability p, else none.
func (o *observer) maybe(p float64, ids ...Identity) []Identity {
	if chance(o.r, p) {
		return ids
	}
	return nil
}

// profileTraits are the traits a channel that knows the customer by name
// records, with the loyalty tier of members.
func (c *Customer) profileTraits() map[string]any {
	t := map[string]any{"name": c.Name, "city": c.City, "language": c.Language}
	if c.Tier != "" {
		t["tier"] = c.Tier
	}
	return t
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// daysBefore is the time d days before now, to the second.
func daysBefore(now time.Time, d float64) time.Time {
	return now.Add(-time.Duration(d * float64(24*time.Hour))).Truncate(time.Second)
}
