package models

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm/schema"
)

// A page that shows several short lists (a profile: groups, activity, hand-overs) reads them
// as columns of one statement, each list one JSON array of objects keyed by column name. The
// objects' keys come from the models' parsed schemas, so a column added to a model later is read
// without touching the statement.

// jsonColumn is one key of a JSON object and the SQL that computes its value.
type jsonColumn struct{ key, expr string }

// jsonColumnsOf is every column of model, read from table alias, keyed by its column name.
func jsonColumnsOf(model any, alias string) []jsonColumn {
	var columns []jsonColumn
	for _, f := range parsedSchema(model).Fields {
		if storedColumn(f) {
			columns = append(columns, jsonColumn{f.DBName, alias + "." + f.DBName})
		}
	}
	return columns
}

func parsedSchema(model any) *schema.Schema {
	sch, err := schema.Parse(model, &schemas, schema.NamingStrategy{})
	if err != nil {
		panic(err) // the models are fixed at compile time; a model GORM cannot parse is a bug
	}
	return sch
}

// jsonObject is the SQL that builds one JSON object of columns.
func (s *Store) jsonObject(columns []jsonColumn) string {
	var b strings.Builder
	if s.IsPostgres() {
		b.WriteString("json_build_object(")
	} else {
		b.WriteString("json_object(")
	}
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + c.key + "', " + c.expr)
	}
	b.WriteString(")")
	return b.String()
}

// jsonList is a scalar subquery: the objects of columns over the rows of from (FROM, joins,
// WHERE), in order (an ORDER BY list over columns of from), at most limit of them (0: all), as
// one JSON array.
func (s *Store) jsonList(columns []jsonColumn, from, order string, limit int) string {
	limitSQL := ""
	if limit > 0 {
		limitSQL = fmt.Sprintf(" LIMIT %d", limit)
	}
	// The aggregate keeps the order of the rows it is fed on both databases; PostgreSQL is told
	// so explicitly, over the order keys carried alongside each object.
	var keys, outer []string
	for i, part := range strings.Split(order, ",") {
		part = strings.TrimSpace(part)
		expr, dir, _ := strings.Cut(part, " ")
		keys = append(keys, fmt.Sprintf("%s AS o%d", expr, i))
		outer = append(outer, strings.TrimSpace(fmt.Sprintf("x.o%d %s", i, dir)))
	}
	inner := "SELECT " + s.jsonObject(columns) + " AS j, " + strings.Join(keys, ", ") + " FROM " + from + " ORDER BY " + order + limitSQL
	if s.IsPostgres() {
		return "(SELECT coalesce(json_agg(x.j ORDER BY " + strings.Join(outer, ", ") + "), '[]') FROM (" + inner + ") x)"
	}
	return "(SELECT coalesce(json_group_array(json(x.j)), '[]') FROM (" + inner + ") x)"
}

// decodeJSONList fills dest, a pointer to a slice of structs, from a JSON array that jsonList
// built, setting each key into the field of that column name.
func decodeJSONList(ctx context.Context, list string, dest any) error {
	slice := reflect.ValueOf(dest).Elem()
	sch := parsedSchema(reflect.New(slice.Type().Elem()).Interface())
	dec := json.NewDecoder(strings.NewReader(list))
	dec.UseNumber()
	var objects []map[string]any
	if err := dec.Decode(&objects); err != nil {
		return err
	}
	for _, object := range objects {
		row := reflect.New(slice.Type().Elem()).Elem()
		for key, value := range object {
			field := sch.LookUpField(key)
			if field == nil || value == nil {
				continue
			}
			if err := setJSONValue(field.ReflectValueOf(ctx, row), value); err != nil {
				return fmt.Errorf("column %s: %w", key, err)
			}
		}
		slice.Set(reflect.Append(slice, row))
	}
	return nil
}

// jsonTimeLayouts are how the databases write times in JSON: PostgreSQL in ISO 8601 with an
// offset, SQLite as the text it stores.
var jsonTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

var timeType = reflect.TypeFor[time.Time]()

// setJSONValue sets a decoded JSON value into a field of a basic kind, a time, or a pointer to
// one of them.
func setJSONValue(field reflect.Value, value any) error {
	return throughPointer(field, value, setJSONScalar)
}

func setJSONScalar(field reflect.Value, value any) error {
	if field.Type() == timeType {
		text, _ := value.(string)
		for _, layout := range jsonTimeLayouts {
			if t, err := time.ParseInLocation(layout, strings.TrimSuffix(text, "Z"), time.UTC); err == nil {
				field.Set(reflect.ValueOf(t.UTC()))
				return nil
			}
			if t, err := time.Parse(layout, text); err == nil {
				field.Set(reflect.ValueOf(t.UTC()))
				return nil
			}
		}
		return fmt.Errorf("unreadable time %q", text)
	}
	switch v := value.(type) {
	case string:
		if field.Kind() == reflect.String {
			field.SetString(v)
			return nil
		}
		if field.Type() == reflect.TypeFor[[]byte]() {
			field.SetBytes(bytes.Clone([]byte(v)))
			return nil
		}
	case bool:
		if field.Kind() == reflect.Bool {
			field.SetBool(v)
			return nil
		}
	case json.Number:
		switch field.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := v.Int64()
			field.SetInt(n)
			return err
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			n, err := v.Int64()
			field.SetUint(uint64(n))
			return err
		case reflect.Float32, reflect.Float64:
			f, err := v.Float64()
			field.SetFloat(f)
			return err
		case reflect.Bool:
			field.SetBool(v.String() != "0")
			return nil
		}
	}
	return fmt.Errorf("cannot set %T into %s", value, field.Type())
}
