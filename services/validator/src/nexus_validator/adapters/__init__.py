"""The validator's only AWS-touching code: lake history, quarantine, claim checks, publishing."""
