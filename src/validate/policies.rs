//! Layers 6 and 7: the SCPs are valid, small enough and made of real actions and
//! condition keys; and, by evaluation, they deny none of the API calls the generated
//! Terraform makes in its regions, while they do deny what the residency rules promise.
//!
//! The API calls are read from the rendered Terraform itself: every resource block,
//! in the region of its provider (or, inside the region module, of each module
//! instance), is mapped to the calls that create it, with the request context those
//! calls carry (replica regions, location constraints, tags).

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::Block;

use super::parsed::{self, Site, attribute, labels, object_key_name, string_literal, traversal_path};
use super::{StackFacts, providers};
use crate::aws::iam;
use crate::ir::StackKind;
use crate::ir::governance::GovernancePlan;
use crate::policy::evaluate::{Evaluator, Request};
use crate::policy::scp::Scp;
use crate::render::{InternalError, Rendered};

/// Resource types whose requests are built from literal arguments (names, tags,
/// replica regions): a `for_each` over them must be readable, or the evaluation would
/// check placeholder names.
const NAMED_BY_LITERALS: &[&str] = &[
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_rds_cluster",
    "aws_rds_global_cluster",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
];

/// The account topoc uses in the ARNs of evaluated requests.
use crate::policy::scenarios::{ACCOUNT, legitimate_operations, promised_denials};

const KNOWN_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "ArnLike",
    "ArnNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "Bool",
    "Null",
];

/// Layers 6 and 7 alone, for tests that break policies on purpose.
pub fn validate(rendered: &Rendered, scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    validate_stacks(&super::examine(rendered).0, scps, plan)
}

