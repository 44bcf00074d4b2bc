//! A small evaluator of Deny statements, enough to prove what the generated SCPs do:
//! that they deny none of the API calls the generated Terraform makes, and that they
//! do deny replicas, keys, buckets and databases of a residency class outside it.
//!
//! It follows IAM's rules for the elements topoc emits: `Action`/`NotAction` and
//! `Resource`/`NotResource` with `*` and `?` wildcards (case-insensitive for actions),
//! and the condition operators `String(Not)Equals`, `String(Not)Like`,
//! `Arn(Not)Like`, `Arn(Not)Equals`, `Bool`, `Null`, with `ForAnyValue:`/`ForAllValues:`
//! and `...IfExists`. Keys are case-insensitive; several keys or operators are ANDed,
//! several values ORed; a missing key makes positive operators false and negated ones true.

use std::collections::BTreeMap;

use super::scp::{Scp, Statement};
use crate::aws::iam::{wildcard_match, wildcard_match_exact_case};

/// One API call, as IAM sees it.
#[derive(Clone, Debug)]
pub struct Request {
    /// What the call is for, for messages: `aws_dynamodb_table.ledger (eu-west-1)`.
    pub description: String,
    pub action: String,
    pub region: String,
    pub principal: String,
    /// The resource ARNs the call touches; empty means `*` only matches.
    pub resources: Vec<String>,
    /// Request context keys (beyond `aws:RequestedRegion` and `aws:PrincipalArn`).
    pub context: BTreeMap<String, Vec<String>>,
}

impl Request {
    pub fn new(description: impl Into<String>, action: &str, region: &str, principal: &str) -> Request {
        Request {
            description: description.into(),
            action: action.to_string(),
            region: region.to_string(),
            principal: principal.to_string(),
            resources: Vec::new(),
            context: BTreeMap::new(),
        }
    }

    pub fn resource(mut self, arn: impl Into<String>) -> Request {
        self.resources.push(arn.into());
        self
    }

    pub fn key(mut self, key: &str, values: &[&str]) -> Request {
        self.context.insert(
            key.to_ascii_lowercase(),
            values.iter().map(|value| value.to_string()).collect(),
        );
        self
    }

    /// The values of a condition key in this request; keys compare case-insensitively.
    fn values(&self, key: &str) -> Option<&[String]> {
        if key.eq_ignore_ascii_case("aws:RequestedRegion") {
            return Some(std::slice::from_ref(&self.region));
        }
        if key.eq_ignore_ascii_case("aws:PrincipalArn") {
            return Some(std::slice::from_ref(&self.principal));
        }
        self.context
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, values)| values.as_slice())
    }
}

/// The first statement that denies the request, as `(policy name, Sid)`.
pub fn denied_by(scps: &[Scp], request: &Request) -> Option<(String, String)> {
    Evaluator::new(scps).denied_by(request)
}

/// Evaluates many requests against the same SCPs. It remembers which Deny statements
/// each action falls under: a region deny lists a hundred action patterns, and a large
/// topology makes tens of thousands of requests with a few dozen distinct actions.
pub struct Evaluator<'a> {
    scps: &'a [Scp],
    /// Action → (policy index, statement index) of the Deny statements whose action
    /// patterns cover it.
    statements_by_action: std::cell::RefCell<BTreeMap<String, StatementRefs>>,
}

/// (policy index, statement index) pairs, shared between the cache and its readers.
type StatementRefs = std::rc::Rc<Vec<(usize, usize)>>;

