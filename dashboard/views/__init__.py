"""Pure views: validated parameters or query frames in, plain data and sentences out (no
HTML, no Dash, no Flask, no database)."""