/// Layers 6 and 7 on the facts of files already examined by the other layers.
pub fn validate_stacks(stacks: &[StackFacts], scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    let mut errors = check_documents(scps, plan);
    let principal = crate::policy::scenarios::pipeline(plan);
    let work = terraform_work(stacks, &mut errors);
    // A large topology makes a hundred thousand requests: they are built and evaluated
    // in chunks on all cores, each thread with its own evaluator (and its cache).
    let chunks: Vec<&[Resource<'_>]> = work.resources.chunks(2048).collect();
    let evaluate_chunk = |chunk: &&[Resource<'_>]| {
        let evaluator = Evaluator::new(scps);
        let mut chunk_errors = Vec::new();
        for resource in chunk.iter() {
            for request in requests_for(resource, &principal, &work.buckets, &mut chunk_errors) {
                let request = crate::policy::scenarios::in_organization(plan, request);
                chunk_errors.extend(denial(&evaluator, &request, plan));
            }
        }
        chunk_errors
    };
    for chunk_errors in crate::parallel::map_in_parallel(&chunks, |chunk| chunk.len(), evaluate_chunk) {
        errors.extend(chunk_errors);
    }
    let evaluator = Evaluator::new(scps);
    for request in replica_key_requests(&work, &principal) {
        let request = crate::policy::scenarios::in_organization(plan, request);
        errors.extend(denial(&evaluator, &request, plan));
    }
    // Every statement, and so every "denies" the review prints, is backed by a scenario.
    let promised = promised_denials(plan, &principal);
    let proved = crate::policy::proved_statements(&evaluator, &promised);
    for scp in scps {
        for statement in &scp.document.statements {
            let Some(proof) = proved.get(&(scp.name.clone(), statement.sid.clone())) else {
                errors.push(InternalError {
                    file: format!("governance/policies/{}", scp.file),
                    line: None,
                    rule: "scp-claim".to_string(),
                    message: format!(
                        "statement `{}` denies none of the scenarios topoc checks, so the review's account of it is backed by nothing",
                        statement.sid
                    ),
                });
                continue;
            };
            let untested = proof.untested_actions(statement);
            if !untested.is_empty() {
                errors.push(InternalError {
                    file: format!("governance/policies/{}", scp.file),
                    line: None,
                    rule: "scp-claim".to_string(),
                    message: format!(
                        "statement `{}` denies {}, which no scenario it denies calls, so the review would name them as denied with nothing behind it",
                        statement.sid,
                        untested.join(", ")
                    ),
                });
            }
        }
    }
    for request in legitimate_operations(plan) {
        if let Some((policy, sid)) = evaluator.denied_by(&request) {
            errors.push(InternalError {
                file: format!("governance/policies/{policy}"),
                line: None,
                rule: "scp-denies-operation".to_string(),
                message: format!(
                    "statement `{sid}` denies {} ({} in {}), which operators and services need",
                    request.action, request.description, request.region
                ),
            });
        }
    }
    for (request, promise) in &promised {
        if evaluator.denied_by(request).is_none() {
            errors.push(InternalError {
                file: "governance/policies".to_string(),
                line: None,
                rule: "scp-promise".to_string(),
                message: format!(
                    "no statement denies {} ({}), which {promise}",
                    request.action, request.description
                ),
            });
        }
    }
    errors
}

/// The error for a request an SCP denies, if one does.
fn denial(evaluator: &Evaluator<'_>, request: &Request, plan: &GovernancePlan) -> Option<InternalError> {
    let (policy, sid) = evaluator.denied_by(request)?;
    Some(InternalError {
        file: format!(
            "governance/policies/{}.json",
            policy.strip_prefix(&format!("{}-", plan.topology)).unwrap_or(&policy)
        ),
        line: None,
        rule: "scp-denies-deployment".to_string(),
        message: format!(
            "statement `{sid}` denies {} ({} in {}), which the generated Terraform needs",
            request.action, request.description, request.region
        ),
    })
}

/// Layer 6: each document is well formed, fits the quota and uses real actions and keys.
fn check_documents(scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for scp in scps {
        let file = format!("governance/policies/{}", scp.file);
        let mut error = |rule: &str, message: String| {
            errors.push(InternalError {
                file: file.clone(),
                line: None,
                rule: rule.to_string(),
                message,
            });
        };
        let size = scp.document.minified().chars().count();
        let resource_control = scp.function.is_resource_control();
        let limit = scp.function.characters_per_policy(plan);
        if size > limit as usize {
            error(
                "scp-size",
                format!("{size} characters minified, over the quota of {limit}"),
            );
        }
        if scp.document.version != "2012-10-17" {
            error("scp-syntax", "Version must be 2012-10-17".to_string());
        }
        let mut sids = std::collections::BTreeSet::new();
        for statement in &scp.document.statements {
            if !statement.sid.chars().all(|character| character.is_ascii_alphanumeric())
                || !sids.insert(statement.sid.clone())
            {
                error(
                    "scp-syntax",
                    format!("Sid `{}` is not unique and alphanumeric", statement.sid),
                );
            }
            // An RCP statement names `"*"` as its principal and cannot use NotAction; an
            // SCP names no principal.
            let principal_ok = if resource_control {
                statement.principal == Some("*") && statement.not_action.is_empty()
            } else {
                statement.principal.is_none()
            };
            if !principal_ok {
                error(
                    "scp-syntax",
                    format!(
                        "`{}`: a resource control policy's statements need Principal \"*\" and Action, a service control policy's no Principal",
                        statement.sid
                    ),
                );
            }
            if statement.action.is_empty() == statement.not_action.is_empty() {
                error(
                    "scp-syntax",
                    format!("`{}` needs exactly one of Action and NotAction", statement.sid),
                );
            }
            if statement.resource.is_empty() == statement.not_resource.is_empty() {
                error(
                    "scp-syntax",
                    format!("`{}` needs exactly one of Resource and NotResource", statement.sid),
                );
            }
            let actions = if statement.not_action.is_empty() {
                &statement.action.0
            } else {
                &statement.not_action.0
            };
            for action in actions {
                if !iam::names_an_action(action) {
                    error(
                        "scp-action",
                        format!("`{}` names `{action}`, which matches no IAM action", statement.sid),
                    );
                }
            }
            for (operator, keys) in &statement.condition {
                let base = operator.split_once(':').map_or(operator.as_str(), |(_, base)| base);
                let base = base.strip_suffix("IfExists").unwrap_or(base);
                if !KNOWN_OPERATORS.contains(&base) {
                    error(
                        "scp-condition",
                        format!("`{}` uses unknown operator `{operator}`", statement.sid),
                    );
                }
                for key in keys.keys() {
                    // Keys under NotAction must be global; under Action, every action must support them.
                    let known = if statement.not_action.is_empty() {
                        statement
                            .action
                            .0
                            .iter()
                            .all(|action| iam::condition_key_exists(action, key))
                    } else {
                        iam::condition_key_exists("none:None", key)
                    };
                    if !known {
                        error(
                            "scp-condition",
                            format!(
                                "`{}` uses condition key `{key}`, which its actions do not support",
                                statement.sid
                            ),
                        );
                    }
                }
            }
        }
    }
    errors
}

/// A copy of an expression as far as the requests read it (`for_each` maps, locals,
/// names, tags, bucket references), without the syntax tree.
#[derive(Debug)]
enum Value {
    Text(String),
    /// A traversal from a name: `aws_s3_bucket.logs[each.key].id`.
    Path(String, Vec<Step>),
    /// Keys are `None` where they are not literal names.
    Object(Vec<(Option<String>, Value)>),
    /// `{ for key, value in <collection> : key => value }`, whatever its filter.
    KeepingFor(Box<Value>),
    Other,
}

#[derive(Debug)]
enum Step {
    Attribute(String),
    Index(Value),
    Other,
}

impl Value {
    fn from_expression(expression: &Expression) -> Value {
        if let Some(text) = string_literal(expression) {
            return Value::Text(text);
        }
        match expression {
            Expression::Variable(variable) => Value::Path(variable.as_str().to_string(), Vec::new()),
            Expression::Traversal(traversal) => {
                let Expression::Variable(root) = &traversal.expr else {
                    return Value::Other;
                };
                let steps = traversal
                    .operators
                    .iter()
                    .map(|operator| match operator.value() {
                        TraversalOperator::GetAttr(ident) => Step::Attribute(ident.as_str().to_string()),
                        TraversalOperator::Index(index) => Step::Index(Value::from_expression(index)),
                        _ => Step::Other,
                    })
                    .collect();
                Value::Path(root.as_str().to_string(), steps)
            }
            Expression::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (object_key_name(key), Value::from_expression(value.expr())))
                    .collect(),
            ),
            Expression::ForExpr(for_expression) => {
                let intro = &for_expression.intro;
                let keeps_keys = intro.key_var.as_ref().is_some_and(|key_variable| {
                    matches!(for_expression.key_expr.as_ref(), Some(Expression::Variable(variable)) if variable.as_str() == key_variable.as_str())
                });
                let keeps_values = matches!(&for_expression.value_expr, Expression::Variable(variable) if variable.as_str() == intro.value_var.as_str());
                if keeps_keys && keeps_values {
                    Value::KeepingFor(Box::new(Value::from_expression(&intro.collection_expr)))
                } else {
                    Value::Other
                }
            }
            _ => Value::Other,
        }
    }

    /// The names of a traversal made only of attribute steps: `local.buckets` → `["local", "buckets"]`.
    fn names(&self) -> Option<Vec<&str>> {
        let Value::Path(root, steps) = self else {
            return None;
        };
        let mut names = vec![root.as_str()];
        for step in steps {
            match step {
                Step::Attribute(name) => names.push(name),
                _ => return None,
            }
        }
        Some(names)
    }
}

