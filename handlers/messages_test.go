package handlers

import (
	"testing"

	"roster/models"
)

func TestMessagesNameThePeople(t *testing.T) {
	nora, finn, ada := models.PersonName{ID: 1, Name: "Nora Jensen"}, models.PersonName{ID: 2, Name: "Finn Jensen"}, models.PersonName{ID: 3, Name: "Ada Lind"}
	for _, c := range []struct {
		people []models.PersonName
		n      int
		want   string
	}{
		{[]models.PersonName{nora}, 1, "Nora Jensen"},
		{[]models.PersonName{nora, finn}, 2, "2 people: Nora Jensen and Finn Jensen"},
		{[]models.PersonName{nora, finn, ada}, 3, "3 people: Nora Jensen, Finn Jensen and 1 more"},
		{[]models.PersonName{nora}, 4, "4 people: Nora Jensen and 3 more"},
		{nil, 5, "5 people"},
	} {
		if got := whoText(c.people, c.n); got != c.want {
			t.Errorf("whoText(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	t.Run("DeactivatedOne", func(t *testing.T) {
		f := deactivationMessage(&models.DeactivationResult{Users: 1, RecordsMoved: 12, SessionsEnded: 1}, []models.PersonName{nora}, &finn)
		if f.Text != "Nora Jensen deactivated; 12 records to Finn Jensen. 1 session ended." {
			t.Fatalf("text %q", f.Text)
		}
		if len(f.Links) != 3 || f.Links[0].Action != "reactivate" || f.Links[0].ID != 1 || f.Links[1].Href != "/settings/records?owner=1" ||
			f.Links[2].Href != "/settings/records?owner=2" {
			t.Fatalf("links %+v", f.Links)
		}
	})
	t.Run("DeactivatedMany", func(t *testing.T) {
		f := deactivationMessage(&models.DeactivationResult{Users: 3}, []models.PersonName{nora, finn, ada}, nil)
		if f.Text != "Deactivated 3 people: Nora Jensen, Finn Jensen and 1 more." || len(f.Links) != 0 {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("Reminded", func(t *testing.T) {
		if f := bulkMessage("remind", []models.PersonName{nora}, 1); f.Text != "Reminded Nora Jensen with a new link." || f.Links[0].Href != "/settings/users/1" {
			t.Fatalf("%+v", f)
		}
	})
}
