package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// maxRecipients bounds the hand-over choices; larger accounts type a name into the browser's
// select to jump to it.
const maxRecipients = 500

func (s *Server) deactivateStart(c echo.Context) error {
	ids, ok := parseIDs(c.QueryParams()["ids"])
	if !ok {
		return models.ErrNotFound
	}
	form := views.HandoverForm{IDs: joinIDs(ids), RecordsMode: "one", Scope: "open"}
	return s.renderWizard(c, views.StepImpact, form, ids, nil)
}

// deactivateStep moves the wizard one step, or carries it out on the last. Every step re-reads
// the impact, so what the admin confirms is what the database holds now.
func (s *Server) deactivateStep(c echo.Context) error {
	params, err := formParams(c)
	if err != nil {
		return err
	}
	form, ids, plan, errs := parseHandover(params)
	if len(ids) == 0 {
		return models.ErrNotFound
	}
	step := params.Get("step")
	switch step {
	case views.StepHandover, views.StepConfirm, views.StepExecute:
	default:
		return s.renderWizard(c, views.StepImpact, form, ids, nil)
	}
	if len(errs) > 0 {
		return s.renderWizard(c, views.StepHandover, form, ids, errs)
	}
	if step == views.StepExecute {
		return s.executeDeactivation(c, form, ids, plan)
	}
	if step == views.StepConfirm {
		err := s.store.CheckHandover(c.Request().Context(), actorOf(c), ids, plan)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			return s.renderWizard(c, fieldsStep(fields), form, ids, fields)
		}
		if err != nil {
			return err
		}
	}
	return s.renderWizard(c, step, form, ids, nil)
}

func (s *Server) executeDeactivation(c echo.Context, form views.HandoverForm, ids []int64, plan models.HandoverPlan) error {
	result, err := s.store.Deactivate(c.Request().Context(), actorOf(c), ids, plan)
	var fields models.FieldErrors
	var blocked models.DeactivationBlockedError
	switch {
	case errors.As(err, &fields):
		return s.renderWizard(c, fieldsStep(fields), form, ids, fields)
	case errors.As(err, &blocked):
		return s.renderWizard(c, views.StepImpact, form, ids, nil)
	case err != nil:
		return err
	}
	var people []models.PersonName
	var recordsTo *models.PersonName
	for _, p := range s.peopleOf(c, append([]int64{plan.RecordsTo}, ids...)) {
		if p.ID == plan.RecordsTo {
			if len(plan.RecordsByKind) == 0 {
				recordsTo = &p
			}
			continue
		}
		people = append(people, p)
	}
	s.flashLinks(c, deactivationMessage(result, people, recordsTo))
	return redirect(c, "/settings/users?tab=inactive")
}

// fieldsStep is the wizard step that shows the fields in errs: the reason is asked for on the
// confirm step, every other choice on the hand-over step.
func fieldsStep(errs models.FieldErrors) string {
	if errs["reason"] != "" {
		return views.StepConfirm
	}
	return views.StepHandover
}

func (s *Server) renderWizard(c echo.Context, step string, form views.HandoverForm, ids []int64, errs map[string]string) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	impact, err := s.store.DeactivationImpact(ctx, actor, ids)
	if err != nil {
		return err
	}
	if ok, demoteHint := impact.MayProceed(form.Demote); !ok && step != views.StepImpact {
		step = views.StepImpact
		if demoteHint != "" {
			errs = map[string]string{"demote": demoteHint}
		}
	}
	view := views.WizardView{Chrome: chrome(c, "Deactivate", views.SectionUsers), Step: step, Form: form, Impact: impact,
		Ready: joinIDs(impact.ReadyIDs()), Errors: errs}
	if step != views.StepImpact {
		if view.Recipients, err = s.store.ListRecipients(ctx, actor, ids, maxRecipients); err != nil {
			return err
		}
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return renderPage(c, status, views.WizardPage(view), views.Wizard(view))
}

// parseHandover reads the wizard's form into what the view shows and what the domain executes.
func parseHandover(params url.Values) (views.HandoverForm, []int64, models.HandoverPlan, map[string]string) {
	ids, _ := parseIDs(params["ids"])
	form := views.HandoverForm{IDs: joinIDs(ids), RecordsMode: params.Get("records_mode"), Scope: params.Get("scope"),
		RecordsTo: params.Get("records_to"), GroupsTo: params.Get("groups_to"), ManagerTo: params.Get("manager_to"),
		Demote: params.Get("demote") == "1", RecordsByKind: map[string]string{},
		// Kept whole up to twice the limit so that it can be shown back; the model judges its length.
		Reason: truncateRunes(params.Get("reason"), 2*models.MaxReasonLength)}
	if form.Scope != "all" {
		form.Scope = "open"
	}
	plan := models.HandoverPlan{IncludeClosed: form.Scope == "all", Demote: form.Demote, Reason: form.Reason}
	errs := map[string]string{}
	userField := func(field, value string) int64 {
		if value == "" {
			return 0
		}
		id, ok := positiveID(value)
		if !ok {
			errs[field] = "Choose someone from the list."
		}
		return id
	}
	for _, kind := range models.RecordKinds {
		if v := params.Get("records_to_" + kind); v != "" {
			form.RecordsByKind[kind] = v
		}
	}
	switch form.RecordsMode {
	case "one":
		if form.RecordsTo == "" {
			errs["records_to"] = "Choose who receives the records, or leave them with the users."
		}
		plan.RecordsTo = userField("records_to", form.RecordsTo)
	case "kind":
		plan.RecordsByKind = map[string]int64{}
		for kind, v := range form.RecordsByKind {
			plan.RecordsByKind[kind] = userField("records_to_"+kind, v)
		}
	default:
		form.RecordsMode = "keep"
	}
	plan.GroupsTo = userField("groups_to", form.GroupsTo)
	plan.ManagerTo = userField("manager_to", form.ManagerTo)
	// Only a step that shows the hand-over is judged on it.
	if step := params.Get("step"); step != views.StepConfirm && step != views.StepExecute {
		errs = nil
	}
	return form, ids, plan, errs
}
