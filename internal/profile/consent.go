package profile

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
)

// ConsentInput is one consent decision.
type ConsentInput struct {
	ProfileID string
	Channel   string
	Purpose   string // defaults to DefaultPurpose
	Granted   bool
	Source    string
}

// DefaultPurpose is the purpose of a consent decision that names none.
const DefaultPurpose = "marketing"

// MaxSource is the longest source, in bytes, a consent change or an
// identify call may name (e.g. "pos", "line_oa").
const MaxSource = 64

// maxHistory bounds the decisions kept per channel and purpose.
const maxHistory = 100

// SetConsent records a consent decision and returns the profile after it.
func (s *Service) SetConsent(ctx context.Context, ws auth.Workspace, in ConsentInput) (*Profile, error) {
	channel, err := document.Name("channel", in.Channel)
	if err != nil {
		return nil, err
	}
	if in.Purpose == "" {
		in.Purpose = DefaultPurpose
	}
	purpose, err := document.Name("purpose", in.Purpose)
	if err != nil {
		return nil, err
	}
	if err := document.Text("source", in.Source, MaxSource); err != nil {
		return nil, err
	}
	id, err := s.live(ctx, ws, in.ProfileID)
	if err != nil {
		return nil, err
	}
	at := s.now().UTC()
	return s.Update(ctx, ws, id, false, "consent", func(p *Profile) error {
		change := ConsentChange{Granted: in.Granted, Source: in.Source, At: at}
		for i := range p.Consent {
			c := &p.Consent[i]
			if c.Channel == channel && c.Purpose == purpose {
				c.Granted, c.Source, c.UpdatedAt = in.Granted, in.Source, at
				c.History = append(c.History, change)
				if len(c.History) > maxHistory {
					c.History = c.History[len(c.History)-maxHistory:]
				}
				return nil
			}
		}
		p.Consent = append(p.Consent, Consent{Channel: channel, Purpose: purpose, Granted: in.Granted,
			Source: in.Source, UpdatedAt: at, History: []ConsentChange{change}})
		return nil
	})
}
