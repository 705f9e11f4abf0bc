package views

// avatarClass is the style class of an avatar of size ("" for the default).
func avatarClass(size string) string {
	if size == "" {
		return "avatar"
	}
	return "avatar avatar-" + size
}

// avatarPixels is the width and height an avatar of size takes on the page, given on the image
// so the layout does not move while it loads.
func avatarPixels(size string) string {
	switch size {
	case "sm":
		return "28"
	case "lg":
		return "56"
	}
	return "32"
}
