/** EKS Pod Identity associations, MSK clusters, OpenSearch domains. */
import { o, oe, type View } from "../view.js";
import type { Emitted, Family } from "./common.js";

function podIdentity(v: View): Emitted {
  return {
    type: "AWS::EKS::PodIdentityAssociation",
    properties: o({
      ClusterName: v.ref("cluster_name"),
      Namespace: v.str("namespace"),
      ServiceAccount: v.str("service_account"),
      RoleArn: v.ref("role_arn"),
      TargetRoleArn: v.ref("target_role_arn"),
      Tags: v.tagList(),
    }),
  };
}

function msk(v: View): Emitted {
  const tags = v.tagsMap();
  return {
    type: "AWS::MSK::Cluster",
    properties: o({
      ClusterName: v.str("cluster_name"),
      KafkaVersion: v.str("kafka_version"),
      NumberOfBrokerNodes: v.val("number_of_broker_nodes"),
      ClientAuthentication: v.sub("client_authentication", (c) =>
        oe({
          Unauthenticated: c.computedDefault("unauthenticated")
            ? undefined
            : c.val("unauthenticated") === undefined
              ? undefined
              : { Enabled: c.val("unauthenticated") },
          Sasl: c.sub("sasl", (s) =>
            oe({
              Iam: s.val("iam") === undefined ? undefined : { Enabled: s.val("iam") },
              Scram: s.val("scram") === undefined ? undefined : { Enabled: s.val("scram") },
            }),
          ),
          Tls: c.sub("tls", (t) => o({ CertificateAuthorityArnList: t.refs("certificate_authority_arns"), Enabled: true })),
        }),
      ),
      EncryptionInfo: v.sub("encryption_info", (e) =>
        oe({
          EncryptionAtRest: e.computedDefault("encryption_at_rest_kms_key_arn")
            ? undefined
            : oe({ DataVolumeKMSKeyId: e.ref("encryption_at_rest_kms_key_arn") }),
          EncryptionInTransit: e.sub("encryption_in_transit", (t) => o({ ClientBroker: t.str("client_broker"), InCluster: t.val("in_cluster") })),
        }),
      ),
      Tags: tags && Object.keys(tags).length > 0 ? tags : undefined,
    }),
  };
}

function opensearch(v: View): Emitted {
  return {
    type: "AWS::OpenSearchService::Domain",
    properties: o({
      DomainName: v.str("domain_name"),
      EngineVersion: v.str("engine_version"),
      AdvancedSecurityOptions: v.sub("advanced_security_options", (a) =>
        o({
          Enabled: a.val("enabled"),
          AnonymousAuthEnabled: a.val("anonymous_auth_enabled"),
          InternalUserDatabaseEnabled: a.val("internal_user_database_enabled"),
          // the master user password only when the configuration writes it (View.written)
          MasterUserOptions: a.sub("master_user_options", (m) =>
            oe({ MasterUserARN: m.ref("master_user_arn"), MasterUserName: m.str("master_user_name"), MasterUserPassword: m.written("master_user_password") }),
          ),
        }),
      ),
      EncryptionAtRestOptions: v.sub("encrypt_at_rest", (e) =>
        o({ Enabled: e.val("enabled"), KmsKeyId: e.computedDefault("kms_key_id") ? undefined : e.ref("kms_key_id") }),
      ),
      NodeToNodeEncryptionOptions: v.sub("node_to_node_encryption", (n) => o({ Enabled: n.val("enabled") })),
      DomainEndpointOptions: v.sub("domain_endpoint_options", (d) =>
        o({ EnforceHTTPS: d.val("enforce_https"), TLSSecurityPolicy: d.str("tls_security_policy") }),
      ),
      AccessPolicies: v.computedDefault("access_policies") ? undefined : v.json("access_policies"),
      Tags: v.tagList(),
    }),
  };
}

export const misc: Family = {
  primary: {
    aws_eks_pod_identity_association: podIdentity,
    aws_msk_cluster: msk,
    aws_opensearch_domain: opensearch,
  },
};
