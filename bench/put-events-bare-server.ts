/**
 * The baseline of `npm run bench:put-events`: a bare `node:http` server that does only what any
 * PutEvents server must do with a request, and nothing Busway does (no routing framework, signature
 * check, validation, matching or storage). It reads the body, `JSON.parse`s it, and answers a small
 * JSON of the PutEvents shape (one fixed EventId per entry).
 *
 * Run as a child process: `node --conditions=source --import tsx bench/put-events-bare-server.ts`;
 * listens on 127.0.0.1 on a free port and prints `bare server listening on http://127.0.0.1:PORT`.
 */
import http from 'node:http';

const EVENT_ID = '00000000-0000-4000-8000-000000000000';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let answer: string;
    let status = 200;
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown[] };
      const entries = Array.isArray(input.Entries) ? input.Entries : [];
      answer = JSON.stringify({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: EVENT_ID })) });
    } catch {
      status = 400;
      answer = '{"__type":"SerializationException"}';
    }
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`bare server listening on http://127.0.0.1:${port}\n`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
