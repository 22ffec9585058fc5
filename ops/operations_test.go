package ops

import (
	"net/http"
	"strings"
	"testing"
)

func TestOperationsTableIsComplete(t *testing.T) {
	for _, o := range Operations() {
		if o.Name == "" || o.Kind == OpUnknown {
			t.Errorf("row %d has no name or kind", o.Kind)
		}
		if o.Kind != OpDRTokenDecode && (o.Method == "" || o.Path == "") {
			t.Errorf("%s: no method or path", o.Name)
		}
		if o.Write && o.Method == http.MethodGet {
			t.Errorf("%s: a write sent as GET", o.Name)
		}
		if o.Destructive && !o.Write {
			t.Errorf("%s: destructive but not a write", o.Name)
		}
		if o.Write && o.Auth == AuthToken && len(o.Capabilities) == 0 {
			t.Errorf("%s: a token-authorised write without capabilities", o.Name)
		}
	}
}

func TestOperationPathsAndNames(t *testing.T) {
	cases := []struct {
		k    OpKind
		t    ReplicationType
		id   string
		path string
		name string
	}{
		{OpEnablePrimary, Performance, "", "sys/replication/performance/primary/enable", "enable performance primary"},
		{OpSecondaryToken, DR, "", "sys/replication/dr/primary/secondary-token", "generate DR secondary token"},
		{OpPromote, DR, "", "sys/replication/dr/secondary/promote", "promote DR secondary"},
		{OpPathsFilterSet, Performance, "us-east-1", "sys/replication/performance/primary/paths-filter/us-east-1", "set paths filter"},
		{OpEnableAuth, Performance, "canary/", "sys/auth/canary", "enable auth method"},
	}
	for _, c := range cases {
		o := Lookup(c.k)
		if got := o.PathFor(c.t, c.id); got != c.path {
			t.Errorf("%v path = %q, want %q", c.k, got, c.path)
		}
		if got := o.Action(c.t); got != c.name {
			t.Errorf("%v action = %q, want %q", c.k, got, c.name)
		}
	}
}

func TestOperationCapabilitiesFollowTheAuth(t *testing.T) {
	if got := Lookup(OpSecondaryToken).NeedsCapabilities(Performance); strings.Join(got, ",") != "update,sudo" {
		t.Errorf("secondary-token needs %v", got)
	}
	// A DR secondary's promote is authorised by the DR operation token, not a policy.
	if got := Lookup(OpPromote).NeedsCapabilities(DR); got != nil {
		t.Errorf("DR promote needs %v, want nothing from the policy", got)
	}
	if got := Lookup(OpPromote).NeedsCapabilities(Performance); len(got) != 1 || got[0] != "update" {
		t.Errorf("performance promote needs %v", got)
	}
	if got := Lookup(OpGetStatus).NeedsCapabilities(Performance); got != nil {
		t.Errorf("status needs %v; it is unauthenticated", got)
	}
}

func TestOperationCommandMasksSecrets(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{Lookup(OpEnablePrimary).Command(Performance, ""), "vault write -f sys/replication/performance/primary/enable"},
		{Lookup(OpEnablePrimary).Command(DR, "", Arg{"primary_cluster_addr", "https://lb:8201"}),
			`vault write sys/replication/dr/primary/enable primary_cluster_addr="https://lb:8201"`},
		{Lookup(OpEnableSecondary).Command(Performance, "", Arg{"token", "eyJsecret"}, Arg{"primary_api_addr", ""}, Arg{"ca_file", "/ca.pem"}),
			`vault write sys/replication/performance/secondary/enable token="********" ca_file="/ca.pem"`},
		{Lookup(OpPromote).Command(DR, "", Arg{"dr_operation_token", "hvb.secret"}),
			`vault write sys/replication/dr/secondary/promote dr_operation_token="********"`},
		{Lookup(OpGetTypeStatus).Command(DR, "", Arg{"-field", "last_remote_wal"}), "vault read -field=last_remote_wal sys/replication/dr/status"},
		{Lookup(OpPathsFilterDelete).Command(Performance, "b"), "vault delete sys/replication/performance/primary/paths-filter/b"},
		{Lookup(OpDRTokenUpdate).Command(DR, "", Arg{"-nonce", "n-1"}, Arg{"<key>", "share"}), "vault operator generate-root -dr-token -nonce=n-1 ********"},
		{Lookup(OpEnableAuth).Command(Performance, "", Arg{"-path", "c"}, Arg{"-description", "a b"}, Arg{"<type>", "userpass"}),
			`vault auth enable -path=c -description="a b" userpass`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
		if strings.Contains(c.got, "secret") || strings.Contains(c.got, "share") {
			t.Errorf("a secret shows in %s", c.got)
		}
	}
}

func TestActivationUnwrapReadsTheQuotedStatus(t *testing.T) {
	mk := func(class ErrorClass, msg string) error {
		return &Error{Class: class, Op: "enable performance secondary", Messages: []string{msg}}
	}
	cases := []struct {
		err  error
		want UnwrapFailure
	}{
		{mk(ErrServer, `error response unwrapping secondary token; status code is 403, message is "403 Forbidden"`), UnwrapWrongVault},
		{mk(ErrServer, `error response unwrapping secondary token; status code is 400, message is "400 Bad Request"`), UnwrapRefused},
		{mk(ErrServer, `error response unwrapping secondary token; status code is 502, message is "502 Bad Gateway"`), UnwrapOther},
		{mk(ErrServer, "Service Unavailable (simulated)"), UnwrapUnknown},
		// A timeout says nothing about the primary, whatever its text.
		{mk(ErrTimeout, "unwrapping secondary token; status code is 400"), UnwrapUnknown},
		{nil, UnwrapUnknown},
	}
	for _, c := range cases {
		if got := ActivationUnwrap(c.err); got != c.want {
			t.Errorf("ActivationUnwrap(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
