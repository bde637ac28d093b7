"""Pure view functions: query frames in, the frames and sentences a page shows out (no HTML,
no database), so a page and its tests share one reading of the numbers."""
