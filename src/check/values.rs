//! AWS's rules for values the spec hands to AWS as they are: tag keys and values, the
//! reserved prefixes of the names the topology name starts, the state bucket's name,
//! and DynamoDB attribute names. Each rule names its source; a value AWS would reject fails `check`, with the
//! line of the value, instead of failing `terraform apply` on the first resource.

use super::Context;
use crate::diag::{Code, Diagnostic};
use crate::spec::model::Store;

/// Tag keys topoc sets itself: the providers' default tags and the tags of data stores
/// and keys. A spec value would be overwritten, or would overwrite the value the
/// guardrails and Config rules rely on.
pub const TOPOC_TAG_KEYS: &[&str] = &[
    "data-class",
    "data-residency",
    "key-class",
    "managed-by",
    "region",
    "topology",
];

/// The providers' default tags topoc adds to every resource (`topology`, `region`,
/// `data-residency`, `managed-by`), and the `Name` tag of the Route 53 health checks.
const TOPOC_TAGS_ON_HEALTH_CHECKS: usize = 5;

/// Route 53: "You can add a maximum of 10 tags to a health check or a hosted zone"
/// (Route 53 developer guide, "Naming and tagging health checks"; the API's `TagList`
/// of ChangeTagsForResource holds at most 10). Health checks and the private hosted
/// zone carry every default tag, so the spec's tags share what topoc leaves.
const ROUTE53_TAGS: usize = 10;

/// Tag keys: EC2's API reference allows 127 characters where the general rule says 128.
const TAG_KEY_CHARACTERS: usize = 127;
const TAG_VALUE_CHARACTERS: usize = 256;

/// Prefixes AWS reserves in tag keys and values, in any case: `aws:` everywhere
/// (general tagging rules), `rds:` on RDS resources (RDS API reference, "Tag").
const RESERVED_TAG_PREFIXES: &[&str] = &["aws:", "rds:"];

/// Whether a character may appear in a tag key or value of every service topoc tags.
/// The APIs with a pattern use `[\p{L}\p{Z}\p{N}_.:/=+\-@]` (IAM, ECS, ELB, WAF, ACM,
/// CloudWatch Logs, Organizations); DynamoDB's tagging restrictions leave out `@`, so
/// topoc does too.
pub fn is_tag_character(character: char) -> bool {
    use unicode_general_category::{GeneralCategory as Category, get_general_category};
    matches!(character, '_' | '.' | ':' | '/' | '=' | '+' | '-')
        || matches!(
            get_general_category(character),
            Category::UppercaseLetter
                | Category::LowercaseLetter
                | Category::TitlecaseLetter
                | Category::ModifierLetter
                | Category::OtherLetter
                | Category::SpaceSeparator
                | Category::LineSeparator
                | Category::ParagraphSeparator
                | Category::DecimalNumber
                | Category::LetterNumber
                | Category::OtherNumber
        )
}

/// What is wrong with a tag key or value, if anything.
pub fn tag_problem(text: &str, is_key: bool) -> Option<String> {
    let characters = text.chars().count();
    let (what, limit) = if is_key {
        ("key", TAG_KEY_CHARACTERS)
    } else {
        ("value", TAG_VALUE_CHARACTERS)
    };
    if is_key && characters == 0 {
        return Some("a tag key cannot be empty".to_string());
    }
    if characters > limit {
        return Some(format!(
            "the tag {what} has {characters} characters, over AWS's limit of {limit}"
        ));
    }
    if let Some(prefix) = RESERVED_TAG_PREFIXES.iter().find(|prefix| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    }) {
        return Some(format!("the tag {what} starts with `{prefix}`, which AWS reserves"));
    }
    if let Some(bad) = text.chars().find(|character| !is_tag_character(*character)) {
        let shown = if bad.is_control() || bad.is_whitespace() {
            format!("U+{:04X}", u32::from(bad))
        } else {
            format!("`{bad}` (U+{:04X})", u32::from(bad))
        };
        return Some(format!("the tag {what} contains {shown}, which AWS tags do not allow"));
    }
    None
}

const TAG_RULE: &str = "use letters, digits, spaces and `_ . : / = + -`; keys have 1 to 127 characters, values up to 256, and neither may start with `aws:` or `rds:`";

