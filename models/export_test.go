package models

// SetCountLimits lowers the filtered-count limits so that tests reach both counting paths with
// small accounts; it returns a function that restores them.
func SetCountLimits(scan int, filtered int64) (restore func()) {
	oldScan, oldFiltered := countScanLimit, FilteredCountLimit
	countScanLimit, FilteredCountLimit = scan, filtered
	return func() { countScanLimit, FilteredCountLimit = oldScan, oldFiltered }
}
