/**
 * AWS Organizations, for `scan --org`: the member accounts to scan (ListAccounts, ACTIVE
 * only). It is not a resource collector: the runner asks it once, from the caller's
 * account (the management account or a delegated administrator), before entering each
 * account with `--role-name`.
 */
import { ListAccountsCommand, OrganizationsClient, type Account } from "@aws-sdk/client-organizations";
import type { AwsClientConfig } from "./types.js";

/** The actions `--org` adds to the scanning role's policy. */
export const ORGANIZATIONS_ACTIONS: readonly string[] = ["organizations:ListAccounts"];

/** An account is scanned only while it is active (not suspended, not pending closure). */
function isActive(a: Account): boolean {
  const state = a.State ?? a.Status;
  return state === "ACTIVE";
}

/** The ids of the organization's active accounts, sorted. Throws the SDK's error (the runner turns it into a message). */
export async function organizationAccounts(config: AwsClientConfig, limit: () => Promise<void> = () => Promise.resolve()): Promise<string[]> {
  const client = new OrganizationsClient(config);
  try {
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      await limit();
      const page = await client.send(new ListAccountsCommand({ NextToken: token, MaxResults: 20 }));
      for (const a of page.Accounts ?? []) if (a.Id && isActive(a)) ids.add(a.Id);
      token = page.NextToken;
    } while (token);
    return [...ids].sort();
  } finally {
    client.destroy();
  }
}
