package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// seatQuantityForm shows one plan's purchased quantity with its usage.
func (s *Server) seatQuantityForm(c echo.Context) error {
	usage, err := s.planUsageParam(c)
	if err != nil {
		return err
	}
	return s.renderSeatQuantity(c, http.StatusOK, usage, strconv.Itoa(usage.Plan.SeatsPurchased), "", nil)
}

// seatQuantitySubmit changes the purchased quantity and returns to Seats & billing; a refused
// change shows this plan's own form with the reason beside the field.
func (s *Server) seatQuantitySubmit(c echo.Context) error {
	usage, err := s.planUsageParam(c)
	if err != nil {
		return err
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	raw := truncateRunes(strings.TrimSpace(params.Get("quantity")), 20)
	reason := truncateRunes(params.Get("reason"), 2*models.MaxReasonLength)
	quantity, perr := strconv.Atoi(raw)
	if perr != nil {
		return s.renderSeatQuantity(c, http.StatusUnprocessableEntity, usage, raw, reason,
			map[string]string{"quantity": fmt.Sprintf("Enter a whole number of seats from 0 to %d.", models.MaxSeatQuantity)})
	}
	err = s.store.ChangeSeatQuantity(c.Request().Context(), actorOf(c), usage.Plan.ID, quantity, reason)
	var below models.QuantityBelowUseError
	var fields models.FieldErrors
	switch {
	case errors.As(err, &below):
		// Show the numbers as they are now, which the refusal was based on.
		if fresh, ferr := s.planUsageParam(c); ferr == nil {
			usage = fresh
		}
		return s.renderSeatQuantity(c, http.StatusUnprocessableEntity, usage, raw, reason, map[string]string{"quantity": below.Error()})
	case errors.As(err, &fields):
		return s.renderSeatQuantity(c, http.StatusUnprocessableEntity, usage, raw, reason, fields)
	case err != nil:
		return err
	}
	s.flash(c, fmt.Sprintf("Plan %s now has %s.", usage.Plan.Name, models.Count(quantity, "seat", "seats")))
	return redirect(c, routes.Path(routes.RouteSeats))
}

func (s *Server) planUsageParam(c echo.Context) (*models.PlanUsage, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return nil, models.ErrNotFound
	}
	return s.store.PlanUsageOf(c.Request().Context(), actorOf(c), id)
}

func (s *Server) renderSeatQuantity(c echo.Context, status int, usage *models.PlanUsage, quantity, reason string, errs map[string]string) error {
	return render(c, status, views.SeatQuantityPage(views.SeatQuantityView{Chrome: chrome(c, "Seats of "+usage.Plan.Name, views.SectionSeats),
		Usage: *usage, Quantity: quantity, Reason: reason, Errors: errs}))
}
