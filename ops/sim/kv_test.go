package sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// KV v2 through vault/api's KVv2 helpers, which build the requests the
// `vault kv` commands send, on the global topology: us-east-2 is the
// performance and DR primary, us-east-1 and eu-west-1 its performance
// secondaries, us-east-2-dr its DR secondary.
func TestKVv2ReplicationSemantics(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	p := rootClient(t, l, "us-east-2").KVv2("secret")
	east1 := rootClient(t, l, "us-east-1").KVv2("secret")
	west := rootClient(t, l, "eu-west-1").KVv2("secret")

	// version reads the current version number on a cluster, 0 when absent.
	version := func(kv *api.KVv2) int {
		s, err := kv.Get(ctx, "app/db")
		if errors.Is(err, api.ErrSecretNotFound) {
			return 0
		}
		if err != nil {
			t.Fatalf("kv get: %v", err)
		}
		return s.VersionMetadata.Version
	}

	// Write on the primary, read on the secondaries once the WAL crosses.
	s, err := p.Put(ctx, "app/db", map[string]any{"password": "one"})
	if err != nil || s.VersionMetadata.Version != 1 || s.VersionMetadata.CreatedTime.IsZero() ||
		!s.VersionMetadata.DeletionTime.IsZero() || s.VersionMetadata.Destroyed {
		t.Fatalf("kv put on the primary: %+v %v", s, err)
	}
	if v := version(west); v != 0 {
		t.Errorf("eu-west-1 has version %d before any WAL was shipped, want none", v)
	}
	advanceUntil(t, l, time.Minute, "version 1 reaches both performance secondaries", func() bool {
		return version(west) == 1 && version(east1) == 1
	})
	got, err := west.Get(ctx, "app/db")
	if err != nil || got.Data["password"] != "one" {
		t.Fatalf("kv get on eu-west-1: %+v %v", got, err)
	}

	// Written on a performance secondary: forwarded to the primary, which
	// numbers the version; the secondaries see it after the WAL crosses.
	s, err = east1.Put(ctx, "app/db", map[string]any{"password": "two"})
	if err != nil || s.VersionMetadata.Version != 2 {
		t.Fatalf("kv put on us-east-1: %+v %v", s, err)
	}
	if v := version(p); v != 2 {
		t.Errorf("primary has version %d right after the forwarded write, want 2", v)
	}
	if v := version(east1); v != 1 {
		t.Errorf("us-east-1 has version %d before the WAL came back, want 1", v)
	}
	advanceUntil(t, l, time.Minute, "version 2 reaches both performance secondaries", func() bool {
		return version(west) == 2 && version(east1) == 2
	})

	// A DR secondary refuses reads and writes.
	dr := rootClient(t, l, "us-east-2-dr").KVv2("secret")
	_, err = dr.Put(ctx, "app/db", map[string]any{"password": "three"})
	respErr(t, errors.Unwrap(err), http.StatusBadRequest, errDRSecondary)
	_, err = dr.Get(ctx, "app/db")
	respErr(t, errors.Unwrap(err), http.StatusBadRequest, errDRSecondary)

	// Metadata, versions, check-and-set, delete, undelete, destroy.
	md, err := west.GetMetadata(ctx, "app/db")
	if err != nil || md.CurrentVersion != 2 || md.OldestVersion != 0 || len(md.Versions) != 2 ||
		md.CASRequired || md.DeleteVersionAfter != 0 || md.CreatedTime.IsZero() {
		t.Fatalf("kv metadata get: %+v %v", md, err)
	}
	old, err := west.GetVersion(ctx, "app/db", 1)
	if err != nil || old.Data["password"] != "one" || old.VersionMetadata.Version != 1 {
		t.Errorf("kv get -version=1: %+v %v", old, err)
	}
	_, err = p.Put(ctx, "app/db", map[string]any{"password": "x"}, api.WithCheckAndSet(1))
	respErr(t, errors.Unwrap(err), http.StatusBadRequest, "check-and-set parameter did not match the current version")
	if err := east1.PutMetadata(ctx, "app/db", api.KVMetadataPutInput{MaxVersions: 3, CustomMetadata: map[string]any{"owner": "trainee"}}); err != nil {
		t.Fatalf("kv metadata put on us-east-1: %v", err)
	}
	if s, err = p.Patch(ctx, "app/db", map[string]any{"user": "app"}); err != nil || s.VersionMetadata.Version != 3 {
		t.Fatalf("kv patch: %+v %v", s, err)
	}
	if got, err = p.Get(ctx, "app/db"); err != nil || got.Data["password"] != "two" || got.Data["user"] != "app" ||
		got.CustomMetadata["owner"] != "trainee" {
		t.Errorf("after patch: %+v %v", got, err)
	}
	if err := p.Delete(ctx, "app/db"); err != nil {
		t.Fatal(err)
	}
	got, err = p.Get(ctx, "app/db")
	if err != nil || got.Data != nil || got.VersionMetadata.DeletionTime.IsZero() {
		t.Errorf("kv get of a deleted version must carry its metadata and no data: %+v %v", got, err)
	}
	if err := p.Undelete(ctx, "app/db", []int{3}); err != nil {
		t.Fatal(err)
	}
	if err := p.Destroy(ctx, "app/db", []int{1}); err != nil {
		t.Fatal(err)
	}
	if _, err = p.Put(ctx, "app/db", map[string]any{"password": "four"}); err != nil {
		t.Fatal(err)
	}
	md, err = p.GetMetadata(ctx, "app/db")
	if err != nil || md.CurrentVersion != 4 || md.OldestVersion != 2 || len(md.Versions) != 3 || md.MaxVersions != 3 {
		t.Errorf("max_versions 3 keeps versions 2–4: %+v %v", md, err)
	}
	vs, err := p.GetVersionsAsList(ctx, "app/db")
	if err != nil || len(vs) != 3 || vs[0].Version != 2 || vs[2].Version != 4 {
		t.Errorf("kv versions: %+v %v", vs, err)
	}

	// vault kv list is a LIST on metadata/.
	if _, err := p.Put(ctx, "app/api", map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Put(ctx, "top", map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	list, err := rootClient(t, l, "us-east-2").Logical().ListWithContext(ctx, "secret/metadata/")
	if err != nil || list == nil || !slices.Equal(anyStrings(list.Data["keys"]), []string{"app/", "top"}) {
		t.Errorf("kv list secret/: %+v %v", list, err)
	}
	list, err = rootClient(t, l, "us-east-2").Logical().ListWithContext(ctx, "secret/metadata/app")
	if err != nil || list == nil || !slices.Equal(anyStrings(list.Data["keys"]), []string{"api", "db"}) {
		t.Errorf("kv list secret/app: %+v %v", list, err)
	}

	// Everything converged: the performance merkle roots agree again.
	advanceUntil(t, l, time.Minute, "eu-west-1 catches up with every KV write", func() bool {
		md, err := west.GetMetadata(ctx, "app/db")
		return err == nil && md.CurrentVersion == 4
	})
	if err := p.DeleteMetadata(ctx, "app/db"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(ctx, "app/db"); !errors.Is(err, api.ErrSecretNotFound) {
		t.Errorf("kv get after metadata delete: %v, want ErrSecretNotFound", err)
	}
}

// The first thing `vault kv put` asks: which mount serves the path, and is it
// KV version 2 (options.version "2")? The operator user may use secret/.
func TestKVv2PreflightAndOperatorPolicy(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	ci := info(t, l, "us-east-2")
	c := client(t, ci.Addr, "")
	sec, err := c.Logical().WriteWithContext(ctx, "auth/userpass/login/"+l.username, map[string]any{"password": l.password})
	if err != nil || sec.Auth == nil {
		t.Fatalf("userpass login: %v", err)
	}
	c.SetToken(sec.Auth.ClientToken)
	m, err := c.Logical().ReadWithContext(ctx, "sys/internal/ui/mounts/secret/app/db")
	if err != nil || m == nil || m.Data["path"] != "secret/" || m.Data["type"] != "kv" {
		t.Fatalf("preflight: %+v %v", m, err)
	}
	if opts, _ := m.Data["options"].(map[string]any); opts["version"] != "2" {
		t.Errorf("preflight options = %v, want version 2", m.Data["options"])
	}
	if _, err := c.KVv2("secret").Put(ctx, "app/db", map[string]any{"password": "one"}); err != nil {
		t.Errorf("kv put as the operator: %v", err)
	}

	// A KV v2 engine enabled as type kv-v2 is one too.
	root := rootClient(t, l, "us-east-2")
	if err := root.Sys().MountWithContext(ctx, "team", &api.MountInput{Type: "kv-v2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.KVv2("team").Put(ctx, "x", map[string]any{"a": "b"}); err != nil {
		t.Errorf("kv put on a kv-v2 mount: %v", err)
	}
	// Paths the engine does not serve answer as Vault's router does.
	code, body, _ := raw(t, "GET", ci.Addr+"/v1/secret/nosuch/x", ci.Token, "")
	if errs := anyStrings(body["errors"]); code != http.StatusNotFound || !slices.Equal(errs, []string{multiError(errUnsupportedPath)}) {
		t.Errorf("GET secret/nosuch/x = %d %q", code, errs)
	}
	// A missing key is a 404 with no error text, which vault/api reads as
	// "no secret".
	code, body, _ = raw(t, "GET", ci.Addr+"/v1/secret/data/missing", ci.Token, "")
	if errs, ok := body["errors"].([]any); code != http.StatusNotFound || !ok || len(errs) != 0 {
		t.Errorf("GET secret/data/missing = %d %v", code, body)
	}
}

func anyStrings(v any) []string {
	xs, _ := v.([]any)
	var out []string
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// A KV engine enabled with -local on a performance secondary keeps its
// secrets there: the write is not forwarded and does not reach the primary
// or the other secondary, and the primary's stream leaves it alone.
func TestKVv2LocalMountStaysOnItsCluster(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	east1 := rootClient(t, l, "us-east-1")
	if err := east1.Sys().MountWithContext(ctx, "site", &api.MountInput{Type: "kv-v2", Local: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := east1.KVv2("site").Put(ctx, "x", map[string]any{"a": "b"}); err != nil {
		t.Fatalf("kv put on a local mount of a performance secondary: %v", err)
	}
	if _, err := rootClient(t, l, "us-east-2").KVv2("secret").Put(ctx, "y", map[string]any{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "secret/y reaches us-east-1", func() bool {
		_, err := east1.KVv2("secret").Get(ctx, "y")
		return err == nil
	})
	if s, err := east1.KVv2("site").Get(ctx, "x"); err != nil || s.Data["a"] != "b" {
		t.Errorf("the local secret after the stream: %+v %v", s, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, name := range []string{"us-east-2", "eu-west-1"} {
		if s := l.byName[name].data.secrets[kvKey("site/", "x")]; s != nil {
			t.Errorf("%s holds us-east-1's local secret", name)
		}
	}
	if n := l.byName["us-east-1"].kvForwarded; n != 0 {
		t.Errorf("a local write was counted as forwarded %d times", n)
	}
}

// A KV version 1 engine (`vault secrets enable kv`): one value per key, the
// whole body, replicated like the rest; vault/api's KVv1 helpers are what
// `vault kv` uses on it.
func TestKVv1(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	p := rootClient(t, l, "us-east-2")
	if err := p.Sys().MountWithContext(ctx, "kv", &api.MountInput{Type: "kv"}); err != nil {
		t.Fatal(err)
	}
	if err := p.KVv1("kv").Put(ctx, "team/app", map[string]any{"user": "app", "pass": "x"}); err != nil {
		t.Fatal(err)
	}
	west := rootClient(t, l, "eu-west-1")
	advanceUntil(t, l, time.Minute, "kv/team/app on eu-west-1", func() bool {
		s, err := west.KVv1("kv").Get(ctx, "team/app")
		return err == nil && s.Data["user"] == "app"
	})
	ci := info(t, l, "eu-west-1")
	code, body, _ := raw(t, "GET", ci.Addr+"/v1/kv/team/app", ci.Token, "")
	if code != 200 || body["mount_type"] != "kv" || body["lease_duration"] != json.Number("2764800") {
		t.Errorf("GET kv/team/app = %d %v", code, body)
	}
	list, err := p.Logical().ListWithContext(ctx, "kv/team")
	if err != nil || list == nil || !slices.Equal(anyStrings(list.Data["keys"]), []string{"app"}) {
		t.Errorf("LIST kv/team: %+v %v", list, err)
	}
	// Written on a performance secondary: forwarded.
	if err := west.KVv1("kv").Put(ctx, "team/app", map[string]any{"user": "app2"}); err != nil {
		t.Fatal(err)
	}
	if s, err := p.KVv1("kv").Get(ctx, "team/app"); err != nil || s.Data["user"] != "app2" || s.Data["pass"] != nil {
		t.Errorf("the primary after the forwarded write: %+v %v", s, err)
	}
	if err := p.KVv1("kv").Delete(ctx, "team/app"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.KVv1("kv").Get(ctx, "team/app"); !errors.Is(err, api.ErrSecretNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
