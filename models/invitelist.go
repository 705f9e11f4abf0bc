package models

import (
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"strings"
)

// InviteLine is one person in an invitation request, as the admin typed or uploaded it, with what
// is wrong with it ("" when nothing is).
type InviteLine struct {
	Input   string
	Email   string
	Name    string
	Problem string
}

// MaxInvitesPerRequest bounds one request, so that a pasted directory cannot tie up the server.
const MaxInvitesPerRequest = 500

// ParseInviteList reads a pasted list: addresses separated by commas, semicolons, spaces or new
// lines, each optionally in the form `Ada Lovelace <ada@example.com>`.
func ParseInviteList(text string) []InviteLine {
	text = cleanTextKeepNewlines(text)
	var lines []InviteLine
	for _, row := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' || r == ',' }) {
		row = strings.TrimSpace(row)
		if row == "" {
			continue
		}
		if strings.Contains(row, "<") {
			lines = append(lines, parseAddress(row))
			continue
		}
		for _, word := range strings.Fields(row) {
			lines = append(lines, parseAddress(word))
		}
	}
	return lines
}

// ParseInviteCSV reads an uploaded CSV: a header row naming an "email" (or "e-mail") column and
// optionally a "name" column, or no header and the address in the first column, the name in the
// second.
func ParseInviteCSV(r io.Reader) ([]InviteLine, error) {
	reader := csv.NewReader(io.LimitReader(r, 1<<20))
	reader.FieldsPerRecord = -1
	reader.TrimLeadingSpace = true
	records, err := reader.ReadAll()
	if err != nil {
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			return nil, FieldErrors{"csv": "The file is not valid CSV (line " + itoa(parseErr.Line) + ")."}
		}
		return nil, err
	}
	emailColumn, nameColumn := 0, 1
	if len(records) > 0 {
		header := records[0]
		headed := false
		for i, h := range header {
			switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
			case "email", "e-mail", "email address", "e-mail address":
				emailColumn, headed = i, true
			case "name", "full name":
				nameColumn = i
			}
		}
		if headed {
			records = records[1:]
		} else if ValidateEmail(strings.TrimPrefix(header[0], "\ufeff")) != "" && len(records) > 1 {
			return nil, FieldErrors{"csv": "Name the address column \"email\" in the first row, or put addresses in the first column."}
		}
	}
	var lines []InviteLine
	for _, rec := range records {
		if len(rec) <= emailColumn || strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		line := parseAddress(cleanText(rec[emailColumn]))
		if nameColumn != emailColumn && nameColumn < len(rec) && line.Name == "" {
			line.Name = strings.TrimSpace(cleanText(rec[nameColumn]))
		}
		lines = append(lines, line)
	}
	return lines, nil
}

func parseAddress(input string) InviteLine {
	input = strings.TrimSpace(input)
	line := InviteLine{Input: input}
	if parsed, err := mail.ParseAddress(input); err == nil && strings.Contains(input, "<") {
		line.Email, line.Name = NormalizeEmail(parsed.Address), strings.TrimSpace(parsed.Name)
	} else {
		line.Email = NormalizeEmail(strings.Trim(input, "<>\"'"))
	}
	if msg := ValidateEmail(line.Email); msg != "" {
		line.Problem = "Not an e-mail address."
	} else if msg := validateName(line.Name); line.Name != "" && msg != "" {
		line.Problem = "Name: " + msg
	}
	return line
}

func cleanTextKeepNewlines(s string) string {
	parts := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, p := range parts {
		parts[i] = cleanText(strings.ReplaceAll(p, "\t", " "))
	}
	return strings.Join(parts, "\n")
}
