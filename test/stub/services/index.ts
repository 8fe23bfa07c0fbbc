/** The loopback AWS's service modules, one per collector (collectors/aws/index.ts). Add new services here. */
import type { StubService } from "../service.js";
import { acmpca } from "./acmpca.js";
import { cloudcontrol } from "./cloudcontrol.js";
import { ec2 } from "./ec2.js";
import { eks } from "./eks.js";
import { elbv2 } from "./elbv2.js";
import { emr } from "./emr.js";
import { events } from "./events.js";
import { firehose } from "./firehose.js";
import { fms } from "./fms.js";
import { guardduty } from "./guardduty.js";
import { iam } from "./iam.js";
import { kafka } from "./kafka.js";
import { kms } from "./kms.js";
import { networkfirewall } from "./networkfirewall.js";
import { opensearch } from "./opensearch.js";
import { rolesanywhere } from "./rolesanywhere.js";
import { secretsmanager } from "./secretsmanager.js";
import { sts } from "./sts.js";
import { wafv2 } from "./wafv2.js";
import { workmail } from "./workmail.js";

export const services: readonly StubService[] = [
  sts,
  iam,
  rolesanywhere,
  acmpca,
  kms,
  secretsmanager,
  eks,
  ec2,
  emr,
  networkfirewall,
  wafv2,
  fms,
  elbv2,
  workmail,
  guardduty,
  events,
  firehose,
  kafka,
  opensearch,
  cloudcontrol,
];
