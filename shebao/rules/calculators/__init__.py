"""Pure calculators: inputs and parameter values in, a result and its trace out. No ORM."""
