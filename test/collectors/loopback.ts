/**
 * A loopback HTTP server for the collectors' wire tests: each request's body is read as
 * text and handed to `handle`, whose answer is sent back. With `sdkEndpoint` it points
 * the SDK clients at itself (AWS_ENDPOINT_URL) until it is closed. Nothing leaves 127.0.0.1.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Loopback {
  url: string;
  close(): Promise<void>;
}

export async function startLoopback(handle: (req: http.IncomingMessage, body: string) => Answer, opts: { sdkEndpoint?: boolean } = {}): Promise<Loopback> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const a = handle(req, body);
      res.writeHead(a.status, a.headers);
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const saved = process.env.AWS_ENDPOINT_URL;
  if (opts.sdkEndpoint) process.env.AWS_ENDPOINT_URL = url;
  return {
    url,
    close: async () => {
      if (opts.sdkEndpoint) {
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
        else process.env.AWS_ENDPOINT_URL = saved;
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
