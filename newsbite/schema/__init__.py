"""The item JSON Schema as package data (a regular package: zipimport, which loads an egg,
cannot import namespace packages)."""
