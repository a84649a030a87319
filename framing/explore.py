"""An offline, self-contained HTML explorer for a Fightin' Words contrast.

:func:`explore_contrast` writes one HTML file (inline CSS and a small hand-written script, no
external library, no server, no network) with every tested term of a
:func:`framing.fightin_words` result placed as in Monroe, Colaresi & Quinn's plot (x: log
frequency in both groups, y: z), coloured by the document-level test (q < alpha), a search
box, the counts/documents/delta/interval/q of a term on hover, and its concordance lines
(:func:`framing.concordance`, with each line's voice and speaker) on click, grouped by outlet.
With several contrasts (``mode="one-vs-rest"`` or ``"pairs"``) a selector switches between them.
A link can open the page on a term: ``explorer.html#q=sham`` searches for "sham" and
``#contrast=RT%20vs%20rest&open=sham`` selects a contrast and clicks the term's dot (each step goes
through the same control a reader uses).

The page embeds corpus text (the concordance lines): it is the user's own output, not
something to publish or commit. :class:`ContrastExplorer` builds the same page for a notebook
(``_repr_html_`` embeds it in an iframe).
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_labels
from framing._compat import renamed_kwargs
from framing._display import html_summary
from framing.tokens import LexicalError

__all__ = ["explore_contrast", "ContrastExplorer"]

_DATA_ID = "framing-explorer-data"


def _num(x: Any, digits: int = 4) -> float | None:
    """A JSON-safe rounded float (None for NA/NaN/inf)."""
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return float(f"{f:.{digits}g}")


def _date(x: Any) -> str | None:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    try:
        ts = pd.Timestamp(x)
    except (TypeError, ValueError):
        return str(x)
    return None if pd.isna(ts) else ts.strftime("%Y-%m-%d")


def _str(x: Any) -> str | None:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return str(x)


def _contrast_terms(sub: pd.DataFrame, top: int) -> set[str]:
    """The ``top`` terms of each side (highest and lowest z) of one contrast."""
    z = sub["z"].to_numpy(dtype=float)
    order = np.argsort(-z, kind="stable")
    pos = [i for i in order if z[i] > 0][:top]
    neg = [i for i in order[::-1] if z[i] < 0][:top]
    terms = sub["term"].astype(str).to_numpy()
    return {terms[i] for i in pos + neg}


class _DocIndex:
    """Which documents contain a term: the result's tokenisation (a doc-term matrix) first,
    a case-insensitive substring search as the fallback."""

    def __init__(self, corpus: pd.DataFrame, ngram_range: tuple[int, int]):
        from framing.lexical.counts import term_counts

        self.corpus = corpus
        self._lower: list[str] | None = None
        try:
            X, vocab = term_counts(corpus, ngram_range=tuple(ngram_range))
            self.X = X.tocsc()
            self.col = {str(t): k for k, t in enumerate(vocab)}
        except Exception:  # an empty corpus or vocabulary: fall back to substrings
            self.X, self.col = None, {}

    def rows(self, term: str) -> np.ndarray:
        k = self.col.get(term)
        if k is not None:
            X = self.X
            return np.sort(X.indices[X.indptr[k]:X.indptr[k + 1]])
        if self._lower is None:
            self._lower = [str(t).lower() for t in self.corpus["text"].tolist()]
        needle = term.lower()
        return np.array([i for i, t in enumerate(self._lower) if needle in t], dtype=np.int64)


def _round_robin(groups: dict[Any, list[Any]], limit: int) -> list[Any]:
    """Take items in turn from each group (in the groups' order) until ``limit``."""
    out: list[Any] = []
    queues = [list(v) for v in groups.values()]
    k = 0
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
        k += 1
    return out


def _spread(items: list[Any], n: int) -> list[Any]:
    """``n`` items spread evenly over ``items`` (keeps order)."""
    if len(items) <= n:
        return list(items)
    idx = np.unique(np.linspace(0, len(items) - 1, n).round().astype(int))
    return [items[i] for i in idx]


def _grouped(corpus: pd.DataFrame, group: Any) -> tuple[pd.DataFrame, str]:
    """The corpus with its group labels in a column (documents in no group left out), and
    that column's name (``group`` itself for a column; ``"group"`` for a mapping)."""
    corpus = corpus.reset_index(drop=True)
    corpus.attrs = {}  # a copy: pandas deep-copies attrs (provenance, dropped rows) on every operation
    if isinstance(group, str):
        return corpus, group
    labels = group_labels(corpus, group, error=LexicalError, name="the corpus")
    corpus = corpus.assign(group=labels)[labels.notna().to_numpy()].reset_index(drop=True)
    corpus.attrs = {}
    return corpus, "group"


def _lines_for_terms(terms: list[str], corpus: pd.DataFrame, *, sentences: pd.DataFrame | None, group: Any,
                     max_lines: int, width: int, ngram_range: tuple[int, int]) -> tuple[dict[str, list], dict]:
    """Concordance lines (at most ``max_lines``) for each term, balanced over the groups."""
    from framing.markers import concordance

    if not terms or max_lines == 0:
        return {}, {}
    corpus, by = _grouped(corpus, group)
    index = _DocIndex(corpus, ngram_range)
    groups = corpus[by].astype(str).to_numpy() if by in corpus.columns else np.array(["all"] * len(corpus))
    dates = pd.to_datetime(corpus["published"], errors="coerce") if "published" in corpus.columns else None
    order_key = np.argsort(dates.to_numpy(), kind="stable") if dates is not None else np.arange(len(corpus))
    rank = np.empty(len(corpus), dtype=np.int64)
    rank[order_key] = np.arange(len(corpus))

    # documents per term: spread over time within each group, taken in turn from each group
    chosen: dict[str, np.ndarray] = {}
    for term in terms:
        rows = index.rows(term)
        if not len(rows):
            continue
        rows = rows[np.argsort(rank[rows], kind="stable")]
        per: dict[str, list[int]] = {}
        for r in rows:
            per.setdefault(groups[r], []).append(int(r))
        per = {g: _spread(v, max_lines) for g, v in sorted(per.items())}
        chosen[term] = np.array(_round_robin(per, max_lines), dtype=np.int64)
    if not chosen:
        return {}, {}

    # one sentence table with voice for every chosen document, computed once
    need = np.unique(np.concatenate(list(chosen.values())))
    docs = corpus.iloc[need]
    if sentences is not None:
        sents = sentences[sentences["doc_id"].isin(set(docs["doc_id"]))]
    elif {"doc_id", "outlet", "published", "text"} <= set(corpus.columns):
        from framing.segment import split_sentences

        sents = split_sentences(docs)
    else:
        sents = None
    if sents is not None and len(sents) and "own_text" not in sents.columns:
        from framing.voice import attribute_voice

        sents = attribute_voice(sents)
    if sents is not None:
        sents = sents.copy(deep=False)
        sents.attrs = {}
    by_doc = {d: s for d, s in sents.groupby("doc_id", sort=False)} if sents is not None and len(sents) else {}
    empty = sents.iloc[:0] if sents is not None else None

    out: dict[str, list] = {}
    totals: dict[str, int] = {}
    for term, rows in chosen.items():
        sub = corpus.iloc[rows]
        ss = None
        if sents is not None:
            parts = [by_doc[d] for d in sub["doc_id"] if d in by_doc]
            ss = pd.concat(parts) if parts else empty
        kw = concordance(sub, term, group=by if by in sub.columns else "doc_id", width=width, sentences=ss)
        if kw.empty:
            continue
        totals[term] = len(kw)
        # one line per document first, in turn over groups; then the rest
        key = kw[by].astype(str) if by in kw.columns else pd.Series("all", index=kw.index)
        first = ~kw.duplicated("doc_id")
        pick = _round_robin({g: list(kw.index[(key == g) & first]) for g in sorted(key.unique())}, max_lines)
        if len(pick) < max_lines:
            rest = {g: list(kw.index[(key == g) & ~first]) for g in sorted(key.unique())}
            pick += _round_robin(rest, max_lines - len(pick))
        kw = kw.loc[sorted(pick)]
        out[term] = [[_str(r.get(by)), _str(r["doc_id"]), _date(r.get("published")), _str(r.get("voice")),
                      _str(r.get("speaker")), r["left"], r["match"], r["right"]] for r in kw.to_dict("records")]
    return out, totals


def _payload(result: pd.DataFrame, corpus: pd.DataFrame, *, sentences: pd.DataFrame | None, max_lines: int,
             top: int, width: int, group: Any, alpha: float | None, title: str | None) -> dict[str, Any]:
    if not isinstance(result, pd.DataFrame) or not {"term", "group", "other", "z"} <= set(result.columns):
        raise LexicalError("explore_contrast: result must be a fightin_words result (term, group, other, z, ...)")
    if not isinstance(corpus, pd.DataFrame) or "text" not in corpus.columns or "doc_id" not in corpus.columns:
        raise LexicalError("explore_contrast: corpus must be a corpus table with doc_id and text")
    for name, v in (("max_lines", max_lines), ("top", top), ("width", width)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise LexicalError(f"explore_contrast: {name} must be a non-negative int, got {v!r}")
    attrs = dict(result.attrs)
    alpha = float(attrs.get("alpha", 0.05) if alpha is None else alpha)
    ngram_range = tuple(attrs.get("ngram_range", (1, 1)))

    contrasts = []
    keys = result[["group", "other"]].astype(str).drop_duplicates().itertuples(index=False)
    terms: dict[str, int] = {}
    term_list: list[str] = []
    with_lines: set[str] = set()
    for g, o in keys:
        sub = result[(result["group"].astype(str) == g) & (result["other"].astype(str) == o)]
        with_lines |= _contrast_terms(sub, top)
        ids = []
        for t in sub["term"].astype(str):
            if t not in terms:
                terms[t] = len(term_list)
                term_list.append(t)
            ids.append(terms[t])

        def col(name: str, digits: int = 4, sub: pd.DataFrame = sub) -> list | None:
            return [_num(v, digits) for v in sub[name].tolist()] if name in sub.columns else None

        def icol(name: str, sub: pd.DataFrame = sub) -> list | None:
            return [int(v) for v in sub[name].tolist()] if name in sub.columns else None

        q = col("q", 3)
        if "q" in sub.columns:
            sig = [None if v is None else int(v < alpha) for v in q]
        else:
            sig = [None] * len(sub)
        contrasts.append({
            "group": g, "other": o, "label": f"{g} vs {o}",
            "n_docs": {k: attrs.get("n_docs", {}).get(k) for k in (g, o)},
            "t": ids, "cg": icol("count_group"), "co": icol("count_other"), "dg": icol("docs_group"),
            "do": icol("docs_other"), "d": col("delta", 3), "z": col("z", 3), "lo": col("ci_low", 3),
            "hi": col("ci_high", 3), "q": q, "sig": sig,
        })
    lines, totals = _lines_for_terms(sorted(with_lines), corpus, sentences=sentences, group=group,
                                     max_lines=max_lines, width=width, ngram_range=ngram_range)
    return {
        "title": title or "Fightin' Words explorer",
        "alpha": alpha, "max_lines": int(max_lines), "top": int(top),
        "group": group if isinstance(group, str) else "group",
        "mode": attrs.get("mode"), "significance": attrs.get("significance"),
        "settings": {k: attrs.get(k) for k in ("prior", "prior_scale", "min_count", "min_docs", "n_boot",
                                               "n_perm", "fdr", "voice", "boilerplate")},
        "terms": term_list, "contrasts": contrasts,
        "lines": {str(terms[t]): v for t, v in lines.items() if t in terms},
        "hits": {str(terms[t]): n for t, n in totals.items() if t in terms},
    }


def _blob(payload: dict[str, Any]) -> str:
    """The JSON text, safe inside <script>: every '<' written as \\u003c (so '</script>' and
    '<!--' in corpus text cannot end or change the script element)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#222}
header{padding:8px 14px;border-bottom:1px solid #ddd;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
header h1{font-size:16px;margin:0}
main{display:flex;gap:0;height:calc(100vh - 90px);min-height:420px}
#plotwrap{flex:3;position:relative;min-width:300px}
canvas{width:100%;height:100%;display:block;cursor:crosshair}
#side{flex:2;overflow:auto;border-left:1px solid #ddd;padding:8px 12px;min-width:260px}
#tip{position:absolute;pointer-events:none;background:#fffffff0;border:1px solid #999;padding:4px 6px;
font-size:12px;display:none;white-space:nowrap;box-shadow:0 1px 4px #0003}
#note{font-size:12px;color:#555;padding:4px 14px;border-bottom:1px solid #eee}
.line{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;margin:2px 0 6px}
.line b{background:#ffe9a8}
.meta{font:11px system-ui,sans-serif;color:#666}
.v-own{color:#1a7f37}.v-direct{color:#b3261e}.v-reported{color:#8a4baf}.v-mixed{color:#a05a00}
h3{margin:10px 0 4px;font-size:13px;border-bottom:1px solid #eee}
.legend span{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 3px 0 8px;vertical-align:middle}
"""

_JS = r"""
(function(){
var D=JSON.parse(document.getElementById('%(id)s').textContent);
var C=0,hover=-1,sel=-1,pts=[];
var cv=document.getElementById('plot'),ctx=cv.getContext('2d'),tip=document.getElementById('tip');
var side=document.getElementById('side'),pick=document.getElementById('contrast'),q=document.getElementById('q');
var COL={pos:'#c0392b',neg:'#2166ac',ns:'#b8b8b8'};
function esc(s){return s==null?'':String(s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
function f(v,d){return v==null?'NA':(+v).toFixed(d);}
D.contrasts.forEach(function(c,i){var o=document.createElement('option');o.value=i;o.textContent=c.label;pick.appendChild(o);});
if(D.contrasts.length<2)pick.style.display='none';
document.getElementById('n').textContent=D.contrasts.length;
function layout(){
  var c=D.contrasts[C],n=c.t.length,r=window.devicePixelRatio||1,W=cv.clientWidth,H=cv.clientHeight;
  cv.width=W*r;cv.height=H*r;ctx.setTransform(r,0,0,r,0,0);
  var xs=[],zs=[],x0=1e9,x1=-1e9,z0=1e9,z1=-1e9;
  for(var i=0;i<n;i++){var x=Math.log10(Math.max(1,(c.cg?c.cg[i]:0)+(c.co?c.co[i]:0)));var z=c.z[i]==null?0:c.z[i];
    xs.push(x);zs.push(z);if(x<x0)x0=x;if(x>x1)x1=x;if(z<z0)z0=z;if(z>z1)z1=z;}
  if(x1<=x0){x1=x0+1;} if(z1<=z0){z1=z0+1;}
  var L=46,R=12,T=12,B=34;
  pts=[];for(var j=0;j<n;j++)pts.push([L+(xs[j]-x0)/(x1-x0)*(W-L-R),T+(z1-zs[j])/(z1-z0)*(H-T-B)]);
  return {W:W,H:H,L:L,R:R,T:T,B:B,x0:x0,x1:x1,z0:z0,z1:z1};
}
function colour(c,i){if(c.sig[i]===1)return c.z[i]>0?COL.pos:COL.neg;return COL.ns;}
function draw(){
  var c=D.contrasts[C],g=layout(),n=c.t.length;
  ctx.clearRect(0,0,g.W,g.H);ctx.strokeStyle='#999';ctx.lineWidth=1;ctx.beginPath();
  ctx.moveTo(g.L,g.T);ctx.lineTo(g.L,g.H-g.B);ctx.lineTo(g.W-g.R,g.H-g.B);ctx.stroke();
  var zy=g.T+g.z1/(g.z1-g.z0)*(g.H-g.T-g.B);if(zy>g.T&&zy<g.H-g.B){ctx.strokeStyle='#ddd';ctx.beginPath();ctx.moveTo(g.L,zy);ctx.lineTo(g.W-g.R,zy);ctx.stroke();}
  ctx.fillStyle='#444';ctx.font='11px sans-serif';
  ctx.fillText('log10 frequency (both groups)',g.L+4,g.H-8);ctx.save();ctx.translate(12,g.T+120);ctx.rotate(-Math.PI/2);ctx.fillText('z ('+c.group+' \u2191  '+c.other+' \u2193)',0,0);ctx.restore();
  ctx.fillText(f(g.z1,1),2,g.T+8);ctx.fillText(f(g.z0,1),2,g.H-g.B);
  ctx.fillText(f(g.x0,1),g.L,g.H-g.B+13);var xt=f(g.x1,1);ctx.fillText(xt,g.W-g.R-ctx.measureText(xt).width,g.H-g.B+13);
  var drawn=0,nsig=0,nlines=0;
  for(var pass=0;pass<2;pass++)for(var i=0;i<n;i++){var s=c.sig[i]===1;if((pass===1)!==s)continue;
    var has=D.lines[c.t[i]]!==undefined;ctx.fillStyle=colour(c,i);ctx.globalAlpha=s?0.9:0.5;
    ctx.beginPath();ctx.arc(pts[i][0],pts[i][1],has?3:1.8,0,6.3);ctx.fill();
    if(pts[i][0]>=g.L&&pts[i][0]<=g.W-g.R&&pts[i][1]>=g.T&&pts[i][1]<=g.H-g.B){drawn++;nsig+=s?1:0;nlines+=has?1:0;}}
  ctx.globalAlpha=1;
  cv.setAttribute('data-contrast',c.label);cv.setAttribute('data-marks',drawn);
  cv.setAttribute('data-marks-significant',nsig);cv.setAttribute('data-marks-with-lines',nlines);
  var order=c.t.map(function(_,i){return i;}).sort(function(a,b){return c.z[b]-c.z[a];});
  ctx.fillStyle='#111';ctx.font='11px sans-serif';
  function label(t,x,y){var w=ctx.measureText(t).width;ctx.fillText(t,x+w+8>g.W?x-w-8:x+4,y);}
  order.slice(0,8).concat(order.slice(-8)).forEach(function(i){label(D.terms[c.t[i]],pts[i][0],pts[i][1]-3);});
  [hover,sel].forEach(function(i,k){if(i<0)return;ctx.strokeStyle=k?'#000':'#555';ctx.lineWidth=2;ctx.beginPath();ctx.arc(pts[i][0],pts[i][1],7,0,6.3);ctx.stroke();
    ctx.fillStyle='#000';ctx.font='bold 12px sans-serif';label(D.terms[c.t[i]],pts[i][0]+5,pts[i][1]+4);});
}
function info(i){var c=D.contrasts[C];
  var s='<b>'+esc(D.terms[c.t[i]])+'</b><br>count '+esc(c.group)+': '+(c.cg?c.cg[i]:'NA')+' &middot; '+esc(c.other)+': '+(c.co?c.co[i]:'NA')+
  '<br>documents '+esc(c.group)+': '+(c.dg?c.dg[i]:'NA')+' &middot; '+esc(c.other)+': '+(c.do?c.do[i]:'NA')+
  '<br>delta '+f(c.d[i],3)+(c.lo?' ['+f(c.lo[i],3)+', '+f(c.hi[i],3)+']':'')+' &middot; z '+f(c.z[i],2)+
  '<br>q '+(c.q?f(c.q[i],3):'not tested')+(c.sig[i]===1?' (significant)':'');return s;}
function nearest(mx,my){var b=-1,bd=64;for(var i=0;i<pts.length;i++){var dx=pts[i][0]-mx,dy=pts[i][1]-my,d=dx*dx+dy*dy;if(d<bd){bd=d;b=i;}}return b;}
function show(i){sel=i;draw();var c=D.contrasts[C];if(i<0){side.innerHTML=D.help;side.setAttribute('data-term','');side.setAttribute('data-lines',0);return;}
  var id=c.t[i],L=D.lines[id],h='<div>'+info(i)+'</div>';
  side.setAttribute('data-term',D.terms[id]);side.setAttribute('data-lines',L?L.length:0);
  if(!L){h+='<p class="meta">No concordance lines stored for this term (only the top '+D.top+' terms of each side of each contrast carry lines).</p>';}
  else{var by={};L.forEach(function(l){(by[l[0]]=by[l[0]]||[]).push(l);});
    h+='<p class="meta">'+L.length+' of '+(D.hits[id]||L.length)+' lines in the documents sampled (at most '+D.max_lines+' per term).</p>';
    Object.keys(by).sort().forEach(function(g){h+='<h3>'+esc(g)+' ('+by[g].length+')</h3>';
      by[g].forEach(function(l){h+='<div class="line" data-outlet="'+esc(l[0])+'" data-doc="'+esc(l[1])+'" data-voice="'+esc(l[3])+'">\u2026'+esc(l[5])+'<b>'+esc(l[6])+'</b>'+esc(l[7])+'\u2026<div class="meta"><span class="v-'+esc(l[3])+'">'+esc(l[3]||'voice unknown')+'</span>'+
        (l[4]?' &middot; speaker: '+esc(l[4]):'')+' &middot; '+esc(l[1])+' &middot; '+esc(l[2]||'')+'</div></div>';});});}
  side.innerHTML=h;}
cv.addEventListener('mousemove',function(e){var r=cv.getBoundingClientRect(),i=nearest(e.clientX-r.left,e.clientY-r.top);
  if(i!==hover){hover=i;draw();}if(i<0){tip.style.display='none';return;}
  tip.innerHTML=info(i);tip.style.display='block';var x=e.clientX-r.left+12,y=e.clientY-r.top+12;
  if(x>r.width-260)x-=280;tip.style.left=x+'px';tip.style.top=y+'px';});
cv.addEventListener('mouseleave',function(){hover=-1;tip.style.display='none';draw();});
cv.addEventListener('click',function(e){var r=cv.getBoundingClientRect();show(nearest(e.clientX-r.left,e.clientY-r.top));});
pick.addEventListener('change',function(){C=+pick.value;hover=-1;sel=-1;find();});
function find(){var t=q.value.trim().toLowerCase(),c=D.contrasts[C];if(!t){show(-1);return;}
  for(var i=0;i<c.t.length;i++){if(D.terms[c.t[i]].toLowerCase()===t){show(i);return;}}
  for(var k=0;k<c.t.length;k++){if(D.terms[c.t[k]].toLowerCase().indexOf(t)===0){show(k);return;}}
  sel=-1;draw();side.innerHTML='<p>No tested term "'+esc(t)+'" in this contrast.</p>';side.setAttribute('data-term','');side.setAttribute('data-lines',0);}
q.addEventListener('input',find);
window.addEventListener('resize',draw);
// A link can open the page on a contrast and a term: #contrast=<label or number>&q=<search>&open=<term>.
// Each step goes through the control a reader uses (the selector's change, the search box's input,
// a click on the term's dot), so the link does what the reader would do.
function route(){var a={};location.hash.replace(/^#/,'').split('&').forEach(function(kv){var p=kv.split('=');
    if(p[0])a[decodeURIComponent(p[0])]=decodeURIComponent((p.slice(1).join('=')||'').replace(/\+/g,' '));});
  if(a.contrast!==undefined){var k=-1;D.contrasts.forEach(function(c,i){if(c.label===a.contrast||String(i)===a.contrast)k=i;});
    if(k>=0&&k!==C){pick.value=String(k);pick.dispatchEvent(new Event('change'));}}
  if(a.q!==undefined){q.value=a.q;q.dispatchEvent(new Event('input'));}
  if(a.open!==undefined){var c=D.contrasts[C],i=-1;for(var j=0;j<c.t.length;j++)if(D.terms[c.t[j]]===a.open){i=j;break;}
    document.body.setAttribute('data-opened-by','none');if(i<0)return;
    var r=cv.getBoundingClientRect();cv.dispatchEvent(new MouseEvent('click',{bubbles:true,clientX:r.left+pts[i][0],clientY:r.top+pts[i][1]}));
    if(sel===i){document.body.setAttribute('data-opened-by','click');}else{show(i);document.body.setAttribute('data-opened-by','direct');}}}
window.addEventListener('hashchange',route);
D.help=side.innerHTML;draw();route();
window.__framingExplorerReady=true;
document.body.setAttribute('data-ready','1');
document.body.setAttribute('data-resources',(performance.getEntriesByType?performance.getEntriesByType('resource').length:0));
})();
"""


def _page(payload: dict[str, Any]) -> str:
    e = html.escape
    s = payload["settings"]
    budget = (f"Concordance lines: at most {payload['max_lines']} per term, for the top {payload['top']} terms "
              "(by z) of each side of each contrast; other terms are dots without lines (small dots).")
    note = (f"Colour: q &lt; {payload['alpha']:g} ({e(str(payload.get('significance') or 'not tested'))}); "
            "grey: not significant or not tested. " + budget +
            f" Prior {e(str(s.get('prior')))}, scale {e(str(s.get('prior_scale')))}, min_count "
            f"{e(str(s.get('min_count')))}, text counted: voice={e(str(s.get('voice')))}, "
            f"boilerplate={e(str(s.get('boilerplate')))}. Contains corpus text: your own output, do not publish.")
    help_ = ("<p>Hover a dot for its counts, documents, delta (with its bootstrap interval when computed) and q; "
             "click it (or type a term above) for its concordance lines, grouped by outlet, each with its voice "
             "(own / direct / reported / mixed), speaker, document and date.</p>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{e(payload['title'])}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{e(payload['title'])}</h1>"
        "<label>contrast (<span id=\"n\"></span>) <select id=\"contrast\"></select></label>"
        "<label>term <input id=\"q\" type=\"search\" placeholder=\"search a term\" autocomplete=\"off\"></label>"
        "<span class=\"legend\"><span style=\"background:#c0392b\"></span>first group"
        "<span style=\"background:#2166ac\"></span>other<span style=\"background:#b8b8b8\"></span>n.s.</span>"
        f"</header><div id=\"note\">{note}</div>"
        "<main><div id=\"plotwrap\"><canvas id=\"plot\"></canvas><div id=\"tip\"></div></div>"
        f"<div id=\"side\">{help_}</div></main>"
        f"<script id=\"{_DATA_ID}\" type=\"application/json\">{_blob(payload)}</script>"
        f"<script>{_JS % {'id': _DATA_ID}}</script></body></html>\n"
    )


class ContrastExplorer:
    """The explorer page of a Fightin' Words result, for a notebook or a file.

    Parameters are those of :func:`explore_contrast` (without ``path``). ``html`` is the page,
    ``save(path)`` writes it, and in a notebook the object shows a short summary and the page
    in an iframe. Like every result, it has ``to_frame()`` (one row per tested term and
    contrast, with the number of concordance lines the page carries) and ``summary()`` (one
    row per contrast).

    Examples
    --------
    >>> import framing
    >>> c = pd.DataFrame({"doc_id": ["a1", "a2", "b1", "b2"], "outlet": ["A", "A", "B", "B"],
    ...                   "published": pd.to_datetime(["2022-09-23"] * 4),
    ...                   "text": ["The sham vote.", "A sham vote.", "The vote.", "A vote held."]})
    >>> fw = framing.fightin_words(c, mode="two", min_count=1, n_perm=0)
    >>> ex = ContrastExplorer(fw, c, max_lines=5)
    >>> "sham" in ex.html and "<iframe" in ex._repr_html_()
    True
    >>> ex.summary()[["group", "other", "n_terms", "terms_with_lines"]].values.tolist()
    [['A', 'B', 5, 5]]
    """

    @renamed_kwargs(by="group")
    def __init__(self, result: pd.DataFrame, corpus: pd.DataFrame, *, sentences: pd.DataFrame | None = None,
                 max_lines: int = 20, top: int = 300, width: int = 60, group: Any = "outlet",
                 alpha: float | None = None, title: str | None = None, height: int = 640):
        self.payload = _payload(result, corpus, sentences=sentences, max_lines=max_lines, top=top, width=width,
                                group=group, alpha=alpha, title=title)
        self.result = result
        self.html = _page(self.payload)
        self.height = int(height)

    def to_frame(self) -> pd.DataFrame:
        """The Fightin' Words rows shown (one per tested term and contrast), plus ``lines``:
        the number of concordance lines the page carries for the term (0: a dot without lines)."""
        index = {t: str(k) for k, t in enumerate(self.payload["terms"])}
        stored = {t: len(self.payload["lines"].get(index.get(t, ""), [])) for t in index}
        out = self.result.copy()
        out.attrs = dict(self.result.attrs)
        out["lines"] = out["term"].astype(str).map(stored).fillna(0).astype(np.int64)
        return out

    def summary(self) -> pd.DataFrame:
        """One row per contrast: ``group``, ``other``, ``n_terms`` (tested), ``n_significant``
        (``q < alpha``; NA when not tested) and ``terms_with_lines``."""
        rows = []
        for c in self.payload["contrasts"]:
            sig = [v for v in c["sig"] if v is not None]
            rows.append({"group": c["group"], "other": c["other"], "n_terms": len(c["t"]),
                         "n_significant": sum(sig) if sig else pd.NA,
                         "terms_with_lines": sum(str(t) in self.payload["lines"] for t in c["t"])})
        return pd.DataFrame(rows, columns=["group", "other", "n_terms", "n_significant", "terms_with_lines"])

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        head = html_summary("ContrastExplorer", {"alpha": self.payload["alpha"], "max_lines": self.payload["max_lines"],
                                                 "top": self.payload["top"]}, self.summary())
        return head + (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;'
                       f'height:{self.height}px;border:1px solid #ddd" sandbox="allow-scripts"></iframe>')


@renamed_kwargs(by="group")
def explore_contrast(result: pd.DataFrame, corpus: pd.DataFrame, *, path: str | Path,
                     sentences: pd.DataFrame | None = None, max_lines: int = 20, top: int = 300, width: int = 60,
                     group: Any = "outlet", alpha: float | None = None, title: str | None = None) -> Path:
    """Write an offline HTML explorer of a Fightin' Words result, with concordance lines.

    One self-contained file (inline CSS and a small hand-written script; no external library,
    no network, no server): every tested term of ``result`` as a dot placed as in Monroe,
    Colaresi & Quinn (2008): x the log10 frequency in both groups, y the z-score; coloured by
    the document-level test (``q < alpha``; grey when not significant or not tested). Hovering
    a dot shows the term's counts and documents in each group, delta with its bootstrap
    interval (``ci_low``/``ci_high`` when computed) and q; clicking it (or typing it in the
    search box) shows its concordance lines (:func:`framing.concordance`) grouped by ``group``,
    each with its voice (own / direct / reported / mixed), speaker, ``doc_id`` and date. A
    result with several contrasts (``mode="one-vs-rest"`` or ``"pairs"``) gets a selector.
    The URL fragment ``#contrast=<label or number>&q=<search>&open=<term>`` opens the page on
    a contrast, a search and a term's lines (through the same controls a reader uses).

    The data are embedded as one JSON blob (every ``<`` written as ``\\u003c``, so corpus text
    cannot close the script element). The page carries corpus text: it is your own output,
    not something to publish or commit.

    Parameters
    ----------
    result : DataFrame
        A :func:`framing.fightin_words` result (``term``, ``group``, ``other``, counts,
        ``delta``, ``z``, optionally ``ci_low``/``ci_high`` and ``q``).
    corpus : DataFrame
        The corpus the lines come from (``doc_id``, ``text``, ``published``, the group column): the
        unfiltered corpus, so that quoted speech is shown with its voice.
    path : str or Path
        The HTML file to write (folders are created).
    sentences : DataFrame, optional
        The corpus's sentence table (:func:`framing.split_sentences`, with or without the
        voice columns of :func:`framing.attribute_voice`); computed for the documents shown
        when omitted.
    max_lines : int
        Size budget: at most this many concordance lines per term, taken in turn from each
        group (one per document first, documents spread over time).
    top : int
        Size budget: only the ``top`` terms of each side (highest and lowest z) of each
        contrast carry lines; the others are dots without lines. Both budgets are stated in
        the page.
    width : int
        Characters of context on each side of a match.
    group : str, mapping or (column, mapping)
        The glossary's ``group=``: the column the lines are grouped by (default
        ``"outlet"``), or a mapping ``{outlet: label}`` / ``(column, mapping)`` pair
        (documents in no group give no lines).
    alpha : float, optional
        Level for the colour (default: the result's ``alpha``).
    title : str, optional
        Page title.

    Returns
    -------
    Path
        ``path``.

    See Also
    --------
    ContrastExplorer : the same page for a notebook (``display(ContrastExplorer(...))``).

    Examples
    --------
    >>> import tempfile, framing
    >>> c = pd.DataFrame({"doc_id": ["a1", "a2", "b1", "b2"], "outlet": ["A", "A", "B", "B"],
    ...                   "published": pd.to_datetime(["2022-09-23"] * 4),
    ...                   "text": ["The sham vote.", "A sham vote.", "The vote.", "A vote held."]})
    >>> fw = framing.fightin_words(c, mode="two", min_count=1, n_perm=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = explore_contrast(fw, c, path=Path(d) / "explorer.html", max_lines=5)
    ...     page = p.read_text(encoding="utf-8")
    >>> p.name, "sham" in page, "https://" in page
    ('explorer.html', True, False)
    """
    return ContrastExplorer(result, corpus, sentences=sentences, max_lines=max_lines, top=top, width=width,
                            group=group, alpha=alpha, title=title).save(path)
