// caveat report: renders the articles of the current page from the embedded JSON.
// Offsets in the data are UTF-16 units (converted from code points by caveat), so
// String.prototype.slice applies directly.
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('caveat-data').textContent);
  var META = JSON.parse(document.getElementById('caveat-meta').textContent);
  var PAGE = META.pageSize || 20;
  var MAXC = META.maxChars || 20000;
  var $ = function (id) { return document.getElementById(id); };
  var state = { q: '', label: '', cat: '', source: '', unc: false };
  // Source groups (same grouping as `caveat stats`): [name, label, claims, hedged, vague,
  // articles, other names joined by "|"], most claims first; GK maps a source key to its group.
  var GROUPS = META.groups || [], GK = META.gk || [], KINDS = META.kinds || [''];
  var matches = [];
  var page = 0;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function cls(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, '_'); }
  function pct(a, b) { return b ? Math.round(100 * a / b) + '%' : '0%'; }
  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  // ---- marks -------------------------------------------------------------------------
  // Layers, outer to inner: 0 uncertain sentence, 1 content, 2 source, 3 cue, 4 entity, 5 hedge.
  function collectMarks(d, L) {
    var marks = [];
    function add(a, b, k, open) {
      if (a < 0 || b <= a || a >= L) return null;
      var m = { a: a, b: Math.min(b, L), k: k, open: open, end: b };
      marks.push(m);
      return m;
    }
    d.s.forEach(function (s) { add(s[0], s[1], 0, '<span class="sent-u">'); });
    // One mark per distinct attribution part; data-att lists every attribution it belongs to.
    var parts = {}, order = [], multi = clusterSizes(d), resolved = resolvedSources(d);
    d.a.forEach(function (t, i) {
      [[4, 1, 'att-content', 'content'], [0, 2, 'att-source', 'source'], [2, 3, 'att-cue', 'cue']].forEach(function (p) {
        var a = t[p[0]], b = t[p[0] + 1];
        if (a < 0 || b <= a) return;
        var key = p[1] + ':' + a + ':' + b;
        if (!parts[key]) { parts[key] = { a: a, b: b, k: p[1], c: p[2], w: p[3], atts: [], vague: false, cl: -1 }; order.push(key); }
        parts[key].atts.push(i);
        if (p[1] === 2 && resolved[i] !== undefined && multi[resolved[i]] > 1) parts[key].cl = resolved[i];
        if (t[6] && p[1] === 2) parts[key].vague = true;
      });
    });
    order.forEach(function (key) {
      var p = parts[key];
      var title = p.w + ' of attribution ' + p.atts.map(function (i) { return i + 1; }).join(', ') + (p.vague ? ' (vague source)' : '') +
        (p.cl >= 0 ? ' \u00b7 cluster ' + (p.cl + 1) + ': ' + d.c[p.cl][0] : '');
      var m = add(p.a, p.b, p.k, '<span class="' + p.c + '" data-att="' + p.atts.join(' ') + '"' + (p.cl >= 0 ? ' data-cl="' + p.cl + '"' : '') + ' title="' + esc(title) + '">');
      if (m && p.cl >= 0) m.cl = p.cl;
    });
    d.e.forEach(function (e) {
      var c = e[4] >= 0 && multi[e[4]] > 1 && d.c && d.c[e[4]] ? e[4] : -1;
      var title = esc(e[2]) + ' \u00b7 score ' + e[3] + (c >= 0 ? ' \u00b7 cluster ' + (c + 1) + ': ' + esc(d.c[c][0]) : '');
      var m = add(e[0], e[1], 4, '<span class="ent ent-' + cls(e[2]) + '" data-label="' + esc(e[2]) + '"' + (c >= 0 ? ' data-cl="' + c + '"' : '') + ' title="' + title + '">');
      if (m) { m.label = e[2]; m.cl = c; }
    });
    d.h.forEach(function (h) {
      var t = 'hedge: ' + h[2] + ' \u00b7 score ' + h[3] + (h[4] ? ' \u00b7 negated' : '') + (h[5] >= 0 ? ' \u00b7 in attribution ' + (h[5] + 1) : '');
      add(h[0], h[1], 5, '<span class="hedge h-' + cls(h[2]) + (h[4] ? ' neg' : '') + '" data-cat="' + esc(h[2]) + '" title="' + esc(t) + '">');
    });
    marks.sort(function (x, y) { return x.a - y.a || x.k - y.k; });
    return marks;
  }

  // Segments between all span boundaries; each segment is wrapped in the marks active on it,
  // so overlapping spans nest properly. Linear in the number of boundaries times active marks.
  function markText(d, L) {
    var x = d.x, marks = collectMarks(d, L);
    var cuts = new Float64Array(marks.length * 2 + 2), n = 0, i;
    cuts[n++] = 0; cuts[n++] = L;
    for (i = 0; i < marks.length; i++) { cuts[n++] = marks[i].a; cuts[n++] = marks[i].b; }
    cuts = cuts.subarray(0, n).sort();
    var out = [], active = [], mi = 0, prev = -1;
    for (i = 0; i + 1 < n; i++) {
      var p = cuts[i], q = cuts[i + 1];
      if (p === prev || q <= p) continue;
      prev = p;
      active = active.filter(function (m) { return m.b > p; });
      while (mi < marks.length && marks[mi].a <= p) { if (marks[mi].b > p) active.push(marks[mi]); mi++; }
      var seg = esc(x.slice(p, q));
      if (!active.length) { out.push(seg); continue; }
      active.sort(function (u, v) { return u.k - v.k; });
      var outer = '', outerClose = '', inner = '', innerClose = '', tags = '';
      for (var j = 0; j < active.length; j++) {
        var m = active[j];
        if (m.k < 4) { outer += m.open; outerClose += '</span>'; }
        else { inner += m.open; innerClose += '</span>'; }
        if (m.k === 4 && m.end === q && m.label !== undefined) {
          tags += '<span class="tag ent-' + cls(m.label) + '">' + esc(m.label) + '</span>';
        }
        if ((m.k === 4 || m.k === 2) && m.end === q && m.cl >= 0) {
          tags += '<sub class="cl-tag" data-cl="' + m.cl + '">' + (m.cl + 1) + '</sub>';
        }
      }
      out.push(outer + inner + seg + innerClose + tags + outerClose);
    }
    return out.join('');
  }

  // Attribution sources resolved to a cluster without holding one of its entities ("he"):
  // mentions of the cluster too. Returns {attribution index: cluster}.
  function resolvedSources(d) {
    var out = {};
    if (!d.c) return out;
    d.a.forEach(function (t, i) {
      var c = t[13];
      if (!(c >= 0) || t[0] < 0) return;
      for (var j = 0; j < d.e.length; j++) if (d.e[j][4] === c && d.e[j][0] >= t[0] && d.e[j][1] <= t[1]) return;
      out[i] = c;
    });
    return out;
  }
  // Mentions per cluster in one article (clusters of one mention are not marked).
  function clusterSizes(d) {
    var n = {}, r = resolvedSources(d), i;
    if (d.c) d.e.forEach(function (e) { if (e[4] >= 0) n[e[4]] = (n[e[4]] || 0) + 1; });
    for (i in r) n[r[i]] = (n[r[i]] || 0) + 1;
    return n;
  }

  // ---- articles ----------------------------------------------------------------------
  // The article's clusters of more than one mention: number, canonical name, label, size.
  function clusterList(d) {
    if (!d.c) return '';
    var n = clusterSizes(d), items = [];
    d.c.forEach(function (c, i) {
      if (n[i] > 1) {
        items.push('<span class="cl-item" data-cl="' + i + '"><sub class="cl-tag">' + (i + 1) + '</sub>' + esc(c[0]) +
          (c[1] ? ' <span class="tag ent-' + cls(c[1]) + '">' + esc(c[1]) + '</span>' : '') + ' \u00d7' + n[i] + '</span>');
      }
    });
    return items.length ? '<div class="clusters">Clusters: ' + items.join(' ') + '</div>' : '';
  }

  function attList(d, limit) {
    if (!d.a.length) return '';
    var x = d.x, items = [];
    var part = function (a, b) { return a >= 0 && b > a ? x.slice(a, b) : ''; };
    var hedgesOf = {};
    d.h.forEach(function (h) { if (h[5] >= 0) (hedgesOf[h[5]] = hedgesOf[h[5]] || []).push(h); });
    var shown = Math.min(d.a.length, limit);
    for (var i = 0; i < shown; i++) {
      var t = d.a[i];
      var src = part(t[0], t[1]), cue = part(t[2], t[3]), con = part(t[4], t[5]);
      var name = t[8] || src;
      var li = '<li class="att-item" data-att="' + i + '">';
      // A source resolved to a cluster ("he" -> Evgeny Mikhaylov) shows both.
      if (t[13] >= 0 && src && name && src.toLowerCase().indexOf(name.toLowerCase()) < 0) li += '<span class="a-as" title="the source as written">' + esc(clip(src, 60)) + '</span>';
      li += name ? '<span class="a-src" title="' + esc(src) + '">' + esc(name) + '</span>' : '<span class="a-none">no source</span>';
      if (t[6]) li += '<span class="flag vague" title="vague or anonymous source">vague</span>';
      li += '<span class="sep">\u2014</span>' + (cue ? '<span class="a-cue">' + esc(cue) + '</span>' : '<span class="a-none">no cue</span>');
      // <q> adds quotation marks: drop the content's own outer ones.
      var shown_con = con.replace(/^[\s"'\u201c\u201d\u2018\u2019]+|[\s"'\u201c\u201d\u2018\u2019,]+$/g, '') || con;
      li += '<span class="sep">\u2014</span>' + (con ? '<q class="a-con">' + esc(clip(shown_con, 300)) + '</q>' : '<span class="a-none">no content</span>');
      if (t[7] >= 0 && d.a[t[7]]) {
        var c = d.a[t[7]];
        li += '<span class="cites">citing ' + esc(c[8] || part(c[0], c[1]) || '#' + (t[7] + 1)) + '</span>';
      }
      var hs = hedgesOf[i];
      if (hs) {
        li += '<span class="a-hedges">hedges: ' + hs.map(function (h) {
          return '<span class="hedge h-' + cls(h[2]) + (h[4] ? ' neg' : '') + '" title="' + esc(h[2]) + '">' + esc(part(h[0], h[1])) + '</span>';
        }).join(', ') + '</span>';
      } else if (t[9]) {
        li += '<span class="flag hedged" title="in an uncertain sentence">hedged</span>';
      }
      items.push(li + '</li>');
    }
    var more = d.a.length > shown ? '<li><button type="button" class="more" data-more-atts="1">Show all ' + d.a.length + ' attributions</button></li>' : '';
    return '<ol class="atts">' + items.join('') + more + '</ol>';
  }

  function articleHTML(idx) {
    var d = DATA[idx];
    var L = Math.min(d._lim || MAXC, d.x.length);
    // Never cut a surrogate pair.
    if (L < d.x.length && /[\ud800-\udbff]/.test(d.x.charAt(L - 1))) L++;
    var title = d.t || d.i;
    var h = '<article class="doc" id="doc-' + idx + '" data-idx="' + idx + '"><header>';
    h += '<h3>' + esc(title) + '</h3><span class="docid">' + esc(d.i) + '</span>';
    h += '<span class="badge' + (d.u ? ' unc' : '') + '">' + d.u + '/' + d.n + ' sentences hedged (' + pct(d.u, d.n) + ')</span>';
    h += '<span class="badge">' + d.e.length + ' entities \u00b7 ' + d.h.length + ' hedges \u00b7 ' + d.a.length + ' attributions</span>';
    if (d.tr) h += '<span class="badge tr">truncated</span>';
    h += '</header>' + clusterList(d) + '<div class="text">' + markText(d, L) + '</div>';
    if (L < d.x.length) {
      h += '<button type="button" class="more" data-more="1">Show more (' + (d.x.length - L).toLocaleString() + ' characters left)</button>';
    }
    h += attList(d, d._attLim || 100) + '</article>';
    return h;
  }

  // ---- filtering and paging ------------------------------------------------------------
  function applyFilters() {
    var q = state.q.toLowerCase(), src = state.source.toLowerCase();
    matches = [];
    for (var i = 0; i < DATA.length; i++) {
      var d = DATA[i], j, ok;
      if (state.unc && !d.u) continue;
      if (state.label) { ok = false; for (j = 0; j < d.e.length && !ok; j++) ok = d.e[j][2] === state.label; if (!ok) continue; }
      if (state.cat) { ok = false; for (j = 0; j < d.h.length && !ok; j++) ok = d.h[j][2] === state.cat; if (!ok) continue; }
      if (src) {
        ok = false;
        for (j = 0; j < d.a.length && !ok; j++) {
          var t = d.a[j], nm = (t[8] || (t[0] >= 0 ? d.x.slice(t[0], t[1]) : '')).toLowerCase();
          ok = nm.indexOf(src) >= 0 || (t[10] >= 0 && GROUPS[GK[t[10]]] !== undefined && GROUPS[GK[t[10]]][0].toLowerCase().indexOf(src) >= 0);
        }
        if (!ok) continue;
      }
      if (q) {
        if (d._lc === undefined) d._lc = (d.i + '\n' + (d.t || '') + '\n' + d.x).toLowerCase();
        if (d._lc.indexOf(q) < 0) continue;
      }
      matches.push(i);
    }
  }

  function pages() { return Math.max(1, Math.ceil(matches.length / PAGE)); }

  function pagerHTML() {
    var P = pages();
    return '<button type="button" data-page="first" ' + (page === 0 ? 'disabled' : '') + '>\u00ab First</button>' +
      '<button type="button" data-page="prev" ' + (page === 0 ? 'disabled' : '') + '>\u2039 Prev</button>' +
      '<span>Page <input type="number" min="1" max="' + P + '" value="' + (page + 1) + '" data-page-input="1" aria-label="Page"> of ' + P + '</span>' +
      '<button type="button" data-page="next" ' + (page >= P - 1 ? 'disabled' : '') + '>Next \u203a</button>' +
      '<button type="button" data-page="last" ' + (page >= P - 1 ? 'disabled' : '') + '>Last \u00bb</button>' +
      '<span class="count">' + matches.length.toLocaleString() + ' of ' + DATA.length.toLocaleString() + ' articles</span>';
  }

  // The state lives in the URL fragment too (#q=...&label=...&cat=...&source=...&unc=1&page=N),
  // so a view can be bookmarked or opened directly.
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.q = p.get('q') || ''; state.label = p.get('label') || ''; state.cat = p.get('cat') || '';
    state.source = p.get('source') || ''; state.unc = p.get('unc') === '1';
    cstate.source = p.get('cs') || ''; cstate.kind = p.get('ck') || ''; cstate.cat = p.get('cc') || '';
    cstate.hedged = p.get('ch') === '1';
    cpage = Math.max(0, (parseInt(p.get('cp'), 10) || 1) - 1);
    return Math.max(0, (parseInt(p.get('page'), 10) || 1) - 1);
  }
  function writeHash() {
    var p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.label) p.set('label', state.label);
    if (state.cat) p.set('cat', state.cat);
    if (state.source) p.set('source', state.source);
    if (state.unc) p.set('unc', '1');
    if (page > 0) p.set('page', String(page + 1));
    if (cstate.source) p.set('cs', cstate.source);
    if (cstate.kind) p.set('ck', cstate.kind);
    if (cstate.cat) p.set('cc', cstate.cat);
    if (cstate.hedged) p.set('ch', '1');
    if (cpage > 0) p.set('cp', String(cpage + 1));
    var h = p.toString();
    try { history.replaceState(null, '', h ? '#' + h : location.pathname + location.search); } catch (e) { /* file: URLs may refuse */ }
  }

  function render() {
    page = Math.max(0, Math.min(page, pages() - 1));
    writeHash();
    var slice = matches.slice(page * PAGE, (page + 1) * PAGE);
    var html = slice.map(articleHTML).join('');
    if (!slice.length) html = '<p class="note">No article matches.</p>';
    $('articles').innerHTML = html;
    $('pager-top').innerHTML = pagerHTML();
    $('pager-bottom').innerHTML = pagerHTML();
    document.body.setAttribute('data-page', String(page + 1));
  }

  function refresh() { applyFilters(); page = 0; render(); }

  function goPage(p, scroll) {
    page = p; render();
    if (scroll) $('articles-section').scrollIntoView();
  }


  // ---- claims by source ----------------------------------------------------------------
  // Every attribution is a claim, listed under its source group (most-cited first; the claims
  // of one source in article order). Claims without a named source (a pronoun not resolved to
  // anyone, or none) come last. Only the current page is rendered.
  var CPAGE = META.claimPageSize || 50;
  var NONE = GROUPS.length;
  var cstate = { source: '', kind: '', cat: '', hedged: false };
  var CG, CD, CA, cmatches = [], cpage = 0;

  function buildClaims() {
    var n = 0, i, j, g;
    for (i = 0; i < DATA.length; i++) n += DATA[i].a.length;
    var start = new Int32Array(NONE + 2), grp = new Int32Array(n), k = 0;
    for (i = 0; i < DATA.length; i++) {
      var a = DATA[i].a;
      for (j = 0; j < a.length; j++) {
        g = a[j][10] >= 0 && a[j][10] < GK.length ? GK[a[j][10]] : NONE;
        grp[k++] = g; start[g + 1]++;
      }
    }
    for (g = 1; g < start.length; g++) start[g] += start[g - 1];
    CG = new Int32Array(n); CD = new Int32Array(n); CA = new Int32Array(n); k = 0;
    for (i = 0; i < DATA.length; i++) {
      for (j = 0; j < DATA[i].a.length; j++) {
        g = grp[k++];
        var p = start[g]++;
        CG[p] = g; CD[p] = i; CA[p] = j;
      }
    }
  }

  // Hedge cues of each attribution of an article (cached on the article).
  function hedgesByAtt(d) {
    if (!d._ha) {
      d._ha = {};
      d.h.forEach(function (h) { if (h[5] >= 0) (d._ha[h[5]] = d._ha[h[5]] || []).push(h); });
    }
    return d._ha;
  }

  function claimFilter() {
    var src = cstate.source.toLowerCase(), ok = null, g;
    if (src) {
      ok = new Uint8Array(NONE + 1);
      var exact = -1;
      for (g = 0; g < NONE && exact < 0; g++) if (GROUPS[g][0].toLowerCase() === src) exact = g;
      if (exact >= 0) ok[exact] = 1;
      else for (g = 0; g < NONE; g++) ok[g] = (GROUPS[g][0] + '|' + GROUPS[g][6]).toLowerCase().indexOf(src) >= 0 ? 1 : 0;
    }
    var kind = cstate.kind ? KINDS.indexOf(cstate.kind) : -2;
    cmatches = [];
    for (var c = 0; c < CG.length; c++) {
      if (ok && !ok[CG[c]]) continue;
      var d = DATA[CD[c]], t = d.a[CA[c]];
      if (kind !== -2 && t[11] !== kind) continue;
      if (cstate.hedged && !t[9]) continue;
      if (cstate.cat) {
        var hs = hedgesByAtt(d)[CA[c]], found = false;
        for (var j = 0; hs && j < hs.length && !found; j++) found = hs[j][2] === cstate.cat;
        if (!found) continue;
      }
      cmatches.push(c);
    }
  }

  // Text of x[a, b) with the hedge cues `hs` inside it marked; at most `max` UTF-16 units.
  function marked(x, a, b, hs, max) {
    if (a < 0 || b <= a) return '';
    var end = max && b - a > max ? a + max : b;
    if (end < b && /[\ud800-\udbff]/.test(x.charAt(end - 1))) end++;
    var inside = (hs || []).filter(function (h) { return h[0] >= a && h[1] <= end && h[1] > h[0]; })
      .sort(function (u, v) { return u[0] - v[0]; });
    var out = '', p = a;
    inside.forEach(function (h) {
      if (h[0] < p) return;
      out += esc(x.slice(p, h[0])) + '<span class="hedge h-' + cls(h[2]) + (h[4] ? ' neg' : '') + '" data-cat="' + esc(h[2]) +
        '" title="hedge: ' + esc(h[2]) + (h[4] ? ' (negated)' : '') + '">' + esc(x.slice(h[0], h[1])) + '</span>';
      p = h[1];
    });
    return out + esc(x.slice(p, end)) + (end < b ? '\u2026' : '');
  }

  function groupHead(g, continued) {
    var h = '<div class="src-group" data-g="' + g + '"><h3 class="src-head">';
    if (g === NONE) return h + '<span class="a-none">No named source</span> <span class="hint">(a pronoun not resolved to anyone, or no source found)</span></h3>';
    var G = GROUPS[g];
    h += '<a href="#" class="go a-src" data-claims-source="' + esc(G[0]) + '" title="only this source">' + esc(G[0]) + '</a>';
    if (G[1]) h += '<span class="tag ent-' + cls(G[1]) + '">' + esc(G[1]) + '</span>';
    h += '<span class="badge">' + G[2] + ' claim' + (G[2] === 1 ? '' : 's') + ' \u00b7 ' + G[3] + ' hedged (' + pct(G[3], G[2]) + ') \u00b7 ' + G[5] + ' article' + (G[5] === 1 ? '' : 's') + '</span>';
    if (2 * G[4] > G[2]) h += '<span class="flag vague" title="' + G[4] + ' of its claims have a vague source">vague</span>';
    if (G[6]) h += '<span class="aka">also as ' + G[6].split('|').map(esc).join(', ') + '</span>';
    if (continued) h += '<span class="hint"> (continued)</span>';
    return h + '</h3>';
  }

  function claimHTML(di, ai, g) {
    var d = DATA[di], t = d.a[ai], x = d.x, hs = hedgesByAtt(d)[ai] || [];
    var li = '<li class="claim' + (t[9] ? ' hedged' : '') + '" data-doc="' + di + '" data-att="' + ai + '">';
    li += t[9] ? '<span class="flag hedged" title="' + (hs.length ? 'hedge cue in the claim' : 'in an uncertain sentence') + '">hedged</span>' : '<span class="flag plain">not hedged</span>';
    var kind = KINDS[t[11]] || '';
    if (kind) li += '<span class="kind k-' + cls(kind) + '">' + esc(kind) + '</span>';
    if (t[12]) li += '<span class="flag quote" title="direct quotation">quote</span>';
    var src = t[0] >= 0 && t[1] > t[0] ? x.slice(t[0], t[1]) : '';
    if (src && (g === NONE || src.toLowerCase() !== GROUPS[g][0].toLowerCase())) {
      li += '<span class="a-as" title="the source as written">' + esc(clip(src, 60)) + '</span>';
    }
    li += t[2] >= 0 && t[3] > t[2] ? '<span class="a-cue">' + marked(x, t[2], t[3], hs, 80) + '</span>' : '<span class="a-none">no cue</span>';
    // <q> adds quotation marks: leave the content's own outer ones out.
    var a = t[4], b = t[5], Q = /[\s"'\u201c\u201d\u2018\u2019,]/;
    while (a >= 0 && a < b && Q.test(x.charAt(a))) a++;
    while (b > a && Q.test(x.charAt(b - 1))) b--;
    li += a >= 0 && b > a ? ' <q class="a-con">' + marked(x, a, b, hs, 400) + '</q>' : ' <span class="a-none">no content</span>';
    if (hs.length) {
      li += '<span class="a-hedges">' + hs.map(function (h) {
        return '<span class="hedge h-' + cls(h[2]) + (h[4] ? ' neg' : '') + '">' + esc(x.slice(h[0], h[1])) + '</span> <span class="hcat">' + esc(h[2]) + (h[4] ? ', negated' : '') + '</span>';
      }).join(' \u00b7 ') + '</span>';
    }
    li += '<a href="#" class="go art-link" data-goto="' + di + '" title="open article ' + esc(d.i) + '">' + esc(clip(d.t || d.i, 70)) + '</a>';
    return li + '</li>';
  }

  function claimPages() { return Math.max(1, Math.ceil(cmatches.length / CPAGE)); }

  function claimPagerHTML() {
    var P = claimPages();
    return '<button type="button" data-cpage="prev" ' + (cpage === 0 ? 'disabled' : '') + '>\u2039 Prev</button>' +
      '<span>Page <input type="number" min="1" max="' + P + '" value="' + (cpage + 1) + '" data-cpage-input="1" aria-label="Claims page"> of ' + P + '</span>' +
      '<button type="button" data-cpage="next" ' + (cpage >= P - 1 ? 'disabled' : '') + '>Next \u203a</button>' +
      '<span class="count">' + cmatches.length.toLocaleString() + ' of ' + CG.length.toLocaleString() + ' claims</span>';
  }

  function renderClaims() {
    cpage = Math.max(0, Math.min(cpage, claimPages() - 1));
    var from = cpage * CPAGE, to = Math.min(cmatches.length, from + CPAGE), h = [], last = -1;
    for (var i = from; i < to; i++) {
      var c = cmatches[i], g = CG[c];
      if (g !== last) {
        if (last >= 0) h.push('</ol></div>');
        h.push(groupHead(g, i === from && i > 0 && CG[cmatches[i - 1]] === g), '<ol class="claim-list">');
        last = g;
      }
      h.push(claimHTML(CD[c], CA[c], g));
    }
    if (last >= 0) h.push('</ol></div>');
    $('claims-list').innerHTML = h.length ? h.join('') : '<p class="note">No claim matches.</p>';
    $('claims-pager').innerHTML = claimPagerHTML();
  }

  function refreshClaims() { claimFilter(); cpage = 0; renderClaims(); writeHash(); }

  // ---- controls ------------------------------------------------------------------------
  function fillSelect(sel, values) {
    values.forEach(function (v) { var o = document.createElement('option'); o.value = v; o.textContent = v; sel.appendChild(o); });
  }
  fillSelect($('f-label'), META.labels || []);
  fillSelect($('f-cat'), META.categories || []);
  var dl = $('sources');
  (META.sources || []).forEach(function (v) { var o = document.createElement('option'); o.value = v; dl.appendChild(o); });
  // Claims view: the standard kinds and any other kind in the data; the 300 most-cited sources.
  fillSelect($('c-kind'), ['statement', 'belief', 'perception'].concat(KINDS.filter(function (k) {
    return k && ['statement', 'belief', 'perception'].indexOf(k) < 0;
  })));
  fillSelect($('c-cat'), META.categories || []);
  var cdl = $('claim-sources');
  GROUPS.slice(0, 300).forEach(function (g) { var o = document.createElement('option'); o.value = g[0]; cdl.appendChild(o); });

  var timer = null;
  $('q').addEventListener('input', function (ev) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = ev.target.value.trim(); refresh(); }, 200);
  });
  $('f-source').addEventListener('input', function (ev) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.source = ev.target.value.trim(); refresh(); }, 200);
  });
  var ctimer = null;
  $('c-source').addEventListener('input', function (ev) {
    clearTimeout(ctimer);
    ctimer = setTimeout(function () { cstate.source = ev.target.value.trim(); refreshClaims(); }, 200);
  });
  $('c-kind').addEventListener('change', function (ev) { cstate.kind = ev.target.value; refreshClaims(); });
  $('c-cat').addEventListener('change', function (ev) { cstate.cat = ev.target.value; refreshClaims(); });
  $('c-hedged').addEventListener('change', function (ev) { cstate.hedged = ev.target.checked; refreshClaims(); });
  $('c-clear').addEventListener('click', function () {
    cstate.source = ''; cstate.kind = ''; cstate.cat = ''; cstate.hedged = false; setClaimControls(); refreshClaims();
  });
  function setClaimControls() {
    $('c-source').value = cstate.source; $('c-kind').value = cstate.kind; $('c-cat').value = cstate.cat;
    $('c-hedged').checked = cstate.hedged;
  }
  $('f-label').addEventListener('change', function (ev) { state.label = ev.target.value; refresh(); });
  $('f-cat').addEventListener('change', function (ev) { state.cat = ev.target.value; refresh(); });
  $('f-unc').addEventListener('change', function (ev) { state.unc = ev.target.checked; refresh(); });
  function setControls() {
    $('q').value = state.q; $('f-source').value = state.source; $('f-label').value = state.label;
    $('f-cat').value = state.cat; $('f-unc').checked = state.unc;
  }
  function clearState() { state.q = ''; state.label = ''; state.cat = ''; state.source = ''; state.unc = false; }
  $('f-clear').addEventListener('click', function () { clearState(); setControls(); refresh(); });
  Array.prototype.forEach.call(document.querySelectorAll('[data-layer]'), function (cb) {
    cb.addEventListener('change', function () { document.body.classList.toggle('hide-' + cb.getAttribute('data-layer'), !cb.checked); });
  });

  document.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-page],[data-cpage],[data-more],[data-more-atts],a.go') : null;
    if (!t) return;
    if (t.hasAttribute('data-cpage')) {
      cpage += t.getAttribute('data-cpage') === 'next' ? 1 : -1;
      renderClaims(); writeHash();
      if (t.closest('#claims-pager')) $('claims').scrollIntoView();
    } else if (t.hasAttribute('data-claims-source')) {
      ev.preventDefault();
      cstate.source = t.getAttribute('data-claims-source'); cstate.kind = ''; cstate.cat = ''; cstate.hedged = false;
      setClaimControls(); refreshClaims();
      $('claims').scrollIntoView();
    } else if (t.hasAttribute('data-page')) {
      var w = t.getAttribute('data-page');
      goPage(w === 'first' ? 0 : w === 'prev' ? page - 1 : w === 'next' ? page + 1 : pages() - 1, t.closest('#pager-bottom'));
    } else if (t.hasAttribute('data-more') || t.hasAttribute('data-more-atts')) {
      var art = t.closest('article'), idx = +art.getAttribute('data-idx'), d = DATA[idx];
      if (t.hasAttribute('data-more')) d._lim = Math.min(d.x.length, (d._lim || MAXC) * 4); else d._attLim = d.a.length;
      art.outerHTML = articleHTML(idx);
    } else {
      ev.preventDefault();
      if (t.hasAttribute('data-goto')) {
        var target = +t.getAttribute('data-goto');
        var pos = matches.indexOf(target);
        if (pos < 0) { clearState(); setControls(); applyFilters(); pos = matches.indexOf(target); }
        goPage(Math.floor(pos / PAGE), false);
        var el = $('doc-' + target); if (el) el.scrollIntoView();
        return;
      }
      clearState();
      if (t.hasAttribute('data-source')) state.source = t.getAttribute('data-source');
      if (t.hasAttribute('data-search')) state.q = t.getAttribute('data-search');
      if (t.hasAttribute('data-label')) state.label = t.getAttribute('data-label');
      if (t.hasAttribute('data-cat')) state.cat = t.getAttribute('data-cat');
      setControls(); refresh();
      $('articles-section').scrollIntoView();
    }
  });
  document.addEventListener('change', function (ev) {
    if (ev.target.hasAttribute && ev.target.hasAttribute('data-page-input')) {
      var p = parseInt(ev.target.value, 10);
      if (p >= 1) goPage(Math.min(p, pages()) - 1, false);
    } else if (ev.target.hasAttribute && ev.target.hasAttribute('data-cpage-input')) {
      var q = parseInt(ev.target.value, 10);
      if (q >= 1) { cpage = Math.min(q, claimPages()) - 1; renderClaims(); writeHash(); }
    }
  });
  // Hovering an attribution in the list outlines its spans in the text; hovering a cluster
  // (in the list or its number in the text) outlines its mentions.
  function hover(ev, on) {
    var li = ev.target.closest ? ev.target.closest('li.att-item,#articles [data-cl]') : null;
    if (!li) return;
    var art = li.closest('article');
    var c = li.getAttribute('data-cl');
    var sel = c !== null ? '.text .ent[data-cl="' + c + '"], .text .att-source[data-cl="' + c + '"]' : '.text [data-att~="' + li.getAttribute('data-att') + '"]';
    Array.prototype.forEach.call(art.querySelectorAll(sel), function (el) { el.classList.toggle('hl', on); });
  }
  document.addEventListener('mouseover', function (ev) { hover(ev, true); });
  document.addEventListener('mouseout', function (ev) { hover(ev, false); });

  var first = readHash();
  setControls();
  setClaimControls();
  buildClaims();
  claimFilter();
  renderClaims();
  applyFilters();
  page = first;
  render();
  // What tests/page_timing.mjs reads as "time to first render".
  if (window.performance && performance.mark) performance.mark('caveat-first-render');
  window.addEventListener('hashchange', function () {
    var p = readHash(); setControls(); setClaimControls(); claimFilter(); renderClaims(); applyFilters(); page = p; render();
  });
})();
