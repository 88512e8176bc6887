"""Pure analytics over numpy arrays: no AWS, no files, no clock."""
