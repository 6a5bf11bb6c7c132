package io.imgcast.server;

/**
 * The web dashboard (B6): one page that polls {@code /api/v1/status} once a second. When status
 * needs the admin token ({@code serve --status admin}) open it as {@code https://SERVER:8470/#token=TOKEN}:
 * the token stays in the page (a fragment is not sent) and goes with each poll as a header.
 */
final class Dashboard {
    private Dashboard() {}

    static String html() {
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>imgcast</title>
            <style>
             body{font:14px system-ui,sans-serif;margin:2em;color:#222}
             table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
             .bar{background:#eee;width:160px;height:10px}.bar div{background:#3a7;height:10px}
             .failed,.lost{color:#b00}.done{color:#070}
            </style></head><body>
            <h1>imgcast session <span id="session"></span></h1>
            <h2>Streams</h2><table id="streams"><thead><tr><th>stream</th><th>group</th><th>rate</th><th>sent</th><th>repair packets</th><th>machines</th><th>pending chunks</th></tr></thead><tbody></tbody></table>
            <h2>Machines</h2><table id="machines"><thead><tr><th>machine</th><th>image</th><th>priority</th><th>stream</th><th>state</th><th>progress</th><th>loss</th><th>time</th></tr></thead><tbody></tbody></table>
            <script>
            const mib = b => (b/1048576).toFixed(1)+' MiB';
            const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
            const tok = new URLSearchParams(location.hash.slice(1)).get('token');
            let last = null;
            async function tick(){
              try{
                const s = await (await fetch('/api/v1/status', tok ? {headers: {'X-Imgcast-Token': tok}} : {})).json();
                document.getElementById('session').textContent = s.session + (s.started ? '' : ' (waiting for machines)');
                const now = performance.now();
                document.querySelector('#streams tbody').innerHTML = s.streams.map(t => {
                  let bw = '';
                  if (last && last.t) { const p = last.s.streams.find(x => x.stream===t.stream); if (p) bw = ' ('+((t.bytes-p.bytes)*8/((now-last.t)/1000)/1e6).toFixed(1)+' Mbit/s now)'; }
                  return `<tr><td>${t.stream}</td><td>${esc(t.group)}</td><td>${(t.rate_bps/1e6).toFixed(0)} Mbit/s</td><td>${mib(t.bytes)}${bw}</td><td>${t.repair_packets}</td><td>${t.machines}</td><td>${t.pending_chunks}</td></tr>`;
                }).join('');
                document.querySelector('#machines tbody').innerHTML = s.machines.map(m => {
                  const pct = m.need_bytes ? Math.min(100, 100*m.done_bytes/m.need_bytes) : (m.state==='done'?100:0);
                  return `<tr><td>${esc(m.machine)}</td><td>${esc(m.image)}</td><td>${Number(m.priority)}</td><td>${Number(m.stream)}</td><td class="${esc(m.state)}">${esc(m.state)}${m.error?': '+esc(m.error):''}</td><td><div class="bar"><div style="width:${pct.toFixed(0)}%"></div></div>${pct.toFixed(0)}%</td><td>${(m.loss*100).toFixed(1)}%</td><td>${m.seconds?m.seconds.toFixed(1)+' s':''}</td></tr>`;
                }).join('');
                last = {t: now, s};
              }catch(e){ document.getElementById('session').textContent = '(server unreachable)'; }
            }
            tick(); setInterval(tick, 1000);
            </script></body></html>
            """;
    }
}
