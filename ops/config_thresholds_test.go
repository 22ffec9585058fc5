package ops

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestConfigThresholds(t *testing.T) {
	path := writeConfig(t, `
thresholds:
  lag_wal_warn: 50
  heartbeat_crit: 5m
  canary_age_warn: 0
clusters:
  - name: a
    address: https://a:8200
`, 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultThresholds()
	want.WALGapWarn, want.HeartbeatCrit, want.CanaryAgeWarn = 50, 5*time.Minute, 0
	if cfg.JudgeThresholds() != want {
		t.Errorf("%+v, want %+v", cfg.JudgeThresholds(), want)
	}
	// No section: today's defaults.
	if (Config{}).JudgeThresholds() != DefaultThresholds() {
		t.Errorf("defaults")
	}
	bad := writeConfig(t, "thresholds:\n  lag_wal_warn: lots\n", 0o600)
	if _, err := LoadConfig(bad); err == nil || !strings.Contains(err.Error(), "thresholds.lag_wal_warn") {
		t.Errorf("bad count: %v", err)
	}
	typo := writeConfig(t, "thresholds:\n  lag_wall_warn: 5\n", 0o600)
	if _, err := LoadConfig(typo); err == nil {
		t.Errorf("unknown key accepted")
	}
	_ = os.Remove(bad)
}
