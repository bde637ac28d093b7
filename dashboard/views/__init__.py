"""Pure views: validated parameters in, plain data out (no HTML, no Dash, no Flask)."""
