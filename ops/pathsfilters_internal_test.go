package ops

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// What a server sends is read field by field: an absent mode or paths is
// unknown (never "allow" nor an empty list), an empty list is known, server
// text is cleaned and the token redacted, a 5xx is unknown with its error,
// and a cluster that stops answering is not asked once per id.
func TestReadPathsFiltersHostile(t *testing.T) {
	const token = "hvs.SECRETSECRETSECRET"
	base := "/v1/sys/replication/performance/primary/paths-filter/"
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		base + "nomode":  jsonReply(200, `{"data":{"paths":["secret/"]}}`),
		base + "nopaths": jsonReply(200, `{"data":{"mode":"deny"}}`),
		base + "empty":   jsonReply(200, `{"data":{"mode":"allow","paths":[]}}`),
		base + "nulls":   jsonReply(200, `{"data":{"mode":null,"paths":null}}`),
		base + "hostile": jsonReply(200, `{"data":{"mode":"sideways\u001b[2J","paths":["kv/\u001b]52;c;aGk=\u0007","`+token+`/"]}}`),
		base + "nodata":  jsonReply(200, `{"mode":"allow","paths":["a/"]}`),
		base + "broken":  jsonReply(500, `{"errors":["internal error"]}`),
		base + "denied":  jsonReply(403, `{"errors":["permission denied"]}`),
	})
	c, err := NewClient(ClusterConfig{Name: "p", Address: fv.URL, Token: TokenSource{Inline: token}}, ClientOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := c.ReadPathsFilters(context.Background(), []string{"nomode", "nopaths", "empty", "nulls", "hostile", "nodata", "broken", "denied", "missing", "a/b"})
	by := map[string]SecondaryFilter{}
	for _, f := range got {
		by[f.ID] = f
	}
	check := func(id string, ok bool, what string) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %+v, want %s", id, by[id], what)
		}
	}
	f := by["nomode"]
	check("nomode", f.Read == FilterReadSet && !f.ModeKnown && f.Mode == FilterUnknown && f.PathsKnown, "mode unknown, paths known")
	f = by["nopaths"]
	check("nopaths", f.Read == FilterReadSet && f.ModeKnown && f.Mode == FilterDeny && !f.PathsKnown && f.Paths == nil, "paths unknown")
	f = by["empty"]
	check("empty", f.PathsKnown && len(f.Paths) == 0 && f.Mode == FilterAllow, "known and empty")
	f = by["nulls"]
	check("nulls", f.Read == FilterReadSet && !f.ModeKnown && !f.PathsKnown, "null is absent: unknown")
	f = by["hostile"]
	all := f.RawMode + strings.Join(f.Paths, " ")
	check("hostile", !strings.ContainsAny(all, "\x1b\x07") && !strings.Contains(all, "SECRETSECRET") && f.Mode == FilterUnknown && f.ModeKnown, "cleaned, redacted, mode unknown")
	f = by["nodata"]
	check("nodata", f.Mode == FilterAllow && slices.Equal(f.Paths, []string{"a/"}), "read without the envelope, as the docs print it")
	f = by["broken"]
	check("broken", f.Read == FilterReadUnknown && ClassOf(f.Err) == ErrServer, "unknown with a server error")
	f = by["denied"]
	check("denied", f.Read == FilterReadForbidden && ClassOf(f.Err) == ErrPermissionDenied, "forbidden")
	f = by["missing"]
	check("missing", f.Read == FilterReadNone && f.Err == nil, "none (404)")
	f = by["a/b"]
	check("a/b", f.Read == FilterReadUnknown && f.Err != nil, "refused before sending")
	if n := fv.count(base + "a/b"); n != 0 {
		t.Errorf("an id with a slash was sent (%d)", n)
	}

	// A cluster that stopped answering: one attempt, the rest unknown.
	fv.Close()
	got = c.ReadPathsFilters(context.Background(), []string{"x", "y", "z"})
	for _, f := range got {
		if f.Read != FilterReadUnknown || ClassOf(f.Err) != ErrUnreachable {
			t.Errorf("%s on a closed server: %v %v", f.ID, f.Read, f.Err)
		}
	}
}

func jsonReply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}
