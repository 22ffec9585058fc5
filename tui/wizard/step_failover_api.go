package wizard

import (
	"context"

	"github.com/vaultrepl/vaultrepl/ops"
)

// failoverOperator is what the failover and lifecycle steps need of a
// cluster besides Operator: role changes, the DR operation token, paths
// filters and sys/leader. *ops.Client implements it. The steps reach it
// through opsOf, so a host whose Operator lacks it (a test fake of the
// setup flows) gets a failed pre-flight check, not a panic.
type failoverOperator interface {
	Operator
	Promote(ctx context.Context, t ops.ReplicationType, r ops.PromoteRequest) (ops.WriteResult, error)
	DemotePrimary(ctx context.Context, t ops.ReplicationType) (ops.WriteResult, error)
	DisablePrimary(ctx context.Context, t ops.ReplicationType) (ops.WriteResult, error)
	DisableSecondary(ctx context.Context, t ops.ReplicationType, r ops.DRTokenRequest) (ops.WriteResult, error)
	UpdatePrimary(ctx context.Context, t ops.ReplicationType, r ops.UpdatePrimaryRequest) (ops.WriteResult, error)
	RevokeSecondary(ctx context.Context, t ops.ReplicationType, id string) (ops.WriteResult, error)

	DROperationTokenStatus(ctx context.Context) (ops.TokenGeneration, error)
	StartDROperationToken(ctx context.Context) (ops.TokenGeneration, error)
	UpdateDROperationToken(ctx context.Context, nonce, keyShare string) (ops.TokenGeneration, error)
	CancelDROperationToken(ctx context.Context) error
	RevokeDROperationToken(ctx context.Context, token string) (ops.WriteResult, error)

	PathsFilter(ctx context.Context, id string) (ops.PathsFilter, bool, error)
	SetPathsFilter(ctx context.Context, id string, f ops.PathsFilter) (ops.WriteResult, error)
	DeletePathsFilter(ctx context.Context, id string) (ops.WriteResult, error)
	Leader(ctx context.Context) (ops.Leader, error)
}

var _ failoverOperator = (*ops.Client)(nil)

// opsOf returns the failover operations of a configured cluster.
func (m Model) opsOf(name string) (failoverOperator, bool) {
	c, ok := m.cluster(name)
	if !ok || c.Op == nil {
		return nil, false
	}
	fo, ok := c.Op.(failoverOperator)
	return fo, ok
}