/// The arguments of a resource the requests read.
const READ_ARGUMENTS: &[&str] = &[
    "name",
    "bucket",
    "global_cluster_identifier",
    "cluster_identifier",
    "tags",
    "primary_key_arn",
];

/// What the evaluation needs of one file: its locals (in root stacks), its resources
/// and its module calls.
#[derive(Default)]
pub struct FileFacts {
    locals: Vec<(String, Value)>,
    resources: Vec<ResourceFacts>,
    modules: Vec<ModuleFacts>,
}

/// A resource block as the requests read it.
struct ResourceFacts {
    kind: String,
    name: String,
    line: Option<usize>,
    /// The alias of its `provider = aws.<alias>`.
    alias: Option<String>,
    for_each: Option<Value>,
    arguments: Vec<(&'static str, Value)>,
    /// Replica regions of a table (`replica` blocks, written out or `dynamic`) or of a
    /// secret; `None` where a region is not a literal.
    replicas: Vec<Option<String>>,
}

/// A module call: the aliases it passes as providers.
struct ModuleFacts {
    provider_aliases: Vec<String>,
}

impl FileFacts {
    pub fn add(&mut self, site: &Site<'_>, block: &Block) {
        let alias_of = |expression: &Expression| traversal_path(expression).and_then(|path| path.get(1).cloned());
        match (block.ident.as_str(), labels(block).as_slice()) {
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    self.locals.push((
                        attribute.key.as_str().to_string(),
                        Value::from_expression(&attribute.value),
                    ));
                }
            }
            ("resource", [kind, name]) => {
                let replicas = match *kind {
                    "aws_dynamodb_table" => parsed::nested_literals(&block.body, "replica", &["region_name"])
                        .into_iter()
                        .map(|(region, _)| region)
                        .collect(),
                    "aws_secretsmanager_secret" => block
                        .body
                        .get_blocks("replica")
                        .filter_map(|replica| attribute(&replica.body, "region").and_then(string_literal))
                        .map(Some)
                        .collect(),
                    _ => Vec::new(),
                };
                self.resources.push(ResourceFacts {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    line: site.line_of(block.span()),
                    alias: attribute(&block.body, "provider").and_then(alias_of),
                    for_each: attribute(&block.body, "for_each").map(Value::from_expression),
                    arguments: READ_ARGUMENTS
                        .iter()
                        .filter_map(|argument| {
                            Some((*argument, Value::from_expression(attribute(&block.body, argument)?)))
                        })
                        .collect(),
                    replicas,
                });
            }
            ("module", [_]) => {
                let values = |argument: &str| match attribute(&block.body, argument) {
                    Some(Expression::Object(object)) => {
                        object.iter().filter_map(|(_, value)| alias_of(value.expr())).collect()
                    }
                    _ => Vec::new(),
                };
                self.modules.push(ModuleFacts {
                    provider_aliases: values("providers"),
                });
            }
            _ => {}
        }
    }
}

