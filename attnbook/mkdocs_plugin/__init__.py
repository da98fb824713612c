"""The book's build: one MkDocs plugin, ``attnbook`` (``plugin.BookPlugin``).

Not part of attnbook's teaching API (nothing here is re-exported by ``attnbook``); it needs
the ``docs`` extra. ``plugin`` lists the events and hands each to the module that holds
the work: ``blocks`` (the one parser of executed blocks), ``examples`` (running them),
``mathml`` (the one typesetter), ``notebooks``, ``notebook_pages``, ``editions`` and
``serve``; ``compat`` holds every use of another package's internals.
"""

__all__: list[str] = []
