/** `--history s3://bucket/prefix`: each scan is one object; the history is read back over every page, oldest first. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { historyPoints, readHistory, recordHistory } from "../../cli/history.js";
import { UserError } from "../../model/errors.js";
import { sampleDoc } from "./fixtures.js";

const s3 = mockClient(S3Client);
/** The bucket's objects, by key. */
let objects: Map<string, string>;

beforeEach(() => {
  objects = new Map();
  s3.reset();
  s3.on(PutObjectCommand).callsFake((i: { Bucket: string; Key: string; Body: string }) => {
    expect(i.Bucket).toBe("audit-bucket");
    objects.set(i.Key, i.Body);
    return {};
  });
  // One key a page, so that reading needs the continuation tokens.
  s3.on(ListObjectsV2Command).callsFake((i: { Prefix: string; ContinuationToken?: string }) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(i.Prefix)).sort();
    const at = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
    const more = at + 1 < keys.length;
    return { Contents: keys.slice(at, at + 1).map((Key) => ({ Key })), IsTruncated: more, ...(more ? { NextContinuationToken: String(at + 1) } : {}) };
  });
  s3.on(GetObjectCommand).callsFake((i: { Key: string }) => {
    const text = objects.get(i.Key) ?? "";
    return { Body: { transformToString: async () => text } };
  });
});
afterEach(() => s3.reset());

describe("--history s3://bucket/prefix", () => {
  it("puts each scan under the prefix and reads the history back over every page, oldest first, leaving out what is not a findings document", async () => {
    const newer = sampleDoc({ startedAt: "2025-06-02T10:00:00.000Z" });
    const older = sampleDoc({ startedAt: "2025-06-01T10:00:00.000Z" });
    expect(await recordHistory("s3://audit-bucket/scans/prod/", newer)).toBe("s3://audit-bucket/scans/prod/2025-06-02T10-00-00.000Z.json");
    expect(await recordHistory("s3://audit-bucket/scans/prod", older)).toBe("s3://audit-bucket/scans/prod/2025-06-01T10-00-00.000Z.json");
    expect(s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key, c.args[0].input.ContentType])).toEqual([
      ["scans/prod/2025-06-02T10-00-00.000Z.json", "application/json"],
      ["scans/prod/2025-06-01T10-00-00.000Z.json", "application/json"],
    ]);
    expect(JSON.parse(objects.get("scans/prod/2025-06-02T10-00-00.000Z.json") ?? "")).toEqual(newer);

    // Beside them: another prefix, a file that is not JSON, and a JSON object that is not a findings document.
    objects.set("scans/staging/2025-06-03T10-00-00.000Z.json", JSON.stringify(sampleDoc({ startedAt: "2025-06-03T10:00:00.000Z" })));
    objects.set("scans/prod/README.txt", "reports of the prod account");
    objects.set("scans/prod/notes.json", '{"hello": "world"}');
    const warned: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s) => (warned.push(String(s)), true));
    const docs = await readHistory("s3://audit-bucket/scans/prod/");
    spy.mockRestore();
    expect(docs.map((d) => d.scan.startedAt)).toEqual(["2025-06-01T10:00:00.000Z", "2025-06-02T10:00:00.000Z"]);
    expect(warned).toEqual(["rampart: s3://audit-bucket/scans/prod/notes.json: not a findings document, left out of the history.\n"]);
    // Four keys under the prefix, one a page: four list calls; README.txt is not read.
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, "1", "2", "3"]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      "scans/prod/2025-06-01T10-00-00.000Z.json",
      "scans/prod/2025-06-02T10-00-00.000Z.json",
      "scans/prod/notes.json",
    ]);
    expect((await historyPoints("s3://audit-bucket/scans/prod/")).map((p) => p.at)).toEqual(["2025-06-01T10:00:00.000Z", "2025-06-02T10:00:00.000Z"]);
  });

  it("an S3 failure is a user error naming the location and the service's error", async () => {
    const denied = Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
    s3.on(PutObjectCommand).rejects(denied);
    const write = await recordHistory("s3://audit-bucket/scans/", sampleDoc({})).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(UserError);
    expect((write as Error).message).toBe(
      "--history s3://audit-bucket/scans/: cannot write the scan history (AccessDenied: Access Denied). Check the bucket name and that the credentials may s3:ListBucket, s3:GetObject and s3:PutObject there.",
    );
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error("The specified bucket does not exist"), { name: "NoSuchBucket" }));
    const read = await readHistory("s3://no-such-bucket/").catch((e: unknown) => e);
    expect(read).toBeInstanceOf(UserError);
    expect((read as Error).message).toMatch(
      /^--history s3:\/\/no-such-bucket\/: cannot read the scan history \(NoSuchBucket: The specified bucket does not exist\)\./,
    );
  });
});