/// Prefixes that make a name AWS rejects, for the names that start with the topology
/// name: S3 buckets (S3 user guide, "General purpose bucket naming rules"), load
/// balancers (ELB API reference, CreateLoadBalancer `Name`) and security groups (EC2 API
/// reference, CreateSecurityGroup `GroupName`).
const RESERVED_NAME_PREFIXES: &[(&str, &str)] = &[
    ("sthree-", "S3 bucket names"),
    ("amzn-s3-demo-", "S3 bucket names"),
    ("internal-", "load balancer names"),
    ("sg-", "security group names"),
];

/// DynamoDB key and TTL attribute names: 1 to 255 (API `KeySchemaAttributeName` and
/// `TimeToLiveAttributeName`), counted here in UTF-8 bytes, the stricter reading, as the
/// documentation does not say which unit it means.
const ATTRIBUTE_NAME_BYTES: usize = 255;

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    check_tags(context, diagnostics);
    check_name_prefixes(context, diagnostics);
    check_attribute_names(context, diagnostics);
}

fn check_tags(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    for (key, value) in &topology.tags {
        if TOPOC_TAG_KEYS.contains(&key.as_str()) {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidTag,
                    context.key(&["tags", key]),
                    format!("topoc sets the tag `{key}` itself"),
                )
                .with_hint("remove it from `tags`; topoc derives its value from the spec"),
            );
            continue;
        }
        if let Some(problem) = tag_problem(key, true) {
            diagnostics
                .push(Diagnostic::new(Code::InvalidTag, context.key(&["tags", key]), problem).with_hint(TAG_RULE));
        }
        if let Some(problem) = tag_problem(value, false) {
            diagnostics
                .push(Diagnostic::new(Code::InvalidTag, context.value(&["tags", key]), problem).with_hint(TAG_RULE));
        }
    }
    let room = ROUTE53_TAGS - TOPOC_TAGS_ON_HEALTH_CHECKS;
    if topology.tags.len() > room {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidTag,
                context.key(&["tags"]),
                format!(
                    "{} tags are set, but Route 53 health checks and hosted zones take at most {ROUTE53_TAGS} tags and topoc puts {TOPOC_TAGS_ON_HEALTH_CHECKS} of its own on them",
                    topology.tags.len()
                ),
            )
            .with_hint(format!("keep at most {room} tags under `tags`")),
        );
    }
    for (position, tag) in topology.governance.required_tags.iter().enumerate() {
        if let Some(problem) = tag_problem(tag, true) {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidTag,
                    context.value(&["governance", "required_tags", &position.to_string()]),
                    problem,
                )
                .with_hint(TAG_RULE),
            );
        }
    }
}

/// What S3 would reject in a bucket name the schema's pattern lets through (S3 user
/// guide, "General purpose bucket naming rules"): adjacent periods, the form of an IP
/// address, and reserved prefixes and suffixes.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    const PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
    const SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    if name.contains("..") {
        return Some("has two adjacent periods".to_string());
    }
    if name.split('.').count() == 4 && name.split('.').all(|part| part.parse::<u8>().is_ok()) {
        return Some("is formatted as an IP address".to_string());
    }
    if let Some(prefix) = PREFIXES.iter().find(|prefix| name.starts_with(*prefix)) {
        return Some(format!("starts with `{prefix}`, which S3 reserves"));
    }
    SUFFIXES
        .iter()
        .find(|suffix| name.ends_with(*suffix))
        .map(|suffix| format!("ends with `{suffix}`, which S3 reserves"))
}

