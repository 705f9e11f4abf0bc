package views_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/views"
)

func recordRows() []models.RecordRow {
	return []models.RecordRow{
		{ID: 101, Title: "Renewal <script>x</script>", Kind: "deal", IsOpen: true, OwnerID: 7, OwnerName: "Ada Lovelace",
			OwnerUserStatus: models.StatusActive, CreatedAt: testNow.AddDate(0, -1, 0),
			HandedOverAt: ptr(testNow.Add(-48 * time.Hour)), HandedOverFromID: ptr(int64(9)), FromName: ptr(models.DeletedUserName),
			FromUserStatus: ptr(models.StatusDeleted)},
		{ID: 102, Title: "Call back", Kind: "lead", IsOpen: false, OwnerID: 9, OwnerName: models.DeletedUserName,
			OwnerUserStatus: models.StatusDeleted, CreatedAt: testNow.AddDate(0, -2, 0)},
		{ID: 103, Title: "Quote", Kind: "deal", IsOpen: true, OwnerID: 11, OwnerName: "Finn Garcia",
			OwnerUserStatus: models.StatusInactive, OwnerDeletionDueAt: ptr(testNow.AddDate(0, 0, 20)), CreatedAt: testNow},
	}
}

func recordsView(rows []models.RecordRow) views.RecordListView {
	return views.RecordListView{Chrome: adminChrome("Records", views.SectionRecords),
		State: views.RecordListState{Sort: "title", Dir: "asc"}, Page: &models.RecordListPage{Rows: rows, Count: models.TabCount{N: int64(len(rows))}, NextCursor: "abc"},
		CanManage: true}
}

func TestRecordsPageShowsOwnersOfEveryStatus(t *testing.T) {
	doc := render(t, views.RecordsPage(recordsView(recordRows())))
	rows := byTestID(doc, "record-row")
	if rows.Length() != 3 {
		t.Fatalf("%d rows, want 3", rows.Length())
	}
	var statuses, owners []string
	byTestID(rows, "record-owner-status").Each(func(_ int, s *goquery.Selection) { statuses = append(statuses, s.Text()) })
	byTestID(rows, "record-owner").Each(func(_ int, s *goquery.Selection) { owners = append(owners, strings.TrimSpace(s.Find("a").Text())) })
	if strings.Join(statuses, "|") != "Active|Deleted user|Scheduled for deletion" {
		t.Fatalf("owner statuses %q", statuses)
	}
	if owners[1] != "(deleted user) #9" {
		t.Fatalf("an anonymised owner shows as %q", owners[1])
	}
	handover := byTestID(rows.First(), "record-handover").Text()
	if !strings.Contains(handover, "8 Mar 2026") || !strings.Contains(handover, "from (deleted user) #9") {
		t.Fatalf("last hand-over %q", handover)
	}
	if strings.Contains(renderHTML(t, views.RecordsPage(recordsView(recordRows()))), "<script>x") {
		t.Fatal("a title must be escaped")
	}
	if href, _ := byTestID(doc, "records-next").Attr("href"); href != "/settings/records?after=abc" {
		t.Fatalf("next page %q", href)
	}
	if byTestID(doc, "records-handover").Length() != 1 || byTestID(doc, "records-select-all").Length() != 1 {
		t.Fatal("a manager gets selection and Hand over")
	}
}

func TestRecordsPageWithoutManageRightsOffersNoHandover(t *testing.T) {
	v := recordsView(recordRows())
	v.CanManage = false
	doc := render(t, views.RecordsPage(v))
	if byTestID(doc, "records-handover").Length() != 0 || doc.Find(`input[name="ids"]`).Length() != 0 {
		t.Fatal("read-only viewers get no selection")
	}
}

func TestRecordsPageEmptyAndFiltered(t *testing.T) {
	v := recordsView(nil)
	v.State.Kind = "deal"
	doc := render(t, views.RecordListFragment(v))
	if byTestID(doc, "records-empty").Length() != 1 || !strings.Contains(byTestID(doc, "record-summary").Text(), "match these filters") {
		t.Fatalf("empty filtered list: %q", byTestID(doc, "record-summary").Text())
	}
}

func TestRecordHandoverFormShowsFieldErrors(t *testing.T) {
	v := views.RecordHandoverView{Chrome: adminChrome("Hand over records", views.SectionRecords), IDs: "1,2", Selected: 2,
		Recipients: []models.Recipient{{ID: 5, Name: "Rita Receiver", Email: "rita@example.com"}},
		Form:       views.RecordHandoverForm{Mode: "kind", ByKind: map[string]string{"deal": "5"}},
		Errors:     map[string]string{"records_to": "Choose an active user who is staying."}}
	doc := render(t, views.RecordHandoverPage(v))
	if !strings.Contains(doc.Find(".has-error").First().Text(), "Choose an active user") {
		t.Fatal("the recipient's error must show beside the field")
	}
	if sel, _ := doc.Find(`#records_to_deal option[selected]`).Attr("value"); sel != "5" {
		t.Fatalf("the per-kind choice is kept: %q", sel)
	}
}

func TestProfileRecordCountsLinkToTheRecordsPage(t *testing.T) {
	p := profileOf(models.StatusInactive)
	doc := render(t, views.ProfilePage(profileView(p)))
	total, _ := byTestID(doc, "profile-records-link").Attr("href")
	if total != "/settings/records?owner="+strconv.FormatInt(p.User.ID, 10) {
		t.Fatalf("total links to %q", total)
	}
	kind, _ := byTestID(doc, "profile-records-kind-link").First().Attr("href")
	if kind != "/settings/records?kind=deal&owner="+strconv.FormatInt(p.User.ID, 10) {
		t.Fatalf("per kind links to %q", kind)
	}
}

func TestHandoverUndoPageListsWhatGoesBackAndWhatStays(t *testing.T) {
	undo := &models.HandoverUndo{EventID: 42, Action: models.AuditUserDeactivated, At: testNow, Deadline: testNow.AddDate(0, 0, 30),
		Records: []models.UndoItem{{ID: 1, Label: "Renewal — Acme", Kind: "deal", CurrentName: "Rita Receiver", PreviousName: "Lea Leaver"}},
		Groups:  []models.UndoItem{{ID: 2, Label: "Sales", Kind: "group", CurrentName: "Rita Receiver", PreviousName: "Lea Leaver"}},
		MovedOn: []models.UndoItem{{ID: 3, Label: "Pilot — Globex", Kind: "deal", CurrentName: "Otto Other"}}}
	doc := render(t, views.HandoverUndoPage(views.HandoverUndoView{Chrome: adminChrome("Undo hand-over", views.SectionAudit), Undo: undo}))
	if n := byTestID(doc, "undo-back-row").Length(); n != 2 {
		t.Fatalf("%d rows go back, want 2", n)
	}
	if stays := byTestID(doc, "undo-stays-row").Text(); !strings.Contains(stays, "Pilot — Globex") || !strings.Contains(stays, "Otto Other") {
		t.Fatalf("stays: %q", stays)
	}
	if action, _ := byTestID(doc, "undo-form").Attr("action"); action != "/settings/records/undo/42" {
		t.Fatalf("form posts to %q", action)
	}
	undo.Records, undo.Groups = nil, nil
	empty := render(t, views.HandoverUndoPage(views.HandoverUndoView{Chrome: adminChrome("Undo hand-over", views.SectionAudit), Undo: undo}))
	if byTestID(empty, "undo-form").Length() != 0 || byTestID(empty, "undo-nothing").Length() != 1 {
		t.Fatal("with nothing to give back there is no button")
	}
}
