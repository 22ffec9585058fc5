package tui

import (
	"slices"
	"sync"
	"time"
)

// paneKey is everything a pane's drawing depends on. Panes are redrawn on
// every frame, but their content changes only when their cluster's data,
// the assessment, the focus or the geometry does, or, for a pane that counts
// ages, the second on the clock.
type paneKey struct {
	version uint64 // the cluster's data, timeline and judgement (its assessment and links)
	gen     uint64 // its timer generation
	// armed, nextPoll and paused are what "retry in 8s" reads: a poll
	// timer that fires disarms the cluster (the read starts) without a new
	// generation. Only a pane whose latest read failed draws the countdown;
	// for any other these three and gen stay zero, so that a healthy pane's
	// timer firing and being re-armed every poll does not redraw it.
	armed    bool
	nextPoll int64 // Unix nanoseconds
	paused   bool
	// second is the clock's second for a pane that counts ages (its read
	// failed, or its data is late: dataLate), zero for any other: a pane
	// whose reads answer on time shows no time that moves with the clock.
	second  int64
	late    bool
	focused bool
	compact bool // drawn in the compact form whatever its height
	num     int
	w, h    int
}

// paneCache keeps the last drawing of each pane, one entry per cluster, so
// memory is bounded by the number of clusters. View is called from one
// goroutine, but copies of a model share the cache, so it is locked.
type paneCache struct {
	mu      sync.Mutex
	drawn   map[ClusterID]keyed[[]string] // each pane as drawn
	natural map[ClusterID]keyed[[]pline]  // each pane's lines before fitting
	compact map[ClusterID]keyed[[]pline]  // each pane's compact lines
	// The last grid, header and help line drawn, with what they were drawn
	// from. bubbletea draws a frame after every message, and most messages
	// (a poll timer firing, a result for a pane off screen) change nothing
	// on screen: those frames are put together from these.
	grid   cachedText[gridKey]
	header cachedText[headerKey]
	help   cachedText[helpKey]
	body   cachedText[fitKey]
	frame  cachedText[frameKey] // the whole frame, put together from the four above
}

// fitKey is a body and the area it is fitted to. Comparing the text is
// cheap when it is the very string fitted last time.
type fitKey struct {
	text          string
	width, height int
}

// cachedText is one drawn string and the key it was drawn for.
type cachedText[K textKey[K]] struct {
	ok   bool
	key  K
	text string
}

// textKey is what a cachedText is keyed by: a key that knows whether
// another is the same (the grid's holds slices, so == cannot say).
type textKey[K any] interface{ equal(K) bool }

func (k headerKey) equal(o headerKey) bool { return k == o }
func (k helpKey) equal(o helpKey) bool     { return k == o }
func (k fitKey) equal(o fitKey) bool       { return k == o }

// get returns the text drawn for k, or draws it.
func (c *cachedText[K]) get(mu *sync.Mutex, k K, draw func() string) string {
	mu.Lock()
	if c.ok && c.key.equal(k) {
		t := c.text
		mu.Unlock()
		return t
	}
	mu.Unlock()
	t := draw()
	mu.Lock()
	c.ok, c.key, c.text = true, k, t
	mu.Unlock()
	return t
}

// gridKey is everything the grid depends on: the key of each pane drawn,
// the geometry, and what the events box shows.
type gridKey struct {
	panes  []gridPane
	events []eventMark
	width  int
	height int
	scroll int
	second int64 // only with the events box, whose entries show their age
}

// gridPane is one pane of the grid and the key it is drawn with.
type gridPane struct {
	id  ClusterID
	key paneKey
}

// eventMark identifies a cluster's timeline as the events box shows it.
type eventMark struct {
	n    int
	last event
}

func (k gridKey) equal(o gridKey) bool {
	return k.width == o.width && k.height == o.height && k.scroll == o.scroll && k.second == o.second && slices.Equal(k.panes, o.panes) && slices.Equal(k.events, o.events)
}

// keyed is one pane's cached value and the key it was made for.
type keyed[T any] struct {
	key paneKey
	val T
}

// cachedFor returns the value kept for pane id if it was made for k, else
// builds it and keeps it in m.
func cachedFor[T any](mu *sync.Mutex, m map[ClusterID]keyed[T], id ClusterID, k paneKey, build func() T) T {
	mu.Lock()
	e, ok := m[id]
	mu.Unlock()
	if ok && e.key == k {
		return e.val
	}
	v := build()
	mu.Lock()
	m[id] = keyed[T]{key: k, val: v}
	mu.Unlock()
	return v
}

// holdsCurrent: a drawing of cluster id from its current data is cached,
// so a frame would reuse it. Only such a pane is worth comparing judgements
// for; any other is drawn afresh anyway when it is next on screen.
func (pc *paneCache) holdsCurrent(id ClusterID, version uint64) bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.drawn[id]
	return ok && e.key.version == version
}

func newPaneCache() *paneCache {
	return &paneCache{drawn: map[ClusterID]keyed[[]string]{}, natural: map[ClusterID]keyed[[]pline]{}, compact: map[ClusterID]keyed[[]pline]{}}
}

func (m *Model) paneKey(id ClusterID, num, w, h int, now time.Time) paneKey {
	c := &m.clusters[id]
	k := paneKey{version: c.version, late: m.dataLate(c, now), focused: id == m.focus, num: num, w: w, h: h}
	if c.lastErr != nil { // errorLines: "retry in 8s"
		k.gen, k.armed, k.nextPoll, k.paused = c.gen, c.armed, c.nextPoll.UnixNano(), m.paused
	}
	if m.countsAges(c, now) {
		k.second = now.Unix()
	}
	return k
}

// cachedPaneView is paneView through the cache; k is the pane's paneKey,
// which the caller has at hand, and lines its full lines when already built.
func (m *Model) cachedPaneView(id ClusterID, k paneKey, num, w, h int, compact bool, now time.Time, lines []pline) []string {
	return cachedFor(&m.cache.mu, m.cache.drawn, id, k, func() []string {
		return m.paneView(id, num, w, h, compact, now, lines)
	})
}

// cachedCompactLines are the compact lines of a pane w cells wide (outer),
// through the cache.
func (m *Model) cachedCompactLines(id ClusterID, num, w int, now time.Time) []pline {
	k := m.paneKey(id, num, w, 0, now)
	k.compact = true
	return cachedFor(&m.cache.mu, m.cache.compact, id, k, func() []pline {
		box, _ := m.paneBox(m.clusters[id].spec.Protected, id == m.focus)
		return m.newPaneCtx(id, num, max(1, w-box.GetHorizontalFrameSize()), true, now).lines()
	})
}

// cachedPaneLines is paneLines through the cache.
func (m *Model) cachedPaneLines(id ClusterID, num, w int, now time.Time) []pline {
	return cachedFor(&m.cache.mu, m.cache.natural, id, m.paneKey(id, num, w, 0, now), func() []pline {
		return m.paneLines(id, num, w, now)
	})
}
