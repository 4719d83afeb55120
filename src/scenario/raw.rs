//! The scenario file as serde reads it: AWS request shapes with optional fields, before any
//! validation. Field names follow the AWS Batch API model exactly. Fields that do not affect
//! scheduling are not listed here (the structural check accepts them; serde ignores them).
#![allow(missing_docs)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawScenario {
    pub name: Option<String>,
    pub seed: Option<u64>,
    pub until: Option<f64>,
    pub compute_environments: Vec<RawComputeEnvironment>,
    pub consumable_resources: Vec<RawConsumableResource>,
    pub scheduling_policies: Vec<RawSchedulingPolicy>,
    pub job_queues: Vec<RawJobQueue>,
    pub job_definitions: Vec<RawJobDefinition>,
    pub workload: Vec<RawWorkloadEntry>,
    pub actions: Vec<RawAction>,
    pub simulation: Option<RawScenarioSimulation>,
    pub ec2_capacity: Option<RawEc2Capacity>,
}

/// The top-level `simulation` object: the scheduler's latencies (a simulation extension).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawScenarioSimulation {
    pub scheduling_interval_seconds: Option<f64>,
    pub submitted_to_runnable_seconds: Option<f64>,
}

/// `ec2Capacity` (a simulation extension).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEc2Capacity {
    pub instance_limits: Vec<RawInstanceLimit>,
    pub insufficient_capacity: Vec<RawCapacityWindow>,
    pub on_demand_vcpu_quota: Option<i64>,
    pub spot_vcpu_quota: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawInstanceLimit {
    pub instance_types: Vec<String>,
    pub max_instances: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawCapacityWindow {
    pub instance_types: Vec<String>,
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// `CreateConsumableResource` (`tags` ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawConsumableResource {
    pub consumable_resource_name: Option<String>,
    pub total_quantity: Option<i64>,
    pub resource_type: Option<String>,
}

/// `ConsumableResourceProperties`.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawConsumableResourceProperties {
    pub consumable_resource_list: Vec<RawConsumableResourceRequirement>,
}

/// `ConsumableResourceRequirement`.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawConsumableResourceRequirement {
    pub consumable_resource: Option<String>,
    pub quantity: Option<i64>,
}

