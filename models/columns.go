package models

import (
	"strings"
	"sync"

	"gorm.io/gorm/schema"
)

// schemas caches the parsed models that columnsOf lists.
var schemas sync.Map

// columnsOf is the select list of every column of model, read from table alias and named
// prefix+column, for a statement that loads several rows joined into one: a struct that embeds
// model with `gorm:"embedded;embeddedPrefix:<prefix>"` receives them. The list comes from the
// model's parsed schema, so a column added to the struct later is loaded without touching the
// statement.
func columnsOf(model any, alias, prefix string) string {
	sch, err := schema.Parse(model, &schemas, schema.NamingStrategy{})
	if err != nil {
		panic(err) // the models are fixed at compile time; a model GORM cannot parse is a bug
	}
	var b strings.Builder
	for _, f := range sch.Fields {
		if !storedColumn(f) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + f.DBName + " AS " + prefix + f.DBName)
	}
	return b.String()
}

// storedColumn tells whether a model field is a column of its table. Read-only fields
// (`gorm:"->"`) are filled from elsewhere, if at all, such as an audit event's address.
func storedColumn(f *schema.Field) bool {
	return f.DBName != "" && (f.Creatable || f.Updatable)
}
