"""The Dash app: pages, components, figures, downloads, settings and security hooks."""
