package handlers

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// namesShown is how many people a message names before "and N more".
const namesShown = 2

// peopleOf looks up the names of the people an action touched, for its message. A failed
// lookup costs the names, not the action, which is done.
func (s *Server) peopleOf(c echo.Context, ids []int64) []models.PersonName {
	names, err := s.store.NamesOf(c.Request().Context(), actorOf(c), ids)
	if err != nil {
		slog.Warn("could not name the people of a message", "err", err)
	}
	return names
}

// whoText names the n people an action touched: "Nora Jensen", or "3 people: Nora Jensen,
// Finn Jensen and 1 more".
func whoText(people []models.PersonName, n int) string {
	n = max(n, len(people))
	if len(people) == 0 {
		return models.Count(n, "person", "people")
	}
	if n == 1 {
		return people[0].Name
	}
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = p.Name
	}
	if len(names) == n && n <= namesShown {
		return models.Count(n, "person", "people") + ": " + joinNames(names, n)
	}
	shown := min(namesShown, len(names))
	return fmt.Sprintf("%s: %s and %d more", models.Count(n, "person", "people"), strings.Join(names[:shown], ", "), n-shown)
}

// onlyOne is the one person an action touched, or nil when it touched several.
func onlyOne(people []models.PersonName, n int) *models.PersonName {
	if n == 1 && len(people) == 1 {
		return &people[0]
	}
	return nil
}

func profileLink(p models.PersonName) views.FlashLink {
	return views.FlashLink{Label: p.Name + "’s profile", Href: views.UserHref(p.ID)}
}

func recordsLink(p models.PersonName) views.FlashLink {
	return views.FlashLink{Label: p.Name + "’s records", Href: views.OwnerRecordsHref(p.ID)}
}

// bulkMessage is the flash after an action of the Actions menu or a row's menu: verb and who,
// then what follows, and for one person where to go on.
func bulkMessage(action string, people []models.PersonName, n int) views.Flash {
	who := whoText(people, n)
	one := onlyOne(people, n)
	var f views.Flash
	switch action {
	case "reactivate":
		f.Text = "Reactivated " + who + ", with a seat of their plan."
		if one != nil {
			f.Links = []views.FlashLink{profileLink(*one), recordsLink(*one)}
		}
	case "undo_delete":
		f.Text = "Undid the deletion of " + who + "; they stay inactive."
		if one != nil {
			f.Links = []views.FlashLink{{Label: "Reactivate", Action: "reactivate", ID: one.ID}, profileLink(*one)}
		}
	case "remind":
		f.Text = "Reminded " + who + " with a new link."
		if one != nil {
			f.Links = []views.FlashLink{profileLink(*one)}
		}
	case "revoke":
		if one != nil {
			f.Text = "Revoked the invitation of " + who + "; their seat is free again."
		} else {
			f.Text = "Revoked the invitations of " + who + "; their seats are free again."
		}
		f.Links = []views.FlashLink{{Label: "Invite someone", Href: routes.Path(routes.RouteInvite)}}
	case "reset_password":
		f.Text = "Sent a password reset link to " + who + "; their sessions ended."
		if one != nil {
			f.Links = []views.FlashLink{profileLink(*one)}
		}
	}
	return f
}

// deactivationMessage names who was deactivated and who received their records: "Nora Jensen
// deactivated; 12 records to Finn Jensen."
func deactivationMessage(r *models.DeactivationResult, people []models.PersonName, recordsTo *models.PersonName) views.Flash {
	one := onlyOne(people, r.Users)
	var text string
	if one != nil {
		text = one.Name + " deactivated"
	} else {
		text = "Deactivated " + whoText(people, r.Users)
	}
	switch {
	case r.RecordsMoved > 0 && recordsTo != nil:
		text += fmt.Sprintf("; %s to %s.", models.Count(int(r.RecordsMoved), "record", "records"), recordsTo.Name)
	case r.RecordsMoved > 0:
		text += fmt.Sprintf("; %s handed over.", models.Count(int(r.RecordsMoved), "record", "records"))
	default:
		text += "."
	}
	if r.GroupsMoved > 0 {
		text += fmt.Sprintf(" %s got a new owner.", models.Count(int(r.GroupsMoved), "group", "groups"))
	}
	if r.ManagedMoved > 0 {
		text += fmt.Sprintf(" %s got a new manager.", models.Count(int(r.ManagedMoved), "person", "people"))
	}
	if r.SessionsEnded > 0 {
		text += fmt.Sprintf(" %s ended.", models.Count(int(r.SessionsEnded), "session", "sessions"))
	}
	f := views.Flash{Text: text}
	if one != nil {
		f.Links = []views.FlashLink{{Label: "Reactivate", Action: "reactivate", ID: one.ID}, recordsLink(*one)}
	}
	if recordsTo != nil && r.RecordsMoved > 0 {
		f.Links = append(f.Links, recordsLink(*recordsTo))
	}
	return f
}
