/* slidebook deck runtime: a small, dependency-free presenter for
   <div class="reveal"><div class="slides"><section>... markup.
   Keys: next = Right Down Space PageDown n l j; previous = Left Up PageUp
   Backspace p h k (and Shift+Space); Home/End; o or Esc = overview;
   b or . = blackout; s = speaker view (this file opened with ?speaker). */
(function () {
  'use strict';

  var root = document.querySelector('.reveal');
  var stage = root && root.querySelector('.slides');
  if (!stage) return;

  var slides = Array.prototype.filter.call(stage.children, function (el) {
    return el.tagName === 'SECTION';
  });
  if (!slides.length) return;

  var W = parseInt(root.getAttribute('data-width'), 10) || 1280;
  var H = parseInt(root.getAttribute('data-height'), 10) || 720;
  var deckName = root.getAttribute('data-deck') || 'deck';
  var isSpeaker = /(^|[?&])speaker(=|&|$)/.test(location.search.slice(1));
  var MSG = 'slidebook';

  var current = -1;
  var step = 0;           // fragments of the current slide shown so far
  var black = false;
  var peer = null;        // the other window: the speaker popup, or our opener
  var overviewOpen = false;
  var ui = {};

  // Served by `slidebook serve` (or asked with ?check): the presenter sees
  // which slides do not fit.
  if (/^(127\.0\.0\.1|localhost|\[::1\])$/.test(location.hostname) || /(^|[?&])check(=|&|$)/.test(location.search.slice(1))) {
    document.documentElement.classList.add('sb-rehearsal');
  }
  document.documentElement.style.setProperty('--sb-w', W + 'px');
  document.documentElement.style.setProperty('--sb-h', H + 'px');

  /* ---------- small helpers ---------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function clamp(i) {
    return Math.max(0, Math.min(slides.length - 1, i));
  }

  function slideTitle(s, i) {
    var t = s.getAttribute('data-title');
    if (!t) {
      var h = s.querySelector('h1, h2, h3');
      t = h ? h.textContent.trim() : '';
    }
    return t || 'Slide ' + (i + 1);
  }

  /* ---------- fitting the stage into the window ---------- */

  function layoutStage() {
    var k = Math.min(window.innerWidth / W, window.innerHeight / H);
    stage.style.transform = 'translate(-50%, -50%) scale(' + k + ')';
  }

  /* Fitting. A slide fits when its content is no taller than the slide
     with its text at FLOOR of its size or more: the runtime shrinks a slide
     (code blocks first for width, then everything, all sized in em) down to
     FLOOR, never further. What still does not fit is marked sb-overflow,
     with how far it runs past the bottom and which block does: `slidebook
     check --layout` reads those marks, and `serve` shows them. Printing and
     PDF use the same fit. Steps of a build-up (consecutive slides with the
     same title) share the smallest scale any of them needs, so nothing
     moves as the steps go by. */
  var FLOOR = 0.7;

  function measuring(s, on) {
    if (s.classList.contains('present')) return;
    s.classList.toggle('sb-measuring', on);
  }

  /* The largest scale in [FLOOR, 1] at which the slide fits (FLOOR if none
     does); leaves the slide at that scale. */
  function neededScale(s) {
    s.style.fontSize = '';
    if (s.clientHeight === 0) return 1;
    var base = parseFloat(getComputedStyle(s).fontSize);
    s.setAttribute('data-base', base);
    Array.prototype.forEach.call(s.querySelectorAll('pre'), function (pre) {
      if (pre.closest('aside.notes')) return;
      pre.style.fontSize = '';
      pre.classList.remove('sb-wrap');
      if (pre.scrollWidth <= pre.clientWidth + 1) return;
      // Shrink a little to fit; if that would make it tiny, wrap lines instead.
      var em = parseFloat(getComputedStyle(pre).fontSize) / base;
      var f = (pre.clientWidth / pre.scrollWidth) * 0.97;
      pre.style.fontSize = (em * Math.max(f, 0.8)).toFixed(3) + 'em';
      if (pre.scrollWidth > pre.clientWidth + 1) pre.classList.add('sb-wrap');
    });
    var scale = 1;
    for (var n = 0; n < 16 && s.scrollHeight > s.clientHeight + 1 && scale > FLOOR; n++) {
      scale = Math.max(FLOOR, scale * Math.max(0.9, s.clientHeight / s.scrollHeight));
      s.style.fontSize = (base * scale).toFixed(2) + 'px';
    }
    return scale;
  }

  /* What runs past the bottom of a slide, in words, and by how much. */
  function describeOverflow(s) {
    var box = s.getBoundingClientRect();
    var bottom = box.bottom - parseFloat(getComputedStyle(s).paddingBottom);
    var k = box.height / s.offsetHeight || 1;
    var worst = null;
    Array.prototype.forEach.call(s.children, function (c) {
      if (c.tagName === 'ASIDE' || c.classList.contains('sb-footer') || c.classList.contains('sb-logo')) return;
      var b = c.getBoundingClientRect().bottom;
      if (b > bottom + 1 && (!worst || b > worst.b)) worst = { el: c, b: b };
    });
    if (!worst) return null;
    var c = worst.el, what;
    var lines = function (t) { return t.replace(/\n$/, '').split('\n').length; };
    if (c.tagName === 'UL' || c.tagName === 'OL') {
      what = 'list of ' + c.querySelectorAll('li').length + ' items';
    } else if (c.tagName === 'PRE') {
      what = 'code block of ' + lines(c.textContent) + ' lines';
    } else if (c.tagName === 'TABLE') {
      what = 'table of ' + c.querySelectorAll('tr').length + ' rows';
    } else if (c.querySelector('img, svg, video') && !c.textContent.trim()) {
      what = 'picture';
    } else if (c.tagName === 'P') {
      what = 'paragraph';
    } else if (c.tagName === 'BLOCKQUOTE') {
      what = 'quote';
    } else {
      what = c.tagName.toLowerCase();
    }
    return { what: what, px: Math.ceil((worst.b - bottom) / k) };
  }

  function applyScale(s, scale) {
    var base = parseFloat(s.getAttribute('data-base')) || 0;
    if (base) s.style.fontSize = scale < 1 ? (base * scale).toFixed(2) + 'px' : '';
    s.setAttribute('data-scale', scale.toFixed(3));
    var over = s.scrollHeight > s.clientHeight + 1 ? describeOverflow(s) : null;
    s.classList.toggle('sb-overflow', !!over);
    if (over) {
      s.setAttribute('data-overflow', over.px);
      s.setAttribute('data-overflow-block', over.what);
    } else {
      s.removeAttribute('data-overflow');
      s.removeAttribute('data-overflow-block');
    }
  }

  /* The slides that are steps of one build-up with `s`. */
  function stepsOf(i) {
    var t = slides[i].getAttribute('data-title');
    var from = i, to = i;
    if (!t) return [i, i];
    while (from > 0 && slides[from - 1].getAttribute('data-title') === t) from--;
    while (to < slides.length - 1 && slides[to + 1].getAttribute('data-title') === t) to++;
    return [from, to];
  }

  function fitRange(from, to) {
    var group = slides.slice(from, to + 1);
    group.forEach(function (s) { measuring(s, true); });
    var scale = 1;
    group.forEach(function (s) { scale = Math.min(scale, neededScale(s)); });
    group.forEach(function (s) { applyScale(s, scale); });
    group.forEach(function (s) { measuring(s, false); });
  }

  function fitSlide(s) {
    var r = stepsOf(slides.indexOf(s));
    fitRange(r[0], r[1]);
  }

  function fitAll() {
    for (var i = 0; i < slides.length; ) {
      var r = stepsOf(i);
      fitRange(r[0], r[1]);
      i = r[1] + 1;
    }
  }

  /* A content slide that is only a heading and one picture (a paragraph that
     holds just an image, maybe inside a link) shows the picture as large as
     the rest of the slide allows, instead of at its natural size. */
  var UPSCALE = 2;   // at most this many times the picture's own pixel size

  function soloPicture(s) {
    if (s.getAttribute('data-kind') !== 'content') return null;
    var body = Array.prototype.filter.call(s.children, function (c) {
      return !(c.tagName === 'ASIDE' && c.classList.contains('notes')) &&
        !c.classList.contains('sb-footer') && !c.classList.contains('sb-logo');
    });
    if (body.length && /^H[1-6]$/.test(body[0].tagName)) body = body.slice(1);
    if (body.length !== 1 || body[0].tagName !== 'P') return null;
    var p = body[0];
    if (p.textContent.trim() || p.children.length !== 1) return null;
    var k = p.firstElementChild;
    if (k.tagName === 'A' && k.children.length === 1 && !k.textContent.trim()) {
      k = k.firstElementChild;
    }
    return k.tagName === 'IMG' ? k : null;
  }

  function capPicture(img) {
    var vector = /\.svgz?([?#]|$)/i.test(img.getAttribute('src') || '');
    if (vector || !img.naturalWidth || !img.naturalHeight) return;
    img.style.maxWidth = (img.naturalWidth * UPSCALE) + 'px';
    img.style.maxHeight = (img.naturalHeight * UPSCALE) + 'px';
  }

  function markSoloPicture(s) {
    var img = soloPicture(s);
    if (!img) return;
    s.classList.add('sb-solo-image');
    img.parentNode.closest('p').classList.add('sb-solo-figure');
    if (img.complete) capPicture(img);
    else img.addEventListener('load', function () { capPicture(img); });
  }

  function markSoloPictures() {
    slides.forEach(markSoloPicture);
  }

  /* ---------- thumbnails: a scaled clone of a slide ---------- */

  function makeThumb(s, width) {
    var box = el('div', 'sb-thumb');
    var inner = el('div', 'slides');
    var copy = s.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll('aside.notes, script'), function (n) {
      n.remove();
    });
    copy.removeAttribute('id');
    Array.prototype.forEach.call(copy.querySelectorAll('[id]'), function (n) {
      n.removeAttribute('id');
    });
    Array.prototype.forEach.call(copy.querySelectorAll('video, audio'), function (m) {
      m.removeAttribute('autoplay');
    });
    copy.classList.remove('past', 'future', 'sb-measuring');
    copy.classList.add('present');
    copy.setAttribute('aria-hidden', 'true');
    inner.appendChild(copy);
    box.appendChild(inner);
    sizeThumb(box, width);
    return box;
  }

  function sizeThumb(box, width) {
    width = Math.max(10, width);
    box.style.width = width + 'px';
    box.style.height = (width * H / W) + 'px';
    box.firstChild.style.transform = 'scale(' + (width / W) + ')';
  }

  /* ---------- navigation ---------- */

  /* A slide's fragments (class="fragment", as reveal.js marks them), in
     the order they appear. */
  function fragmentsOf(i) {
    return slides[i] ? Array.prototype.slice.call(slides[i].querySelectorAll('.fragment')) : [];
  }

  /* Shows the first `n` fragments of slide `i`, hides the rest. */
  function showFragments(i, n) {
    fragmentsOf(i).forEach(function (f, k) {
      f.classList.toggle('visible', k < n);
      f.classList.toggle('current-fragment', k === n - 1);
    });
    if (slides[i]) markSteps(slides[i]);
  }

  /* Code stepped through its lines (```sh {1|2-3|5}): the lines of the
     last step shown are marked, those of the first before any. */
  function inRanges(n, spec) {
    return spec.split(',').some(function (r) {
      var ab = r.split('-');
      var a = parseInt(ab[0], 10), b = parseInt(ab[1] || ab[0], 10);
      return n >= a && n <= b;
    });
  }
  function markSteps(s) {
    Array.prototype.forEach.call(s.querySelectorAll('.sb-stepped'), function (box) {
      var spec = box.getAttribute('data-lines') || '';
      Array.prototype.forEach.call(box.querySelectorAll('.sb-step.visible'), function (f) {
        spec = f.getAttribute('data-lines') || spec;
      });
      Array.prototype.forEach.call(box.querySelectorAll('.line'), function (l) {
        l.classList.toggle('hl', inRanges(parseInt(l.getAttribute('data-line'), 10), spec));
      });
    });
  }

  function go(i, opts) {
    opts = opts || {};
    i = clamp(i);
    var want = opts.step == null ? 0 : Math.max(0, Math.min(opts.step, fragmentsOf(i).length));
    if (i === current && want === step && !opts.force) return;
    step = want;
    showFragments(i, step);
    current = i;
    slides.forEach(function (s, j) {
      s.classList.toggle('present', j === i);
      s.classList.toggle('past', j < i);
      s.classList.toggle('future', j > i);
      s.setAttribute('aria-hidden', j === i ? 'false' : 'true');
    });
    updateChrome();
    writeHash();
    if (isSpeaker) renderSpeaker();
    if (overviewOpen) markOverview(true);
    if (!opts.remote) sendState();
  }

  /* Next and previous step through the slide's fragments first; going
     back onto a slide shows all of them, as reveal.js does. */
  function next() {
    if (step < fragmentsOf(current).length) go(current, { step: step + 1 });
    else go(current + 1);
  }
  function prev() {
    if (step > 0) go(current, { step: step - 1 });
    else if (current > 0) go(current - 1, { step: fragmentsOf(current - 1).length });
  }

  function updateChrome() {
    if (!ui.number) return;
    var n = slides.length;
    ui.number.textContent = (current + 1) + ' / ' + n;
    ui.bar.style.width = (n > 1 ? (current / (n - 1)) * 100 : 100) + '%';
    ui.prevBtn.disabled = current === 0;
    ui.nextBtn.disabled = current === n - 1;
  }

  /* #/3 is the fourth slide (as in reveal.js); #/some-id and #some-id
     select the slide with that id, or the slide containing that element. */
  /* #/3/0/1 is the fourth slide with its second fragment shown (as
     reveal.js writes it); readHash gives the slide and sets hashStep. */
  var hashStep = 0;
  function readHash() {
    var h = location.hash.replace(/^#/, '');
    try { h = decodeURIComponent(h); } catch (e) { /* keep raw */ }
    hashStep = 0;
    if (!h || h === '/') return null;
    var f = /^\/(\d+)\/\d+\/(\d+)$/.exec(h);
    if (f) {
      hashStep = parseInt(f[2], 10) + 1;
      return clamp(parseInt(f[1], 10));
    }
    var m = /^\/(\d+)(\/\d*)*$/.exec(h);
    if (m) return clamp(parseInt(m[1], 10));
    var name = h.replace(/^\//, '').split('/')[0];
    var target = name && document.getElementById(name);
    if (!target) return null;
    for (var i = 0; i < slides.length; i++) {
      if (slides[i] === target || slides[i].contains(target)) return i;
    }
    return null;
  }

  function writeHash() {
    var want = '#/' + current + (step > 0 ? '/0/' + (step - 1) : '');
    if (location.hash === want) return;
    try {
      history.replaceState(history.state, '', want);
    } catch (e) {
      location.replace(want);
    }
  }

  /* ---------- blackout ---------- */

  function setBlack(on, opts) {
    black = !!on;
    document.body.classList.toggle('sb-black', black);
    if (!(opts && opts.remote)) sendState();
  }

  /* ---------- overview ---------- */

  function openOverview() {
    if (overviewOpen || isSpeaker) return;
    overviewOpen = true;
    var grid = ui.overviewGrid;
    grid.textContent = '';
    slides.forEach(function (s, i) {
      var a = el('a', 'sb-overview-item');
      a.href = '#/' + i;
      a.setAttribute('data-index', String(i));
      a.appendChild(makeThumb(s, 240));
      var label = el('span', 'sb-overview-label');
      label.appendChild(el('b', null, String(i + 1)));
      label.appendChild(document.createTextNode(slideTitle(s, i)));
      a.title = slideTitle(s, i);
      a.appendChild(label);
      a.addEventListener('click', function (e) {
        e.preventDefault();
        go(i);
        closeOverview();
      });
      grid.appendChild(a);
    });
    document.body.classList.add('sb-overview-open');
    layoutOverview();
    markOverview(true);
  }

  function layoutOverview() {
    Array.prototype.forEach.call(ui.overviewGrid.children, function (a) {
      sizeThumb(a.firstChild, a.clientWidth);
    });
  }

  function markOverview(scroll) {
    Array.prototype.forEach.call(ui.overviewGrid.children, function (a, i) {
      a.classList.toggle('sb-current', i === current);
      if (i === current && scroll) a.scrollIntoView({ block: 'nearest' });
    });
  }

  function closeOverview() {
    if (!overviewOpen) return;
    overviewOpen = false;
    document.body.classList.remove('sb-overview-open');
    ui.overviewGrid.textContent = '';
  }

  function toggleOverview() {
    if (overviewOpen) closeOverview(); else openOverview();
  }

  /* ---------- talking to the other window ----------
     Both windows send {slidebook: 'state', index, black} after a local change
     and apply what they receive without echoing it back. The speaker window
     says 'hello' when it loads and keeps saying 'ping' so that a reloaded
     deck window finds it again (window.opener survives a reload). */

  function post(win, data) {
    if (!win || win.closed) return;
    data.slidebook = data.slidebook || MSG;
    data.deck = deckName;
    try { win.postMessage(data, '*'); } catch (e) { /* window gone */ }
  }

  function sendState() {
    post(peer, { type: 'state', index: current, step: step, black: black });
  }

  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || d.slidebook !== MSG || d.deck !== deckName) return;
    if (isSpeaker) {
      if (e.source !== window.opener) return;
      if (d.type === 'state') {
        go(d.index, { remote: true, step: d.step });
        setBlack(d.black, { remote: true });
      }
      return;
    }
    var known = peer === e.source && peer && !peer.closed;
    peer = e.source;
    if (d.type === 'hello' || (d.type === 'ping' && !known)) {
      sendState();
    } else if (d.type === 'state') {
      go(d.index, { remote: true, step: d.step });
      setBlack(d.black, { remote: true });
    }
  });

  function openSpeaker() {
    if (peer && !peer.closed) {
      peer.focus();
      sendState();
      return;
    }
    var url = location.href.replace(/[?#].*$/, '') + '?speaker#/' + current;
    var win = window.open(url, 'slidebook-speaker-' + deckName,
      'popup,width=1200,height=760');
    if (win) peer = win;
  }

  /* ---------- speaker view ---------- */

  /* The time now; a page that sets window.slidebookClock (a test, a
     rehearsal tool) runs the timer by its clock instead. */
  function clockNow() {
    return typeof window.slidebookClock === 'function' ? window.slidebookClock() : Date.now();
  }

  var timer = { start: clockNow(), paused: 0, pausedAt: 0 };

  /* Each slide's time in seconds, from its notes (`data-timing`, as
     reveal.js writes it); 0 when the page has none. */
  function timing(i) {
    return (slides[i] && parseInt(slides[i].getAttribute('data-timing'), 10)) || 0;
  }

  function mmss(t) {
    return Math.floor(t / 60) + ':' + pad(t % 60);
  }

  function buildSpeaker() {
    document.body.classList.add('sb-speaker');
    document.title = 'Speaker view: ' + document.title;
    var view = el('div', 'sb-speaker-view');
    var left = view.appendChild(el('div', 'sb-sp-col'));
    var right = view.appendChild(el('div', 'sb-sp-col'));

    function pane(col, cls, label) {
      var p = col.appendChild(el('div', 'sb-sp-pane ' + cls));
      if (label) p.appendChild(el('h2', 'sb-sp-label', label));
      return p;
    }

    ui.curFrame = pane(left, 'sb-sp-current', 'Current slide').appendChild(el('div', 'sb-sp-frame'));

    var status = left.appendChild(el('div', 'sb-sp-status'));
    ui.timer = status.appendChild(el('span', 'sb-sp-timer', '0:00:00'));
    ui.timer.title = 'Elapsed time';
    ui.pauseBtn = status.appendChild(el('button', null, 'Pause'));
    ui.pauseBtn.type = 'button';
    ui.pauseBtn.addEventListener('click', togglePause);
    var reset = status.appendChild(el('button', null, 'Reset'));
    reset.type = 'button';
    reset.addEventListener('click', function () {
      timer.start = clockNow();
      timer.paused = 0;
      if (timer.pausedAt) timer.pausedAt = timer.start;
      tick();
    });
    ui.clock = status.appendChild(el('span', 'sb-sp-clock'));
    // Pacing: this slide's time by its notes, and whether the talk runs
    // ahead of or behind the times of the slides so far.
    ui.budget = status.appendChild(el('span', 'sb-sp-budget'));
    ui.budget.title = "This slide's time, by its notes";
    ui.pace = status.appendChild(el('span', 'sb-sp-pace'));
    ui.pace.title = 'Ahead of or behind the time the notes take';
    ui.clock.title = 'Clock';
    status.appendChild(el('span', 'sb-sp-black', 'BLACKOUT'));
    ui.count = status.appendChild(el('span', 'sb-sp-count'));
    left.appendChild(el('p', 'sb-sp-help',
      'Keys: \u2190 \u2192 move both windows \u00b7 b blackout \u00b7 + / \u2212 notes size'));

    ui.nextFrame = pane(right, 'sb-sp-next', 'Next').appendChild(el('div', 'sb-sp-frame'));
    ui.notes = pane(right, 'sb-sp-notes', 'Notes').appendChild(el('div', 'sb-sp-notes-body'));
    ui.notes.setAttribute('aria-live', 'polite');

    document.body.appendChild(view);
    tick();
    setInterval(tick, 500);
  }

  function notesZoom(step) {
    var px = parseFloat(getComputedStyle(ui.notes).fontSize) + step;
    ui.notes.style.fontSize = Math.max(12, Math.min(48, px)) + 'px';
  }

  function togglePause() {
    if (timer.pausedAt) {
      timer.paused += clockNow() - timer.pausedAt;
      timer.pausedAt = 0;
      ui.pauseBtn.textContent = 'Pause';
    } else {
      timer.pausedAt = clockNow();
      ui.pauseBtn.textContent = 'Resume';
    }
    ui.timer.classList.toggle('sb-paused', !!timer.pausedAt);
    tick();
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function tick() {
    var now = clockNow();
    var ms = (timer.pausedAt || now) - timer.start - timer.paused;
    var t = Math.max(0, Math.floor(ms / 1000));
    ui.timer.textContent = Math.floor(t / 3600) + ':' + pad(Math.floor(t / 60) % 60) + ':' + pad(t % 60);
    var d = new Date(now);
    ui.clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes());
    pace(t);
  }

  /* Ahead: the slides before this one should take longer than the time
     gone. Behind: the time gone is past this slide's end too. */
  function pace(elapsed) {
    var budget = timing(current);
    if (!budget) {
      ui.budget.textContent = ui.pace.textContent = '';
      return;
    }
    var before = 0;
    for (var i = 0; i < current; i++) before += timing(i);
    ui.budget.textContent = 'slide ' + mmss(budget);
    var state = 'on-time', text = 'on time';
    if (elapsed < before) {
      state = 'ahead';
      text = mmss(before - elapsed) + ' ahead';
    } else if (elapsed > before + budget) {
      state = 'behind';
      text = mmss(elapsed - before - budget) + ' behind';
    }
    ui.pace.textContent = text;
    ui.pace.className = 'sb-sp-pace sb-' + state;
  }

  function renderSpeaker() {
    if (!ui.curFrame) return;
    var cf = ui.curFrame;
    var nf = ui.nextFrame;
    // The next slide fills its column's width at the deck's aspect ratio, but
    // in a short, wide window it may take at most about half the column, so
    // the notes below it always keep room of their own.
    var nw = nf.clientWidth;
    var col = nf.parentNode.parentNode;
    if (getComputedStyle(col).display === 'flex' && col.clientHeight > 0) {
      nw = Math.min(nw, col.clientHeight * 0.5 * W / H);
    }
    nw = Math.max(10, Math.floor(nw));
    nf.style.height = Math.round(nw * H / W) + 'px';
    // the current slide takes the room its column leaves, at the deck's aspect
    // (when the columns are not flex boxes, it simply takes its full width)
    var cp = cf.parentNode;
    var inColumn = getComputedStyle(cp.parentNode).display === 'flex';
    cf.textContent = '';
    cf.style.height = cf.style.flex = cp.style.flex = '';
    var room = inColumn ? cf.clientHeight : 0;
    var cw = room > 40 ? Math.min(cf.clientWidth, room * W / H) : cf.clientWidth;
    cf.style.flex = cp.style.flex = '0 0 auto';
    cf.style.height = (cw * H / W) + 'px';
    cf.appendChild(makeThumb(slides[current], cw));
    nf.textContent = '';
    var frags = fragmentsOf(current).length;
    if (step < frags) {
      // What comes next is this slide's next fragment.
      showFragments(current, step + 1);
      nf.appendChild(makeThumb(slides[current], nw));
      showFragments(current, step);
    } else if (current + 1 < slides.length) {
      nf.appendChild(makeThumb(slides[current + 1], nw));
    } else {
      var end = el('div', 'sb-thumb sb-sp-end', 'End of deck');
      end.style.width = nw + 'px';
      end.style.height = (nw * H / W) + 'px';
      nf.appendChild(end);
    }
    var aside = slides[current].querySelector('aside.notes');
    if (aside && aside.innerHTML.trim()) {
      ui.notes.innerHTML = aside.innerHTML;
    } else {
      ui.notes.innerHTML = '';
      ui.notes.appendChild(el('p', 'sb-sp-notes-empty', 'No notes for this slide.'));
    }
    ui.notes.scrollTop = 0;
    ui.count.textContent = (current + 1) + ' / ' + slides.length +
      (frags ? ' \u00b7 step ' + step + ' / ' + frags : '') +
      ' \u00b7 ' + slideTitle(slides[current], current);
    if (ui.timer) tick();
  }

  /* ---------- deck chrome: progress, number, arrows, blackout, overview ---------- */

  function buildChrome() {
    var progress = el('div', 'sb-progress');
    ui.bar = progress.appendChild(el('span'));
    progress.setAttribute('aria-hidden', 'true');
    ui.number = el('div', 'sb-number');
    ui.number.setAttribute('aria-live', 'polite');
    var nav = el('div', 'sb-nav');
    ui.prevBtn = nav.appendChild(el('button', null, '\u2039'));
    ui.nextBtn = nav.appendChild(el('button', null, '\u203a'));
    ui.prevBtn.type = ui.nextBtn.type = 'button';
    ui.prevBtn.setAttribute('aria-label', 'Previous slide');
    ui.nextBtn.setAttribute('aria-label', 'Next slide');
    ui.prevBtn.addEventListener('click', prev);
    ui.nextBtn.addEventListener('click', next);
    var blackout = el('div', 'sb-blackout');
    blackout.addEventListener('click', function () { setBlack(false); });
    var overview = el('div', 'sb-overview');
    overview.setAttribute('role', 'dialog');
    overview.setAttribute('aria-label', 'Slide overview');
    ui.overviewGrid = overview.appendChild(el('div', 'sb-overview-grid'));
    [progress, ui.number, nav, blackout, overview].forEach(function (n) {
      document.body.appendChild(n);
    });

    var hideTimer = 0;
    document.addEventListener('mousemove', function () {
      document.body.classList.add('sb-pointer');
      clearTimeout(hideTimer);
      hideTimer = setTimeout(function () {
        document.body.classList.remove('sb-pointer');
      }, 2500);
    });
  }

  /* ---------- input ---------- */

  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var handled = true;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown':
      case 'n': case 'N': case 'l': case 'L': case 'j': case 'J':
        next(); break;
      case ' ': case 'Spacebar':
        if (e.shiftKey) prev(); else next();
        break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'Backspace':
      case 'p': case 'P': case 'h': case 'H': case 'k': case 'K':
        prev(); break;
      case 'Home': go(0); break;
      case 'End': go(slides.length - 1); break;
      case 'b': case 'B': case '.':
        setBlack(!black); break;
      case 'o': case 'O': case 'Escape':
        if (isSpeaker) handled = false; else toggleOverview();
        break;
      case 'Enter':
        if (overviewOpen && !(t && t.classList && t.classList.contains('sb-overview-item'))) {
          closeOverview();
        } else {
          handled = false;
        }
        break;
      case '+': case '=': case '-': case '_':
        if (isSpeaker) notesZoom(e.key === '+' || e.key === '=' ? 2 : -2); else handled = false;
        break;
      case 's': case 'S':
        if (isSpeaker || e.repeat) handled = false; else openSpeaker();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  function onTouch() {
    var sx = 0, sy = 0, on = false;
    document.addEventListener('touchstart', function (e) {
      if (e.touches.length !== 1 || overviewOpen) { on = false; return; }
      on = true;
      sx = e.touches[0].clientX;
      sy = e.touches[0].clientY;
    }, { passive: true });
    document.addEventListener('touchend', function (e) {
      if (!on) return;
      on = false;
      var p = e.changedTouches[0];
      var dx = p.clientX - sx, dy = p.clientY - sy;
      if (Math.abs(dx) > 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        if (dx < 0) next(); else prev();
      }
    }, { passive: true });
  }

  /* ---------- start ---------- */

  /* Pictures still loading refit their slide when they come. */
  function refitOnLoad(within) {
    Array.prototype.forEach.call(within.querySelectorAll('img'), function (img) {
      if (img.complete) return;
      img.addEventListener('load', function () {
        var s = img.closest('.slides > section');
        if (!s) return;
        fitSlide(s);
        if (isSpeaker) renderSpeaker();
      });
    });
  }

  markSoloPictures();
  fitAll();
  refitOnLoad(stage);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(function () {
      fitAll();
      if (isSpeaker) renderSpeaker();
    });
  }

  if (isSpeaker) {
    buildSpeaker();
    peer = window.opener || null;
  } else {
    buildChrome();
  }
  layoutStage();
  var start = readHash();
  go(start == null ? 0 : start, { force: true, remote: true, step: hashStep });

  if (isSpeaker && peer) {
    post(peer, { type: 'hello' });
    setInterval(function () {
      if (peer && !peer.closed) post(peer, { type: 'ping' });
    }, 2000);
  }

  /* For `slidebook serve`, which after a rebuild puts the new markup of
     the slides that changed into their <section>s in place, rather than
     reload the page and lose the slide shown, the overview or the speaker
     view's timer: `refit(section)` fits a patched slide (and its build-up
     steps and neighbours, whose steps a new title may change); `refresh()`
     redraws what shows slides (number, speaker view, overview). */
  window.slidebook = {
    refit: function (s) {
      var i = slides.indexOf(s);
      if (i < 0) return;
      markSoloPicture(s);
      refitOnLoad(s);
      var from = stepsOf(Math.max(0, i - 1))[0];
      var to = stepsOf(Math.min(slides.length - 1, i + 1))[1];
      for (var j = from; j <= to; ) {
        var r = stepsOf(j);
        fitRange(r[0], r[1]);
        j = r[1] + 1;
      }
    },
    refresh: function () {
      go(current, { force: true, remote: true, step: step });
      if (overviewOpen) {
        closeOverview();
        openOverview();
      }
    }
  };

  window.addEventListener('resize', function () {
    layoutStage();
    if (overviewOpen) layoutOverview();
    if (isSpeaker) renderSpeaker();
  });
  window.addEventListener('hashchange', function () {
    var i = readHash();
    if (i != null) go(i, { step: hashStep });
  });
  document.addEventListener('keydown', onKey);
  onTouch();
})();
