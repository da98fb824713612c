"""Every use of another package's internals by the book's build, one module per package.

Each module names the package, the version pinned in ``.ci/constraints.txt`` and the
internals it uses, and has a ``check()`` that reports, by name, an internal that moved;
``tests/test_compat.py`` runs them. Nothing outside this folder imports a private name of
another package or assigns to another package's attributes.
"""

from __future__ import annotations

from importlib.metadata import version

__all__ = ["Contract"]


class Contract:
    """The internals of one upstream package that the build relies on.

    Args:
        package: The distribution's name, as pinned in ``.ci/constraints.txt``.
        pinned: The pinned version.
        internals: Dotted names (``module:attribute.path``) that must resolve. A part
            ending in ``()`` is called with no arguments, so that ``Class().attribute``
            names an attribute every instance has.
    """

    def __init__(self, package: str, pinned: str, internals: tuple[str, ...]) -> None:
        """Record what the build needs of ``package``."""
        self.package = package
        self.pinned = pinned
        self.internals = internals

    def check(self) -> list[str]:
        """What moved: one message per internal that no longer resolves.

        Returns:
            Messages naming the package, the pinned and installed versions and the
            internal; empty when every internal is where the build expects it.
        """
        import importlib

        installed = version(self.package)
        problems = []
        for internal in self.internals:
            module_name, _, attributes = internal.partition(":")
            try:
                found: object = importlib.import_module(module_name)
                for attribute in filter(None, attributes.split(".")):
                    made = attribute.endswith("()")
                    found = getattr(found, attribute.removesuffix("()"))
                    if made:
                        found = found()  # type: ignore[operator]
            except (ImportError, AttributeError) as error:
                problems.append(
                    f"{self.package} (pinned {self.pinned}, installed {installed}): "
                    f"the internal {internal} moved ({error}); update "
                    f"attnbook/mkdocs_plugin/compat/ for the new version"
                )
        return problems
