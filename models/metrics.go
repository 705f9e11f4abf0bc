package models

// Metrics hears what the domain does that operators watch: retried transactions, background job
// passes and failed mail. The metrics endpoint implements it (main sets Store.Metrics when it is
// served), so models counts without knowing how numbers are exported. Implementations must be safe
// for concurrent use.
type Metrics interface {
	// TransactionRetried is called each time a transaction runs again after the database aborted
	// it (a deadlock, a serialization failure).
	TransactionRetried()
	// JobRan is called after each pass of a background job (JobMailDelivery, JobDeletions, JobScheduledDeactivations, JobDormancy) with
	// the error that ended the pass, if any.
	JobRan(job string, err error)
	// MailSendFailed is called when the mail server did not take a message.
	MailSendFailed()
}

// Background jobs, as JobRan names them.
const (
	JobMailDelivery           = "mail_delivery"
	JobDeletions              = "deletions"
	JobScheduledDeactivations = "scheduled_deactivations"
	JobDormancy               = "dormancy"
)

// observe is the Store's Metrics, or one that counts nothing.
func (s *Store) observe() Metrics {
	if s.Metrics == nil {
		return noMetrics{}
	}
	return s.Metrics
}

type noMetrics struct{}

func (noMetrics) TransactionRetried()  {}
func (noMetrics) JobRan(string, error) {}
func (noMetrics) MailSendFailed()      {}
