package ops

import (
	"strconv"
	"strings"

	"time"

	"go.yaml.in/yaml/v3"
)

// thresholds decodes the config file's `thresholds:` section onto dst,
// which holds the defaults: a key left out keeps its default, and 0 turns
// its rule off.
//
//	thresholds:
//	  lag_wal_warn: 1000       # WAL entries behind the primary
//	  lag_wal_crit: 10000
//	  heartbeat_warn: 30s      # age of a peer's last heartbeat
//	  heartbeat_crit: 2m
//	  canary_age_warn: 10s     # replication_primary_canary_age_ms
//	  canary_age_crit: 1m
//	  clock_skew_warn: 2s
func (p *configParser) thresholds(out **Thresholds) handler {
	return func(n *yaml.Node, field string) error {
		th := DefaultThresholds()
		dst := &th
		*out = dst
		return p.mapping(n, field, map[string]handler{
			"lag_wal_warn":    p.countField(&dst.WALGapWarn),
			"lag_wal_crit":    p.countField(&dst.WALGapCrit),
			"heartbeat_warn":  p.thresholdDuration(&dst.HeartbeatWarn),
			"heartbeat_crit":  p.thresholdDuration(&dst.HeartbeatCrit),
			"canary_age_warn": p.thresholdDuration(&dst.CanaryAgeWarn),
			"canary_age_crit": p.thresholdDuration(&dst.CanaryAgeCrit),
			"clock_skew_warn": p.thresholdDuration(&dst.ClockSkewWarn),
		})
	}
}

// thresholdDuration is a duration where 0 (off) is allowed.
func (p *configParser) thresholdDuration(dst *time.Duration) handler {
	inner := p.durationField(dst)
	return func(n *yaml.Node, field string) error {
		if s, err := p.scalar(n, field); err == nil && strings.TrimSpace(s) == "0" {
			*dst = 0
			return nil
		}
		return inner(n, field)
	}
}

// countField is a non-negative whole number.
func (p *configParser) countField(dst *uint64) handler {
	return func(n *yaml.Node, field string) error {
		s, err := p.scalar(n, field)
		if err != nil || s == "" {
			return err
		}
		v, perr := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if perr != nil {
			return p.errAt(n, field, "expected a whole number of WAL entries such as 1000, got %q", truncate(s, 40))
		}
		*dst = v
		return nil
	}
}
