package gateway

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Auth says who may call the gateway: a client holding one of the API
// keys (Authorization: Bearer KEY, or an X-API-Key header), or, with
// MutualTLS, a client whose certificate verified against the configured
// client CAs. Every other request is answered 401 in GS1's error shape.
type Auth struct {
	APIKeys   []string
	MutualTLS bool
}

// Enabled reports whether any way to authenticate is configured: a
// gateway with none would refuse everyone, so the command refuses to
// start instead.
func (a Auth) Enabled() bool { return len(a.APIKeys) > 0 || a.MutualTLS }

func (a Auth) allows(r *http.Request) bool {
	if a.MutualTLS && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	got := r.Header.Get("X-API-Key")
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = strings.TrimSpace(v)
	}
	if got == "" {
		return false
	}
	// Compare digests in constant time, so timing tells nothing of a key.
	gd := sha256.Sum256([]byte(got))
	ok := 0
	for _, k := range a.APIKeys {
		kd := sha256.Sum256([]byte(k))
		ok |= subtle.ConstantTimeCompare(gd[:], kd[:])
	}
	return ok == 1
}

func (a Auth) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.allows(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="epcis"`)
			writeProblem(w, http.StatusUnauthorized, exSecurity, "Unauthorised request",
				"give an API key (Authorization: Bearer KEY) or a client certificate the gateway trusts", "ERR_UNAUTHORIZED")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LoadAPIKeys reads API keys from a file, one a line; blank lines and
// lines starting with # are ignored. The file must not be readable by
// others, as a keyring file.
func LoadAPIKeys(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if len(l) < 16 {
			return nil, fmt.Errorf("%s: an API key of %d characters is too easy to guess; use at least 16", path, len(l))
		}
		keys = append(keys, l)
	}
	return keys, sc.Err()
}
