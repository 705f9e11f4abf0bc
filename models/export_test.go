package models

// SetCountLimits lowers the filtered-count limits so that tests reach both counting paths with
// small accounts; it returns a function that restores them.
func SetCountLimits(scan int, filtered int64) (restore func()) {
	oldScan, oldFiltered := countScanLimit, FilteredCountLimit
	countScanLimit, FilteredCountLimit = scan, filtered
	return func() { countScanLimit, FilteredCountLimit = oldScan, oldFiltered }
}

// PasswordChecks is how many passwords were compared since the process started.
func PasswordChecks() int64 { return passwordChecks.Load() }

// TrackPasswordWork starts measuring how many password hashes run at once; the function it
// returns reports the most seen since.
func TrackPasswordWork() (peak func() int64) {
	passwordWorkPeak.Store(passwordWorkRunning.Load())
	return passwordWorkPeak.Load
}
