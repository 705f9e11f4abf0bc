package views

// Flash is a message shown once after an action: what happened, naming the people, and where to
// go on from there. Names and links are data, escaped like any other text when rendered.
type Flash struct {
	Text  string
	Links []FlashLink
}

// FlashLink is a way on from a message: a link, or with Action a button that posts that bulk
// action for ID, as the Actions menu would.
type FlashLink struct {
	Label  string
	Href   string
	Action string
	ID     int64
}

// TextFlashes turns plain messages into flashes without links.
func TextFlashes(texts []string) []Flash {
	flashes := make([]Flash, len(texts))
	for i, t := range texts {
		flashes[i] = Flash{Text: t}
	}
	return flashes
}