/// One instance of a resource: the block's facts, its region, and for an instance of a
/// `for_each` block its key and map entry, whose `each.key` and `each.value.<field>`
/// read as literals too.
struct Resource<'a> {
    facts: &'a ResourceFacts,
    name: String,
    region: String,
    instance_key: Option<String>,
    instance_value: Option<&'a Value>,
}

impl Resource<'_> {
    fn kind(&self) -> &str {
        &self.facts.kind
    }

    fn argument(&self, name: &str) -> Option<&Value> {
        self.facts
            .arguments
            .iter()
            .find(|(argument, _)| *argument == name)
            .map(|(_, value)| value)
    }

    fn literal(&self, name: &str) -> Option<String> {
        self.argument(name).and_then(|value| self.value_of(value))
    }

    /// A string literal, or `each.key` / `each.value.<field>` of this instance.
    fn value_of(&self, value: &Value) -> Option<String> {
        if let Value::Text(text) = value {
            return Some(text.clone());
        }
        match value.names()?.as_slice() {
            ["each", "key"] => self.instance_key.clone(),
            ["each", "value", field] => {
                let Some(Value::Object(entries)) = self.instance_value else {
                    return None;
                };
                entries.iter().find_map(|(key, value)| match value {
                    Value::Text(text) if key.as_deref() == Some(*field) => Some(text.clone()),
                    _ => None,
                })
            }
            _ => None,
        }
    }

    fn tag(&self, key: &str) -> Option<String> {
        let Some(Value::Object(tags)) = self.argument("tags") else {
            return None;
        };
        tags.iter()
            .find_map(|(tag, value)| (tag.as_deref() == Some(key)).then(|| self.value_of(value)).flatten())
    }

    /// `kind.name` or `kind.name["key"]`, the way Terraform addresses the instance.
    fn terraform_address(&self) -> String {
        match &self.instance_key {
            Some(key) => format!("{}.{}[\"{key}\"]", self.kind(), self.name),
            None => format!("{}.{}", self.kind(), self.name),
        }
    }

    fn address(&self) -> String {
        format!("{} ({})", self.terraform_address(), self.region)
    }
}

/// The entries a `for_each` expression iterates, when they can be read from the
/// stack's text: a literal map, a `local` holding one, another resource's instances,
/// or a `for` expression that keeps keys and values (filtering is ignored, so the
/// evaluation covers a superset). Values are `None` where `each.value` is not the
/// map entry (another resource's instances).
fn for_each_entries<'a>(
    value: &'a Value,
    locals: &BTreeMap<&str, &'a Value>,
    resources: &BTreeMap<(&str, &str), &'a ResourceFacts>,
    depth: usize,
) -> Option<Vec<(String, Option<&'a Value>)>> {
    if depth > 8 {
        return None;
    }
    match value {
        Value::Object(entries) => entries
            .iter()
            .map(|(key, value)| Some((key.clone()?, Some(value))))
            .collect(),
        Value::KeepingFor(collection) => for_each_entries(collection, locals, resources, depth + 1),
        _ => match value.names()?.as_slice() {
            ["local", name] => for_each_entries(locals.get(name)?, locals, resources, depth + 1),
            [kind, name] => {
                let block = resources.get(&(*kind, *name))?;
                let entries = for_each_entries(block.for_each.as_ref()?, locals, resources, depth + 1)?;
                Some(entries.into_iter().map(|(key, _)| (key, None)).collect())
            }
            _ => None,
        },
    }
}

/// Every resource instance the generated Terraform creates, in its region (the region
/// module's resources once per module instance), the literal names of the stacks'
/// buckets by address, and the multi-Region keys the module instances replicate.
struct TerraformWork<'a> {
    resources: Vec<Resource<'a>>,
    buckets: BTreeMap<String, String>,
    /// Key name → its region and `data-residency` tag.
    key_tags: BTreeMap<String, (String, Option<String>)>,
    /// (primary key name, region of a replica of it).
    replica_keys: Vec<(String, String)>,
}