/// `UpdateConsumableResource` (`clientToken` ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawUpdateConsumableResource {
    pub consumable_resource: Option<String>,
    pub operation: Option<String>,
    pub quantity: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawComputeEnvironment {
    pub compute_environment_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub state: Option<String>,
    pub compute_resources: Option<RawComputeResources>,
    pub eks_configuration: Option<serde_json::Value>,
    pub simulation: Option<RawCeSimulation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawComputeResources {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(rename = "allocationStrategy")]
    pub allocation_strategy: Option<String>,
    #[serde(rename = "minvCpus")]
    pub min_vcpus: Option<i64>,
    #[serde(rename = "maxvCpus")]
    pub max_vcpus: Option<i64>,
    #[serde(rename = "desiredvCpus")]
    pub desired_vcpus: Option<i64>,
    #[serde(rename = "instanceTypes")]
    pub instance_types: Option<Vec<String>>,
    #[serde(rename = "bidPercentage")]
    pub bid_percentage: Option<i64>,
    #[serde(rename = "scalingPolicy")]
    pub scaling_policy: Option<RawScalingPolicy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawScalingPolicy {
    pub min_scale_down_delay_minutes: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawCeSimulation {
    pub startup_seconds: Option<f64>,
    pub instance_launch_seconds: Option<f64>,
    pub instance_pending_seconds: Option<f64>,
    pub scale_out_cooldown_seconds: Option<f64>,
    pub scale_in_idle_seconds: Option<f64>,
    /// A number, or rates by instance type or family (`scenario::spot_prices`).
    pub interruptions_per_hour: Option<Value>,
    pub interruption_notice_seconds: Option<f64>,
    pub queue_priority: Option<String>,
    pub scale_out: Option<String>,
    #[serde(rename = "reservedMemoryMiB")]
    pub reserved_memory_mib: Option<i64>,
    pub prices: Option<RawPrices>,
    pub instance_types: Vec<RawInstanceType>,
    pub lambda: Option<RawLambda>,
    pub spot_price_history: Option<RawSpotPriceHistory>,
    pub unavailable: Option<Vec<RawWindow>>,
}

/// `simulation.spotPriceHistory` (SPOT): a price file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawSpotPriceHistory {
    pub path: Option<String>,
    pub format: Option<String>,
    pub start: Option<Value>,
}

/// One `simulation.unavailable` window (FARGATE_SPOT).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawWindow {
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// `simulation.lambda` (LAMBDA compute environments, a simulation extension).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawLambda {
    pub account_concurrency: Option<i64>,
    pub reserved_concurrency: Option<i64>,
    pub scaling_rate: Option<i64>,
    pub keep_alive_seconds: Option<f64>,
    pub cold_start_seconds: Option<f64>,
    pub gb_second: Option<f64>,
    #[serde(rename = "arm64GbSecond")]
    pub arm64_gb_second: Option<f64>,
    pub request_per_million: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawPrices {
    pub vcpu_hour: Option<f64>,
    pub gb_hour: Option<f64>,
    #[serde(rename = "arm64VcpuHour")]
    pub arm64_vcpu_hour: Option<f64>,
    #[serde(rename = "arm64GbHour")]
    pub arm64_gb_hour: Option<f64>,
    pub spot_discount: Option<f64>,
    pub instance_hour: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawInstanceType {
    pub instance_type: Option<String>,
    pub vcpus: Option<f64>,
    #[serde(rename = "memoryMiB")]
    pub memory_mib: Option<i64>,
    pub gpus: Option<i64>,
    pub price_per_hour: Option<f64>,
    pub architecture: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawSchedulingPolicy {
    pub name: Option<String>,
    pub fairshare_policy: Option<RawFairsharePolicy>,
    pub quota_share_policy: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawFairsharePolicy {
    pub share_decay_seconds: Option<i64>,
    pub compute_reservation: Option<i64>,
    pub share_distribution: Vec<RawShareAttributes>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawShareAttributes {
    pub share_identifier: Option<String>,
    pub weight_factor: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawJobQueue {
    pub job_queue_name: Option<String>,
    pub state: Option<String>,
    pub scheduling_policy_arn: Option<String>,
    pub priority: Option<i64>,
    pub compute_environment_order: Vec<RawCeOrder>,
    pub service_environment_order: Option<serde_json::Value>,
    pub job_queue_type: Option<String>,
    pub job_state_time_limit_actions: Vec<RawStateTimeLimitAction>,
    pub simulation: Option<RawQueueSimulation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawCeOrder {
    pub order: Option<i64>,
    pub compute_environment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawStateTimeLimitAction {
    pub reason: Option<String>,
    pub state: Option<String>,
    pub max_time_seconds: Option<i64>,
    pub action: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawQueueSimulation {
    pub backfill: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawJobDefinition {
    pub job_definition_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub parameters: BTreeMap<String, String>,
    pub scheduling_priority: Option<i64>,
    pub container_properties: Option<RawContainerProperties>,
    pub node_properties: Option<RawNodeProperties>,
    pub retry_strategy: Option<RawRetryStrategy>,
    pub timeout: Option<RawTimeout>,
    pub platform_capabilities: Vec<String>,
    pub ecs_properties: Option<RawEcsProperties>,
    pub eks_properties: Option<RawEksProperties>,
    pub consumable_resource_properties: Option<RawConsumableResourceProperties>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEksProperties {
    pub pod_properties: Option<RawEksPodProperties>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEksPodProperties {
    pub containers: Vec<RawEksContainer>,
    pub init_containers: Vec<RawEksContainer>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEksContainer {
    pub command: Vec<String>,
    pub resources: Option<RawEksResources>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RawEksResources {
    pub limits: BTreeMap<String, String>,
    pub requests: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawContainerProperties {
    pub vcpus: Option<i64>,
    pub memory: Option<i64>,
    pub command: Vec<String>,
    pub resource_requirements: Vec<RawResourceRequirement>,
    pub runtime_platform: Option<RawRuntimePlatform>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawRuntimePlatform {
    pub cpu_architecture: Option<String>,
    pub operating_system_family: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEcsProperties {
    pub task_properties: Vec<RawEcsTaskProperties>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEcsTaskProperties {
    pub containers: Vec<RawEcsContainer>,
    pub runtime_platform: Option<RawRuntimePlatform>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEcsContainer {
    pub command: Vec<String>,
    pub essential: Option<bool>,
    pub resource_requirements: Vec<RawResourceRequirement>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RawResourceRequirement {
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawNodeProperties {
    pub num_nodes: Option<i64>,
    pub main_node: Option<i64>,
    pub node_range_properties: Vec<RawNodeRange>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawNodeRange {
    pub target_nodes: Option<String>,
    pub container: Option<RawContainerProperties>,
    pub consumable_resource_properties: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawRetryStrategy {
    pub attempts: Option<i64>,
    pub evaluate_on_exit: Vec<RawEvaluateOnExit>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEvaluateOnExit {
    pub on_status_reason: Option<String>,
    pub on_reason: Option<String>,
    pub on_exit_code: Option<String>,
    pub action: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawTimeout {
    pub attempt_duration_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawSubmitJob {
    pub job_name: Option<String>,
    pub job_queue: Option<String>,
    pub share_identifier: Option<String>,
    pub scheduling_priority_override: Option<i64>,
    pub array_properties: Option<RawArrayProperties>,
    pub depends_on: Vec<RawJobDependency>,
    pub job_definition: Option<String>,
    pub parameters: BTreeMap<String, String>,
    pub container_overrides: Option<RawContainerOverrides>,
    pub eks_properties_override: Option<serde_json::Value>,
    pub retry_strategy: Option<RawRetryStrategy>,
    pub timeout: Option<RawTimeout>,
    pub consumable_resource_properties_override: Option<RawConsumableResourceProperties>,
    pub node_overrides: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawArrayProperties {
    pub size: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawJobDependency {
    pub job_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawContainerOverrides {
    pub vcpus: Option<i64>,
    pub memory: Option<i64>,
    pub command: Option<Vec<String>>,
    pub resource_requirements: Vec<RawResourceRequirement>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawWorkloadEntry {
    pub at: Option<f64>,
    pub submit_job: Option<RawSubmitJob>,
    pub runtime: Option<RawRuntime>,
    pub arrivals: Option<RawArrivals>,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub count: Option<u64>,
    pub trace: Option<RawTrace>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawRuntime {
    pub distribution: Option<String>,
    pub seconds: Option<f64>,
    pub mean_seconds: Option<f64>,
    pub min_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub sigma: Option<f64>,
    pub exit_code: Option<i64>,
    pub failure_probability: Option<f64>,
    pub failure_exit_code: Option<i64>,
    pub attempts: Option<Vec<RawRecordedAttempt>>,
    pub child_attempts: Option<Vec<RawChildAttempts>>,
}

/// `runtime.childAttempts[]`: one array child's recorded attempts.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawChildAttempts {
    pub index: Option<i64>,
    pub attempts: Option<Vec<RawRecordedAttempt>>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct RawRecordedAttempt {
    pub seconds: Option<f64>,
    pub exit_code: Option<i64>,
    pub status_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawArrivals {
    pub process: Option<String>,
    pub rate_per_hour: Option<f64>,
    pub seconds: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawTrace {
    pub path: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawAction {
    pub at: Option<f64>,
    pub update_compute_environment: Option<RawUpdateComputeEnvironment>,
    pub update_job_queue: Option<RawUpdateJobQueue>,
    pub register_job_definition: Option<RawJobDefinition>,
    pub deregister_job_definition: Option<RawDeregisterJobDefinition>,
    pub cancel_job: Option<RawJobAction>,
    pub terminate_job: Option<RawJobAction>,
    pub update_consumable_resource: Option<RawUpdateConsumableResource>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawUpdateComputeEnvironment {
    pub compute_environment: Option<String>,
    pub state: Option<String>,
    pub compute_resources: Option<RawComputeResources>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawUpdateJobQueue {
    pub job_queue: Option<String>,
    pub state: Option<String>,
    pub scheduling_policy_arn: Option<String>,
    pub priority: Option<i64>,
    pub compute_environment_order: Option<Vec<RawCeOrder>>,
    pub service_environment_order: Option<serde_json::Value>,
    pub job_state_time_limit_actions: Option<Vec<RawStateTimeLimitAction>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawDeregisterJobDefinition {
    pub job_definition: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawJobAction {
    pub job_id: Option<String>,
    pub reason: Option<String>,
}
