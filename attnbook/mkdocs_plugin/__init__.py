"""The book's build: what ``mkdocs.yml`` needs beyond the themes and plugins it names.

Not part of attnbook's teaching API (nothing here is re-exported by ``attnbook``); it needs
the ``docs`` extra (MkDocs, markdown-exec, latex2mathml). ``blocks`` is the one parser of
a chapter's executed examples; ``mathml`` the one LaTeX typesetter.
"""

__all__: list[str] = []
