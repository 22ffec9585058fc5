package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fuzz targets: no input may panic, and what parses must satisfy the
// invariants the rest of vaultrepl relies on. `make fuzz` runs each for a
// bounded time; plain `go test` runs the seeds.

func addFixtureSeeds(f *testing.F, pattern string) {
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseReplicationStatus(f *testing.F) {
	addFixtureSeeds(f, "status_*.json")
	addFixtureSeeds(f, "health_*.json")
	for _, s := range []string{
		``, `null`, `{}`, `{"data":null}`, `{"data":{"mode":"disabled"}}`, `{"data":{"dr":[],"performance":7}}`,
		`{"data":{"performance":{"mode":"secondary","last_remote_wal":"18446744073709551616","primaries":[{"clock_skew_ms":"9e300"}]}}}`,
		`{"data":{"performance":{"last_corruption_check_epoch":"-62135596800","last_start":"2024-13-45T99:99:99Z","merkle_sync_progress":{"sync_progress":-1}}}}`,
		`{"data":{"dr":{"mode":"primary","secondaries":[{"node_id":"a","last_heartbeat":"2024-03-04T10:05:56-05:00"}],"known_secondaries":["a","a",null]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseReplicationStatus(body)
		if err != nil {
			if ClassOf(err) != ErrMalformed {
				t.Fatalf("class %v for %v", ClassOf(err), err)
			}
		} else if r.Performance.Type != Performance || r.DR.Type != DR {
			t.Fatalf("types swapped: %+v", r)
		}
		h, herr := ParseHealth(body)
		if herr != nil && ClassOf(herr) != ErrMalformed {
			t.Fatalf("health class %v", ClassOf(herr))
		}
		// Whatever parses must also be assessable.
		snap := &Snapshot{FetchedAt: time.Unix(1709565000, 0)}
		if err == nil {
			snap.Replication = &r
		} else {
			snap.ReplicationErr = err
		}
		if herr == nil {
			snap.Health = &h
		}
		obs := []Observation{{Name: "a", Snapshot: snap}, {Name: "b", Snapshot: snap}}
		_ = Assess(time.Unix(1709565000, 0), obs, DefaultThresholds())
		_ = snap.Edition()
	})
}

func FuzzDecodeActivationToken(f *testing.F) {
	f.Add(activationJWT)
	f.Add(jwtOf(`{"alg":"ES512"}`, `{"exp":1e308,"iat":-1,"nbf":"x","addr":7}`))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	f.Add("eyJ.eyJ.")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := DecodeActivationToken(tok)
		if err != nil {
			if ClassOf(err) != ErrMalformed {
				t.Fatalf("class %v", ClassOf(err))
			}
			return
		}
		_ = c.Expired(time.Now())
	})
}

func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(goodConfig), true)
	f.Add([]byte("clusters:\n  - name: a\n    address: https://a:8200\n    token: hvs.x\n"), false)
	f.Add([]byte("a: &x [*x, *x]\nclusters: *x\n"), true)
	f.Add([]byte("clusters:\n  - &c {name: a, address: 'http://a'}\n  - *c\n"), true)
	f.Add([]byte("interval: 1h\ntimeout: 1ns\ntheme: !!binary aGk=\n"), true)
	f.Add([]byte("\t- :\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, private bool) {
		cfg, err := parseConfig("fuzz.yaml", data, private)
		if err != nil {
			if ClassOf(err) != ErrConfig || !strings.HasPrefix(err.Error(), "load config: configuration error: fuzz.yaml") {
				t.Fatalf("error %q", err)
			}
			return
		}
		names := map[string]bool{}
		for _, c := range cfg.Clusters {
			if ValidateClusterName(c.Name) != nil || ValidateAddress(c.Address) != nil || names[c.Name] {
				t.Fatalf("invalid cluster accepted: %+v", c)
			}
			if c.Token.Inline != "" && !private {
				t.Fatalf("inline token accepted from a shared file")
			}
			names[c.Name] = true
		}
		if cfg.Interval < 0 || cfg.Timeout < 0 {
			t.Fatalf("negative durations")
		}
	})
}