fn terraform_work<'a>(stacks: &'a [StackFacts], errors: &mut Vec<InternalError>) -> TerraformWork<'a> {
    let mut resources: Vec<Resource<'_>> = Vec::new();
    let mut module_regions: Vec<String> = Vec::new();
    let mut key_tags: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut replica_keys: Vec<(String, String)> = Vec::new();
    for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Root) {
        let aliases = providers::declared_aliases(stack);
        let locals: BTreeMap<&str, &Value> = stack
            .files
            .iter()
            .flat_map(|file| &file.policies.locals)
            .map(|(name, value)| (name.as_str(), value))
            .collect();
        let stack_resources: BTreeMap<(&str, &str), &ResourceFacts> = stack
            .files
            .iter()
            .flat_map(|file| &file.policies.resources)
            .map(|resource| ((resource.kind.as_str(), resource.name.as_str()), resource))
            .collect();
        for file in &stack.files {
            for facts in &file.policies.resources {
                if stack.directory == "governance" {
                    // Applied from the management account, which SCPs never restrict.
                    continue;
                }
                let Some(region) = facts.alias.as_ref().and_then(|alias| aliases.get(alias)) else {
                    continue;
                };
                let (kind, name) = (facts.kind.as_str(), facts.name.as_str());
                let instances: Vec<(Option<String>, Option<&Value>)> = match &facts.for_each {
                    None => vec![(None, None)],
                    Some(for_each) => match for_each_entries(for_each, &locals, &stack_resources, 0) {
                        Some(entries) => entries.into_iter().map(|(key, value)| (Some(key), value)).collect(),
                        None if NAMED_BY_LITERALS.contains(&kind) => {
                            errors.push(InternalError {
                                file: file.path.clone(),
                                line: facts.line,
                                rule: "scp-coverage".to_string(),
                                message: format!(
                                    "the instances of {kind}.{name} cannot be read from its `for_each`, so the SCP evaluation cannot name them"
                                ),
                            });
                            continue;
                        }
                        // Requests of other types do not depend on instance values.
                        None => vec![(None, None)],
                    },
                };
                for (instance_key, instance_value) in instances {
                    let resource = Resource {
                        facts,
                        name: name.to_string(),
                        region: region.clone(),
                        instance_key,
                        instance_value,
                    };
                    if kind == "aws_kms_key" {
                        key_tags.insert(
                            name.to_string(),
                            (resource.region.clone(), resource.tag("data-residency")),
                        );
                    }
                    if kind == "aws_kms_replica_key"
                        && let Some(Value::Path(root, steps)) = resource.argument("primary_key_arn")
                        && root == "aws_kms_key"
                        && let Some(Step::Attribute(primary)) = steps.first()
                    {
                        replica_keys.push((primary.clone(), resource.region.clone()));
                    }
                    resources.push(resource);
                }
            }
            for module in &file.policies.modules {
                let Some(region) = module
                    .provider_aliases
                    .iter()
                    .find_map(|alias| aliases.get(alias))
                    .cloned()
                else {
                    continue;
                };
                module_regions.push(region);
            }
        }
    }
    let buckets: BTreeMap<String, String> = resources
        .iter()
        .filter(|resource| resource.kind() == "aws_s3_bucket")
        .filter_map(|resource| Some((resource.terraform_address(), resource.literal("bucket")?)))
        .collect();
    for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Module) {
        for region in &module_regions {
            for facts in stack.files.iter().flat_map(|file| &file.policies.resources) {
                resources.push(Resource {
                    facts,
                    name: format!("{} in module", facts.name),
                    region: region.clone(),
                    instance_key: None,
                    instance_value: None,
                });
            }
        }
    }
    TerraformWork {
        resources,
        buckets,
        key_tags,
        replica_keys,
    }
}

/// Replica keys: ReplicateKey is called in the primary's region, naming the replica's.
fn replica_key_requests(work: &TerraformWork<'_>, principal: &str) -> Vec<Request> {
    let mut requests = Vec::new();
    for (key, replica_region) in &work.replica_keys {
        let Some((home, tag)) = work.key_tags.get(key) else {
            continue;
        };
        let mut request = Request::new(
            format!("replica of aws_kms_key.{key} in {replica_region}"),
            "kms:ReplicateKey",
            home,
            principal,
        )
        .resource(format!("arn:aws:kms:{home}:{ACCOUNT}:key/mrk-0000"))
        .key("kms:ReplicaRegion", &[replica_region.as_str()]);
        if let Some(tag) = tag {
            request = request.key("aws:ResourceTag/data-residency", &[tag.as_str()]);
        }
        requests.push(request);
    }
    requests
}

