package sim

// Injected responses: malformed, truncated and huge bodies, and the canned
// 403/404/429 answers, served in front of the model.

import (
	"io"
	"net/http"
	"strings"
)

// hugeBodySize is the size of the huge-body fault.
const hugeBodySize = 50 << 20

// injectedResponse builds the response of an injected fault.
func (l *Lab) injectedResponse(kind ResponseFault, hr *http.Request) response {
	switch kind {
	case FaultMalformedJSON:
		return response{status: http.StatusOK, body: []byte(`{"request_id":"` + l.ids.uuid() + `","data":{"performance":{"mode":"primary",},"dr":<html>`)}
	case FaultTruncated:
		body := []byte(`{"request_id":"` + l.ids.uuid() + `","lease_id":"","renewable":false,"lease_duration":0,"data":{"dr":{"mode":"disabled"},"performance":{"mode":"disabled"}},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}`)
		return response{status: http.StatusOK, body: body, truncateAt: len(body) / 2}
	case FaultHugeBody:
		head := `{"request_id":"` + l.ids.uuid() + `","lease_id":"","renewable":false,"lease_duration":0,"data":{"padding":"`
		tail := `"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}`
		return response{status: http.StatusOK, length: int64(len(head) + hugeBodySize + len(tail)),
			stream: func(w io.Writer) error { return streamPadding(w, head, tail, hugeBodySize) }}
	case FaultForbidden:
		return errResp(http.StatusForbidden, errPermissionDenied)
	case FaultNotFound:
		return errResp(http.StatusNotFound)
	case FaultEnterpriseOnly:
		return errResp(http.StatusNotFound, errEnterpriseOnly)
	case FaultRateLimited:
		return errResp(http.StatusTooManyRequests, errRateLimited)
	}
	return errResp(http.StatusInternalServerError, "unknown injected response (simulated)")
}

// streamPadding writes head, n filler bytes and tail in small chunks, so a
// 50 MB body costs 32 KB of memory.
func streamPadding(w io.Writer, head, tail string, n int) error {
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	chunk := []byte(strings.Repeat("A", 32<<10))
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	_, err := io.WriteString(w, tail)
	return err
}
