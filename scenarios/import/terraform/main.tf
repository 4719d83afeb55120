# An invented account's AWS Batch set-up (account 111122223333) in plain Terraform.
# Import it with: batchsim import scenarios/import/terraform/main.tf --param env=prod

variable "env" {
  type    = string
  default = "dev"
}

variable "max_vcpus" {
  type    = number
  default = 128
}

variable "subnet_ids" {
  type = list(string)
}

locals {
  prefix = "render-${var.env}"
}

data "aws_iam_role" "batch_service" {
  name = "AWSServiceRoleForBatch"
}

resource "aws_batch_compute_environment" "spot" {
  compute_environment_name = "${local.prefix}-spot"
  type                     = "MANAGED"
  service_role             = data.aws_iam_role.batch_service.arn

  compute_resources {
    type                = "SPOT"
    allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED"
    bid_percentage      = 60
    min_vcpus           = 0
    max_vcpus           = var.max_vcpus
    instance_type       = ["c5.2xlarge", "c5.4xlarge", "m5.4xlarge"]
    subnets             = var.subnet_ids
    security_group_ids  = ["sg-0123456789abcdef0"]
    instance_role       = "arn:aws:iam::111122223333:instance-profile/ecsInstanceRole"
  }
}

resource "aws_batch_compute_environment" "ondemand" {
  compute_environment_name = "${local.prefix}-ondemand"
  type                     = "MANAGED"

  compute_resources {
    type                = "EC2"
    allocation_strategy = "BEST_FIT_PROGRESSIVE"
    min_vcpus           = 0
    max_vcpus           = 32
    instance_type       = ["c5"]
    subnets             = var.subnet_ids
    security_group_ids  = ["sg-0123456789abcdef0"]
    instance_role       = "arn:aws:iam::111122223333:instance-profile/ecsInstanceRole"
  }
}

resource "aws_batch_scheduling_policy" "studios" {
  name = "${local.prefix}-studios"

  fair_share_policy {
    compute_reservation = 10
    share_decay_seconds = 3600

    share_distribution {
      share_identifier = "studioA"
      weight_factor    = 0.5
    }

    share_distribution {
      share_identifier = "studioB"
      weight_factor    = 1
    }
  }
}

resource "aws_batch_job_queue" "frames" {
  name                  = "${local.prefix}-frames"
  state                 = "ENABLED"
  priority              = 10
  scheduling_policy_arn = aws_batch_scheduling_policy.studios.arn

  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.spot.arn
  }

  compute_environment_order {
    order               = 2
    compute_environment = aws_batch_compute_environment.ondemand.arn
  }
}

resource "aws_batch_job_queue" "previews" {
  name                 = "${local.prefix}-previews"
  state                = "ENABLED"
  priority             = 50
  compute_environments = [aws_batch_compute_environment.ondemand.arn]
}

resource "aws_batch_job_definition" "frame" {
  name = "render-frame"
  type = "container"

  container_properties = jsonencode({
    image   = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/render:3.1"
    command = ["render", "--frame", "Ref::frame"]
    resourceRequirements = [
      { type = "VCPU", value = "4" },
      { type = "MEMORY", value = "7168" },
    ]
  })

  retry_strategy {
    attempts = 2
  }

  timeout {
    attempt_duration_seconds = 3600
  }
}