/// The API calls that create one resource, in its region.
fn requests_for(
    resource: &Resource<'_>,
    principal: &str,
    buckets: &BTreeMap<String, String>,
    errors: &mut Vec<InternalError>,
) -> Vec<Request> {
    let region = resource.region.as_str();
    let request = |action: &str| Request::new(resource.address(), action, region, principal);
    let single = |action: &str| vec![request(action)];
    match resource.kind() {
        "aws_dynamodb_table" => {
            let name = resource.literal("name").unwrap_or_default();
            let arn = |table_region: &str| format!("arn:aws:dynamodb:{table_region}:{ACCOUNT}:table/{name}");
            let residency = resource.tag("data-residency");
            let mut requests: Vec<Request> = vec![tagged_create(
                request("dynamodb:CreateTable").resource(arn(region)),
                resource,
            )];
            requests.extend(
                [
                    "dynamodb:UpdateContinuousBackups",
                    "dynamodb:UpdateTimeToLive",
                    "dynamodb:UpdateTable",
                ]
                .iter()
                .map(|action| with_resource_tag(request(action).resource(arn(region)), residency.as_deref())),
            );
            for replica_region in &resource.facts.replicas {
                let Some(replica_region) = replica_region else {
                    errors.push(InternalError {
                        file: "src/validate/policies.rs".to_string(),
                        line: None,
                        rule: "scp-coverage".to_string(),
                        message: format!(
                            "a replica region of {} is not a literal, so the SCP evaluation cannot check it",
                            resource.address()
                        ),
                    });
                    continue;
                };
                // The replica is authorised on its own ARN, with the tags of the table
                // it replicates.
                for action in ["dynamodb:CreateTable", "dynamodb:CreateTableReplica"] {
                    requests.push(with_resource_tag(
                        Request::new(resource.address(), action, replica_region, principal)
                            .resource(arn(replica_region)),
                        residency.as_deref(),
                    ));
                }
            }
            requests
        }
        // ReplicateKey is called in the primary's region (`replica_key_requests`); AWS
        // then creates the replica with CreateKey in its own region.
        "aws_kms_replica_key" => single("kms:CreateKey"),
        "aws_kms_key" => {
            let mut create = request("kms:CreateKey").key("kms:MultiRegion", &["true"]);
            if let Some(tag) = resource.tag("data-residency") {
                create = create
                    .key("aws:RequestTag/data-residency", &[tag.as_str()])
                    .key("aws:TagKeys", &["data-residency"]);
            }
            vec![create]
        }
        "aws_secretsmanager_secret" => {
            let replica_refs: Vec<&str> = resource.facts.replicas.iter().flatten().map(String::as_str).collect();
            let mut create = request("secretsmanager:CreateSecret")
                .resource(format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:x"));
            if !replica_refs.is_empty() {
                create = create.key("secretsmanager:AddReplicaRegions", &replica_refs);
            }
            if let Some(tag) = resource.tag("data-residency") {
                create = create.key("aws:RequestTag/data-residency", &[tag.as_str()]);
            }
            vec![create]
        }
        "aws_s3_bucket" => {
            let bucket = resource
                .literal("bucket")
                .unwrap_or_else(|| "module-bucket".to_string());
            let mut create = tagged_create(
                request("s3:CreateBucket").resource(format!("arn:aws:s3:::{bucket}")),
                resource,
            );
            if region != "us-east-1" {
                create = create.key("s3:locationconstraint", &[region]);
            }
            vec![create]
        }
        "aws_s3_bucket_replication_configuration" => single("s3:PutReplicationConfiguration")
            .into_iter()
            .map(|request| request.resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))))
            .collect(),
        "aws_s3_bucket_versioning" => {
            vec![request("s3:PutBucketVersioning").resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets)))]
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            vec![
                request("s3:PutEncryptionConfiguration")
                    .resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))),
            ]
        }
        "aws_s3_bucket_public_access_block" => vec![
            request("s3:PutBucketPublicAccessBlock").resource(format!("arn:aws:s3:::{}", bucket_of(resource, buckets))),
        ],
        "aws_rds_global_cluster" => {
            let id = resource.literal("global_cluster_identifier").unwrap_or_default();
            vec![tagged_create(
                request("rds:CreateGlobalCluster").resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{id}")),
                resource,
            )]
        }
        "aws_rds_cluster" => {
            let id = resource.literal("cluster_identifier").unwrap_or_default();
            let global = id
                .rsplit_once(&format!("-{region}"))
                .map(|(global, _)| global.to_string())
                .unwrap_or_default();
            // A cluster joins its global database, which carries the class's tag.
            let residency = resource.tag("data-residency");
            vec![
                with_resource_tag(
                    tagged_create(
                        request("rds:CreateDBCluster")
                            .resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}"))
                            .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}")),
                        resource,
                    ),
                    residency.as_deref(),
                ),
                with_resource_tag(
                    request("rds:ModifyDBCluster").resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}")),
                    residency.as_deref(),
                ),
            ]
        }
        kind => match simple_action(kind) {
            Some((action, endpoint_region)) => {
                let mut request =
                    Request::new(resource.address(), action, endpoint_region.unwrap_or(region), principal);
                if request.resources.is_empty() {
                    request = request.resource("*");
                }
                vec![request]
            }
            None => {
                errors.push(InternalError {
                    file: "src/validate/policies.rs".to_string(),
                    line: None,
                    rule: "scp-coverage".to_string(),
                    message: format!(
                        "no API action is mapped for resource type `{kind}`; add it so the SCP evaluation covers it"
                    ),
                });
                Vec::new()
            }
        },
    }
}

