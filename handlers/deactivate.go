package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

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
	form := views.HandoverForm{IDs: joinIDs(ids), RecordsMode: "one", Scope: "open", When: "now"}
	if c.QueryParam("change") == "1" && len(ids) == 1 {
		leaving, err := s.store.ScheduledDeactivationOf(c.Request().Context(), actorOf(c), ids[0])
		if err != nil {
			return err
		}
		form = scheduledForm(ids, leaving)
	}
	return s.renderWizard(c, views.StepImpact, form, ids, nil)
}

// scheduledForm is the wizard filled in with a leave date's plan, for changing it.
func scheduledForm(ids []int64, leaving *models.ScheduledDeactivationView) views.HandoverForm {
	plan := leaving.Handover()
	id := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	local := leaving.LocalDueAt()
	form := views.HandoverForm{IDs: joinIDs(ids), RecordsMode: "keep", Scope: "open", RecordsTo: id(plan.RecordsTo),
		RecordsByKind: map[string]string{}, GroupsTo: id(plan.GroupsTo), ManagerTo: id(plan.ManagerTo), Demote: plan.Demote,
		Reason: plan.Reason, When: "at", LeaveDate: local.Format("2006-01-02"), LeaveTime: local.Format("15:04")}
	switch {
	case plan.RecordsTo != 0:
		form.RecordsMode = "one"
	case len(plan.RecordsByKind) > 0:
		form.RecordsMode = "kind"
		for kind, to := range plan.RecordsByKind {
			form.RecordsByKind[kind] = id(to)
		}
	}
	if plan.IncludeClosed {
		form.Scope = "all"
	}
	return form
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
	if form.When == "at" {
		return s.scheduleDeactivation(c, form, ids, plan)
	}
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
	return redirect(c, views.UsersTabHref(models.StatusInactive))
}

// scheduleDeactivation gives the users the leave date the confirm step chose, in the account's
// time zone.
func (s *Server) scheduleDeactivation(c echo.Context, form views.HandoverForm, ids []int64, plan models.HandoverPlan) error {
	actor := actorOf(c)
	at, err := models.LeaveTime(actor.Account, form.LeaveDate, form.LeaveTime)
	if err == nil {
		_, err = s.store.ScheduleDeactivation(c.Request().Context(), actor, ids, plan, at)
	}
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
	when := views.LeaveDateText(at, actor.Account.Location().String())
	if len(ids) == 1 {
		s.flash(c, "Scheduled: they leave on "+when+".")
		return redirect(c, views.UserHref(ids[0]))
	}
	s.flash(c, fmt.Sprintf("Scheduled: %s leave on %s.", models.Count(len(ids), "user", "users"), when))
	return redirect(c, views.ListHref(views.UserListState{Leaving: "1"}))
}

// cancelScheduledDeactivation takes a user's leave date away, from their profile.
func (s *Server) cancelScheduledDeactivation(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	if err := s.store.CancelScheduledDeactivation(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	s.flash(c, "Cancelled the leave date: they stay active.")
	return redirect(c, views.UserHref(id))
}

// fieldsStep is the wizard step that shows the fields in errs: the reason and the leave date are
// asked for on the confirm step, every other choice on the hand-over step.
func fieldsStep(errs models.FieldErrors) string {
	if errs["reason"] != "" || errs["leave_date"] != "" || errs["leave_time"] != "" {
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
		Ready: joinIDs(impact.ReadyIDs()), Errors: errs, TimeZone: actor.Account.Location().String()}
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
		Reason: truncateRunes(params.Get("reason"), 2*models.MaxReasonLength),
		When:   params.Get("when"), LeaveDate: truncateRunes(params.Get("leave_date"), 40), LeaveTime: truncateRunes(params.Get("leave_time"), 20)}
	if form.When != "at" {
		form.When = "now"
	}
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
