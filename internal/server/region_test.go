package server_test

import (
	"testing"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

const (
	workspaceQ    = `{ workspace { id defaultRegion } }`
	setRegionQ    = `mutation($r: String) { updateWorkspace(input: {defaultRegion: $r}) { defaultRegion } }`
	identifyPhone = `mutation($v: String!) { identify(input: {identities: [{type: "phone", value: $v}]}) { profile { identities { value } } } }`
)

// TestRegionIsAWorkspaceSettingWithTheServerDefaultAsFallback: one
// deployment serves brands in several countries. A workspace that set no
// region uses CDP_DEFAULT_REGION; one that set a region uses its own; a
// region phone numbers do not know is refused.
func TestRegionIsAWorkspaceSettingWithTheServerDefaultAsFallback(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) { c.DefaultRegion = "GB" }})
	uk, th := Token(t, "uk-shop"), Token(t, "th-shop")

	if got := Str(s.MustDo(t, uk, workspaceQ, nil), "workspace", "defaultRegion"); got != "GB" {
		t.Errorf("region of a workspace that set none = %q, want the server's GB", got)
	}
	for _, bad := range []string{"XX", "EU", "Thailand", ""} {
		r := s.Do(t, th, setRegionQ, map[string]any{"r": bad})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "defaultRegion" {
			t.Errorf("defaultRegion %q: %+v, want BAD_USER_INPUT on field defaultRegion", bad, r.Errors)
		}
	}
	if got := Str(s.MustDo(t, th, setRegionQ, map[string]any{"r": " th "}), "updateWorkspace", "defaultRegion"); got != "TH" {
		t.Fatalf("set region th = %q, want TH", got)
	}
	if got := Str(s.MustDo(t, th, identifyPhone, map[string]any{"v": "081 234 5678"}), "identify", "profile", "identities", 0, "value"); got != "+66812345678" {
		t.Errorf("Thai national number in the TH workspace = %q, want +66812345678", got)
	}
	if got := Str(s.MustDo(t, uk, identifyPhone, map[string]any{"v": "020 7031 3000"}), "identify", "profile", "identities", 0, "value"); got != "+442070313000" {
		t.Errorf("UK national number in a workspace on the GB fallback = %q, want +442070313000", got)
	}
}
