//! Elastic Load Balancing accounts that deliver ALB access logs in regions launched
//! before August 2022.
//!
//! Source: Elastic Load Balancing user guide, "Enable access logs for your Application
//! Load Balancer" (bucket policy section), checked 2026-11-26; the same table is used by
//! terraform-aws-modules/s3-bucket (`attach_elb_log_delivery_policy`). Regions launched
//! later use only the service principal `logdelivery.elasticloadbalancing.amazonaws.com`,
//! which topoc grants everywhere.

const ACCOUNTS: &[(&str, &str)] = &[
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// The regional ELB account for `region`, if it has one.
pub fn log_delivery_account(region: &str) -> Option<&'static str> {
    ACCOUNTS
        .iter()
        .find(|(code, _)| *code == region)
        .map(|(_, account)| *account)
}
