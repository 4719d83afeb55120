//! `batchsim import`: real artefacts written by others (tests/data/import, see its README for
//! sources and licences) and the bundled examples (scenarios/import) come out with the names,
//! sizes, orders and references read by hand from each file, validate, and run.

mod common;

use batchsim::import::{ImportOptions, Imported, Importer};
use batchsim::{Error, Scenario};
use common::{batchsim, run_records};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/import")
        .join(name)
}

fn import(paths: &[PathBuf], params: &[(&str, &str)]) -> Imported {
    let options = ImportOptions {
        params: params.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        ..ImportOptions::default()
    };
    let mut importer = Importer::new(options);
    for p in paths {
        importer
            .add_file(p)
            .unwrap_or_else(|e| panic!("{} does not import: {e}", p.display()));
    }
    importer.finish("imported").expect("finish")
}

/// The validation problems of a scenario value, as `path: message` lines.
fn problems(scenario: &Value) -> Vec<String> {
    match Scenario::from_value(scenario, "imported.json") {
        Ok(_) => Vec::new(),
        Err(Error::Invalid(p)) => p.list.iter().map(|p| p.to_string()).collect(),
        Err(other) => vec![other.to_string()],
    }
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|o| o[field].as_str().expect("a name").to_owned())
        .collect()
}

fn with_workload(mut scenario: Value, workload: Value) -> Value {
    scenario["workload"] = workload;
    scenario
}

fn submissions(count: usize, queue: &str, def: &str, share: Option<&str>, seconds: f64) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let mut submit = json!({"jobName": format!("j{i}"), "jobQueue": queue, "jobDefinition": def});
            if let Some(s) = share {
                submit["shareIdentifier"] = json!(s);
            }
            json!({"at": i as f64, "submitJob": submit, "runtime": {"distribution": "fixed", "seconds": seconds}})
        })
        .collect()
}

// ---------------------------------------------------------------------------
// AWS CLI describe output (AWS CLI command reference examples)

#[test]
fn aws_cli_describe_compute_environments_example() {
    let out = import(&[data("describe-compute-environments.json")], &[]);
    let ce = &out.scenario["computeEnvironments"][0];
    assert_eq!(ce["computeEnvironmentName"], "P2OnDemand");
    assert_eq!(ce["type"], "MANAGED");
    assert_eq!(ce["state"], "ENABLED");
    let cr = &ce["computeResources"];
    assert_eq!(cr["type"], "EC2");
    assert_eq!(cr["maxvCpus"], 128);
    assert_eq!(cr["minvCpus"], 0);
    assert_eq!(cr["desiredvCpus"], 48);
    assert_eq!(cr["instanceTypes"], json!(["p2"]));
    assert_eq!(
        cr["subnets"],
        json!(["subnet-220c0e0a", "subnet-1a95556d", "subnet-978f6dce"])
    );
    for read_only in ["status", "statusReason", "ecsClusterArn", "computeEnvironmentArn"] {
        assert!(ce.get(read_only).is_none(), "{read_only} is dropped");
    }
    assert!(out.notes.is_empty(), "read-only fields are understood: {:?}", out.notes);
    // The simulator's instance catalog has no p2 family: the one problem left.
    assert_eq!(
        problems(&out.scenario),
        ["computeEnvironments[0].computeResources.instanceTypes[0]: unknown instance type `p2`; did you mean `p3`?"]
    );
}

#[test]
fn aws_cli_describe_job_queues_example_refers_by_arn() {
    let out = import(&[data("describe-job-queues.json")], &[]);
    let q = &out.scenario["jobQueues"][0];
    assert_eq!(q["jobQueueName"], "HighPriority");
    assert_eq!(q["priority"], 1);
    assert_eq!(q["state"], "ENABLED");
    assert_eq!(
        q["computeEnvironmentOrder"],
        json!([{"computeEnvironment": "C4OnDemand", "order": 1}])
    );
    assert!(q.get("jobQueueArn").is_none() && q.get("status").is_none());
    // The example describes a queue whose compute environment is not in the input.
    let p = problems(&out.scenario);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "jobQueues[0].computeEnvironmentOrder[0].computeEnvironment: unknown compute environment `C4OnDemand`"
        ),
        "{p:?}"
    );
}

#[test]
fn aws_cli_describe_job_definitions_example_runs_on_an_imported_queue() {
    let out = import(
        &[
            data("describe-job-definitions.json"),
            bundled("describe/compute-environments.json"),
            bundled("describe/job-queues.json"),
            bundled("describe/scheduling-policies.json"),
        ],
        &[],
    );
    let d = &out.scenario["jobDefinitions"][0];
    assert_eq!(d["jobDefinitionName"], "sleep60");
    assert_eq!(d["type"], "container");
    assert_eq!(d["containerProperties"]["vcpus"], 1);
    assert_eq!(d["containerProperties"]["memory"], 128);
    assert_eq!(d["containerProperties"]["command"], json!(["sleep", "60"]));
    assert_eq!(
        d["containerProperties"]["environment"],
        json!([]),
        "the 2016 API's {{}} is an empty list"
    );
    assert!(d.get("revision").is_none() && d.get("status").is_none());
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("jobDefinitions[0].containerProperties.parameters")),
        "{:?}",
        out.notes
    );
    assert_eq!(out.scenario["actions"], json!([]), "revision 1 is ACTIVE");
    let scenario = with_workload(
        out.scenario,
        json!(submissions(4, "ml-training", "sleep60:1", None, 60.0)),
    );
    let (report, records) = run_records(&scenario);
    assert_eq!(report.jobs.succeeded, 4);
    assert!(records
        .iter()
        .all(|r| &*r.job_definition == "sleep60:1" && r.compute_environment.as_deref() == Some("ml-ec2")));
}