fn check_name_prefixes(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // The state buckets are `<state.bucket>-<region>`: a problem with one is a problem
    // with all (the prefix rules), so the first region's name is checked.
    let topology = context.topology;
    let first_bucket = topology
        .regions
        .keys()
        .next()
        .map(|region| topology.state_bucket(region));
    if let Some(bucket) = first_bucket
        && let Some(problem) = bucket_name_problem(&bucket)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                context.value(&["state", "bucket"]),
                format!("the state bucket `{bucket}` {problem}, so it cannot be an S3 bucket name"),
            )
            .with_hint(
                "`state.bucket` starts the name of every region's state bucket; for example `acme-terraform-state`",
            ),
        );
    }
    let name = &context.topology.name;
    if let Some((prefix, names)) = RESERVED_NAME_PREFIXES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                context.value(&["name"]),
                format!("`{name}` starts with `{prefix}`, which AWS does not allow at the start of {names}"),
            )
            .with_hint(format!(
                "the topology name starts every resource name, so it may not start with {}; for example `shop` instead of `sthree-shop`",
                RESERVED_NAME_PREFIXES
                    .iter()
                    .map(|(prefix, _)| format!("`{prefix}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

fn check_attribute_names(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (class, data_class) in context
        .topology
        .data
        .iter()
        .filter(|(_, class)| class.store == Store::Dynamodb)
    {
        let mut attributes: Vec<(Vec<String>, &str)> = Vec::new();
        for (field, value) in [
            ("partition_key", data_class.partition_key.as_deref()),
            ("sort_key", data_class.sort_key.as_deref()),
            ("ttl_attribute", data_class.ttl_attribute.as_deref()),
        ] {
            if let Some(value) = value {
                attributes.push((vec!["data".into(), class.clone(), field.into()], value));
            }
        }
        for (index_name, index) in &data_class.indexes {
            let index_path = |field: &str| -> Vec<String> {
                vec![
                    "data".into(),
                    class.clone(),
                    "indexes".into(),
                    index_name.clone(),
                    field.into(),
                ]
            };
            for (field, value) in [
                ("partition_key", Some(index.partition_key.as_str())),
                ("sort_key", index.sort_key.as_deref()),
            ] {
                if let Some(value) = value {
                    attributes.push((index_path(field), value));
                }
            }
            // Projected attributes follow the same rule (API `NonKeyAttributeName`: 1 to 255).
            if let crate::spec::model::Projection::Include(projected) = &index.projection {
                for (position, value) in projected.iter().enumerate() {
                    let mut path = index_path("projection");
                    path.push(position.to_string());
                    attributes.push((path, value));
                }
            }
        }
        for (path, value) in attributes {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            let problem = if value.len() > ATTRIBUTE_NAME_BYTES {
                Some(format!(
                    "the attribute name is {} bytes in UTF-8, over DynamoDB's limit of {ATTRIBUTE_NAME_BYTES}",
                    value.len()
                ))
            } else {
                value.chars().find(|character| character.is_control()).map(|character| {
                    format!(
                        "the attribute name contains the control character U+{:04X}",
                        u32::from(character)
                    )
                })
            };
            if let Some(problem) = problem {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, context.value(&segments), problem).with_hint(
                        "an attribute name is any UTF-8 text of 1 to 255 bytes without control characters (which no review shows), for example `customer_id` or `kundennummer`",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_rules_follow_aws() {
        assert_eq!(tag_problem("Zahlungs-Plattform Österreich", false), None);
        assert_eq!(tag_problem("cost-center", true), None);
        assert_eq!(tag_problem("", false), None);
        assert!(tag_problem("", true).is_some());
        assert!(
            tag_problem("Zahlungs-Plattform (Österreich)", false)
                .unwrap()
                .contains("`(`")
        );
        assert!(tag_problem("team 🚀", false).is_some());
        assert!(tag_problem("AWS:owner", true).unwrap().contains("reserves"));
        assert!(tag_problem("rds:x", false).is_some());
        assert!(tag_problem("a@b", false).is_some(), "DynamoDB leaves out @");
        assert!(tag_problem(&"k".repeat(128), true).is_some());
        assert_eq!(tag_problem(&"k".repeat(127), true), None);
        assert!(tag_problem("tab\there", false).is_some());
    }

    #[test]
    fn bucket_rules_follow_s3() {
        assert_eq!(bucket_name_problem("acme-terraform-state"), None);
        assert_eq!(bucket_name_problem("acme.state.bucket"), None);
        assert!(bucket_name_problem("acme..state").is_some());
        assert!(bucket_name_problem("192.168.5.4").is_some());
        assert!(bucket_name_problem("xn--state").is_some());
        assert!(bucket_name_problem("state-s3alias").is_some());
    }
}
