"""Web forms: thin adapters that turn input into service arguments and service errors into form errors."""
