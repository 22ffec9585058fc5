package sim

import (
	"testing"

	"go.uber.org/goleak"
)

// The lab starts listeners, a driver and outbound clients: every test must
// leave none of them running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
