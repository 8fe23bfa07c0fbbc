import fs from "node:fs";
import path from "node:path";
import { UserError } from "../model/errors.js";
import type { FindingsDocument } from "../engine/findings.js";
import type { HistoryPoint } from "../reports/index.js";

/**
 * `--history LOCATION`: every scan's findings document is kept as `<LOCATION>/<timestamp>.json`,
 * LOCATION a folder or `s3://bucket/prefix`. The HTML report draws its trend chart from it.
 */

export interface S3Location {
  bucket: string;
  prefix: string;
}

export function parseS3(location: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!m) return undefined;
  const prefix = m[2].replace(/\/+$/, "");
  return { bucket: m[1], prefix: prefix ? `${prefix}/` : "" };
}

/** `2025-06-01T10-00-00.000Z.json`: sortable, and valid on every file system. */
export function historyName(doc: Pick<FindingsDocument, "scan">): string {
  const t = new Date(doc.scan.startedAt);
  const iso = Number.isNaN(t.getTime()) ? new Date().toISOString() : t.toISOString();
  return `${iso.replace(/:/g, "-")}.json`;
}

function s3Client(): Promise<typeof import("@aws-sdk/client-s3")> {
  return import("@aws-sdk/client-s3");
}

/** An S3 failure as a user error: the location, what failed, and the service's error. */
function s3Error(location: string, what: "read" | "write", e: unknown): UserError {
  const err = e as { name?: string; message?: string };
  return new UserError(
    `--history ${location}: cannot ${what} the scan history (${err.name ?? "Error"}: ${err.message ?? String(e)}). Check the bucket name and that the credentials may s3:ListBucket, s3:GetObject and s3:PutObject there.`,
  );
}

/** Writes the document to the history; returns where it went. */
export async function recordHistory(location: string, doc: FindingsDocument): Promise<string> {
  const body = JSON.stringify(doc, null, 2) + "\n";
  const s3 = parseS3(location);
  if (s3) {
    const { S3Client, PutObjectCommand } = await s3Client();
    const key = `${s3.prefix}${historyName(doc)}`;
    const client = new S3Client({});
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: "application/json" }));
    } catch (e) {
      throw s3Error(location, "write", e);
    } finally {
      client.destroy();
    }
    return `s3://${s3.bucket}/${key}`;
  }
  try {
    fs.mkdirSync(location, { recursive: true });
    let file = path.join(location, historyName(doc));
    for (let n = 1; fs.existsSync(file); n++) file = path.join(location, historyName(doc).replace(/\.json$/, `-${n}.json`));
    fs.writeFileSync(file, body);
    return file;
  } catch (e) {
    throw new UserError(`--history ${location}: cannot write the scan history (${(e as NodeJS.ErrnoException).code ?? e}).`);
  }
}

export function toPoint(doc: FindingsDocument): HistoryPoint {
  const s = doc.summary;
  return {
    at: doc.scan.startedAt,
    fail: s.fail ?? 0,
    unknown: s.unknown ?? 0,
    pass: s.pass ?? 0,
    suppressed: s.suppressed ?? 0,
    bySeverity: s.bySeverity ?? {},
  };
}

function parseDoc(text: string, where: string): FindingsDocument | undefined {
  try {
    const d = JSON.parse(text);
    if (d && typeof d === "object" && d.scan?.startedAt && d.summary && Array.isArray(d.findings)) return d as FindingsDocument;
  } catch {
    /* not a findings document: skipped */
  }
  process.stderr.write(`rampart: ${where}: not a findings document, left out of the history.\n`);
  return undefined;
}

/** Every findings document of a history, oldest first. Unreadable entries are skipped with a warning. */
export async function readHistory(location: string): Promise<FindingsDocument[]> {
  const s3 = parseS3(location);
  const docs: FindingsDocument[] = [];
  if (s3) {
    const { S3Client, ListObjectsV2Command, GetObjectCommand } = await s3Client();
    const client = new S3Client({});
    try {
      let token: string | undefined;
      const keys: string[] = [];
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of page.Contents ?? []) if (o.Key?.endsWith(".json")) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      for (const key of keys.sort()) {
        const obj = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        const d = parseDoc((await obj.Body?.transformToString()) ?? "", `s3://${s3.bucket}/${key}`);
        if (d) docs.push(d);
      }
    } catch (e) {
      throw s3Error(location, "read", e);
    } finally {
      client.destroy();
    }
  } else {
    if (!fs.existsSync(location)) return [];
    for (const name of fs
      .readdirSync(location)
      .filter((n) => n.endsWith(".json"))
      .sort()) {
      const d = parseDoc(fs.readFileSync(path.join(location, name), "utf8"), path.join(location, name));
      if (d) docs.push(d);
    }
  }
  return docs.sort((a, b) => a.scan.startedAt.localeCompare(b.scan.startedAt));
}

export async function historyPoints(location: string): Promise<HistoryPoint[]> {
  return (await readHistory(location)).map(toPoint);
}

/** The scan options this module serves (--history, --to, --result-token). */
export interface ScanExtras {
  history?: string;
  to?: string;
  resultToken?: string;
  format?: string;
  /** Set by afterEvaluate for the HTML report's trend chart. */
  historyPoints?: HistoryPoint[];
}

/**
 * After a scan is evaluated: keep it in the history (and load the history for an HTML
 * trend), then send it on (--to). Returns the export's exit code (0, or 2 on failures).
 */
export async function afterEvaluate(doc: FindingsDocument, engine: { rules: import("../engine/engine.js").RuleMeta[] }, opts: ScanExtras): Promise<number> {
  const { parseTarget, exportFindings } = await import("../reports/export/index.js");
  const target = parseTarget(opts.to);
  if (opts.history) {
    const where = await recordHistory(opts.history, doc);
    process.stderr.write(`scan kept in the history: ${where}\n`);
    if (opts.format === "html") opts.historyPoints = await historyPoints(opts.history);
  }
  if (!target) return 0;
  return exportFindings(target, doc, engine, { resultToken: opts.resultToken });
}
