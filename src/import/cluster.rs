//! Which compute environment a history job ran on, from ARNs the history and the set-up
//! already carry.
//!
//! describe-jobs does not name a job's compute environment, but it names its ECS task:
//! `container.taskArn` is "The Amazon Resource Name (ARN) of the Amazon ECS task that's
//! associated with the container job. Each container attempt receives a task ARN when they
//! reach the STARTING status." (API model, `ContainerDetail.taskArn`; each attempt's
//! `container.taskArn` likewise, `AttemptContainerDetail.taskArn`). A task ARN in ECS's
//! current format names its cluster, `arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/TASK-ID`, and
//! each compute environment's cluster is its `ecsClusterArn`, "The Amazon Resource Name
//! (ARN) of the underlying Amazon ECS cluster that the compute environment uses" (API
//! model, `ComputeEnvironmentDetail.ecsClusterArn`),
//! `arn:aws:ecs:REGION:ACCOUNT:cluster/CLUSTER`. The old task ARN format
//! (`task/TASK-ID`, from before ECS put the cluster name in task ARNs) names no cluster.
//!
//! ```
//! use batchsim::import::{cluster_name, cluster_of_task};
//!
//! let task = "arn:aws:ecs:eu-west-1:111122223333:task/AWSBatch-etl-3f1a/0a1b2c3d4e5f";
//! assert_eq!(cluster_of_task(task), Some("AWSBatch-etl-3f1a"));
//! assert_eq!(cluster_of_task("arn:aws:ecs:eu-west-1:111122223333:task/0a1b2c3d4e5f"), None, "old format");
//! assert_eq!(
//!     cluster_name("arn:aws:ecs:eu-west-1:111122223333:cluster/AWSBatch-etl-3f1a"),
//!     Some("AWSBatch-etl-3f1a")
//! );
//! assert_eq!(cluster_name("AWSBatch-etl-3f1a"), None);
//! ```

use serde_json::Value;

/// The cluster name of an ECS task ARN (`...:task/CLUSTER/TASK-ID`); `None` for the old
/// format (`...:task/TASK-ID`) and for text that is not a task ARN.
pub fn cluster_of_task(task_arn: &str) -> Option<&str> {
    let resource = ecs_resource(task_arn)?;
    let (cluster, task) = resource.strip_prefix("task/")?.split_once('/')?;
    (!cluster.is_empty() && !task.is_empty()).then_some(cluster)
}

/// The cluster name of an ECS cluster ARN (`...:cluster/CLUSTER`); `None` for anything else.
pub fn cluster_name(cluster_arn: &str) -> Option<&str> {
    let name = ecs_resource(cluster_arn)?.strip_prefix("cluster/")?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// The resource part of an `arn:PARTITION:ecs:REGION:ACCOUNT:RESOURCE` ARN.
fn ecs_resource(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_word, _partition, service, _region, _account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (arn_word == "arn" && service == "ecs").then_some(())?;
    parts.next()
}

/// The task ARN of a describe-jobs job (or an EventBridge event's `detail`): the job's
/// `container.taskArn`, else its last attempt's that has one.
pub(crate) fn task_arn(job: &serde_json::Map<String, Value>) -> Option<&str> {
    let own = job
        .get("container")
        .and_then(|c| c.get("taskArn"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    own.or_else(|| {
        job.get("attempts")?
            .as_array()?
            .iter()
            .rev()
            .find_map(|a| a.get("container")?.get("taskArn")?.as_str().filter(|t| !t.is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_and_cluster_arns() {
        assert_eq!(cluster_of_task("arn:aws-cn:ecs:cn-north-1:1:task/c/t"), Some("c"));
        for bad in [
            "arn:aws:batch:eu-west-1:1:task/c/t",
            "arn:aws:ecs:eu-west-1:1:cluster/c",
            "arn:aws:ecs:eu-west-1:1:task//t",
            "task/c/t",
            "",
        ] {
            assert_eq!(cluster_of_task(bad), None, "{bad}");
        }
        assert_eq!(cluster_name("arn:aws:ecs:eu-west-1:1:cluster/c/extra"), None);
        assert_eq!(cluster_name("arn:aws:ecs:eu-west-1:1:cluster/"), None);
    }

    #[test]
    fn the_jobs_own_task_arn_else_its_last_attempts() {
        let job = json!({"container": {"taskArn": "own"}, "attempts": [{"container": {"taskArn": "a0"}}]});
        assert_eq!(task_arn(job.as_object().unwrap()), Some("own"));
        let job = json!({"container": {}, "attempts": [{"container": {"taskArn": "a0"}}, {"container": {}}]});
        assert_eq!(task_arn(job.as_object().unwrap()), Some("a0"));
        assert_eq!(task_arn(json!({}).as_object().unwrap()), None);
    }
}
