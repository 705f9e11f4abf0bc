package models

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// scanRows reads rows, already advanced to their first row, into dest: a pointer to a struct,
// which takes that row, or to a slice of structs, which takes every row. Columns map to fields
// as GORM maps them (column names, embedded prefixes); a column no field takes is skipped, and
// NULL leaves a field at its zero value.
//
// It does what gorm's ScanRows does for the statements that run on every page view, at a
// fraction of the cost: the column-to-field plan is made once per struct type and column list,
// and each value is set through that plan instead of GORM's per-row reflection and copying.
func scanRows(rows *sql.Rows, dest any) error {
	target := reflect.ValueOf(dest)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return fmt.Errorf("scan rows into %T: want a pointer", dest)
	}
	target = target.Elem()
	one := target.Kind() == reflect.Struct
	rowType := target.Type()
	if !one {
		if target.Kind() != reflect.Slice || rowType.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("scan rows into %T: want a struct or a slice of structs", dest)
		}
		rowType = rowType.Elem()
	}
	columns, err := rows.Columns()
	if err != nil {
		return err
	}
	plan, err := scanPlanFor(rowType, columns)
	if err != nil {
		return err
	}
	setters := make([]fieldSetter, len(columns))
	into := make([]any, len(columns))
	for i := range setters {
		into[i] = &setters[i]
	}
	readRow := func(row reflect.Value) error {
		for i, path := range plan {
			setters[i].field = reflect.Value{}
			if path != nil {
				setters[i].field = row.FieldByIndex(path)
			}
		}
		return rows.Scan(into...)
	}
	if one {
		return readRow(target)
	}
	for {
		target.Set(reflect.Append(target, reflect.Zero(rowType)))
		if err := readRow(target.Index(target.Len() - 1)); err != nil {
			return err
		}
		if !rows.Next() {
			return nil
		}
	}
}

// scanPlan is, for each column of a statement, the index path of the field that takes it, or
// nil.
type scanPlan [][]int

type scanPlanKey struct {
	rowType reflect.Type
	columns string
}

var scanPlans sync.Map // scanPlanKey → scanPlan

func scanPlanFor(rowType reflect.Type, columns []string) (scanPlan, error) {
	key := scanPlanKey{rowType, strings.Join(columns, ",")}
	if plan, ok := scanPlans.Load(key); ok {
		return plan.(scanPlan), nil
	}
	parsed := parsedSchema(reflect.New(rowType).Interface())
	plan := make(scanPlan, len(columns))
	for i, column := range columns {
		field := parsed.LookUpField(column)
		if field == nil || !field.Readable {
			continue
		}
		if slices.ContainsFunc(field.StructField.Index, func(i int) bool { return i < 0 }) {
			return nil, fmt.Errorf("scan rows into %s: %s is in an embedded pointer", rowType, field.Name)
		}
		plan[i] = field.StructField.Index
	}
	scanPlans.Store(key, plan)
	return plan, nil
}

// fieldSetter is the sql.Scanner that puts one column's value into its field.
type fieldSetter struct{ field reflect.Value }

func (s *fieldSetter) Scan(src any) error {
	field := s.field
	if !field.IsValid() {
		return nil
	}
	if src == nil {
		field.SetZero()
		return nil
	}
	return throughPointer(field, src, setValue)
}

// throughPointer sets value into field with set, first allocating what field points to when
// it is a pointer.
func throughPointer(field reflect.Value, value any, set func(reflect.Value, any) error) error {
	if field.Kind() != reflect.Pointer {
		return set(field, value)
	}
	elem := reflect.New(field.Type().Elem())
	if err := set(elem.Elem(), value); err != nil {
		return err
	}
	field.Set(elem)
	return nil
}

// setValue sets field to src, a value as the PostgreSQL driver hands it over.
func setValue(field reflect.Value, src any) error {
	switch v := src.(type) {
	case int64:
		switch field.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			field.SetInt(v)
			return nil
		case reflect.Bool:
			field.SetBool(v != 0)
			return nil
		}
	case string:
		if field.Kind() == reflect.String {
			field.SetString(v)
			return nil
		}
	case []byte:
		if field.Kind() == reflect.String {
			field.SetString(string(v))
			return nil
		}
	case bool:
		if field.Kind() == reflect.Bool {
			field.SetBool(v)
			return nil
		}
	case float64:
		if field.Kind() == reflect.Float64 || field.Kind() == reflect.Float32 {
			field.SetFloat(v)
			return nil
		}
	case time.Time:
		switch {
		case field.Type() == timeType:
			field.Set(reflect.ValueOf(v))
			return nil
		case field.Kind() == reflect.String:
			field.SetString(v.UTC().Format(time.RFC3339Nano))
			return nil
		}
	}
	return fmt.Errorf("cannot read a %T into a field of type %s", src, field.Type())
}
