"""The options of the book's plugin, as ``mkdocs.yml`` gives them under ``plugins: attnbook``."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

__all__ = ["BookConfig", "EditionTexts"]


class EditionTexts(base.Config):
    """What the build writes in one edition's language."""

    notebook_link = c.Type(str)
    """The text of the link, under a page's title, that downloads its notebook."""
    notebook_credit = c.Type(str)
    """A chapter notebook's first cell: ``{title}``, ``{url}`` (the chapter's page) and
    ``{home}`` (the home page) are filled in."""
    figure_alt = c.Type(str)
    """The alt text of a figure in a notebook page's output."""
    permalink_title = c.Type(str)
    """The tooltip of a heading's ¶ link (``toc``'s ``permalink_title``)."""
    footnote_backlink = c.Type(str)
    """The tooltip of a footnote's link back to the text; ``{}`` is the footnote's number
    (``footnotes``' ``BACKLINK_TITLE``)."""


class BookConfig(base.Config):
    """The book's build options."""

    editions = c.DictOfItems(c.SubConfig(EditionTexts))
    """Per edition, by its language (``theme.language``, e.g. ``zh``, ``en``): its texts."""
    cell_timeout = c.Type(int, default=300)
    """Seconds a notebook page's cell may run: a hanging cell fails the build."""
    cache = c.Type(bool, default=True)
    """Reuse outputs of examples and notebook pages from the on-disk cache (``cache.py``);
    the environment variable ``ATTNBOOK_NO_CACHE=1`` turns it off too."""
    cache_dir = c.Type(str, default=".cache/attnbook")
    """The cache's folder, relative to ``mkdocs.yml`` (git-ignored; deleting it is safe)."""