// ---------------------------------------------------------------------------
// CloudFormation

fn alphafold() -> Imported {
    import(
        &[data("alphafold-cfn-batch.yaml")],
        &[
            ("DefaultSecurityGroupID", "sg-0example"),
            ("FileSystemId", "fs-0example"),
            ("FileSystemMountName", "fsx"),
            ("Subnet", "subnet-0example"),
            (
                "FoldingContainerRegistryURI",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/folding",
            ),
            (
                "DownloadContainerRegistryURI",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/download",
            ),
        ],
    )
}

#[test]
fn aws_samples_alphafold_template_yaml_with_short_tags_and_conditions() {
    let out = alphafold();
    let s = &out.scenario;
    assert_eq!(
        names(&s["computeEnvironments"], "computeEnvironmentName"),
        [
            "PrivateCPUComputeEnvironmentOnDemand",
            "PrivateCPUComputeEnvironmentSpot",
            "PrivateGPUComputeEnvironment"
        ]
    );
    let ces = s["computeEnvironments"].as_array().unwrap();
    assert_eq!(ces[0]["computeResources"]["type"], "EC2");
    assert_eq!(ces[0]["computeResources"]["allocationStrategy"], "BEST_FIT_PROGRESSIVE");
    assert_eq!(ces[0]["computeResources"]["instanceTypes"], json!(["m5", "r5", "c5"]));
    assert_eq!(ces[0]["computeResources"]["securityGroupIds"], json!(["sg-0example"]));
    assert_eq!(
        ces[0]["computeResources"]["launchTemplate"]["launchTemplateId"],
        "InstanceLaunchTemplate"
    );
    assert_eq!(ces[1]["computeResources"]["type"], "SPOT");
    assert_eq!(ces[1]["computeResources"]["bidPercentage"], 100);
    assert_eq!(ces[1]["computeResources"]["spotIamFleetRole"], "SpotFleetRole.Arn");
    assert_eq!(ces[2]["computeResources"]["instanceTypes"], json!(["g4dn"]));
    for ce in ces {
        assert_eq!(ce["computeResources"]["maxvCpus"], 256);
        assert_eq!(ce["computeResources"]["minvCpus"], 0);
        assert_eq!(ce["tags"]["Application"], "Unknown", "the parameter's default");
    }
    let queues = s["jobQueues"].as_array().unwrap();
    assert_eq!(
        names(&s["jobQueues"], "jobQueueName"),
        [
            "PrivateCPUJobQueueOnDemand",
            "PrivateCPUJobQueueSpot",
            "PrivateGPUJobQueue"
        ]
    );
    assert_eq!(
        queues[1]["computeEnvironmentOrder"],
        json!([{"computeEnvironment": "PrivateCPUComputeEnvironmentSpot", "order": 1}])
    );
    assert!(queues.iter().all(|q| q["priority"] == 10));
    let defs = s["jobDefinitions"].as_array().unwrap();
    assert_eq!(
        names(&s["jobDefinitions"], "jobDefinitionName"),
        [
            "CPUFoldingJobDefinition",
            "GPUFoldingJobDefinition",
            "CPUDownloadJobDefinition"
        ]
    );
    assert_eq!(
        defs[1]["containerProperties"]["resourceRequirements"],
        json!([{"type": "VCPU", "value": "8"}, {"type": "MEMORY", "value": "16000"}, {"type": "GPU", "value": "1"}])
    );
    assert_eq!(
        defs[0]["containerProperties"]["image"],
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/folding:latest"
    );
    assert_eq!(defs[2]["containerProperties"]["resourceRequirements"][0]["value"], "4");
    assert!(defs.iter().all(|d| d["retryStrategy"]["attempts"] == 3));
    let ignored = out
        .notes
        .iter()
        .find(|n| n.contains("resources ignored"))
        .expect("a list of ignored resources");
    for r in [
        "EC2InstanceRole (AWS::IAM::Role)",
        "InstanceLaunchTemplate (AWS::EC2::LaunchTemplate)",
        "SpotFleetRole (AWS::IAM::Role)",
    ] {
        assert!(ignored.contains(r), "{ignored}");
    }
    assert_eq!(problems(s), Vec::<String>::new());
    let scenario = with_workload(
        out.scenario,
        json!(submissions(
            3,
            "PrivateCPUJobQueueOnDemand",
            "CPUFoldingJobDefinition",
            None,
            600.0
        )),
    );
    let (report, records) = run_records(&scenario);
    assert_eq!(report.jobs.succeeded, 3);
    assert!(records
        .iter()
        .all(|r| r.resources.vcpus() == 8.0 && r.resources.memory_mib == 16000));
}

#[test]
fn aws_samples_alphafold_template_without_spot() {
    let mut params = vec![("EnableSpotInstanceTypes", "N")];
    let base = [
        ("DefaultSecurityGroupID", "sg-1"),
        ("FileSystemId", "fs-1"),
        ("FileSystemMountName", "m"),
        ("Subnet", "subnet-1"),
        ("FoldingContainerRegistryURI", "f"),
        ("DownloadContainerRegistryURI", "d"),
    ];
    params.extend(base);
    let out = import(&[data("alphafold-cfn-batch.yaml")], &params);
    assert_eq!(
        names(&out.scenario["computeEnvironments"], "computeEnvironmentName"),
        ["PrivateCPUComputeEnvironmentOnDemand", "PrivateGPUComputeEnvironment"]
    );
    assert_eq!(out.scenario["jobQueues"].as_array().unwrap().len(), 2);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("Resources.PrivateCPUJobQueueSpot left out: its condition `EnableSpotCPUs` is false")),
        "{:?}",
        out.notes
    );
}

