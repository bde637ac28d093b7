"""The only code that writes: schema, source adapters, demo generator, build and publish."""
