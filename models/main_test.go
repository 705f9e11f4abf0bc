package models_test

import (
	"os"
	"testing"

	"roster/models/modelstest"
)

func TestMain(m *testing.M) { os.Exit(modelstest.Main(m)) }
