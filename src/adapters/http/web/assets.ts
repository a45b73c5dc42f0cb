/**
 * The web page's only static files, kept in the code so the Node server and
 * the Lambda bundle serve them alike with no file system lookups. No inline
 * script or style anywhere: the Content-Security-Policy forbids both.
 */

/** One small stylesheet: readable at 390 px without horizontal scrolling, dark when the system is. */
export const STYLESHEET = `:root{color-scheme:light dark;--bg:#fff;--fg:#1a1a1a;--muted:#5c5c5c;--line:#d6d6d6;--accent:#0b57d0;--bad:#b3261e;--ok:#146c2e;--code:#f3f3f3}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#e8e8e8;--muted:#a8a8a8;--line:#3a3a3a;--accent:#8ab4f8;--bad:#f2b8b5;--ok:#7dd99a;--code:#1e1e1e}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:60rem;margin:0 auto;padding:.75rem 1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;border-bottom:1px solid var(--line)}
header nav{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.brand{font-weight:700;text-decoration:none;color:var(--fg)}
form.inline{display:inline}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],textarea,select{width:100%;max-width:28rem;padding:.5rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--muted);border-radius:4px}
button{font:inherit;padding:.45rem 1rem;margin-top:.75rem;border:1px solid var(--accent);border-radius:4px;background:var(--accent);color:var(--bg);cursor:pointer}
button.secondary{background:transparent;color:var(--accent);margin-top:0}
button.danger{background:transparent;color:var(--bad);border-color:var(--bad)}
label.check{font-weight:400}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0}
.notice{border-left:4px solid var(--ok);padding:.5rem .75rem;background:var(--code)}
.error{border-left:4px solid var(--bad);padding:.5rem .75rem;background:var(--code)}
.blocked{color:var(--bad);font-weight:600}
.table{width:100%;overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
th{white-space:nowrap}td.long{overflow-wrap:anywhere;min-width:8rem}
@media (max-width:40rem){table.cards thead{position:absolute;left:-9999px}table.cards tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}table.cards td{display:block;border:0;padding:.1rem 0;overflow-wrap:anywhere}table.cards td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem;background:var(--code);border-radius:4px}
code{padding:0 .2rem;overflow-wrap:anywhere}
pre{padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0}
.snippet{margin:1rem 0}
.snippet h3{font-size:1rem;margin:0}
.copy{float:right;margin:0 0 .25rem .5rem;padding:.2rem .6rem;font-size:.85rem}
`;

/** Copy buttons for the router settings: an enhancement, the text is selectable without it. */
export const COPY_SCRIPT = `document.querySelectorAll('pre[data-copy]').forEach(function (pre) {
  if (!navigator.clipboard) return;
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy secondary';
  button.textContent = 'Copy';
  button.setAttribute('aria-label', 'Copy ' + (pre.getAttribute('data-copy') || 'text'));
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(pre.textContent || '').then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy'; }, 2000);
    }, function () { button.textContent = 'Select and copy'; });
  });
  pre.parentNode.insertBefore(button, pre);
});
`;

export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path fill="#0b57d0" d="M7 1h2v3h5l2 2-2 2H9v7H7V8H2L0 6l2-2h5z"/></svg>`;

export const ASSET_PATHS = { stylesheet: '/static/signpost.css', script: '/static/copy.js', icon: '/static/icon.svg' } as const;