impl<'a> Evaluator<'a> {
    pub fn new(scps: &'a [Scp]) -> Evaluator<'a> {
        Evaluator {
            scps,
            statements_by_action: std::cell::RefCell::new(BTreeMap::new()),
        }
    }

    /// The first statement that denies the request, as `(policy name, Sid)`.
    pub fn denied_by(&self, request: &Request) -> Option<(String, String)> {
        let candidates = self.statements_for(&request.action);
        candidates.iter().find_map(|&(policy, index)| {
            let scp = &self.scps[policy];
            let statement = &scp.document.statements[index];
            applies_beyond_action(statement, request).then(|| (scp.name.clone(), statement.sid.clone()))
        })
    }

    /// Every statement that denies the request, as `(policy name, Sid)`.
    pub fn all_denying(&self, request: &Request) -> Vec<(String, String)> {
        self.statements_for(&request.action)
            .iter()
            .filter_map(|&(policy, index)| {
                let scp = &self.scps[policy];
                let statement = &scp.document.statements[index];
                applies_beyond_action(statement, request).then(|| (scp.name.clone(), statement.sid.clone()))
            })
            .collect()
    }

    fn statements_for(&self, action: &str) -> StatementRefs {
        if let Some(found) = self.statements_by_action.borrow().get(action) {
            return found.clone();
        }
        let mut found = Vec::new();
        for (policy, scp) in self.scps.iter().enumerate() {
            for (index, statement) in scp.document.statements.iter().enumerate() {
                if statement.effect == "Deny" && action_matches(statement, action) {
                    found.push((policy, index));
                }
            }
        }
        let found = std::rc::Rc::new(found);
        self.statements_by_action
            .borrow_mut()
            .insert(action.to_string(), found.clone());
        found
    }
}

fn action_matches(statement: &Statement, action: &str) -> bool {
    if statement.not_action.is_empty() {
        statement.action.0.iter().any(|pattern| wildcard_match(pattern, action))
    } else {
        !statement
            .not_action
            .0
            .iter()
            .any(|pattern| wildcard_match(pattern, action))
    }
}

/// Resources and conditions, once the action is known to match.
fn applies_beyond_action(statement: &Statement, request: &Request) -> bool {
    let resource_matches = if statement.not_resource.is_empty() {
        statement.resource.0.iter().any(|pattern| {
            pattern == "*"
                || request
                    .resources
                    .iter()
                    .any(|arn| wildcard_match_exact_case(pattern, arn))
        })
    } else {
        request.resources.iter().any(|arn| {
            !statement
                .not_resource
                .0
                .iter()
                .any(|pattern| wildcard_match_exact_case(pattern, arn))
        })
    };
    if !resource_matches {
        return false;
    }
    statement.condition.iter().all(|(operator, keys)| {
        keys.iter()
            .all(|(key, values)| condition_holds(operator, request.values(key), values))
    })
}

fn condition_holds(operator: &str, context: Option<&[String]>, policy_values: &[String]) -> bool {
    let (set, base) = match operator.split_once(':') {
        Some((set, base)) => (Some(set), base),
        None => (None, operator),
    };
    let (base, if_exists) = match base.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (base, false),
    };
    if base == "Null" {
        let wants_absent = policy_values.iter().any(|value| value.eq_ignore_ascii_case("true"));
        return context.is_none() == wants_absent;
    }
    let negated = base.contains("Not");
    let single = |value: &str| -> bool {
        let matched = policy_values.iter().any(|policy| match base {
            "StringEquals" | "StringNotEquals" | "ArnEquals" | "ArnNotEquals" => policy == value,
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => policy.eq_ignore_ascii_case(value),
            "StringLike" | "StringNotLike" | "ArnLike" | "ArnNotLike" => wildcard_match_exact_case(policy, value),
            "Bool" => policy.eq_ignore_ascii_case(value),
            _ => false,
        });
        if negated { !matched } else { matched }
    };
    match (set, context) {
        (Some("ForAnyValue"), None) => false,
        (Some("ForAnyValue"), Some(values)) => values.iter().any(|value| single(value)),
        (Some("ForAllValues"), None) => true,
        (Some("ForAllValues"), Some(values)) => values.iter().all(|value| single(value)),
        (_, None) => if_exists || negated,
        (_, Some(values)) => values.iter().any(|value| single(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(operator: &str, context: Option<&[&str]>, values: &[&str]) -> bool {
        let context: Option<Vec<String>> = context.map(|values| values.iter().map(|value| value.to_string()).collect());
        condition_holds(
            operator,
            context.as_deref(),
            &values.iter().map(|value| value.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn conditions_follow_iam_semantics() {
        assert!(holds(
            "StringNotEquals",
            Some(&["us-west-2"]),
            &["us-east-1", "eu-west-1"]
        ));
        assert!(!holds(
            "StringNotEquals",
            Some(&["us-east-1"]),
            &["us-east-1", "eu-west-1"]
        ));
        assert!(
            holds("StringNotEquals", None, &["x"]),
            "negated operators are true on a missing key"
        );
        assert!(
            !holds("StringEquals", None, &["x"]),
            "positive operators are false on a missing key"
        );
        assert!(holds("StringEqualsIfExists", None, &["x"]));
        assert!(holds(
            "ArnNotLike",
            Some(&["arn:aws:iam::1:role/Other"]),
            &["arn:*:iam::*:role/BreakGlass"]
        ));
        assert!(!holds(
            "ArnNotLike",
            Some(&["arn:aws:iam::1:role/BreakGlass"]),
            &["arn:*:iam::*:role/BreakGlass"]
        ));
        assert!(holds(
            "ForAnyValue:StringNotEquals",
            Some(&["eu-west-1", "us-east-1"]),
            &["eu-west-1", "eu-central-1"]
        ));
        assert!(!holds(
            "ForAnyValue:StringNotEquals",
            Some(&["eu-west-1"]),
            &["eu-west-1", "eu-central-1"]
        ));
        assert!(!holds("ForAnyValue:StringNotEquals", None, &["eu-west-1"]));
        assert!(holds("ForAllValues:StringEquals", None, &["x"]));
        assert!(holds("Null", None, &["true"]));
        assert!(!holds("Null", None, &["false"]));
    }

    #[test]
    fn arn_patterns_match_with_wildcards() {
        assert!(wildcard_match_exact_case(
            "arn:*:dynamodb:us-*:*:table/t",
            "arn:aws:dynamodb:us-east-1:123456789012:table/t"
        ));
        assert!(!wildcard_match_exact_case(
            "arn:*:dynamodb:us-*:*:table/t",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
        ));
        assert!(!wildcard_match_exact_case(
            "arn:*:dynamodb:us-*:*:table/t",
            "arn:aws:dynamodb:us-east-1:123456789012:table/t2"
        ));
    }
}
