// Generated Terraform source for the IaC benchmark: `services` root modules, each of ten `.tf`
// files (five in the root, five in its local module ./modules/app) written the way the public
// modules are: variables with defaults and a terraform.tfvars, locals, for_each over maps and
// sets, dynamic blocks, aws_iam_policy_document data sources, jsonencode policies, cidrsubnet,
// a local module with inputs and outputs, and references between resources. Some services open
// SSH to the world or trust a service without a source condition, so rules have work to do.
import fs from "node:fs";
import path from "node:path";

const ROOT_VARIABLES = (s: number) => `variable "env" {
  type    = string
  default = "prod"
}

variable "vpc_cidr" {
  type    = string
  default = "10.${s % 250}.0.0/16"
}

variable "zones" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["203.0.113.0/24"]
}

variable "buckets" {
  type    = set(string)
  default = ["svc${s}-data", "svc${s}-logs", "svc${s}-exports"]
}

variable "ports" {
  type = map(object({ port = number, cidrs = list(string) }))
  default = {
    https = { port = 443, cidrs = ["0.0.0.0/0"] }
    app   = { port = 8080, cidrs = ["10.0.0.0/8"] }
  }
}

variable "tags" {
  type    = map(string)
  default = { team = "team-${s % 12}", cost_center = "cc-${1000 + (s % 40)}" }
}
`;

const ROOT_MAIN = (s: number) => `locals {
  name        = "\${var.env}-svc${s}"
  common_tags = merge(var.tags, { service = "svc${s}", env = var.env })
  subnets     = { for i, z in var.zones : z => cidrsubnet(var.vpc_cidr, 8, i) }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

module "app" {
  source        = "./modules/app"
  name          = local.name
  vpc_id        = "vpc-0${String(s).padStart(16, "0")}"
  ingress_cidrs = ${s % 7 === 0 ? '["0.0.0.0/0"]' : "var.admin_cidrs"}
  tags          = local.common_tags
  reader_arns   = [aws_iam_role.task.arn]
}

resource "aws_security_group" "edge" {
  name        = "\${local.name}-edge"
  description = "edge of \${local.name}"
  vpc_id      = module.app.vpc_id
  tags        = local.common_tags

  dynamic "ingress" {
    for_each = var.ports
    content {
      description = ingress.key
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ingress.value.cidrs
    }
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const ROOT_NETWORK = () => `resource "aws_subnet" "private" {
  for_each          = local.subnets
  vpc_id            = module.app.vpc_id
  cidr_block        = each.value
  availability_zone = each.key
  tags              = merge(local.common_tags, { Name = "\${local.name}-\${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "from_subnets" {
  for_each          = aws_subnet.private
  security_group_id = module.app.security_group_id
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_ipv4         = each.value.cidr_block
}
`;

const ROOT_IAM = (s: number) => `data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
${
  s % 5 === 0
    ? ""
    : `    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
`
}  }
}

resource "aws_iam_role" "task" {
  name               = "\${local.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.common_tags
}

resource "aws_iam_role_policy" "buckets" {
  name = "\${local.name}-buckets"
  role = aws_iam_role.task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for b in sort(tolist(var.buckets)) : {
      Sid      = replace(title(replace(b, "-", " ")), " ", "")
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:\${data.aws_partition.current.partition}:s3:::\${b}/*"
    }]
  })
}
`;

const ROOT_OUTPUTS = () => `output "role_arn" {
  value = aws_iam_role.task.arn
}

output "subnet_ids" {
  value = [for s in aws_subnet.private : s.id]
}

output "secret_arn" {
  value = module.app.secret_arn
}
`;

const MOD_VARIABLES = () => `variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "ingress_cidrs" {
  type = list(string)
}

variable "reader_arns" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "admin_ports" {
  type    = set(string)
  default = ["22"]
}
`;

const MOD_MAIN = () => `resource "aws_security_group" "this" {
  name        = var.name
  description = "\${var.name} tasks"
  vpc_id      = var.vpc_id
  tags        = var.tags

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "admin" {
  for_each          = var.admin_ports
  type              = "ingress"
  security_group_id = aws_security_group.this.id
  protocol          = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_blocks       = var.ingress_cidrs
}
`;

const MOD_KMS = () => `data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::\${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "Readers"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = var.reader_arns
    }
  }
}

resource "aws_kms_key" "this" {
  description         = "\${var.name} secrets"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
  tags                = var.tags
}
`;

const MOD_SECRETS = () => `resource "aws_secretsmanager_secret" "this" {
  name       = "\${var.name}/db"
  kms_key_id = aws_kms_key.this.arn
  tags       = var.tags
}

resource "aws_secretsmanager_secret_policy" "this" {
  secret_arn = aws_secretsmanager_secret.this.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Readers"
      Effect    = "Allow"
      Principal = { AWS = var.reader_arns }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })
}
`;

const MOD_OUTPUTS = () => `output "vpc_id" {
  value = aws_security_group.this.vpc_id
}

output "security_group_id" {
  value = aws_security_group.this.id
}

output "secret_arn" {
  value = aws_secretsmanager_secret.this.arn
}
`;

/** Writes `services` root modules (ten .tf files each) under `dir`; returns the number of .tf files. */
export function writeTerraformServices(dir: string, services: number): number {
  let n = 0;
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
    if (rel.endsWith(".tf")) n++;
  };
  for (let s = 0; s < services; s++) {
    const root = `svc-${String(s).padStart(3, "0")}`;
    put(`${root}/variables.tf`, ROOT_VARIABLES(s));
    put(`${root}/main.tf`, ROOT_MAIN(s));
    put(`${root}/network.tf`, ROOT_NETWORK());
    put(`${root}/iam.tf`, ROOT_IAM(s));
    put(`${root}/outputs.tf`, ROOT_OUTPUTS());
    put(`${root}/terraform.tfvars`, `env = "${["prod", "stage", "dev"][s % 3]}"\n`);
    put(`${root}/modules/app/variables.tf`, MOD_VARIABLES());
    put(`${root}/modules/app/main.tf`, MOD_MAIN());
    put(`${root}/modules/app/kms.tf`, MOD_KMS());
    put(`${root}/modules/app/secrets.tf`, MOD_SECRETS());
    put(`${root}/modules/app/outputs.tf`, MOD_OUTPUTS());
  }
  return n;
}