/// A create call with the resource's own tags on the request, as the provider sends them
/// (the providers' default tags, which only ever say `unrestricted`, are left out).
fn tagged_create(mut request: Request, resource: &Resource<'_>) -> Request {
    let tags: Vec<(&str, String)> = crate::policy::scp::GUARDRAIL_TAGS
        .iter()
        .filter_map(|key| resource.tag(key).map(|value| (*key, value)))
        .collect();
    for (key, value) in &tags {
        request = request.key(&format!("aws:RequestTag/{key}"), &[value.as_str()]);
    }
    if !tags.is_empty() {
        let keys: Vec<&str> = tags.iter().map(|(key, _)| *key).collect();
        request = request.key("aws:TagKeys", &keys);
    }
    request
}

/// A call on an existing resource of a residency class.
fn with_resource_tag(request: Request, residency: Option<&str>) -> Request {
    match residency {
        Some(class) => request.key("aws:ResourceTag/data-residency", &[class]),
        None => request,
    }
}

/// The bucket a bucket sub-resource configures: `bucket = aws_s3_bucket.<name>.id` or
/// `aws_s3_bucket.<name>[each.key].id` names a bucket whose literal name `buckets` maps
/// from its Terraform address.
fn bucket_of(resource: &Resource<'_>, buckets: &BTreeMap<String, String>) -> String {
    let Some(Value::Path(root, steps)) = resource.argument("bucket") else {
        return "module-bucket".to_string();
    };
    let mut address = root.clone();
    for step in steps {
        match step {
            Step::Attribute(name) if name == "id" => break,
            Step::Attribute(name) => {
                address.push('.');
                address.push_str(name);
            }
            Step::Index(index) => match resource.value_of(index) {
                Some(key) => address.push_str(&format!("[\"{key}\"]")),
                None => return "module-bucket".to_string(),
            },
            Step::Other => return "module-bucket".to_string(),
        }
    }
    buckets
        .get(&address)
        .cloned()
        .unwrap_or_else(|| "module-bucket".to_string())
}

