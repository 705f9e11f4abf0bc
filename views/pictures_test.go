package views_test

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/views"
)

const adaPicture = "/pictures/3/0123456789abcdef.jpg"

// wantPicture checks an avatar that shows a picture: an image with no text alternative (the
// name is beside it), sized by its class so the layout holds while it loads.
func wantPicture(t *testing.T, avatar *goquery.Selection, src, size string, lazy bool) {
	t.Helper()
	if avatar.Length() != 1 || !avatar.Is("img") {
		t.Fatalf("%d avatar pictures, want one img", avatar.Length())
	}
	wantAttr(t, avatar, "src", src)
	wantAttr(t, avatar, "alt", "")
	// Sized by the style sheet's avatar class, so the layout holds while it loads.
	if !avatar.HasClass("avatar") {
		t.Errorf("class %q, want an avatar", avatar.AttrOr("class", ""))
	}
	if got := avatar.AttrOr("loading", ""); (got == "lazy") != lazy {
		t.Errorf("loading=%q, lazy wanted: %v", got, lazy)
	}
}

func TestPictureShowsInTheUserListWithInitialsAsFallback(t *testing.T) {
	rows := activeRows()
	rows[0].PictureURL = adaPicture
	doc := render(t, views.UserListPage(userListView("active", rows, exactCounts(2, 0, 0))))
	list := doc.Find(`[data-testid="user-row"]`)
	wantPicture(t, list.Eq(0).Find(`img.avatar`), adaPicture, "32", true)
	if list.Eq(0).Find(`span.avatar`).Length() != 0 {
		t.Error("a row with a picture also shows initials")
	}
	wantText(t, list.Eq(1).Find(`span.avatar`), "FG")
	if list.Eq(1).Find("img").Length() != 0 {
		t.Error("a row without a picture shows an image")
	}
}

func TestPictureShowsInTheProfileHeader(t *testing.T) {
	p := profileOf(models.StatusActive)
	doc := render(t, views.ProfilePage(profileView(p)))
	wantText(t, doc.Find(`.profile-head span.avatar`), "AL")

	p.User.PictureURL = adaPicture
	doc = render(t, views.ProfilePage(profileView(p)))
	wantPicture(t, doc.Find(`.profile-head img.avatar`), adaPicture, "56", false)
}

func TestPictureShowsInTheTopBar(t *testing.T) {
	c := adminChrome("Home", views.SectionHome)
	doc := render(t, views.Layout(c))
	wantText(t, doc.Find(`.topbar span.avatar`), "WJ")

	c.UserPictureURL = "/pictures/2/fedcba9876543210.jpg"
	doc = render(t, views.Layout(c))
	wantPicture(t, doc.Find(`.topbar img.avatar`), c.UserPictureURL, "28", false)
}

func TestOwnPictureFormOnTheHomePage(t *testing.T) {
	p := profileOf(models.StatusActive)
	v := views.HomeView{Chrome: adminChrome("Home", views.SectionHome), Profile: p, Name: p.User.Name,
		Errors: map[string]string{"picture": "That file is not a JPEG, PNG or WebP image."}}
	doc := render(t, views.HomePage(v))
	form := one(t, doc, "own-picture-form")
	wantAttr(t, form, "enctype", "multipart/form-data")
	wantAttr(t, form.Find("input[name=_csrf]"), "value", "csrf-admin")
	wantAttr(t, one(t, doc, "picture-input"), "accept", "image/jpeg,image/png,image/webp")
	wantText(t, one(t, doc, "error-picture"), "That file is not a JPEG, PNG or WebP image.")
	if doc.Find(`[data-testid="remove-own-picture"]`).Length() != 0 {
		t.Error("Remove picture is offered to someone without one")
	}

	p.User.PictureURL = adaPicture
	doc = render(t, views.HomePage(v))
	one(t, doc, "remove-own-picture")
	wantPicture(t, doc.Find(`main img.avatar`), adaPicture, "56", false)
}

func TestPictureShowsInStatisticsRows(t *testing.T) {
	s := teamStatistics("")
	s.Users = append(s.Users, models.UserStatistics{UserID: 5, Name: "Finn Garcia", Status: models.StatusActive})
	s.Users[0].PictureURL = adaPicture
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics), Stats: s}))
	rows := doc.Find(`[data-testid="statistics-row"]`)
	wantPicture(t, rows.Eq(0).Find(`img.avatar`), adaPicture, "32", true)
	wantText(t, rows.Eq(2).Find(`span.avatar`), "FG")
}

func TestPictureFromElsewhereShowsInitials(t *testing.T) {
	p := profileOf(models.StatusActive)
	p.User.PictureURL = "https://cdn.example.com/faces/ada.jpg"
	doc := render(t, views.ProfilePage(profileView(p)))
	if doc.Find("img.avatar").Length() != 0 {
		t.Fatal("an address Roster does not serve is shown as a picture")
	}
	wantText(t, doc.Find(`.profile-head span.avatar`), "AL")
}
