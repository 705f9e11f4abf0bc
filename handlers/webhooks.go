package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// Settings > Webhooks routes (P2).
const (
	maxWebhookEventKeys = 64
)

// webhookRoutes are Settings > Webhooks, for owners and admins.
func (s *Server) webhookRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteWebhooks, models.PermManageWebhooks, s.webhookList},
		{http.MethodPost, routes.RouteWebhookCreate, models.PermManageWebhooks, s.webhookCreate},
		{http.MethodGet, routes.RouteWebhook, models.PermManageWebhooks, s.webhookPage},
		{http.MethodPost, routes.RouteWebhookUpdate, models.PermManageWebhooks, s.webhookUpdate},
		{http.MethodPost, routes.RouteWebhookDelete, models.PermManageWebhooks, s.webhookDelete},
		{http.MethodPost, routes.RouteWebhookRotate, models.PermManageWebhooks, s.webhookRotate},
		{http.MethodPost, routes.RouteWebhookTest, models.PermManageWebhooks, s.webhookTest},
		{http.MethodPost, routes.RouteWebhookResend, models.PermManageWebhooks, s.webhookResend},
	}
}

// webhookInput reads the endpoint form. A form with more event boxes than exist is refused as
// a whole rather than read.
func webhookInput(params url.Values) (models.WebhookEndpointInput, views.WebhookForm, error) {
	events := params["events"]
	if len(events) > maxWebhookEventKeys {
		return models.WebhookEndpointInput{}, views.WebhookForm{}, echo.NewHTTPError(http.StatusBadRequest)
	}
	in := models.WebhookEndpointInput{URL: params.Get("url"), Description: params.Get("description"),
		AllEvents: params.Get("all_events") != "", EventTypes: events, Enabled: params.Get("enabled") != ""}
	form := views.WebhookForm{URL: formText(in.URL, models.MaxWebhookURLLength), Description: formText(in.Description, models.MaxWebhookDescriptionLength),
		AllEvents: in.AllEvents, Events: map[string]bool{}, Enabled: in.Enabled}
	for _, e := range events {
		form.Events[e] = true
	}
	return in, form, nil
}

func (s *Server) webhookList(c echo.Context) error {
	view := views.WebhookListView{Chrome: chrome(c, "Webhooks", views.SectionWebhooks), Flashes: s.takeFlashes(c),
		Form: views.WebhookForm{AllEvents: true, Enabled: true}, Errors: map[string]string{}}
	return s.renderWebhookList(c, http.StatusOK, view)
}

func (s *Server) renderWebhookList(c echo.Context, status int, view views.WebhookListView) error {
	endpoints, err := s.store.ListWebhookEndpoints(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	view.Endpoints = endpoints
	return render(c, status, views.WebhookListPage(view))
}

func (s *Server) webhookCreate(c echo.Context) error {
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	in, form, err := webhookInput(params)
	if err != nil {
		return err
	}
	endpoint, err := s.store.CreateWebhookEndpoint(c.Request().Context(), actorOf(c), in)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view := views.WebhookListView{Chrome: chrome(c, "Webhooks", views.SectionWebhooks), Form: form, Errors: fields}
		return s.renderWebhookList(c, http.StatusUnprocessableEntity, view)
	}
	if err != nil {
		return err
	}
	// The secret is shown on this answer only: it is never put in a cookie or a redirect.
	view := views.WebhookView{Flashes: []string{"Added the endpoint. Events are sent to it from now on."}, Secret: endpoint.Secret}
	return s.renderWebhook(c, http.StatusCreated, endpoint.ID, 0, view)
}

// webhookID is the endpoint named in the path; anything but a positive number names none.
func webhookID(c echo.Context) (int64, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return 0, models.ErrNotFound
	}
	return id, nil
}

func (s *Server) webhookPage(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	var older int64
	if v := c.QueryParam("older"); v != "" {
		if older, err = strconv.ParseInt(v, 10, 64); err != nil || older < 0 {
			older = 0
		}
	}
	return s.renderWebhook(c, http.StatusOK, id, older, views.WebhookView{Flashes: s.takeFlashes(c)})
}

// renderWebhook shows an endpoint's page; a view without form values shows the stored ones.
func (s *Server) renderWebhook(c echo.Context, status int, id, older int64, view views.WebhookView) error {
	detail, err := s.store.WebhookEndpoint(c.Request().Context(), actorOf(c), id, older)
	if err != nil {
		return err
	}
	view.Chrome = chrome(c, "Webhook endpoint", views.SectionWebhooks)
	view.Detail = detail
	if view.Errors == nil {
		view.Errors = map[string]string{}
		view.Form = views.WebhookForm{URL: detail.URL, Description: detail.Description, AllEvents: detail.AllEvents,
			Events: map[string]bool{}, Enabled: detail.Enabled}
		for _, t := range detail.EventTypes {
			view.Form.Events[t] = true
		}
	}
	return render(c, status, views.WebhookPage(view))
}

func (s *Server) webhookUpdate(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	in, form, err := webhookInput(params)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateWebhookEndpoint(c.Request().Context(), actorOf(c), id, in)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return s.renderWebhook(c, http.StatusUnprocessableEntity, id, 0, views.WebhookView{Form: form, Errors: fields})
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved the endpoint.")
	return redirect(c, views.WebhookHref(id))
}

func (s *Server) webhookDelete(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	endpoint, err := s.store.DeleteWebhookEndpoint(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	s.flash(c, "Deleted the endpoint "+endpoint.URL+".")
	return redirect(c, routes.Path(routes.RouteWebhooks))
}

func (s *Server) webhookRotate(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	secret, err := s.store.RotateWebhookSecret(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	view := views.WebhookView{Flashes: []string{"Made a new signing secret. The previous one keeps signing alongside for 24 hours."}, Secret: secret}
	return s.renderWebhook(c, http.StatusOK, id, 0, view)
}

func (s *Server) webhookTest(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	if err := s.store.SendWebhookTest(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	s.flash(c, "Queued a test event; it appears in the log once the endpoint has answered.")
	return redirect(c, views.WebhookHref(id))
}

func (s *Server) webhookResend(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	delivery, ok := positiveID(c.FormValue("delivery"))
	if !ok {
		return models.ErrNotFound
	}
	if err := s.store.ResendWebhookDelivery(c.Request().Context(), actorOf(c), id, delivery); err != nil {
		return err
	}
	s.flash(c, "Queued the event again, with the same webhook-id.")
	return redirect(c, views.WebhookHref(id))
}
