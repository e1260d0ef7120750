package node

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
)

// Metrics are the node's Prometheus metrics, in a registry of its own (the
// devnet runs several nodes in one process). Served at /metrics.
type Metrics struct {
	Registry *prometheus.Registry
	software string // the binary's version, a label of build_info

	height        prometheus.Gauge
	round         prometheus.Gauge
	blockInterval prometheus.Histogram
	commitTime    prometheus.Histogram
	txsCommitted  prometheus.Counter
	blockTxs      prometheus.Histogram
	mempoolTxs    prometheus.GaugeFunc
	mempoolBytes  prometheus.GaugeFunc
	peers         prometheus.GaugeFunc
	syncTarget    prometheus.Gauge
	syncHeight    prometheus.Gauge
	evidence      prometheus.Counter
	txAdmitted    *prometheus.CounterVec
	stepDuration  *prometheus.HistogramVec
	admitBatch    *prometheus.HistogramVec
	admitHeld     prometheus.Counter
	diskBytes     prometheus.GaugeFunc
	cacheHits     prometheus.CounterFunc
	cacheMisses   prometheus.CounterFunc
	cacheBytes    prometheus.GaugeFunc
	peakRSS       prometheus.GaugeFunc
	// The validator set of the next height, and the chain's set changes
	// (the heights at which a new set took or will take effect).
	validators       prometheus.Gauge
	validatorPower   prometheus.Gauge
	valChanges       prometheus.Gauge
	valChangePending prometheus.Gauge
	// The chain's protocol version and the upgrade governance scheduled
	// (contracts/upgrade); the binary's version.
	protocolVersion prometheus.Gauge
	upgradeHeight   prometheus.Gauge
	upgradeKnown    prometheus.Gauge
	buildInfo       *prometheus.GaugeVec
	pointReads      []prometheus.CounterFunc
}

