// Findings on CloudFormation parameters point into the parameter declaration itself
// (/Parameters/<P>/Default, the line of Default), not /Parameters/<P>/Properties/Default.
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.js";
import { loadPack } from "../../engine/pack.js";
import { loadCloudFormationText } from "../../collectors/iac/cloudformation/index.js";

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const yamlTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: OpenSearch domain for log search
Parameters:
  DomainName:
    Type: String
    Default: logs
  MasterUserPassword:
    Type: String
    Description: password of the fine-grained access master user
    Default: Chang3me-now!
Resources:
  LogsDomain:
    Type: AWS::OpenSearchService::Domain
    Properties:
      DomainName: !Ref DomainName
      AdvancedSecurityOptions:
        Enabled: true
        InternalUserDatabaseEnabled: true
        MasterUserOptions:
          MasterUserName: admin
          MasterUserPassword: !Ref MasterUserPassword
`;

const jsonTemplate = JSON.stringify(
  {
    Parameters: {
      MasterUserPassword: { Type: "String", Default: "Chang3me-now!" },
    },
    Resources: {
      Db: {
        Type: "AWS::RDS::DBInstance",
        Properties: { Engine: "postgres", MasterUsername: "app", MasterUserPassword: { Ref: "MasterUserPassword" } },
      },
    },
  },
  null,
  2,
);

function parameterFindings(text: string, file: string) {
  const r = loadCloudFormationText(text, file);
  if (r.status !== "loaded") throw new Error(r.reason);
  const doc = engine.evaluate({ schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, loadPack(), {
    kind: "iac",
    lineIndex: new Map([[file, r.lines]]),
  });
  return doc.findings
    .filter((f) => f.ruleId === "cloudformation-secret-parameters-noecho")
    .map((f) => ({ resource: f.resource.id, status: f.status, pointer: f.location?.pointer, line: f.location?.line }))
    .sort((a, b) => (a.pointer ?? "").localeCompare(b.pointer ?? ""));
}

describe("locations of findings on CloudFormation parameters", () => {
  it("YAML: Default at its own line, NoEcho (absent) at the parameter's line", () => {
    expect(parameterFindings(yamlTemplate, "opensearch.yaml")).toEqual([
      { resource: "MasterUserPassword", status: "fail", pointer: "/Parameters/MasterUserPassword/Default", line: 10 },
      { resource: "MasterUserPassword", status: "fail", pointer: "/Parameters/MasterUserPassword/NoEcho", line: 7 },
    ]);
  });

  it("JSON: the same pointers, the lines of the JSON text", () => {
    expect(parameterFindings(jsonTemplate, "rds.json")).toEqual([
      { resource: "MasterUserPassword", status: "fail", pointer: "/Parameters/MasterUserPassword/Default", line: 5 },
      { resource: "MasterUserPassword", status: "fail", pointer: "/Parameters/MasterUserPassword/NoEcho", line: 3 },
    ]);
  });
});