/// The one API action that creates a resource of `kind`, and the region its endpoint
/// is in when the service is global.
fn simple_action(kind: &str) -> Option<(&'static str, Option<&'static str>)> {
    const US_EAST_1: Option<&str> = Some("us-east-1");
    const US_WEST_2: Option<&str> = Some("us-west-2");
    Some(match kind {
        "aws_vpc" => ("ec2:CreateVpc", None),
        "aws_subnet" => ("ec2:CreateSubnet", None),
        "aws_internet_gateway" => ("ec2:CreateInternetGateway", None),
        "aws_eip" => ("ec2:AllocateAddress", None),
        "aws_nat_gateway" => ("ec2:CreateNatGateway", None),
        "aws_route_table" => ("ec2:CreateRouteTable", None),
        "aws_route" => ("ec2:CreateRoute", None),
        "aws_route_table_association" => ("ec2:AssociateRouteTable", None),
        "aws_default_security_group" => ("ec2:RevokeSecurityGroupIngress", None),
        "aws_security_group" => ("ec2:CreateSecurityGroup", None),
        "aws_vpc_security_group_ingress_rule" => ("ec2:AuthorizeSecurityGroupIngress", None),
        "aws_vpc_security_group_egress_rule" => ("ec2:AuthorizeSecurityGroupEgress", None),
        "aws_vpc_endpoint" => ("ec2:CreateVpcEndpoint", None),
        "aws_flow_log" => ("ec2:CreateFlowLogs", None),
        "aws_cloudwatch_log_group" => ("logs:CreateLogGroup", None),
        "aws_cloudwatch_metric_alarm" => ("cloudwatch:PutMetricAlarm", None),
        "aws_cloudwatch_dashboard" => ("cloudwatch:PutDashboard", None),
        "aws_arcregionswitch_plan" => ("arc-region-switch:CreatePlan", None),
        "aws_fis_experiment_template" => ("fis:CreateExperimentTemplate", None),
        "aws_ssm_document" => ("ssm:CreateDocument", None),
        "aws_cloudwatch_log_delivery_source" => ("logs:PutDeliverySource", None),
        "aws_cloudwatch_log_delivery_destination" => ("logs:PutDeliveryDestination", None),
        "aws_cloudwatch_log_delivery" => ("logs:CreateDelivery", None),
        "aws_sns_topic" => ("sns:CreateTopic", None),
        "aws_sns_topic_subscription" => ("sns:Subscribe", None),
        "aws_sns_topic_policy" => ("sns:SetTopicAttributes", None),
        "aws_cloudwatch_event_target" => ("events:PutTargets", None),
        "aws_cloudwatch_event_rule" => ("events:PutRule", None),
        "aws_ecr_replication_configuration" => ("ecr:PutReplicationConfiguration", None),
        "aws_iam_role" => ("iam:CreateRole", US_EAST_1),
        "aws_iam_role_policy" => ("iam:PutRolePolicy", US_EAST_1),
        "aws_iam_role_policy_attachment" => ("iam:AttachRolePolicy", US_EAST_1),
        "aws_route53_zone" => ("route53:CreateHostedZone", US_EAST_1),
        "aws_route53_record" => ("route53:ChangeResourceRecordSets", US_EAST_1),
        "aws_route53_health_check" => ("route53:CreateHealthCheck", US_EAST_1),
        "aws_acm_certificate" => ("acm:RequestCertificate", None),
        "aws_acm_certificate_validation" => ("acm:DescribeCertificate", None),
        "aws_lb" => ("elasticloadbalancing:CreateLoadBalancer", None),
        "aws_lb_listener" => ("elasticloadbalancing:CreateListener", None),
        "aws_lb_target_group" => ("elasticloadbalancing:CreateTargetGroup", None),
        "aws_lb_listener_rule" => ("elasticloadbalancing:CreateRule", None),
        "aws_wafv2_web_acl" => ("wafv2:CreateWebACL", None),
        "aws_wafv2_web_acl_association" => ("wafv2:AssociateWebACL", None),
        "aws_wafv2_web_acl_logging_configuration" => ("wafv2:PutLoggingConfiguration", None),
        "aws_ecs_cluster" => ("ecs:CreateCluster", None),
        "aws_ecs_task_definition" => ("ecs:RegisterTaskDefinition", None),
        "aws_ecs_service" => ("ecs:CreateService", None),
        "aws_appautoscaling_target" => ("application-autoscaling:RegisterScalableTarget", None),
        "aws_appautoscaling_policy" => ("application-autoscaling:PutScalingPolicy", None),
        "aws_s3_bucket_ownership_controls" => ("s3:PutBucketOwnershipControls", None),
        "aws_s3_bucket_lifecycle_configuration" => ("s3:PutLifecycleConfiguration", None),
        "aws_s3_bucket_policy" => ("s3:PutBucketPolicy", None),
        "aws_s3_bucket_logging" => ("s3:PutBucketLogging", None),
        "aws_rds_cluster_instance" => ("rds:CreateDBInstance", None),
        "aws_rds_cluster_parameter_group" => ("rds:CreateDBClusterParameterGroup", None),
        "aws_db_subnet_group" => ("rds:CreateDBSubnetGroup", None),
        "aws_secretsmanager_secret_version" => ("secretsmanager:PutSecretValue", None),
        "aws_cloudfront_distribution" => ("cloudfront:CreateDistribution", US_EAST_1),
        "aws_globalaccelerator_accelerator" => ("globalaccelerator:CreateAccelerator", US_WEST_2),
        "aws_globalaccelerator_listener" => ("globalaccelerator:CreateListener", US_WEST_2),
        "aws_globalaccelerator_endpoint_group" => ("globalaccelerator:CreateEndpointGroup", US_WEST_2),
        "aws_route53recoverycontrolconfig_cluster" => ("route53-recovery-control-config:CreateCluster", US_WEST_2),
        "aws_route53recoverycontrolconfig_control_panel" => {
            ("route53-recovery-control-config:CreateControlPanel", US_WEST_2)
        }
        "aws_route53recoverycontrolconfig_routing_control" => {
            ("route53-recovery-control-config:CreateRoutingControl", US_WEST_2)
        }
        "aws_route53recoverycontrolconfig_safety_rule" => {
            ("route53-recovery-control-config:CreateSafetyRule", US_WEST_2)
        }
        _ => return None,
    })
}
