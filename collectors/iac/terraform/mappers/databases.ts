/**
 * Database, cache and broker resources, for the credentials their configuration writes: the
 * master password (only as `View.written`, so a password from a variable or tfvars never
 * enters the model), whether the service manages it instead, and the user name.
 */
import { o, type View } from "../view.js";
import type { Emitted, Family } from "./common.js";

/** RDS instances and RDS / DocumentDB clusters: the same properties, under their own Terraform argument names. */
const masterCredentials =
  (type: string, username: string, password: string) =>
  (v: View): Emitted => ({
    type,
    properties: o({
      Engine: v.str("engine"),
      MasterUsername: v.str(username),
      MasterUserPassword: v.written(password),
      ManageMasterUserPassword: v.val("manage_master_user_password"),
    }),
  });

function redshift(v: View): Emitted {
  return {
    type: "AWS::Redshift::Cluster",
    properties: o({
      MasterUsername: v.str("master_username"),
      MasterUserPassword: v.written("master_password"),
      ManageMasterPassword: v.val("manage_master_password"),
    }),
  };
}

function replicationGroup(v: View): Emitted {
  return {
    type: "AWS::ElastiCache::ReplicationGroup",
    properties: o({ Engine: v.str("engine"), TransitEncryptionEnabled: v.val("transit_encryption_enabled"), AuthToken: v.written("auth_token") }),
  };
}

function broker(v: View): Emitted {
  return {
    type: "AWS::AmazonMQ::Broker",
    properties: o({
      BrokerName: v.str("broker_name"),
      EngineType: v.str("engine_type"),
      Users: v.list("user", (u) => o({ Username: u.str("username"), Password: u.written("password") })),
    }),
  };
}

export const databases: Family = {
  primary: {
    aws_db_instance: masterCredentials("AWS::RDS::DBInstance", "username", "password"),
    aws_rds_cluster: masterCredentials("AWS::RDS::DBCluster", "master_username", "master_password"),
    aws_docdb_cluster: masterCredentials("AWS::DocDB::DBCluster", "master_username", "master_password"),
    aws_redshift_cluster: redshift,
    aws_elasticache_replication_group: replicationGroup,
    aws_mq_broker: broker,
  },
};
