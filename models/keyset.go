package models

import "slices"

// keysetStart is where a page read by keyset starts: after the cursor after, before the cursor
// before (read backwards), or at the beginning.
type keysetStart struct {
	from      *listCursor
	backwards bool
}

func keysetStartOf(after, before string) keysetStart {
	if c, ok := decodeCursor(after); ok {
		return keysetStart{from: &c}
	}
	if c, ok := decodeCursor(before); ok {
		return keysetStart{from: &c, backwards: true}
	}
	return keysetStart{}
}

// direction is the comparison with the cursor and the order the page is read in: paging
// backwards reads the index in the opposite direction.
func (k keysetStart) direction() (op, order string) {
	if k.backwards {
		return "<", "DESC"
	}
	return ">", "ASC"
}

// keysetPage cuts rows, read with one more than size, to the page in display order, and says
// whether more rows follow in the direction read.
func keysetPage[T any](rows []T, size int, backwards bool) ([]T, bool) {
	hasMore := len(rows) > size
	if hasMore {
		rows = rows[:size]
	}
	if backwards {
		slices.Reverse(rows)
	}
	return rows, hasMore
}

// keysetCursors are the cursors of the pages after and before rows: a next page when more
// follow or the page was read backwards, a previous one when more precede it or it was reached
// going forwards from another page (cameForwards).
func keysetCursors[T any](rows []T, hasMore, backwards, cameForwards bool, cursor func(T) string) (next, prev string) {
	if len(rows) == 0 {
		return "", ""
	}
	if hasMore || backwards {
		next = cursor(rows[len(rows)-1])
	}
	if (backwards && hasMore) || (!backwards && cameForwards) {
		prev = cursor(rows[0])
	}
	return next, prev
}
