// Sends one event with the official CloudEvents SDK for JavaScript: node send.js URL MODE EVENT_JSON
// MODE is binary or structured. Prints "sent", or "refused: MESSAGE" when the SDK or Node cannot send it.
const { CloudEvent, emitterFor, httpTransport, Mode } = require('cloudevents');
const [url, mode, json] = process.argv.slice(2);
const emit = emitterFor(httpTransport(url), { mode: mode === 'structured' ? Mode.STRUCTURED : Mode.BINARY });
emit(new CloudEvent(JSON.parse(json)))
  .then(() => console.log('sent'))
  .catch(e => console.log('refused: ' + e.message));
