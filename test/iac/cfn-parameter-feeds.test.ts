// The CloudFormation loader records which resource properties each parameter feeds
// (observed.feeds of its AWS::CloudFormation::Parameter pseudo-resource), as written.
import { describe, expect, it } from "vitest";
import { loadCloudFormationText } from "../../collectors/iac/cloudformation/index.js";

const template = `Parameters:
  DbPassword: {Type: String, NoEcho: true}
  Stage: {Type: String, Default: prod}
  Unused: {Type: String}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUsername: app
      MasterUserPassword: !Ref DbPassword
      Tags:
        - Key: stage
          Value: !Join ["-", [orders, !Ref Stage]]
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: !Sub "\${Stage}/db"
      SecretString: !Sub
        - '{"password":"\${Pw}","literal":"\${!DbPassword}","stage":"\${Stage}"}'
        - Pw: !Ref DbPassword
Outputs:
  Pw:
    Value: !Ref Unused
`;

function feeds(): Record<string, unknown> {
  const r = loadCloudFormationText(template, "t.yaml");
  if (r.status !== "loaded") throw new Error(r.reason);
  return Object.fromEntries(r.resources.filter((x) => x.type === "AWS::CloudFormation::Parameter").map((x) => [x.id, x.observed?.feeds]));
}

describe("parameter feeds", () => {
  it("Ref and Fn::Sub uses, by property path without intrinsics or list indexes; Outputs and ${!Literal} are not uses", () => {
    expect(feeds()).toEqual({
      DbPassword: [
        { resource: "Db", type: "AWS::RDS::DBInstance", property: "MasterUserPassword", pointer: "/Resources/Db/Properties/MasterUserPassword" },
        {
          resource: "Secret",
          type: "AWS::SecretsManager::Secret",
          property: "SecretString",
          pointer: "/Resources/Secret/Properties/SecretString/Fn::Sub/1/Pw",
        },
      ],
      Stage: [
        { resource: "Db", type: "AWS::RDS::DBInstance", property: "Tags/Value", pointer: "/Resources/Db/Properties/Tags/0/Value/Fn::Join/1/1" },
        { resource: "Secret", type: "AWS::SecretsManager::Secret", property: "Name", pointer: "/Resources/Secret/Properties/Name" },
        { resource: "Secret", type: "AWS::SecretsManager::Secret", property: "SecretString", pointer: "/Resources/Secret/Properties/SecretString" },
      ],
      Unused: [],
    });
  });
});
