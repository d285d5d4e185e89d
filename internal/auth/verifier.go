package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/golang-jwt/jwt/v5"
)

// Leeway is the clock skew tolerated on exp, nbf and iat: a token expired
// for up to Leeway is still accepted, and one whose nbf or iat lies up to
// Leeway in the future too.
const Leeway = 60 * time.Second

// Accepted algorithms. The two lists never mix, and "none" is in neither, so
// a token cannot pick a verification scheme the key was not meant for.
var (
	hmacMethods       = []string{"HS256"}
	asymmetricMethods = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "EdDSA"}
)

// Options configures a Verifier. Exactly one of Secret and JWKSURL is set.
type Options struct {
	// Secret verifies HS256 tokens.
	Secret []byte
	// JWKSURL is a JWK Set endpoint for RSA, ECDSA and EdDSA keys.
	JWKSURL string
	// Issuer, when non-empty, must equal the "iss" claim.
	Issuer string
	// Audience must appear in "aud"; defaults to DefaultAudience.
	Audience string
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// HTTPClient fetches the JWK Set; defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// Verifier checks bearer tokens and turns them into principals. It is safe
// for concurrent use.
type Verifier struct {
	parser  *jwt.Parser
	secret  []byte
	keyfunc keyfunc.Keyfunc
	now     func() time.Time
}

// NewVerifier builds a Verifier. With JWKSURL it fetches the key set once,
// failing if that fetch fails, then refreshes it in the background (hourly,
// and on an unknown key ID, rate limited) until ctx is done.
func NewVerifier(ctx context.Context, o Options) (*Verifier, error) {
	hasSecret, hasJWKS := len(o.Secret) > 0, o.JWKSURL != ""
	if hasSecret == hasJWKS {
		return nil, errors.New("auth: exactly one of Secret and JWKSURL must be set")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	aud := o.Audience
	if aud == "" {
		aud = DefaultAudience
	}
	methods := hmacMethods
	if hasJWKS {
		methods = asymmetricMethods
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithAudience(aud),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		// One token, one spelling: without it, a signature whose last
		// base64 character differs in unused bits verifies too.
		jwt.WithStrictDecoding(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(now),
	}
	if o.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(o.Issuer))
	}
	v := &Verifier{parser: jwt.NewParser(popts...), now: now}
	if hasSecret {
		v.secret = append([]byte(nil), o.Secret...)
		return v, nil
	}
	failFirst := false
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{o.JWKSURL}, keyfunc.Override{
		Client:                    o.HTTPClient,
		NoErrorReturnFirstHTTPReq: &failFirst,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: load JWKS from %s: %w", o.JWKSURL, err)
	}
	v.keyfunc = kf
	return v, nil
}

// Verify checks token's header, signature, algorithm, expiry, not-before,
// issue time, lifetime, audience, issuer and application claims. Any failure is an errs.Unauthenticated error whose
// message names the reason (e.g. "invalid token: token is expired") and
// whose cause is the underlying jwt error.
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, errs.New(errs.Unauthenticated, "missing bearer token")
	}
	var c Claims
	if _, err := v.parser.ParseWithClaims(token, &c, v.keyFor(ctx)); err != nil {
		return Principal{}, errs.Wrap(errs.Unauthenticated, "invalid token: "+reason(err), err)
	}
	if err := c.checkLifetime(v.now()); err != nil {
		return Principal{}, errs.Wrap(errs.Unauthenticated, "invalid token: "+err.Error(), err)
	}
	return c.principal(), nil
}

// VerifyHeader verifies the token of an Authorization header value of the
// form "Bearer <token>"; the scheme is case-insensitive.
func (v *Verifier) VerifyHeader(ctx context.Context, authorization string) (Principal, error) {
	h := strings.TrimSpace(authorization)
	if h == "" {
		return Principal{}, errs.New(errs.Unauthenticated, "missing bearer token")
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return Principal{}, errs.New(errs.Unauthenticated, "authorization scheme must be Bearer")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Principal{}, errs.New(errs.Unauthenticated, "missing bearer token")
	}
	return v.Verify(ctx, token)
}

// errCritical refuses a "crit" header: it names extensions the verifier
// must understand, and it understands none (RFC 7515, section 4.1.11).
var errCritical = errors.New("token has unsupported critical header parameters")

// keyFor returns the jwt.Keyfunc for one verification. It runs after the
// algorithm was checked against the accepted list and before the signature.
func (v *Verifier) keyFor(ctx context.Context) jwt.Keyfunc {
	key := v.hmacKey
	if v.keyfunc != nil {
		key = v.keyfunc.KeyfuncCtx(ctx)
	}
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, errCritical
		}
		return key(t)
	}
}

// hmacKey returns the shared secret for an HMAC token.
func (v *Verifier) hmacKey(t *jwt.Token) (any, error) {
	if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
		return nil, fmt.Errorf("unexpected signing method %s", t.Method.Alg())
	}
	return v.secret, nil
}

// reasons are the categories shown for failures outside claim validation;
// their details (key lookup, crypto) stay in the wrapped cause only.
var reasons = []error{
	errCritical,
	jwt.ErrTokenSignatureInvalid,
	jwt.ErrTokenUnverifiable,
	jwt.ErrTokenMalformed,
}

// reason returns a client-safe description of a parse failure. Claim
// validation messages only name claims, so they are shown in full.
func reason(err error) string {
	if errors.Is(err, jwt.ErrTokenInvalidClaims) {
		return strings.TrimPrefix(err.Error(), jwt.ErrTokenInvalidClaims.Error()+": ")
	}
	for _, r := range reasons {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	return "token is invalid"
}
