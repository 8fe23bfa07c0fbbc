/**
 * Live AWS access for remediations: one lazily created SDK v3 client per service and
 * region, and a generic `send(service, region, action, input)` so that the calls a plan
 * prints are exactly the calls that run. Credentials come from the SDK's default chain
 * (or `--profile`); AWS_ENDPOINT_URL(_<SERVICE>) is honoured as by the collectors.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { ApiCall, Json } from "./types.js";

interface ServiceEntry {
  load: () => Promise<Record<string, unknown>>;
  client: string;
  /** Global services are called in the home region. */
  global?: boolean;
}

/** The SDK package and client class of each service prefix a remediation may call. */
const SERVICES: Record<string, ServiceEntry> = {
  iam: { load: () => import("@aws-sdk/client-iam"), client: "IAMClient", global: true },
  sts: { load: () => import("@aws-sdk/client-sts"), client: "STSClient" },
  rolesanywhere: { load: () => import("@aws-sdk/client-rolesanywhere"), client: "RolesAnywhereClient" },
  "network-firewall": { load: () => import("@aws-sdk/client-network-firewall"), client: "NetworkFirewallClient" },
  firehose: { load: () => import("@aws-sdk/client-firehose"), client: "FirehoseClient" },
  guardduty: { load: () => import("@aws-sdk/client-guardduty"), client: "GuardDutyClient" },
  kms: { load: () => import("@aws-sdk/client-kms"), client: "KMSClient" },
  wafv2: { load: () => import("@aws-sdk/client-wafv2"), client: "WAFV2Client" },
  workmail: { load: () => import("@aws-sdk/client-workmail"), client: "WorkMailClient" },
  secretsmanager: { load: () => import("@aws-sdk/client-secrets-manager"), client: "SecretsManagerClient" },
  eks: { load: () => import("@aws-sdk/client-eks"), client: "EKSClient" },
  fms: { load: () => import("@aws-sdk/client-fms"), client: "FMSClient" },
  elasticloadbalancing: { load: () => import("@aws-sdk/client-elastic-load-balancing-v2"), client: "ElasticLoadBalancingV2Client" },
};

export function knownService(service: string): boolean {
  return service in SERVICES;
}

export interface AwsClientsOptions {
  profile?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Region of global services and STS (default: AWS_REGION, else us-east-1). */
  homeRegion?: string;
  maxAttempts?: number;
}

type SdkClient = { send(cmd: unknown): Promise<Record<string, unknown>>; destroy(): void };

/** A record of one call (for the journal's detail and for tests). */
export interface SentCall {
  service: string;
  region: string;
  action: string;
}

export class AwsClients {
  private readonly clients = new Map<string, SdkClient>();
  private credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  private readonly profile: string | undefined;
  readonly homeRegion: string;
  private readonly maxAttempts: number;
  private callerAccount: Promise<string> | undefined;
  readonly sent: SentCall[] = [];

  constructor(opts: AwsClientsOptions = {}) {
    this.credentials = opts.credentials;
    this.profile = opts.profile;
    this.homeRegion = opts.homeRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
    this.maxAttempts = opts.maxAttempts ?? 4;
  }

  /** Sends `action` of `service` in `region` ("global" = the home region); returns the SDK output. */
  async send(service: string, region: string, action: string, input: Record<string, unknown>): Promise<Record<string, any>> {
    const entry = SERVICES[service];
    if (!entry) throw new Error(`no SDK client is registered for service '${service}'`);
    const where = entry.global || region === "global" ? this.homeRegion : region;
    const mod = await entry.load();
    const Command = mod[`${action}Command`] as (new (input: unknown) => unknown) | undefined;
    if (typeof Command !== "function") throw new Error(`${service}:${action} is not an operation of ${entry.client}`);
    const key = `${service}|${where}`;
    let client = this.clients.get(key);
    if (!client) {
      const creds = await this.credentialProvider();
      const { endpointFor } = await import("../collectors/aws/runner.js");
      const Client = mod[entry.client] as new (config: unknown) => SdkClient;
      const endpoint = endpointFor(service);
      client = new Client({ region: where, credentials: creds, retryMode: "adaptive", maxAttempts: this.maxAttempts, ...(endpoint ? { endpoint } : {}) });
      this.clients.set(key, client);
    }
    this.sent.push({ service, region, action });
    return client.send(new Command(input));
  }

  /** Sends one planned call. */
  call(c: ApiCall): Promise<Record<string, any>> {
    return this.send(c.service, c.region, c.action, c.input as Record<string, Json>);
  }

  /** The account of the credentials (sts:GetCallerIdentity, once). */
  account(): Promise<string> {
    this.callerAccount ??= this.send("sts", this.homeRegion, "GetCallerIdentity", {}).then((r) => {
      if (typeof r.Account !== "string") throw new Error("sts:GetCallerIdentity returned no account");
      return r.Account;
    });
    return this.callerAccount;
  }

  /** The credentials (the SDK's default chain, or --profile), for the clients and the collectors of the verify step. */
  async credentialProvider(): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider> {
    if (!this.credentials) {
      // Loaded on first use, so that commands which never call AWS do not load the SDK.
      const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
      this.credentials = fromNodeProviderChain(this.profile ? { profile: this.profile } : {});
    }
    return this.credentials;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
