//! ARNs: AWS names an object by name or by ARN
//! (`arn:aws:batch:us-east-1:123456789012:job-queue/batch`) wherever a request refers to it.

/// The part of an ARN after the last `/` (a plain name is returned as it is).
pub(crate) fn arn_tail(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

#[cfg(test)]
mod tests {
    use super::arn_tail;

    #[test]
    fn the_name_is_the_tail_of_an_arn() {
        assert_eq!(
            arn_tail("arn:aws:batch:us-east-1:123456789012:job-queue/batch"),
            "batch"
        );
        assert_eq!(
            arn_tail("arn:aws:batch:us-east-1:1:job-definition/render:2"),
            "render:2"
        );
        assert_eq!(arn_tail("batch"), "batch");
        assert_eq!(arn_tail(""), "");
    }
}
