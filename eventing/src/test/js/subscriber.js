// A subscriber written with the official CloudEvents SDK for JavaScript: prints its port, then one JSON line per
// event it receives. The SDK does not percent-decode binary-mode header values (HTTP binding 1.0.2, 3.1.3.2), so this
// subscriber does what the binding asks of a receiver, as a platform team's function would have to.
const http = require('http');
const { HTTP } = require('cloudevents');

function percentDecode(value) {
  if (typeof value !== 'string' || !value.includes('%')) return value;
  const bytes = [];
  const raw = Buffer.from(value, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const hex = raw.toString('latin1', i + 1, i + 3);
    if (raw[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(raw[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const headers = {};
    // Node reads header bytes as latin1; the broker sends ASCII only (percent-encoded), so this is exact.
    for (const [k, v] of Object.entries(req.headers)) headers[k] = v;
    const event = HTTP.toEvent({ headers, body: Buffer.concat(chunks).toString('utf8') });
    const ext = {};
    for (const [k, v] of Object.entries(event)) {
      if (!['id', 'type', 'source', 'specversion', 'subject', 'time', 'datacontenttype', 'dataschema', 'data',
        'data_base64'].includes(k) && !k.startsWith('knative')) ext[k] = percentDecode(String(v));
    }
    process.stdout.write(JSON.stringify({ id: event.id, type: event.type, source: event.source,
      subject: percentDecode(event.subject), extensions: ext, data: event.data }) + '\n');
    res.writeHead(202);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
