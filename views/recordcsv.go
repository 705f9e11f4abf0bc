package views

import (
	"strconv"

	"roster/models"
)

// RecordCSVHeader is the first row of an export of the records page.
func RecordCSVHeader() []string {
	return []string{"ID", "Title", "Kind", "State", "Owner ID", "Owner", "Owner status", "Last hand-over (UTC)", "Handed over from"}
}

// RecordCSVRecord is one record's row in an export, every cell safe to open in a spreadsheet.
func RecordCSVRecord(r models.RecordRow) []string {
	record := []string{strconv.FormatInt(r.ID, 10), r.Title, r.Kind, recordState(r.IsOpen), strconv.FormatInt(r.OwnerID, 10),
		r.OwnerLabel(), r.OwnerStatus().Label(), csvTime(r.HandedOverAt), r.FromLabel()}
	for i, cell := range record {
		record[i] = csvCell(cell)
	}
	return record
}