#[test]
fn aws_samples_alphafold_template_needs_its_parameters() {
    let out = batchsim(&["import", data("alphafold-cfn-batch.yaml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("alphafold-cfn-batch.yaml: Parameters.DefaultSecurityGroupID: parameters `DefaultSecurityGroupID`, `FileSystemId`"), "{err}");
    assert!(err.contains("--param"), "{err}");
}

#[test]
fn cdk_synthesised_template_fair_share_queue_over_two_environments() {
    let out = import(&[data("cdk-job-queue.template.json")], &[]);
    let s = &out.scenario;
    assert_eq!(
        names(&s["computeEnvironments"], "computeEnvironmentName"),
        ["managedEc2CE195A935F", "newManagedEc2CECBFFDA3E"],
        "no name property: the logical ID"
    );
    for ce in s["computeEnvironments"].as_array().unwrap() {
        assert_eq!(ce["computeResources"]["instanceTypes"], json!(["optimal"]));
        assert_eq!(ce["computeResources"]["maxvCpus"], 256);
        assert_eq!(ce["computeResources"]["allocationStrategy"], "BEST_FIT_PROGRESSIVE");
        assert!(ce.get("replaceComputeEnvironment").is_none() && ce.get("updatePolicy").is_none());
    }
    let p = &s["schedulingPolicies"][0];
    assert_eq!(p["name"], "joBBQFairsharePolicy");
    assert_eq!(
        p["fairsharePolicy"],
        json!({"computeReservation": 75, "shareDecaySeconds": 3600, "shareDistribution": [
            {"shareIdentifier": "shareA", "weightFactor": 0.5}, {"shareIdentifier": "shareB", "weightFactor": 7}]})
    );
    let q = &s["jobQueues"][0];
    assert_eq!(q["jobQueueName"], "joBBQ9FD52DAF");
    assert_eq!(q["priority"], 10);
    assert_eq!(q["schedulingPolicyArn"], "joBBQFairsharePolicy");
    assert_eq!(
        q["computeEnvironmentOrder"],
        json!([{"computeEnvironment": "managedEc2CE195A935F", "order": 1},
               {"computeEnvironment": "newManagedEc2CECBFFDA3E", "order": 2}])
    );
    assert_eq!(problems(s), Vec::<String>::new());
    let mut scenario = out.scenario;
    scenario["jobDefinitions"] = json!([{"jobDefinitionName": "work", "type": "container",
        "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"}]}}]);
    let mut workload = submissions(4, "joBBQ9FD52DAF", "work", Some("shareA"), 300.0);
    workload.extend(submissions(4, "joBBQ9FD52DAF", "work", Some("shareB"), 300.0));
    let (report, _) = run_records(&with_workload(scenario, json!(workload)));
    assert_eq!(report.jobs.succeeded, 8);
    assert_eq!(report.shares["shareA"].succeeded, 4);
}

// ---------------------------------------------------------------------------
// Terraform

