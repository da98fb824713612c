// attnbook's interactive views: chapter heatmaps, the attention view and the pooling
// explorable. Progressive enhancement: without this script every figure is still its
// static SVG (cells with hover titles) and every view says it needs JavaScript.
//
// One file serves the site (mkdocs.yml extra_javascript, once per page) and Jupyter
// (attnbook inlines it into each output). Running it twice is harmless: the second copy
// only scans for new figures. It reads everything it needs from the page: heatmap cells
// from the SVG that attnbook.to_svg writes, views from their JSON (data-spec).
(() => {
  "use strict";
  if (window.attnbookViews) {
    window.attnbookViews.scan();
    return;
  }
  const WORDS = {
    en: {
      query: "Query", key: "Key", weight: "Weight", is: ": ", layer: "Layer", head: "Head",
      back: "Back to all heads", hint: "Hover or tap a cell, or focus the figure and use the arrow keys.",
      grid: "Model view: layers × heads. Open a head to see it at full size.",
      tokens: "Token view: hover or focus a token; the others are shaded by how much it attends to them.",
      strongest: "attends most to", position: "Query position", width: "Kernel width σ",
      output: "Pooled output", average: "average pooling", value: "Value", along: "Position",
    },
    zh: {
      query: "查询", key: "键", weight: "权重", is: "：", layer: "层", head: "头",
      back: "返回全部注意力头", hint: "把指针移到格子上或轻触格子；也可以聚焦图后用方向键移动。",
      grid: "模型视图：层 × 头。打开一个头可以看它的大图。",
      tokens: "词元视图：指向或聚焦一个词元，其余词元按它分给它们的注意力着色。",
      strongest: "最关注", position: "查询的位置", width: "核宽度 σ",
      output: "汇聚输出", average: "平均汇聚", value: "值", along: "位置",
    },
  };
  const words = (el) => {
    const lang = ((el.closest("[lang]") || document.documentElement).lang || "en").slice(0, 2);
    return WORDS[lang.toLowerCase()] || WORDS.en;
  };
  const make = (tag, attrs, text) => {
    const el = document.createElement(tag);
    for (const name in attrs || {}) el.setAttribute(name, attrs[name]);
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const SVG = "http://www.w3.org/2000/svg";
  const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const fmt = (x) => String(Number(x.toPrecision(3)));

  // One style sheet for every view, also where the page has none of the site's CSS.
  const CSS = `.attnbook-readout{margin:.5em 0;min-height:1.5em;font-size:.85em;text-align:center;font-variant-numeric:tabular-nums}
svg[data-attnbook]:focus-visible,.attnbook-view canvas:focus-visible{outline:2px solid currentColor;outline-offset:2px}
.attnbook-view,.attnbook-pooling{margin:1em 0;max-width:100%}
.attnbook-view [hidden]{display:none!important}
.attnbook-view button,.attnbook-view select,.attnbook-pooling input{font:inherit;color:inherit}
.attnbook-view select{background:none;border:1px solid currentColor;border-radius:.2em;padding:.1em .2em}
.attnbook-view option{color:#000;background:#fff}
.attnbook-view .ab-grid{display:grid;gap:4px .5em;align-items:center;grid-template-columns:auto minmax(0,1fr);margin:0 auto}
.attnbook-view .ab-row{position:relative}
.attnbook-view .ab-heads{height:1.6em}
.attnbook-view .ab-heads .ab-name{position:absolute;bottom:0}
.attnbook-view .ab-layers{display:grid;align-self:stretch;align-items:center}
.attnbook-view .ab-thumb{position:absolute;padding:0;box-sizing:border-box;border:1px solid rgba(128,128,128,.5);background:none;cursor:pointer}
.attnbook-view .ab-thumb:hover,.attnbook-view .ab-thumb:focus-visible{outline:2px solid currentColor;outline-offset:1px}
.attnbook-view canvas{display:block;width:100%;image-rendering:pixelated}
.attnbook-view .ab-name{font-size:.8em;text-align:center;overflow:hidden;white-space:nowrap}
.attnbook-view .ab-detail{display:grid;margin:0 auto;grid-template-columns:auto minmax(0,1fr);max-width:32em;font-size:.75em}
.attnbook-view .ab-bar{grid-column:1/3;display:flex;gap:.8em;align-items:center;margin-bottom:.5em;font-size:1.33em}
.attnbook-view .ab-back{padding:.3em .8em;border:1px solid currentColor;border-radius:.2em;background:none;cursor:pointer;min-height:24px}
.attnbook-view .ab-qs{display:flex;flex-direction:column;text-align:right;padding-right:.3em}
.attnbook-view .ab-ks{grid-column:2;display:flex;max-height:6em;margin-top:.3em}
.attnbook-view .ab-qs span,.attnbook-view .ab-ks span{flex:1 1 0;min-width:0;min-height:0;overflow:hidden;white-space:nowrap;display:flex;align-items:center;justify-content:flex-end}
.attnbook-view .ab-ks span{writing-mode:vertical-rl;justify-content:flex-start}
.attnbook-view .ab-map{position:relative}
.attnbook-view .ab-band{position:absolute;pointer-events:none;box-sizing:border-box;border:2px solid currentColor}
.attnbook-view .ab-sentence{line-height:2.2;text-align:center}
.attnbook-view .ab-sentence span{padding:.2em .25em;margin:0 .1em;border-radius:.2em;cursor:default}
.attnbook-view .ab-sentence span.ab-on{outline:2px solid currentColor}
.attnbook-view .ab-controls{display:flex;flex-wrap:wrap;gap:1em;justify-content:center}
.attnbook-pooling label{display:block;max-width:24em;margin:.4em auto}
.attnbook-pooling input[type=range]{box-sizing:border-box;width:100%;margin:.4em 0;display:block;accent-color:#cb181d}
.attnbook-pooling svg{display:block;max-width:100%;height:auto;margin:0 auto}`;
  const addStyle = () => {
    if (document.getElementById("attnbook-views-style")) return;
    document.head.appendChild(make("style", { id: "attnbook-views-style" }, CSS));
  };
  // Above the figure: the caption stays the paragraph right after it. On the site a
  // figure may scroll sideways in its box (.attnbook-figure): the readout goes above the
  // box, so that it is neither cut off nor faded with the figure.
  const readoutBefore = (el, text) => {
    const div = make("div", { class: "attnbook-readout", "aria-live": "polite" }, text);
    const box = el.parentElement;
    (box && box.classList.contains("attnbook-figure") ? box : el).before(div);
    return div;
  };

  // --- chapter heatmaps: the SVG of attnbook.to_svg, its cells in <g class="cells"> ---
  const enhanceHeatmap = (svg) => {
    const w = words(svg);
    const panels = [...svg.querySelectorAll("g.cells")].map((g) => {
      const d = g.dataset;
      const found = [];
      for (const path of g.children) {
        const m = /^M(\d+) (\d+)h1$/.exec(path.getAttribute("d") || "");
        if (m) found.push([+m[2], +m[1], path]);
      }
      const rows = Math.max(0, ...found.map((f) => f[0] + 1)), cols = Math.max(0, ...found.map((f) => f[1] + 1));
      const panel = {
        g, rows, cols, cells: new Map(), named: "y" in d, ylabel: d.y, xlabel: d.x,
        yticks: d.yt ? JSON.parse(d.yt) : null, xticks: d.xt ? JSON.parse(d.xt) : null,
        rowUsed: new Uint8Array(rows), colUsed: new Uint8Array(cols),
      };
      for (const [r, c, path] of found) {
        panel.cells.set(r * cols + c, path);
        panel.rowUsed[r] = panel.colUsed[c] = 1;
      }
      // The outline goes beside the cells, in their units, not among them: a white line
      // over a wider dark one, so that it shows on the palest and the darkest cell alike.
      panel.mark = document.createElementNS(SVG, "g");
      panel.mark.setAttribute("transform", g.getAttribute("transform") || "");
      panel.mark.setAttribute("class", "attnbook-mark");
      panel.mark.setAttribute("style", "fill:none;pointer-events:none");
      panel.lines = ["#000;stroke-opacity:.7;stroke-width:4px", "#fff;stroke-width:2px"].map((stroke) => {
        const line = document.createElementNS(SVG, "path");
        line.setAttribute("style", `stroke:${stroke};vector-effect:non-scaling-stroke`);
        return panel.mark.appendChild(line);
      });
      return panel;
    });
    if (!panels.length || !panels[0].cells.size) return;
    svg.dataset.attnbook = "heatmap";
    svg.setAttribute("tabindex", "0");
    const readout = readoutBefore(svg, w.hint);
    let at = null; // [panel index, row, column]
    // A composed grid holds many panels in one image: a panel's rows and columns are
    // the runs of rows and columns that hold cells.
    const span = (used, i) => {
      let a = i, b = i;
      while (a > 0 && used[a - 1]) a--;
      while (b < used.length - 1 && used[b + 1]) b++;
      return [a, b + 1];
    };
    // A row or column: its tick label, or its number; the hover title puts the axis's
    // label first ("Queries 3"), which the readout says as "Query: 3".
    const tick = (ticks, i) => `${ticks ? ticks[i] : i}`;
    const name = (label, ticks, i) => `${label} ${tick(ticks, i)}`.trim();
    const select = (p, r, c) => {
      const panel = panels[p];
      const path = panel.cells.get(r * panel.cols + c);
      if (!path) return;
      at = [p, r, c];
      const [c0, c1] = span(panel.colUsed, c), [r0, r1] = span(panel.rowUsed, r);
      // The cell spans [c, c+1] × [r-.5, r+.5] in the group's units (see to_svg).
      const box = (x0, y0, x1, y1) => `M${x0} ${y0 - 0.5}H${x1}V${y1 - 0.5}H${x0}Z`;
      const outline = box(c0, r, c1, r + 1) + box(c, r0, c + 1, r1) + box(c, r, c + 1, r + 1);
      for (const line of panel.lines) line.setAttribute("d", outline);
      for (const other of panels) if (other !== panel) other.mark.remove();
      panel.g.after(panel.mark);
      const title = path.textContent;
      const weight = title.slice(title.lastIndexOf(": ") + 2);
      if (panel.named) {
        const q = name(panel.ylabel, panel.yticks, r - r0), k = name(panel.xlabel, panel.xticks, c - c0);
        const tail = `${q}, ${k}: ${weight}`;
        const prefix = title.endsWith(tail) ? title.slice(0, -tail.length) : "";
        const [qt, kt] = [tick(panel.yticks, r - r0), tick(panel.xticks, c - c0)];
        readout.textContent = `${prefix}${w.query}${w.is}${qt} · ${w.key}${w.is}${kt} · ${w.weight}${w.is}${weight}`;
      } else readout.textContent = title;
      svg.dataset.query = r - r0;
      svg.dataset.key = c - c0;
      svg.dataset.weight = weight;
    };
    const locate = (target) => {
      const path = target.closest && target.closest("g.cells > path");
      if (!path) return null;
      const p = panels.findIndex((panel) => panel.g === path.parentNode);
      const m = /^M(\d+) (\d+)h1$/.exec(path.getAttribute("d"));
      return p < 0 || !m ? null : [p, +m[2], +m[1]];
    };
    const pick = (event) => {
      const cell = locate(event.target);
      if (cell) select(...cell);
    };
    svg.addEventListener("pointermove", pick);
    svg.addEventListener("pointerdown", pick);
    svg.addEventListener("focus", () => {
      if (!at) {
        const first = panels[0].cells.keys().next().value;
        select(0, Math.floor(first / panels[0].cols), first % panels[0].cols);
      }
    });
    svg.addEventListener("keydown", (event) => {
      const move = MOVES[event.key];
      if (!move || !at) return;
      event.preventDefault();
      let [p, r, c] = at;
      for (;;) {
        r += move[0];
        c += move[1];
        let panel = panels[p];
        if (c < 0 || c >= panel.cols) {
          // Left and right go on into the next panel of the row, if there is one.
          const next = p + move[1];
          if (panels.length === 1 || next < 0 || next >= panels.length) return;
          p = next;
          panel = panels[p];
          c = move[1] > 0 ? 0 : panel.cols - 1;
        }
        if (r < 0 || r >= panel.rows) return;
        if (panel.cells.has(r * panel.cols + c)) return select(p, r, c);
      }
    });
  };

  // --- data of the attention view: levels of 0..255, deflated and in base64 ---
  const bytesOf = (b64) => {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    const text = atob(b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  };
  // Straight into the decompressor and out into one buffer of the known size: a Blob's
  // stream and a Response's concatenation each cost more than inflating.
  const inflate = async (b64, size) => {
    const stream = new DecompressionStream("deflate");
    const writer = stream.writable.getWriter();
    writer.write(bytesOf(b64)).catch(() => {}); // an error surfaces in read() below
    writer.close().catch(() => {});
    const reader = stream.readable.getReader(), out = new Uint8Array(size);
    for (let at = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) {
        if (at !== size) throw new Error(`attnbook: ${at} levels, expected ${size}`);
        return out;
      }
      out.set(value, at);
      at += value.length;
    }
  };
  const palette = (b64) => {
    const rgb = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const colours = [], packed = new Uint32Array(256), dark = [];
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = rgb.subarray(3 * i, 3 * i + 3);
      colours.push(`rgb(${r},${g},${b})`);
      packed[i] = (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA
      dark.push(0.2126 * r + 0.7152 * g + 0.0722 * b < 128);
    }
    return { colours, packed, dark };
  };
  const enhanceView = async (root) => {
    root.dataset.attnbookReady = "loading";
    const w = words(root);
    const spec = JSON.parse(root.dataset.spec);
    const { layers, heads, queries, keys } = spec;
    const size = queries * keys;
    const levels = await inflate(spec.levels, layers * heads * size);
    const colours = palette(spec.palette);
    const step = (spec.high - spec.low) / 255;
    const value = (l, h, q, k) => spec.low + step * levels[((l * heads + h) * queries + q) * keys + k];
    const layerName = (l) => (spec.layer_names ? spec.layer_names[l] : `${w.layer} ${l + 1}`);
    const headName = (h) => (spec.head_names ? spec.head_names[h] : `${w.head} ${h + 1}`);
    const body = make("div", { class: "ab-body" });

    // The model view: one canvas holds every head, layers in rows (a canvas costs more to
    // create than to paint), under a transparent button per head; the layers' names
    // are a grid whose rows have the canvas's proportions. A thumbnail is painted at
    // about the resolution it is shown at, each pixel the mean of an f × f block of
    // levels; a head is painted in full only when opened.
    const maxWidth = Math.min(40, heads * 5) + 6; // em
    const em = parseFloat(getComputedStyle(root).fontSize) || 16;
    const shownPx = (Math.min(root.clientWidth || 640, maxWidth * em) / heads) * (window.devicePixelRatio || 1);
    const f = Math.max(1, Math.floor(Math.min(queries, keys) / shownPx));
    const tq = Math.ceil(queries / f), tk = Math.ceil(keys / f);
    const gap = Math.max(1, Math.round(tk / 16));
    const rowWidth = heads * tk + (heads - 1) * gap, mapHeight = layers * tq + (layers - 1) * gap;
    const at = (h) => `left:${(100 * h * (tk + gap)) / rowWidth}%;width:${(100 * tk) / rowWidth}%`;
    const atRow = (l) => `top:${(100 * l * (tq + gap)) / mapHeight}%;height:${(100 * tq) / mapHeight}%`;
    const grid = make("div", { class: "ab-grid", role: "group", "aria-label": w.grid });
    grid.style.maxWidth = `${maxWidth}em`;
    const names = make("div", { class: "ab-row ab-heads" });
    for (let h = 0; h < heads; h++) names.appendChild(make("span", { class: "ab-name", style: at(h) }, headName(h)));
    grid.append(make("span"), names);
    // A thumbnail's pixel is the mean level of its f × f block of weights, coloured; the
    // gaps between heads stay transparent. Few loop turns: a cold JIT runs this.
    const packed = colours.packed, full = f * f;
    const meanColour = new Uint32Array(255 * full + 1); // by the sum of a full block
    for (let sum = 0; sum < meanColour.length; sum++) meanColour[sum] = packed[Math.round(sum / full)];
    // Halving, the common case, reads four levels a word: two blocks' sums at once.
    const words4 = f === 2 && keys % 4 === 0 && queries % 2 === 0 ? new Uint32Array(levels.buffer) : null;
    const thumbnails = (l) => {
      const image = new ImageData(rowWidth, tq), pixels = new Uint32Array(image.data.buffer);
      if (words4) {
        const perRow = keys / 4, m = 0xff00ff;
        for (let h = 0; h < heads; h++) {
          for (let bq = 0; bq < tq; bq++) {
            let j = ((l * heads + h) * size + 2 * bq * keys) / 4, o = bq * rowWidth + h * (tk + gap);
            for (const end = j + perRow; j < end; j++, o += 2) {
              const a = words4[j], b = words4[j + perRow];
              const sums = (a & m) + ((a >>> 8) & m) + (b & m) + ((b >>> 8) & m); // little-endian
              pixels[o] = meanColour[sums & 0xffff];
              pixels[o + 1] = meanColour[sums >>> 16];
            }
          }
        }
        return image;
      }
      if (f === 1) {
        for (let h = 0, i = l * heads * size; h < heads; h++) {
          for (let q = 0; q < queries; q++) {
            for (let k = 0, o = q * rowWidth + h * (tk + gap); k < keys; k++) pixels[o + k] = packed[levels[i++]];
          }
        }
        return image;
      }
      for (let h = 0; h < heads; h++) {
        const head = (l * heads + h) * size, left = h * (tk + gap);
        for (let bq = 0; bq < tq; bq++) {
          const q0 = bq * f, q1 = Math.min(queries, q0 + f), row = bq * rowWidth + left;
          for (let bk = 0; bk < tk; bk++) {
            const k0 = bk * f, k1 = Math.min(keys, k0 + f);
            let sum = 0;
            for (let q = q0; q < q1; q++) {
              for (let i = head + q * keys + k0, end = i + k1 - k0; i < end; i++) sum += levels[i];
            }
            const n = (q1 - q0) * (k1 - k0);
            pixels[row + bk] = n === full ? meanColour[sum] : packed[Math.round(sum / n)];
          }
        }
      }
      return image;
    };
    const headImage = (l, h) => {
      const image = new ImageData(keys, queries), pixels = new Uint32Array(image.data.buffer);
      for (let i = 0, at = (l * heads + h) * size; i < size; i++) pixels[i] = packed[levels[at + i]];
      return image;
    };
    const thumbs = [], layerNames = make("div", { class: "ab-layers" }), all = make("div", { class: "ab-row" });
    layerNames.style.gridTemplateRows = Array(layers).fill(`minmax(0,${tq}fr)`).join(` minmax(0,${gap}fr) `);
    const canvas = make("canvas", { width: rowWidth, height: mapHeight }), context = canvas.getContext("2d");
    all.appendChild(canvas);
    for (let l = 0; l < layers; l++) {
      context.putImageData(thumbnails(l), 0, l * (tq + gap));
      layerNames.appendChild(make("span", { class: "ab-name", style: `grid-row:${2 * l + 1}` }, layerName(l)));
      for (let h = 0; h < heads; h++) {
        const button = make("button", { type: "button", class: "ab-thumb", style: `${at(h)};${atRow(l)}`, "aria-label": `${layerName(l)} · ${headName(h)}` });
        thumbs.push(button);
        all.appendChild(button);
      }
    }
    grid.append(layerNames, all);
    // One listener for every thumbnail (and one per token below): cheaper to bind.
    all.addEventListener("click", (event) => {
      const i = thumbs.indexOf(event.target.closest(".ab-thumb"));
      if (i >= 0) open(Math.floor(i / heads), i % heads);
    });
    root.dataset.thumbnail = `${tk}x${tq}`;

    // One head at full size, with its tokens.
    const detail = make("div", { class: "ab-detail", hidden: "" });
    const bar = make("div", { class: "ab-bar" });
    const back = make("button", { type: "button", class: "ab-back" }, `← ${w.back}`);
    const title = make("span", { class: "ab-title" });
    bar.append(back, title);
    const qs = make("div", { class: "ab-qs", "aria-hidden": "true" });
    const map = make("div", { class: "ab-map" });
    const big = make("canvas", { width: keys, height: queries, tabindex: "0", role: "img" });
    const row = make("div", { class: "ab-band" }), col = make("div", { class: "ab-band" });
    row.style.cssText = `left:0;width:100%;height:${100 / queries}%;display:none`;
    col.style.cssText = `top:0;height:100%;width:${100 / keys}%;display:none`;
    map.append(big, row, col);
    const ks = make("div", { class: "ab-ks", "aria-hidden": "true" });
    const labels = keys <= 48;
    if (labels) {
      for (const t of spec.query_tokens) qs.appendChild(make("span", {}, t));
      for (const t of spec.key_tokens) ks.appendChild(make("span", {}, t));
    }
    detail.append(bar, qs, map, make("span"), ks);
    const readout = make("p", { class: "attnbook-readout", "aria-live": "polite" }, w.grid);

    let shown = null, cell = null;
    const show = (q, k) => {
      cell = [q, k];
      row.style.top = `${(100 * q) / queries}%`;
      col.style.left = `${(100 * k) / keys}%`;
      row.style.display = col.style.display = "block";
      const [l, h] = shown;
      readout.textContent = `${layerName(l)} · ${headName(h)} · ${w.query}${w.is}${spec.query_tokens[q]} · ${w.key}${w.is}${spec.key_tokens[k]} · ${w.weight}${w.is}${fmt(value(l, h, q, k))}`;
      root.dataset.query = q;
      root.dataset.key = k;
    };
    const open = (l, h) => {
      shown = [l, h];
      big.getContext("2d").putImageData(headImage(l, h), 0, 0);
      big.setAttribute("aria-label", `${layerName(l)} · ${headName(h)}`);
      title.textContent = `${layerName(l)} · ${headName(h)}`;
      grid.hidden = true;
      detail.hidden = false;
      root.dataset.open = `${l} ${h}`;
      cell = null;
      row.style.display = col.style.display = "none";
      readout.textContent = w.hint;
      if (tokenView) tokenView.choose(l, h);
      big.focus();
    };
    const close = () => {
      if (!shown) return;
      const [l, h] = shown;
      shown = null;
      detail.hidden = true;
      grid.hidden = false;
      delete root.dataset.open;
      readout.textContent = w.grid;
      thumbs[l * heads + h].focus();
    };
    back.addEventListener("click", close);
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && shown) {
        event.preventDefault();
        close();
      }
    });
    const pick = (event) => {
      const box = big.getBoundingClientRect();
      const k = Math.floor(((event.clientX - box.left) / box.width) * keys);
      const q = Math.floor(((event.clientY - box.top) / box.height) * queries);
      if (q >= 0 && q < queries && k >= 0 && k < keys) show(q, k);
    };
    big.addEventListener("pointermove", pick);
    big.addEventListener("pointerdown", pick);
    big.addEventListener("keydown", (event) => {
      const move = MOVES[event.key];
      if (!move) return;
      event.preventDefault();
      const [q, k] = cell || [0, -move[1] || 0];
      show(Math.min(queries - 1, Math.max(0, q + move[0])), Math.min(keys - 1, Math.max(0, k + move[1])));
    });

    // The token view (self-attention only: the queries are the keys).
    let tokenView = null;
    const tokensBox = make("div", { class: "ab-tokens" });
    if (spec.token_view) {
      const controls = make("div", { class: "ab-controls" });
      const selector = (label, n, name) => {
        const wrap = make("label", {}, `${label} `);
        const sel = make("select");
        for (let i = 0; i < n; i++) sel.appendChild(make("option", { value: i }, name(i)));
        wrap.appendChild(sel);
        controls.appendChild(wrap);
        return sel;
      };
      const layerSel = selector(w.layer, layers, layerName), headSel = selector(w.head, heads, headName);
      const sentence = make("p", { class: "ab-sentence", "aria-label": w.tokens, role: "group" });
      const spans = spec.query_tokens.map((t) => make("span", { tabindex: "0" }, t));
      sentence.append(...spans);
      const tokenReadout = make("p", { class: "attnbook-readout", "aria-live": "polite" }, w.tokens);
      let current = null;
      const shade = (q) => {
        current = q;
        const l = +layerSel.value, h = +headSel.value;
        let best = 0;
        spans.forEach((span, k) => {
          const level = levels[((l * heads + h) * queries + q) * keys + k];
          span.style.background = colours.colours[level];
          span.style.color = colours.dark[level] ? "#fff" : "#000";
          span.dataset.weight = value(l, h, q, k);
          span.classList.toggle("ab-on", k === q);
          if (value(l, h, q, k) > value(l, h, q, best)) best = k;
        });
        tokenReadout.textContent = `${layerName(l)} · ${headName(h)} · ${w.query}${w.is}${spec.query_tokens[q]} · ${w.strongest} ${spec.key_tokens[best]} (${fmt(value(l, h, q, best))})`;
      };
      const onToken = (event) => {
        const q = spans.indexOf(event.target);
        if (q >= 0) shade(q);
      };
      for (const type of ["pointerover", "pointerdown", "focusin"]) sentence.addEventListener(type, onToken);
      const again = () => current !== null && shade(current);
      layerSel.addEventListener("change", again);
      headSel.addEventListener("change", again);
      tokensBox.append(controls, sentence, tokenReadout);
      tokenView = {
        choose: (l, h) => {
          layerSel.value = l;
          headSel.value = h;
          again();
        },
      };
    }
    body.append(grid, detail, readout, tokensBox);
    root.querySelector(".ab-fallback")?.remove();
    root.appendChild(body);
    root.dataset.attnbookReady = performance.now().toFixed(1);
  };

  // --- the pooling explorable: Gaussian-kernel attention pooling of 1-D keys ---
  // The same steps as attnbook.attention_pooling(score="gaussian"): the scores
  // -(q - k)² / (2σ²), minus their maximum, exponentiated, divided by their sum.
  const gaussianPooling = (keys, values, query, bandwidth) => {
    const scores = keys.map((k) => -((query - k) ** 2) / (2.0 * bandwidth ** 2));
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - top));
    const total = exps.reduce((a, b) => a + b, 0);
    const weights = exps.map((e) => e / total);
    const output = weights.reduce((sum, wt, i) => sum + wt * values[i], 0);
    return { weights, output };
  };
  const enhancePooling = (root) => {
    const w = words(root);
    const spec = JSON.parse(root.dataset.spec);
    const { keys, values } = spec;
    const [lo, hi] = spec.query_range, [s0, s1] = spec.bandwidth_range;
    const uid = `ab${Math.random().toString(36).slice(2, 8)}`;
    const slider = (label, id, min, max, stepSize, val) => {
      const wrap = make("label", { for: id }, label);
      const input = make("input", { type: "range", id, min, max, step: stepSize, value: val });
      wrap.appendChild(input);
      return [wrap, input];
    };
    const [qWrap, qInput] = slider(w.position, `${uid}q`, lo, hi, (hi - lo) / 200, spec.query);
    const logS = (v) => Math.exp(Math.log(s0) + (v / 1000) * (Math.log(s1) - Math.log(s0)));
    const sliderOf = (s) => Math.round((1000 * Math.log(s / s0)) / Math.log(s1 / s0));
    const [sWrap, sInput] = slider(w.width, `${uid}s`, 0, 1000, 1, sliderOf(spec.bandwidth));
    // The plot is drawn in CSS pixels at the width it is shown at (redrawn when that
    // changes), so its texts keep the size of a figure's at any width. Two bands share
    // the positions' axis: the keys' values (points, and the pooled output's ring) above,
    // their weights (bars, 0 to 1) below.
    const plot = document.createElementNS(SVG, "svg");
    plot.setAttribute("role", "img");
    const vmin = Math.min(0, ...values), vmax = Math.max(...values);
    // Shown rounded against the values' spread: a mean of 1e-17 from rounding reads 0.
    const tidy = (x) => fmt(Math.abs(x) < 1e-9 * (vmax - vmin || 1) ? 0 : x);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const avgText = `${w.average} ${tidy(mean)}`;
    // its width estimated: a CJK character is 12 px at this size, others about 6.7
    const avgWidth = [...avgText].reduce((sum, ch) => sum + (ch.charCodeAt(0) > 0x2e80 ? 12 : 6.7), 0);
    const ticks = (a, b) => {
      const raw = (b - a) / 4, unit = 10 ** Math.floor(Math.log10(raw));
      const step = unit * ([1, 2, 5, 10].find((f) => f * unit >= raw) || 10);
      const out = [];
      for (let t = Math.ceil(a / step) * step; t <= b + step * 1e-9; t += step) out.push(+t.toPrecision(12));
      return out;
    };
    const L = 44, TOP = 28, MID = 120, BASE = 208, H = 244;
    const Y = (v) => MID - ((v - vmin) / (vmax - vmin || 1)) * (MID - TOP);
    const B = (wt) => BASE - wt * 52;
    let X, bars, qLine, outDot;
    const draw = (W) => {
      plot.replaceChildren();
      plot.setAttribute("viewBox", `0 0 ${W} ${H}`);
      plot.setAttribute("width", W);
      plot.setAttribute("height", H);
      X = (x) => L + 6 + ((x - lo) / (hi - lo)) * (W - L - 16);
      const el = (tag, attrs, text) => {
        const e = document.createElementNS(SVG, tag);
        for (const name in attrs) e.setAttribute(name, attrs[name]);
        if (text !== undefined) e.textContent = text;
        plot.appendChild(e);
        return e;
      };
      const label = (x, y, text, anchor) => el("text", { x, y, "text-anchor": anchor, "font-size": 12, fill: "currentColor" }, text);
      const axis = { stroke: "currentColor", "stroke-opacity": 0.5 };
      el("line", { x1: L, x2: L, y1: TOP, y2: MID, ...axis });
      for (const v of ticks(vmin, vmax)) {
        el("line", { x1: L - 4, x2: L, y1: Y(v), y2: Y(v), ...axis });
        label(L - 7, Y(v) + 4, fmt(v), "end");
      }
      label(4, 14, w.value, "start");
      el("line", { x1: L, x2: L, y1: B(1), y2: BASE, ...axis });
      for (const v of [0, 1]) label(L - 7, B(v) + 4, v, "end");
      label(4, B(1) - 10, w.weight, "start");
      el("line", { x1: L, x2: W - 4, y1: BASE, y2: BASE, ...axis });
      for (const x of ticks(lo, hi)) {
        el("line", { x1: X(x), x2: X(x), y1: BASE, y2: BASE + 4, ...axis });
        label(X(x), BASE + 16, fmt(x), "middle");
      }
      label(W - 4, H - 2, w.along, "end");
      el("line", { x1: L, x2: W - 4, y1: Y(mean), y2: Y(mean), stroke: "currentColor", "stroke-dasharray": "4 3" });
      // The average's label goes along its line, above or below it, as near the right
      // end as keeps it 6 px clear of the points; where points crowd the whole line, it
      // goes to the top right, across from the axis's name.
      const clearance = ([x0, y0]) => Math.min(...keys.map((k, i) => {
        const px = X(k), py = Y(values[i]);
        const dx = Math.max(x0 - px, 0, px - (x0 + avgWidth)), dy = Math.max(y0 - 12 - py, 0, py - (y0 + 3));
        return Math.hypot(dx, dy);
      }));
      const spots = [];
      for (let x = W - 4 - avgWidth; x > L; x -= 8) spots.push([x, Y(mean) - 5], [x, Y(mean) + 15]);
      const [avgX, avgY] = spots.find((spot) => clearance(spot) >= 6) || [W - 4 - avgWidth, 14];
      bars = keys.map((k) => el("rect", { x: X(k) - 4, width: 8, fill: "#cb181d" }));
      keys.forEach((k, i) => el("circle", { cx: X(k), cy: Y(values[i]), r: 3.5, fill: "currentColor" }));
      qLine = el("line", { y1: TOP - 8, y2: BASE, stroke: "#cb181d", "stroke-width": 1.5 });
      outDot = el("circle", { r: 5, fill: "none", stroke: "#cb181d", "stroke-width": 2.5 });
      // Drawn last, over a halo of the page's background: the moving query line passes
      // behind the label instead of striking its text through.
      label(avgX, avgY, avgText, "start").setAttribute("class", "ab-average");
      plot.lastChild.setAttribute("style", "paint-order:stroke;stroke:var(--md-default-bg-color,Canvas);stroke-width:3px;stroke-linejoin:round");
    };
    const readout = make("p", { class: "attnbook-readout", "aria-live": "polite" });
    const update = () => {
      const query = +qInput.value, bandwidth = logS(+sInput.value);
      const { weights, output } = gaussianPooling(keys, values, query, bandwidth);
      bars.forEach((bar, i) => {
        bar.setAttribute("y", B(weights[i]));
        bar.setAttribute("height", BASE - B(weights[i]));
      });
      qLine.setAttribute("x1", X(query));
      qLine.setAttribute("x2", X(query));
      outDot.setAttribute("cx", X(query));
      outDot.setAttribute("cy", Y(output));
      sInput.setAttribute("aria-valuetext", `σ = ${fmt(bandwidth)}`);
      readout.textContent = `${w.position} ${fmt(query)} · σ = ${fmt(bandwidth)} · ${w.output} ${tidy(output)} (${w.average} ${tidy(mean)})`;
      root.dataset.query = query;
      root.dataset.bandwidth = bandwidth;
      root.dataset.output = output;
      root.dataset.weights = JSON.stringify(weights);
    };
    qInput.addEventListener("input", update);
    sInput.addEventListener("input", update);
    plot.setAttribute("aria-label", spec.alt);
    root.querySelector(".ab-fallback")?.remove();
    root.append(qWrap, sWrap, plot, readout);
    const fit = () => {
      const em = parseFloat(getComputedStyle(root).fontSize) || 16;
      const width = Math.round(Math.min(root.clientWidth, 36 * em));
      if (width > 0 && width !== +plot.getAttribute("width")) {
        draw(width);
        update();
      }
    };
    draw(320);
    update();
    fit();
    if (window.ResizeObserver) new ResizeObserver(fit).observe(root);
    root.dataset.attnbookReady = performance.now().toFixed(1);
  };

  const scan = () => {
    addStyle();
    for (const svg of document.querySelectorAll("svg[role=img]:not([data-attnbook])")) {
      if (svg.querySelector("g.cells > path")) enhanceHeatmap(svg);
    }
    for (const root of document.querySelectorAll(".attnbook-view:not([data-attnbook-ready])")) {
      enhanceView(root).catch((error) => {
        root.dataset.attnbookReady = "failed";
        throw error;
      });
    }
    for (const root of document.querySelectorAll(".attnbook-pooling:not([data-attnbook-ready])")) enhancePooling(root);
  };
  window.attnbookViews = { scan, gaussianPooling };
  // mkdocs-material's instant navigation swaps the page without reloading this script.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
  if (typeof document$ !== "undefined") document$.subscribe(scan);
})();
