package main

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"

	"earlyterm"
)

func TestEarlytermDecided(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		args     []string
		env      func(string) string
		dark, ok bool
	}{
		{args: nil, env: env(), ok: false},
		{args: []string{"demo", "--seed", "1"}, env: env(), ok: false},
		{args: []string{"--config", "status", "demo"}, env: env(), ok: false}, // "status" is --config's value
		{args: []string{"version"}, env: env(), dark: true, ok: true},
		{args: []string{"--config", "x.yaml", "status", "--json"}, env: env(), dark: true, ok: true},
		{args: []string{"--interval=1s", "info"}, env: env(), dark: true, ok: true},
		{args: []string{"--no-color"}, env: env(), dark: true, ok: true},
		{args: []string{"demo"}, env: env("NO_COLOR", "1"), dark: true, ok: true},
		{args: []string{"demo", "--help"}, env: env(), dark: true, ok: true},
		{args: nil, env: env("COLORFGBG", "15;0"), dark: true, ok: true},
		{args: nil, env: env("COLORFGBG", "0;15"), dark: false, ok: true},
		{args: nil, env: env("COLORFGBG", "0;default;7"), dark: false, ok: true},
		{args: nil, env: env("COLORFGBG", "0;200"), ok: false},
		{args: nil, env: env("COLORFGBG", "junk"), ok: false},
	} {
		dark, ok := earlyterm.Decided(tc.args, tc.env)
		if dark != tc.dark || ok != tc.ok {
			t.Errorf("Decided(%q) = %v, %v; want %v, %v", tc.args, dark, ok, tc.dark, tc.ok)
		}
	}
}

// earlyterm finds the command before cobra runs, so it must know every
// global flag that takes a value.
func TestEarlytermKnowsTheValueFlags(t *testing.T) {
	root := newRootCmd()
	var want []string
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() != "bool" {
			want = append(want, "--"+f.Name)
		}
	})
	got := slices.Clone(earlyterm.ValueFlags)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("earlyterm.ValueFlags = %v, the root's value flags are %v", got, want)
	}
}
