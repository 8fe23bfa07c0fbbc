/**
 * AWS's published request quotas for the read calls the collectors make: the one place the
 * client-side rate limits come from. Each figure names the AWS page it is taken from.
 *
 * A quota is a token bucket AWS keeps per account and region (IAM's: per account): `burst`
 * requests at once, refilled at `rate` a second. rampart keeps the same bucket on its side
 * (collectors/aws/runner.ts) so that a scan stays under the quota instead of spending it on
 * throttled requests.
 *
 * Where AWS publishes no per-second figure for the calls rampart makes, no client-side limit
 * is declared: the SDK's adaptive retry mode (client-side rate limiting that slows down when
 * it is throttled, one limiter per client and so per account × region × service) finds the
 * ceiling, and throttling it absorbs never becomes a coverage gap. That is the case for IAM
 * and STS (the IAM and STS quotas page lists object quotas, no request rates), GuardDuty
 * (its quotas page lists resource quotas only), KMS (its per-operation table,
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html, was not
 * confirmed for ListKeys, DescribeKey, GetKeyPolicy, GetKeyRotationStatus and
 * ListResourceTags here, so no figure is guessed), and every other collector's service.
 *
 * Users who share quotas with production cap every account × region × service further with
 * `rampart scan --rate N` (and `--concurrency`).
 */

export interface RequestQuota {
  /** Requests a second the bucket refills. */
  rate: number;
  /** Requests the full bucket allows at once. */
  burst: number;
  /** The AWS page the figures are taken from. */
  source: string;
}

interface QuotaRule extends RequestQuota {
  /** "each read": every Describe/Get/List action has a bucket of its own; otherwise these actions share one bucket. */
  actions: "each read" | readonly string[];
  /** What the page says, in a few words. */
  note: string;
}

const READ = /^(Describe|Get|List)/;

/** Service (IAM action prefix) → its request quotas for reads. */
export const REQUEST_QUOTAS: Readonly<Record<string, readonly QuotaRule[]>> = {
  ec2: [
    {
      actions: "each read",
      rate: 20,
      burst: 100,
      source: "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html",
      note: "request rate limiting per API; non-mutating actions: a bucket of 100 tokens refilled at 20 a second",
    },
  ],
  secretsmanager: [
    {
      actions: ["GetResourcePolicy", "PutResourcePolicy", "DeleteResourcePolicy", "ValidateResourcePolicy"],
      rate: 50,
      burst: 50,
      source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html",
      note: "combined rate of DeleteResourcePolicy, GetResourcePolicy, PutResourcePolicy and ValidateResourcePolicy: 50 per second",
    },
  ],
};

/**
 * The bucket an action ("ec2:DescribeSubnets") draws from, as `key` (unique within the
 * service's account × region), or undefined when AWS publishes no figure for it.
 */
export function quotaOf(action: string): (RequestQuota & { key: string }) | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  const service = action.slice(0, colon);
  const op = action.slice(colon + 1);
  const rules = REQUEST_QUOTAS[service];
  if (!rules) return undefined;
  for (const [i, r] of rules.entries()) {
    if (r.actions === "each read" ? READ.test(op) : r.actions.includes(op)) {
      return { key: r.actions === "each read" ? action : `${service}:#${i}`, rate: r.rate, burst: r.burst, source: r.source };
    }
  }
  return undefined;
}