#[test]
fn terraform_aws_modules_fargate_example() {
    let out = import(&[data("terraform-aws-batch-fargate.tf")], &[]);
    let s = &out.scenario;
    assert_eq!(
        names(&s["computeEnvironments"], "computeEnvironmentName"),
        ["fargate", "fargate_spot"]
    );
    assert_eq!(s["computeEnvironments"][0]["computeResources"]["type"], "FARGATE");
    assert_eq!(s["computeEnvironments"][1]["computeResources"]["type"], "FARGATE_SPOT");
    assert!(s["computeEnvironments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["computeResources"]["maxvCpus"] == 4));
    assert_eq!(
        names(&s["jobQueues"], "jobQueueName"),
        ["LowPriorityFargate", "HighPriorityFargate"]
    );
    assert_eq!(s["jobQueues"][0]["priority"], 1);
    assert_eq!(
        s["jobQueues"][0]["computeEnvironmentOrder"],
        json!([{"order": 0, "computeEnvironment": "fargate_spot"}, {"order": 1, "computeEnvironment": "fargate"}])
    );
    assert_eq!(s["jobQueues"][1]["priority"], 99);
    assert_eq!(s["jobQueues"][1]["schedulingPolicyArn"], "HighPriorityFargate");
    let fs = &s["schedulingPolicies"][1]["fairsharePolicy"];
    assert_eq!(fs["computeReservation"], 1);
    assert_eq!(fs["shareDecaySeconds"], 3600);
    assert_eq!(
        fs["shareDistribution"],
        json!([{"shareIdentifier": "A1*", "weightFactor": 0.1}, {"shareIdentifier": "A2", "weightFactor": 0.2}])
    );
    let d = &s["jobDefinitions"][0];
    assert_eq!(
        d["jobDefinitionName"], "example",
        "local.name does not resolve: the map key"
    );
    assert_eq!(d["platformCapabilities"], json!(["FARGATE"]));
    assert_eq!(
        d["containerProperties"]["resourceRequirements"],
        json!([{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}])
    );
    assert_eq!(d["retryStrategy"]["attempts"], 3);
    assert!(d.get("timeout").is_none());
    assert_eq!(
        d["retryStrategy"]["evaluateOnExit"],
        json!([{"action": "RETRY", "onExitCode": "1"}, {"action": "EXIT", "onExitCode": "0"}])
    );
    let notes = out.notes.join("\n");
    for unresolved in [
        "module.batch.compute_environments.a_fargate.compute_resources.subnets: left out",
        "module.batch.job_definitions.example.name: left out",
        "container_properties.executionRoleArn: left out",
        "job_definitions.example.attempt_duration_seconds: not an input of version 3",
    ] {
        assert!(notes.contains(unresolved), "{unresolved} named in\n{notes}");
    }
    assert_eq!(problems(s), Vec::<String>::new());
    let scenario = with_workload(
        out.scenario,
        json!(submissions(6, "HighPriorityFargate", "example", Some("A2"), 120.0)),
    );
    let (report, _) = run_records(&scenario);
    assert_eq!(report.jobs.succeeded, 6);
    assert!(
        report.end_seconds >= 120.0 * 2.0,
        "4 vCPUs run 4 jobs at a time: {}",
        report.end_seconds
    );
}

#[test]
fn terraform_aws_modules_ec2_example() {
    let out = import(&[data("terraform-aws-batch-ec2.tf")], &[]);
    let s = &out.scenario;
    assert_eq!(
        names(&s["computeEnvironments"], "computeEnvironmentName"),
        ["ec2", "ec2_spot", "ec2_unmanaged"]
    );
    let ec2 = &s["computeEnvironments"][0]["computeResources"];
    assert_eq!(
        (
            ec2["minvCpus"].clone(),
            ec2["maxvCpus"].clone(),
            ec2["desiredvCpus"].clone()
        ),
        (json!(4), json!(16), json!(4))
    );
    assert_eq!(ec2["instanceTypes"], json!(["m5.large", "r5.large"]));
    let spot = &s["computeEnvironments"][1]["computeResources"];
    assert_eq!(spot["type"], "SPOT");
    assert_eq!(spot["bidPercentage"], 20);
    assert_eq!(
        spot["instanceTypes"],
        json!(["m4.large", "m3.large", "r4.large", "r3.large"])
    );
    assert_eq!(s["computeEnvironments"][2]["type"], "UNMANAGED");
    assert_eq!(
        names(&s["jobQueues"], "jobQueueName"),
        ["LowPriorityEc2", "HighPriorityEc2"]
    );
    // What the simulator cannot model is named by the validator, not guessed.
    assert_eq!(
        problems(s),
        [
            "computeEnvironments[1].computeResources.instanceTypes[1]: unknown instance type `m3.large`; did you mean `m4.large`?",
            "computeEnvironments[1].computeResources.instanceTypes[3]: unknown instance type `r3.large`; did you mean `r4.large`?",
            "computeEnvironments[2].type: UNMANAGED compute environments are not simulated: batchsim models the capacity AWS manages (use MANAGED)",
        ]
    );
}

// ---------------------------------------------------------------------------
// Bundled examples (an invented account): every input kind imports, validates and runs

fn cli_import_validate_run(inputs: &[PathBuf], params: &[&str], name: &str) -> Value {
    let dir = std::env::temp_dir().join(format!("batchsim-import-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join(format!("{name}.json"));
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(params.iter().flat_map(|p| ["--param".to_string(), p.to_string()]));
    args.extend(["--out".into(), out_file.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = batchsim(&argv);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = batchsim(&["validate", out_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = batchsim(&["run", out_file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["jobs"]["submitted"], 0, "set-up only: a run reports 0 jobs");
    let text = std::fs::read_to_string(&out_file).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_str(&text).unwrap()
}

#[test]
fn bundled_describe_outputs_keep_revisions_and_deregister_inactive_ones() {
    let files: Vec<PathBuf> = [
        "compute-environments.json",
        "scheduling-policies.json",
        "job-queues.json",
        "job-definitions.json",
        "consumable-resource.json",
    ]
    .iter()
    .map(|f| bundled(&format!("describe/{f}")))
    .collect();
    let s = cli_import_validate_run(&files, &[], "describe");
    assert_eq!(
        names(&s["computeEnvironments"], "computeEnvironmentName"),
        ["etl-fargate-spot", "etl-fargate", "ml-ec2"]
    );
    assert_eq!(s["jobQueues"][1]["schedulingPolicyArn"], "etl-teams");
    assert_eq!(
        s["jobQueues"][1]["computeEnvironmentOrder"],
        json!([{"order": 1, "computeEnvironment": "etl-fargate-spot"}, {"order": 2, "computeEnvironment": "etl-fargate"}])
    );
    // nightly-etl: revision 1 missing (filled), 2 INACTIVE, 3 ACTIVE; train-model: 7 only.
    let defs: Vec<&str> = s["jobDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["jobDefinitionName"].as_str().unwrap())
        .collect();
    assert_eq!(defs.iter().filter(|n| **n == "nightly-etl").count(), 3);
    assert_eq!(defs.iter().filter(|n| **n == "train-model").count(), 7);
    let deregistered: Vec<&str> = s["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["deregisterJobDefinition"]["jobDefinition"].as_str().unwrap())
        .collect();
    assert_eq!(
        deregistered,
        [
            "nightly-etl:1",
            "nightly-etl:2",
            "train-model:1",
            "train-model:2",
            "train-model:3",
            "train-model:4",
            "train-model:5",
            "train-model:6"
        ]
    );
    // A job for `nightly-etl` (after time 0) runs the latest ACTIVE revision, 3 (2 vCPUs).
    let mut workload = submissions(1, "etl-high", "nightly-etl", None, 60.0);
    workload[0]["at"] = json!(1);
    workload.extend(submissions(1, "ml-training", "train-model:7", None, 60.0));
    workload[1]["at"] = json!(1);
    let (report, records) = run_records(&with_workload(s, json!(workload)));
    assert_eq!(report.jobs.succeeded, 2);
    assert_eq!(&*records[0].job_definition, "nightly-etl:3");
    assert_eq!(records[0].resources.vcpus(), 2.0);
    assert_eq!(&*records[1].job_definition, "train-model:7");
}

#[test]
fn bundled_cloudformation_stack_with_parameters_and_conditions() {
    let dev = cli_import_validate_run(&[bundled("cloudformation/batch-stack.yaml")], &[], "cfn-dev");
    assert_eq!(
        names(&dev["computeEnvironments"], "computeEnvironmentName"),
        ["etl-dev-ondemand"]
    );
    assert_eq!(dev["computeEnvironments"][0]["computeResources"]["maxvCpus"], 8);
    let prod = cli_import_validate_run(&[bundled("cloudformation/batch-stack.yaml")], &["Env=prod"], "cfn-prod");
    assert_eq!(
        names(&prod["computeEnvironments"], "computeEnvironmentName"),
        ["etl-prod-spot", "etl-prod-ondemand"]
    );
    assert_eq!(prod["computeEnvironments"][0]["computeResources"]["maxvCpus"], 64);
    assert_eq!(
        prod["jobQueues"][0]["computeEnvironmentOrder"],
        json!([{"order": 1, "computeEnvironment": "etl-prod-spot"}, {"order": 2, "computeEnvironment": "etl-prod-ondemand"}])
    );
    assert_eq!(prod["jobQueues"][0]["schedulingPolicyArn"], "etl-prod-teams");
    assert_eq!(
        names(&prod["jobQueues"], "jobQueueName"),
        ["etl-prod-shared", "UrgentQueue"]
    );
    assert_eq!(
        prod["jobDefinitions"][0]["containerProperties"]["resourceRequirements"][0]["value"],
        "2"
    );
    assert_eq!(
        prod["jobDefinitions"][0]["containerProperties"]["image"],
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/etl:latest"
    );
    assert_eq!(prod["jobDefinitions"][1]["jobDefinitionName"], "ReportJob");
}

#[test]
fn bundled_terraform_state_and_configuration_agree() {
    let state = cli_import_validate_run(&[bundled("terraform/terraform-state.json")], &[], "tf-state");
    let config = cli_import_validate_run(
        &[bundled("terraform/main.tf")],
        &[
            "env=prod",
            r#"subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]"#,
        ],
        "tf-config",
    );
    for s in [&state, &config] {
        assert_eq!(
            names(&s["computeEnvironments"], "computeEnvironmentName"),
            ["render-prod-spot", "render-prod-ondemand"]
        );
        assert_eq!(
            s["computeEnvironments"][0]["computeResources"]["instanceTypes"],
            json!(["c5.2xlarge", "c5.4xlarge", "m5.4xlarge"])
        );
        assert_eq!(s["computeEnvironments"][0]["computeResources"]["maxvCpus"], 128);
        assert_eq!(
            s["computeEnvironments"][0]["computeResources"]["subnets"],
            json!(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"])
        );
        assert_eq!(
            names(&s["jobQueues"], "jobQueueName"),
            ["render-prod-frames", "render-prod-previews"]
        );
        assert_eq!(s["jobQueues"][0]["schedulingPolicyArn"], "render-prod-studios");
        assert_eq!(
            s["jobQueues"][1]["computeEnvironmentOrder"][0]["computeEnvironment"],
            "render-prod-ondemand"
        );
        assert_eq!(
            s["schedulingPolicies"][0]["fairsharePolicy"]["shareDistribution"][0]["weightFactor"],
            0.5
        );
    }
    // The state knows the revision (4); the configuration does not.
    assert_eq!(state["jobDefinitions"].as_array().unwrap().len(), 4);
    assert_eq!(config["jobDefinitions"].as_array().unwrap().len(), 1);
}

#[test]
fn a_mix_of_kinds_imports_into_one_scenario() {
    let s = cli_import_validate_run(
        &[
            bundled("cloudformation/batch-stack.yaml"),
            bundled("terraform/terraform-state.json"),
            data("describe-job-definitions.json"),
        ],
        &["Env=prod"],
        "mix",
    );
    assert_eq!(s["computeEnvironments"].as_array().unwrap().len(), 4);
    assert_eq!(
        names(&s["jobQueues"], "jobQueueName"),
        [
            "etl-prod-shared",
            "UrgentQueue",
            "render-prod-frames",
            "render-prod-previews"
        ]
    );
}

// ---------------------------------------------------------------------------
// Output and errors

#[test]
fn output_is_deterministic_and_goes_to_stdout_without_out() {
    let file = bundled("cloudformation/batch-stack.yaml");
    let a = batchsim(&["import", file.to_str().unwrap()]);
    let b = batchsim(&["import", file.to_str().unwrap()]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let v: Value = serde_json::from_slice(&a.stdout).expect("stdout is the scenario");
    assert_eq!(v["name"], "batch-stack");
    assert_eq!(v["workload"], json!([]));
}

fn bad_input(name: &str, text: &str, args: &[&str]) -> String {
    let dir = std::env::temp_dir().join(format!("batchsim-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let mut argv = vec!["import", file.to_str().unwrap()];
    argv.extend(args);
    let out = batchsim(&argv);
    assert_eq!(out.status.code(), Some(2), "{name}: exit 2");
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains(file.to_str().unwrap()), "{name}: names the file: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn bad_inputs_exit_2_with_the_file_the_path_and_the_reason() {
    let err = bad_input("notcfn.yaml", "hello: world\nlist: [1, 2]\n", &[]);
    assert!(err.contains("(root): not an input batchsim can import"), "{err}");
    let err = bad_input(
        "ref.yaml",
        "Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: 1\n      ComputeEnvironmentOrder:\n        - Order: 1\n          ComputeEnvironment: !Ref MyCE\n",
        &[],
    );
    assert!(
        err.contains(
            "Resources.Q.Properties.ComputeEnvironmentOrder[0].ComputeEnvironment: unresolvable `Ref` to `MyCE`"
        ),
        "{err}"
    );
    let err = bad_input(
        "plan.json",
        r#"{"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {"root_module": {"resources": [
            {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs", "values": {"bucket": "logs"}}]}}}"#,
        &[],
    );
    assert!(
        err.contains("planned_values.root_module: no aws_batch_compute_environment"),
        "{err}"
    );
    let err = bad_input("broken.json", "{\"computeEnvironments\": [", &[]);
    assert!(err.contains("malformed JSON"), "{err}");
    let err = bad_input("broken.yaml", "Resources: [\n", &[]);
    assert!(err.contains("malformed YAML"), "{err}");
    let err = bad_input("broken.tf", "resource \"aws_batch_job_queue\" {\n", &[]);
    assert!(err.contains("malformed HCL"), "{err}");
    let err = bad_input(
        "param.yaml",
        "Parameters:\n  Size:\n    Type: Number\nResources: {}\n",
        &[],
    );
    assert!(
        err.contains("Parameters.Size: parameter `Size` has no Default"),
        "{err}"
    );
}

#[test]
fn a_bad_param_and_a_missing_file_exit_2() {
    let out = batchsim(&["import", "nowhere.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.json: cannot read the file"));
    let file = bundled("cloudformation/batch-stack.yaml");
    let out = batchsim(&["import", file.to_str().unwrap(), "--param", "novalue"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--param `novalue`: expected NAME=VALUE"));
    let out = batchsim(&["import"]);
    assert_eq!(out.status.code(), Some(2), "an input is required");
}

#[test]
fn bundled_account_is_the_import_of_the_describe_outputs_and_its_what_if_runs() {
    // Run from the package root (cargo's working directory for tests), as README shows.
    let inputs = [
        "scenarios/import/describe/compute-environments.json",
        "scenarios/import/describe/consumable-resource.json",
        "scenarios/import/describe/job-definitions.json",
        "scenarios/import/describe/job-queues.json",
        "scenarios/import/describe/scheduling-policies.json",
    ];
    let mut args = vec!["import"];
    args.extend(inputs);
    let out = batchsim(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut fresh: Value = serde_json::from_slice(&out.stdout).unwrap();
    fresh["name"] = json!("account");
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(bundled("account.json")).unwrap()).unwrap();
    assert_eq!(fresh, kept, "scenarios/import/account.json is what import writes");
    let what_if = Scenario::from_file(bundled("account-what-if.json")).expect("the what-if validates");
    assert_eq!(what_if.job_queues().len(), 3);
    let out = batchsim(&[
        "run",
        bundled("account-what-if.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["jobs"]["succeeded"], report["jobs"]["submitted"]);
    assert!(report["jobs"]["submitted"].as_u64().unwrap() > 300);
}

// ---------------------------------------------------------------------------
// --generate-cli-skeleton templates (AWS Batch User Guide)

#[test]
fn user_guide_skeletons_name_each_placeholder_that_needs_a_value() {
    let expect: [(&str, &[&str]); 3] = [
        (
            "user-guide-compute-environment-template.json",
            &[
                "computeEnvironmentName",
                "type",
                "computeResources.type",
                "computeResources.maxvCpus",
                "computeResources.instanceTypes[0]",
            ],
        ),
        (
            "user-guide-job-queue-template.json",
            &["jobQueueName", "computeEnvironmentOrder[0].computeEnvironment"],
        ),
        (
            "user-guide-job-definition-template.json",
            &[
                "jobDefinitionName",
                "containerProperties.vcpus",
                "containerProperties.memory",
                "retryStrategy.attempts",
                "timeout.attemptDurationSeconds",
            ],
        ),
    ];
    for (file, paths) in expect {
        let path = data(file);
        let out = batchsim(&["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines.len(),
            paths.len(),
            "one message per placeholder that needs a value:\n{err}"
        );
        for (line, p) in lines.iter().zip(paths) {
            let prefix = format!("{}: {p}: the skeleton's placeholder ", path.display());
            assert!(
                line.starts_with(&prefix) && line.contains("needs a real value: "),
                "{line}"
            );
        }
    }
}

#[test]
fn user_guide_skeletons_filled_in_import_validate_and_run() {
    let read = |f: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(data(f)).unwrap()).unwrap() };
    let mut ce = read("user-guide-compute-environment-template.json");
    ce["computeEnvironmentName"] = json!("ondemand");
    ce["type"] = json!("MANAGED");
    ce["computeResources"]["type"] = json!("EC2");
    ce["computeResources"]["maxvCpus"] = json!(64);
    ce["computeResources"]["instanceTypes"] = json!(["c5"]);
    let mut q = read("user-guide-job-queue-template.json");
    q["jobQueueName"] = json!("default");
    q["computeEnvironmentOrder"][0]["computeEnvironment"] = json!("ondemand");
    let mut d = read("user-guide-job-definition-template.json");
    d["jobDefinitionName"] = json!("work");
    d["containerProperties"]["vcpus"] = json!(2);
    d["containerProperties"]["memory"] = json!(2048);
    d["retryStrategy"]["attempts"] = json!(2);
    d["timeout"]["attemptDurationSeconds"] = json!(3600);
    let mut importer = Importer::new(ImportOptions::default());
    for (name, body) in [("ce.json", &ce), ("q.json", &q), ("d.json", &d)] {
        importer.add_str(&body.to_string(), name).unwrap();
    }
    let out = importer.finish("filled").unwrap();
    let s = &out.scenario;
    assert_eq!(
        s["computeEnvironments"][0],
        json!({"computeEnvironmentName": "ondemand", "type": "MANAGED", "computeResources": {
            "type": "EC2", "minvCpus": 0, "maxvCpus": 64, "desiredvCpus": 0, "instanceTypes": ["c5"], "bidPercentage": 0}})
    );
    assert_eq!(
        s["jobQueues"][0],
        json!({"jobQueueName": "default", "priority": 0, "computeEnvironmentOrder": [{"order": 0, "computeEnvironment": "ondemand"}]})
    );
    assert_eq!(
        s["jobDefinitions"][0]["containerProperties"],
        json!({"vcpus": 2, "memory": 2048, "readonlyRootFilesystem": true, "privileged": true})
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n
                .starts_with("ce.json: placeholders left out (AWS defaults apply): state, computeResources.imageId")),
        "{:?}",
        out.notes
    );
    let p = problems(s);
    assert!(p.is_empty(), "{p:?}");
    let (report, _) = run_records(&with_workload(
        out.scenario,
        json!(submissions(3, "default", "work", None, 60.0)),
    ));
    assert_eq!(report.jobs.succeeded, 3);
}

// ---------------------------------------------------------------------------
// Job history

#[test]
fn aws_cli_describe_jobs_and_user_guide_event_are_history() {
    let out = import(
        &[
            data("describe-jobs.json"),
            data("user-guide-job-state-change-event.json"),
        ],
        &[],
    );
    assert_eq!(out.scenario["workload"], json!([]));
    let notes = out.notes.join("\n");
    assert!(
        notes.contains("describe-jobs.json: 1 job never started (no startedAt)"),
        "{notes}"
    );
    assert!(
        notes.contains("user-guide-job-state-change-event.json: 1 job never started"),
        "{notes}"
    );
}

#[test]
fn a_describe_jobs_page_without_created_at_is_exit_2_naming_the_job() {
    let err = bad_input(
        "jobs.json",
        r#"{"jobs": [{"jobId": "a", "jobName": "x", "createdAt": 1, "startedAt": 2, "stoppedAt": 3},
                     {"jobId": "b", "jobName": "y", "status": "SUCCEEDED"}]}"#,
        &[],
    );
    assert!(err.contains("jobs[1].createdAt: missing"), "{err}");
}

/// describe-jobs output, as AWS would write it, for the records of a batchsim run.
fn describe_jobs(records: &[batchsim::JobRecord], epoch_ms: i64) -> Value {
    let ms = |t: batchsim::SimTime| epoch_ms + t.as_millis() as i64;
    let jobs: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "jobArn": format!("arn:aws:batch:eu-west-1:111122223333:job/{}", r.job_id),
                "jobName": &*r.job_name,
                "jobId": r.job_id.to_string(),
                "jobQueue": format!("arn:aws:batch:eu-west-1:111122223333:job-queue/{}", r.job_queue),
                "status": "SUCCEEDED",
                "shareIdentifier": if r.share_identifier.is_empty() { Value::Null } else { json!(&*r.share_identifier) },
                "createdAt": ms(r.submitted_at),
                "startedAt": ms(r.started_at.expect("started")),
                "stoppedAt": ms(r.stopped_at.expect("stopped")),
                "jobDefinition": format!("arn:aws:batch:eu-west-1:111122223333:job-definition/{}", r.job_definition),
                "container": {"exitCode": 0, "resourceRequirements": [
                    {"type": "VCPU", "value": r.resources.vcpus().to_string()},
                    {"type": "MEMORY", "value": r.resources.memory_mib.to_string()}]},
                "attempts": [{"startedAt": ms(r.started_at.unwrap()), "stoppedAt": ms(r.stopped_at.unwrap()), "container": {"exitCode": 0}}]
            })
        })
        .collect();
    json!({"jobs": jobs})
}

#[test]
fn a_batchsim_history_replayed_under_its_set_up_starts_in_the_recorded_order() {
    // Run the imported account with random (lognormal, exponential) runtimes...
    let setup: Vec<PathBuf> = [
        "compute-environments.json",
        "scheduling-policies.json",
        "job-queues.json",
        "job-definitions.json",
    ]
    .iter()
    .map(|f| bundled(&format!("describe/{f}")))
    .collect();
    let original = with_workload(
        import(&setup, &[]).scenario,
        json!([
            {"arrivals": {"process": "poisson", "ratePerHour": 120}, "start": 1, "end": 3600,
             "submitJob": {"jobName": "urgent", "jobQueue": "etl-high", "jobDefinition": "nightly-etl"},
             "runtime": {"distribution": "lognormal", "medianSeconds": 600, "sigma": 0.6}},
            {"arrivals": {"process": "poisson", "ratePerHour": 20}, "start": 1, "end": 3600,
             "submitJob": {"jobName": "train", "jobQueue": "ml-training", "jobDefinition": "train-model"},
             "runtime": {"distribution": "exponential", "meanSeconds": 1800}}
        ]),
    );
    let (report, records) = run_records(&original);
    assert!(report.jobs.succeeded > 50, "{}", report.jobs.succeeded);
    assert_eq!(report.jobs.succeeded, report.jobs.submitted);
    // ...export it as describe-jobs pages (two, concatenated), import them with the set-up...
    let history = describe_jobs(&records, 1_717_200_000_000);
    let jobs = history["jobs"].as_array().unwrap();
    let (a, b) = jobs.split_at(jobs.len() / 2);
    let dir = std::env::temp_dir().join(format!("batchsim-import-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pages = dir.join("describe-jobs.json");
    std::fs::write(&pages, format!("{}\n{}\n", json!({"jobs": a}), json!({"jobs": b}))).unwrap();
    let mut inputs = setup.clone();
    inputs.push(pages);
    let replay = import(&inputs, &[]).scenario;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(replay["workload"].as_array().unwrap().len(), records.len());
    // ...and the replay starts every job where and when the recording did.
    let (replayed, again) = run_records(&replay);
    assert_eq!(replayed.jobs.succeeded, report.jobs.succeeded);
    let order = |rs: &[batchsim::JobRecord]| -> Vec<(String, Option<String>, u64)> {
        let mut v: Vec<_> = rs
            .iter()
            .map(|r| {
                (
                    r.job_name.to_string(),
                    r.compute_environment.as_deref().map(str::to_owned),
                    r.started_at.unwrap().as_millis() - r.submitted_at.as_millis(),
                )
            })
            .collect();
        v.sort_by_key(|(_, _, wait)| *wait);
        v
    };
    // The replay's clock starts at the first recorded submission.
    let starts = |rs: &[batchsim::JobRecord]| -> Vec<u64> {
        let origin = rs.iter().map(|r| r.submitted_at.as_millis()).min().unwrap();
        rs.iter().map(|r| r.started_at.unwrap().as_millis() - origin).collect()
    };
    assert_eq!(
        starts(&again),
        starts(&records),
        "same start times, job by job (in submission order)"
    );
    assert_eq!(order(&again), order(&records));
}

#[test]
fn bundled_history_replays_on_the_imported_account() {
    let mut inputs: Vec<PathBuf> = [
        "compute-environments.json",
        "scheduling-policies.json",
        "job-queues.json",
        "job-definitions.json",
    ]
    .iter()
    .map(|f| bundled(&format!("describe/{f}")))
    .collect();
    inputs.push(bundled("history/describe-jobs.json"));
    inputs.push(bundled("history/events.jsonl"));
    let s = cli_import_validate_run_jobs(&inputs);
    let w = s["workload"].as_array().unwrap();
    let names: Vec<&str> = w.iter().map(|e| e["submitJob"]["jobName"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "finance-etl-2024-06-01",
            "marketing-etl-2024-06-01",
            "report-2024-06-01",
            "train-a",
            "urgent-fix"
        ]
    );
    let at: Vec<f64> = w.iter().map(|e| e["at"].as_f64().unwrap()).collect();
    assert_eq!(
        at,
        [0.0, 60.0, 120.0, 3600.0, 4200.0],
        "epoch ms and ISO-8601 on one clock"
    );
    assert_eq!(w[0]["runtime"], json!({"distribution": "fixed", "seconds": 942.0}));
    assert_eq!(w[1]["runtime"]["exitCode"], 1);
    assert_eq!(
        w[2]["submitJob"]["dependsOn"],
        json!([{"jobId": "finance-etl-2024-06-01"}])
    );
    assert_eq!(w[2]["runtime"]["seconds"], 180.5);
    assert_eq!(w[3]["runtime"]["seconds"], 3600.0, "the SUCCEEDED event of train-a");
    let (report, records) = run_records(&s);
    assert_eq!((report.jobs.succeeded, report.jobs.failed), (4, 1));
    assert_eq!(records[1].status, batchsim::JobStatus::Failed);
}

/// Imports `inputs` with the CLI into a temporary file and reads it back (it need not run
/// empty: it has a workload).
fn cli_import_validate_run_jobs(inputs: &[PathBuf]) -> Value {
    let dir = std::env::temp_dir().join(format!("batchsim-import-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("replay.json");
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out_file.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = batchsim(&argv);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = batchsim(&["validate", out_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&out_file).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_str(&text).unwrap()
}

#[test]
fn an_unwritable_out_is_exit_1_and_dash_is_stdout() {
    let file = bundled("cloudformation/batch-stack.yaml");
    let out = batchsim(&["import", file.to_str().unwrap(), "--out", "/nonexistent-folder/x.json"]);
    assert_eq!(out.status.code(), Some(1), "an output error (CONTRACT exit codes)");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out /nonexistent-folder/x.json: cannot write"));
    let out = batchsim(&["import", file.to_str().unwrap(), "--out", "-"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("the scenario on stdout");
    assert_eq!(v["name"], "batch-stack");
}

/// Issue 12, item 2: a job history given as "pages concatenated or a directory of them". A
/// directory of `describe-jobs` pages, one per file, imports as the same workload as the
/// pages in one file; its files are read in name order (`page-10` after `page-09`), and an
/// empty directory is an error naming it.
#[test]
fn a_directory_of_describe_jobs_pages_reads_as_one_history() {
    let source = bundled("history/describe-jobs.json");
    let page: Value = serde_json::from_str(&std::fs::read_to_string(&source).unwrap()).unwrap();
    let jobs = page["jobs"].as_array().unwrap().clone();
    assert!(jobs.len() >= 2, "the bundled history has several jobs");
    let dir = common::temp_dir("history-pages");
    // One job per page, in an order that name order must restore (page-10 sorts last).
    let mut names: Vec<String> = (0..jobs.len()).map(|i| format!("page-{:02}.json", i + 9)).collect();
    names.sort();
    for (name, job) in names.iter().zip(&jobs) {
        std::fs::write(dir.join(name), json!({ "jobs": [job] }).to_string()).unwrap();
    }
    std::fs::write(dir.join(".DS_Store"), "not json").unwrap();
    let whole = import(&[source], &[]);
    let paged = import(std::slice::from_ref(&dir), &[]);
    assert_eq!(paged.scenario["workload"], whole.scenario["workload"]);
    assert_eq!(
        paged.scenario["workload"].as_array().unwrap().len(),
        whole.scenario["workload"].as_array().unwrap().len()
    );
    // The command line takes directories too: the bundled describe output (one directory)
    // with the history pages (another) imports and validates.
    let setup = bundled("describe");
    let out = batchsim(&["import", setup.to_str().unwrap(), dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("3 job queues") && err.contains("3 workload entries"),
        "{err}"
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = batchsim(&["import", empty.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}: the directory holds no input file", empty.display())),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
