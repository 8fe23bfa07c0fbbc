/** Loopback STS: the caller identity, and AssumeRole into the member accounts (one access key per account). */

import type { StubService } from "../service.js";
import { StubError, unsupported } from "../wire.js";

/** The access key sts:AssumeRole hands out for `account`: the account is readable from it. */
export function accessKeyFor(account: string): string {
  return `ASIA${account}STUB`;
}

/** The account a request's access key belongs to: an assumed role's, else the caller's (the base key). */
export function accountOfKey(key: string, caller: string): string {
  const m = /^ASIA(\d{12})STUB$/.exec(key);
  return m ? m[1] : caller;
}

export const sts: StubService = {
  name: "sts",
  types: [],
  call(action, x) {
    const { s, r, p } = x;
    const ok = (result: Record<string, unknown>): Record<string, unknown> => result;
    switch (action) {
      case "GetCallerIdentity": {
        const arn = r.account === s.opts.callerAccount ? `arn:aws:iam::${r.account}:user/scanner` : `arn:aws:sts::${r.account}:assumed-role/audit/rampart-scan`;
        return ok({ Arn: arn, UserId: `AIDA${r.account}`, Account: r.account });
      }
      case "AssumeRole": {
        const roleArn = p.get("RoleArn") ?? "";
        const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
        if (!m || !s.opts.accounts.includes(m[1])) {
          throw new StubError(
            403,
            "AccessDenied",
            `User: arn:aws:iam::${r.account}:user/scanner is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          );
        }
        return ok({
          Credentials: {
            AccessKeyId: accessKeyFor(m[1]),
            SecretAccessKey: `stub-secret-${m[1]}`,
            SessionToken: `stub-session-${m[1]}`,
            Expiration: new Date(Date.now() + 3600_000),
          },
          AssumedRoleUser: {
            Arn: `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${p.get("RoleSessionName") ?? "s"}`,
            AssumedRoleId: `AROA${m[1]}:${p.get("RoleSessionName") ?? "s"}`,
          },
        });
      }
      default:
        throw unsupported(x.r, action);
    }
  },
};
