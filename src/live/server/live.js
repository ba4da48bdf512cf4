/* What `slidebook serve` puts after every page it serves, inside a function
   where the server has set `seen` (the number of the build the page is
   from), `good` (the last good build's) and `failed` (whether the last
   build failed). It waits for the next build, then:
   - a good build: a deck fetches its new page and puts the markup of the
     slides that changed into their sections in place (the runtime refits
     them), so the slide shown, the overview and the speaker view with its
     timer stay; when that cannot follow (slides added or removed, a new
     head, runtime or frame) it reloads, as other pages do;
   - a failed build: its errors, as the server wrote and escaped them, are
     laid over the page, which stays as it is; the next good build takes
     them away. */
var WAIT = '/__slidebook/wait', STATUS = '/__slidebook/status';
var MARK = '/* slidebook serve';
var page = location.pathname;
var deck = window.slidebook && document.querySelector('.reveal > .slides');
var base = null;   // the page as served: the markup patches compare with
var shown = null;  // the errors laid over the page

function get(url) {
  return fetch(url, { cache: 'no-store' }).then(function (r) {
    if (!r.ok) throw r;
    return r;
  });
}

/* A served page's parts: the frame around the slides (head, runtime, the
   deck's element and its attributes, anything else in the body) as one
   string, and each slide's markup; null when it is not a deck. */
function parts(doc) {
  var reveal = doc.querySelector('.reveal');
  var stage = reveal && reveal.querySelector(':scope > .slides');
  if (!stage || !doc.body) return null;
  var frame = [doc.head ? doc.head.innerHTML : '', reveal.cloneNode(false).outerHTML,
    stage.cloneNode(false).outerHTML];
  var sections = [];
  Array.prototype.forEach.call(stage.children, function (c) {
    if (c.tagName === 'SECTION') sections.push(c); else frame.push(c.outerHTML);
  });
  Array.prototype.forEach.call(doc.body.children, function (c) {
    if (c === reveal) return;
    if (c.tagName === 'SCRIPT' && c.textContent.indexOf(MARK) === 0) return;
    frame.push(c.outerHTML);
  });
  return {
    frame: frame.join('\n'),
    nodes: sections,
    html: sections.map(function (s) { return s.outerHTML; })
  };
}

/* This page as the server has it now, and the good build it is from. */
function load() {
  return get(page).then(function (r) { return r.text(); }).then(function (text) {
    var at = text.lastIndexOf('<script>' + MARK);
    var m = /var good=(\d+);/.exec(text.slice(at < 0 ? text.length : at));
    var doc = new DOMParser().parseFromString(text, 'text/html');
    return { parts: parts(doc), good: m ? +m[1] : -1 };
  });
}

function liveSections() {
  return Array.prototype.filter.call(deck.children, function (c) {
    return c.tagName === 'SECTION';
  });
}

/* Puts a new slide's markup and attributes into the section shown, which
   the runtime holds on to; keeps where the runtime has it (present, past
   or future, hidden or not). */
function patch(s, n) {
  var keep = ['present', 'past', 'future'].filter(function (c) {
    return s.classList.contains(c);
  });
  var hidden = s.getAttribute('aria-hidden');
  Array.prototype.slice.call(s.attributes).forEach(function (a) {
    if (!n.hasAttribute(a.name)) s.removeAttribute(a.name);
  });
  Array.prototype.forEach.call(n.attributes, function (a) {
    s.setAttribute(a.name, a.value);
  });
  keep.forEach(function (c) { s.classList.add(c); });
  if (hidden !== null) s.setAttribute('aria-hidden', hidden);
  s.innerHTML = n.innerHTML;
}

/* Follows the good build `to` in place, or reloads. */
function update(to) {
  var reload = function () {
    location.reload();
    throw 'reloading';
  };
  if (!deck || !base) return Promise.resolve().then(reload);
  // Whatever goes wrong on the way (the page gone, a patch that fails),
  // a reload still shows the build.
  return load().then(function (now) {
    var next = now.parts;
    var live = liveSections();
    if (!next || next.frame !== base.frame || next.html.length !== base.html.length ||
        live.length !== next.html.length) reload();
    var changed = [];
    next.html.forEach(function (html, i) {
      if (html === base.html[i]) return;
      patch(live[i], next.nodes[i]);
      changed.push(live[i]);
    });
    changed.forEach(function (s) { window.slidebook.refit(s); });
    if (changed.length) window.slidebook.refresh();
    base = next;
    good = Math.max(to, now.good);
  }).catch(function (e) {
    if (e !== 'reloading') location.reload();
    throw 'reloading';
  });
}

function showErrors(html) {
  if (html === shown) return;
  shown = html;
  var box = document.getElementById('sb-live-errors');
  if (!html) {
    if (box) box.remove();
    return;
  }
  if (!box) {
    box = document.createElement('div');
    box.id = 'sb-live-errors';
    document.body.appendChild(box);
  }
  box.hidden = false;
  box.innerHTML = html;
}

document.addEventListener('click', function (e) {
  var hide = e.target.closest && e.target.closest('#sb-live-errors .sb-live-hide');
  if (hide) document.getElementById('sb-live-errors').hidden = true;
});

/* What the last build came to: errors shown or cleared, a new good build
   followed. Then back to waiting. */
function status() {
  get(STATUS).then(function (r) { return r.json(); }).then(function (st) {
    seen = st.build;
    showErrors(st.errors);
    if (st.good !== good && st.good > 0) return update(st.good);
  }).then(wait, function (e) {
    if (e !== 'reloading') setTimeout(status, 1000);
  });
}

function wait() {
  get(WAIT + '?since=' + seen).then(function (r) { return r.text(); }).then(function (t) {
    if (+t !== seen) status(); else wait();
  }, function () { setTimeout(wait, 1000); });
}

/* What the patches compare with: this page as served. A page whose text
   differs from it (it was served as a build swapped in) is reloaded at
   the next build rather than patched. */
function baseline() {
  return load().then(function (now) {
    var live = deck ? liveSections() : [];
    var same = now.parts && now.good === good && now.parts.nodes.length === live.length &&
      now.parts.nodes.every(function (n, i) { return n.textContent === live[i].textContent; });
    base = same ? now.parts : null;
  }, function () { base = null; });
}

(deck ? baseline() : Promise.resolve()).then(function () {
  if (failed) status(); else wait();
});
