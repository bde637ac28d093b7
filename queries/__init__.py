"""Named SQL queries over the warehouse and the one runner that binds their parameters."""
