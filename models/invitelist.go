package models

import (
	"encoding/csv"
	"encoding/json"
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
	// Where says where in an uploaded file the line came from ("Line 4, column “email”"), so
	// that a problem can be found and fixed there; empty for pasted addresses.
	Where string
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
	records, positions, err := readInviteCSV(r)
	if err != nil {
		return nil, err
	}
	columns, headed, err := inviteCSVColumns(records)
	if err != nil {
		return nil, err
	}
	if headed {
		records, positions = records[1:], positions[1:]
	}
	var lines []InviteLine
	for i, rec := range records {
		if len(rec) <= columns.email || strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		lines = append(lines, columns.line(rec, positions[i]))
	}
	return lines, nil
}

// readInviteCSV reads the records of an uploaded CSV, with each record's line in the file for
// messages that point at it: quoted fields may span lines.
func readInviteCSV(r io.Reader) ([][]string, []int, error) {
	reader := csv.NewReader(io.LimitReader(r, 1<<20))
	reader.FieldsPerRecord = -1
	reader.TrimLeadingSpace = true
	var records [][]string
	var positions []int
	for {
		rec, err := reader.Read()
		if err == io.EOF {
			return records, positions, nil
		}
		if err != nil {
			var parseErr *csv.ParseError
			if errors.As(err, &parseErr) {
				return nil, nil, FieldErrors{"csv": "The file is not valid CSV (line " + itoa(parseErr.Line) + ", column " + itoa(parseErr.Column) + ")."}
			}
			return nil, nil, err
		}
		line, _ := reader.FieldPos(0)
		records, positions = append(records, rec), append(positions, line)
	}
}

// inviteColumns are where an uploaded CSV keeps the address and the name, and how messages name
// those columns: by their header, or by number.
type inviteColumns struct {
	email, name           int
	emailLabel, nameLabel string
	firstRowLength        int
}

// inviteCSVColumns finds the columns from the first record; headed says it is a header row.
func inviteCSVColumns(records [][]string) (inviteColumns, bool, error) {
	c := inviteColumns{email: 0, name: 1, emailLabel: "1", nameLabel: "2"}
	if len(records) == 0 {
		return c, false, nil
	}
	header := records[0]
	c.firstRowLength = len(header)
	headed := false
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "email", "e-mail", "email address", "e-mail address":
			c.email, headed = i, true
		case "name", "full name":
			c.name = i
		}
	}
	if !headed {
		if ValidateEmail(strings.TrimPrefix(header[0], "\ufeff")) != "" && len(records) > 1 {
			return c, false, FieldErrors{"csv": "Name the address column \"email\" in the first row, or put addresses in the first column."}
		}
		return c, false, nil
	}
	c.emailLabel = "“" + truncate(strings.TrimSpace(cleanText(strings.TrimPrefix(header[c.email], "\ufeff"))), 40) + "”"
	if c.name < len(header) {
		c.nameLabel = "“" + truncate(strings.TrimSpace(cleanText(header[c.name])), 40) + "”"
	}
	return c, true, nil
}

// line reads one record, at line position of the file, into an invitation line that points at
// the column its problem is in.
func (c inviteColumns) line(rec []string, position int) InviteLine {
	line := parseAddress(cleanText(rec[c.email]))
	if c.name != c.email && c.name < len(rec) && line.Name == "" {
		line.Name = strings.TrimSpace(cleanText(rec[c.name]))
	}
	line.Where = "Line " + itoa(position) + ", column " + c.emailLabel
	if strings.HasPrefix(line.Problem, "Name:") && c.name < c.firstRowLength {
		line.Where = "Line " + itoa(position) + ", column " + c.nameLabel
	}
	return line
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

// previewLine is one line of an uploaded list as the preview form carries it between requests.
type previewLine struct {
	Input string `json:"i"`
	Name  string `json:"n,omitempty"`
	Where string `json:"w,omitempty"`
}

// EncodeInvitePreview packs an uploaded list's lines into a form field, so that the admin can
// invite its valid lines after seeing the preview without uploading the file again.
func EncodeInvitePreview(lines []InviteLine) string {
	packed := make([]previewLine, len(lines))
	for i, l := range lines {
		packed[i] = previewLine{Input: l.Input, Name: l.Name, Where: l.Where}
	}
	encoded, _ := json.Marshal(packed)
	return string(encoded)
}

// DecodeInvitePreview reads the lines EncodeInvitePreview packed. Every line is parsed and
// checked again, as a form field can hold anything; a field that is not such a list is
// FieldErrors for "csv".
func DecodeInvitePreview(field string) ([]InviteLine, error) {
	var packed []previewLine
	if len(field) > 2<<20 || json.Unmarshal([]byte(field), &packed) != nil || len(packed) > MaxInvitesPerRequest {
		return nil, FieldErrors{"csv": "The uploaded list could not be read back: upload the file again."}
	}
	lines := make([]InviteLine, 0, len(packed))
	for _, p := range packed {
		line := parseAddress(cleanText(p.Input))
		if line.Name == "" {
			line.Name = strings.TrimSpace(cleanText(p.Name))
			if msg := validateName(line.Name); line.Name != "" && msg != "" && line.Problem == "" {
				line.Problem = "Name: " + msg
			}
		}
		line.Where = truncate(cleanText(p.Where), 80)
		lines = append(lines, line)
	}
	return lines, nil
}
