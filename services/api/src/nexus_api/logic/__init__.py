"""Pure, typed logic of the API: no boto3, no event shapes."""
