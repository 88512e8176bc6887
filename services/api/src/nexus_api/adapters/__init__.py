"""The only code of the API that touches AWS, behind the `ApiRepository` protocol."""
