"""The audit of corrections: who changed what in an article, a caption, a source or a region
tag, when, and the values before and after. See ``audit.models.Correction``."""
