// The language selector leads to the page being read, in the other edition.
//
// Each page is built with selector links to its own counterparts, but instant navigation
// swaps the article and not the header: after the first click inside the site the links
// would still lead to the first page's counterparts. Every page exists in both editions
// at the same path below the edition's root (tests/test_editions.py checks it), so the
// roots are read off the links once and the links follow the reader from page to page.
// Switching edition is a full page load (target="_self": instant navigation leaves such
// links alone), so the header, the search index and <html lang> are the new edition's.
(() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base, location.href).pathname.replace(/\/?$/, "/");
  const pageIn = (path) => (path.startsWith(base) ? path.slice(base.length) : "");
  const firstPage = pageIn(location.pathname);
  const links = [...document.querySelectorAll("a.md-select__link[hreflang]")];
  const roots = new Map(
    links.map((link) => {
      const path = new URL(link.href).pathname;
      const root = path.endsWith(firstPage) ? path.slice(0, path.length - firstPage.length) : path;
      return [link, root];
    }),
  );
  const follow = () => {
    const page = pageIn(location.pathname);
    for (const [link, root] of roots) {
      link.href = root + page;
      link.target = "_self";
    }
  };
  follow();
  if (typeof document$ !== "undefined") document$.subscribe(follow);
})();
