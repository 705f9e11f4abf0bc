package views

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"roster/models"
)

// SectionWebhooks marks Settings > Webhooks in the navigation.
const SectionWebhooks = "webhooks"

// WebhookForm is the endpoint form's values as typed.
type WebhookForm struct {
	URL         string
	Description string
	AllEvents   bool
	Events      map[string]bool
	Enabled     bool
}

// WebhookListView is Settings > Webhooks: the account's endpoints and the form that adds one.
type WebhookListView struct {
	Chrome
	Endpoints []models.WebhookEndpointSummary
	Flashes   []string
	Form      WebhookForm
	Errors    map[string]string
}

// WebhookView is one endpoint: its secret right after it was made or rotated, its settings,
// health and delivery log.
type WebhookView struct {
	Chrome
	Detail *models.WebhookEndpointDetail
	// Secret is shown once, on the page that answers the request that made it.
	Secret  string
	Flashes []string
	Form    WebhookForm
	Errors  map[string]string
}

func webhookOlderHref(id, older int64) string {
	return WebhookHref(id) + "?older=" + strconv.FormatInt(older, 10)
}

// webhookEventTypes are the types the form offers.
func webhookEventTypes() []string { return models.WebhookEventTypes }

func webhookSubscriptionText(all bool, types []string) string {
	if all {
		return "All events"
	}
	if len(types) <= 3 {
		return strings.Join(types, ", ")
	}
	return strings.Join(types[:3], ", ") + " and " + strconv.Itoa(len(types)-3) + " more"
}

// webhookHealth says in a few words how an endpoint is doing, and the class that colours it.
func webhookHealth(e models.WebhookEndpoint) (string, string) {
	switch {
	case !e.Enabled && e.DisabledReason != "":
		return "Disabled: " + e.DisabledReason + disabledWhen(e.DisabledAt), "status-inactive"
	case !e.Enabled:
		return "Disabled", "status-inactive"
	case e.FailingSince != nil:
		return "Failing since " + secondsTime(*e.FailingSince), "status-invited"
	case e.LastSuccessAt != nil:
		return "Healthy: last delivery " + secondsTime(*e.LastSuccessAt), "status-active"
	}
	return "Enabled: nothing sent yet", "status-active"
}

func disabledWhen(at *time.Time) string {
	if at == nil {
		return ""
	}
	return " (" + secondsTime(*at) + ")"
}

// secondsTime is dateTime to the second, as a delivery log needs.
func secondsTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04:05 UTC") }

func attemptOutcome(a models.WebhookLogLine) string {
	if a.StatusCode == 0 {
		return "No answer: " + a.Error
	}
	return strconv.Itoa(a.StatusCode) + " " + http.StatusText(a.StatusCode)
}

func attemptClass(a models.WebhookLogLine) string {
	if a.StatusCode >= 200 && a.StatusCode < 300 {
		return "status status-active"
	}
	return "status status-inactive"
}

func pendingText(n int64, next *time.Time) string {
	switch {
	case n == 0:
		return "Nothing is waiting to be sent."
	case next == nil:
		return thousands(n) + " waiting."
	case n == 1:
		return "1 delivery waiting; next attempt " + secondsTime(*next) + "."
	}
	return thousands(n) + " deliveries waiting, sent in order; next attempt " + secondsTime(*next) + "."
}
