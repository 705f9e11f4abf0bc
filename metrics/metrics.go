// Package metrics exports what operators watch in Prometheus's format: requests by route name and
// status, the database connection pool, retried transactions, the mail queue and background jobs.
// It serves them, with Go's profiler, on a listener of their own that stays off the public port.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"roster/models"
)

// Registry holds every metric of one process. It implements models.Metrics and the request
// observer handlers.Config takes.
type Registry struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	retries      prometheus.Counter
	jobRuns      *prometheus.CounterVec
	mailFailures prometheus.Counter
}

// New makes the registry for a process serving store.
func New(store *models.Store) (*Registry, error) {
	pool, err := store.DB().DB()
	if err != nil {
		return nil, err
	}
	r := &Registry{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roster_http_requests_total",
			Help: "HTTP requests answered, by route name (\"unmatched\" for no route) and status code.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "roster_http_request_duration_seconds",
			Help:    "Time from request to response, by route name and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "status"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roster_db_transaction_retries_total",
			Help: "Transactions run again after the database aborted them (deadlock, serialization failure).",
		}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roster_job_runs_total",
			Help: "Passes of background jobs, by job and result (ok or error).",
		}, []string{"job", "result"}),
		mailFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roster_mail_send_failures_total",
			Help: "Messages the mail server did not take; each is retried up to five times.",
		}),
	}
	for _, job := range []string{models.JobMailDelivery, models.JobDeletions, models.JobScheduledDeactivations, models.JobDormancy} {
		for _, result := range []string{"ok", "error"} {
			r.jobRuns.WithLabelValues(job, result)
		}
	}
	r.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(pool, "roster"),
		mailQueueCollector{store: store},
		r.requests, r.latency, r.retries, r.jobRuns, r.mailFailures,
	)
	return r, nil
}

// ObserveRequest counts one answered request. route is a route's name, never a raw path, so the
// number of series stays bounded.
func (r *Registry) ObserveRequest(route string, status int, elapsed time.Duration) {
	code := strconv.Itoa(status)
	r.requests.WithLabelValues(route, code).Inc()
	r.latency.WithLabelValues(route, code).Observe(elapsed.Seconds())
}

// TransactionRetried implements models.Metrics.
func (r *Registry) TransactionRetried() { r.retries.Inc() }

// JobRan implements models.Metrics.
func (r *Registry) JobRan(job string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	r.jobRuns.WithLabelValues(job, result).Inc()
}

// MailSendFailed implements models.Metrics.
func (r *Registry) MailSendFailed() { r.mailFailures.Inc() }

// Handler serves /metrics and Go's profiler under /debug/pprof/. It belongs on a listener that
// only operators reach: profiles show the program's internals.
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// mailQueueCollector reads the outbox at each scrape: the queue lives in the database, shared by
// every server, so each reports the same numbers.
type mailQueueCollector struct{ store *models.Store }

var (
	mailWaiting = prometheus.NewDesc("roster_mail_queue_messages",
		"Unsent messages that will be tried on the next delivery pass.", nil, nil)
	mailFailed = prometheus.NewDesc("roster_mail_failed_messages",
		"Unsent messages the mail server refused five times; they are no longer tried.", nil, nil)
)

func (c mailQueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- mailWaiting
	ch <- mailFailed
}

func (c mailQueueCollector) Collect(ch chan<- prometheus.Metric) {
	// A scrape must not queue behind a busy pool for long: better a gap in the graph.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	queue, err := c.store.PendingMail(ctx)
	if err != nil {
		slog.Warn("metrics: reading the mail queue", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(mailWaiting, prometheus.GaugeValue, float64(queue.Waiting))
	ch <- prometheus.MustNewConstMetric(mailFailed, prometheus.GaugeValue, float64(queue.Failed))
}