// newMetrics reads the mempool's size, the peer count, the store's size
// on disk, its block cache and its point lookups through the functions
// given, when scraped.
func newMetrics(mempool func() (int, int), peers func() int, disk func() uint64, cache func() store.BlockCache, reads func() store.PointReads) *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{Registry: r}
	f := func(c prometheus.Collector) { r.MustRegister(c) }
	ns := "qian"
	m.height = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "height", Help: "Last committed height."})
	m.round = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "consensus_round", Help: "Round of the height being decided."})
	m.blockInterval = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "block_interval_seconds", Help: "Time between consecutive commits on this node.",
		Buckets: []float64{.05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5, 10, 30}})
	m.commitTime = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "block_commit_seconds", Help: "Time to execute and durably store a decided block.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	m.txsCommitted = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "txs_committed_total", Help: "Transactions committed."})
	m.blockTxs = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "block_txs", Help: "Transactions per block.",
		Buckets: []float64{0, 1, 10, 100, 500, 1000, 2000, 5000, 10000}})
	m.mempoolTxs = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "mempool_txs", Help: "Transactions held in the mempool: waiting, and those of the block this node proposed until a block commits (on a validator alone in its set, so up to mempool.max_txs plus one block)."},
		func() float64 { n, _ := mempool(); return float64(n) })
	m.mempoolBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "mempool_bytes", Help: "Bytes of transactions held in the mempool (at most mempool.max_bytes)."},
		func() float64 { _, b := mempool(); return float64(b) })
	m.peers = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "peers", Help: "Connected peers."},
		func() float64 { return float64(peers()) })
	m.syncTarget = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "sync_target_height", Help: "Height block sync is catching up to (0 when not syncing)."})
	m.syncHeight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "sync_height", Help: "Height reached by block sync."})
	m.evidence = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "evidence_total", Help: "Double votes detected."})
	m.txAdmitted = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "tx_admission_total", Help: "Transaction admissions by result code (OK or ERR_...)."}, []string{"code"})
	m.stepDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "consensus_step_seconds", Help: "Time spent in each consensus step.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"step"})
	m.admitBatch = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "admission_batch_txs", Help: "Transactions per admission batch (signatures verified together), by lane: client submissions or peers' gossip.",
		Buckets: []float64{1, 4, 16, 64, 128, 256, 512, 1024, 2048}}, []string{"lane"})
	m.admitHeld = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "admission_held_total", Help: "Clients' requests held for room in a mempool full for clients (mempool.full_wait): each goes on to admission when room frees for it, its wait ends, or its client goes away."})
	m.diskBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "store_disk_bytes", Help: "Bytes the store occupies on disk (tables, write-ahead log, manifest)."},
		func() float64 { return float64(disk()) })
	m.cacheHits = prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: "store_block_cache_hits_total", Help: "Block reads of the store served from its block cache."},
		func() float64 { return float64(cache().Hits) })
	m.cacheMisses = prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: "store_block_cache_misses_total", Help: "Block reads of the store that missed its block cache (read from the files)."},
		func() float64 { return float64(cache().Misses) })
	m.cacheBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "store_block_cache_bytes", Help: "Bytes of blocks in the store's block cache (its size less the memtables' reservations bounds it)."},
		func() float64 { return float64(cache().Bytes) })
	// One series per answer: the in-memory filter's share of absent keys is
	// filter / (filter + filter_false_positive).
	for _, a := range []struct {
		answer string
		get    func(store.PointReads) int64
	}{
		{"filter", func(r store.PointReads) int64 { return r.Filtered }},
		{"filter_false_positive", func(r store.PointReads) int64 { return r.FalsePositive }},
		{"pebble_absent", func(r store.PointReads) int64 { return r.Absent }},
		{"pebble_found", func(r store.PointReads) int64 { return r.Found }},
	} {
		m.pointReads = append(m.pointReads, prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: "store_point_reads_total",
			Help:        "Point lookups of the store by who answered: its in-memory filter of absent keys (filter), Pebble for a key the filter could not rule out (filter_false_positive), Pebble for an absent key outside the filter's tables (pebble_absent), Pebble for a present key, blocks and results served to the API and block sync included (pebble_found).",
			ConstLabels: prometheus.Labels{"answer": a.answer}},
			func() float64 { return float64(a.get(reads())) }))
	}
	// The process's, not the node's: in a devnet's one process it covers
	// every node.
	m.peakRSS = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "process_peak_resident_bytes", Help: "Highest resident memory of the process since it started (0 where not measured)."},
		peakRSS)
	m.validators = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "validators", Help: "Validators in the set that signs the next height."})
	m.validatorPower = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "validator_power", Help: "Total voting power of the set that signs the next height."})
	m.valChanges = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "validator_set_changes", Help: "Heights at which a governance change of the validator set took or will take effect, since genesis."})
	m.valChangePending = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "validator_set_change_pending_height", Help: "Height at which an approved validator-set change takes effect (0 when none is pending)."})
	m.protocolVersion = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "protocol_version", Help: "The chain's protocol version after the last committed block."})
	m.upgradeHeight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "upgrade_planned_height", Help: "Height after which a scheduled upgrade applies; nodes that do not know it stop there (0 when none is scheduled)."})
	m.upgradeKnown = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "upgrade_planned_known", Help: "1 when this binary knows the scheduled upgrade and goes on past its height, 0 when it will stop there (or none is scheduled)."})
	m.buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "build_info", Help: "Always 1; the labels name this binary's version and the upgrade scheduled, if any."}, []string{"version", "planned_upgrade"})
	for _, c := range []prometheus.Collector{m.height, m.round, m.blockInterval, m.commitTime, m.txsCommitted, m.blockTxs,
		m.mempoolTxs, m.mempoolBytes, m.peers, m.syncTarget, m.syncHeight, m.evidence, m.txAdmitted, m.stepDuration,
		m.admitBatch, m.admitHeld, m.diskBytes, m.cacheHits, m.cacheMisses, m.cacheBytes, m.peakRSS, m.validators, m.validatorPower, m.valChanges, m.valChangePending,
		m.protocolVersion, m.upgradeHeight, m.upgradeKnown, m.buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	for _, c := range m.pointReads {
		f(c)
	}
	return m
}

func (m *Metrics) blockCommitted(b *ledger.Block, took, sincePrev time.Duration) {
	m.height.Set(float64(b.Header.Height))
	m.commitTime.Observe(took.Seconds())
	m.txsCommitted.Add(float64(len(b.Txs)))
	m.blockTxs.Observe(float64(len(b.Txs)))
	if sincePrev > 0 && sincePrev < time.Hour {
		m.blockInterval.Observe(sincePrev.Seconds())
	}
}

// validatorSet reports the set of height tip+1 and the chain's changes.
func (m *Metrics) validatorSet(next *ledger.ValidatorSet, spans []store.SetSpan, tip uint64) {
	m.validators.Set(float64(next.Size()))
	m.validatorPower.Set(float64(next.TotalPower()))
	m.valChanges.Set(float64(len(spans) - 1))
	pending := uint64(0)
	for _, s := range spans {
		if s.From > tip+1 {
			pending = s.From
		}
	}
	m.valChangePending.Set(float64(pending))
}

// protocol reports the chain's protocol version and the scheduled upgrade
// (plan nil when none), as known to reg.
func (m *Metrics) protocol(version uint64, plan *upgrade.Plan, reg upgrade.Registry) {
	m.protocolVersion.Set(float64(version))
	name := ""
	m.upgradeHeight.Set(0)
	m.upgradeKnown.Set(0)
	if plan != nil {
		name = plan.Name
		m.upgradeHeight.Set(float64(plan.Height))
		if _, ok := reg.Known(plan.Name); ok {
			m.upgradeKnown.Set(1)
		}
	}
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(m.software, name).Set(1)
}
